package server

import (
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"canopy/app/authz"
	appidentity "canopy/app/identity"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/identity"
)

const (
	sessionCookie = "canopy_session"
	csrfCookie    = "canopy_csrf"
	csrfHeader    = "X-CSRF-Token"

	ctxRequestID = "canopy.request_id"
	ctxLogger    = "canopy.logger"
	ctxPrincipal = "canopy.principal"
	ctxActor     = "canopy.actor"
	// ctxFile marks a request that serveUI answered with a file of the app's build, whose path
	// is no secret.
	ctxFile      = "canopy.file"
	ctxInstaller = "canopy.installer"
)

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestContext gives every request an id (the caller's X-Request-Id when it is sane) and a
// logger that carries it, and logs and counts the request when it ends, in a defer: a handler
// that aborts its response (panic(http.ErrAbortHandler), as a failed export does) is logged
// and counted too, marked aborted, before the panic goes on to net/http, which drops the
// connection. No log line shows a secret of the request: the path and query are logged
// redacted (requestSecrets), and the request's logger scrubs the secrets from whatever else is
// logged for it. Metrics are labelled with the route template, never the path.
func (s *Server) requestContext(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !validRequestID.MatchString(id) {
			id = uuid.NewString()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		c.Set(ctxRequestID, id)
		// Echo has routed the request before this runs, so the route's template is known.
		_, _, secrets := s.requestSecrets(c, false)
		log := s.log.With(slog.String("request_id", id))
		if len(secrets) > 0 {
			log = slog.New(newScrubHandler(log.Handler(), secrets))
		}
		c.Set(ctxLogger, log)
		defer func() {
			// recoverPanic has turned every other panic into an error, so this is an abort.
			if r := recover(); r != nil {
				s.logRequest(c, log, start, true)
				panic(r)
			}
		}()
		if err := next(c); err != nil {
			c.Error(err)
		}
		s.logRequest(c, log, start, false)
		return nil
	}
}

// logRequest writes the request's log line and metrics. An aborted request is logged with the
// status it had written when it stopped (the client saw that status and then a body that broke
// off), or 500 when it had written nothing (the client saw the connection close, a failure of
// the server), and with "aborted": true; canopy_http_requests_aborted_total counts them, since
// their status alone may look like a success.
func (s *Server) logRequest(c echo.Context, log *slog.Logger, start time.Time, aborted bool) {
	route := s.routeLabel(c)
	method := methodLabel(c.Request().Method)
	status := c.Response().Status
	if aborted && !c.Response().Committed {
		status = http.StatusInternalServerError
	}
	elapsed := time.Since(start)
	s.metrics.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	s.metrics.latency.WithLabelValues(method, route, strconv.Itoa(status)).Observe(elapsed.Seconds())
	if aborted {
		s.metrics.aborted.WithLabelValues(method, route).Inc()
	}
	if route == "/healthz" || route == "/metrics" {
		return
	}
	file, _ := c.Get(ctxFile).(bool)
	path, query, _ := s.requestSecrets(c, file)
	attrs := []any{slog.String("method", method), slog.String("route", route), slog.String("path", path)}
	if query != "" {
		attrs = append(attrs, slog.String("query", query))
	}
	attrs = append(attrs, slog.Int("status", status),
		slog.Float64("ms", float64(elapsed.Microseconds())/1000), slog.String("ip", c.RealIP()))
	if aborted {
		attrs = append(attrs, slog.Bool("aborted", true))
		log.Warn("request", attrs...)
		return
	}
	log.Info("request", attrs...)
}

// methodLabel is the request method for logs and metrics: any method HTTP does not define is
// OTHER, since a client may send any word there.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// routeLabel is the route template, never the raw path, so metrics stay bounded and never hold
// a secret: echo sets the path of a request from the templates it was given, even for a 404 or
// a 405, and paths that match only the app's catch-all are "ui" or "unmatched".
func (s *Server) routeLabel(c echo.Context) string {
	p := c.Path()
	if p == "" || p == "/*" {
		up := c.Request().URL.Path
		if a := s.area(up); strings.HasPrefix(up, "/api/") || (a != nil && strings.HasPrefix(up, a.prefix+"/")) {
			return "unmatched"
		}
		return "ui"
	}
	return p
}

func requestID(c echo.Context) string {
	id, _ := c.Get(ctxRequestID).(string)
	return id
}

// Logger returns the request's logger, which carries its request id.
func Logger(c echo.Context) *slog.Logger {
	if l, ok := c.Get(ctxLogger).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// recoverPanic turns a panic into an internal error, logged with its value, never shown.
func recoverPanic(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				err = errs.Internalf("panic: %v", r)
			}
		}()
		return next(c)
	}
}

// securityHeaders sets the headers every response carries. The CSP allows no inline script;
// styles may be inline because the component library injects them at run time. No response
// is stored by a browser or a cache unless its handler says otherwise (only the app's files
// do): API responses hold personal data, and some public ones secrets (an invitation's
// preview and QR code).
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		return next(c)
	}
}

// authenticate finds the caller, by bearer token or session cookie, and keeps them in the
// context. A bearer token that is wrong fails the request; a stale cookie is ignored here and
// refused by requireAuth on routes that need a caller.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
			scheme, secret, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") || secret == "" {
				return errs.E(errs.Unauthenticated, "invalid_token", "Authorization must be \"Bearer <token>\"")
			}
			p, err := s.auth.AuthenticateToken(ctx, strings.TrimSpace(secret))
			if err != nil {
				return err
			}
			if p.HasScope(identity.ScopeSCIM) {
				return errs.E(errs.Forbidden, "token_scope", "this token is not for the API (a SCIM token works only at /scim/v2)")
			}
			p.IP = c.RealIP()
			c.Set(ctxPrincipal, p)
			return next(c)
		}
		if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
			p, err := s.auth.AuthenticateSession(ctx, ck.Value)
			switch {
			case err == nil:
				p.IP = c.RealIP()
				c.Set(ctxPrincipal, p)
			case errs.Is(err, errs.Unauthenticated):
				c.Set(ctxPrincipal+".error", err)
			default:
				return err
			}
		}
		return next(c)
	}
}

// Principal returns the caller, when the request has one.
func Principal(c echo.Context) (appidentity.Principal, bool) {
	p, ok := c.Get(ctxPrincipal).(appidentity.Principal)
	return p, ok
}

// requireAuth refuses a request without a caller, and a cookie-authenticated write without the
// CSRF token.
func (s *Server) requireAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, ok := Principal(c)
		if !ok {
			if err, ok := c.Get(ctxPrincipal + ".error").(error); ok {
				s.Sessions().Clear(c)
				return err
			}
			return errs.E(errs.Unauthenticated, "unauthenticated", "sign in to continue")
		}
		if err := s.Sessions().CheckCSRF(c, p); err != nil {
			return err
		}
		return next(c)
	}
}

// refuseNarrowed refuses an API token narrowed to permissions on a route that names no
// permission (see Access.NarrowedTokens): such a route acts on the token owner's own account,
// and a token scoped to reading the directory must not rename its owner or revoke their other
// tokens. Sessions and unnarrowed tokens pass.
func (s *Server) refuseNarrowed(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p, ok := Principal(c); ok && (authz.Actor{Principal: p}).Narrowed() {
			return errs.E(errs.Forbidden, "token_scope", "this token is narrowed to permissions, and this route acts on its owner's own account, which needs a session or a token with the \"api\" scope")
		}
		return next(c)
	}
}

// withActor resolves the :orgID of the path to the caller's active membership in it. Any
// organisation the caller is not an active member of answers 404.
func (s *Server) withActor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, _ := Principal(c)
		orgID, err := PathID(c, "orgID", "organisation")
		if err != nil {
			return err
		}
		a, err := s.actors.ResolveActor(c.Request().Context(), p, orgID)
		if err != nil {
			return err
		}
		c.Set(ctxActor, a)
		return next(c)
	}
}

// passwordChanged refuses a caller whose password is an initial one an administrator chose,
// until they change it: routes declared WithInitialPassword skip it.
func (s *Server) passwordChanged(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p, ok := Principal(c); ok && p.MustChangePassword {
			return errs.E(errs.Forbidden, "password_change_required", "change your initial password first (POST /api/v1/me/password)")
		}
		return next(c)
	}
}

// withInstaller lets only a signed-in installation admin through, with a session.
func (s *Server) withInstaller(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, _ := Principal(c)
		if s.installers == nil {
			return errs.E(errs.Forbidden, "installation_admin_required", "only the installation's admins may do this")
		}
		i, err := s.installers.ResolveInstaller(c.Request().Context(), p)
		if err != nil {
			return err
		}
		c.Set(ctxInstaller, i)
		return next(c)
	}
}

// Installer returns the installation admin of an installation route.
func Installer(c echo.Context) authz.Installer {
	i, _ := c.Get(ctxInstaller).(authz.Installer)
	return i
}

// requirePermission is the route-level gate: the caller must hold perm somewhere in the
// organisation. The service then checks the exact scope (which department, which group).
func (s *Server) requirePermission(perm access.Permission) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ok, err := s.perms.CanAnywhere(c.Request().Context(), Actor(c), perm)
			if err != nil {
				return err
			}
			if !ok {
				return errs.E(errs.Forbidden, "forbidden", "you do not have the "+string(perm)+" permission")
			}
			return next(c)
		}
	}
}

// Actor returns the caller acting in the organisation of the route: set on member routes, and
// by the authentication of a mounted area that acts in one organisation (SCIM).
func Actor(c echo.Context) authz.Actor {
	a, _ := c.Get(ctxActor).(authz.Actor)
	return a
}

// SetCaller records the caller that a mounted area's own authentication found, for Principal
// and Actor.
func SetCaller(c echo.Context, p appidentity.Principal, a authz.Actor) {
	c.Set(ctxPrincipal, p)
	c.Set(ctxActor, a)
}

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	aborted  *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) metrics {
	m := metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "canopy_http_requests_total", Help: "HTTP requests by method, route template and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "canopy_http_request_duration_seconds", Help: "HTTP request latency by method, route template and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "status"}),
	}
	m.aborted = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "canopy_http_requests_aborted_total", Help: "HTTP requests whose handler aborted the response part-way (the client's download failed), by method and route template.",
	}, []string{"method", "route"})
	reg.MustRegister(m.requests, m.latency, m.aborted)
	return m
}
