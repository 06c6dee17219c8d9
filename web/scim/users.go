package scim

import (
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	appscim "canopy/app/scim"
	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/org"
	"canopy/web/server"
)

// Users: id is the Canopy user id; userName and the one work email are the member's email;
// externalId is the membership's external id; displayName and name.formatted are the display
// name; name.givenName and name.familyName are kept for the provider and returned as sent;
// active is the membership's status; the enterprise extension's department is the path of the
// primary department below the root. A user the provider deleted is gone: 404 for its id.

type scimNameJSON struct {
	Formatted  string `json:"formatted"`
	GivenName  string `json:"givenName,omitempty"`
	FamilyName string `json:"familyName,omitempty"`
}

type scimEmailJSON struct {
	Value   string `json:"value"`
	Type    string `json:"type"`
	Primary bool   `json:"primary"`
}

type scimEnterpriseJSON struct {
	Department     string           `json:"department,omitempty"`
	EmployeeNumber string           `json:"employeeNumber,omitempty"`
	Manager        *scimManagerJSON `json:"manager,omitempty"`
}

type scimManagerJSON struct {
	Value string `json:"value"`
}

type scimPhoneJSON struct {
	Value string `json:"value"`
	Type  string `json:"type"`
}

type scimUserJSON struct {
	Schemas           []string            `json:"schemas"`
	ID                string              `json:"id"`
	ExternalID        string              `json:"externalId,omitempty"`
	UserName          string              `json:"userName"`
	Name              scimNameJSON        `json:"name"`
	DisplayName       string              `json:"displayName"`
	Emails            []scimEmailJSON     `json:"emails"`
	Title             string              `json:"title,omitempty"`
	PhoneNumbers      []scimPhoneJSON     `json:"phoneNumbers,omitempty"`
	Active            bool                `json:"active"`
	PreferredLanguage string              `json:"preferredLanguage,omitempty"`
	Locale            string              `json:"locale,omitempty"`
	Timezone          string              `json:"timezone,omitempty"`
	Enterprise        *scimEnterpriseJSON `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,omitempty"`
	Meta              scimMetaJSON        `json:"meta"`
}

func (h *Handler) toSCIMUser(u appscim.User) scimUserJSON {
	id := u.UserID.String()
	out := scimUserJSON{
		Schemas: []string{schemaUser}, ID: id, ExternalID: u.ExternalID, UserName: u.Email,
		Name: scimNameJSON{Formatted: u.DisplayName, GivenName: u.GivenName, FamilyName: u.FamilyName}, DisplayName: u.DisplayName,
		Emails: []scimEmailJSON{{Value: u.Email, Type: "work", Primary: true}},
		Active: u.Status == org.MemberActive, PreferredLanguage: u.Locale, Locale: u.Locale, Timezone: u.TimeZone,
		Meta: scimMeta("User", h.scimURL("/Users/"+id), u.JoinedAt, u.UpdatedAt),
	}
	p := u.Profile
	out.Title = p.JobTitle
	if p.Mobile != "" {
		out.PhoneNumbers = []scimPhoneJSON{{Value: p.Mobile, Type: "mobile"}}
	}
	if u.Department != "" || p.EmployeeNumber != "" || p.ManagerID != nil {
		out.Schemas = append(out.Schemas, schemaEnterprise)
		out.Enterprise = &scimEnterpriseJSON{Department: u.Department, EmployeeNumber: p.EmployeeNumber}
		if p.ManagerID != nil {
			out.Enterprise.Manager = &scimManagerJSON{Value: p.ManagerID.String()}
		}
	}
	return out
}

func scimUserID(c echo.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, errs.NotFoundf("user")
	}
	return id, nil
}

func (h *Handler) scimListUsers(c echo.Context) error {
	f, err := scimFilter(c, resolveUserAttr)
	if err != nil {
		return err
	}
	start, count, err := scimPage(c)
	if err != nil {
		return err
	}
	us, total, err := h.svc.Users(c.Request().Context(), server.Actor(c), f, count, start-1)
	if err != nil {
		return err
	}
	items := make([]any, len(us))
	for i, u := range us {
		items[i] = h.toSCIMUser(u)
	}
	return writeSCIM(c, http.StatusOK, scimList(total, start, items))
}

func (h *Handler) scimGetUser(c echo.Context) error {
	id, err := scimUserID(c)
	if err != nil {
		return err
	}
	u, err := h.svc.User(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return writeSCIM(c, http.StatusOK, h.toSCIMUser(u))
}

// readSCIMUser reads a whole User resource, as POST and PUT send it.
func readSCIMUser(c echo.Context) (scimAttrs, appscim.UserChange, error) {
	obj, err := readSCIMBody(c)
	if err != nil {
		return nil, appscim.UserChange{}, err
	}
	if err := checkSchemas(obj, schemaUser, false); err != nil {
		return nil, appscim.UserChange{}, err
	}
	at := scimAttrs{}
	if err := at.collect(obj, schemaUser); err != nil {
		return nil, appscim.UserChange{}, err
	}
	ch, err := at.userChange(true)
	return at, ch, err
}

func (h *Handler) scimCreateUser(c echo.Context) error {
	at, ch, err := readSCIMUser(c)
	if err != nil {
		return err
	}
	if ch.Email == nil {
		return scimInvalid("invalid_value", "userName is required: Canopy uses the member's email address as userName")
	}
	in := appscim.UserInput{Email: *ch.Email, ExternalID: scimDeref(ch.ExternalID), Locale: scimDeref(ch.Locale), TimeZone: scimDeref(ch.TimeZone),
		Active: ch.Active == nil || *ch.Active, Department: ch.Department, DisplayName: scimDeref(ch.DisplayName),
		GivenName: scimDeref(ch.GivenName), FamilyName: scimDeref(ch.FamilyName), Profile: ch.Profile}
	if in.DisplayName == "" {
		in.DisplayName, _, _ = strings.Cut(in.Email, "@")
	}
	if pw, ok, err := at.str("password"); err != nil {
		return err
	} else if ok {
		in.Password = pw
	}
	u, err := h.svc.CreateUser(c.Request().Context(), server.Actor(c), in)
	if err != nil {
		return err
	}
	out := h.toSCIMUser(u)
	c.Response().Header().Set(echo.HeaderLocation, out.Meta.Location)
	return writeSCIM(c, http.StatusCreated, out)
}

// scimReplaceUser is PUT. The name parts are replaced with the rest of the resource: one the
// request leaves out is removed. Other attributes the request leaves out stay as they are (RFC
// 7644 section 3.5.1 allows either), so a provider that maps fewer attributes clears nothing of
// the member by accident.
func (h *Handler) scimReplaceUser(c echo.Context) error {
	id, err := scimUserID(c)
	if err != nil {
		return err
	}
	_, ch, err := readSCIMUser(c)
	if err != nil {
		return err
	}
	if ch.Email == nil {
		return scimInvalid("invalid_value", "userName is required")
	}
	u, err := h.svc.UpdateUser(c.Request().Context(), server.Actor(c), id, ch)
	if err != nil {
		return err
	}
	return writeSCIM(c, http.StatusOK, h.toSCIMUser(u))
}

func (h *Handler) scimPatchUser(c echo.Context) error {
	id, err := scimUserID(c)
	if err != nil {
		return err
	}
	ops, err := readPatch(c)
	if err != nil {
		return err
	}
	at := scimAttrs{}
	for _, op := range ops {
		one, err := op.attrs(schemaUser)
		if err != nil {
			return err
		}
		if err := one.checkID(id); err != nil {
			return err
		}
		for k, v := range one {
			at[k] = v
		}
	}
	ch, err := at.userChange(false)
	if err != nil {
		return err
	}
	u, err := h.svc.UpdateUser(c.Request().Context(), server.Actor(c), id, ch)
	if err != nil {
		return err
	}
	return writeSCIM(c, http.StatusOK, h.toSCIMUser(u))
}

// scimDeleteUser deletes the user for the provider (every later request for the id answers
// 404), and deactivates the member: Canopy keeps what they made with the organisation.
func (h *Handler) scimDeleteUser(c echo.Context) error {
	id, err := scimUserID(c)
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.DeleteUser(c.Request().Context(), server.Actor(c), id))
}

func scimDeref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// scimAttrs holds a resource's attributes as a request gives them, keyed by lower-case path
// ("username", "name.givenname", "enterprise:department"); a nil value removes one.
type scimAttrs map[string]any

func (at scimAttrs) put(key string, v any) error {
	if _, dup := at[key]; dup {
		return scimInvalid("invalid_syntax", "the attribute "+key+" is given twice")
	}
	at[key] = v
	return nil
}

// collect adds an object's attributes: core ones by name (complex ones by "name.sub"), the
// enterprise extension's under "enterprise:". Attributes of other extensions are skipped.
func (at scimAttrs) collect(obj map[string]any, core string) error {
	for k, v := range obj {
		switch {
		case strings.EqualFold(k, "schemas"):
			continue
		case strings.EqualFold(k, core):
			if m, ok := v.(map[string]any); ok {
				if err := at.collect(m, core); err != nil {
					return err
				}
			}
			continue
		case core == schemaUser && strings.EqualFold(k, schemaEnterprise):
			if v == nil {
				continue
			}
			m, ok := v.(map[string]any)
			if !ok {
				return scimInvalid("invalid_syntax", schemaEnterprise+" must be an object")
			}
			for k2, v2 := range m {
				if err := at.put("enterprise:"+strings.ToLower(k2), v2); err != nil {
					return err
				}
			}
			continue
		}
		p, err := ParsePath(k)
		if err != nil || p.Filter != nil {
			continue // not an attribute of ours
		}
		key, ok := attrKey(p.Attr, core)
		if !ok {
			continue
		}
		if err := at.putValue(key, p.Attr.Sub == "", v); err != nil {
			return err
		}
	}
	return nil
}

// putValue adds a value; an object given for a complex attribute ("name": {...}) adds each of
// its sub-attributes.
func (at scimAttrs) putValue(key string, complex bool, v any) error {
	if m, ok := v.(map[string]any); ok && complex && !strings.Contains(key, ".") {
		for k2, v2 := range m {
			if err := at.put(key+"."+strings.ToLower(k2), v2); err != nil {
				return err
			}
		}
		return nil
	}
	return at.put(key, v)
}

// checkID refuses a change of the read-only id; a provider that echoes the id it has is fine.
func (at scimAttrs) checkID(id uuid.UUID) error {
	if v, ok := at["id"]; ok {
		if s, _ := v.(string); !strings.EqualFold(s, id.String()) {
			return errs.E(errs.Invalid, "mutability", "id is read-only")
		}
	}
	for k := range at {
		if k == "meta" || strings.HasPrefix(k, "meta.") {
			return errs.E(errs.Invalid, "mutability", "meta is read-only")
		}
	}
	return nil
}

// str returns a text attribute: ok is false when it is not given, and v is "" when it is null.
func (at scimAttrs) str(key string) (v string, ok bool, err error) {
	x, ok := at[key]
	if !ok || x == nil {
		return "", ok, nil
	}
	s, isStr := x.(string)
	if !isStr {
		return "", true, scimInvalid("invalid_value", key+" must be a string")
	}
	return s, true, nil
}

// boolean returns a boolean attribute, also when it comes as "True" or "False", as Microsoft
// Entra ID sends it.
func (at scimAttrs) boolean(key string) (*bool, error) {
	x, ok := at[key]
	if !ok || x == nil {
		return nil, nil
	}
	switch v := x.(type) {
	case bool:
		return &v, nil
	case string:
		if b := strings.EqualFold(v, "true"); b || strings.EqualFold(v, "false") {
			return &b, nil
		}
	}
	return nil, scimInvalid("invalid_value", key+" must be true or false")
}

// userChange turns User attributes into a change. whole says the attributes are the whole user
// (POST or PUT): a display name may be made from whichever name parts there are, and a name
// part left out is removed. A PATCH changes the parts it names (removing "name" removes both);
// it makes the display name from them only when it gives both.
func (at scimAttrs) userChange(whole bool) (appscim.UserChange, error) {
	var c appscim.UserChange
	text := map[string]string{}
	for _, k := range []string{"username", "displayname", "name.formatted", "name.givenname", "name.familyname",
		"externalid", "preferredlanguage", "locale", "timezone", "enterprise:department"} {
		v, ok, err := at.str(k)
		if err != nil {
			return c, err
		}
		if ok {
			text[k] = strings.TrimSpace(v)
		}
	}
	if v, ok := text["username"]; ok {
		if v == "" {
			return c, scimInvalid("invalid_value", "userName cannot be removed")
		}
		c.Email = &v
	}
	given, hasGiven := text["name.givenname"]
	family, hasFamily := text["name.familyname"]
	name := text["displayname"]
	if name == "" {
		name = text["name.formatted"]
	}
	if name == "" && ((hasGiven && hasFamily) || (whole && (hasGiven || hasFamily))) {
		name = joinName(given, family)
	}
	if name != "" {
		c.DisplayName = &name
	}
	if v, ok := text["externalid"]; ok {
		c.ExternalID = &v
	}
	active, err := at.boolean("active")
	if err != nil {
		return c, err
	}
	c.Active = active
	for _, k := range []string{"preferredlanguage", "locale"} {
		if l, ok := scimLocale(text[k]); ok {
			c.Locale = &l
			break
		}
	}
	if tz, ok := text["timezone"]; ok && tz != "" {
		if tz, err := identity.ParseTimeZone(tz); err == nil {
			c.TimeZone = &tz
		}
	}
	c.Department = text["enterprise:department"]
	if err := at.profile(&c); err != nil {
		return c, err
	}
	// The parts are kept exactly as sent, not trimmed.
	for _, p := range []struct {
		key string
		dst **string
	}{{"name.givenname", &c.GivenName}, {"name.familyname", &c.FamilyName}} {
		v, ok, err := at.str(p.key)
		if err != nil {
			return c, err
		}
		if ok || whole {
			*p.dst = &v
		}
	}
	if v, ok := at["name"]; ok && v == nil {
		none := ""
		c.GivenName, c.FamilyName = &none, &none
	}
	return c, nil
}

// profile reads the employee details: core title and the mobile of phoneNumbers, the
// enterprise extension's employeeNumber and manager (its value, the manager's user id). A
// phoneNumbers without a mobile one, or null, clears the mobile.
func (at scimAttrs) profile(c *appscim.UserChange) error {
	for _, f := range []struct {
		key string
		dst **string
	}{{"title", &c.Profile.JobTitle}, {"enterprise:employeenumber", &c.Profile.EmployeeNumber}, {"enterprise:manager.value", &c.Profile.ManagerID}} {
		v, ok, err := at.str(f.key)
		if err != nil {
			return err
		}
		if ok {
			v = strings.TrimSpace(v)
			*f.dst = &v
		}
	}
	if m, ok := at["enterprise:manager"]; ok {
		v := ""
		switch x := m.(type) {
		case nil:
		case string:
			v = x
		case map[string]any:
			s, isStr := x["value"].(string)
			if x["value"] != nil && !isStr {
				return scimInvalid("invalid_value", "manager.value must be a string")
			}
			v = s
		default:
			return scimInvalid("invalid_value", "manager must be an object with a value")
		}
		v = strings.TrimSpace(v)
		c.Profile.ManagerID = &v
	}
	// phoneNumbers[type eq "mobile"].value, as a PATCH names it.
	if v, ok, err := at.str("phonenumbers.value"); err != nil {
		return err
	} else if ok {
		c.Profile.Mobile = &v
	}
	if x, ok := at["phonenumbers"]; ok {
		mobile := ""
		list, isList := x.([]any)
		if x != nil && !isList {
			return scimInvalid("invalid_value", "phoneNumbers must be a list")
		}
		for _, e := range list {
			m, isObj := e.(map[string]any)
			if !isObj {
				return scimInvalid("invalid_value", "phoneNumbers must be a list of objects")
			}
			if t, _ := m["type"].(string); strings.EqualFold(t, "mobile") {
				v, isStr := m["value"].(string)
				if !isStr {
					return scimInvalid("invalid_value", "phoneNumbers.value must be a string")
				}
				mobile = v
				break
			}
		}
		c.Profile.Mobile = &mobile
	}
	return nil
}

// namesMobile reports whether a phoneNumbers value filter picks the mobile number: `type eq
// "mobile"`, alone or and-ed with other tests. Canopy keeps only the mobile, so a PATCH of
// phoneNumbers[type eq "work"] leaves it alone.
func namesMobile(n Node) bool {
	switch x := n.(type) {
	case AttrExpr:
		v, _ := x.Value.(string)
		return strings.EqualFold(x.Path.Name, "type") && x.Path.Sub == "" && x.Op == "eq" && strings.EqualFold(v, "mobile")
	case Logical:
		return x.Op == "and" && (namesMobile(x.Left) || namesMobile(x.Right))
	}
	return false
}

// joinName makes a display name from name parts: "Ada Lovelace", or "张伟" for a Chinese name,
// which is written family name first and without a space.
func joinName(given, family string) string {
	if given != "" && family != "" && isHan(given) && isHan(family) {
		return family + given
	}
	return strings.TrimSpace(given + " " + family)
}

func isHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

// scimLocale maps a language tag onto a Canopy language: English ("en", "en-US", "en_GB") or
// simplified Chinese ("zh-CN", "zh_CN", "zh-Hans", "zh"). Others are ignored.
func scimLocale(tag string) (string, bool) {
	l := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tag), "_", "-"))
	switch {
	case l == "en" || strings.HasPrefix(l, "en-"):
		return string(identity.LocaleEN), true
	case l == "zh" || l == "zh-cn" || l == "zh-sg" || strings.HasPrefix(l, "zh-hans"):
		return string(identity.LocaleZhCN), true
	}
	return "", false
}

// patchOp is one operation of a PATCH request (RFC 7644 section 3.5.2).
type patchOp struct {
	op       string // add, replace or remove
	path     string
	value    any
	hasValue bool
}

// readPatch reads a PatchOp body. Operation names are case-insensitive ("Replace", as Microsoft
// Entra ID writes them).
func readPatch(c echo.Context) ([]patchOp, error) {
	obj, err := readSCIMBody(c)
	if err != nil {
		return nil, err
	}
	if err := checkSchemas(obj, schemaPatchOp, true); err != nil {
		return nil, err
	}
	raw, _ := member(obj, "Operations")
	list, ok := raw.([]any)
	if !ok || len(list) == 0 {
		return nil, scimInvalid("invalid_syntax", `"Operations" must be a non-empty array`)
	}
	ops := make([]patchOp, len(list))
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, scimInvalid("invalid_syntax", fmt.Sprintf("operation %d is not an object", i+1))
		}
		opv, _ := member(m, "op")
		name, _ := opv.(string)
		name = strings.ToLower(name)
		if name != "add" && name != "replace" && name != "remove" {
			return nil, scimInvalid("invalid_syntax", fmt.Sprintf(`operation %d: "op" must be add, replace or remove`, i+1))
		}
		pv, _ := member(m, "path")
		path, isStr := pv.(string)
		if pv != nil && !isStr {
			return nil, scimInvalid("invalid_path", fmt.Sprintf(`operation %d: "path" must be a string`, i+1))
		}
		v, has := member(m, "value")
		if name != "remove" && !has {
			return nil, scimInvalid("invalid_syntax", fmt.Sprintf(`operation %d: %s needs a "value"`, i+1, name))
		}
		ops[i] = patchOp{op: name, path: strings.TrimSpace(path), value: v, hasValue: has && v != nil}
	}
	return ops, nil
}

// attrs turns one operation on a User into the attributes it sets (nil for removed ones).
func (op patchOp) attrs(core string) (scimAttrs, error) {
	at := scimAttrs{}
	if op.path == "" {
		if op.op == "remove" {
			return nil, scimInvalid("no_target", "remove needs a path")
		}
		m, ok := op.value.(map[string]any)
		if !ok {
			return nil, scimInvalid("invalid_value", "without a path, the value must be an object of attributes")
		}
		return at, at.collect(m, core)
	}
	if core == schemaUser && strings.EqualFold(op.path, schemaEnterprise) {
		if op.op == "remove" {
			return at, at.put("enterprise:department", nil)
		}
		return at, at.collect(map[string]any{schemaEnterprise: op.value}, core)
	}
	p, err := ParsePath(op.path)
	if err != nil {
		return nil, scimInvalid("invalid_path", "invalid path: "+err.Error())
	}
	key, ok := attrKey(p.Attr, core)
	if !ok {
		return at, nil // another extension's attribute
	}
	if key == "phonenumbers" && p.Filter != nil && !namesMobile(p.Filter) {
		return at, nil // a work or home number, which Canopy does not keep
	}
	if p.Filter != nil && p.Sub != "" {
		key += "." + strings.ToLower(p.Sub)
	}
	if op.op == "remove" {
		return at, at.put(key, nil)
	}
	return at, at.putValue(key, p.Attr.Sub == "" && p.Filter == nil, op.value)
}
