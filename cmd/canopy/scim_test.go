package main

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"

	"canopy/infra/config"
	webscim "canopy/web/scim"
)

// The requests in these tests are written the way Okta and Microsoft Entra ID send them.

const (
	scimUserURN       = "urn:ietf:params:scim:schemas:core:2.0:User"
	scimEnterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	scimGroupURN      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	scimPatchURN      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	scimErrorURN      = "urn:ietf:params:scim:api:messages:2.0:Error"
	scimListURN       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
)

// idp is an identity provider with a SCIM token of one organisation.
type idp struct {
	t testing.TB
	c *client
}

// mustSCIMToken makes a SCIM token in the console, as an owner does, and returns its secret.
func (o owner) mustSCIMToken(name string) string {
	o.c.t.Helper()
	m := o.c.must(201, "POST", "/api/v1/admin/orgs/"+o.orgID+"/scim-tokens", map[string]any{"name": name})
	return m["secret"].(string)
}

func (e *testEnv) idp(secret string) idp { return idp{e.t, e.tokenClient(secret)} }

// send makes a SCIM request; body is JSON text, sent as application/scim+json.
func (p idp) send(method, path, body string) response {
	p.t.Helper()
	ct := ""
	if body != "" {
		ct = "application/scim+json; charset=utf-8"
	}
	return p.c.raw(method, "/scim/v2"+path, ct, []byte(body))
}

// must sends a request and fails unless it answers want; it returns the SCIM JSON body.
func (p idp) must(want int, method, path, body string) map[string]any {
	p.t.Helper()
	r := p.send(method, path, body)
	if r.status != want {
		p.t.Fatalf("%s %s: got %d, want %d: %s", method, path, r.status, want, r.body)
	}
	if len(r.body) == 0 {
		return nil
	}
	if mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type")); mt != "application/scim+json" {
		p.t.Fatalf("%s %s: Content-Type %q", method, path, r.header.Get("Content-Type"))
	}
	return r.json(p.t)
}

// scimError checks that a response is a SCIM error with the status and scimType given ("" for
// none) and returns its detail.
func scimError(t testing.TB, r response, status int, scimType string) string {
	t.Helper()
	if r.status != status {
		t.Fatalf("got %d, want %d: %s", r.status, status, r.body)
	}
	if mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type")); mt != "application/scim+json" {
		t.Fatalf("error Content-Type %q: %s", r.header.Get("Content-Type"), r.body)
	}
	m := r.json(t)
	schemas, _ := m["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != scimErrorURN || m["status"] != fmt.Sprint(status) {
		t.Fatalf("not a SCIM error body: %s", r.body)
	}
	if got, _ := m["scimType"].(string); got != scimType {
		t.Fatalf("scimType %q, want %q: %s", got, scimType, r.body)
	}
	d, _ := m["detail"].(string)
	return d
}

func q(filter string) string { return url.QueryEscape(filter) }

// resources returns a ListResponse's resources, checking its shape.
func resources(t testing.TB, m map[string]any) []map[string]any {
	t.Helper()
	if s, _ := m["schemas"].([]any); len(s) != 1 || s[0] != scimListURN {
		t.Fatalf("not a ListResponse: %v", m)
	}
	var out []map[string]any
	for _, r := range m["Resources"].([]any) {
		out = append(out, r.(map[string]any))
	}
	if int(m["itemsPerPage"].(float64)) != len(out) {
		t.Fatalf("itemsPerPage %v for %d resources", m["itemsPerPage"], len(out))
	}
	return out
}

func userNames(rs []map[string]any) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r["userName"].(string))
	}
	sort.Strings(out)
	return out
}

func memberValues(g map[string]any) []string {
	var out []string
	ms, _ := g["members"].([]any)
	for _, m := range ms {
		out = append(out, m.(map[string]any)["value"].(string))
	}
	sort.Strings(out)
	return out
}

func sorted(xs ...string) []string {
	out := append([]string(nil), xs...)
	sort.Strings(out)
	return out
}

// oktaUser is the body Okta posts to create a user.
func oktaUser(email, given, family, externalID string) string {
	return fmt.Sprintf(`{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "userName": %q,
  "name": {"givenName": %q, "familyName": %q},
  "emails": [{"primary": true, "value": %q, "type": "work"}],
  "displayName": "%s %s",
  "locale": "en-US",
  "externalId": %q,
  "groups": [],
  "active": true
}`, email, given, family, email, given, family, externalID)
}

func TestSCIMDiscovery(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Discover", "it@discover.example")
	p := e.idp(o.mustSCIMToken("Okta"))

	spc := p.must(200, "GET", "/ServiceProviderConfig", "")
	if spc["patch"].(map[string]any)["supported"] != true || spc["filter"].(map[string]any)["supported"] != true ||
		spc["bulk"].(map[string]any)["supported"] != false || spc["filter"].(map[string]any)["maxResults"] != float64(200) {
		t.Fatalf("ServiceProviderConfig: %v", spc)
	}
	if s := spc["authenticationSchemes"].([]any)[0].(map[string]any); s["type"] != "oauthbearertoken" {
		t.Fatalf("authenticationSchemes: %v", s)
	}
	rts := resources(t, p.must(200, "GET", "/ResourceTypes", ""))
	if len(rts) != 2 || rts[0]["endpoint"] != "/Users" || rts[1]["endpoint"] != "/Groups" {
		t.Fatalf("ResourceTypes: %v", rts)
	}
	user := p.must(200, "GET", "/ResourceTypes/User", "")
	if ext := user["schemaExtensions"].([]any); len(ext) != 1 || ext[0].(map[string]any)["schema"] != scimEnterpriseURN {
		t.Fatalf("User resource type: %v", user)
	}
	if !strings.HasSuffix(user["meta"].(map[string]any)["location"].(string), "/scim/v2/ResourceTypes/User") {
		t.Fatalf("User resource type location: %v", user["meta"])
	}
	schemas := resources(t, p.must(200, "GET", "/Schemas", ""))
	if len(schemas) != 3 {
		t.Fatalf("Schemas: %d", len(schemas))
	}
	us := p.must(200, "GET", "/Schemas/"+scimUserURN, "")
	names := map[string]bool{}
	for _, a := range us["attributes"].([]any) {
		names[a.(map[string]any)["name"].(string)] = true
	}
	for _, n := range []string{"userName", "name", "displayName", "emails", "active", "preferredLanguage", "timezone"} {
		if !names[n] {
			t.Errorf("the User schema lacks %s", n)
		}
	}
	p.must(200, "GET", "/Schemas/"+scimEnterpriseURN, "")
	p.must(200, "GET", "/Schemas/"+scimGroupURN, "")
	scimError(t, p.send("GET", "/Schemas/urn:example:nothing", ""), 404, "")
	scimError(t, p.send("GET", "/ResourceTypes/Printer", ""), 404, "")
}

func TestSCIMAuthentication(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Guarded", "it@guarded.example")
	secret := o.mustSCIMToken("Okta")
	p := e.idp(secret)
	p.must(200, "GET", "/Users", "")

	// No token, a wrong token, a malformed header: 401 in SCIM's shape, with a challenge.
	anon := idp{t, e.client()}
	r := anon.send("GET", "/Users", "")
	scimError(t, r, 401, "")
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("no Bearer challenge: %v", r.header)
	}
	scimError(t, e.idp("cnp_not-a-real-token").send("GET", "/Users", ""), 401, "")
	req := e.client()
	if r := req.raw("GET", "/scim/v2/Users", "", nil); r.status != 401 {
		t.Fatalf("no header: %d", r.status)
	}
	// A signed-in session is not a SCIM credential: cookies are ignored at /scim/v2.
	scimError(t, idp{t, o.c}.send("GET", "/Users", ""), 401, "")

	// An API token (scope api) is refused with 403, and the SCIM token is refused at /api/v1.
	apiSecret := o.c.must(201, "POST", "/api/v1/orgs/"+o.orgID+"/tokens", map[string]any{"name": "ci"})["secret"].(string)
	scimError(t, e.idp(apiSecret).send("GET", "/Users", ""), 403, "")
	if r := e.tokenClient(secret).do("GET", "/api/v1/me", nil); r.status != 403 || r.errorCode(t) != "token_scope" {
		t.Fatalf("SCIM token at /api/v1: %d %s", r.status, r.body)
	}

	// The CLI makes SCIM tokens too.
	var out bytes.Buffer
	if err := admin(context.Background(), e.stack.cfg, []string{"create-token", "--org", o.orgID, "--email", "it@guarded.example", "--name", "Entra", "--scope", "scim"}, &out); err != nil {
		t.Fatal(err)
	}
	cli := e.idp(strings.TrimSpace(out.String()))
	cli.must(200, "GET", "/ServiceProviderConfig", "")

	// The console lists the organisation's SCIM tokens with their creator, never their secrets.
	list := o.c.must(200, "GET", "/api/v1/admin/orgs/"+o.orgID+"/scim-tokens", nil)
	items := list["items"].([]any)
	if len(items) != 2 || strings.Contains(fmt.Sprint(list), secret) || !strings.HasSuffix(list["scim_url"].(string), "/scim/v2") {
		t.Fatalf("scim tokens: %v", list)
	}
	for _, it := range items {
		tok := it.(map[string]any)
		if tok["created_by"].(map[string]any)["email"] != "it@guarded.example" || tok["scopes"].([]any)[0] != "scim" {
			t.Fatalf("token: %v", tok)
		}
	}
	// The member's own token list is not where API tokens of others show, and an API token is
	// not a SCIM token to revoke here.
	apiID := o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/tokens", nil)["items"].([]any)
	for _, it := range apiID {
		tok := it.(map[string]any)
		if tok["scopes"].([]any)[0] == "api" {
			o.c.must(404, "DELETE", "/api/v1/admin/orgs/"+o.orgID+"/scim-tokens/"+tok["id"].(string), nil)
		}
	}
	// Revoking in the console stops the provider at once.
	var oktaID string
	for _, it := range items {
		if it.(map[string]any)["name"] == "Okta" {
			oktaID = it.(map[string]any)["id"].(string)
		}
	}
	o.c.must(204, "DELETE", "/api/v1/admin/orgs/"+o.orgID+"/scim-tokens/"+oktaID, nil)
	scimError(t, p.send("GET", "/Users", ""), 401, "")
	cli.must(200, "GET", "/Users", "")

	// A plain member may neither hold a SCIM token that works nor manage them.
	memberClient, _ := e.mustJoin(o.mustInvite(nil), "pat@guarded.example")
	memberClient.must(403, "GET", "/api/v1/admin/orgs/"+o.orgID+"/scim-tokens", nil)
	memberClient.must(403, "POST", "/api/v1/admin/orgs/"+o.orgID+"/scim-tokens", map[string]any{"name": "mine"})
	out.Reset()
	if err := admin(context.Background(), e.stack.cfg, []string{"create-token", "--org", o.orgID, "--email", "pat@guarded.example", "--name", "sneaky", "--scope", "scim"}, &out); err != nil {
		t.Fatal(err)
	}
	scimError(t, e.idp(strings.TrimSpace(out.String())).send("GET", "/Users", ""), 403, "")
}

func TestSCIMOktaUserLifecycle(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Okta Shop", "it@oktashop.example")
	p := e.idp(o.mustSCIMToken("Okta"))

	// Okta's first call: is the user there already?
	none := p.must(200, "GET", "/Users?filter="+q(`userName eq "ada.lovelace@oktashop.example"`)+"&startIndex=1&count=100", "")
	if none["totalResults"] != float64(0) || len(resources(t, none)) != 0 || none["startIndex"] != float64(1) {
		t.Fatalf("empty search: %v", none)
	}
	body := strings.Replace(oktaUser("Ada.Lovelace@oktashop.example", "Ada", "Lovelace", "00u1okta"), `"groups": [],`, `"groups": [], "password": "Analytical-Engine-1843!",`, 1)
	r := p.send("POST", "/Users", body)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	u := r.json(t)
	id := u["id"].(string)
	if u["userName"] != "ada.lovelace@oktashop.example" || u["displayName"] != "Ada Lovelace" || u["externalId"] != "00u1okta" ||
		u["active"] != true || u["preferredLanguage"] != "en" || u["name"].(map[string]any)["formatted"] != "Ada Lovelace" {
		t.Fatalf("created user: %s", r.body)
	}
	if em := u["emails"].([]any)[0].(map[string]any); em["value"] != "ada.lovelace@oktashop.example" || em["primary"] != true {
		t.Fatalf("emails: %v", u["emails"])
	}
	meta := u["meta"].(map[string]any)
	if meta["resourceType"] != "User" || meta["location"] != r.header.Get("Location") ||
		meta["location"] != strings.TrimRight(e.stack.cfg.Server.PublicURL, "/")+"/scim/v2/Users/"+id || meta["created"] == nil {
		t.Fatalf("meta %v, Location %q", meta, r.header.Get("Location"))
	}
	if _, ok := u["password"]; ok {
		t.Fatal("the password came back")
	}

	// Creating the same user again is a uniqueness conflict, by email in any case or by external id.
	scimError(t, p.send("POST", "/Users", oktaUser("ADA.LOVELACE@oktashop.example", "Ada", "Lovelace", "00u-other")), 409, "uniqueness")
	scimError(t, p.send("POST", "/Users", oktaUser("someone.else@oktashop.example", "Some", "One", "00u1okta")), 409, "uniqueness")

	got := p.must(200, "GET", "/Users/"+id, "")
	if got["userName"] != "ada.lovelace@oktashop.example" {
		t.Fatalf("get: %v", got)
	}
	// userName compares case-insensitively (RFC 7643).
	found := resources(t, p.must(200, "GET", "/Users?filter="+q(`userName eq "ADA.LOVELACE@OKTASHOP.EXAMPLE"`), ""))
	if len(found) != 1 || found[0]["id"] != id {
		t.Fatalf("search by userName: %v", found)
	}

	// She signs in with the password Okta set, an initial one she changes first.
	ada := e.client()
	ada.mustLogin("ada.lovelace@oktashop.example", "Analytical-Engine-1843!")
	if r := ada.do("GET", "/api/v1/orgs/"+o.orgID, nil); r.status != 403 || r.errorCode(t) != "password_change_required" {
		t.Fatalf("before changing the initial password: %d %s", r.status, r.body)
	}
	ada.must(204, "POST", "/api/v1/me/password", map[string]string{"current_password": "Analytical-Engine-1843!", "new_password": "Difference-Engine-1822!"})
	ada.must(200, "GET", "/api/v1/orgs/"+o.orgID, nil)

	// Okta updates the profile with PUT and the whole user.
	put := fmt.Sprintf(`{"schemas":[%q],"id":%q,"userName":"ada.lovelace@oktashop.example","name":{"givenName":"Augusta Ada","familyName":"King"},
		"emails":[{"primary":true,"value":"ada.lovelace@oktashop.example","type":"work"}],"displayName":"Augusta Ada King","locale":"zh_CN",
		"timezone":"Europe/London","externalId":"00u1okta","active":true,"groups":[]}`, scimUserURN, id)
	u = p.must(200, "PUT", "/Users/"+id, put)
	if u["displayName"] != "Augusta Ada King" || u["preferredLanguage"] != "zh-CN" || u["timezone"] != "Europe/London" {
		t.Fatalf("after PUT: %v", u)
	}
	if m := o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/members/"+id, nil); m["display_name"] != "Augusta Ada King" {
		t.Fatalf("the member after PUT: %v", m)
	}

	// Okta deactivates with a path-less replace; her session no longer reaches the
	// organisation, at once (the account itself lives on: deactivation is per organisation).
	u = p.must(200, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`)
	if u["active"] != false {
		t.Fatalf("after deactivation: %v", u)
	}
	if r := ada.do("GET", "/api/v1/orgs/"+o.orgID, nil); r.status != 404 {
		t.Fatalf("a deactivated member's session still works: %d", r.status)
	}
	inactive := resources(t, p.must(200, "GET", "/Users?filter="+q(`active eq false`), ""))
	if len(inactive) != 1 || inactive[0]["id"] != id {
		t.Fatalf("active eq false: %v", inactive)
	}
	// And reactivates the same way.
	u = p.must(200, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`)
	if u["active"] != true {
		t.Fatalf("after reactivation: %v", u)
	}
	ada.must(200, "GET", "/api/v1/orgs/"+o.orgID, nil)

	// DELETE: the user is gone for Okta (TestSCIMDeletedUserIsGone), and deactivated in
	// Canopy, which keeps what the member made.
	if r := p.send("DELETE", "/Users/"+id, ""); r.status != 204 || len(r.body) != 0 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	scimError(t, p.send("GET", "/Users/"+id, ""), 404, "")
	if m := o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/members/"+id, nil); m["status"] != "deactivated" {
		t.Fatalf("the member after DELETE: %v", m)
	}
	if r := ada.do("GET", "/api/v1/orgs/"+o.orgID, nil); r.status != 404 {
		t.Fatalf("session after DELETE: %d", r.status)
	}
}

func TestSCIMEntraUserLifecycle(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Contoso", "it@contoso.example")
	p := e.idp(o.mustSCIMToken("Microsoft Entra ID"))

	// Entra's create, with the enterprise extension's department as a path below the root.
	r := p.send("POST", "/Users", `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  "externalId": "8ae1e3a4-4c4d-4b5e-9e0c-5d0f5c8e7a11",
  "userName": "wei.zhang@contoso.example",
  "active": true,
  "displayName": "张伟",
  "emails": [{"primary": true, "type": "work", "value": "wei.zhang@contoso.example"}],
  "meta": {"resourceType": "User"},
  "name": {"formatted": "张伟", "familyName": "张", "givenName": "伟"},
  "preferredLanguage": "zh-CN",
  "title": "Engineer",
  "phoneNumbers": [{"type": "work", "value": "+86 10 5555 0100"}],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Engineering/Backend", "employeeNumber": "1001",
    "manager": {"value": "not-a-user"}}
}`)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	u := r.json(t)
	id := u["id"].(string)
	if u["displayName"] != "张伟" || u["preferredLanguage"] != "zh-CN" ||
		u[scimEnterpriseURN].(map[string]any)["department"] != "Engineering/Backend" {
		t.Fatalf("created: %s", r.body)
	}
	primaryOf := func() (primary string, all []string) {
		card := o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/people/"+id, nil)
		for _, d := range card["departments"].([]any) {
			dm := d.(map[string]any)
			all = append(all, dm["name"].(string))
			if dm["primary"] == true {
				primary = strings.Join(toStrings(dm["path_names"])[1:], "/")
			}
		}
		sort.Strings(all)
		return primary, all
	}
	if primary, all := primaryOf(); primary != "Engineering/Backend" || len(all) != 1 {
		t.Fatalf("departments after create: %q %v", primary, all)
	}

	// Entra looks users up by externalId and by userName.
	for _, f := range []string{`externalId eq "8ae1e3a4-4c4d-4b5e-9e0c-5d0f5c8e7a11"`, `userName eq "wei.zhang@contoso.example"`} {
		if rs := resources(t, p.must(200, "GET", "/Users?filter="+q(f), "")); len(rs) != 1 || rs[0]["id"] != id {
			t.Fatalf("%s: %v", f, rs)
		}
	}
	// externalId is case-exact.
	if rs := resources(t, p.must(200, "GET", "/Users?filter="+q(`externalId eq "8AE1E3A4-4C4D-4B5E-9E0C-5D0F5C8E7A11"`), "")); len(rs) != 0 {
		t.Fatalf("externalId matched in another case: %v", rs)
	}

	// An admin also puts them in a second department in the console; SCIM leaves it alone.
	design := o.c.must(201, "POST", "/api/v1/admin/orgs/"+o.orgID+"/departments", map[string]any{"name": "Design Guild"})["id"].(string)
	o.c.must(204, "PUT", "/api/v1/admin/orgs/"+o.orgID+"/departments/"+design+"/members/"+id, map[string]any{})

	// Entra's PATCH: operations in Pascal case, the department by its full path.
	u = p.must(200, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
  {"op":"Replace","path":"displayName","value":"Zhang Wei"},
  {"op":"Replace","path":"name.givenName","value":"Wei"},
  {"op":"Replace","path":"name.familyName","value":"Zhang"},
  {"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Sales"},
  {"op":"Replace","path":"emails[type eq \"work\"].value","value":"wei.zhang@contoso.example"},
  {"op":"Replace","path":"title","value":"Sales Engineer"},
  {"op":"Remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]}`)
	if u["displayName"] != "Zhang Wei" || u[scimEnterpriseURN].(map[string]any)["department"] != "Sales" {
		t.Fatalf("after PATCH: %v", u)
	}
	if primary, all := primaryOf(); primary != "Sales" || strings.Join(all, ",") != "Design Guild,Sales" {
		t.Fatalf("departments after PATCH: %q %v", primary, all)
	}

	// They sign in (a password set by IT) and make an API token; Entra deactivates them with
	// the string "False", and both stop working at once.
	if err := e.stack.identity.SetPassword(context.Background(), uuid.MustParse(id), "Forbidden-City-1420!"); err != nil {
		t.Fatal(err)
	}
	wei := e.client()
	wei.mustLogin("wei.zhang@contoso.example", "Forbidden-City-1420!")
	token := wei.must(201, "POST", "/api/v1/orgs/"+o.orgID+"/tokens", map[string]any{"name": "script"})["secret"].(string)
	e.tokenClient(token).must(200, "GET", "/api/v1/me", nil)
	u = p.must(200, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	if u["active"] != false {
		t.Fatalf("after Replace active False: %v", u)
	}
	if r := e.tokenClient(token).do("GET", "/api/v1/me", nil); r.status != 401 {
		t.Fatalf("the deactivated member's token still works: %d %s", r.status, r.body)
	}
	// Deactivation is per organisation: the session lives on, but no longer reaches it.
	if r := wei.do("GET", "/api/v1/orgs/"+o.orgID, nil); r.status != 404 {
		t.Fatalf("the deactivated member's session still works: %d", r.status)
	}
	u = p.must(200, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"True"}]}`)
	if u["active"] != true {
		t.Fatalf("after Replace active True: %v", u)
	}
	// A path-less Replace with an object, as Entra sends for several attributes at once.
	u = p.must(200, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","value":{
		"displayName":"Wei Zhang","externalId":"8ae1e3a4-new","timezone":"Asia/Shanghai","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"Sales/China"}}]}`)
	if u["displayName"] != "Wei Zhang" || u["externalId"] != "8ae1e3a4-new" || u["timezone"] != "Asia/Shanghai" ||
		u[scimEnterpriseURN].(map[string]any)["department"] != "Sales/China" {
		t.Fatalf("after path-less Replace: %v", u)
	}
	// Removing externalId clears it; an unknown time zone and language are ignored.
	u = p.must(200, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
		{"op":"Remove","path":"externalId"},{"op":"Replace","path":"timezone","value":"Mars/Olympus"},{"op":"Replace","path":"preferredLanguage","value":"fr-FR"}]}`)
	if _, ok := u["externalId"]; ok || u["timezone"] != "Asia/Shanghai" || u["preferredLanguage"] != "zh-CN" {
		t.Fatalf("after Remove externalId: %v", u)
	}
}

func TestSCIMFiltersAndPages(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Filters", "owner@filters.example")
	p := e.idp(o.mustSCIMToken("Okta"))
	people := []struct{ email, given, family, ext string }{
		{"ann.archer@filters.example", "Ann", "Archer", "ext-ann"},
		{"anna.baker@filters.example", "Anna", "Baker", "ext-anna"},
		{"bob.cole@partner.example.org", "Bob", "Cole", "ext-bob"},
		{"cleo.dunn@partner.example.org", "Cleo", "Dunn", "EXT-cleo"},
		{"dan.eliot@filters.example", "Dan", "Eliot", "ext-dan"},
	}
	ids := map[string]string{}
	for _, x := range people {
		ids[x.given] = p.must(201, "POST", "/Users", oktaUser(x.email, x.given, x.family, x.ext))["id"].(string)
	}
	// One member without an external id, made in the console.
	o.c.must(201, "POST", "/api/v1/admin/orgs/"+o.orgID+"/users", map[string]any{"email": "eve.fox@filters.example", "display_name": "Eve Fox"})
	p.must(200, "PATCH", "/Users/"+ids["Dan"], `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`)

	all := []string{"ann.archer@filters.example", "anna.baker@filters.example", "bob.cole@partner.example.org", "cleo.dunn@partner.example.org",
		"dan.eliot@filters.example", "eve.fox@filters.example", "owner@filters.example"}
	cases := []struct {
		filter string
		want   []string
	}{
		{`userName eq "Bob.Cole@Partner.Example.org"`, []string{"bob.cole@partner.example.org"}},
		{`externalId eq "ext-cleo"`, nil},
		{`externalId eq "EXT-cleo"`, []string{"cleo.dunn@partner.example.org"}},
		{`emails.value co "@partner.example"`, []string{"bob.cole@partner.example.org", "cleo.dunn@partner.example.org"}},
		{`emails co "PARTNER"`, []string{"bob.cole@partner.example.org", "cleo.dunn@partner.example.org"}},
		{`emails[type eq "work" and value ew ".org"]`, []string{"bob.cole@partner.example.org", "cleo.dunn@partner.example.org"}},
		{`displayName sw "ann"`, []string{"ann.archer@filters.example", "anna.baker@filters.example"}},
		{`displayName sw "Ann" and not (displayName eq "Ann Archer")`, []string{"anna.baker@filters.example"}},
		{`title pr`, nil},
		{`not (title pr)`, all},
		{`externalId pr`, all[:5]},
		{`not (externalId pr)`, []string{"eve.fox@filters.example", "owner@filters.example"}},
		{`externalId eq null`, []string{"eve.fox@filters.example", "owner@filters.example"}},
		{`userName sw "ann" or userName sw "bob"`, []string{"ann.archer@filters.example", "anna.baker@filters.example", "bob.cole@partner.example.org"}},
		{`(userName sw "ann" or userName sw "bob") and externalId ne "ext-anna"`, []string{"ann.archer@filters.example", "bob.cole@partner.example.org"}},
		{`userName sw "ann" or userName sw "bob" and externalId ne "ext-bob"`, []string{"ann.archer@filters.example", "anna.baker@filters.example"}},
		{`active eq false`, []string{"dan.eliot@filters.example"}},
		{`active EQ true AND emails.value ew "@filters.example"`, []string{"ann.archer@filters.example", "anna.baker@filters.example", "eve.fox@filters.example", "owner@filters.example"}},
		{`id eq "` + ids["Cleo"] + `"`, []string{"cleo.dunn@partner.example.org"}},
		{`id eq "not-an-id"`, nil},
		{`userName eq "x%_\\@filters.example"`, nil},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ann.archer@filters.example"`, []string{"ann.archer@filters.example"}},
	}
	for _, c := range cases {
		got := userNames(resources(t, p.must(200, "GET", "/Users?count=200&filter="+q(c.filter), "")))
		if strings.Join(got, ",") != strings.Join(sorted(c.want...), ",") {
			t.Errorf("%s:\n got %v\nwant %v", c.filter, got, sorted(c.want...))
		}
	}
	// LIKE wildcards in a value are literal.
	if got := resources(t, p.must(200, "GET", "/Users?filter="+q(`userName co "%"`), "")); len(got) != 0 {
		t.Errorf(`co "%%" matched %v`, userNames(got))
	}

	// Bad filters are 400 invalidFilter.
	for _, f := range []string{`userName equals "x"`, `userName eq`, `(userName eq "x"`, `nickname.first eq "x" and`, `shoeSize eq "44"`,
		`userName eq 5`, `active eq "maybe"`, `urn:example:other:attr eq "x"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Sales"`} {
		scimError(t, p.send("GET", "/Users?filter="+q(f), ""), 400, "invalidFilter")
	}

	// Pages: 1-based startIndex, count capped, totalResults of the whole match, stable order.
	page1 := p.must(200, "GET", "/Users?startIndex=1&count=3", "")
	page2 := p.must(200, "GET", "/Users?startIndex=4&count=3", "")
	page3 := p.must(200, "GET", "/Users?startIndex=7&count=3", "")
	if page1["totalResults"] != float64(7) || page2["startIndex"] != float64(4) || len(resources(t, page3)) != 1 {
		t.Fatalf("pages: %v / %v / %v", page1, page2, page3)
	}
	var paged []string
	for _, pg := range []map[string]any{page1, page2, page3} {
		for _, r := range resources(t, pg) {
			paged = append(paged, r["userName"].(string))
		}
	}
	sort.Strings(paged)
	if strings.Join(paged, ",") != strings.Join(all, ",") {
		t.Fatalf("the pages did not cover everyone once: %v", paged)
	}
	if only := p.must(200, "GET", "/Users?count=0", ""); only["totalResults"] != float64(7) || len(resources(t, only)) != 0 {
		t.Fatalf("count=0: %v", only)
	}
	if past := p.must(200, "GET", "/Users?startIndex=50", ""); past["totalResults"] != float64(7) || len(resources(t, past)) != 0 || past["startIndex"] != float64(50) {
		t.Fatalf("past the end: %v", past)
	}
	if low := p.must(200, "GET", "/Users?startIndex=-3&count=1000", ""); low["startIndex"] != float64(1) || len(resources(t, low)) != 7 {
		t.Fatalf("startIndex below 1: %v", low)
	}
	filtered := p.must(200, "GET", "/Users?filter="+q(`emails.value ew "@filters.example"`)+"&startIndex=2&count=2", "")
	if filtered["totalResults"] != float64(5) || len(resources(t, filtered)) != 2 {
		t.Fatalf("a filtered page: %v", filtered)
	}
	scimError(t, p.send("GET", "/Users?count=many", ""), 400, "invalidValue")
}

func TestSCIMGroups(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Groupware", "it@groupware.example")
	p := e.idp(o.mustSCIMToken("Okta"))
	ids := map[string]string{}
	for _, n := range []string{"Amy", "Ben", "Cai", "Dev"} {
		email := strings.ToLower(n) + "@groupware.example"
		ids[n] = p.must(201, "POST", "/Users", oktaUser(email, n, "Tester", "ext-"+n))["id"].(string)
	}

	// Okta pushes a group with its members.
	r := p.send("POST", "/Groups", fmt.Sprintf(`{"schemas":[%q],"displayName":"Engineering","members":[{"value":%q,"display":"Amy Tester"}]}`, scimGroupURN, ids["Amy"]))
	if r.status != 201 {
		t.Fatalf("create group: %d %s", r.status, r.body)
	}
	g := r.json(t)
	gid := g["id"].(string)
	if g["displayName"] != "Engineering" || strings.Join(memberValues(g), ",") != ids["Amy"] || r.header.Get("Location") != g["meta"].(map[string]any)["location"] {
		t.Fatalf("created group: %s", r.body)
	}
	if m := g["members"].([]any)[0].(map[string]any); m["display"] != "Amy Tester" || !strings.HasSuffix(m["$ref"].(string), "/scim/v2/Users/"+ids["Amy"]) {
		t.Fatalf("member: %v", m)
	}
	// Entra's create, with an external id and no members.
	ops := p.must(201, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"5c3e-entra","displayName":"Operations","members":[]}`)
	opsID := ops["id"].(string)
	if ops["externalId"] != "5c3e-entra" || ops["members"] != nil {
		t.Fatalf("Entra's group: %v", ops)
	}
	scimError(t, p.send("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"5c3e-entra","displayName":"Ops again"}`), 409, "uniqueness")

	// Okta adds members, and a member already in the group keeps their place.
	g = p.must(200, "PATCH", "/Groups/"+gid, fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"add","path":"members","value":[{"value":%q,"display":"Ben"},{"value":%q},{"value":%q}]}]}`,
		scimPatchURN, ids["Ben"], ids["Cai"], ids["Amy"]))
	if strings.Join(memberValues(g), ",") != strings.Join(sorted(ids["Amy"], ids["Ben"], ids["Cai"]), ",") {
		t.Fatalf("after add: %v", memberValues(g))
	}
	// The directory sees them.
	if d := o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/groups/"+gid, nil); d["member_count"] != float64(3) {
		t.Fatalf("member_count: %v", d)
	}
	// Okta removes one by a filtered path.
	g = p.must(200, "PATCH", "/Groups/"+gid, fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"remove","path":"members[value eq \"%s\"]"}]}`, scimPatchURN, ids["Ben"]))
	if strings.Join(memberValues(g), ",") != strings.Join(sorted(ids["Amy"], ids["Cai"]), ",") {
		t.Fatalf("after filtered remove: %v", memberValues(g))
	}
	// Entra removes with path "members" and a value, and removing someone not in it is no error.
	g = p.must(200, "PATCH", "/Groups/"+gid, fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"Remove","path":"members","value":[{"value":%q},{"value":%q}]}]}`,
		scimPatchURN, ids["Cai"], ids["Dev"]))
	if strings.Join(memberValues(g), ",") != ids["Amy"] {
		t.Fatalf("after Entra's remove: %v", memberValues(g))
	}
	// Okta renames with a path-less replace that echoes the id.
	g = p.must(200, "PATCH", "/Groups/"+gid, fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"replace","value":{"id":%q,"displayName":"Platform Engineering"}}]}`, scimPatchURN, gid))
	if g["displayName"] != "Platform Engineering" {
		t.Fatalf("after rename: %v", g)
	}
	scimError(t, p.send("PATCH", "/Groups/"+gid, fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"replace","value":{"id":%q}}]}`, scimPatchURN, opsID)), 400, "mutability")

	// Lists: by name (case-insensitive), by member, without members when excluded.
	found := resources(t, p.must(200, "GET", "/Groups?filter="+q(`displayName eq "platform engineering"`), ""))
	if len(found) != 1 || found[0]["id"] != gid || strings.Join(memberValues(found[0]), ",") != ids["Amy"] {
		t.Fatalf("by displayName: %v", found)
	}
	found = resources(t, p.must(200, "GET", "/Groups?excludedAttributes=members&filter="+q(`members[value eq "`+ids["Amy"]+`"]`), ""))
	if len(found) != 1 || found[0]["id"] != gid || found[0]["members"] != nil {
		t.Fatalf("by member, members excluded: %v", found)
	}
	if one := p.must(200, "GET", "/Groups/"+gid+"?excludedAttributes=members", ""); one["members"] != nil {
		t.Fatalf("a group with members excluded: %v", one)
	}
	if all := p.must(200, "GET", "/Groups", ""); all["totalResults"] != float64(2) {
		t.Fatalf("all groups: %v", all)
	}
	if ext := resources(t, p.must(200, "GET", "/Groups?filter="+q(`externalId eq "5c3e-entra"`), "")); len(ext) != 1 || ext[0]["id"] != opsID {
		t.Fatalf("by externalId: %v", ext)
	}

	// PUT replaces the members, and may empty the group.
	g = p.must(200, "PUT", "/Groups/"+opsID, fmt.Sprintf(`{"schemas":[%q],"displayName":"Operations","externalId":"5c3e-entra","members":[{"value":%q},{"value":%q}]}`,
		scimGroupURN, ids["Ben"], ids["Dev"]))
	if strings.Join(memberValues(g), ",") != strings.Join(sorted(ids["Ben"], ids["Dev"]), ",") {
		t.Fatalf("after PUT: %v", memberValues(g))
	}
	g = p.must(200, "PATCH", "/Groups/"+opsID, fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"replace","path":"members","value":[{"value":%q}]}]}`, scimPatchURN, ids["Cai"]))
	if strings.Join(memberValues(g), ",") != ids["Cai"] {
		t.Fatalf("after replace members: %v", memberValues(g))
	}
	g = p.must(200, "PATCH", "/Groups/"+opsID, fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"remove","path":"members"}]}`, scimPatchURN))
	if len(memberValues(g)) != 0 {
		t.Fatalf("after removing all members: %v", memberValues(g))
	}

	// A group at its cap answers 409 and takes nobody, not even the ones that would fit.
	o.c.must(200, "PATCH", "/api/v1/admin/orgs/"+o.orgID+"/groups/"+opsID, map[string]any{"name": "Operations", "external_id": "5c3e-entra", "member_cap": 2})
	full := p.send("PATCH", "/Groups/"+opsID, fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"add","path":"members","value":[{"value":%q},{"value":%q},{"value":%q}]}]}`,
		scimPatchURN, ids["Amy"], ids["Ben"], ids["Cai"]))
	if d := scimError(t, full, 409, ""); !strings.Contains(d, "at most 2") {
		t.Fatalf("group full detail: %q", d)
	}
	if g := p.must(200, "GET", "/Groups/"+opsID, ""); len(memberValues(g)) != 0 {
		t.Fatalf("a refused add left members: %v", memberValues(g))
	}
	// A member who is not a user here, or not a user id at all, is a bad value.
	scimError(t, p.send("PATCH", "/Groups/"+opsID, fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"add","path":"members","value":[{"value":%q}]}]}`, scimPatchURN, uuid.NewString())), 400, "invalidValue")
	scimError(t, p.send("PATCH", "/Groups/"+opsID, fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"add","path":"members","value":[{"value":"bob"}]}]}`, scimPatchURN)), 400, "invalidValue")

	// Delete.
	p.must(204, "DELETE", "/Groups/"+gid, "")
	scimError(t, p.send("GET", "/Groups/"+gid, ""), 404, "")
	o.c.must(404, "GET", "/api/v1/orgs/"+o.orgID+"/groups/"+gid, nil)
}

// TestSCIMTenancy calls every SCIM route with a SCIM token of organisation A and B's user and
// group ids: each answers 404, as for an id that does not exist, and B is unchanged.
func TestSCIMTenancy(t *testing.T) {
	e := newTestEnv(t)
	a := e.mustOrg("Alpha", "it@alpha.example")
	b := e.mustOrg("Beta", "it@beta.example")
	pa, pb := e.idp(a.mustSCIMToken("Okta")), e.idp(b.mustSCIMToken("Okta"))
	bUser := pb.must(201, "POST", "/Users", oktaUser("bea@beta.example", "Bea", "Beta", "b-1"))["id"].(string)
	bGroup := pb.must(201, "POST", "/Groups", fmt.Sprintf(`{"schemas":[%q],"displayName":"Beta Team","members":[{"value":%q}]}`, scimGroupURN, bUser))["id"].(string)
	aUser := pa.must(201, "POST", "/Users", oktaUser("al@alpha.example", "Al", "Alpha", "a-1"))["id"].(string)

	bodies := map[string]string{
		"PUT /scim/v2/Users/:id":    oktaUser("bea@beta.example", "Taken", "Over", "b-1"),
		"PATCH /scim/v2/Users/:id":  `{"schemas":["` + scimPatchURN + `"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
		"PUT /scim/v2/Groups/:id":   `{"schemas":["` + scimGroupURN + `"],"displayName":"Taken over","members":[]}`,
		"PATCH /scim/v2/Groups/:id": `{"schemas":["` + scimPatchURN + `"],"Operations":[{"op":"remove","path":"members"}]}`,
	}
	checked := 0
	for _, r := range e.srv.Routes() {
		if !strings.HasPrefix(r.Path, "/scim/") {
			continue
		}
		if r.Access.Level != webscim.Level {
			t.Errorf("%s %s is not declared a SCIM route", r.Method, r.Path)
		}
		if !strings.HasSuffix(r.Path, "/:id") || strings.Contains(r.Path, "Schemas") || strings.Contains(r.Path, "ResourceTypes") {
			continue
		}
		id := bUser
		if strings.Contains(r.Path, "/Groups/") {
			id = bGroup
		}
		path := strings.TrimPrefix(strings.Replace(r.Path, ":id", id, 1), "/scim/v2")
		scimError(t, pa.send(r.Method, path, bodies[r.Method+" "+r.Path]), 404, "")
		checked++
	}
	if checked != 8 {
		t.Fatalf("checked %d SCIM routes with ids", checked)
	}
	// Lists and filters see only A.
	if got := pa.must(200, "GET", "/Users?filter="+q(`userName eq "bea@beta.example"`), ""); got["totalResults"] != float64(0) {
		t.Fatalf("A found B's user: %v", got)
	}
	if got := userNames(resources(t, pa.must(200, "GET", "/Users", ""))); strings.Join(got, ",") != "al@alpha.example,it@alpha.example" {
		t.Fatalf("A's users: %v", got)
	}
	if got := pa.must(200, "GET", "/Groups?filter="+q(`members[value eq "`+bUser+`"]`), ""); got["totalResults"] != float64(0) {
		t.Fatalf("A found B's group: %v", got)
	}
	// B's user cannot join A's group, and A's user cannot be added to B's group by A.
	aGroup := pa.must(201, "POST", "/Groups", `{"schemas":["`+scimGroupURN+`"],"displayName":"Alpha Team"}`)["id"].(string)
	scimError(t, pa.send("PATCH", "/Groups/"+aGroup, `{"schemas":["`+scimPatchURN+`"],"Operations":[{"op":"add","path":"members","value":[{"value":"`+bUser+`"}]}]}`), 400, "invalidValue")
	scimError(t, pa.send("PATCH", "/Groups/"+bGroup, `{"schemas":["`+scimPatchURN+`"],"Operations":[{"op":"add","path":"members","value":[{"value":"`+aUser+`"}]}]}`), 404, "")
	// A's admin cannot see or revoke B's SCIM tokens.
	bTokens := b.c.must(200, "GET", "/api/v1/admin/orgs/"+b.orgID+"/scim-tokens", nil)["items"].([]any)
	bTokenID := bTokens[0].(map[string]any)["id"].(string)
	a.c.must(404, "DELETE", "/api/v1/admin/orgs/"+a.orgID+"/scim-tokens/"+bTokenID, nil)
	a.c.must(404, "GET", "/api/v1/admin/orgs/"+b.orgID+"/scim-tokens", nil)
	a.c.must(404, "DELETE", "/api/v1/admin/orgs/"+b.orgID+"/scim-tokens/"+bTokenID, nil)

	// Nothing in B changed.
	u := pb.must(200, "GET", "/Users/"+bUser, "")
	if u["active"] != true || u["displayName"] != "Bea Beta" {
		t.Fatalf("B's user changed: %v", u)
	}
	g := pb.must(200, "GET", "/Groups/"+bGroup, "")
	if g["displayName"] != "Beta Team" || strings.Join(memberValues(g), ",") != bUser {
		t.Fatalf("B's group changed: %v", g)
	}
	pb.must(200, "GET", "/Users", "")
}

func TestSCIMRequestErrors(t *testing.T) {
	e := newTestEnv(t, func(c *config.Config) { c.Server.BodyLimitBytes = 8192 })
	o := e.mustOrg("Strict", "it@strict.example")
	p := e.idp(o.mustSCIMToken("Okta"))
	id := p.must(201, "POST", "/Users", oktaUser("sam@strict.example", "Sam", "Strict", "s-1"))["id"].(string)

	// Unknown and malformed ids.
	scimError(t, p.send("GET", "/Users/"+uuid.NewString(), ""), 404, "")
	scimError(t, p.send("GET", "/Users/not-a-uuid", ""), 404, "")
	scimError(t, p.send("PATCH", "/Users/"+uuid.NewString(), `{"schemas":["`+scimPatchURN+`"],"Operations":[{"op":"replace","path":"active","value":false}]}`), 404, "")
	scimError(t, p.send("DELETE", "/Groups/"+uuid.NewString(), ""), 404, "")
	// Unknown SCIM paths and methods answer in SCIM's shape, never with the web app.
	scimError(t, p.send("GET", "/Printers", ""), 404, "")
	scimError(t, p.send("PUT", "/Users", `{}`), 405, "")

	// application/json is accepted as well as application/scim+json; other types are not.
	if r := p.c.raw("POST", "/scim/v2/Users", "application/json", []byte(oktaUser("jo@strict.example", "Jo", "Strict", "s-2"))); r.status != 201 {
		t.Fatalf("application/json: %d %s", r.status, r.body)
	}
	scimError(t, p.c.raw("POST", "/scim/v2/Users", "text/plain", []byte(oktaUser("kim@strict.example", "Kim", "Strict", "s-3"))), 415, "")

	bad := []struct {
		name, method, path, body, scimType string
	}{
		{"malformed JSON", "POST", "/Users", `{"userName":`, "invalidSyntax"},
		{"not an object", "POST", "/Users", `["userName"]`, "invalidSyntax"},
		{"two objects", "POST", "/Users", `{} {}`, "invalidSyntax"},
		{"no userName", "POST", "/Users", `{"schemas":["` + scimUserURN + `"],"displayName":"Nobody"}`, "invalidValue"},
		{"userName not an email", "POST", "/Users", `{"schemas":["` + scimUserURN + `"],"userName":"nobody"}`, "invalidValue"},
		{"userName a number", "POST", "/Users", `{"schemas":["` + scimUserURN + `"],"userName":42}`, "invalidValue"},
		{"wrong schema", "POST", "/Users", `{"schemas":["` + scimGroupURN + `"],"userName":"x@strict.example"}`, "invalidSyntax"},
		{"same attribute twice", "POST", "/Users", `{"userName":"y@strict.example","USERNAME":"z@strict.example"}`, "invalidSyntax"},
		{"active not boolean", "PATCH", "/Users/" + id, `{"schemas":["` + scimPatchURN + `"],"Operations":[{"op":"replace","path":"active","value":"perhaps"}]}`, "invalidValue"},
		{"PATCH without schemas", "PATCH", "/Users/" + id, `{"Operations":[{"op":"replace","path":"active","value":false}]}`, "invalidSyntax"},
		{"PATCH without operations", "PATCH", "/Users/" + id, `{"schemas":["` + scimPatchURN + `"],"Operations":[]}`, "invalidSyntax"},
		{"unknown op", "PATCH", "/Users/" + id, `{"schemas":["` + scimPatchURN + `"],"Operations":[{"op":"move","path":"active","value":false}]}`, "invalidSyntax"},
		{"bad path", "PATCH", "/Users/" + id, `{"schemas":["` + scimPatchURN + `"],"Operations":[{"op":"replace","path":"emails[type eq","value":"x"}]}`, "invalidPath"},
		{"remove without path", "PATCH", "/Users/" + id, `{"schemas":["` + scimPatchURN + `"],"Operations":[{"op":"remove"}]}`, "noTarget"},
		{"change the id", "PATCH", "/Users/" + id, `{"schemas":["` + scimPatchURN + `"],"Operations":[{"op":"replace","path":"id","value":"` + uuid.NewString() + `"}]}`, "mutability"},
		{"remove userName", "PATCH", "/Users/" + id, `{"schemas":["` + scimPatchURN + `"],"Operations":[{"op":"remove","path":"userName"}]}`, "invalidValue"},
		{"group without a name", "POST", "/Groups", `{"schemas":["` + scimGroupURN + `"],"members":[]}`, "invalidValue"},
		{"group member filter by name", "PATCH", "/Groups/" + uuid.NewString(), `{"schemas":["` + scimPatchURN + `"],"Operations":[{"op":"remove","path":"members[display eq \"Sam\"]"}]}`, "invalidFilter"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			scimError(t, p.send(c.method, c.path, c.body), 400, c.scimType)
		})
	}
	// Over the body limit.
	scimError(t, p.send("POST", "/Users", `{"userName":"big@strict.example","displayName":"`+strings.Repeat("x", 9000)+`"}`), 413, "")
	// Taking another member's email is a uniqueness conflict.
	scimError(t, p.send("PATCH", "/Users/"+id, `{"schemas":["`+scimPatchURN+`"],"Operations":[{"op":"replace","path":"userName","value":"jo@strict.example"}]}`), 409, "uniqueness")
	// The token's owner cannot deactivate themselves through SCIM.
	owner := resources(t, p.must(200, "GET", "/Users?filter="+q(`userName eq "it@strict.example"`), ""))[0]["id"].(string)
	scimError(t, p.send("DELETE", "/Users/"+owner, ""), 409, "")
	// Nothing above changed Sam.
	if u := p.must(200, "GET", "/Users/"+id, ""); u["userName"] != "sam@strict.example" || u["active"] != true {
		t.Fatalf("Sam changed: %v", u)
	}
}

// entraUser is the body Microsoft Entra ID posts to create a user.
func entraUser(email, given, family, externalID, department string) string {
	return fmt.Sprintf(`{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  "externalId": %q,
  "userName": %q,
  "active": true,
  "emails": [{"primary": true, "type": "work", "value": %q}],
  "meta": {"resourceType": "User"},
  "name": {"formatted": "%s %s", "familyName": %q, "givenName": %q},
  "roles": [],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": %q}
}`, externalID, email, email, given, family, family, given, department)
}

func nameOf(u map[string]any) (given, family any) {
	n := u["name"].(map[string]any)
	return n["givenName"], n["familyName"]
}

// TestSCIMNamesAreKept: name.givenName and name.familyName come back exactly as they were sent
// (a provider that never sees its values back rewrites them on every cycle); PUT replaces them
// with the rest of the resource, and PATCH changes the ones it names.
func TestSCIMNamesAreKept(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Names Kept", "it@kept.example")
	okta := e.idp(o.mustSCIMToken("Okta"))
	entra := e.idp(o.mustSCIMToken("Entra"))

	// Okta: the parts differ from the display name, in case and spacing.
	body := strings.Replace(oktaUser("guido@kept.example", "Guido", "van Rossum", "00u-g"), `"displayName": "Guido van Rossum"`, `"displayName": "GvR"`, 1)
	u := okta.must(201, "POST", "/Users", body)
	id := u["id"].(string)
	if g, f := nameOf(u); g != "Guido" || f != "van Rossum" || u["displayName"] != "GvR" || u["name"].(map[string]any)["formatted"] != "GvR" {
		t.Fatalf("created: %v", u)
	}
	if g, f := nameOf(okta.must(200, "GET", "/Users/"+id, "")); g != "Guido" || f != "van Rossum" {
		t.Fatalf("read back: %v %v", g, f)
	}
	// Entra: a Chinese name, family name first, and no displayName: the parts make it.
	r := entra.send("POST", "/Users", `{"schemas":["`+scimUserURN+`"],"externalId":"e-wei","userName":"wei@kept.example","active":true,
		"name":{"familyName":"张","givenName":"伟"},"emails":[{"primary":true,"type":"work","value":"wei@kept.example"}]}`)
	if r.status != 201 {
		t.Fatalf("Entra create: %d %s", r.status, r.body)
	}
	wei := r.json(t)
	if g, f := nameOf(wei); g != "伟" || f != "张" || wei["displayName"] != "张伟" {
		t.Fatalf("Entra's user: %v", wei)
	}
	// Lists and filters see them too; name parts compare case-insensitively (RFC 7643).
	found := resources(t, okta.must(200, "GET", "/Users?filter="+q(`name.familyName eq "VAN ROSSUM"`), ""))
	if len(found) != 1 || found[0]["id"] != id {
		t.Fatalf("by familyName: %v", found)
	}
	if g, _ := nameOf(found[0]); g != "Guido" {
		t.Fatalf("listed without its givenName: %v", found[0])
	}

	// Okta's PUT of the whole user: a part it leaves out is removed.
	put := fmt.Sprintf(`{"schemas":[%q],"id":%q,"userName":"guido@kept.example","name":{"givenName":"Guido  "},"displayName":"GvR",
		"emails":[{"primary":true,"value":"guido@kept.example","type":"work"}],"locale":"en-US","externalId":"00u-g","active":true,"groups":[]}`, scimUserURN, id)
	u = okta.must(200, "PUT", "/Users/"+id, put)
	if g, f := nameOf(u); g != "Guido  " || f != nil {
		t.Fatalf("after PUT: %v", u["name"])
	}
	// Entra's PATCH names the parts it changes.
	u = entra.must(200, "PATCH", "/Users/"+id, `{"schemas":["`+scimPatchURN+`"],"Operations":[
		{"op":"Add","path":"name.familyName","value":"Van Rossum"},{"op":"Replace","path":"name.givenName","value":"Guido"}]}`)
	if g, f := nameOf(u); g != "Guido" || f != "Van Rossum" || u["displayName"] != "Van Rossum Guido" && u["displayName"] != "Guido Van Rossum" {
		t.Fatalf("after PATCH: %v", u)
	}
	u = entra.must(200, "PATCH", "/Users/"+id, `{"schemas":["`+scimPatchURN+`"],"Operations":[{"op":"Remove","path":"name.givenName"}]}`)
	if g, f := nameOf(u); g != nil || f != "Van Rossum" {
		t.Fatalf("after removing givenName: %v", u["name"])
	}
	u = okta.must(200, "PATCH", "/Users/"+id, `{"schemas":["`+scimPatchURN+`"],"Operations":[{"op":"replace","value":{"name":{"givenName":"G."}}}]}`)
	if g, f := nameOf(u); g != "G." || f != "Van Rossum" {
		t.Fatalf("after a path-less replace of one part: %v", u["name"])
	}
	u = okta.must(200, "PATCH", "/Users/"+id, `{"schemas":["`+scimPatchURN+`"],"Operations":[{"op":"remove","path":"name"}]}`)
	if g, f := nameOf(u); g != nil || f != nil || u["displayName"] == "" {
		t.Fatalf("after removing name: %v", u)
	}
	// The parts obey the rule for names.
	scimError(t, okta.send("PATCH", "/Users/"+id, `{"schemas":["`+scimPatchURN+`"],"Operations":[{"op":"replace","path":"name.givenName","value":"\u202eodiuG"}]}`), 400, "invalidValue")
	scimError(t, okta.send("PATCH", "/Users/"+id, `{"schemas":["`+scimPatchURN+`"],"Operations":[{"op":"replace","path":"name.familyName","value":"`+strings.Repeat("x", 201)+`"}]}`), 400, "invalidValue")
}

// TestSCIMDeletedUserIsGone: after DELETE /Users/{id}, every request for the id answers 404 (RFC
// 7644 section 3.6) and the user leaves lists, filters and groups, while Canopy keeps the
// deactivated member; the external id is free again, and creating the user again by userName
// restores the same member.
func TestSCIMDeletedUserIsGone(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Gone", "it@gone.example")
	p := e.idp(o.mustSCIMToken("Microsoft Entra ID"))
	id := p.must(201, "POST", "/Users", entraUser("mei@gone.example", "Mei", "Lin", "ext-mei", "Research"))["id"].(string)
	gid := p.must(201, "POST", "/Groups", fmt.Sprintf(`{"schemas":[%q],"displayName":"Researchers","members":[{"value":%q}]}`, scimGroupURN, id))["id"].(string)

	if r := p.send("DELETE", "/Users/"+id, ""); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	for _, c := range []struct{ method, body string }{
		{"GET", ""},
		{"PUT", entraUser("mei@gone.example", "Mei", "Lin", "ext-mei", "Research")},
		{"PATCH", `{"schemas":["` + scimPatchURN + `"],"Operations":[{"op":"Replace","path":"active","value":"True"}]}`},
		{"DELETE", ""},
	} {
		scimError(t, p.send(c.method, "/Users/"+id, c.body), 404, "")
	}
	if got := p.must(200, "GET", "/Users?filter="+q(`userName eq "mei@gone.example"`), ""); got["totalResults"] != float64(0) {
		t.Fatalf("found by userName: %v", got)
	}
	if got := p.must(200, "GET", "/Users?filter="+q(`externalId eq "ext-mei"`), ""); got["totalResults"] != float64(0) {
		t.Fatalf("found by externalId: %v", got)
	}
	if got := userNames(resources(t, p.must(200, "GET", "/Users", ""))); strings.Join(got, ",") != "it@gone.example" {
		t.Fatalf("listed: %v", got)
	}
	if g := p.must(200, "GET", "/Groups/"+gid, ""); len(memberValues(g)) != 0 {
		t.Fatalf("still a member of the group for SCIM: %v", g)
	}
	if got := p.must(200, "GET", "/Groups?filter="+q(`members[value eq "`+id+`"]`), ""); got["totalResults"] != float64(0) {
		t.Fatalf("a group found by the deleted member: %v", got)
	}
	scimError(t, p.send("PATCH", "/Groups/"+gid, fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"Add","path":"members","value":[{"value":%q}]}]}`, scimPatchURN, id)), 400, "invalidValue")
	// Canopy keeps the member, deactivated.
	if m := o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/members/"+id, nil); m["status"] != "deactivated" {
		t.Fatalf("the member after DELETE: %v", m)
	}
	// The external id is free for someone else.
	p.must(201, "POST", "/Users", entraUser("ann@gone.example", "Ann", "Ng", "ext-mei", ""))
	// Creating Mei again restores the same member, active, with what is sent now.
	r := p.send("POST", "/Users", entraUser("Mei@gone.example", "Mei", "Lin-Park", "ext-mei-2", "Research/Labs"))
	if r.status != 201 {
		t.Fatalf("create again: %d %s", r.status, r.body)
	}
	again := r.json(t)
	if again["id"] != id || again["active"] != true || again["externalId"] != "ext-mei-2" || again[scimEnterpriseURN].(map[string]any)["department"] != "Research/Labs" {
		t.Fatalf("created again: %v", again)
	}
	if _, f := nameOf(again); f != "Lin-Park" {
		t.Fatalf("name after creating again: %v", again["name"])
	}
	p.must(200, "GET", "/Users/"+id, "")
	if m := o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/members/"+id, nil); m["status"] != "active" {
		t.Fatalf("the member after creating again: %v", m)
	}
	scimError(t, p.send("POST", "/Users", entraUser("mei@gone.example", "Mei", "Lin", "ext-mei-3", "")), 409, "uniqueness")
}

// TestSCIMDeactivatedUserJoinsGroups: Entra keeps disabled users in their groups and adds them to
// groups, so a PATCH adding a deactivated user succeeds; the place grants nothing while they are
// inactive, and counts again when they are reactivated.
func TestSCIMDeactivatedUserJoinsGroups(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Disabled", "it@disabled.example")
	p := e.idp(o.mustSCIMToken("Microsoft Entra ID"))
	id := p.must(201, "POST", "/Users", entraUser("kai@disabled.example", "Kai", "Ito", "ext-kai", ""))["id"].(string)
	if err := e.stack.identity.SetPassword(context.Background(), uuid.MustParse(id), "Quiet-Harbour-2024!"); err != nil {
		t.Fatal(err)
	}
	gid := p.must(201, "POST", "/Groups", `{"schemas":["`+scimGroupURN+`"],"externalId":"g-1","displayName":"Ops","members":[]}`)["id"].(string)

	// Entra's soft delete.
	if u := p.must(200, "PATCH", "/Users/"+id, `{"schemas":["`+scimPatchURN+`"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`); u["active"] != false {
		t.Fatalf("deactivate: %v", u)
	}
	g := p.must(200, "PATCH", "/Groups/"+gid, fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"Add","path":"members","value":[{"value":%q}]}]}`, scimPatchURN, id))
	if strings.Join(memberValues(g), ",") != id {
		t.Fatalf("after adding the deactivated user: %v", g)
	}
	if d := o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/groups/"+gid, nil); d["member_count"] != float64(1) {
		t.Fatalf("the group in the console: %v", d)
	}
	// The place grants nothing: the account signs in, but the organisation is closed to it.
	kai := e.client()
	kai.mustLogin("kai@disabled.example", "Quiet-Harbour-2024!")
	kai.must(404, "GET", "/api/v1/orgs/"+o.orgID+"/groups/"+gid, nil)
	// Reactivated, they are in the group they were put in.
	p.must(200, "PATCH", "/Users/"+id, `{"schemas":["`+scimPatchURN+`"],"Operations":[{"op":"Replace","path":"active","value":"True"}]}`)
	if d := kai.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/groups/"+gid+"/members", nil); d["total"] != float64(1) {
		t.Fatalf("the group's members, seen by Kai: %v", d)
	}
	// A PUT of the group with the deactivated user keeps them too.
	p.must(200, "PATCH", "/Users/"+id, `{"schemas":["`+scimPatchURN+`"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	g = p.must(200, "PUT", "/Groups/"+gid, fmt.Sprintf(`{"schemas":[%q],"externalId":"g-1","displayName":"Ops","members":[{"value":%q}]}`, scimGroupURN, id))
	if strings.Join(memberValues(g), ",") != id {
		t.Fatalf("after PUT: %v", g)
	}
}
