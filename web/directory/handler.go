// Package directory is the HTTP face of the organisation's directory: departments, groups,
// people and search for every member, and the admin API that manages departments, groups and
// their memberships.
package directory

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"canopy/app/authz"
	appdir "canopy/app/directory"
	"canopy/domain/access"
	"canopy/domain/directory"
	"canopy/domain/errs"
	"canopy/web/server"
)

// Service is what the handlers need of the directory use cases. They return NotFound for what
// the actor cannot see, Forbidden, Invalid and Conflict as each use case says.
type Service interface {
	Department(ctx context.Context, a authz.Actor, id uuid.UUID) (appdir.DepartmentView, error)
	Children(ctx context.Context, a authz.Actor, parentID uuid.UUID) ([]appdir.Node, error)
	DepartmentMembers(ctx context.Context, a authz.Actor, q appdir.MemberQuery) ([]appdir.Person, int, error)
	CreateDepartment(ctx context.Context, a authz.Actor, in appdir.CreateDepartmentInput) (appdir.DepartmentView, error)
	UpdateDepartment(ctx context.Context, a authz.Actor, id uuid.UUID, c appdir.DepartmentChange) (appdir.DepartmentView, error)
	DeleteDepartment(ctx context.Context, a authz.Actor, id uuid.UUID, o appdir.DeleteOptions) error
	AddToDepartment(ctx context.Context, a authz.Actor, departmentID, userID uuid.UUID, leader bool) error
	RemoveFromDepartment(ctx context.Context, a authz.Actor, departmentID, userID uuid.UUID) error
	SetAssignments(ctx context.Context, a authz.Actor, userID uuid.UUID, as []directory.Assignment) error

	Person(ctx context.Context, a authz.Actor, userID uuid.UUID) (appdir.PersonCard, error)
	Search(ctx context.Context, a authz.Actor, query string, limit int) (appdir.SearchResult, error)

	Groups(ctx context.Context, a authz.Actor, f directory.GroupFilter) ([]*directory.Group, int, error)
	Group(ctx context.Context, a authz.Actor, id uuid.UUID) (*directory.Group, error)
	CreateGroup(ctx context.Context, a authz.Actor, in directory.GroupInput) (*directory.Group, error)
	PatchGroup(ctx context.Context, a authz.Actor, id uuid.UUID, p directory.GroupPatch) (*directory.Group, error)
	DeleteGroup(ctx context.Context, a authz.Actor, id uuid.UUID) error
	GroupMembers(ctx context.Context, a authz.Actor, groupID uuid.UUID, limit, offset int) ([]appdir.GroupMember, int, error)
	AddGroupMember(ctx context.Context, a authz.Actor, groupID, userID uuid.UUID, role directory.GroupRole) error
	RemoveGroupMember(ctx context.Context, a authz.Actor, groupID, userID uuid.UUID) error
	AddGroupMembers(ctx context.Context, a authz.Actor, groupID uuid.UUID, sel appdir.BulkSelection) (appdir.BulkResult, error)
}

// Handler serves the directory routes.
type Handler struct{ svc Service }

// New returns the directory handlers.
func New(svc Service) *Handler { return &Handler{svc: svc} }

// Register adds the directory routes.
func (h *Handler) Register(r *server.Router) {
	// The directory, for every member.
	r.Add(server.Needs(access.DirectoryRead), http.MethodGet, "/orgs/:orgID/departments", h.listDepartments)
	r.Add(server.Needs(access.DirectoryRead), http.MethodGet, "/orgs/:orgID/departments/:departmentID", h.getDepartment)
	r.Add(server.Needs(access.DirectoryRead), http.MethodGet, "/orgs/:orgID/departments/:departmentID/members", h.listDepartmentMembers)
	r.Add(server.Needs(access.OrgRead), http.MethodGet, "/orgs/:orgID/groups", h.listGroups)
	r.Add(server.Needs(access.OrgRead), http.MethodGet, "/orgs/:orgID/groups/:groupID", h.getGroup)
	r.Add(server.Needs(access.OrgRead), http.MethodGet, "/orgs/:orgID/groups/:groupID/members", h.listGroupMembers)
	r.Add(server.Needs(access.OrgRead), http.MethodGet, "/orgs/:orgID/people/:userID", h.getPerson)
	r.Add(server.Needs(access.DirectoryRead), http.MethodGet, "/orgs/:orgID/search", h.search)

	// The admin API: departments, groups and their memberships. The service checks that the
	// caller may manage them (owners and admins; group owners for their groups).
	adm := "/admin/orgs/:orgID"
	r.Add(server.Needs(access.DirectoryManage), http.MethodPut, adm+"/users/:userID/departments", h.putUserDepartments)
	r.Add(server.Needs(access.DirectoryManage), http.MethodPost, adm+"/departments", h.createDepartment)
	r.Add(server.Needs(access.DirectoryManage), http.MethodPatch, adm+"/departments/:departmentID", h.updateDepartment)
	r.Add(server.Needs(access.DirectoryManage), http.MethodDelete, adm+"/departments/:departmentID", h.deleteDepartment)
	r.Add(server.Needs(access.DirectoryManage), http.MethodPut, adm+"/departments/:departmentID/members/:userID", h.putDepartmentMember)
	r.Add(server.Needs(access.DirectoryManage), http.MethodDelete, adm+"/departments/:departmentID/members/:userID", h.deleteDepartmentMember)
	r.Add(server.Needs(access.GroupsManage), http.MethodPost, adm+"/groups", h.createGroup)
	// Group owners manage their own groups: these routes need only org.read to reach the
	// service, which allows groups.manage over the group's department or the group's owners.
	r.Add(server.Needs(access.OrgRead), http.MethodPatch, adm+"/groups/:groupID", h.updateGroup)
	r.Add(server.Needs(access.OrgRead), http.MethodDelete, adm+"/groups/:groupID", h.deleteGroup)
	r.Add(server.Needs(access.OrgRead), http.MethodPost, adm+"/groups/:groupID/members/bulk", h.bulkAddGroupMembers)
	r.Add(server.Needs(access.OrgRead), http.MethodPut, adm+"/groups/:groupID/members/:userID", h.putGroupMember)
	r.Add(server.Needs(access.OrgRead), http.MethodDelete, adm+"/groups/:groupID/members/:userID", h.deleteGroupMember)
}

type departmentJSON struct {
	ID          string  `json:"id"`
	ParentID    *string `json:"parent_id"`
	Name        string  `json:"name"`
	Depth       int     `json:"depth"`
	SortOrder   int     `json:"sort_order"`
	ExternalID  *string `json:"external_id"`
	MemberCount *int    `json:"member_count,omitempty"`
	ChildCount  *int    `json:"child_count,omitempty"`
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toDepartmentJSON(d *directory.Department) departmentJSON {
	out := departmentJSON{ID: d.ID().String(), Name: d.Name(), Depth: d.Depth(), SortOrder: d.SortOrder(), ExternalID: optString(d.ExternalID())}
	if !d.IsRoot() {
		p := d.ParentID().String()
		out.ParentID = &p
	}
	return out
}

func toNodeJSON(n appdir.Node) departmentJSON {
	out := toDepartmentJSON(n.Department)
	mc, cc := n.MemberCount, n.ChildCount
	out.MemberCount, out.ChildCount = &mc, &cc
	return out
}

type personJSON struct {
	UserID      string  `json:"user_id"`
	DisplayName string  `json:"display_name"`
	Email       string  `json:"email"`
	Status      string  `json:"status"`
	ExternalID  *string `json:"external_id"`
}

func toPersonJSON(p appdir.Person) personJSON {
	return personJSON{p.UserID.String(), p.DisplayName, p.Email, p.Status, optString(p.ExternalID)}
}

func toPeopleJSON(ps []appdir.Person) []personJSON {
	out := make([]personJSON, len(ps))
	for i, p := range ps {
		out[i] = toPersonJSON(p)
	}
	return out
}

type departmentViewJSON struct {
	departmentJSON
	Ancestors []departmentJSON `json:"ancestors"`
	Leaders   []personJSON     `json:"leaders"`
}

func toDepartmentViewJSON(v appdir.DepartmentView) departmentViewJSON {
	anc := make([]departmentJSON, len(v.Ancestors))
	for i, a := range v.Ancestors {
		anc[i] = toDepartmentJSON(a)
	}
	return departmentViewJSON{departmentJSON: toNodeJSON(v.Node), Ancestors: anc, Leaders: toPeopleJSON(v.Leaders)}
}

func (h *Handler) listDepartments(c echo.Context) error {
	parent, err := server.QueryID(c, "parent_id", "department")
	if err != nil {
		return err
	}
	a := server.Actor(c)
	view, err := h.svc.Department(c.Request().Context(), a, parent)
	if err != nil {
		return err
	}
	nodes, err := h.svc.Children(c.Request().Context(), a, parent)
	if err != nil {
		return err
	}
	items := make([]departmentJSON, len(nodes))
	for i, n := range nodes {
		items[i] = toNodeJSON(n)
	}
	return c.JSON(http.StatusOK, map[string]any{"parent": toDepartmentViewJSON(view), "items": items})
}

func (h *Handler) getDepartment(c echo.Context) error {
	id, err := server.PathID(c, "departmentID", "department")
	if err != nil {
		return err
	}
	v, err := h.svc.Department(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toDepartmentViewJSON(v))
}

func (h *Handler) listDepartmentMembers(c echo.Context) error {
	id, err := server.PathID(c, "departmentID", "department")
	if err != nil {
		return err
	}
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	subtree := c.QueryParam("subtree") == "true"
	ps, total, err := h.svc.DepartmentMembers(c.Request().Context(), server.Actor(c), appdir.MemberQuery{
		DepartmentID: id, Subtree: subtree, Query: strings.TrimSpace(c.QueryParam("q")), Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": toPeopleJSON(ps), "total": total})
}

type createDepartmentRequest struct {
	ParentID   *string `json:"parent_id"`
	Name       string  `json:"name"`
	ExternalID string  `json:"external_id"`
}

func (h *Handler) createDepartment(c echo.Context) error {
	var req createDepartmentRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	parent, err := server.OptionalID(req.ParentID, "department")
	if err != nil {
		return err
	}
	v, err := h.svc.CreateDepartment(c.Request().Context(), server.Actor(c), appdir.CreateDepartmentInput{ParentID: parent, Name: req.Name, ExternalID: req.ExternalID})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toDepartmentViewJSON(v))
}

type updateDepartmentRequest struct {
	Name       *string `json:"name"`
	ExternalID *string `json:"external_id"`
	ParentID   *string `json:"parent_id"`
	Position   *int    `json:"position"`
}

func (h *Handler) updateDepartment(c echo.Context) error {
	id, err := server.PathID(c, "departmentID", "department")
	if err != nil {
		return err
	}
	var req updateDepartmentRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	ch := appdir.DepartmentChange{Name: req.Name, ExternalID: req.ExternalID, Position: req.Position}
	if req.ParentID != nil {
		p, err := uuid.Parse(*req.ParentID)
		if err != nil {
			return errs.NotFoundf("department")
		}
		ch.ParentID = &p
	}
	if req.Position != nil && *req.Position < 0 {
		return errs.Invalidf("position must be 0 or more")
	}
	v, err := h.svc.UpdateDepartment(c.Request().Context(), server.Actor(c), id, ch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toDepartmentViewJSON(v))
}

func (h *Handler) deleteDepartment(c echo.Context) error {
	id, err := server.PathID(c, "departmentID", "department")
	if err != nil {
		return err
	}
	children, err := server.QueryID(c, "move_children_to", "department")
	if err != nil {
		return err
	}
	members, err := server.QueryID(c, "move_members_to", "department")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.DeleteDepartment(c.Request().Context(), server.Actor(c), id, appdir.DeleteOptions{MoveChildrenTo: children, MoveMembersTo: members}))
}

type departmentMemberRequest struct {
	Leader bool `json:"leader"`
}

func (h *Handler) putDepartmentMember(c echo.Context) error {
	ids, err := server.PathIDs(c, "departmentID", "userID")
	if err != nil {
		return err
	}
	var req departmentMemberRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	return server.NoContent(c, h.svc.AddToDepartment(c.Request().Context(), server.Actor(c), ids[0], ids[1], req.Leader))
}

func (h *Handler) deleteDepartmentMember(c echo.Context) error {
	ids, err := server.PathIDs(c, "departmentID", "userID")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.RemoveFromDepartment(c.Request().Context(), server.Actor(c), ids[0], ids[1]))
}

type assignmentJSON struct {
	DepartmentID string `json:"department_id"`
	Primary      bool   `json:"primary"`
	Leader       bool   `json:"leader"`
}

func (h *Handler) putUserDepartments(c echo.Context) error {
	user, err := server.PathID(c, "userID", "member")
	if err != nil {
		return err
	}
	var req struct {
		Departments []assignmentJSON `json:"departments"`
	}
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	as := make([]directory.Assignment, len(req.Departments))
	for i, d := range req.Departments {
		id, err := uuid.Parse(d.DepartmentID)
		if err != nil {
			return errs.NotFoundf("department")
		}
		as[i] = directory.Assignment{DepartmentID: id, Primary: d.Primary, Leader: d.Leader}
	}
	if err := h.svc.SetAssignments(c.Request().Context(), server.Actor(c), user, as); err != nil {
		return err
	}
	return h.getPersonByID(c, user)
}

type personCardJSON struct {
	personJSON
	Role        string                 `json:"role"`
	Departments []personDepartmentJSON `json:"departments"`
	Groups      []personGroupJSON      `json:"groups"`
	Leaders     []personJSON           `json:"leaders"`
}

type personDepartmentJSON struct {
	departmentJSON
	PathNames []string `json:"path_names"`
	Primary   bool     `json:"primary"`
	Leader    bool     `json:"leader"`
}

type personGroupJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

func (h *Handler) getPerson(c echo.Context) error {
	user, err := server.PathID(c, "userID", "person")
	if err != nil {
		return err
	}
	return h.getPersonByID(c, user)
}

func (h *Handler) getPersonByID(c echo.Context, user uuid.UUID) error {
	card, err := h.svc.Person(c.Request().Context(), server.Actor(c), user)
	if err != nil {
		return err
	}
	out := personCardJSON{personJSON: toPersonJSON(card.Person), Role: card.Role, Leaders: toPeopleJSON(card.Leaders),
		Departments: []personDepartmentJSON{}, Groups: []personGroupJSON{}}
	for _, d := range card.Departments {
		out.Departments = append(out.Departments, personDepartmentJSON{toDepartmentJSON(d.Department), d.PathNames, d.Primary, d.Leader})
	}
	for _, g := range card.Groups {
		out.Groups = append(out.Groups, personGroupJSON{g.GroupID.String(), g.Name, string(g.Role)})
	}
	return c.JSON(http.StatusOK, out)
}

func (h *Handler) search(c echo.Context) error {
	limit, err := server.QueryInt(c, "limit", 20, 1, 50)
	if err != nil {
		return err
	}
	res, err := h.svc.Search(c.Request().Context(), server.Actor(c), c.QueryParam("q"), limit)
	if err != nil {
		return err
	}
	depts := make([]departmentJSON, len(res.Departments))
	for i, d := range res.Departments {
		depts[i] = toDepartmentJSON(d)
	}
	groups := make([]groupJSON, len(res.Groups))
	for i, g := range res.Groups {
		groups[i] = toGroupJSON(g)
	}
	return c.JSON(http.StatusOK, map[string]any{"people": toPeopleJSON(res.People), "departments": depts, "groups": groups})
}

type groupJSON struct {
	ID           string    `json:"id"`
	DepartmentID *string   `json:"department_id"`
	Name         string    `json:"name"`
	Description  string    `json:"description"`
	ExternalID   *string   `json:"external_id"`
	MemberCap    int       `json:"member_cap"`
	MemberCount  int       `json:"member_count"`
	CreatedAt    time.Time `json:"created_at"`
}

func toGroupJSON(g *directory.Group) groupJSON {
	out := groupJSON{ID: g.ID().String(), Name: g.Name(), Description: g.Description(), ExternalID: optString(g.ExternalID()),
		MemberCap: g.MemberCap(), MemberCount: g.MemberCount(), CreatedAt: g.CreatedAt()}
	if g.DepartmentID() != uuid.Nil {
		d := g.DepartmentID().String()
		out.DepartmentID = &d
	}
	return out
}

func (h *Handler) listGroups(c echo.Context) error {
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	dept, err := server.QueryID(c, "department_id", "department")
	if err != nil {
		return err
	}
	gs, total, err := h.svc.Groups(c.Request().Context(), server.Actor(c), directory.GroupFilter{Query: strings.TrimSpace(c.QueryParam("q")), DepartmentID: dept, Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	items := make([]groupJSON, len(gs))
	for i, g := range gs {
		items[i] = toGroupJSON(g)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": total})
}

func (h *Handler) getGroup(c echo.Context) error {
	id, err := server.PathID(c, "groupID", "group")
	if err != nil {
		return err
	}
	g, err := h.svc.Group(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toGroupJSON(g))
}

type groupRequest struct {
	DepartmentID *string `json:"department_id"`
	Name         string  `json:"name"`
	Description  string  `json:"description"`
	ExternalID   string  `json:"external_id"`
	MemberCap    int     `json:"member_cap"`
}

func (r groupRequest) input() (directory.GroupInput, error) {
	dept, err := server.OptionalID(r.DepartmentID, "department")
	if err != nil {
		return directory.GroupInput{}, err
	}
	if r.MemberCap < 0 {
		return directory.GroupInput{}, errs.E(errs.Invalid, "invalid_member_cap", "member_cap must be between 1 and "+strconv.Itoa(directory.MaxGroupMembers))
	}
	return directory.GroupInput{DepartmentID: dept, Name: r.Name, Description: r.Description, ExternalID: r.ExternalID, MemberCap: r.MemberCap}, nil
}

func (h *Handler) createGroup(c echo.Context) error {
	var req groupRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	g, err := h.svc.CreateGroup(c.Request().Context(), server.Actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toGroupJSON(g))
}

// groupPatch is a PATCH of a group: absent fields keep their value; "department_id": null moves
// the group to the whole organisation.
type groupPatch struct {
	DepartmentID json.RawMessage `json:"department_id"` // absent: keep; null: none
	Name         *string         `json:"name"`
	Description  *string         `json:"description"`
	ExternalID   *string         `json:"external_id"`
	MemberCap    *int            `json:"member_cap"`
}

func (h *Handler) updateGroup(c echo.Context) error {
	id, err := server.PathID(c, "groupID", "group")
	if err != nil {
		return err
	}
	var req groupPatch
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	p := directory.GroupPatch{Name: req.Name, Description: req.Description, ExternalID: req.ExternalID, MemberCap: req.MemberCap}
	if len(req.DepartmentID) > 0 {
		var dept *string
		if err := json.Unmarshal(req.DepartmentID, &dept); err != nil {
			return errs.E(errs.Invalid, "invalid_field", `field "department_id" must be a string or null`)
		}
		id, err := server.OptionalID(dept, "department")
		if err != nil {
			return err
		}
		p.DepartmentID = &id
	}
	if req.MemberCap != nil && *req.MemberCap < 1 {
		return errs.E(errs.Invalid, "invalid_member_cap", "member_cap must be between 1 and "+strconv.Itoa(directory.MaxGroupMembers))
	}
	g, err := h.svc.PatchGroup(c.Request().Context(), server.Actor(c), id, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toGroupJSON(g))
}

func (h *Handler) deleteGroup(c echo.Context) error {
	id, err := server.PathID(c, "groupID", "group")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.DeleteGroup(c.Request().Context(), server.Actor(c), id))
}

func (h *Handler) listGroupMembers(c echo.Context) error {
	id, err := server.PathID(c, "groupID", "group")
	if err != nil {
		return err
	}
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	ms, total, err := h.svc.GroupMembers(c.Request().Context(), server.Actor(c), id, limit, offset)
	if err != nil {
		return err
	}
	type item struct {
		personJSON
		Role    string    `json:"role"`
		AddedAt time.Time `json:"added_at"`
	}
	items := make([]item, len(ms))
	for i, m := range ms {
		items[i] = item{toPersonJSON(m.Person), string(m.Role), m.AddedAt}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": total})
}

func (h *Handler) putGroupMember(c echo.Context) error {
	ids, err := server.PathIDs(c, "groupID", "userID")
	if err != nil {
		return err
	}
	var req struct {
		Role string `json:"role"`
	}
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	role, err := directory.ParseGroupRole(req.Role)
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.AddGroupMember(c.Request().Context(), server.Actor(c), ids[0], ids[1], role))
}

func (h *Handler) deleteGroupMember(c echo.Context) error {
	ids, err := server.PathIDs(c, "groupID", "userID")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.RemoveGroupMember(c.Request().Context(), server.Actor(c), ids[0], ids[1]))
}

// bulkAddRequest names the members to add: a department, emails or user ids, exactly one.
type bulkAddRequest struct {
	DepartmentID   *string  `json:"department_id"`
	IncludeSubtree bool     `json:"include_subtree"`
	Emails         []string `json:"emails"`
	UserIDs        []string `json:"user_ids"`
}

func (r bulkAddRequest) selection() (appdir.BulkSelection, error) {
	given := 0
	for _, set := range []bool{r.DepartmentID != nil, r.Emails != nil, r.UserIDs != nil} {
		if set {
			given++
		}
	}
	if given != 1 {
		return appdir.BulkSelection{}, errs.E(errs.Invalid, "invalid_request", `give exactly one of "department_id", "emails" and "user_ids"`)
	}
	if r.IncludeSubtree && r.DepartmentID == nil {
		return appdir.BulkSelection{}, errs.E(errs.Invalid, "invalid_request", `"include_subtree" goes with "department_id"`)
	}
	tooMany := errs.E(errs.Invalid, "too_many", "at most "+strconv.Itoa(directory.MaxBulkAdd)+" emails or user ids at once")
	switch {
	case r.DepartmentID != nil:
		if *r.DepartmentID == "" {
			return appdir.BulkSelection{}, errs.E(errs.Invalid, "invalid_field", `"department_id" must be a department's id`)
		}
		id, err := server.OptionalID(r.DepartmentID, "department")
		return appdir.BulkSelection{DepartmentID: id, Subtree: r.IncludeSubtree}, err
	case r.Emails != nil:
		if len(r.Emails) > directory.MaxBulkAdd {
			return appdir.BulkSelection{}, tooMany
		}
		var emails []string
		for i, e := range r.Emails {
			e = strings.TrimSpace(e)
			if e == "" {
				continue
			}
			if len(e) > 320 || strings.ContainsAny(e, " \t\r\n") {
				return appdir.BulkSelection{}, errs.E(errs.Invalid, "invalid_field", "emails["+strconv.Itoa(i)+"] is not an email address")
			}
			emails = append(emails, e)
		}
		if len(emails) == 0 {
			return appdir.BulkSelection{}, errs.E(errs.Invalid, "invalid_field", `"emails" must name at least one email address`)
		}
		return appdir.BulkSelection{Emails: emails}, nil
	default:
		if len(r.UserIDs) > directory.MaxBulkAdd {
			return appdir.BulkSelection{}, tooMany
		}
		if len(r.UserIDs) == 0 {
			return appdir.BulkSelection{}, errs.E(errs.Invalid, "invalid_field", `"user_ids" must name at least one user`)
		}
		ids := make([]uuid.UUID, len(r.UserIDs))
		for i, s := range r.UserIDs {
			id, err := uuid.Parse(s)
			if err != nil {
				return appdir.BulkSelection{}, errs.E(errs.Invalid, "invalid_field", "user_ids["+strconv.Itoa(i)+"] is not a user id")
			}
			ids[i] = id
		}
		return appdir.BulkSelection{UserIDs: ids}, nil
	}
}

func (h *Handler) bulkAddGroupMembers(c echo.Context) error {
	id, err := server.PathID(c, "groupID", "group")
	if err != nil {
		return err
	}
	var req bulkAddRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	sel, err := req.selection()
	if err != nil {
		return err
	}
	res, err := h.svc.AddGroupMembers(c.Request().Context(), server.Actor(c), id, sel)
	if err != nil {
		return err
	}
	added := make([]string, len(res.Added))
	for i, u := range res.Added {
		added[i] = u.String()
	}
	return c.JSON(http.StatusOK, map[string]any{"added": len(res.Added), "added_user_ids": added, "already_in_group": res.AlreadyIn,
		"skipped_deactivated": res.SkippedDeactivated, "skipped_guests": res.SkippedGuests, "member_count": res.MemberCount})
}
