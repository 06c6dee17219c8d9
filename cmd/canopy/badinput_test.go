package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/text"
	"canopy/web/api"
	"canopy/web/server"
)

// Bad input never becomes a 500: hostile text is refused with a 400 naming the field, wherever
// it comes in.

// openAPIDoc is the API contract, read to learn each route's body and parameters.
type openAPIDoc map[string]any

func mustOpenAPI(t testing.TB) openAPIDoc {
	t.Helper()
	raw, err := api.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// resolve follows $ref within the document.
func (d openAPIDoc) resolve(v any) map[string]any {
	m, _ := v.(map[string]any)
	for m != nil {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		var cur any = map[string]any(d)
		for _, p := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			cur = cur.(map[string]any)[p]
		}
		m, _ = cur.(map[string]any)
	}
	return m
}

// operation returns a route's operation and its parameters (the path's and the operation's).
func (d openAPIDoc) operation(r server.Route) (map[string]any, []map[string]any) {
	path := r.Path
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, ":") {
			path = strings.Replace(path, seg, "{"+seg[1:]+"}", 1)
		}
	}
	item := d.resolve(d["paths"].(map[string]any)[path])
	if item == nil {
		return nil, nil
	}
	op := d.resolve(item[strings.ToLower(r.Method)])
	var params []map[string]any
	for _, src := range []map[string]any{item, op} {
		ps, _ := src["parameters"].([]any)
		for _, p := range ps {
			params = append(params, d.resolve(p))
		}
	}
	return op, params
}

// bodySchema is the schema of an operation's JSON body, nil when it takes none.
func (d openAPIDoc) bodySchema(op map[string]any) map[string]any {
	rb := d.resolve(op["requestBody"])
	if rb == nil {
		return nil
	}
	content, _ := rb["content"].(map[string]any)
	mt := d.resolve(content["application/json"])
	if mt == nil {
		return nil
	}
	return d.resolve(mt["schema"])
}

// flatten merges allOf and picks the first alternative of oneOf and anyOf that is not null.
func (d openAPIDoc) flatten(s map[string]any) map[string]any {
	s = d.resolve(s)
	if s == nil {
		return map[string]any{}
	}
	if all, ok := s["allOf"].([]any); ok {
		out := map[string]any{"type": "object", "properties": map[string]any{}}
		for _, part := range all {
			p := d.flatten(d.resolve(part))
			for k, v := range p {
				if k != "properties" {
					out[k] = v
				}
			}
			props, _ := p["properties"].(map[string]any)
			for k, v := range props {
				out["properties"].(map[string]any)[k] = v
			}
		}
		return out
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		if alts, ok := s[k].([]any); ok {
			for _, a := range alts {
				if a := d.flatten(d.resolve(a)); schemaType(a) != "null" {
					return a
				}
			}
		}
	}
	return s
}

// schemaType is a schema's type, the first that is not null when it lists several.
func schemaType(s map[string]any) string {
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if x != "null" {
				return x.(string)
			}
		}
		return "null"
	}
	if _, ok := s["properties"]; ok {
		return "object"
	}
	return ""
}

// textLeaf is a string field of a body, by its JSON path.
type textLeaf struct {
	path string
	// free says the field is free text, which only the text rule refuses: neither an enum nor
	// a uuid or a time, whose decoding may refuse a bad value in its own words first.
	free bool
}

const badMark = "BAD-VALUE-MARK"

// example builds a body of the schema's shape with every field set, and the field at target set
// to badMark; it lists the string fields in leaves.
func (d openAPIDoc) example(s map[string]any, at, target string, leaves *[]textLeaf) any {
	s = d.flatten(s)
	switch schemaType(s) {
	case "object":
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		for name, ps := range props {
			if ro, _ := d.resolve(ps)["readOnly"].(bool); ro {
				continue
			}
			p := name
			if at != "" {
				p = at + "." + name
			}
			out[name] = d.example(d.resolve(ps), p, target, leaves)
		}
		return out
	case "array":
		return []any{d.example(d.resolve(s["items"]), at+"[0]", target, leaves)}
	case "integer", "number":
		if m, ok := s["minimum"].(float64); ok {
			return m
		}
		return 1
	case "boolean":
		return false
	case "string", "":
		_, enum := s["enum"]
		format, _ := s["format"].(string)
		*leaves = append(*leaves, textLeaf{path: at, free: !enum && format != "uuid" && format != "date-time"})
		if at == target {
			return badMark
		}
		switch {
		case enum:
			return s["enum"].([]any)[0]
		case format == "uuid":
			return uuid.NewString()
		case format == "date-time":
			return time.Now().UTC().Format(time.RFC3339)
		case format == "email":
			return "someone@example.com"
		}
		return "text"
	}
	return nil
}

// badText is hostile text as it is written inside a JSON string, and the code it must get.
var badText = []struct {
	name, json, code string
}{
	{"NUL", `a\u0000b`, text.CodeControlCharacter},
	{"escape", `a\u001bb`, text.CodeControlCharacter},
	{"C1 control", `a\u0085b`, text.CodeControlCharacter},
	{"invalid UTF-8", "a\xffb", text.CodeInvalidUTF8},
	{"truncated UTF-8", "a\xe5\xbc", text.CodeInvalidUTF8},
}

// oddText is text a field may accept or refuse but must never answer 500 for: 10,000
// characters, a Chinese name, and a string of zero-width characters only.
var oddText = []string{strings.Repeat("长", 10000), "张伟", "\u200b\u200c\u200d"}

// mustBadRequest checks that a response is the one error shape with status 400 and returns its
// code and message.
func mustBadRequest(t testing.TB, what string, r response) (code, message string) {
	t.Helper()
	if r.status != 400 {
		t.Errorf("%s: got %d, want 400: %s", what, r.status, r.body)
		return "", ""
	}
	var m struct {
		Error struct{ Code, Message, RequestID string } `json:"error"`
	}
	if err := json.Unmarshal(r.body, &m); err != nil || m.Error.Code == "" || m.Error.Message == "" || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("%s: not the JSON error body: %s", what, r.body)
	}
	return m.Error.Code, m.Error.Message
}

// TestBadInputEveryRoute sends hostile text (a NUL, other control characters, bytes that are not
// UTF-8) in every text field of every JSON body, every query parameter and every text path
// parameter of every /api/v1 route in the route registry, as the OpenAPI document describes them:
// each answers 400 with the JSON error body naming the field, and never 500. Before, 18 routes
// answered these with 500 (PostgreSQL refuses a NUL and invalid UTF-8), one of them to anybody
// (signing in). A route added later is covered as soon as it is registered and documented.
func TestBadInputEveryRoute(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Hostile", "it@hostile.example")
	// The installation's own routes are covered too.
	if err := e.stack.db.Exec(`UPDATE users SET installation_admin = true WHERE lower(email) = 'it@hostile.example'`).Error; err != nil {
		t.Fatal(err)
	}
	anon := e.client()
	doc := mustOpenAPI(t)
	// Real ids, so that a request the text rule did not stop would reach the database.
	d := dir{owner: o, t: t}
	ids := map[string]string{
		"orgID":        o.orgID,
		"userID":       d.mustUser("pat@hostile.example", "Pat"),
		"departmentID": d.mustDept("", "Engineering"),
		"groupID":      o.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Platform"})["id"].(string),
		"roleID":       o.c.must(201, "POST", d.admin("/roles"), map[string]any{"name": "Auditor", "permissions": []string{"audit.read"}})["id"].(string),
		"tokenID":      o.c.must(201, "POST", d.org("/tokens"), map[string]any{"name": "ci"})["token"].(map[string]any)["id"].(string),
		"token":        o.mustInvite(nil),
	}

	bodies, params := 0, 0
	var covered []string
	for _, r := range e.srv.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		op, ps := doc.operation(r)
		if op == nil {
			t.Errorf("%s %s is not in the OpenAPI document", r.Method, r.Path)
			continue
		}
		c := o.c
		if r.Access.Level == server.LevelPublic || r.Access.Level == server.LevelOptional {
			c = anon
		}
		// Path parameters: the organisation is the caller's; any other id will do, since
		// bodies and parameters are checked before anything is looked up.
		path := r.Path
		var textParams []string
		for _, seg := range strings.Split(r.Path, "/") {
			if !strings.HasPrefix(seg, ":") {
				continue
			}
			v, ok := ids[seg[1:]]
			if !ok {
				v = uuid.NewString()
			}
			path = strings.Replace(path, seg, v, 1)
			for _, p := range ps {
				if p["name"] == seg[1:] && p["in"] == "path" && doc.resolve(p["schema"])["format"] != "uuid" {
					textParams = append(textParams, seg)
				}
			}
		}
		route := r.Method + " " + r.Path
		exercised := false

		if s := doc.bodySchema(op); s != nil && (r.Method == "POST" || r.Method == "PUT" || r.Method == "PATCH") {
			var leaves []textLeaf
			doc.example(s, "", "", &leaves)
			for _, leaf := range leaves {
				raw, err := json.Marshal(doc.example(s, "", leaf.path, &[]textLeaf{}))
				if err != nil {
					t.Fatal(err)
				}
				for _, bad := range badText {
					body := bytes.Replace(raw, []byte(`"`+badMark+`"`), []byte(`"`+bad.json+`"`), 1)
					what := fmt.Sprintf("%s with %s in %s", route, bad.name, leaf.path)
					code, msg := mustBadRequest(t, what, c.raw(r.Method, path, "application/json", body))
					if leaf.free && (code != bad.code || !strings.HasPrefix(msg, leaf.path+": ")) {
						t.Errorf("%s: got %s %q, want %s naming %s", what, code, msg, bad.code, leaf.path)
					}
				}
				// Odd but valid text, too long text and text with nothing to see may be
				// accepted or refused, but never answer 500 (raw fails the test on any 5xx).
				for _, odd := range oddText {
					body := bytes.Replace(raw, []byte(`"`+badMark+`"`), []byte(`"`+odd+`"`), 1)
					if r := c.raw(r.Method, path, "application/json", body); r.status >= 500 {
						t.Errorf("%s with %.20q… in %s: %d", route, odd, leaf.path, r.status)
					}
				}
				exercised = true
			}
			if len(leaves) > 0 {
				bodies++
			}
		}

		for _, p := range ps {
			if p["in"] != "query" {
				continue
			}
			name := p["name"].(string)
			for _, bad := range []struct{ name, escaped, code string }{
				{"NUL", "a%00b", text.CodeControlCharacter},
				{"a line feed's cousin, U+0085", "a%C2%85b", text.CodeControlCharacter},
				{"invalid UTF-8", "a%FFb", text.CodeInvalidUTF8},
			} {
				what := fmt.Sprintf("%s with %s in ?%s", route, bad.name, name)
				code, msg := mustBadRequest(t, what, c.raw(r.Method, path+"?"+url.QueryEscape(name)+"="+bad.escaped, "", nil))
				if code != bad.code || !strings.HasPrefix(msg, name+": ") {
					t.Errorf("%s: got %s %q", what, code, msg)
				}
			}
			for _, odd := range oddText {
				if r := c.raw(r.Method, path+"?"+url.QueryEscape(name)+"="+url.QueryEscape(odd), "", nil); r.status >= 500 {
					t.Errorf("%s with %.20q… in ?%s: %d", route, odd, name, r.status)
				}
			}
			params++
			exercised = true
		}

		for _, seg := range textParams {
			p := strings.Replace(r.Path, seg, "a%00b", 1)
			for _, other := range strings.Split(p, "/") {
				if strings.HasPrefix(other, ":") {
					v, ok := ids[other[1:]]
					if !ok {
						v = uuid.NewString()
					}
					p = strings.Replace(p, other, v, 1)
				}
			}
			what := fmt.Sprintf("%s with NUL in %s", route, seg)
			if code, _ := mustBadRequest(t, what, c.raw(r.Method, p, "", nil)); code != text.CodeControlCharacter {
				t.Errorf("%s: got %s", what, code)
			}
			exercised = true
		}
		if exercised {
			covered = append(covered, route)
		}
	}
	sort.Strings(covered)
	t.Logf("%d routes covered (%d with JSON bodies, %d query parameters):\n  %s", len(covered), bodies, params, strings.Join(covered, "\n  "))
	if bodies < 25 || params < 10 {
		t.Fatalf("only %d bodies and %d query parameters were exercised; the OpenAPI document or the route registry lost them", bodies, params)
	}
	// Nothing above stored anything: the owner's organisation is as it was.
	if m := o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/members", nil); m["total"] != float64(2) {
		t.Fatalf("members after the sweep: %v", m)
	}
}

// TestBadInputNames: names are refused by the one text rule, whichever door they come through:
// bidirectional overrides, names of invisible characters only, and department and group names
// that cannot stand in a path.
func TestBadInputNames(t *testing.T) {
	e := newTestEnv(t)
	e.startImports()
	d := e.mustDir("Names", "it@names.example")
	dept := d.mustDept("", "Engineering")
	group := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Platform"})["id"].(string)
	token := d.mustInvite(nil)
	p := e.idp(d.mustSCIMToken("Okta"))

	const (
		bidi      = "Ada\u202eecalevoL" // shows as "AdaLovelace" reversed
		isolate   = "\u2067Ada\u2069"
		invisible = "\u200b\u200d\u2060"
		blank     = "\u3164\u115f"
	)
	for _, c := range []struct {
		name, method, path string
		body               any
		code               string
	}{
		{"my name with a bidi override", "PATCH", "/api/v1/me", map[string]any{"display_name": bidi}, text.CodeBidiControl},
		{"my name with an isolate", "PATCH", "/api/v1/me", map[string]any{"display_name": isolate}, text.CodeBidiControl},
		{"my name of zero-width characters", "PATCH", "/api/v1/me", map[string]any{"display_name": invisible}, text.CodeNoVisibleCharacter},
		{"my name of Hangul fillers", "PATCH", "/api/v1/me", map[string]any{"display_name": blank}, text.CodeNoVisibleCharacter},
		{"a new member's name", "POST", d.admin("/users"), map[string]any{"email": "eve@names.example", "display_name": bidi}, text.CodeBidiControl},
		{"a new member's invisible name", "POST", d.admin("/users"), map[string]any{"email": "eve@names.example", "display_name": invisible}, text.CodeNoVisibleCharacter},
		{"the organisation's name", "PATCH", d.org(""), map[string]any{"name": bidi}, text.CodeBidiControl},
		{"a department named .", "POST", d.admin("/departments"), map[string]any{"name": "."}, text.CodeReservedName},
		{"a department named ..", "POST", d.admin("/departments"), map[string]any{"name": ".."}, text.CodeReservedName},
		{"a department named . with spaces", "POST", d.admin("/departments"), map[string]any{"name": " .. "}, text.CodeReservedName},
		{"a department with a slash", "POST", d.admin("/departments"), map[string]any{"name": "Sales/EMEA"}, text.CodePathSeparator},
		{"a department renamed ..", "PATCH", d.admin("/departments/" + dept), map[string]any{"name": ".."}, text.CodeReservedName},
		{"a department of zero-width characters", "POST", d.admin("/departments"), map[string]any{"name": invisible}, text.CodeNoVisibleCharacter},
		{"a group named ..", "POST", d.admin("/groups"), map[string]any{"name": ".."}, text.CodeReservedName},
		{"a group renamed with a bidi override", "PATCH", d.admin("/groups/" + group), map[string]any{"name": bidi}, text.CodeBidiControl},
		{"a role of zero-width characters", "POST", d.admin("/roles"), map[string]any{"name": invisible, "permissions": []string{"org.read"}}, text.CodeNoVisibleCharacter},
		{"a token named with a bidi override", "POST", d.org("/tokens"), map[string]any{"name": bidi}, text.CodeBidiControl},
	} {
		r := d.c.do(c.method, c.path, c.body)
		if code, _ := mustBadRequest(t, c.name, r); code != c.code {
			t.Errorf("%s: got %s, want %s", c.name, code, c.code)
		}
	}
	// Signing up through an invitation, without an account.
	r := e.client().do("POST", "/api/v1/invitations/"+token+"/accept", map[string]any{"email": "new@names.example", "display_name": bidi, "password": "Quiet-Meadow-9"})
	if code, _ := mustBadRequest(t, "an invitation accepted with a bidi name", r); code != text.CodeBidiControl {
		t.Errorf("accept: got %s", code)
	}
	// SCIM, as providers send it.
	scimError(t, p.send("POST", "/Users", oktaUser("eve@names.example", "Eve", "\u202eevE", "x-1")), 400, "invalidValue")
	scimError(t, p.send("POST", "/Users", `{"schemas":["`+scimUserURN+`"],"userName":"zw@names.example","displayName":"`+invisible+`"}`), 400, "invalidValue")
	scimError(t, p.send("POST", "/Groups", `{"schemas":["`+scimGroupURN+`"],"displayName":".."}`), 400, "invalidValue")

	// An import path through "..": the row is refused, and no department ".." appears.
	job := d.mustImport(t, "application/json", mustJSON(t, map[string]any{"users": []map[string]any{
		{"external_id": "I1", "email": "i1@names.example", "display_name": "Ida", "departments": []string{"Engineering/../Sales"}},
		{"external_id": "I2", "email": "i2@names.example", "display_name": invisible},
	}}))
	if job["applied_rows"] != float64(0) || job["failed_rows"] != float64(2) {
		t.Fatalf("import: %s %v", counts(job), issues(job))
	}
	for _, path := range deptPaths(t, e, d.orgID) {
		if path != "Engineering" {
			t.Fatalf("a department was made: %v", deptPaths(t, e, d.orgID))
		}
	}
	// Nobody above was stored.
	if m := d.c.must(200, "GET", d.org("/members"), nil); m["total"] != float64(1) {
		t.Fatalf("members: %v", m)
	}
}

// TestBadInputSCIM: the SCIM service refuses hostile text in bodies and filters as the API does,
// with SCIM's error shape and the attribute named.
func TestBadInputSCIM(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Hostile SCIM", "it@hscim.example")
	p := e.idp(o.mustSCIMToken("Entra"))
	id := p.must(201, "POST", "/Users", oktaUser("sam@hscim.example", "Sam", "Smith", "s-1"))["id"].(string)
	for _, c := range []struct{ name, method, path, body, field string }{
		{"NUL in userName", "POST", "/Users", `{"schemas":["` + scimUserURN + `"],"userName":"a\u0000@hscim.example"}`, "userName"},
		{"NUL in givenName", "POST", "/Users", `{"userName":"b@hscim.example","name":{"givenName":"B\u0000"}}`, "name.givenName"},
		{"invalid UTF-8 in displayName", "POST", "/Users", "{\"userName\":\"c@hscim.example\",\"displayName\":\"C\xff\"}", "displayName"},
		{"a control character in an attribute Canopy does not keep", "POST", "/Users", `{"userName":"d@hscim.example","title":"\u0007"}`, "title"},
		{"NUL in a PATCH value", "PATCH", "/Users/" + id, `{"schemas":["` + scimPatchURN + `"],"Operations":[{"op":"replace","path":"displayName","value":"S\u0000"}]}`, "Operations[0].value"},
		{"NUL in a group member", "POST", "/Groups", `{"displayName":"G","members":[{"value":"` + id + `"},{"value":"\u0000"}]}`, "members[1].value"},
	} {
		d := scimError(t, p.send(c.method, c.path, c.body), 400, "invalidValue")
		if !strings.HasPrefix(d, c.field+": ") {
			t.Errorf("%s: detail %q does not name %s", c.name, d, c.field)
		}
	}
	for _, f := range []string{"userName%20eq%20%22a%00%22", "userName%20eq%20%22%FF%22"} {
		scimError(t, p.send("GET", "/Users?filter="+f, ""), 400, "invalidValue")
	}
	if u := p.must(200, "GET", "/Users/"+id, ""); u["displayName"] != "Sam Smith" {
		t.Fatalf("Sam changed: %v", u)
	}
}

// TestBadInputUserAgent: a User-Agent that is not text (a NUL, bytes that are not UTF-8) never
// fails a sign-in; the session keeps it written out as escapes. Before, PostgreSQL refused to
// store it and the sign-in answered 500, to anybody.
func TestBadInputUserAgent(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Agents", "it@agents.example")
	token := o.mustInvite(nil)
	for _, c := range []struct {
		name, method, path string
		body               any
	}{
		{"sign-in", "POST", "/api/v1/auth/login", map[string]string{"email": o.email, "password": o.pw}},
		{"invitation", "POST", "/api/v1/invitations/" + token + "/accept", map[string]string{"email": "ua@agents.example", "display_name": "Ua", "password": "Quiet-Meadow-ua"}},
	} {
		c := c
		t.Run(c.name, func(t *testing.T) {
			cl := e.client()
			// Go's client cannot send a NUL in a header, and servers refuse one; bytes that are
			// not UTF-8 pass both.
			ua := "Mozilla/5.0 \xff\xfe (X11; Linux)"
			b, _ := json.Marshal(c.body)
			r := cl.rawWith(c.method, c.path, "application/json", b, map[string]string{"User-Agent": ua})
			if r.status != 200 {
				t.Fatalf("got %d: %s", r.status, r.body)
			}
			var stored []string
			if err := e.stack.db.Raw(`SELECT user_agent FROM sessions WHERE user_agent LIKE 'Mozilla/5.0 %' ORDER BY created_at DESC LIMIT 1`).Scan(&stored).Error; err != nil {
				t.Fatal(err)
			}
			if len(stored) != 1 || stored[0] != `Mozilla/5.0 \xff\xfe (X11; Linux)` {
				t.Fatalf("stored User-Agent %q", stored)
			}
		})
	}
}
