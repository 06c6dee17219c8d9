package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	appdir "canopy/app/directory"
	"canopy/domain/directory"
	"canopy/domain/errs"
)

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

// optionalID parses an optional uuid query parameter; a malformed one names nothing the caller
// can see.
func optionalID(c echo.Context, name, what string) (uuid.UUID, error) {
	v := c.QueryParam(name)
	if v == "" {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		return uuid.Nil, errs.NotFoundf(what)
	}
	return id, nil
}

func page(c echo.Context) (limit, offset int, err error) {
	if limit, err = queryInt(c, "limit", 50, 1, 200); err != nil {
		return
	}
	offset, err = queryInt(c, "offset", 0, 0, 10_000_000)
	return
}

func (s *Server) listDepartments(c echo.Context) error {
	parent, err := optionalID(c, "parent_id", "department")
	if err != nil {
		return err
	}
	a := actor(c)
	view, err := s.dir.Department(ctxOf(c), a, parent)
	if err != nil {
		return err
	}
	nodes, err := s.dir.Children(ctxOf(c), a, parent)
	if err != nil {
		return err
	}
	items := make([]departmentJSON, len(nodes))
	for i, n := range nodes {
		items[i] = toNodeJSON(n)
	}
	return c.JSON(http.StatusOK, map[string]any{"parent": toDepartmentViewJSON(view), "items": items})
}

func (s *Server) getDepartment(c echo.Context) error {
	id, err := pathID(c, "departmentID", "department")
	if err != nil {
		return err
	}
	v, err := s.dir.Department(ctxOf(c), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toDepartmentViewJSON(v))
}

func (s *Server) listDepartmentMembers(c echo.Context) error {
	id, err := pathID(c, "departmentID", "department")
	if err != nil {
		return err
	}
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	subtree := c.QueryParam("subtree") == "true"
	ps, total, err := s.dir.DepartmentMembers(ctxOf(c), actor(c), appdir.MemberQuery{
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

func parseOptionalID(s *string, what string) (uuid.UUID, error) {
	if s == nil || *s == "" {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(*s)
	if err != nil {
		return uuid.Nil, errs.NotFoundf(what)
	}
	return id, nil
}

func (s *Server) createDepartment(c echo.Context) error {
	var req createDepartmentRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	parent, err := parseOptionalID(req.ParentID, "department")
	if err != nil {
		return err
	}
	v, err := s.dir.CreateDepartment(ctxOf(c), actor(c), appdir.CreateDepartmentInput{ParentID: parent, Name: req.Name, ExternalID: req.ExternalID})
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

func (s *Server) updateDepartment(c echo.Context) error {
	id, err := pathID(c, "departmentID", "department")
	if err != nil {
		return err
	}
	var req updateDepartmentRequest
	if err := bindJSON(c, &req); err != nil {
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
	v, err := s.dir.UpdateDepartment(ctxOf(c), actor(c), id, ch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toDepartmentViewJSON(v))
}

func (s *Server) deleteDepartment(c echo.Context) error {
	id, err := pathID(c, "departmentID", "department")
	if err != nil {
		return err
	}
	children, err := optionalID(c, "move_children_to", "department")
	if err != nil {
		return err
	}
	members, err := optionalID(c, "move_members_to", "department")
	if err != nil {
		return err
	}
	return noContent(c, s.dir.DeleteDepartment(ctxOf(c), actor(c), id, appdir.DeleteOptions{MoveChildrenTo: children, MoveMembersTo: members}))
}

type departmentMemberRequest struct {
	Leader bool `json:"leader"`
}

func (s *Server) putDepartmentMember(c echo.Context) error {
	ids, err := pathIDs(c, "departmentID", "userID")
	if err != nil {
		return err
	}
	var req departmentMemberRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	return noContent(c, s.dir.AddToDepartment(ctxOf(c), actor(c), ids[0], ids[1], req.Leader))
}

func (s *Server) deleteDepartmentMember(c echo.Context) error {
	ids, err := pathIDs(c, "departmentID", "userID")
	if err != nil {
		return err
	}
	return noContent(c, s.dir.RemoveFromDepartment(ctxOf(c), actor(c), ids[0], ids[1]))
}

type assignmentJSON struct {
	DepartmentID string `json:"department_id"`
	Primary      bool   `json:"primary"`
	Leader       bool   `json:"leader"`
}

func (s *Server) putUserDepartments(c echo.Context) error {
	user, err := pathID(c, "userID", "member")
	if err != nil {
		return err
	}
	var req struct {
		Departments []assignmentJSON `json:"departments"`
	}
	if err := bindJSON(c, &req); err != nil {
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
	if err := s.dir.SetAssignments(ctxOf(c), actor(c), user, as); err != nil {
		return err
	}
	return s.getPersonByID(c, user)
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

func (s *Server) getPerson(c echo.Context) error {
	user, err := pathID(c, "userID", "person")
	if err != nil {
		return err
	}
	return s.getPersonByID(c, user)
}

func (s *Server) getPersonByID(c echo.Context, user uuid.UUID) error {
	card, err := s.dir.Person(ctxOf(c), actor(c), user)
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

func (s *Server) search(c echo.Context) error {
	limit, err := queryInt(c, "limit", 20, 1, 50)
	if err != nil {
		return err
	}
	res, err := s.dir.Search(ctxOf(c), actor(c), c.QueryParam("q"), limit)
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

func (s *Server) listGroups(c echo.Context) error {
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	dept, err := optionalID(c, "department_id", "department")
	if err != nil {
		return err
	}
	gs, total, err := s.dir.Groups(ctxOf(c), actor(c), directory.GroupFilter{Query: strings.TrimSpace(c.QueryParam("q")), DepartmentID: dept, Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	items := make([]groupJSON, len(gs))
	for i, g := range gs {
		items[i] = toGroupJSON(g)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": total})
}

func (s *Server) getGroup(c echo.Context) error {
	id, err := pathID(c, "groupID", "group")
	if err != nil {
		return err
	}
	g, err := s.dir.Group(ctxOf(c), actor(c), id)
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
	dept, err := parseOptionalID(r.DepartmentID, "department")
	if err != nil {
		return directory.GroupInput{}, err
	}
	if r.MemberCap < 0 {
		return directory.GroupInput{}, errs.E(errs.Invalid, "invalid_member_cap", "member_cap must be between 1 and "+strconv.Itoa(directory.MaxGroupMembers))
	}
	return directory.GroupInput{DepartmentID: dept, Name: r.Name, Description: r.Description, ExternalID: r.ExternalID, MemberCap: r.MemberCap}, nil
}

func (s *Server) createGroup(c echo.Context) error {
	var req groupRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	g, err := s.dir.CreateGroup(ctxOf(c), actor(c), in)
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

func (s *Server) updateGroup(c echo.Context) error {
	id, err := pathID(c, "groupID", "group")
	if err != nil {
		return err
	}
	var req groupPatch
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	p := directory.GroupPatch{Name: req.Name, Description: req.Description, ExternalID: req.ExternalID, MemberCap: req.MemberCap}
	if len(req.DepartmentID) > 0 {
		var dept *string
		if err := json.Unmarshal(req.DepartmentID, &dept); err != nil {
			return errs.E(errs.Invalid, "invalid_field", `field "department_id" must be a string or null`)
		}
		id, err := parseOptionalID(dept, "department")
		if err != nil {
			return err
		}
		p.DepartmentID = &id
	}
	if req.MemberCap != nil && *req.MemberCap < 1 {
		return errs.E(errs.Invalid, "invalid_member_cap", "member_cap must be between 1 and "+strconv.Itoa(directory.MaxGroupMembers))
	}
	g, err := s.dir.PatchGroup(ctxOf(c), actor(c), id, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toGroupJSON(g))
}

func (s *Server) deleteGroup(c echo.Context) error {
	id, err := pathID(c, "groupID", "group")
	if err != nil {
		return err
	}
	return noContent(c, s.dir.DeleteGroup(ctxOf(c), actor(c), id))
}

func (s *Server) listGroupMembers(c echo.Context) error {
	id, err := pathID(c, "groupID", "group")
	if err != nil {
		return err
	}
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	ms, total, err := s.dir.GroupMembers(ctxOf(c), actor(c), id, limit, offset)
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

func (s *Server) putGroupMember(c echo.Context) error {
	ids, err := pathIDs(c, "groupID", "userID")
	if err != nil {
		return err
	}
	var req struct {
		Role string `json:"role"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	role, err := directory.ParseGroupRole(req.Role)
	if err != nil {
		return err
	}
	return noContent(c, s.dir.AddGroupMember(ctxOf(c), actor(c), ids[0], ids[1], role))
}

func (s *Server) deleteGroupMember(c echo.Context) error {
	ids, err := pathIDs(c, "groupID", "userID")
	if err != nil {
		return err
	}
	return noContent(c, s.dir.RemoveGroupMember(ctxOf(c), actor(c), ids[0], ids[1]))
}
