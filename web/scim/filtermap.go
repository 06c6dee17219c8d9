package scim

import (
	"strings"

	appscim "canopy/app/scim"
)

// How a filter's attribute maps onto what Canopy keeps.
type attrKind int

const (
	attrText   attrKind = iota // a text field
	attrBool                   // a boolean field
	attrConst                  // the same value on every resource, such as emails.type "work"
	attrAbsent                 // an attribute of the schema that Canopy does not keep: never present
)

type attrDef struct {
	kind  attrKind
	field appscim.Field
	value any // for attrConst
}

type attrResolver func(p AttrPath) (attrDef, error)

// userFilterAttrs maps the lower-case "name" or "name.sub" of User attributes (and
// "enterprise:name" of the enterprise extension) that filters may test.
var userFilterAttrs = map[string]attrDef{
	"id":                        {kind: attrText, field: appscim.UserID},
	"username":                  {kind: attrText, field: appscim.UserEmail},
	"emails":                    {kind: attrText, field: appscim.UserEmail},
	"emails.value":              {kind: attrText, field: appscim.UserEmail},
	"emails.type":               {kind: attrConst, value: "work"},
	"emails.primary":            {kind: attrConst, value: true},
	"displayname":               {kind: attrText, field: appscim.UserDisplayName},
	"name":                      {kind: attrText, field: appscim.UserDisplayName},
	"name.formatted":            {kind: attrText, field: appscim.UserDisplayName},
	"name.givenname":            {kind: attrText, field: appscim.UserGivenName},
	"name.familyname":           {kind: attrText, field: appscim.UserFamilyName},
	"externalid":                {kind: attrText, field: appscim.UserExternalID},
	"active":                    {kind: attrBool, field: appscim.UserActive},
	"preferredlanguage":         {kind: attrText, field: appscim.UserLocale},
	"locale":                    {kind: attrText, field: appscim.UserLocale},
	"timezone":                  {kind: attrText, field: appscim.UserTimeZone},
	"meta.resourcetype":         {kind: attrConst, value: "User"},
	"title":                     {kind: attrText, field: appscim.UserTitle},
	"phonenumbers":              {kind: attrText, field: appscim.UserMobile},
	"phonenumbers.value":        {kind: attrText, field: appscim.UserMobile},
	"enterprise:employeenumber": {kind: attrText, field: appscim.UserEmployeeNumber},
	"enterprise:manager":        {kind: attrText, field: appscim.UserManager},
	"enterprise:manager.value":  {kind: attrText, field: appscim.UserManager},
}

// userAbsentAttrs are User and enterprise attributes (by name, before any ".") that Canopy
// accepts and does not keep: a filter on them matches nobody, and "not" of it everybody.
var userAbsentAttrs = map[string]bool{
	"nickname": true, "profileurl": true, "usertype": true, "password": true, "phonenumbers": true,
	"addresses": true, "ims": true, "photos": true, "groups": true, "entitlements": true, "roles": true,
	"x509certificates": true, "enterprise:costcenter": true,
	"enterprise:organization": true, "enterprise:division": true,
}

// userNameParts are the parts of name that Canopy does not keep (it keeps givenName and
// familyName).
var userNameParts = map[string]bool{"middlename": true, "honorificprefix": true, "honorificsuffix": true}

var groupFilterAttrs = map[string]attrDef{
	"id":                {kind: attrText, field: appscim.GroupID},
	"displayname":       {kind: attrText, field: appscim.GroupName},
	"externalid":        {kind: attrText, field: appscim.GroupExternalID},
	"members":           {kind: attrText, field: appscim.GroupMemberID},
	"members.value":     {kind: attrText, field: appscim.GroupMemberID},
	"members.display":   {kind: attrText, field: appscim.GroupMemberName},
	"members.type":      {kind: attrConst, value: "User"},
	"meta.resourcetype": {kind: attrConst, value: "Group"},
}

// attrKey is the lower-case key of an attribute path in the resource's schema: "name.givenname",
// or "enterprise:department" for the enterprise extension. ok is false for a URN that is not one
// of the resource's schemas.
func attrKey(p AttrPath, core string) (string, bool) {
	k := strings.ToLower(p.Name)
	if p.Sub != "" {
		k += "." + strings.ToLower(p.Sub)
	}
	switch {
	case p.URN == "" || strings.EqualFold(p.URN, core):
		return k, true
	case core == schemaUser && strings.EqualFold(p.URN, schemaEnterprise):
		return "enterprise:" + k, true
	}
	return "", false
}

func resolveUserAttr(p AttrPath) (attrDef, error) {
	k, ok := attrKey(p, schemaUser)
	if !ok {
		return attrDef{}, scimInvalid("invalid_filter", "Users have no attribute "+p.String())
	}
	if d, ok := userFilterAttrs[k]; ok {
		return d, nil
	}
	base, sub, _ := strings.Cut(k, ".")
	if userAbsentAttrs[base] || (base == "name" && userNameParts[sub]) {
		return attrDef{kind: attrAbsent}, nil
	}
	if k == "enterprise:department" {
		return attrDef{}, scimInvalid("invalid_filter", "Canopy cannot filter users by department")
	}
	return attrDef{}, scimInvalid("invalid_filter", "Canopy cannot filter users by "+p.String())
}

func resolveGroupAttr(p AttrPath) (attrDef, error) {
	k, ok := attrKey(p, schemaGroup)
	if !ok {
		return attrDef{}, scimInvalid("invalid_filter", "Groups have no attribute "+p.String())
	}
	if d, ok := groupFilterAttrs[k]; ok {
		return d, nil
	}
	return attrDef{}, scimInvalid("invalid_filter", "Canopy cannot filter groups by "+p.String())
}

// toExpr maps a parsed filter onto what the reader can query, refusing attributes and values it
// cannot test.
func toExpr(n Node, resolve attrResolver) (appscim.Expr, error) {
	switch x := n.(type) {
	case Logical:
		l, err := toExpr(x.Left, resolve)
		if err != nil {
			return nil, err
		}
		r, err := toExpr(x.Right, resolve)
		if err != nil {
			return nil, err
		}
		if x.Op == "and" {
			return appscim.And{Left: l, Right: r}, nil
		}
		return appscim.Or{Left: l, Right: r}, nil
	case Not:
		e, err := toExpr(x.X, resolve)
		if err != nil {
			return nil, err
		}
		return appscim.Not{X: e}, nil
	case AttrExpr:
		d, err := resolve(x.Path)
		if err != nil {
			return nil, err
		}
		return attrExpr(d, x)
	}
	return nil, scimInvalid("invalid_filter", "invalid filter")
}

func attrExpr(d attrDef, x AttrExpr) (appscim.Expr, error) {
	op := appscim.Op(x.Op)
	switch d.kind {
	case attrAbsent:
		// Absent: present never, equal to nothing, not equal to everything.
		switch {
		case op == appscim.Pr:
			return appscim.Const(false), nil
		case op == appscim.Eq:
			return appscim.Const(x.Value == nil), nil
		case op == appscim.Ne:
			return appscim.Const(x.Value != nil), nil
		}
		return appscim.Const(false), nil
	case attrConst:
		return constExpr(d.value, op, x.Value)
	case attrBool:
		if op == appscim.Pr {
			return appscim.Compare{Field: d.field, Op: op}, nil
		}
		v := x.Value
		if s, ok := v.(string); ok && (strings.EqualFold(s, "true") || strings.EqualFold(s, "false")) {
			v = strings.EqualFold(s, "true")
		}
		if _, ok := v.(bool); !ok || (op != appscim.Eq && op != appscim.Ne) {
			return nil, scimInvalid("invalid_filter", x.Path.String()+" is a boolean: use eq or ne with true or false")
		}
		return appscim.Compare{Field: d.field, Op: op, Value: v}, nil
	}
	switch v := x.Value.(type) {
	case string:
		return appscim.Compare{Field: d.field, Op: op, Value: v}, nil
	case nil:
		if op == appscim.Pr || op == appscim.Eq || op == appscim.Ne {
			return appscim.Compare{Field: d.field, Op: op}, nil
		}
	}
	return nil, scimInvalid("invalid_filter", x.Path.String()+" is text: compare it with a quoted string")
}

// constExpr answers a test on a value every resource shares, without a query.
func constExpr(have any, op appscim.Op, want any) (appscim.Expr, error) {
	if op == appscim.Pr {
		return appscim.Const(true), nil
	}
	switch h := have.(type) {
	case bool:
		w, ok := want.(bool)
		if !ok || (op != appscim.Eq && op != appscim.Ne) {
			return nil, scimInvalid("invalid_filter", "a boolean attribute takes eq or ne with true or false")
		}
		return appscim.Const((h == w) == (op == appscim.Eq)), nil
	case string:
		w, ok := want.(string)
		if !ok {
			return appscim.Const(op == appscim.Ne), nil
		}
		h, w = strings.ToLower(h), strings.ToLower(w)
		switch op {
		case appscim.Eq:
			return appscim.Const(h == w), nil
		case appscim.Ne:
			return appscim.Const(h != w), nil
		case appscim.Co:
			return appscim.Const(strings.Contains(h, w)), nil
		case appscim.Sw:
			return appscim.Const(strings.HasPrefix(h, w)), nil
		case appscim.Ew:
			return appscim.Const(strings.HasSuffix(h, w)), nil
		case appscim.Gt:
			return appscim.Const(h > w), nil
		case appscim.Ge:
			return appscim.Const(h >= w), nil
		case appscim.Lt:
			return appscim.Const(h < w), nil
		case appscim.Le:
			return appscim.Const(h <= w), nil
		}
	}
	return nil, scimInvalid("invalid_filter", "invalid comparison")
}
