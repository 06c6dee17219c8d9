// Package server is the HTTP plumbing every module's handlers share: the echo server, its
// middleware, the one error handler, request binding and paging, and the route registry with
// each route's access declaration. It also serves health, metrics, the OpenAPI document and the
// embedded frontend. Module packages (web/identity, web/org, ...) register their routes on its
// Router; the server knows none of them.
package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"canopy/app/authz"
	appidentity "canopy/app/identity"
	"canopy/domain/access"
	"canopy/domain/errs"
)

// Config holds the settings of the shared plumbing; each module takes its own.
type Config struct {
	BodyLimitBytes int64
	// SecureCookies marks the session cookies Secure: Canopy is reached over https.
	SecureCookies  bool
	TrustedProxies []*net.IPNet
	// MetricsToken, when set, serves /metrics on this handler to requests that bear it;
	// otherwise metrics are only on their own listener (Metrics).
	MetricsToken string
	// Profiling serves Go's runtime profiles (net/http/pprof) under /debug/pprof/ on the
	// metrics listener, never on the main one.
	Profiling bool
}

// Checker is a dependency that readiness waits for.
type Checker struct {
	Name  string
	Check func(ctx context.Context) error
}

// Authenticator finds the caller of a request. The Authenticate methods return Unauthenticated
// for a credential that is wrong, expired or revoked; VerifyCSRF returns Forbidden.
type Authenticator interface {
	AuthenticateToken(ctx context.Context, secret string) (appidentity.Principal, error)
	AuthenticateSession(ctx context.Context, token string) (appidentity.Principal, error)
	VerifyCSRF(p appidentity.Principal, token string) error
}

// ActorResolver resolves a caller to their active membership of an organisation; it returns
// NotFound for any organisation the caller is not an active member of.
type ActorResolver interface {
	ResolveActor(ctx context.Context, p appidentity.Principal, orgID uuid.UUID) (authz.Actor, error)
}

// InstallerResolver resolves a caller to an installation admin; it returns Forbidden
// (installation_admin_required) for anyone else, and for any API token.
type InstallerResolver interface {
	ResolveInstaller(ctx context.Context, p appidentity.Principal) (authz.Installer, error)
}

// PermissionChecker is the route-level permission gate (see authz.Authorizer.CanAnywhere).
type PermissionChecker interface {
	CanAnywhere(ctx context.Context, a authz.Actor, perm access.Permission) (bool, error)
}

// Deps are what the server is built from.
type Deps struct {
	Config      Config
	Log         *slog.Logger
	Auth        Authenticator
	Actors      ActorResolver
	Permissions PermissionChecker
	Installers  InstallerResolver
	Ready       []Checker
	// UI is the built frontend; nil serves none.
	UI fs.FS
	// Limits are the rate limits and the request deadline (limits.go).
	Limits Limits
}

// Server is the HTTP server.
type Server struct {
	cfg     Config
	log     *slog.Logger
	auth    Authenticator
	actors  ActorResolver
	perms   PermissionChecker
	ready   []Checker
	ui      fs.FS
	metrics metrics
	reg     *prometheus.Registry
	echo    *echo.Echo
	api     *echo.Group
	routes  []Route
	// ownLimit holds the "METHOD /path" of routes whose handlers limit the body themselves.
	ownLimit map[string]bool
	// areas are the prefixes outside /api/v1 that modules mounted, such as SCIM's.
	areas []*Area
	// words are the fixed segments of the routes, which logs may show (redact.go).
	words routeWords
	// etags caches the ETags of the app's files (static.go).
	etags sync.Map
	// installers resolves the callers of installation routes.
	installers InstallerResolver
	// limits are the rate limits and the request deadline; limitedTotal counts the 429s.
	limits       Limits
	limitedTotal prometheus.Counter
	// draining is set once the replica is going away (drain.go); drain holds what then closes.
	draining atomic.Bool
	drain    drain
}

// New builds the server with its own routes: health, readiness, metrics, the OpenAPI document
// and the frontend. Modules add theirs through Router.
func New(d Deps) *Server {
	s := &Server{cfg: d.Config, log: d.Log, auth: d.Auth, actors: d.Actors, perms: d.Permissions, installers: d.Installers, ready: d.Ready, ui: d.UI, ownLimit: map[string]bool{}}
	s.reg = prometheus.NewRegistry()
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.metrics = newMetrics(s.reg)
	s.limits = d.Limits
	s.limitedTotal = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "canopy_http_rate_limited_total", Help: "API requests refused with 429 for their caller's rate limit.",
	})
	s.reg.MustRegister(s.limitedTotal)

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	if len(d.Config.TrustedProxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range d.Config.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	} else {
		e.IPExtractor = echo.ExtractIPDirect()
	}
	e.Use(s.requestContext, recoverPanic, securityHeaders, s.withDeadline)
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit:   fmt.Sprintf("%dB", d.Config.BodyLimitBytes),
		Skipper: func(c echo.Context) bool { return s.ownLimit[c.Request().Method+" "+c.Path()] },
	}))
	s.echo = e
	s.api = e.Group("/api/v1")

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	if d.Config.MetricsToken != "" {
		e.GET("/metrics", s.metricsWithToken)
	}
	s.Router().Add(Public, http.MethodGet, "/openapi.json", s.openAPI)
	e.GET("/*", s.serveUI)
	e.HEAD("/*", s.serveUI)
	return s
}

// ServeHTTP makes the server an http.Handler.
// A draining server asks each client to close its connection after the response, so that
// keep-alive connections move to another replica before the listener closes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		w.Header().Set("Connection", "close")
	}
	s.echo.ServeHTTP(w, r)
}

// Routes returns every registered route with its declared access: the /api/v1 routes, which
// the OpenAPI document describes, and those of mounted areas such as /scim/v2.
func (s *Server) Routes() []Route { return s.routes }

// Router returns the registry modules add their routes to.
func (s *Server) Router() *Router { return &Router{s: s} }

// Sessions returns the session cookie and CSRF handling that sign-in handlers share.
func (s *Server) Sessions() Sessions { return Sessions{secure: s.cfg.SecureCookies, auth: s.auth} }

// HTTPServer wraps the handler in an http.Server with the configured timeouts. Its error log
// never sees a request's URL: net/http logs only addresses, TLS and protocol failures and
// panics, and recoverPanic turns every panic but http.ErrAbortHandler (which is not logged)
// into an error first.
func (s *Server) HTTPServer(addr string, readTimeout, writeTimeout time.Duration) *http.Server {
	return &http.Server{
		Addr: addr, Handler: s, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: readTimeout, WriteTimeout: writeTimeout, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Metrics returns the Prometheus handler, for a listener of its own that only the monitoring
// network reaches.
func (s *Server) Metrics() http.Handler {
	return promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{})
}

// MetricsServer serves Metrics at /metrics on addr, and nothing else.
func (s *Server) MetricsServer(addr string) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.Metrics())
	if s.cfg.Profiling {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	return &http.Server{
		Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// metricsWithToken serves the metrics on the main listener to a request bearing the configured
// token. The tokens are compared as hashes, in constant time, so neither their bytes nor their
// length leak through timing.
func (s *Server) metricsWithToken(c echo.Context) error {
	scheme, token, _ := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
	got, want := sha256.Sum256([]byte(strings.TrimSpace(token))), sha256.Sum256([]byte(s.cfg.MetricsToken))
	if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
		return errs.E(errs.Unauthenticated, "invalid_token", "metrics need \"Authorization: Bearer <metrics.token>\"")
	}
	s.Metrics().ServeHTTP(c.Response(), c.Request())
	return nil
}
