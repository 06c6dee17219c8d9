package web

import (
	"context"
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
)

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestContext gives every request an id (the caller's X-Request-Id when it is sane) and a
// logger that carries it, and logs the request when it ends.
func (s *Server) requestContext(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !validRequestID.MatchString(id) {
			id = uuid.NewString()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		c.Set(ctxRequestID, id)
		log := s.log.With(slog.String("request_id", id))
		c.Set(ctxLogger, log)
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := routeLabel(c)
		status := c.Response().Status
		elapsed := time.Since(start)
		s.metrics.requests.WithLabelValues(c.Request().Method, route, strconv.Itoa(status)).Inc()
		s.metrics.latency.WithLabelValues(c.Request().Method, route, strconv.Itoa(status)).Observe(elapsed.Seconds())
		if route != "/healthz" && route != "/metrics" {
			log.Info("request", slog.String("method", c.Request().Method), slog.String("route", route),
				slog.String("path", c.Request().URL.Path), slog.Int("status", status),
				slog.Float64("ms", float64(elapsed.Microseconds())/1000), slog.String("ip", c.RealIP()))
		}
		return nil
	}
}

// routeLabel is the route template, never the raw path, so metrics stay bounded.
func routeLabel(c echo.Context) string {
	p := c.Path()
	if p == "" || p == "/*" {
		if strings.HasPrefix(c.Request().URL.Path, "/api/") || strings.HasPrefix(c.Request().URL.Path, "/scim/") {
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

func loggerFrom(c echo.Context) *slog.Logger {
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
// styles may be inline because the component library injects them at run time.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
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
			p, err := s.ident.AuthenticateToken(ctx, strings.TrimSpace(secret))
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
			p, err := s.ident.AuthenticateSession(ctx, ck.Value)
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

func principal(c echo.Context) (appidentity.Principal, bool) {
	p, ok := c.Get(ctxPrincipal).(appidentity.Principal)
	return p, ok
}

// requireAuth refuses a request without a caller, and a cookie-authenticated write without the
// CSRF token.
func (s *Server) requireAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, ok := principal(c)
		if !ok {
			if err, ok := c.Get(ctxPrincipal + ".error").(error); ok {
				clearSessionCookies(c, s.cfg.SecureCookies)
				return err
			}
			return errs.E(errs.Unauthenticated, "unauthenticated", "sign in to continue")
		}
		if err := s.checkCSRF(c, p); err != nil {
			return err
		}
		return next(c)
	}
}

func (s *Server) checkCSRF(c echo.Context, p appidentity.Principal) error {
	switch c.Request().Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	return s.ident.VerifyCSRF(p, c.Request().Header.Get(csrfHeader))
}

// withActor resolves the :orgID of the path to the caller's active membership in it. Any
// organisation the caller is not an active member of answers 404.
func (s *Server) withActor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, _ := principal(c)
		orgID, err := pathID(c, "orgID", "organisation")
		if err != nil {
			return err
		}
		a, err := s.orgs.ResolveActor(c.Request().Context(), p, orgID)
		if err != nil {
			return err
		}
		c.Set(ctxActor, a)
		return next(c)
	}
}

// requirePermission is the route-level gate: the caller must hold perm somewhere in the
// organisation. The service then checks the exact scope (which department, which group).
func (s *Server) requirePermission(perm access.Permission) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ok, err := s.authz.CanAnywhere(ctxOf(c), actor(c), perm)
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

func actor(c echo.Context) authz.Actor {
	a, _ := c.Get(ctxActor).(authz.Actor)
	return a
}

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
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
	reg.MustRegister(m.requests, m.latency)
	return m
}

func ctxOf(c echo.Context) context.Context { return c.Request().Context() }
