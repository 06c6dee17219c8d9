package scim

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"canopy/domain/errs"
)

// Discovery (RFC 7644 section 4): what Canopy's SCIM service supports, and the schemas of its
// resources as Canopy keeps them.

type scimAttrJSON struct {
	Name            string         `json:"name"`
	Type            string         `json:"type"`
	MultiValued     bool           `json:"multiValued"`
	Description     string         `json:"description"`
	Required        bool           `json:"required"`
	CaseExact       bool           `json:"caseExact"`
	Mutability      string         `json:"mutability"`
	Returned        string         `json:"returned"`
	Uniqueness      string         `json:"uniqueness"`
	CanonicalValues []string       `json:"canonicalValues,omitempty"`
	ReferenceTypes  []string       `json:"referenceTypes,omitempty"`
	SubAttributes   []scimAttrJSON `json:"subAttributes,omitempty"`
}

// attr is a single-valued, optional, case-insensitive, read-write string returned by default;
// the options change what differs.
func scimAttr(name, desc string, opts ...func(*scimAttrJSON)) scimAttrJSON {
	a := scimAttrJSON{Name: name, Type: "string", Description: desc, Mutability: "readWrite", Returned: "default", Uniqueness: "none"}
	for _, o := range opts {
		o(&a)
	}
	return a
}

func saType(t string) func(*scimAttrJSON) { return func(a *scimAttrJSON) { a.Type = t } }
func saRequired(a *scimAttrJSON)          { a.Required = true }
func saCaseExact(a *scimAttrJSON)         { a.CaseExact = true }
func saMulti(a *scimAttrJSON)             { a.MultiValued = true }
func saServerUnique(a *scimAttrJSON)      { a.Uniqueness = "server" }
func saWriteOnly(a *scimAttrJSON)         { a.Mutability, a.Returned = "writeOnly", "never" }
func saReadOnly(a *scimAttrJSON)          { a.Mutability = "readOnly" }
func saImmutable(a *scimAttrJSON)         { a.Mutability = "immutable" }
func saSubs(s ...scimAttrJSON) func(*scimAttrJSON) {
	return func(a *scimAttrJSON) { a.Type, a.SubAttributes = "complex", s }
}
func saValues(v ...string) func(*scimAttrJSON) {
	return func(a *scimAttrJSON) { a.CanonicalValues = v }
}
func saRefs(r ...string) func(*scimAttrJSON) {
	return func(a *scimAttrJSON) { a.Type, a.ReferenceTypes = "reference", r }
}

type scimSchemaJSON struct {
	Schemas     []string       `json:"schemas"`
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Attributes  []scimAttrJSON `json:"attributes"`
	Meta        scimMetaJSON   `json:"meta"`
}

func (h *Handler) scimSchemaList() []scimSchemaJSON {
	meta := func(id string) scimMetaJSON {
		return scimMetaJSON{ResourceType: "Schema", Location: h.scimURL("/Schemas/" + id)}
	}
	user := scimSchemaJSON{Schemas: []string{schemaSchema}, ID: schemaUser, Name: "User", Description: "A member of the organisation", Meta: meta(schemaUser),
		Attributes: []scimAttrJSON{
			scimAttr("userName", "The member's email address, which they sign in with. Unique across Canopy.", saRequired, saServerUnique),
			scimAttr("name", "The member's name. formatted is the display name; givenName and familyName are kept and returned as sent, and make the display name when no displayName or formatted name is given.", saSubs(
				scimAttr("formatted", "The whole name, as displayName."),
				scimAttr("givenName", "Given name, returned as sent."),
				scimAttr("familyName", "Family name, returned as sent."),
			)),
			scimAttr("displayName", "The name shown to others (1 to 100 characters)."),
			scimAttr("emails", "The member's one email address, the same as userName. Set it through userName.", saMulti, saReadOnly, saSubs(
				scimAttr("value", "The email address.", saReadOnly),
				scimAttr("type", "Always work.", saReadOnly, saValues("work")),
				scimAttr("primary", "Always true.", saType("boolean"), saReadOnly),
			)),
			scimAttr("active", "Whether the membership is in force. false deactivates the member and ends their sessions and API tokens at once.", saType("boolean")),
			scimAttr("preferredLanguage", `The interface language: "en" or "zh-CN" (other English and simplified Chinese tags are mapped; other languages are ignored).`),
			scimAttr("locale", "Read as preferredLanguage when that is not given."),
			scimAttr("timezone", "An IANA time zone such as Asia/Shanghai; an unknown zone is ignored."),
			scimAttr("password", "An initial password, on create only; it must pass Canopy's password policy. Without one the member signs in by single sign-on or sets a password later.", saWriteOnly),
		}}
	enterprise := scimSchemaJSON{Schemas: []string{schemaSchema}, ID: schemaEnterprise, Name: "EnterpriseUser", Description: "Enterprise User", Meta: meta(schemaEnterprise),
		Attributes: []scimAttrJSON{
			scimAttr("department", `The member's primary department, by name or by a path of names below the root ("Engineering/Backend"); departments that do not exist are made. It replaces the previous primary department; other departments stay.`),
		}}
	group := scimSchemaJSON{Schemas: []string{schemaSchema}, ID: schemaGroup, Name: "Group", Description: "A sub-group of up to 1000 members", Meta: meta(schemaGroup),
		Attributes: []scimAttrJSON{
			scimAttr("displayName", "The group's name (1 to 100 characters).", saRequired),
			scimAttr("members", "The group's members, at most 1000.", saMulti, saSubs(
				scimAttr("value", "The user's id.", saImmutable, saCaseExact),
				scimAttr("$ref", "The user's URI.", saImmutable, saRefs("User")),
				scimAttr("display", "The user's display name.", saReadOnly),
				scimAttr("type", "Always User.", saImmutable, saValues("User")),
			)),
		}}
	return []scimSchemaJSON{user, enterprise, group}
}

func (h *Handler) scimSchemas(c echo.Context) error {
	list := h.scimSchemaList()
	items := make([]any, len(list))
	for i, sc := range list {
		items[i] = sc
	}
	return writeSCIM(c, http.StatusOK, scimList(len(items), 1, items))
}

func (h *Handler) scimSchema(c echo.Context) error {
	for _, sc := range h.scimSchemaList() {
		if strings.EqualFold(sc.ID, c.Param("id")) {
			return writeSCIM(c, http.StatusOK, sc)
		}
	}
	return errs.NotFoundf("schema")
}

type scimSchemaExtensionJSON struct {
	Schema   string `json:"schema"`
	Required bool   `json:"required"`
}

type scimResourceTypeJSON struct {
	Schemas          []string                  `json:"schemas"`
	ID               string                    `json:"id"`
	Name             string                    `json:"name"`
	Endpoint         string                    `json:"endpoint"`
	Description      string                    `json:"description"`
	Schema           string                    `json:"schema"`
	SchemaExtensions []scimSchemaExtensionJSON `json:"schemaExtensions"`
	Meta             scimMetaJSON              `json:"meta"`
}

func (h *Handler) scimResourceTypeList() []scimResourceTypeJSON {
	meta := func(id string) scimMetaJSON {
		return scimMetaJSON{ResourceType: "ResourceType", Location: h.scimURL("/ResourceTypes/" + id)}
	}
	return []scimResourceTypeJSON{
		{Schemas: []string{schemaResourceType}, ID: "User", Name: "User", Endpoint: "/Users", Description: "Members of the organisation",
			Schema: schemaUser, SchemaExtensions: []scimSchemaExtensionJSON{{Schema: schemaEnterprise}}, Meta: meta("User")},
		{Schemas: []string{schemaResourceType}, ID: "Group", Name: "Group", Endpoint: "/Groups", Description: "Sub-groups of the organisation",
			Schema: schemaGroup, SchemaExtensions: []scimSchemaExtensionJSON{}, Meta: meta("Group")},
	}
}

func (h *Handler) scimResourceTypes(c echo.Context) error {
	list := h.scimResourceTypeList()
	items := make([]any, len(list))
	for i, rt := range list {
		items[i] = rt
	}
	return writeSCIM(c, http.StatusOK, scimList(len(items), 1, items))
}

func (h *Handler) scimResourceType(c echo.Context) error {
	for _, rt := range h.scimResourceTypeList() {
		if strings.EqualFold(rt.ID, c.Param("id")) {
			return writeSCIM(c, http.StatusOK, rt)
		}
	}
	return errs.NotFoundf("resource type")
}

func (h *Handler) scimServiceProviderConfig(c echo.Context) error {
	type supported struct {
		Supported bool `json:"supported"`
	}
	return writeSCIM(c, http.StatusOK, map[string]any{
		"schemas":        []string{schemaSPConfig},
		"patch":          supported{true},
		"bulk":           map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":         map[string]any{"supported": true, "maxResults": 200},
		"changePassword": supported{false},
		"sort":           supported{false},
		"etag":           supported{false},
		"authenticationSchemes": []map[string]any{{
			"type": "oauthbearertoken", "name": "OAuth Bearer Token", "primary": true,
			"description": "A Canopy SCIM token, sent as Authorization: Bearer <token>. Owners and admins make one in the console (Settings, SCIM) or with canopy admin create-token --scope scim.",
		}},
		"meta": scimMetaJSON{ResourceType: "ServiceProviderConfig", Location: h.scimURL("/ServiceProviderConfig")},
	})
}
