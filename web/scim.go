package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	appscim "canopy/app/scim"
	"canopy/domain/access"
	"canopy/domain/errs"
	scimparse "canopy/web/scim"
)

// SCIM 2.0 (RFC 7643, RFC 7644) at /scim/v2, for identity providers such as Okta and Microsoft
// Entra ID. These routes live outside /api/v1: they take only SCIM tokens, speak
// application/scim+json, and answer errors in SCIM's shape (see writeSCIMError).

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

// LevelSCIM routes are the /scim/v2 routes: they need a SCIM token whose owner holds
// members.manage in the token's organisation, which is the organisation every request acts in.
const LevelSCIM Level = "scim"

// SCIM is the declaration of the /scim/v2 routes.
var SCIM = Access{Level: LevelSCIM, Permission: access.MembersManage}

// SCIMRoutes returns the SCIM routes. They are kept apart from Routes, which lists the /api/v1
// routes the OpenAPI document describes.
func (s *Server) SCIMRoutes() []Route { return s.scimRoutes }

func (s *Server) registerSCIM() {
	for _, r := range []struct {
		method, path string
		h            echo.HandlerFunc
	}{
		{http.MethodGet, "/ServiceProviderConfig", s.scimServiceProviderConfig},
		{http.MethodGet, "/ResourceTypes", s.scimResourceTypes},
		{http.MethodGet, "/ResourceTypes/:id", s.scimResourceType},
		{http.MethodGet, "/Schemas", s.scimSchemas},
		{http.MethodGet, "/Schemas/:id", s.scimSchema},
		{http.MethodGet, "/Users", s.scimListUsers},
		{http.MethodPost, "/Users", s.scimCreateUser},
		{http.MethodGet, "/Users/:id", s.scimGetUser},
		{http.MethodPut, "/Users/:id", s.scimReplaceUser},
		{http.MethodPatch, "/Users/:id", s.scimPatchUser},
		{http.MethodDelete, "/Users/:id", s.scimDeleteUser},
		{http.MethodGet, "/Groups", s.scimListGroups},
		{http.MethodPost, "/Groups", s.scimCreateGroup},
		{http.MethodGet, "/Groups/:id", s.scimGetGroup},
		{http.MethodPut, "/Groups/:id", s.scimReplaceGroup},
		{http.MethodPatch, "/Groups/:id", s.scimPatchGroup},
		{http.MethodDelete, "/Groups/:id", s.scimDeleteGroup},
	} {
		// As with s.add, the middleware goes on each route, so unknown methods answer 405.
		rt := s.echo.Add(r.method, scimBase+r.path, r.h, s.scimAuth)
		s.scimRoutes = append(s.scimRoutes, Route{Method: r.method, Path: rt.Path, Access: SCIM})
	}
}

func isSCIMRequest(c echo.Context) bool {
	p := c.Request().URL.Path
	return p == "/scim" || strings.HasPrefix(p, "/scim/")
}

// scimAuth accepts only a bearer SCIM token, never a session cookie, and resolves the member it
// acts as. No token is 401, a token without the scim scope 403.
func (s *Server) scimAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		if h == "" {
			return errs.E(errs.Unauthenticated, "unauthenticated", "SCIM needs the header Authorization: Bearer <SCIM token>")
		}
		scheme, secret, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			return errs.E(errs.Unauthenticated, "invalid_token", "Authorization must be \"Bearer <SCIM token>\"")
		}
		p, err := s.ident.AuthenticateToken(ctxOf(c), strings.TrimSpace(secret))
		if err != nil {
			return err
		}
		p.IP = c.RealIP()
		a, err := s.scim.Actor(ctxOf(c), p)
		if err != nil {
			return err
		}
		c.Set(ctxPrincipal, p)
		c.Set(ctxActor, a)
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
}

type scimErrorJSON struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail"`
}

// writeSCIMError writes an error in SCIM's shape; handleError calls it for every /scim request,
// so refusals made before a handler runs (404, 405, 413) take the same shape.
func (s *Server) writeSCIMError(c echo.Context, status int, code, message string) {
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

func (s *Server) scimURL(path string) string {
	return strings.TrimRight(s.cfg.PublicURL, "/") + scimBase + path
}

func scimInvalid(code, message string) error { return errs.E(errs.Invalid, code, message) }

// readSCIMBody decodes a request body into a JSON object. Both application/scim+json and
// application/json are accepted, as RFC 7644 section 3.1 asks. Attributes Canopy does not keep
// are allowed, because identity providers send many of them.
func readSCIMBody(c echo.Context) (map[string]any, error) {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || (mt != scimContentType && mt != echo.MIMEApplicationJSON) {
		return nil, echo.NewHTTPError(http.StatusUnsupportedMediaType, "Content-Type must be application/scim+json or application/json")
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) || err.Error() == "http: request body too large" {
			return nil, echo.ErrStatusRequestEntityTooLarge
		}
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
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, echo.ErrStatusRequestEntityTooLarge
		}
		return nil, scimInvalid("invalid_syntax", "the body must hold exactly one JSON object")
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
	n, err := scimparse.ParseFilter(f)
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
