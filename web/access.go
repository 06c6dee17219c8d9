package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	appaccess "canopy/app/access"
	"canopy/domain/access"
	"canopy/domain/errs"
)

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

func (s *Server) listRoles(c echo.Context) error {
	rs, err := s.access.Roles(ctxOf(c), actor(c))
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

type roleRequest struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Permissions []string `json:"permissions"`
}

func (s *Server) createRole(c echo.Context) error {
	var req roleRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	r, err := s.access.CreateRole(ctxOf(c), actor(c), access.RoleInput(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toRoleJSON(r))
}

func (s *Server) updateRole(c echo.Context) error {
	id, err := pathID(c, "roleID", "role")
	if err != nil {
		return err
	}
	var req roleRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	r, err := s.access.UpdateRole(ctxOf(c), actor(c), id, access.RoleInput(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toRoleJSON(r))
}

func (s *Server) deleteRole(c echo.Context) error {
	id, err := pathID(c, "roleID", "role")
	if err != nil {
		return err
	}
	return noContent(c, s.access.DeleteRole(ctxOf(c), actor(c), id))
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

func (s *Server) listAssignments(c echo.Context) error {
	user, err := optionalID(c, "user_id", "member")
	if err != nil {
		return err
	}
	dept, err := optionalID(c, "department_id", "department")
	if err != nil {
		return err
	}
	as, err := s.access.Assignments(ctxOf(c), actor(c), user, dept)
	if err != nil {
		return err
	}
	items := make([]assignmentOut, len(as))
	for i, a := range as {
		items[i] = toAssignmentOut(a)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s *Server) createAssignment(c echo.Context) error {
	var req struct {
		UserID       string  `json:"user_id"`
		RoleID       string  `json:"role_id"`
		DepartmentID *string `json:"department_id"`
	}
	if err := bindJSON(c, &req); err != nil {
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
	dept, err := parseOptionalID(req.DepartmentID, "department")
	if err != nil {
		return err
	}
	a, err := s.access.Assign(ctxOf(c), actor(c), appaccess.AssignInput{UserID: user, RoleID: role, DepartmentID: dept})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toAssignmentOut(a))
}

func (s *Server) deleteAssignment(c echo.Context) error {
	id, err := pathID(c, "assignmentID", "assignment")
	if err != nil {
		return err
	}
	return noContent(c, s.access.Unassign(ctxOf(c), actor(c), id))
}

func (s *Server) setMemberRole(c echo.Context) error {
	id, err := pathID(c, "userID", "member")
	if err != nil {
		return err
	}
	var req struct {
		Role string `json:"role"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	m, err := s.orgs.ChangeRole(ctxOf(c), actor(c), id, req.Role)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAdminUserJSON(m))
}

func (s *Server) transferOwnership(c echo.Context) error {
	var req struct {
		UserID string `json:"user_id"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	to, err := uuid.Parse(req.UserID)
	if err != nil {
		return errs.NotFoundf("member")
	}
	return noContent(c, s.orgs.TransferOwnership(ctxOf(c), actor(c), to))
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
	if f.ActorID, err = optionalID(c, "actor_id", "member"); err != nil {
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
	n, err := queryInt(c, "limit", 100, 1, 1000)
	f.Limit = n
	return f, err
}

func (s *Server) listAudit(c echo.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	es, err := s.access.Audit(ctxOf(c), actor(c), f)
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

// exportAudit streams the filtered log as CSV or JSON, a thousand entries per database page.
func (s *Server) exportAudit(c echo.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	format := c.QueryParam("format")
	if format != "csv" && format != "json" {
		return errs.Invalidf("query parameter \"format\" must be \"csv\" or \"json\"")
	}
	f.Limit = 1000
	first, err := s.access.Audit(ctxOf(c), actor(c), f)
	if err != nil {
		return err
	}
	w := c.Response()
	name := "audit-" + time.Now().UTC().Format("20060102-150405") + "." + format
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if format == "csv" {
		w.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	} else {
		w.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	}
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	if format == "csv" {
		_ = cw.Write([]string{"id", "at", "actor_id", "actor_name", "token_id", "ip", "action", "target_type", "target_id", "before", "after"})
	} else {
		_, _ = w.Write([]byte("["))
	}
	page, n := first, 0
	for len(page) > 0 {
		for _, e := range page {
			j := toAuditJSON(e)
			if format == "csv" {
				_ = cw.Write([]string{strconv.FormatInt(j.ID, 10), j.At.Format(time.RFC3339Nano), deref(j.ActorID), j.ActorName, deref(j.TokenID), j.IP,
					j.Action, j.TargetType, j.TargetID, string(j.Before), string(j.After)})
				continue
			}
			b, _ := json.Marshal(j)
			if n > 0 {
				_, _ = w.Write([]byte(","))
			}
			_, _ = w.Write(b)
			n++
		}
		if len(page) < f.Limit {
			break
		}
		f.BeforeID = page[len(page)-1].ID
		if page, err = s.access.Audit(ctxOf(c), actor(c), f); err != nil {
			loggerFrom(c).Error("audit export stopped", "error", err.Error())
			break
		}
	}
	if format == "csv" {
		cw.Flush()
	} else {
		_, _ = w.Write([]byte("]"))
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
