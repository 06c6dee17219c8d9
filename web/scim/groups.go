package scim

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	appscim "canopy/app/scim"
	"canopy/domain/errs"
	"canopy/web/server"
)

// Groups are Canopy's sub-groups: displayName is the name, externalId the external id, and
// members the users in it (up to 1000). Groups made through SCIM belong to the whole
// organisation; a group's department, description and cap are managed in the console.

type scimMemberJSON struct {
	Value   string `json:"value"`
	Ref     string `json:"$ref"`
	Display string `json:"display,omitempty"`
	Type    string `json:"type"`
}

type scimGroupJSON struct {
	Schemas     []string         `json:"schemas"`
	ID          string           `json:"id"`
	ExternalID  string           `json:"externalId,omitempty"`
	DisplayName string           `json:"displayName"`
	Members     []scimMemberJSON `json:"members,omitempty"`
	Meta        scimMetaJSON     `json:"meta"`
}

func (h *Handler) toSCIMGroup(g appscim.Group) scimGroupJSON {
	id := g.ID().String()
	out := scimGroupJSON{Schemas: []string{schemaGroup}, ID: id, ExternalID: g.ExternalID(), DisplayName: g.Name(),
		Meta: scimMeta("Group", h.scimURL("/Groups/"+id), g.CreatedAt(), g.UpdatedAt())}
	for _, m := range g.Members {
		uid := m.UserID.String()
		out.Members = append(out.Members, scimMemberJSON{Value: uid, Ref: h.scimURL("/Users/" + uid), Display: m.DisplayName, Type: "User"})
	}
	return out
}

func scimGroupID(c echo.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, errs.NotFoundf("group")
	}
	return id, nil
}

func (h *Handler) scimListGroups(c echo.Context) error {
	f, err := scimFilter(c, resolveGroupAttr)
	if err != nil {
		return err
	}
	start, count, err := scimPage(c)
	if err != nil {
		return err
	}
	gs, total, err := h.svc.Groups(c.Request().Context(), server.Actor(c), f, count, start-1, wantsMembers(c))
	if err != nil {
		return err
	}
	items := make([]any, len(gs))
	for i, g := range gs {
		items[i] = h.toSCIMGroup(g)
	}
	return writeSCIM(c, http.StatusOK, scimList(total, start, items))
}

func (h *Handler) scimGetGroup(c echo.Context) error {
	id, err := scimGroupID(c)
	if err != nil {
		return err
	}
	g, err := h.svc.Group(c.Request().Context(), server.Actor(c), id, wantsMembers(c))
	if err != nil {
		return err
	}
	return writeSCIM(c, http.StatusOK, h.toSCIMGroup(g))
}

// groupInput reads a whole Group (POST or PUT).
func groupInput(c echo.Context) (appscim.GroupInput, error) {
	obj, err := readSCIMBody(c)
	if err != nil {
		return appscim.GroupInput{}, err
	}
	if err := checkSchemas(obj, schemaGroup, false); err != nil {
		return appscim.GroupInput{}, err
	}
	at := scimAttrs{}
	if err := at.collect(obj, schemaGroup); err != nil {
		return appscim.GroupInput{}, err
	}
	name, _, err := at.str("displayname")
	if err != nil {
		return appscim.GroupInput{}, err
	}
	if strings.TrimSpace(name) == "" {
		return appscim.GroupInput{}, scimInvalid("invalid_value", "displayName is required")
	}
	ext, _, err := at.str("externalid")
	if err != nil {
		return appscim.GroupInput{}, err
	}
	in := appscim.GroupInput{Name: name, ExternalID: ext}
	if v, ok := at["members"]; ok && v != nil {
		if in.Members, err = memberIDs(v); err != nil {
			return appscim.GroupInput{}, err
		}
	}
	return in, nil
}

// memberIDs reads a members value: an array of {"value": "<user id>"} (a single object is taken
// too). A value that is not a user id cannot be a member of anything.
func memberIDs(v any) ([]uuid.UUID, error) {
	list, ok := v.([]any)
	if !ok {
		if v == nil {
			return nil, nil
		}
		list = []any{v}
	}
	out := make([]uuid.UUID, 0, len(list))
	for _, x := range list {
		var raw any = x
		if m, ok := x.(map[string]any); ok {
			raw, _ = member(m, "value")
		}
		s, _ := raw.(string)
		id, err := uuid.Parse(strings.TrimSpace(s))
		if err != nil {
			return nil, scimInvalid("invalid_value", fmt.Sprintf("member %v is not a user id", raw))
		}
		out = append(out, id)
	}
	return out, nil
}

func (h *Handler) scimCreateGroup(c echo.Context) error {
	in, err := groupInput(c)
	if err != nil {
		return err
	}
	g, err := h.svc.CreateGroup(c.Request().Context(), server.Actor(c), in)
	if err != nil {
		return err
	}
	out := h.toSCIMGroup(g)
	c.Response().Header().Set(echo.HeaderLocation, out.Meta.Location)
	return writeSCIM(c, http.StatusCreated, out)
}

func (h *Handler) scimReplaceGroup(c echo.Context) error {
	id, err := scimGroupID(c)
	if err != nil {
		return err
	}
	in, err := groupInput(c)
	if err != nil {
		return err
	}
	g, err := h.svc.ReplaceGroup(c.Request().Context(), server.Actor(c), id, in)
	if err != nil {
		return err
	}
	return writeSCIM(c, http.StatusOK, h.toSCIMGroup(g))
}

func (h *Handler) scimPatchGroup(c echo.Context) error {
	id, err := scimGroupID(c)
	if err != nil {
		return err
	}
	ops, err := readPatch(c)
	if err != nil {
		return err
	}
	var p appscim.GroupPatch
	for _, op := range ops {
		if err := groupPatchOp(op, id, &p); err != nil {
			return err
		}
	}
	g, err := h.svc.PatchGroup(c.Request().Context(), server.Actor(c), id, p)
	if err != nil {
		return err
	}
	return writeSCIM(c, http.StatusOK, h.toSCIMGroup(g))
}

// groupPatchOp adds one operation to the patch. Okta replaces the name with a path-less object
// that echoes the id, adds members with path "members" and removes them with
// `members[value eq "…"]`; Microsoft Entra ID removes them with path "members" and a value.
func groupPatchOp(op patchOp, id uuid.UUID, p *appscim.GroupPatch) error {
	edit := map[string]appscim.MemberOp{"add": appscim.AddMembers, "replace": appscim.ReplaceMembers, "remove": appscim.RemoveMembers}[op.op]
	if op.path == "" {
		at, err := op.attrs(schemaGroup)
		if err != nil {
			return err
		}
		if err := at.checkID(id); err != nil {
			return err
		}
		return applyGroupAttrs(at, edit, p)
	}
	path, err := ParsePath(op.path)
	if err != nil {
		return scimInvalid("invalid_path", "invalid path: "+err.Error())
	}
	key, ok := attrKey(path.Attr, schemaGroup)
	if !ok {
		return nil // another extension's attribute
	}
	if key == "members" && path.Filter != nil {
		if op.op != "remove" || path.Sub != "" {
			return scimInvalid("invalid_path", `a members path with a filter can only be removed; add or replace "members" itself`)
		}
		ids, err := filteredMemberIDs(path.Filter)
		if err != nil {
			return err
		}
		p.Members = append(p.Members, appscim.MemberEdit{Op: appscim.RemoveMembers, UserIDs: ids})
		return nil
	}
	at := scimAttrs{}
	if op.op == "remove" {
		at[key] = nil
	} else {
		at[key] = op.value
	}
	if err := at.checkID(id); err != nil {
		return err
	}
	if key == "members" && op.op == "remove" && op.hasValue {
		// Entra: remove the members listed in the value.
		at[key] = op.value
	}
	return applyGroupAttrs(at, edit, p)
}

func applyGroupAttrs(at scimAttrs, edit appscim.MemberOp, p *appscim.GroupPatch) error {
	if v, ok := at["displayname"]; ok {
		name, _ := v.(string)
		if strings.TrimSpace(name) == "" {
			return scimInvalid("invalid_value", "displayName is required and must be a string")
		}
		p.Name = &name
	}
	if v, ok := at["externalid"]; ok {
		ext, isStr := v.(string)
		if v != nil && !isStr {
			return scimInvalid("invalid_value", "externalId must be a string")
		}
		p.ExternalID = &ext
	}
	if v, ok := at["members"]; ok {
		if v == nil {
			if edit == appscim.AddMembers {
				return nil
			}
			// Removing (or replacing with nothing) the whole attribute empties the group.
			p.Members = append(p.Members, appscim.MemberEdit{Op: appscim.RemoveMembers, All: true})
			return nil
		}
		ids, err := memberIDs(v)
		if err != nil {
			return err
		}
		p.Members = append(p.Members, appscim.MemberEdit{Op: edit, UserIDs: ids})
	}
	return nil
}

// filteredMemberIDs reads the user ids out of a members value filter: `value eq "…"`, joined by
// "or". Canopy removes members by id only.
func filteredMemberIDs(n Node) ([]uuid.UUID, error) {
	switch x := n.(type) {
	case Logical:
		if x.Op != "or" {
			break
		}
		l, err := filteredMemberIDs(x.Left)
		if err != nil {
			return nil, err
		}
		r, err := filteredMemberIDs(x.Right)
		return append(l, r...), err
	case AttrExpr:
		v, isStr := x.Value.(string)
		if !strings.EqualFold(x.Path.Name, "value") || x.Op != "eq" || !isStr {
			break
		}
		id, err := uuid.Parse(strings.TrimSpace(v))
		if err != nil {
			// No user has this id, so no member matches: nothing to remove.
			return nil, nil
		}
		return []uuid.UUID{id}, nil
	}
	return nil, scimInvalid("invalid_filter", `a members path filter must be value eq "<user id>", optionally joined by or`)
}

func (h *Handler) scimDeleteGroup(c echo.Context) error {
	id, err := scimGroupID(c)
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.DeleteGroup(c.Request().Context(), server.Actor(c), id))
}
