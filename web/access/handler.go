// Package access is the HTTP face of who may do what: roles and their permissions, role
// assignments, and the audit log with its export.
package access

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	appaccess "canopy/app/access"
	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/web/server"
)

// Service is what the handlers need of the access use cases. They return NotFound for what
// the actor cannot see, Forbidden, Invalid and Conflict as each use case says.
type Service interface {
	Roles(ctx context.Context, a authz.Actor) ([]appaccess.RoleView, error)
	CreateRole(ctx context.Context, a authz.Actor, in access.RoleInput) (appaccess.RoleView, error)
	UpdateRole(ctx context.Context, a authz.Actor, id uuid.UUID, in access.RoleInput) (appaccess.RoleView, error)
	DeleteRole(ctx context.Context, a authz.Actor, id uuid.UUID) error
	Assignments(ctx context.Context, a authz.Actor, userID, departmentID uuid.UUID) ([]access.Assignment, error)
	Assign(ctx context.Context, a authz.Actor, in appaccess.AssignInput) (access.Assignment, error)
	Unassign(ctx context.Context, a authz.Actor, id uuid.UUID) error
	Audit(ctx context.Context, a authz.Actor, f access.AuditFilter) ([]access.AuditEntry, error)
	MyPermissions(ctx context.Context, a authz.Actor) ([]appaccess.Held, error)
}

// Handler serves the access routes.
type Handler struct{ svc Service }

// New returns the access handlers.
func New(svc Service) *Handler { return &Handler{svc: svc} }

// Register adds the routes of roles, assignments and the audit log. A member's owner/admin/
// member role and the ownership are the org module's.
func (h *Handler) Register(r *server.Router) {
	adm := "/admin/orgs/:orgID"
	r.Add(server.Needs(access.OrgRead), http.MethodGet, "/orgs/:orgID/roles", h.listRoles)
	// What the caller holds is theirs to know whatever they hold, guests and narrowed tokens too.
	r.Add(server.SelfService.WithNarrowedTokens(), http.MethodGet, "/orgs/:orgID/me/permissions", h.myPermissions)
	r.Add(server.Needs(access.RolesManage), http.MethodPost, adm+"/roles", h.createRole)
	r.Add(server.Needs(access.RolesManage), http.MethodPatch, adm+"/roles/:roleID", h.updateRole)
	r.Add(server.Needs(access.RolesManage), http.MethodDelete, adm+"/roles/:roleID", h.deleteRole)
	r.Add(server.Needs(access.RolesManage), http.MethodGet, adm+"/assignments", h.listAssignments)
	r.Add(server.Needs(access.RolesManage), http.MethodPost, adm+"/assignments", h.createAssignment)
	r.Add(server.Needs(access.RolesManage), http.MethodDelete, adm+"/assignments/:assignmentID", h.deleteAssignment)
	r.Add(server.Needs(access.AuditRead), http.MethodGet, adm+"/audit", h.listAudit)
	r.Add(server.Needs(access.AuditRead), http.MethodGet, adm+"/audit/export", h.exportAudit)
}

type roleJSON struct {
	ID          string   `json:"id"`
	Builtin     *string  `json:"builtin"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Permissions []string `json:"permissions"`
}

func toRoleJSON(r appaccess.RoleView) roleJSON {
	perms := make([]string, len(r.Permissions))
	for i, p := range r.Permissions {
		perms[i] = string(p)
	}
	return roleJSON{r.ID.String(), optString(string(r.Builtin)), r.Name, r.Description, perms}
}

func (h *Handler) listRoles(c echo.Context) error {
	rs, err := h.svc.Roles(c.Request().Context(), server.Actor(c))
	if err != nil {
		return err
	}
	items := make([]roleJSON, len(rs))
	for i, r := range rs {
		items[i] = toRoleJSON(r)
	}
	catalogue := make([]map[string]any, len(access.Catalogue))
	for i, p := range access.Catalogue {
		catalogue[i] = map[string]any{"permission": string(p), "scoped": p.Scoped()}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "catalogue": catalogue})
}

type heldDepartmentJSON struct {
	ID   string `json:"id"`
	Path string `json:"path"`
	Name string `json:"name"`
}

type heldJSON struct {
	Permission  string               `json:"permission"`
	Org         bool                 `json:"org"`
	Departments []heldDepartmentJSON `json:"departments"`
}

func (h *Handler) myPermissions(c echo.Context) error {
	held, err := h.svc.MyPermissions(c.Request().Context(), server.Actor(c))
	if err != nil {
		return err
	}
	items := make([]heldJSON, len(held))
	for i, p := range held {
		depts := make([]heldDepartmentJSON, len(p.Departments))
		for j, d := range p.Departments {
			depts[j] = heldDepartmentJSON{d.ID.String(), d.Path, d.Name}
		}
		items[i] = heldJSON{string(p.Permission), p.Org, depts}
	}
	return c.JSON(http.StatusOK, map[string]any{"permissions": items})
}

type roleRequest struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Permissions []string `json:"permissions"`
}

func (h *Handler) createRole(c echo.Context) error {
	var req roleRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	r, err := h.svc.CreateRole(c.Request().Context(), server.Actor(c), access.RoleInput(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toRoleJSON(r))
}

func (h *Handler) updateRole(c echo.Context) error {
	id, err := server.PathID(c, "roleID", "role")
	if err != nil {
		return err
	}
	var req roleRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	r, err := h.svc.UpdateRole(c.Request().Context(), server.Actor(c), id, access.RoleInput(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toRoleJSON(r))
}

func (h *Handler) deleteRole(c echo.Context) error {
	id, err := server.PathID(c, "roleID", "role")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.DeleteRole(c.Request().Context(), server.Actor(c), id))
}

type assignmentOut struct {
	ID           string    `json:"id"`
	UserID       string    `json:"user_id"`
	RoleID       string    `json:"role_id"`
	DepartmentID *string   `json:"department_id"`
	CreatedAt    time.Time `json:"created_at"`
}

func toAssignmentOut(a access.Assignment) assignmentOut {
	out := assignmentOut{ID: a.ID.String(), UserID: a.UserID.String(), RoleID: a.RoleID.String(), CreatedAt: a.CreatedAt}
	if a.DepartmentID != uuid.Nil {
		d := a.DepartmentID.String()
		out.DepartmentID = &d
	}
	return out
}

func (h *Handler) listAssignments(c echo.Context) error {
	user, err := server.QueryID(c, "user_id", "member")
	if err != nil {
		return err
	}
	dept, err := server.QueryID(c, "department_id", "department")
	if err != nil {
		return err
	}
	as, err := h.svc.Assignments(c.Request().Context(), server.Actor(c), user, dept)
	if err != nil {
		return err
	}
	items := make([]assignmentOut, len(as))
	for i, a := range as {
		items[i] = toAssignmentOut(a)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (h *Handler) createAssignment(c echo.Context) error {
	var req struct {
		UserID       string  `json:"user_id"`
		RoleID       string  `json:"role_id"`
		DepartmentID *string `json:"department_id"`
	}
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	user, err := uuid.Parse(req.UserID)
	if err != nil {
		return errs.NotFoundf("member")
	}
	role, err := uuid.Parse(req.RoleID)
	if err != nil {
		return errs.NotFoundf("role")
	}
	dept, err := server.OptionalID(req.DepartmentID, "department")
	if err != nil {
		return err
	}
	a, err := h.svc.Assign(c.Request().Context(), server.Actor(c), appaccess.AssignInput{UserID: user, RoleID: role, DepartmentID: dept})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toAssignmentOut(a))
}

func (h *Handler) deleteAssignment(c echo.Context) error {
	id, err := server.PathID(c, "assignmentID", "assignment")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.Unassign(c.Request().Context(), server.Actor(c), id))
}

type auditJSON struct {
	ID         int64           `json:"id"`
	At         time.Time       `json:"at"`
	ActorID    *string         `json:"actor_id"`
	ActorName  string          `json:"actor_name"`
	TokenID    *string         `json:"token_id"`
	IP         string          `json:"ip"`
	Action     string          `json:"action"`
	TargetType string          `json:"target_type"`
	TargetID   string          `json:"target_id"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
}

func rawOrNull(v any) json.RawMessage {
	if b, ok := v.(json.RawMessage); ok && len(b) > 0 {
		return b
	}
	return json.RawMessage("null")
}

func idOrNil(id uuid.UUID) *string {
	if id == uuid.Nil {
		return nil
	}
	s := id.String()
	return &s
}

func toAuditJSON(e access.AuditEntry) auditJSON {
	return auditJSON{e.ID, e.At, idOrNil(e.ActorID), e.ActorName, idOrNil(e.TokenID), e.IP, e.Action, e.TargetType, e.TargetID, rawOrNull(e.Before), rawOrNull(e.After)}
}

func auditFilter(c echo.Context) (access.AuditFilter, error) {
	var f access.AuditFilter
	var err error
	if f.ActorID, err = server.QueryID(c, "actor_id", "member"); err != nil {
		return f, err
	}
	f.Action, f.TargetType, f.TargetID = c.QueryParam("action"), c.QueryParam("target_type"), c.QueryParam("target_id")
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := c.QueryParam(name); v != "" {
			if *dst, err = time.Parse(time.RFC3339, v); err != nil {
				return f, errs.Invalidf("query parameter %q must be an RFC 3339 time such as 2026-01-31T00:00:00Z", name)
			}
		}
	}
	if v := c.QueryParam("before_id"); v != "" {
		if f.BeforeID, err = strconv.ParseInt(v, 10, 64); err != nil || f.BeforeID < 1 {
			return f, errs.Invalidf("query parameter \"before_id\" must be a positive whole number")
		}
	}
	n, err := server.QueryInt(c, "limit", 100, 1, 1000)
	f.Limit = n
	return f, err
}

func (h *Handler) listAudit(c echo.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	es, err := h.svc.Audit(c.Request().Context(), server.Actor(c), f)
	if err != nil {
		return err
	}
	items := make([]auditJSON, len(es))
	for i, e := range es {
		items[i] = toAuditJSON(e)
	}
	body := map[string]any{"items": items}
	if len(es) == f.Limit {
		body["next_before_id"] = es[len(es)-1].ID
	}
	return c.JSON(http.StatusOK, body)
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
