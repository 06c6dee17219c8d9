// Package web is Canopy's HTTP face: the echo server, its middleware, the one error handler, the
// request and response types of each module, and the embedded frontend.
package web

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	appaccess "canopy/app/access"
	"canopy/app/authz"
	appdir "canopy/app/directory"
	appidentity "canopy/app/identity"
	appimport "canopy/app/importer"
	apporg "canopy/app/org"
	appscim "canopy/app/scim"
	"canopy/domain/access"
)

// Config holds the server settings the handlers need.
type Config struct {
	PublicURL      string
	BodyLimitBytes int64
	// ImportLimitBytes is the body limit of a bulk import, which alone may pass BodyLimitBytes.
	ImportLimitBytes int64
	SecureCookies    bool
	TrustedProxies   []*net.IPNet
}

// Checker is a dependency that readiness waits for.
type Checker struct {
	Name  string
	Check func(ctx context.Context) error
}

// Deps are what the server is built from.
type Deps struct {
	Config     Config
	Log        *slog.Logger
	Identity   *appidentity.Service
	Orgs       *apporg.Service
	Directory  *appdir.Service
	Access     *appaccess.Service
	Authorizer authz.Authorizer
	Imports    *appimport.Service
	SCIM       *appscim.Service
	Ready      []Checker
	// UI is the built frontend; nil serves none.
	UI fs.FS
}

// Server is the HTTP server.
type Server struct {
	cfg     Config
	log     *slog.Logger
	ident   *appidentity.Service
	orgs    *apporg.Service
	dir     *appdir.Service
	access  *appaccess.Service
	authz   authz.Authorizer
	imports *appimport.Service
	ready   []Checker
	ui      fs.FS
	metrics metrics
	reg     *prometheus.Registry
	echo    *echo.Echo
	routes  []Route
	// scim serves /scim/v2, whose routes are listed apart from the /api/v1 ones.
	scim       *appscim.Service
	scimRoutes []Route
}

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
)

// Access is a route's declaration of who may call it.
type Access struct {
	Level      Level
	Permission access.Permission
	// SelfService marks a member route that acts only on the caller's own things (their API
	// tokens), so it needs no permission.
	SelfService bool
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
)

// Needs declares an organisation route that needs a permission.
func Needs(p access.Permission) Access { return Access{Level: LevelMember, Permission: p} }

// Route is a registered route with its declared access.
type Route struct {
	Method string
	Path   string
	Access Access
}

// New builds the server and registers every route.
func New(d Deps) *Server {
	s := &Server{cfg: d.Config, log: d.Log, ident: d.Identity, orgs: d.Orgs, dir: d.Directory, access: d.Access, authz: d.Authorizer, imports: d.Imports, ready: d.Ready, ui: d.UI, scim: d.SCIM}
	s.reg = prometheus.NewRegistry()
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.metrics = newMetrics(s.reg)

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
	e.Use(s.requestContext, recoverPanic, securityHeaders)
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit: fmt.Sprintf("%dB", d.Config.BodyLimitBytes),
		// A bulk import has its own, larger limit (createImport).
		Skipper: func(c echo.Context) bool { return c.Request().Method == http.MethodPost && c.Path() == importsPath },
	}))
	s.echo = e
	s.registerRoutes()
	return s
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Routes returns every registered API route with its declared access.
func (s *Server) Routes() []Route { return s.routes }

func (s *Server) add(g *echo.Group, access Access, method, path string, h echo.HandlerFunc) {
	// Middleware goes on each route, not on the group: echo answers a group with middleware
	// 404 for every unknown method, where 405 is right.
	mw := []echo.MiddlewareFunc{s.authenticate}
	switch access.Level {
	case LevelAuthenticated:
		mw = append(mw, s.requireAuth)
	case LevelMember:
		mw = append(mw, s.requireAuth, s.withActor)
		if access.Permission != "" {
			mw = append(mw, s.requirePermission(access.Permission))
		}
	case LevelOptional:
	case LevelPublic:
		mw = nil
	default:
		panic("web: route without an access declaration: " + method + " " + path)
	}
	r := g.Add(method, path, h, mw...)
	s.routes = append(s.routes, Route{Method: method, Path: r.Path, Access: access})
}

func (s *Server) registerRoutes() {
	e := s.echo
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{})))

	api := e.Group("/api/v1")
	s.add(api, Public, http.MethodGet, "/openapi.json", s.openAPI)

	s.add(api, Public, http.MethodPost, "/auth/login", s.login)
	s.add(api, Authenticated, http.MethodPost, "/auth/logout", s.logout)
	s.add(api, Authenticated, http.MethodGet, "/me", s.getMe)
	s.add(api, Authenticated, http.MethodPatch, "/me", s.updateMe)
	s.add(api, Authenticated, http.MethodPost, "/me/password", s.changePassword)

	s.add(api, Authenticated, http.MethodGet, "/orgs", s.listMyOrgs)
	s.add(api, Authenticated, http.MethodPost, "/orgs", s.createOrg)
	s.add(api, Needs(access.OrgRead), http.MethodGet, "/orgs/:orgID", s.getOrg)
	s.add(api, Needs(access.SettingsManage), http.MethodPatch, "/orgs/:orgID", s.updateOrg)
	s.add(api, Needs(access.DirectoryRead), http.MethodGet, "/orgs/:orgID/members", s.listMembers)
	s.add(api, Needs(access.DirectoryRead), http.MethodGet, "/orgs/:orgID/members/:userID", s.getMember)
	s.add(api, Needs(access.MembersManage), http.MethodPost, "/orgs/:orgID/members/:userID/deactivate", s.deactivateMember)
	s.add(api, Needs(access.MembersManage), http.MethodPost, "/orgs/:orgID/members/:userID/reactivate", s.reactivateMember)
	s.add(api, Needs(access.MembersManage), http.MethodGet, "/orgs/:orgID/invitations", s.listInvitations)
	s.add(api, Needs(access.MembersManage), http.MethodPost, "/orgs/:orgID/invitations", s.createInvitation)
	s.add(api, Needs(access.MembersManage), http.MethodDelete, "/orgs/:orgID/invitations/:invitationID", s.revokeInvitation)
	s.add(api, SelfService, http.MethodGet, "/orgs/:orgID/tokens", s.listTokens)
	s.add(api, SelfService, http.MethodPost, "/orgs/:orgID/tokens", s.createToken)
	s.add(api, SelfService, http.MethodDelete, "/orgs/:orgID/tokens/:tokenID", s.revokeToken)

	// The directory, for every member.
	s.add(api, Needs(access.DirectoryRead), http.MethodGet, "/orgs/:orgID/departments", s.listDepartments)
	s.add(api, Needs(access.DirectoryRead), http.MethodGet, "/orgs/:orgID/departments/:departmentID", s.getDepartment)
	s.add(api, Needs(access.DirectoryRead), http.MethodGet, "/orgs/:orgID/departments/:departmentID/members", s.listDepartmentMembers)
	s.add(api, Needs(access.OrgRead), http.MethodGet, "/orgs/:orgID/groups", s.listGroups)
	s.add(api, Needs(access.OrgRead), http.MethodGet, "/orgs/:orgID/groups/:groupID", s.getGroup)
	s.add(api, Needs(access.OrgRead), http.MethodGet, "/orgs/:orgID/groups/:groupID/members", s.listGroupMembers)
	s.add(api, Needs(access.OrgRead), http.MethodGet, "/orgs/:orgID/people/:userID", s.getPerson)
	s.add(api, Needs(access.DirectoryRead), http.MethodGet, "/orgs/:orgID/search", s.search)

	// The admin API: users, departments, groups and their memberships. The services check that
	// the caller may manage them (owners and admins; group owners for their groups).
	adm := "/admin/orgs/:orgID"
	s.add(api, Needs(access.MembersManage), http.MethodGet, adm+"/users", s.adminListUsers)
	s.add(api, Needs(access.MembersManage), http.MethodPost, adm+"/users", s.adminCreateUser)
	s.add(api, Needs(access.MembersManage), http.MethodGet, adm+"/users/:userID", s.adminGetUser)
	s.add(api, Needs(access.MembersManage), http.MethodPatch, adm+"/users/:userID", s.adminUpdateUser)
	s.add(api, Needs(access.MembersManage), http.MethodPost, adm+"/users/:userID/deactivate", s.adminDeactivateUser)
	s.add(api, Needs(access.DirectoryManage), http.MethodPut, adm+"/users/:userID/departments", s.putUserDepartments)
	s.add(api, Needs(access.DirectoryManage), http.MethodPost, adm+"/departments", s.createDepartment)
	s.add(api, Needs(access.DirectoryManage), http.MethodPatch, adm+"/departments/:departmentID", s.updateDepartment)
	s.add(api, Needs(access.DirectoryManage), http.MethodDelete, adm+"/departments/:departmentID", s.deleteDepartment)
	s.add(api, Needs(access.DirectoryManage), http.MethodPut, adm+"/departments/:departmentID/members/:userID", s.putDepartmentMember)
	s.add(api, Needs(access.DirectoryManage), http.MethodDelete, adm+"/departments/:departmentID/members/:userID", s.deleteDepartmentMember)
	s.add(api, Needs(access.GroupsManage), http.MethodPost, adm+"/groups", s.createGroup)
	s.add(api, Needs(access.OrgRead), http.MethodPatch, adm+"/groups/:groupID", s.updateGroup)
	s.add(api, Needs(access.OrgRead), http.MethodDelete, adm+"/groups/:groupID", s.deleteGroup)
	s.add(api, Needs(access.OrgRead), http.MethodPut, adm+"/groups/:groupID/members/:userID", s.putGroupMember)
	s.add(api, Needs(access.OrgRead), http.MethodDelete, adm+"/groups/:groupID/members/:userID", s.deleteGroupMember)

	// Group owners manage their own groups: those routes need only org.read to reach the
	// service, which allows groups.manage over the group's department or the group's owners.

	// Roles, assignments and the audit log.
	s.add(api, Needs(access.OrgRead), http.MethodGet, "/orgs/:orgID/roles", s.listRoles)
	s.add(api, Needs(access.RolesManage), http.MethodPost, adm+"/roles", s.createRole)
	s.add(api, Needs(access.RolesManage), http.MethodPatch, adm+"/roles/:roleID", s.updateRole)
	s.add(api, Needs(access.RolesManage), http.MethodDelete, adm+"/roles/:roleID", s.deleteRole)
	s.add(api, Needs(access.RolesManage), http.MethodGet, adm+"/assignments", s.listAssignments)
	s.add(api, Needs(access.RolesManage), http.MethodPost, adm+"/assignments", s.createAssignment)
	s.add(api, Needs(access.RolesManage), http.MethodDelete, adm+"/assignments/:assignmentID", s.deleteAssignment)
	s.add(api, Needs(access.MembersManage), http.MethodPut, adm+"/users/:userID/role", s.setMemberRole)
	s.add(api, Needs(access.OwnershipTransfer), http.MethodPost, adm+"/ownership", s.transferOwnership)
	s.add(api, Needs(access.AuditRead), http.MethodGet, adm+"/audit", s.listAudit)
	s.add(api, Needs(access.AuditRead), http.MethodGet, adm+"/audit/export", s.exportAudit)

	// Bulk imports of users, departments and memberships, run in the background.
	s.add(api, Needs(access.MembersManage), http.MethodPost, adm+"/imports", s.createImport)
	s.add(api, Needs(access.MembersManage), http.MethodGet, adm+"/imports", s.listImports)
	s.add(api, Needs(access.MembersManage), http.MethodGet, adm+"/imports/:importID", s.getImport)

	// SCIM tokens for the organisation's identity provider (scim_tokens.go).
	s.add(api, Needs(access.TokensManage), http.MethodGet, adm+"/scim-tokens", s.listSCIMTokens)
	s.add(api, Needs(access.TokensManage), http.MethodPost, adm+"/scim-tokens", s.createSCIMToken)
	s.add(api, Needs(access.TokensManage), http.MethodDelete, adm+"/scim-tokens/:scimTokenID", s.revokeSCIMToken)

	s.add(api, Public, http.MethodGet, "/invitations/:token", s.previewInvitation)
	s.add(api, Optional, http.MethodPost, "/invitations/:token/accept", s.acceptInvitation)
	s.add(api, Public, http.MethodGet, "/invitations/:token/qr.png", s.invitationQR)

	s.registerSCIM()

	e.GET("/*", s.serveUI)
	e.HEAD("/*", s.serveUI)
}

// HTTPServer wraps the handler in an http.Server with the configured timeouts.
func (s *Server) HTTPServer(addr string, readTimeout, writeTimeout time.Duration) *http.Server {
	return &http.Server{
		Addr: addr, Handler: s, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: readTimeout, WriteTimeout: writeTimeout, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}
