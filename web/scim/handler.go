// Package scim is Canopy's SCIM 2.0 service (RFC 7643, RFC 7644) at /scim/v2, for identity
// providers such as Okta and Microsoft Entra ID, and the console's management of SCIM tokens.
// It reads the filter and PATCH path syntax itself (filter.go), and maps attributes onto what
// Canopy keeps.
package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"canopy/app/authz"
	appidentity "canopy/app/identity"
	appscim "canopy/app/scim"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/web/server"
)

// The /scim/v2 routes live outside /api/v1: they take only SCIM tokens, speak
// application/scim+json, and answer errors in SCIM's shape (see writeSCIMError).

// Service is what the handlers need of the SCIM use cases. Actor returns Unauthenticated or
// Forbidden for a token that may not provision; the others return NotFound for what is not in
// the token's organisation, Invalid and Conflict (uniqueness) as each use case says.
type Service interface {
	Actor(ctx context.Context, p appidentity.Principal) (authz.Actor, error)

	Users(ctx context.Context, a authz.Actor, f appscim.Expr, limit, offset int) ([]appscim.User, int, error)
	User(ctx context.Context, a authz.Actor, id uuid.UUID) (appscim.User, error)
	CreateUser(ctx context.Context, a authz.Actor, in appscim.UserInput) (appscim.User, error)
	UpdateUser(ctx context.Context, a authz.Actor, id uuid.UUID, c appscim.UserChange) (appscim.User, error)
	DeleteUser(ctx context.Context, a authz.Actor, id uuid.UUID) error

	Groups(ctx context.Context, a authz.Actor, f appscim.Expr, limit, offset int, withMembers bool) ([]appscim.Group, int, error)
	Group(ctx context.Context, a authz.Actor, id uuid.UUID, withMembers bool) (appscim.Group, error)
	CreateGroup(ctx context.Context, a authz.Actor, in appscim.GroupInput) (appscim.Group, error)
	ReplaceGroup(ctx context.Context, a authz.Actor, id uuid.UUID, in appscim.GroupInput) (appscim.Group, error)
	PatchGroup(ctx context.Context, a authz.Actor, id uuid.UUID, p appscim.GroupPatch) (appscim.Group, error)
	DeleteGroup(ctx context.Context, a authz.Actor, id uuid.UUID) error

	Tokens(ctx context.Context, a authz.Actor) ([]appscim.Token, error)
	CreateToken(ctx context.Context, a authz.Actor, name string, ttl time.Duration) (appscim.Token, string, error)
	RevokeToken(ctx context.Context, a authz.Actor, tokenID uuid.UUID) error
}

// TokenAuthenticator finds the principal of a bearer token; it returns Unauthenticated for a
// token that is wrong, expired or revoked.
type TokenAuthenticator interface {
	AuthenticateToken(ctx context.Context, secret string) (appidentity.Principal, error)
}

// Handler serves SCIM and the SCIM token routes.
type Handler struct {
	svc       Service
	tokens    TokenAuthenticator
	publicURL string
}

// New returns the SCIM handlers; publicURL makes the resources' locations.
func New(svc Service, tokens TokenAuthenticator, publicURL string) *Handler {
	return &Handler{svc: svc, tokens: tokens, publicURL: publicURL}
}

const scimBase = "/scim/v2"

// The SCIM schema and message URNs.
const (
	schemaUser         = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaEnterprise   = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	schemaGroup        = "urn:ietf:params:scim:schemas:core:2.0:Group"
	schemaListResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	schemaError        = "urn:ietf:params:scim:api:messages:2.0:Error"
	schemaPatchOp      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	schemaSPConfig     = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	schemaResourceType = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	schemaSchema       = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

const scimContentType = "application/scim+json"

// Level is the access level of the /scim/v2 routes: they need a SCIM token whose owner holds
// members.manage in the token's organisation, which is the organisation every request acts in.
const Level server.Level = "scim"

// Access is the declaration of the /scim/v2 routes.
var Access = server.Access{Level: Level, Permission: access.MembersManage}

// Register adds the /scim/v2 routes, whose errors take SCIM's shape, and the console's SCIM
// token routes under /api/v1.
func (h *Handler) Register(r *server.Router) {
	adm := "/admin/orgs/:orgID"
	r.Add(server.Needs(access.TokensManage), http.MethodGet, adm+"/scim-tokens", h.listSCIMTokens)
	r.Add(server.Needs(access.TokensManage), http.MethodPost, adm+"/scim-tokens", h.createSCIMToken)
	r.Add(server.Needs(access.TokensManage), http.MethodDelete, adm+"/scim-tokens/:scimTokenID", h.revokeSCIMToken)

	area := r.Mount("/scim", h.writeSCIMError)
	for _, rt := range []struct {
		method, path string
		fn           echo.HandlerFunc
	}{
		{http.MethodGet, "/ServiceProviderConfig", h.scimServiceProviderConfig},
		{http.MethodGet, "/ResourceTypes", h.scimResourceTypes},
		{http.MethodGet, "/ResourceTypes/:id", h.scimResourceType},
		{http.MethodGet, "/Schemas", h.scimSchemas},
		{http.MethodGet, "/Schemas/:id", h.scimSchema},
		{http.MethodGet, "/Users", h.scimListUsers},
		{http.MethodPost, "/Users", h.scimCreateUser},
		{http.MethodGet, "/Users/:id", h.scimGetUser},
		{http.MethodPut, "/Users/:id", h.scimReplaceUser},
		{http.MethodPatch, "/Users/:id", h.scimPatchUser},
		{http.MethodDelete, "/Users/:id", h.scimDeleteUser},
		{http.MethodGet, "/Groups", h.scimListGroups},
		{http.MethodPost, "/Groups", h.scimCreateGroup},
		{http.MethodGet, "/Groups/:id", h.scimGetGroup},
		{http.MethodPut, "/Groups/:id", h.scimReplaceGroup},
		{http.MethodPatch, "/Groups/:id", h.scimPatchGroup},
		{http.MethodDelete, "/Groups/:id", h.scimDeleteGroup},
	} {
		area.Add(Access, rt.method, "/v2"+rt.path, rt.fn, h.scimAuth)
	}
}

// scimAuth accepts only a bearer SCIM token, never a session cookie, and resolves the member it
// acts as. No token is 401, a token without the scim scope 403.
func (h *Handler) scimAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		hdr := c.Request().Header.Get(echo.HeaderAuthorization)
		if hdr == "" {
			return errs.E(errs.Unauthenticated, "unauthenticated", "SCIM needs the header Authorization: Bearer <SCIM token>")
		}
		scheme, secret, _ := strings.Cut(hdr, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			return errs.E(errs.Unauthenticated, "invalid_token", "Authorization must be \"Bearer <SCIM token>\"")
		}
		p, err := h.tokens.AuthenticateToken(c.Request().Context(), strings.TrimSpace(secret))
		if err != nil {
			return err
		}
		p.IP = c.RealIP()
		a, err := h.svc.Actor(c.Request().Context(), p)
		if err != nil {
			return err
		}
		server.SetCaller(c, p, a)
		return next(c)
	}
}

// scimTypes says which SCIM error type (RFC 7644 section 3.12) a Canopy error code is.
var scimTypes = map[string]string{
	"invalid_filter":    "invalidFilter",
	"invalid_path":      "invalidPath",
	"invalid_syntax":    "invalidSyntax",
	"mutability":        "mutability",
	"no_target":         "noTarget",
	"email_taken":       "uniqueness",
	"already_member":    "uniqueness",
	"external_id_taken": "uniqueness",
	// The email's account is outside the organisation: the person was invited instead.
	"invited": "uniqueness",
}

type scimErrorJSON struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail"`
}

// writeSCIMError writes an error in SCIM's shape; the server's error handler calls it for every
// /scim request,
// so refusals made before a handler runs (404, 405, 413) take the same shape.
func (h *Handler) writeSCIMError(c echo.Context, status int, code, message string) {
	t := scimTypes[code]
	if t == "" && status == http.StatusBadRequest {
		t = "invalidValue"
	}
	if status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="canopy-scim"`)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = writeSCIM(c, status, scimErrorJSON{Schemas: []string{schemaError}, Status: strconv.Itoa(status), ScimType: t, Detail: message})
}

func writeSCIM(c echo.Context, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.Blob(status, scimContentType, b)
}

func (h *Handler) scimURL(path string) string {
	return strings.TrimRight(h.publicURL, "/") + scimBase + path
}

func scimInvalid(code, message string) error { return errs.E(errs.Invalid, code, message) }

// readSCIMBody decodes a request body into a JSON object. Both application/scim+json and
// application/json are accepted, as RFC 7644 section 3.1 asks. Attributes Canopy does not keep
// are allowed, because identity providers send many of them; but every string in the body must
// be text (server.CheckJSONText), so a NUL or a byte that is not UTF-8 is refused with
// invalidValue naming the attribute, as it is on every other route.
func readSCIMBody(c echo.Context) (map[string]any, error) {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || (mt != scimContentType && mt != echo.MIMEApplicationJSON) {
		return nil, echo.NewHTTPError(http.StatusUnsupportedMediaType, "Content-Type must be application/scim+json or application/json")
	}
	data, err := server.ReadBody(c.Request().Body)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, scimInvalid("invalid_syntax", "the request body is empty; send a JSON object")
		}
		return nil, scimInvalid("invalid_syntax", "the body is not valid JSON")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, scimInvalid("invalid_syntax", "the body must be a JSON object")
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		return nil, scimInvalid("invalid_syntax", "the body must hold exactly one JSON object")
	}
	if err := server.CheckJSONText(data); err != nil {
		return nil, err
	}
	return obj, nil
}

// member returns an object's attribute by name; SCIM attribute names are case-insensitive.
func member(obj map[string]any, name string) (any, bool) {
	if v, ok := obj[name]; ok {
		return v, true
	}
	for k, v := range obj {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// checkSchemas refuses a body whose "schemas" leaves out the one the endpoint takes. A body
// without "schemas" is taken as it is: RFC 7644 requires it, but being strict here breaks
// provisioning for nothing.
func checkSchemas(obj map[string]any, want string, required bool) error {
	v, ok := member(obj, "schemas")
	if !ok || v == nil {
		if required {
			return scimInvalid("invalid_syntax", `"schemas" must list `+want)
		}
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return scimInvalid("invalid_syntax", `"schemas" must be an array of schema URNs`)
	}
	for _, x := range list {
		if s, ok := x.(string); ok && strings.EqualFold(s, want) {
			return nil
		}
	}
	return scimInvalid("invalid_syntax", `"schemas" must list `+want)
}

// queryParam reads a query parameter by a case-insensitive name.
func queryParam(c echo.Context, name string) string {
	if v := c.QueryParam(name); v != "" {
		return v
	}
	for k, vs := range c.QueryParams() {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// scimPage reads startIndex (1-based; below 1 means 1) and count (default 100, at most 200;
// below 0 means 0, which asks only for totalResults), as RFC 7644 section 3.4.2.4 says.
func scimPage(c echo.Context) (startIndex, count int, err error) {
	startIndex, count = 1, 100
	if v := queryParam(c, "startIndex"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, 0, scimInvalid("invalid_value", "startIndex must be an integer")
		}
		startIndex = max(n, 1)
	}
	if v := queryParam(c, "count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, 0, scimInvalid("invalid_value", "count must be an integer")
		}
		count = min(max(n, 0), appscim.MaxPage)
	}
	return startIndex, count, nil
}

type scimListJSON struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	ItemsPerPage int      `json:"itemsPerPage"`
	StartIndex   int      `json:"startIndex"`
	Resources    []any    `json:"Resources"`
}

func scimList(total, startIndex int, items []any) scimListJSON {
	if items == nil {
		items = []any{}
	}
	return scimListJSON{Schemas: []string{schemaListResponse}, TotalResults: total, ItemsPerPage: len(items), StartIndex: startIndex, Resources: items}
}

type scimMetaJSON struct {
	ResourceType string     `json:"resourceType"`
	Created      *time.Time `json:"created,omitempty"`
	LastModified *time.Time `json:"lastModified,omitempty"`
	Location     string     `json:"location"`
}

func scimMeta(resourceType, location string, created, modified time.Time) scimMetaJSON {
	c, m := created.UTC(), modified.UTC()
	if m.Before(c) {
		m = c
	}
	return scimMetaJSON{ResourceType: resourceType, Created: &c, LastModified: &m, Location: location}
}

// scimFilter parses the filter query parameter and maps its attributes with resolve.
func scimFilter(c echo.Context, resolve attrResolver) (appscim.Expr, error) {
	f := queryParam(c, "filter")
	if f == "" {
		return nil, nil
	}
	n, err := ParseFilter(f)
	if err != nil {
		return nil, scimInvalid("invalid_filter", "invalid filter: "+err.Error())
	}
	return toExpr(n, resolve)
}

// wantsMembers reports whether a group's members belong in the answer: not when the caller
// excludes them, or names the attributes it wants and leaves them out.
func wantsMembers(c echo.Context) bool {
	named := func(list string) bool {
		for _, a := range strings.Split(list, ",") {
			a = strings.TrimSpace(a)
			if i := strings.LastIndexByte(a, ':'); i >= 0 {
				a = a[i+1:]
			}
			if strings.EqualFold(a, "members") || strings.HasPrefix(strings.ToLower(a), "members.") {
				return true
			}
		}
		return false
	}
	if ex := queryParam(c, "excludedAttributes"); ex != "" && named(ex) {
		return false
	}
	if at := queryParam(c, "attributes"); at != "" && !named(at) {
		return false
	}
	return true
}
