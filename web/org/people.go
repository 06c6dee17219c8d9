package org

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	apporg "canopy/app/org"
	"canopy/domain/errs"
	"canopy/domain/org"
	"canopy/web/server"
)

// The console's people table: GET /api/v1/admin/orgs/{orgID}/people.

// peopleCursor is what the opaque cursor holds: the sort it belongs to and the key of the last
// row given.
type peopleCursor struct {
	Sort string   `json:"s"`
	Desc bool     `json:"d"`
	Key  []string `json:"k"`
}

func badCursor() error {
	return errs.E(errs.Invalid, "invalid_cursor", "cursor is not one this listing gave, with the same sort and order")
}

// queryUUID reads an optional id filter; a malformed one is a bad request.
func queryUUID(c echo.Context, name string) (uuid.UUID, error) {
	v := c.QueryParam(name)
	if v == "" {
		return uuid.Nil, nil
	}
	// The nil id would read as "no filter": an export of everyone instead of one department.
	id, err := uuid.Parse(v)
	if err != nil || id == uuid.Nil {
		return uuid.Nil, errs.E(errs.Invalid, "invalid_parameter", "query parameter \""+name+"\" must be an id")
	}
	return id, nil
}

func peopleQuery(c echo.Context) (apporg.PeopleQuery, error) {
	var q apporg.PeopleQuery
	var err error
	if q.Limit, err = server.QueryInt(c, "limit", 50, 1, apporg.MaxPeoplePage); err != nil {
		return q, err
	}
	if q.Department, err = queryUUID(c, "department_id"); err != nil {
		return q, err
	}
	if q.Manager, err = queryUUID(c, "manager_id"); err != nil {
		return q, err
	}
	switch c.QueryParam("subtree") {
	case "", "true":
		q.Subtree = true
	case "false":
	default:
		return q, errs.E(errs.Invalid, "invalid_parameter", `query parameter "subtree" must be "true" or "false"`)
	}
	if r := c.QueryParam("role"); r != "" {
		if q.Role, err = org.ParseRole(r); err != nil {
			return q, err
		}
	}
	switch st := c.QueryParam("status"); st {
	case "":
	case string(org.MemberActive), string(org.MemberDeactivated):
		q.Status = org.MemberStatus(st)
	default:
		return q, errs.E(errs.Invalid, "invalid_parameter", `query parameter "status" must be "active" or "deactivated"`)
	}
	q.Text = strings.TrimSpace(c.QueryParam("q"))
	if len(q.Text) > 200 {
		return q, errs.E(errs.Invalid, "invalid_parameter", `query parameter "q" must be at most 200 characters`)
	}
	switch s := apporg.PeopleSort(c.QueryParam("sort")); s {
	case "":
		q.Sort = apporg.SortName
	case apporg.SortName, apporg.SortEmployeeNumber, apporg.SortHireDate, apporg.SortJoinedAt:
		q.Sort = s
	default:
		return q, errs.E(errs.Invalid, "invalid_sort", `query parameter "sort" must be "name", "employee_number", "hire_date" or "joined_at"`)
	}
	switch c.QueryParam("order") {
	case "", "asc":
	case "desc":
		q.Desc = true
	default:
		return q, errs.E(errs.Invalid, "invalid_parameter", `query parameter "order" must be "asc" or "desc"`)
	}
	if v := c.QueryParam("cursor"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(raw) > 4096 {
			return q, badCursor()
		}
		var cur peopleCursor
		if err := json.Unmarshal(raw, &cur); err != nil || cur.Sort != string(q.Sort) || cur.Desc != q.Desc || len(cur.Key) != 3 {
			return q, badCursor()
		}
		q.After = cur.Key
	}
	return q, nil
}

type personDepartmentJSON struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Path    string `json:"path"`
	Primary bool   `json:"primary"`
}

type personJSON struct {
	UserID      string `json:"user_id"`
	DisplayName string `json:"display_name"`
	Email       string `json:"email"`
	Status      string `json:"status"`
	Role        string `json:"role"`
	JoinedAt    string `json:"joined_at"`
	// ActivationPending: the account has no password yet and is not disabled (an activation
	// link is what its person waits for).
	ActivationPending bool `json:"activation_pending"`
	profileJSON
	Departments []personDepartmentJSON `json:"departments"`
}

func (h *Handler) listPeople(c echo.Context) error {
	q, err := peopleQuery(c)
	if err != nil {
		return err
	}
	page, err := h.svc.ListPeople(c.Request().Context(), server.Actor(c), q)
	if err != nil {
		return err
	}
	items := make([]personJSON, len(page.Items))
	for i, p := range page.Items {
		ds := make([]personDepartmentJSON, len(p.Departments))
		for j, d := range p.Departments {
			ds[j] = personDepartmentJSON{d.ID.String(), d.Name, d.Path, d.Primary}
		}
		items[i] = personJSON{p.UserID.String(), p.DisplayName, p.Email, string(p.Status), string(p.Role),
			p.JoinedAt.UTC().Format("2006-01-02T15:04:05.999999Z07:00"), p.ActivationPending, toProfileJSON(p.Member), ds}
	}
	var next *string
	if page.Next != nil {
		raw, err := json.Marshal(peopleCursor{string(q.Sort), q.Desc, page.Next})
		if err != nil {
			return err
		}
		s := base64.RawURLEncoding.EncodeToString(raw)
		next = &s
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": page.Total, "next_cursor": next})
}
