package server

import (
	"strings"

	"github.com/labstack/echo/v4"

	"canopy/domain/access"
)

// Level says who may call a route at all.
type Level string

// The levels.
const (
	// LevelPublic routes need no caller.
	LevelPublic Level = "public"
	// LevelOptional routes take a caller when there is one.
	LevelOptional Level = "optional"
	// LevelAuthenticated routes need a signed-in caller or an API token.
	LevelAuthenticated Level = "authenticated"
	// LevelMember routes live under an :orgID and need an active membership there, and the
	// route's permission somewhere in the organisation; the service checks the precise scope.
	LevelMember Level = "member"
	// LevelInstallation routes act for the installation as a whole (under /installation) and
	// need a signed-in installation admin's session; API tokens never reach them.
	LevelInstallation Level = "installation"
)

// Access is a route's declaration of who may call it.
type Access struct {
	Level      Level
	Permission access.Permission
	// SelfService marks a member route that acts only on the caller's own things (their API
	// tokens), so it needs no permission; tokens narrowed to permissions are refused there
	// (see NarrowedTokens).
	SelfService bool
	// InitialPassword marks a route that a caller whose password is an initial one, still to be
	// changed, may use: who they are, changing it, signing out. Every other route that takes a
	// caller, LevelOptional ones included (accepting an invitation), answers them 403
	// password_change_required.
	InitialPassword bool
	// NarrowedTokens marks a route that needs a caller but no permission (LevelAuthenticated,
	// SelfService) which an API token narrowed to permissions may still call. A narrowed token
	// carries only the permissions it names, and such a route acts on its owner's own account
	// (their profile, their tokens), which no permission covers; so every such route answers it
	// 403 token_scope, except the few declared with this: reading who it is, and creating a
	// token (which RequireScopes limits to the scopes the token carries). LevelOptional routes
	// deal with their caller themselves.
	NarrowedTokens bool
}

// WithNarrowedTokens returns the declaration for a route without a permission that a token
// narrowed to permissions may call, because what it does stays within the token's scopes.
func (a Access) WithNarrowedTokens() Access {
	a.NarrowedTokens = true
	return a
}

// WithInitialPassword returns the declaration for a route that a caller whose password must
// still be changed may use.
func (a Access) WithInitialPassword() Access {
	a.InitialPassword = true
	return a
}

// The declarations of routes that need no permission.
var (
	Public        = Access{Level: LevelPublic}
	Optional      = Access{Level: LevelOptional}
	Authenticated = Access{Level: LevelAuthenticated}
	// Member declares an organisation route without a permission; a test refuses it, so every
	// member route says Needs(...) or SelfService.
	Member      = Access{Level: LevelMember}
	SelfService = Access{Level: LevelMember, SelfService: true}
	// Installation declares a route of the installation admins.
	Installation = Access{Level: LevelInstallation}
)

// Needs declares an organisation route that needs a permission.
func Needs(p access.Permission) Access { return Access{Level: LevelMember, Permission: p} }

// Route is a registered route with its declared access.
type Route struct {
	Method string
	Path   string
	Access Access
}

// Router is where a module registers its routes. Each route declares its access, and the
// router puts the middleware that enforces it in front of the handler.
type Router struct{ s *Server }

// Add registers a route under /api/v1; path is relative to it.
func (r *Router) Add(a Access, method, path string, h echo.HandlerFunc) {
	r.add(a, method, path, h)
}

// AddOwnLimit registers a route under /api/v1 whose handler limits the request body itself,
// past the server's body limit (a bulk import).
func (r *Router) AddOwnLimit(a Access, method, path string, h echo.HandlerFunc) {
	rt := r.add(a, method, path, h)
	r.s.ownLimit[method+" "+rt.Path] = true
}

func (r *Router) add(a Access, method, path string, h echo.HandlerFunc) Route {
	s := r.s
	// Middleware goes on each route, not on the group: echo answers a group with middleware
	// 404 for every unknown method, where 405 is right.
	mw := []echo.MiddlewareFunc{s.authenticate, s.rateLimit}
	// Whenever there is a caller, whatever the level, one whose password must still be changed
	// gets no further than the routes declared WithInitialPassword.
	if !a.InitialPassword {
		mw = append(mw, s.passwordChanged)
	}
	// A route that names no permission acts on the caller's own account, which a token
	// narrowed to permissions must not reach unless the route says it may.
	narrowedGate := s.refuseNarrowed
	if a.NarrowedTokens {
		narrowedGate = nil
	}
	switch a.Level {
	case LevelAuthenticated:
		mw = append(mw, s.requireAuth)
		if narrowedGate != nil {
			mw = append(mw, narrowedGate)
		}
	case LevelMember:
		mw = append(mw, s.requireAuth)
		if a.Permission == "" && narrowedGate != nil {
			mw = append(mw, narrowedGate)
		}
		mw = append(mw, s.withActor)
		if a.Permission != "" {
			mw = append(mw, s.requirePermission(a.Permission))
		}
	case LevelInstallation:
		mw = append(mw, s.requireAuth, s.withInstaller)
	case LevelOptional:
	case LevelPublic:
		mw = nil
	default:
		panic("server: route without an access declaration: " + method + " " + path)
	}
	mw = append(mw, checkParams)
	rt := Route{Method: method, Path: s.api.Add(method, path, h, mw...).Path, Access: a}
	s.routes = append(s.routes, rt)
	return rt
}

// ErrorWriter writes an error response in a mounted area's own shape; the one error handler
// has already chosen the status, the code and the message that is safe to show.
type ErrorWriter func(c echo.Context, status int, code, message string)

// Area is a path prefix outside /api/v1 that a module serves with its own protocol, such as
// SCIM at /scim: its own authentication and its own error shape.
type Area struct {
	s          *Server
	prefix     string
	writeError ErrorWriter
}

// Mount reserves prefix for a module: the frontend is never served under it, and every error
// under it, including those before any handler runs (404, 405, 413), is written by writeError.
func (r *Router) Mount(prefix string, writeError ErrorWriter) *Area {
	a := &Area{s: r.s, prefix: strings.TrimRight(prefix, "/"), writeError: writeError}
	r.s.areas = append(r.s.areas, a)
	return a
}

// Add registers a route at the area's prefix plus path. auth authenticates the caller and
// records them with SetCaller; the route is listed with the access it declares.
func (a *Area) Add(acc Access, method, path string, h echo.HandlerFunc, auth echo.MiddlewareFunc) {
	if acc.Level == "" || auth == nil {
		panic("server: route without an access declaration: " + method + " " + a.prefix + path)
	}
	// As with Router.Add, the middleware goes on each route, so unknown methods answer 405.
	rt := a.s.echo.Add(method, a.prefix+path, h, auth, a.s.rateLimit, checkParams)
	a.s.routes = append(a.s.routes, Route{Method: method, Path: rt.Path, Access: acc})
}

// contains reports whether a request path lies in the area.
func (a *Area) contains(path string) bool {
	return path == a.prefix || strings.HasPrefix(path, a.prefix+"/")
}

// area returns the mounted area a request path lies in, or nil.
func (s *Server) area(path string) *Area {
	for _, a := range s.areas {
		if a.contains(path) {
			return a
		}
	}
	return nil
}
