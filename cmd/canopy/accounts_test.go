package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"canopy/infra/config"
)

// Accounts belong to their people: who manages an account, the ways in of provisioned people
// (activation links, initial passwords, invitations), and deactivation per organisation. See
// docs/accounts.md.

// provisioned is a person an organisation created through the admin API.
func (d dir) provision(body map[string]any) string {
	d.t.Helper()
	return d.c.must(201, "POST", d.admin("/users"), body)["user_id"].(string)
}

// mustActivate issues an activation link for a member as d and sets the password with it.
func (d dir) mustActivate(e *testEnv, userID, pw string) {
	d.t.Helper()
	link := d.c.must(201, "POST", d.admin("/users/"+userID+"/activation-link"), nil)
	e.client().must(200, "POST", "/api/v1/activation/"+linkToken(d.t, link), map[string]string{"password": pw})
}

// linkToken is the token of an activation link's URL.
func linkToken(t testing.TB, link map[string]any) string {
	t.Helper()
	u, _ := link["url"].(string)
	_, token, ok := strings.Cut(u, "/activate/")
	if !ok || len(token) < 43 {
		t.Fatalf("activation link %v", link)
	}
	return token
}

// signedIn signs a person in.
func (e *testEnv) signedIn(email, pw string) *client {
	e.t.Helper()
	c := e.client()
	c.mustLogin(email, pw)
	return c
}

// TestSecondOrganisationInvitesInsteadOfAttaching: provisioning an email whose account another
// organisation manages makes an invitation and reveals nothing; the organisation cannot read,
// rename, disable or activate the account, and once the person joins it still does not manage
// it (nor, once shared, does the first).
func TestSecondOrganisationInvitesInsteadOfAttaching(t *testing.T) {
	e := newTestEnv(t)
	a := e.mustDir("Alpha", "owner@alpha.example")
	b := e.mustDir("Beta", "owner@beta.example")
	ada := a.provision(map[string]any{"email": "ada@people.example", "display_name": "Ada Lovelace"})

	r := b.c.do("POST", b.admin("/users"), map[string]any{"email": "ADA@people.example", "display_name": "Someone Else", "password": "Chosen-By-Beta-1"})
	if r.status != 202 {
		t.Fatalf("provisioning another organisation's account: %d %s", r.status, r.body)
	}
	got := r.json(t)
	inv, _ := got["invitation"].(map[string]any)
	if got["status"] != "invited" || inv == nil || inv["email"] != "ada@people.example" || got["url"] == nil {
		t.Fatalf("answer: %s", r.body)
	}
	if bytes.Contains(r.body, []byte("Lovelace")) || bytes.Contains(r.body, []byte(ada)) {
		t.Fatalf("the answer reveals the account: %s", r.body)
	}
	// Beta learns nothing more by looking.
	if n := b.c.must(200, "GET", b.admin("/users?email=ada@people.example"), nil)["total"].(float64); n != 0 {
		t.Fatalf("beta lists ada: %v", n)
	}
	for _, call := range []struct{ method, path string }{
		{"GET", b.admin("/users/" + ada)}, {"PATCH", b.admin("/users/" + ada)}, {"POST", b.admin("/users/" + ada + "/disable-account")},
		{"POST", b.admin("/users/" + ada + "/activation-link")}, {"GET", b.org("/members/" + ada)}, {"GET", b.org("/people/" + ada)},
	} {
		if r := b.c.do(call.method, call.path, map[string]any{"display_name": "Renamed By Beta"}); r.status != 404 || bytes.Contains(r.body, []byte("Lovelace")) {
			t.Errorf("%s %s: %d %s", call.method, call.path, r.status, r.body)
		}
	}
	// Beta's password was not set: the account still waits for activation.
	if r := e.client().do("POST", "/api/v1/auth/login", map[string]string{"email": "ada@people.example", "password": "Chosen-By-Beta-1"}); r.status != 401 {
		t.Fatalf("beta's password signs in: %d", r.status)
	}
	if m := a.c.must(200, "GET", a.admin("/users/"+ada), nil); m["activation_pending"] != true || m["display_name"] != "Ada Lovelace" {
		t.Fatalf("ada changed: %v", m)
	}

	// Ada activates with Alpha's link, signs in, finds Beta's invitation and accepts it.
	a.mustActivate(e, ada, "Ada-Own-Password-1")
	c := e.signedIn("ada@people.example", "Ada-Own-Password-1")
	mine := c.must(200, "GET", "/api/v1/me/invitations", nil)["items"].([]any)
	if len(mine) != 1 || mine[0].(map[string]any)["org_name"] != "Beta" {
		t.Fatalf("ada's invitations: %v", mine)
	}
	c.must(200, "POST", "/api/v1/me/invitations/"+mine[0].(map[string]any)["id"].(string)+"/accept", nil)
	c.must(200, "GET", b.org(""), nil)

	// A member now, but still not Beta's to manage; and Alpha no longer manages a shared account.
	for _, d := range []dir{b, a} {
		if r := d.c.do("PATCH", d.admin("/users/"+ada), map[string]any{"display_name": "Renamed"}); r.status != 403 || r.errorCode(t) != "account_not_managed" {
			t.Fatalf("%s renames ada: %d %s", d.orgID, r.status, r.body)
		}
		if r := d.c.do("POST", d.admin("/users/"+ada+"/disable-account"), nil); r.status != 403 || r.errorCode(t) != "account_not_managed" {
			t.Fatalf("%s disables ada: %d %s", d.orgID, r.status, r.body)
		}
	}
	// Membership fields stay each organisation's own.
	b.c.must(200, "PATCH", b.admin("/users/"+ada), map[string]any{"external_id": "B-1"})
}

// TestProvisioningNeverSetsAnOutsidePassword: an organisation cannot give a password to an
// account it does not manage, whether its person chose one or it waits for activation.
func TestProvisioningNeverSetsAnOutsidePassword(t *testing.T) {
	e := newTestEnv(t)
	a := e.mustDir("Alpha", "owner@alpha.example")
	b := e.mustDir("Beta", "owner@beta.example")
	// Sam signed up through Alpha's invitation and chose a password.
	e.mustJoin(a.mustInvite(nil), "sam@people.example")
	// Tess was provisioned by Alpha and has not activated yet.
	tess := a.provision(map[string]any{"email": "tess@people.example", "display_name": "Tess"})
	for _, email := range []string{"sam@people.example", "tess@people.example"} {
		b.c.must(202, "POST", b.admin("/users"), map[string]any{"email": email, "display_name": "X", "password": "Chosen-By-Beta-1"})
		if r := e.client().do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "Chosen-By-Beta-1"}); r.status != 401 {
			t.Fatalf("%s signs in with beta's password: %d", email, r.status)
		}
	}
	e.signedIn("sam@people.example", "Quiet-Meadow-sam@people.example")
	if m := a.c.must(200, "GET", a.admin("/users/"+tess), nil); m["activation_pending"] != true {
		t.Fatalf("tess got a password: %v", m)
	}
	// The invitation sets no password either, and its preview tells whoever holds the link
	// (Beta does) nothing about the account.
	inv := b.c.must(202, "POST", b.admin("/users"), map[string]any{"email": "tess@people.example", "display_name": "X"})
	token := inv["token"].(string)
	for name, c := range map[string]*client{"nobody": e.client(), "beta": b.c} {
		if p := c.must(200, "GET", "/api/v1/invitations/"+token, nil); p["account_state"] != "unknown" || p["email"] != "tess@people.example" {
			t.Fatalf("preview for %s: %v", name, p)
		}
	}
	if r := e.client().do("POST", "/api/v1/invitations/"+token+"/accept", map[string]string{"email": "tess@people.example", "display_name": "T", "password": "Set-Through-Invite-1"}); r.status != 409 {
		t.Fatalf("a sign-up through the invitation: %d %s", r.status, r.body)
	}
	if r := e.client().do("POST", "/api/v1/invitations/"+token+"/accept", map[string]string{"email": "eve@people.example", "display_name": "Eve", "password": "Eve-Password-123"}); r.status != 403 || r.errorCode(t) != "invitation_for_another_account" {
		t.Fatalf("someone else signs up through it: %d %s", r.status, r.body)
	}
	// Only its person, signed in, is told the state of their account.
	sam := b.c.must(202, "POST", b.admin("/users"), map[string]any{"email": "sam@people.example", "display_name": "X"})
	samToken := sam["token"].(string)
	for name, x := range map[string]struct {
		c    *client
		want string
	}{"nobody": {e.client(), "unknown"}, "beta": {b.c, "unknown"}, "tess's admin": {a.c, "unknown"}, "sam": {e.signedIn("sam@people.example", "Quiet-Meadow-sam@people.example"), "active"}} {
		if p := x.c.must(200, "GET", "/api/v1/invitations/"+samToken, nil); p["account_state"] != x.want {
			t.Fatalf("preview for %s: %v", name, p)
		}
	}
	if p := e.client().must(200, "GET", "/api/v1/invitations/"+a.mustInvite(nil), nil); p["account_state"] != "none" {
		t.Fatalf("preview of a link for anyone: %v", p)
	}
}

// TestSCIMAndImportInviteOutsideAccounts: SCIM answers 409 uniqueness and an import row reports
// "invited" for an account the organisation does not manage; both make the invitation and
// neither attaches nor renames the person.
func TestSCIMAndImportInviteOutsideAccounts(t *testing.T) {
	e := newTestEnv(t)
	e.startImports()
	a := e.mustDir("Alpha", "owner@alpha.example")
	b := e.mustDir("Beta", "owner@beta.example")
	ada := a.provision(map[string]any{"email": "ada@people.example", "display_name": "Ada Lovelace"})
	a.provision(map[string]any{"email": "bob@people.example", "display_name": "Bob Original"})

	p := e.idp(b.mustSCIMToken("Okta"))
	r := p.send("POST", "/Users", oktaUser("ada@people.example", "Not", "Ada", "okta-1"))
	if d := scimError(t, r, 409, "uniqueness"); d != "this email's account is not this organisation's to make or manage; an invitation was sent" {
		t.Fatalf("detail %q", d)
	}
	if bytes.Contains(r.body, []byte("Lovelace")) || bytes.Contains(r.body, []byte(ada)) {
		t.Fatalf("the SCIM answer reveals the account: %s", r.body)
	}
	job := b.owner.mustImport(t, "application/json", mustJSON(t, map[string]any{"users": []any{
		map[string]any{"external_id": "E1", "email": "bob@people.example", "display_name": "Bob Renamed"},
		map[string]any{"external_id": "E2", "email": "new@beta.example", "display_name": "New Person"},
	}}))
	if job["invited_rows"].(float64) != 1 || job["created_rows"].(float64) != 1 || strings.Join(issues(job), ";") != "user 1 invited" {
		t.Fatalf("import: %v", job)
	}
	var emails []string
	for _, it := range b.c.must(200, "GET", b.org("/invitations"), nil)["items"].([]any) {
		if em, _ := it.(map[string]any)["email"].(string); em != "" {
			emails = append(emails, em)
		}
	}
	if strings.Join(emails, ",") != "bob@people.example,ada@people.example" && strings.Join(emails, ",") != "ada@people.example,bob@people.example" {
		t.Fatalf("invitations: %v", emails)
	}
	if n := b.c.must(200, "GET", b.admin("/users?email=bob@people.example"), nil)["total"].(float64); n != 0 {
		t.Fatal("the import attached bob")
	}
	for _, it := range a.c.must(200, "GET", a.admin("/users"), nil)["items"].([]any) {
		if m := it.(map[string]any); m["email"] == "bob@people.example" && m["display_name"] != "Bob Original" {
			t.Fatalf("the import renamed bob: %v", m)
		}
	}
	// The accounts the import created get their links in one request.
	links := b.c.must(200, "POST", b.admin("/activation-links"), map[string]any{"import_id": job["id"]})
	if items := links["items"].([]any); len(items) != 1 || items[0].(map[string]any)["email"] != "new@beta.example" || items[0].(map[string]any)["display_name"] != "New Person" {
		t.Fatalf("links for the import: %v", links)
	}
}

// TestDeactivationIsPerOrganisation: deactivating a member ends their access and tokens in
// that organisation only; their session and their token elsewhere go on.
func TestDeactivationIsPerOrganisation(t *testing.T) {
	e := newTestEnv(t)
	a := e.mustDir("Alpha", "owner@alpha.example")
	b := e.mustDir("Beta", "owner@beta.example")
	c, id := e.mustJoin(a.mustInvite(nil), "pat@people.example")
	inv := b.c.must(202, "POST", b.admin("/users"), map[string]any{"email": "pat@people.example", "display_name": "Pat"})
	c.must(200, "POST", "/api/v1/invitations/"+inv["token"].(string)+"/accept", map[string]any{})
	tokA := e.tokenClient(c.must(201, "POST", a.org("/tokens"), map[string]any{"name": "a"})["secret"].(string))
	tokB := e.tokenClient(c.must(201, "POST", b.org("/tokens"), map[string]any{"name": "b"})["secret"].(string))

	a.c.must(200, "POST", a.org("/members/"+id+"/deactivate"), nil)
	c.must(200, "GET", b.org(""), nil)
	tokB.must(200, "GET", b.org(""), nil)
	if r := c.do("GET", a.org(""), nil); r.status != 404 {
		t.Fatalf("the session in alpha: %d", r.status)
	}
	if r := tokA.do("GET", "/api/v1/me", nil); r.status != 401 {
		t.Fatalf("the token of alpha: %d", r.status)
	}
	if orgs := c.must(200, "GET", "/api/v1/me", nil)["organisations"].([]any); len(orgs) != 1 {
		t.Fatalf("organisations: %v", orgs)
	}
}

// TestDisablingTheAccountEndsEverything: the organisation that manages an account, or an
// installation admin, disables it; every session and token ends, and it cannot sign in.
func TestDisablingTheAccountEndsEverything(t *testing.T) {
	e := newTestEnv(t)
	a := e.mustDir("Alpha", "owner@alpha.example")
	b := e.mustDir("Beta", "owner@beta.example")
	mustAdmin(t, e, "assign-domain", "--org", a.orgID, "--domain", "alpha.example")
	c, id := e.mustJoin(a.mustInvite(nil), "kim@alpha.example")
	inv := b.c.must(202, "POST", b.admin("/users"), map[string]any{"email": "kim@alpha.example", "display_name": "Kim"})
	c.must(200, "POST", "/api/v1/invitations/"+inv["token"].(string)+"/accept", map[string]any{})
	tokA := e.tokenClient(c.must(201, "POST", a.org("/tokens"), map[string]any{"name": "a"})["secret"].(string))
	tokB := e.tokenClient(c.must(201, "POST", b.org("/tokens"), map[string]any{"name": "b"})["secret"].(string))

	if r := b.c.do("POST", b.admin("/users/"+id+"/disable-account"), nil); r.status != 403 || r.errorCode(t) != "account_not_managed" {
		t.Fatalf("beta disables: %d %s", r.status, r.body)
	}
	if r := c.do("POST", a.admin("/users/"+id+"/disable-account"), nil); r.status != 403 {
		t.Fatalf("a member disables themselves: %d", r.status)
	}
	a.c.must(200, "POST", a.admin("/users/"+id+"/disable-account"), nil)
	for name, x := range map[string]*client{"session": c, "token A": tokA, "token B": tokB} {
		if r := x.do("GET", "/api/v1/me", nil); r.status != 401 {
			t.Fatalf("%s after disabling: %d", name, r.status)
		}
	}
	if r := e.client().do("POST", "/api/v1/auth/login", map[string]string{"email": "kim@alpha.example", "password": "Quiet-Meadow-kim@alpha.example"}); r.status != 401 {
		t.Fatalf("sign-in after disabling: %d", r.status)
	}
	// Installation admins enable and disable any account; nobody else may.
	if r := b.c.do("POST", "/api/v1/installation/users/"+id+"/enable", nil); r.status != 403 || r.errorCode(t) != "installation_admin_required" {
		t.Fatalf("an owner enables: %d %s", r.status, r.body)
	}
	mustAdmin(t, e, "grant-installation-admin", "--email", "owner@beta.example")
	b.c.must(200, "POST", "/api/v1/installation/users/"+id+"/enable", nil)
	e.signedIn("kim@alpha.example", "Quiet-Meadow-kim@alpha.example")
	b.c.must(200, "POST", "/api/v1/installation/users/"+id+"/disable", nil)
	if r := e.client().do("POST", "/api/v1/auth/login", map[string]string{"email": "kim@alpha.example", "password": "Quiet-Meadow-kim@alpha.example"}); r.status != 401 {
		t.Fatalf("sign-in after the installation disabled it: %d", r.status)
	}
	if r := b.c.do("POST", "/api/v1/installation/users/00000000-0000-4000-8000-000000000000/disable", nil); r.status != 404 {
		t.Fatalf("an unknown account: %d", r.status)
	}
}

// mustAdmin runs a canopy admin command on the test's stack and returns what it printed.
func mustAdmin(t testing.TB, e *testEnv, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := admin(context.Background(), e.stack.cfg, args, &out); err != nil {
		t.Fatalf("canopy admin %v: %v", args, err)
	}
	return strings.TrimSpace(out.String())
}

// TestActivationLinks: a link previews its account, sets the first password once (even under
// concurrent use), expires, and ends when a new one is issued.
func TestActivationLinks(t *testing.T) {
	e := newTestEnv(t)
	a := e.mustDir("Alpha", "owner@alpha.example")
	id := a.provision(map[string]any{"email": "lee@alpha.example", "display_name": "Lee"})
	if items := a.c.must(200, "GET", a.org("/members?q=lee"), nil)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["activation_pending"] != true {
		t.Fatalf("member list: %v", items)
	}
	first := a.c.must(201, "POST", a.admin("/users/"+id+"/activation-link"), nil)
	second := a.c.must(201, "POST", a.admin("/users/"+id+"/activation-link"), nil)
	if first["email"] != "lee@alpha.example" || first["display_name"] != "Lee" || first["user_id"] != id || first["expires_at"] == nil {
		t.Fatalf("link: %v", first)
	}
	anon := e.client()
	if r := anon.do("GET", "/api/v1/activation/"+linkToken(t, first), nil); r.status != 404 || r.errorCode(t) != "activation_invalid" {
		t.Fatalf("the replaced link: %d %s", r.status, r.body)
	}
	token := linkToken(t, second)
	if p := anon.must(200, "GET", "/api/v1/activation/"+token, nil); p["email"] != "lee@alpha.example" || p["display_name"] != "Lee" || p["org_name"] != "Alpha" {
		t.Fatalf("preview: %v", p)
	}
	if r := anon.do("GET", "/api/v1/activation/"+token+"/qr.png", nil); r.status != 200 || r.header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(r.body, []byte("\x89PNG")) {
		t.Fatalf("QR code: %d %s", r.status, r.header.Get("Content-Type"))
	}
	if r := anon.do("POST", "/api/v1/activation/"+token, map[string]string{"password": "short"}); r.status != 400 || r.errorCode(t) != "password_too_short" {
		t.Fatalf("a weak password: %d %s", r.status, r.body)
	}
	// Used at once by two: exactly one sets the password.
	statuses := make([]int, 2)
	var wg sync.WaitGroup
	for i, pw := range []string{"Lee-First-Password-1", "Lee-Other-Password-2"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = e.client().do("POST", "/api/v1/activation/"+token, map[string]string{"password": pw}).status
		}()
	}
	wg.Wait()
	if !(statuses[0] == 200 && statuses[1] == 404 || statuses[0] == 404 && statuses[1] == 200) {
		t.Fatalf("concurrent uses: %v", statuses)
	}
	pw := "Lee-First-Password-1"
	if statuses[1] == 200 {
		pw = "Lee-Other-Password-2"
	}
	e.signedIn("lee@alpha.example", pw)
	if r := anon.do("POST", "/api/v1/activation/"+token, map[string]string{"password": "Another-Password-3"}); r.status != 404 || r.errorCode(t) != "activation_invalid" {
		t.Fatalf("a second use: %d %s", r.status, r.body)
	}
	if r := a.c.do("POST", a.admin("/users/"+id+"/activation-link"), nil); r.status != 409 || r.errorCode(t) != "already_activated" {
		t.Fatalf("a link for an activated account: %d %s", r.status, r.body)
	}

	// An expired link answers like an unknown one.
	mo := a.provision(map[string]any{"email": "mo@alpha.example", "display_name": "Mo"})
	late := linkToken(t, a.c.must(201, "POST", a.admin("/users/"+mo+"/activation-link"), nil))
	if err := e.stack.db.Exec(`UPDATE activation_tokens SET expires_at = now() - interval '1 minute' WHERE user_id = ?`, mo).Error; err != nil {
		t.Fatal(err)
	}
	if r := anon.do("POST", "/api/v1/activation/"+late, map[string]string{"password": "Mo-Password-12345"}); r.status != 404 || r.errorCode(t) != "activation_invalid" {
		t.Fatalf("an expired link: %d %s", r.status, r.body)
	}

	// Many at once: the others are skipped with the reason; another organisation's id is
	// skipped as not found, and nothing about it is said.
	b := e.mustDir("Beta", "owner@beta.example")
	stranger := b.provision(map[string]any{"email": "stranger@beta.example", "display_name": "Stranger"})
	got := a.c.must(200, "POST", a.admin("/activation-links"), map[string]any{"user_ids": []string{mo, id, stranger}})
	tooMany := make([]string, 1001)
	for i := range tooMany {
		tooMany[i] = mo
	}
	wantCode(t, "1001 people at once", a.c.do("POST", a.admin("/activation-links"), map[string]any{"user_ids": tooMany}), 400, "too_many_users")
	items, skipped := got["items"].([]any), got["skipped"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["user_id"] != mo || items[0].(map[string]any)["display_name"] != "Mo" || len(skipped) != 2 {
		t.Fatalf("batch: %v", got)
	}
	for _, s := range skipped {
		m := s.(map[string]any)
		switch m["user_id"] {
		case id:
			if m["code"] != "already_activated" {
				t.Fatalf("skipped: %v", m)
			}
		case stranger:
			if m["code"] != "not_found" || m["email"] != nil {
				t.Fatalf("another organisation's member: %v", m)
			}
		}
	}
	// At the shell.
	if link := mustAdmin(t, e, "activation-link", "--org", a.orgID, "--email", "mo@alpha.example"); !strings.Contains(link, "/activate/") {
		t.Fatalf("canopy admin activation-link printed %q", link)
	}
}

// TestInitialPasswordMustBeChanged: a password chosen by an administrator lets its person sign in
// and do nothing but change it.
func TestInitialPasswordMustBeChanged(t *testing.T) {
	e := newTestEnv(t)
	a := e.mustDir("Alpha", "owner@alpha.example")
	a.provision(map[string]any{"email": "neo@alpha.example", "display_name": "Neo", "password": "Initial-Password-1"})
	c := e.signedIn("neo@alpha.example", "Initial-Password-1")
	if me := c.must(200, "GET", "/api/v1/me", nil); me["user"].(map[string]any)["must_change_password"] != true {
		t.Fatalf("me: %v", me)
	}
	for _, path := range []string{a.org(""), "/api/v1/orgs", a.org("/members")} {
		if r := c.do("GET", path, nil); r.status != 403 || r.errorCode(t) != "password_change_required" {
			t.Fatalf("%s before the change: %d %s", path, r.status, r.body)
		}
	}
	c.must(204, "POST", "/api/v1/me/password", map[string]string{"current_password": "Initial-Password-1", "new_password": "Neo-Own-Password-2"})
	c.must(200, "GET", a.org(""), nil)
	if me := c.must(200, "GET", "/api/v1/me", nil); me["user"].(map[string]any)["must_change_password"] != false {
		t.Fatalf("me after: %v", me)
	}
}

// TestOrgCreationIsASetting: only installation admins create organisations, unless the
// installation lets everyone.
func TestOrgCreationIsASetting(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("First", "f@first.example")
	if r := o.c.do("POST", "/api/v1/orgs", map[string]string{"name": "Mine"}); r.status != 403 || r.errorCode(t) != "org_creation_disabled" {
		t.Fatalf("by default: %d %s", r.status, r.body)
	}
	mustAdmin(t, e, "grant-installation-admin", "--email", "f@first.example")
	o.c.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Mine"})
	if me := o.c.must(200, "GET", "/api/v1/me", nil); me["user"].(map[string]any)["installation_admin"] != true {
		t.Fatalf("me: %v", me)
	}

	// The demo owner of `make run` is an installation admin.
	// Its password comes from a file, as make run gives it, not from the command line.
	pwFile := filepath.Join(t.TempDir(), "demo-password")
	if err := os.WriteFile(pwFile, []byte("Demo-Password-123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustAdmin(t, e, "demo", "--email", "demo@demo.example", "--password-file", pwFile)
	if me := e.signedIn("demo@demo.example", "Demo-Password-123").must(200, "GET", "/api/v1/me", nil); me["user"].(map[string]any)["installation_admin"] != true {
		t.Fatalf("the demo owner: %v", me)
	}

	open := newTestEnv(t, func(c *config.Config) { c.Installation.AllowOrgCreation = true })
	p := open.mustOrg("Open", "p@open.example")
	p.c.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Anyone's"})
}

// TestInstallationDomains: installation admins assign email domains through the API and the
// shell; nobody else reaches those routes, not even with an installation admin's API token.
func TestInstallationDomains(t *testing.T) {
	e := newTestEnv(t)
	a := e.mustDir("Alpha", "owner@alpha.example")
	b := e.mustDir("Beta", "owner@beta.example")
	routes := []struct{ method, path string }{
		{"GET", "/api/v1/installation/orgs"}, {"GET", "/api/v1/installation/orgs/" + a.orgID + "/domains"},
		{"POST", "/api/v1/installation/orgs/" + a.orgID + "/domains"}, {"DELETE", "/api/v1/installation/orgs/" + a.orgID + "/domains/alpha.example"},
		{"POST", "/api/v1/installation/users/" + a.orgID + "/disable"}, {"POST", "/api/v1/installation/users/" + a.orgID + "/enable"},
		{"GET", "/api/v1/installation/users?q=alpha"},
	}
	for _, r := range routes {
		if res := a.c.do(r.method, r.path, map[string]string{"domain": "alpha.example"}); res.status != 403 || res.errorCode(t) != "installation_admin_required" {
			t.Errorf("%s %s as an owner: %d %s", r.method, r.path, res.status, res.body)
		}
	}
	mustAdmin(t, e, "grant-installation-admin", "--email", "owner@alpha.example")
	tok := e.tokenClient(a.c.must(201, "POST", a.org("/tokens"), map[string]any{"name": "t"})["secret"].(string))
	for _, r := range routes {
		if res := tok.do(r.method, r.path, map[string]string{"domain": "alpha.example"}); res.status != 403 {
			t.Errorf("%s %s with a token: %d %s", r.method, r.path, res.status, res.body)
		}
	}
	got := a.c.must(201, "POST", "/api/v1/installation/orgs/"+a.orgID+"/domains", map[string]string{"domain": "Alpha.Example"})
	// Its owner, who signed up at the shell, is the one account already in the domain.
	if got["domain"] != "alpha.example" || got["existing_accounts"] != 1.0 || got["accounts_created_elsewhere"] != 1.0 {
		t.Fatalf("assigned: %v", got)
	}
	if r := a.c.do("POST", "/api/v1/installation/orgs/"+b.orgID+"/domains", map[string]string{"domain": "alpha.example"}); r.status != 409 || r.errorCode(t) != "domain_taken" {
		t.Fatalf("a domain twice: %d %s", r.status, r.body)
	}
	if r := a.c.do("POST", "/api/v1/installation/orgs/"+b.orgID+"/domains", map[string]string{"domain": "not a domain"}); r.status != 400 || r.errorCode(t) != "invalid_domain" {
		t.Fatalf("a bad domain: %d %s", r.status, r.body)
	}
	if r := a.c.do("GET", "/api/v1/installation/orgs/00000000-0000-4000-8000-000000000000/domains", nil); r.status != 404 {
		t.Fatalf("an unknown organisation: %d", r.status)
	}
	if out := mustAdmin(t, e, "assign-domain", "--org", b.orgID, "--domain", "beta.example"); out != "beta.example\nexisting accounts now managed by the organisation: 1 (created elsewhere: 1)" {
		t.Fatalf("cli printed %q", out)
	}
	var seen int
	for _, it := range a.c.must(200, "GET", "/api/v1/installation/orgs", nil)["items"].([]any) {
		m := it.(map[string]any)
		ds := m["domains"].([]any)
		if m["id"] == a.orgID && len(ds) == 1 && ds[0].(map[string]any)["domain"] == "alpha.example" ||
			m["id"] == b.orgID && len(ds) == 1 && ds[0].(map[string]any)["domain"] == "beta.example" {
			seen++
		}
	}
	if seen != 2 {
		t.Fatal("the organisations' domains are not listed")
	}
	// Accounts in Beta's domain are Beta's to make: Alpha only invites the person.
	if r := a.c.do("POST", a.admin("/users"), map[string]any{"email": "x@beta.example", "display_name": "X"}); r.status != 202 || r.json(t)["status"] != "invited" {
		t.Fatalf("alpha provisions in beta's domain: %d %s", r.status, r.body)
	}
	moved := b.provision(map[string]any{"email": "x@beta.example", "display_name": "X"})
	if r := a.c.do("PATCH", a.admin("/users/"+moved), map[string]any{"display_name": "Y"}); r.status != 404 {
		t.Fatalf("alpha renames beta's account: %d %s", r.status, r.body)
	}
	a.c.must(204, "DELETE", "/api/v1/installation/orgs/"+b.orgID+"/domains/beta.example", nil)
	if r := a.c.do("DELETE", "/api/v1/installation/orgs/"+a.orgID+"/domains/beta.example", nil); r.status != 404 {
		t.Fatalf("unassigning a domain of another organisation: %d", r.status)
	}
}

// TestInstallationAccounts: installation admins find any account by name or email (the LIKE
// wildcards taken literally) to disable it; nobody else lists the installation's accounts, not
// even an installation admin's API token.
func TestInstallationAccounts(t *testing.T) {
	e := newTestEnv(t)
	a := e.mustDir("Alpha", "owner@alpha.example")
	b := e.mustDir("Beta", "owner@beta.example")
	kim := b.provision(map[string]any{"email": "kim@beta.example", "display_name": "Kim Percent 100%"})
	b.provision(map[string]any{"email": "lou@beta.example", "display_name": "Lou"})
	if r := a.c.do("GET", "/api/v1/installation/users?q=kim", nil); r.status != 403 || r.errorCode(t) != "installation_admin_required" {
		t.Fatalf("an owner lists the accounts: %d %s", r.status, r.body)
	}
	mustAdmin(t, e, "grant-installation-admin", "--email", "owner@alpha.example")
	tok := e.tokenClient(a.c.must(201, "POST", a.org("/tokens"), map[string]any{"name": "t"})["secret"].(string))
	if r := tok.do("GET", "/api/v1/installation/users?q=kim", nil); r.status != 403 || r.errorCode(t) != "installation_admin_required" {
		t.Fatalf("an installation admin's token lists the accounts: %d %s", r.status, r.body)
	}
	// Another organisation's person, found by part of the email, in any case.
	got := a.c.must(200, "GET", "/api/v1/installation/users?q=KIM@BETA", nil)
	items := got["items"].([]any)
	if got["total"] != 1.0 || len(items) != 1 {
		t.Fatalf("search: %v", got)
	}
	k := items[0].(map[string]any)
	if k["id"] != kim || k["email"] != "kim@beta.example" || k["display_name"] != "Kim Percent 100%" || k["status"] != "active" || k["installation_admin"] != false || k["created_at"] == nil {
		t.Fatalf("the account: %v", k)
	}
	// "%" is a character, not "anything".
	if got := a.c.must(200, "GET", "/api/v1/installation/users?q=%25", nil); got["total"] != 1.0 || got["items"].([]any)[0].(map[string]any)["id"] != kim {
		t.Fatalf("q=%%: %v", got)
	}
	if got := a.c.must(200, "GET", "/api/v1/installation/users?q=k%25m", nil); got["total"] != 0.0 {
		t.Fatalf("q=k%%m: %v", got)
	}
	// Every account, paged: the two owners, Kim and Lou.
	page := a.c.must(200, "GET", "/api/v1/installation/users?limit=3&offset=2", nil)
	if page["total"] != 4.0 || len(page["items"].([]any)) != 2 {
		t.Fatalf("paged: %v", page)
	}
	if r := a.c.do("GET", "/api/v1/installation/users?limit=0", nil); r.status != 400 {
		t.Fatalf("limit=0: %d", r.status)
	}
	// What the list finds, the installation admin disables, and the list says so.
	a.c.must(200, "POST", "/api/v1/installation/users/"+kim+"/disable", nil)
	if k := a.c.must(200, "GET", "/api/v1/installation/users?q=kim", nil)["items"].([]any)[0].(map[string]any); k["status"] != "deactivated" {
		t.Fatalf("after disabling: %v", k)
	}
}

// TestOwnersAccountsAreTheirs: nobody but an owner changes an owner's account, even the
// organisation that manages it; an admin's needs ownership.transfer.
func TestOwnersAccountsAreTheirs(t *testing.T) {
	e := newTestEnv(t)
	a := e.mustDir("Alpha", "owner@alpha.example")
	mustAdmin(t, e, "assign-domain", "--org", a.orgID, "--domain", "alpha.example")
	admin1 := a.provision(map[string]any{"email": "admin1@alpha.example", "display_name": "Admin One", "role": "admin", "password": "Admin-One-Initial-1"})
	admin2 := a.provision(map[string]any{"email": "admin2@alpha.example", "display_name": "Admin Two", "role": "admin"})
	owner2 := a.provision(map[string]any{"email": "owner2@alpha.example", "display_name": "Owner Two", "role": "owner"})
	c := e.signedIn("admin1@alpha.example", "Admin-One-Initial-1")
	c.must(204, "POST", "/api/v1/me/password", map[string]string{"current_password": "Admin-One-Initial-1", "new_password": "Admin-One-Own-2"})
	ownerID := a.c.must(200, "GET", "/api/v1/me", nil)["user"].(map[string]any)["id"].(string)
	for _, x := range []struct {
		who, method, path, code string
		body                    any
	}{
		{"owner", "PATCH", a.admin("/users/" + ownerID), "owner_protected", map[string]any{"email": "taken@alpha.example"}},
		{"owner", "POST", a.admin("/users/" + owner2 + "/activation-link"), "owner_protected", nil},
		{"owner", "POST", a.admin("/users/" + ownerID + "/disable-account"), "owner_protected", nil},
		{"admin", "PATCH", a.admin("/users/" + admin2), "admin_protected", map[string]any{"display_name": "Renamed"}},
		{"admin", "POST", a.admin("/users/" + admin2 + "/activation-link"), "admin_protected", nil},
		{"admin", "POST", a.admin("/users/" + admin2 + "/disable-account"), "admin_protected", nil},
		{"owner", "POST", a.admin("/users/" + owner2 + "/reset-credentials"), "owner_protected", nil},
		{"admin", "POST", a.admin("/users/" + admin2 + "/reset-credentials"), "admin_protected", nil},
	} {
		if r := c.do(x.method, x.path, x.body); r.status != 403 || r.errorCode(t) != x.code {
			t.Errorf("an admin changes an %s's account (%s %s): %d %s", x.who, x.method, x.path, r.status, r.body)
		}
	}
	// The owner, who holds ownership.transfer, may change an admin's account, but not another
	// owner's.
	a.c.must(200, "PATCH", a.admin("/users/"+admin2), map[string]any{"display_name": "Renamed"})
	a.c.must(201, "POST", a.admin("/users/"+admin2+"/activation-link"), nil)
	if r := a.c.do("POST", a.admin("/users/"+owner2+"/activation-link"), nil); r.status != 403 || r.errorCode(t) != "owner_protected" {
		t.Fatalf("an owner takes another owner's link: %d %s", r.status, r.body)
	}
	// Their own is theirs.
	a.c.must(200, "PATCH", a.admin("/users/"+ownerID), map[string]any{"display_name": "The Owner"})
	_ = admin1
}

// TestNewAccountRoutesKeepTenants: the new routes answer another organisation's ids with 404,
// and another person's invitation id likewise.
func TestNewAccountRoutesKeepTenants(t *testing.T) {
	e := newTestEnv(t)
	e.startImports()
	a := e.mustDir("Alpha", "owner@alpha.example")
	b := e.mustDir("Beta", "owner@beta.example")
	bUser := b.provision(map[string]any{"email": "u@beta.example", "display_name": "U"})
	bJob := b.owner.mustImport(t, "application/json", mustJSON(t, map[string]any{"users": []any{
		map[string]any{"external_id": "E1", "email": "i@beta.example", "display_name": "I"}}}))
	for _, x := range []struct {
		method, path string
		body         any
	}{
		{"POST", a.admin("/users/" + bUser + "/activation-link"), nil},
		{"POST", a.admin("/users/" + bUser + "/disable-account"), nil},
		{"POST", a.admin("/users/" + bUser + "/reset-credentials"), nil},
		{"POST", b.admin("/users/" + bUser + "/reset-credentials"), nil},
		{"POST", a.admin("/activation-links"), map[string]any{"import_id": bJob["id"]}},
		{"POST", b.admin("/activation-links"), map[string]any{"user_ids": []string{bUser}}},
		{"POST", b.admin("/users/" + bUser + "/activation-link"), nil},
	} {
		if r := a.c.do(x.method, x.path, x.body); r.status != 404 {
			t.Errorf("%s %s: %d %s", x.method, x.path, r.status, r.body)
		}
	}
	// An invitation for someone else is not found among mine.
	inv := b.c.must(202, "POST", b.admin("/users"), map[string]any{"email": "owner@alpha.example", "display_name": "O"})
	c, _ := e.mustJoin(b.mustInvite(nil), "other@people.example")
	if r := c.do("POST", "/api/v1/me/invitations/"+inv["invitation"].(map[string]any)["id"].(string)+"/accept", nil); r.status != 404 {
		t.Fatalf("accepting another person's invitation: %d %s", r.status, r.body)
	}
	if items := c.must(200, "GET", "/api/v1/me/invitations", nil)["items"].([]any); len(items) != 0 {
		t.Fatalf("another person's invitations: %v", items)
	}
	if r := e.client().do("GET", "/api/v1/activation/not-a-token", nil); r.status != 404 || r.errorCode(t) != "activation_invalid" {
		t.Fatalf("an unknown activation token: %d %s", r.status, r.body)
	}
}

// accountsIn counts the accounts whose email is in domain.
func (e *testEnv) accountsIn(t testing.TB, domain string) int64 {
	t.Helper()
	var n int64
	if err := e.stack.db.Raw(`SELECT count(*) FROM users WHERE email LIKE ?`, "%@"+domain).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOnlyTheDomainsOrganisationMakesItsAccounts: once beta.example is Beta's, Alpha makes no
// account in it by any door (admin API, SCIM, import, its invitation links, re-addressing an
// account it manages), so it can never sign in as one of Beta's people: it only invites them.
func TestOnlyTheDomainsOrganisationMakesItsAccounts(t *testing.T) {
	e := newTestEnv(t)
	e.startImports()
	a := e.mustDir("Alpha", "owner@alpha.example")
	b := e.mustDir("Beta", "owner@beta.example")
	mustAdmin(t, e, "assign-domain", "--org", b.orgID, "--domain", "beta.example")

	r := a.c.do("POST", a.admin("/users"), map[string]any{"email": "ceo@beta.example", "display_name": "CEO", "password": "Chosen-By-Alpha-1"})
	if r.status != 202 || r.json(t)["status"] != "invited" {
		t.Fatalf("alpha provisions ceo@beta.example: %d %s", r.status, r.body)
	}
	invitation := r.json(t)["token"].(string)
	if r := e.client().do("POST", "/api/v1/auth/login", map[string]string{"email": "ceo@beta.example", "password": "Chosen-By-Alpha-1"}); r.status != 401 {
		t.Fatalf("alpha's password signs in: %d %s", r.status, r.body)
	}
	// Signing up through Alpha's invitations, for one email or for anyone, is refused too.
	for _, token := range []string{invitation, a.mustInvite(nil)} {
		r := e.client().do("POST", "/api/v1/invitations/"+token+"/accept", map[string]string{"email": "ceo@beta.example", "display_name": "CEO", "password": "Chosen-By-Alpha-1"})
		if r.status != 403 || r.errorCode(t) != "domain_managed" {
			t.Fatalf("a sign-up in beta's domain through alpha's invitation: %d %s", r.status, r.body)
		}
	}
	r = e.idp(a.mustSCIMToken("Okta")).send("POST", "/Users", oktaUser("cfo@beta.example", "C", "FO", "okta-1"))
	if d := scimError(t, r, 409, "uniqueness"); d != "this email's account is not this organisation's to make or manage; an invitation was sent" {
		t.Fatalf("SCIM: %q", d)
	}
	job := a.owner.mustImport(t, "application/json", mustJSON(t, map[string]any{"users": []any{
		map[string]any{"external_id": "E1", "email": "cto@beta.example", "display_name": "CTO"},
		map[string]any{"external_id": "E2", "email": "dev@people.example", "display_name": "Dev"},
	}}))
	if job["invited_rows"].(float64) != 1 || job["created_rows"].(float64) != 1 || strings.Join(issues(job), ";") != "user 1 invited" {
		t.Fatalf("import: %v", job)
	}
	// Nor does Alpha move an account it manages into Beta's domain.
	mine := a.provision(map[string]any{"email": "mine@people.example", "display_name": "Mine", "password": "Alpha-Initial-1"})
	if r := a.c.do("PATCH", a.admin("/users/"+mine), map[string]any{"email": "ceo@beta.example"}); r.status != 403 || r.errorCode(t) != "account_not_managed" {
		t.Fatalf("the admin API moves an account into beta's domain: %d %s", r.status, r.body)
	}
	job = a.owner.mustImport(t, "application/json", mustJSON(t, map[string]any{"users": []any{
		map[string]any{"external_id": "E2", "email": "dev@beta.example", "display_name": "Dev"},
	}}))
	if strings.Join(issues(job), ";") != "user 1 account_not_managed" {
		t.Fatalf("an import moves an account into beta's domain: %v", job)
	}
	if n := e.accountsIn(t, "beta.example"); n != 1 {
		t.Fatalf("%d accounts in beta.example, want only beta's owner", n)
	}

	// Beta makes them, and its own invitation links let its people sign up.
	ceo := b.provision(map[string]any{"email": "ceo@beta.example", "display_name": "CEO"})
	e.mustJoin(b.mustInvite(nil), "staff@beta.example")
	// The person accepts Alpha's invitation with the account Beta gave them.
	b.mustActivate(e, ceo, "Ceo-Own-Password-1")
	c := e.signedIn("ceo@beta.example", "Ceo-Own-Password-1")
	if p := c.must(200, "GET", "/api/v1/invitations/"+invitation, nil); p["account_state"] != "active" {
		t.Fatalf("preview for ceo: %v", p)
	}
	c.must(200, "POST", "/api/v1/invitations/"+invitation+"/accept", map[string]any{})
	c.must(200, "GET", a.org(""), nil)
}

// TestResetCredentialsTakesBackAnAccount: an account Alpha made in beta.example before Beta was
// given the domain, and whose password Alpha knows, becomes Beta's; Beta resets its credentials,
// which ends every session and token of it, and only the activation link gets back in.
func TestResetCredentialsTakesBackAnAccount(t *testing.T) {
	e := newTestEnv(t)
	a := e.mustDir("Alpha", "owner@alpha.example")
	b := e.mustDir("Beta", "owner@beta.example")
	ceo := a.provision(map[string]any{"email": "ceo@beta.example", "display_name": "CEO", "password": "Chosen-By-Alpha-1"})
	c := e.signedIn("ceo@beta.example", "Chosen-By-Alpha-1")
	c.must(204, "POST", "/api/v1/me/password", map[string]string{"current_password": "Chosen-By-Alpha-1", "new_password": "Kept-By-Alpha-2"})
	tok := e.tokenClient(c.must(201, "POST", a.org("/tokens"), map[string]any{"name": "alpha's"})["secret"].(string))

	if out := mustAdmin(t, e, "assign-domain", "--org", b.orgID, "--domain", "beta.example"); out != "beta.example\nexisting accounts now managed by the organisation: 2 (created elsewhere: 2)" {
		t.Fatalf("cli printed %q", out)
	}
	if got := b.provision(map[string]any{"email": "ceo@beta.example", "display_name": "CEO"}); got != ceo {
		t.Fatalf("beta attached %s, want %s", got, ceo)
	}
	if r := a.c.do("POST", a.admin("/users/"+ceo+"/reset-credentials"), nil); r.status != 403 || r.errorCode(t) != "account_not_managed" {
		t.Fatalf("alpha resets: %d %s", r.status, r.body)
	}
	if r := b.c.do("POST", b.admin("/users/"+b.ownerID(t)+"/reset-credentials"), nil); r.status != 409 || r.errorCode(t) != "cannot_reset_self" {
		t.Fatalf("resetting oneself: %d %s", r.status, r.body)
	}
	link := b.c.must(200, "POST", b.admin("/users/"+ceo+"/reset-credentials"), nil)
	if link["user_id"] != ceo || link["email"] != "ceo@beta.example" || link["expires_at"] == nil {
		t.Fatalf("reset: %v", link)
	}
	for name, x := range map[string]*client{"alpha's session": c, "alpha's token": tok} {
		if r := x.do("GET", "/api/v1/me", nil); r.status != 401 {
			t.Fatalf("%s after the reset: %d", name, r.status)
		}
	}
	if r := e.client().do("POST", "/api/v1/auth/login", map[string]string{"email": "ceo@beta.example", "password": "Kept-By-Alpha-2"}); r.status != 401 {
		t.Fatalf("alpha's password after the reset: %d %s", r.status, r.body)
	}
	if m := b.c.must(200, "GET", b.admin("/users/"+ceo), nil); m["activation_pending"] != true {
		t.Fatalf("after the reset: %v", m)
	}
	e.client().must(200, "POST", "/api/v1/activation/"+linkToken(t, link), map[string]string{"password": "Ceo-Own-Password-3"})
	e.signedIn("ceo@beta.example", "Ceo-Own-Password-3").must(200, "GET", b.org(""), nil)
	if r := e.client().do("POST", "/api/v1/auth/login", map[string]string{"email": "ceo@beta.example", "password": "Kept-By-Alpha-2"}); r.status != 401 {
		t.Fatalf("alpha's password after activation: %d", r.status)
	}
}

// activationFrom looks up an activation link from a client address (sent as X-Forwarded-For
// through the trusted loopback proxy) and returns the status.
func (e *testEnv) activationFrom(t testing.TB, address, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", e.http.URL+"/api/v1/activation/"+token, nil)
	req.Header.Set("X-Forwarded-For", address)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// TestActivationGuessesCountPerIPv6Client: the addresses of one IPv6 /64 share one count of
// failed activation look-ups, as they do for sign-in, so a client cannot rotate past the limit.
func TestActivationGuessesCountPerIPv6Client(t *testing.T) {
	e := newTestEnv(t, func(c *config.Config) {
		c.Server.TrustedProxies = []string{"127.0.0.0/8"}
		c.Auth.LoginAddressLimit = 3
	})
	for i := 1; i <= 3; i++ {
		if s := e.activationFrom(t, fmt.Sprintf("2001:db8:1:2::%x", i), "not-a-link"); s != 404 {
			t.Fatalf("guess %d: %d", i, s)
		}
	}
	if s := e.activationFrom(t, "2001:db8:1:2:ffff::1", "not-a-link"); s != 429 {
		t.Fatalf("a fourth guess from the same /64: %d", s)
	}
	if s := e.activationFrom(t, "2001:db8:1:3::1", "not-a-link"); s != 404 {
		t.Fatalf("another /64: %d", s)
	}
}
