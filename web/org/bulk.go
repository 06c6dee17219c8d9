package org

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"canopy/app/authz"
	appimport "canopy/app/importer"
	apporg "canopy/app/org"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/org"
	webimporter "canopy/web/importer"
	"canopy/web/server"
)

// Bulk actions on people: POST /api/v1/admin/orgs/{orgID}/people/bulk.

// bulkService is what the bulk routes need of the organisation service.
type bulkService interface {
	BulkPeople(ctx context.Context, a authz.Actor, req apporg.BulkRequest) (apporg.BulkResult, error)
}

// registerBulk adds the bulk routes; members.manage at the door, then each action checks what
// its single-person counterpart does.
func (h *Handler) registerBulk(r *server.Router) {
	const adm = "/admin/orgs/:orgID"
	r.Add(server.Needs(access.MembersManage), http.MethodPost, adm+"/people/bulk", h.bulkPeople)
}

// bulkFilterJSON is a people table filter, as GET .../people takes it in its query.
type bulkFilterJSON struct {
	DepartmentID *string `json:"department_id"`
	// Subtree, with a department, keeps its sub-departments' members too; true when absent.
	Subtree   *bool   `json:"subtree"`
	Role      *string `json:"role"`
	Status    *string `json:"status"`
	ManagerID *string `json:"manager_id"`
	Q         *string `json:"q"`
}

type bulkRequestJSON struct {
	Action       string          `json:"action"`
	UserIDs      []string        `json:"user_ids"`
	Filter       *bulkFilterJSON `json:"filter"`
	DepartmentID *string         `json:"department_id"`
	Role         *string         `json:"role"`
}

type bulkSkipJSON struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

type bulkResultJSON struct {
	Action  string         `json:"action"`
	Matched int            `json:"matched"`
	Changed int            `json:"changed"`
	Skipped []bulkSkipJSON `json:"skipped"`
}

func invalidField(field, msg string) error {
	return errs.E(errs.Invalid, "invalid_field", `"`+field+`" `+msg)
}

// bodyID reads an id of the body; a malformed one is a bad request naming the field.
func bodyID(s *string, field string) (uuid.UUID, error) {
	if s == nil {
		return uuid.Nil, nil
	}
	// The nil id would read as "no filter" and widen an action to everyone.
	id, err := uuid.Parse(*s)
	if err != nil || id == uuid.Nil {
		return uuid.Nil, invalidField(field, "must be an id")
	}
	return id, nil
}

func (f bulkFilterJSON) query() (apporg.PeopleQuery, error) {
	q := apporg.PeopleQuery{Subtree: true}
	var err error
	if q.Department, err = bodyID(f.DepartmentID, "filter.department_id"); err != nil {
		return q, err
	}
	if q.Manager, err = bodyID(f.ManagerID, "filter.manager_id"); err != nil {
		return q, err
	}
	if f.Subtree != nil {
		q.Subtree = *f.Subtree
	}
	if f.Role != nil && *f.Role != "" {
		if q.Role, err = org.ParseRole(*f.Role); err != nil {
			return q, err
		}
	}
	if f.Status != nil {
		switch *f.Status {
		case "":
		case string(org.MemberActive), string(org.MemberDeactivated):
			q.Status = org.MemberStatus(*f.Status)
		default:
			return q, invalidField("filter.status", `must be "active" or "deactivated"`)
		}
	}
	if f.Q != nil {
		q.Text = strings.TrimSpace(*f.Q)
		if len(q.Text) > 200 {
			return q, invalidField("filter.q", "must be at most 200 characters")
		}
	}
	return q, nil
}

func (r bulkRequestJSON) request() (apporg.BulkRequest, error) {
	out := apporg.BulkRequest{Action: apporg.BulkAction(r.Action)}
	switch out.Action {
	case apporg.BulkMove:
		if r.DepartmentID == nil || *r.DepartmentID == "" {
			return out, errs.E(errs.Invalid, "invalid_request", `"department_id" is needed to move people`)
		}
		var err error
		if out.Department, err = bodyID(r.DepartmentID, "department_id"); err != nil {
			return out, err
		}
	case apporg.BulkChangeRole:
		if r.Role == nil || (*r.Role != string(org.RoleAdmin) && *r.Role != string(org.RoleMember)) {
			return out, errs.E(errs.Invalid, "invalid_role", `"role" must be "admin" or "member"`)
		}
		out.Role = org.Role(*r.Role)
	case apporg.BulkDeactivate, apporg.BulkResendActivation:
	default:
		return out, errs.E(errs.Invalid, "invalid_action", `"action" must be "move_department", "change_role", "deactivate" or "resend_activation"`)
	}
	if (r.UserIDs == nil) == (r.Filter == nil) {
		return out, errs.E(errs.Invalid, "invalid_request", `give exactly one of "user_ids" and "filter"`)
	}
	if r.Filter != nil {
		q, err := r.Filter.query()
		out.Filter = &q
		return out, err
	}
	if len(r.UserIDs) == 0 {
		return out, invalidField("user_ids", "must name at least one person")
	}
	// More than MaxBulkIDs is the service's to refuse (Unprocessable selection_too_large).
	ids, err := userIDs(r.UserIDs)
	out.UserIDs = ids
	return out, err
}

// userIDs parses a body's user_ids.
func userIDs(in []string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, len(in))
	for i, s := range in {
		id, err := uuid.Parse(s)
		if err != nil {
			return nil, invalidField("user_ids["+strconv.Itoa(i)+"]", "must be a user id")
		}
		out[i] = id
	}
	return out, nil
}

func (h *Handler) bulkPeople(c echo.Context) error {
	var body bulkRequestJSON
	if err := server.BindJSON(c, &body); err != nil {
		return err
	}
	req, err := body.request()
	if err != nil {
		return err
	}
	res, err := h.svc.BulkPeople(c.Request().Context(), server.Actor(c), req)
	if err != nil {
		return err
	}
	out := bulkResultJSON{Action: string(res.Action), Matched: res.Matched, Changed: res.Changed, Skipped: make([]bulkSkipJSON, len(res.Skipped))}
	for i, s := range res.Skipped {
		out.Skipped[i] = bulkSkipJSON{s.UserID.String(), s.Name, s.Reason}
	}
	return c.JSON(http.StatusOK, out)
}

// The people export: GET /api/v1/admin/orgs/{orgID}/people/export (everyone, or the people
// table's filter in the query) and POST (the ids chosen in it).

// PeopleExporter exports people (app/importer's PeopleExport).
type PeopleExporter interface {
	Export(ctx context.Context, a authz.Actor, format string, ids []uuid.UUID, filter *apporg.PeopleQuery) (appimport.Download, error)
}

// PeopleExports serves the people export.
type PeopleExports struct{ x PeopleExporter }

// NewPeopleExports returns the people export's handlers.
func NewPeopleExports(x PeopleExporter) *PeopleExports { return &PeopleExports{x} }

// Register adds the people export's routes.
func (h *PeopleExports) Register(r *server.Router) {
	const adm = "/admin/orgs/:orgID"
	r.Add(server.Needs(access.MembersManage), http.MethodGet, adm+"/people/export", h.exportPeople)
	r.Add(server.Needs(access.MembersManage), http.MethodPost, adm+"/people/export", h.exportSelection)
}

// exportFilters are the query parameters of GET .../people that narrow an export.
var exportFilters = []string{"department_id", "role", "status", "manager_id", "q"}

func (h *PeopleExports) exportPeople(c echo.Context) error {
	var filter *apporg.PeopleQuery
	for _, name := range exportFilters {
		if c.QueryParam(name) != "" {
			q, err := peopleQuery(c)
			if err != nil {
				return err
			}
			filter = &q
			break
		}
	}
	d, err := h.x.Export(c.Request().Context(), server.Actor(c), c.QueryParam("format"), nil, filter)
	if err != nil {
		return err
	}
	return webimporter.Send(c, d)
}

type exportRequestJSON struct {
	Format  string   `json:"format"`
	UserIDs []string `json:"user_ids"`
}

func (h *PeopleExports) exportSelection(c echo.Context) error {
	var body exportRequestJSON
	if err := server.BindJSON(c, &body); err != nil {
		return err
	}
	if body.Format != "csv" && body.Format != "xlsx" {
		return invalidField("format", `must be "xlsx" or "csv"`)
	}
	if len(body.UserIDs) == 0 {
		return invalidField("user_ids", "must name at least one person")
	}
	ids, err := userIDs(body.UserIDs)
	if err != nil {
		return err
	}
	d, err := h.x.Export(c.Request().Context(), server.Actor(c), body.Format, ids, nil)
	if err != nil {
		return err
	}
	return webimporter.Send(c, d)
}
