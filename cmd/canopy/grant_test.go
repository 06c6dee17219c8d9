package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// Security 3 (nobody grants what they do not hold), 4 (department scope means the subtree) and
// 7 (token creation in the audit log): each test below fails on the code before the fix.

// mustRole makes a custom role and returns its id.
func (d dir) mustRole(name string, perms ...string) string {
	d.t.Helper()
	return d.c.must(201, "POST", d.admin("/roles"), map[string]any{"name": name, "permissions": perms})["id"].(string)
}

// mustAssign grants a role to a member, organisation-wide (dept "") or at a department.
func (d dir) mustAssign(userID, roleID, dept string) {
	d.t.Helper()
	body := map[string]any{"user_id": userID, "role_id": roleID}
	if dept != "" {
		body["department_id"] = dept
	}
	d.c.must(201, "POST", d.admin("/assignments"), body)
}

// wantCode fails unless r is status with the error code.
func wantCode(t *testing.T, what string, r response, status int, code string) {
	t.Helper()
	if r.status != status || r.errorCode(t) != code {
		t.Errorf("%s: got %d %s, want %d %s", what, r.status, r.body, status, code)
	}
}

// TestMembersManageAloneCannotMakeAnAdmin: a member whose only extra power is members.manage
// cannot make an admin by any path: role change, invitation, provisioning; nor demote or
// bring back an admin. What they do hold they can still give.
func TestMembersManageAloneCannotMakeAnAdmin(t *testing.T) {
	e := newTestEnv(t)
	e.startImports()
	d := e.mustDir("Escalate", "o@escalate.example")
	hr, hrID := e.mustJoin(d.mustInvite(nil), "hr@escalate.example")
	d.mustAssign(hrID, d.mustRole("HR", "members.manage"), "")
	target := d.mustUser("target@escalate.example", "Target")
	admin := d.mustUser("admin@escalate.example", "Admin")
	d.c.must(200, "PUT", d.admin("/users/"+admin+"/role"), map[string]any{"role": "admin"})

	wantCode(t, "role change to admin", hr.do("PUT", d.admin("/users/"+target+"/role"), map[string]any{"role": "admin"}), 403, "cannot_grant")
	wantCode(t, "role change of hr themselves", hr.do("PUT", d.admin("/users/"+hrID+"/role"), map[string]any{"role": "admin"}), 403, "cannot_grant")
	wantCode(t, "invitation as admin", hr.do("POST", d.org("/invitations"), map[string]any{"role": "admin"}), 403, "cannot_grant")
	wantCode(t, "provisioning an admin", hr.do("POST", d.admin("/users"), map[string]any{"email": "new-admin@escalate.example", "display_name": "New admin", "role": "admin"}), 403, "cannot_grant")
	wantCode(t, "demoting an admin", hr.do("PUT", d.admin("/users/"+admin+"/role"), map[string]any{"role": "guest"}), 403, "cannot_grant")
	if got := d.c.must(200, "GET", d.admin("/users/"+target), nil); got["role"] != "member" {
		t.Fatalf("the refused change took effect: %v", got)
	}
	if got := d.c.must(200, "GET", d.admin("/users/"+admin), nil); got["role"] != "admin" {
		t.Fatalf("the refused demotion took effect: %v", got)
	}
	if got := d.c.must(200, "GET", d.admin("/users?email=new-admin%40escalate.example"), nil); got["total"].(float64) != 0 {
		t.Fatalf("the refused provisioning made a member: %v", got)
	}
	// Nor deactivate one, by any door (the console's, the admin API's, a PATCH, which SCIM's
	// DELETE and active: false go through too).
	wantCode(t, "deactivating an admin", hr.do("POST", d.org("/members/"+admin+"/deactivate"), nil), 403, "cannot_grant")
	wantCode(t, "deactivating an admin through the admin API", hr.do("POST", d.admin("/users/"+admin+"/deactivate"), nil), 403, "cannot_grant")
	wantCode(t, "deactivating an admin with a PATCH", hr.do("PATCH", d.admin("/users/"+admin), map[string]any{"active": false}), 403, "cannot_grant")
	// An import row is a door too, for someone who may also manage the directory.
	d.mustAssign(hrID, d.mustRole("Tree keeper", "directory.manage"), "")
	job := owner{orgID: d.orgID, c: hr}.mustImport(t, "application/json", mustJSON(t, map[string]any{"users": []any{
		map[string]any{"external_id": "A1", "email": "admin@escalate.example", "display_name": "Admin", "active": false}}}))
	if got := strings.Join(issues(job), ";"); got != "user 1 cannot_grant" {
		t.Fatalf("deactivating an admin by import: %v", job)
	}
	if got := d.c.must(200, "GET", d.admin("/users/"+admin), nil); got["status"] != "active" {
		t.Fatalf("the refused deactivation took effect: %v", got)
	}
	// An admin deactivated by the owner stays deactivated.
	d.c.must(200, "POST", d.org("/members/"+admin+"/deactivate"), nil)
	wantCode(t, "reactivating an admin", hr.do("POST", d.org("/members/"+admin+"/reactivate"), nil), 403, "cannot_grant")

	// Within what they hold: a guest made a member, invitations and new people as members.
	hr.must(200, "PUT", d.admin("/users/"+target+"/role"), map[string]any{"role": "guest"})
	hr.must(200, "PUT", d.admin("/users/"+target+"/role"), map[string]any{"role": "member"})
	hr.must(201, "POST", d.org("/invitations"), map[string]any{"role": "member"})
	hr.must(201, "POST", d.admin("/users"), map[string]any{"email": "plain@escalate.example", "display_name": "Plain"})
	hr.must(200, "POST", d.org("/members/"+target+"/deactivate"), nil)
	hr.must(200, "POST", d.org("/members/"+target+"/reactivate"), nil)
}

// TestDepartmentAdminGrantsOnlyInsideTheirSubtree: a department admin of Engineering who may
// also manage roles grants only what they hold, only where they hold it.
func TestDepartmentAdminGrantsOnlyInsideTheirSubtree(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Grants", "o@grants.example")
	eng := d.mustDept("", "Engineering")
	backend := d.mustDept(eng, "Backend")
	sales := d.mustDept("", "Sales")
	da, daID := e.mustJoin(d.mustInvite(nil), "da@grants.example")
	d.mustAssign(daID, d.builtinRole("department_admin"), eng)
	d.mustAssign(daID, d.mustRole("Role keeper", "roles.manage"), "")
	someone := d.mustUser("someone@grants.example", "Someone")
	auditor := d.mustRole("Auditor", "audit.read")
	treeKeeper := d.mustRole("Tree keeper", "directory.manage")

	assign := func(role, dept string) response {
		body := map[string]any{"user_id": someone, "role_id": role}
		if dept != "" {
			body["department_id"] = dept
		}
		return da.do("POST", d.admin("/assignments"), body)
	}
	wantCode(t, "department admin of a sibling", assign(d.builtinRole("department_admin"), sales), 403, "cannot_grant")
	wantCode(t, "a role with a permission they lack", assign(auditor, ""), 403, "cannot_grant")
	wantCode(t, "directory.manage organisation-wide", assign(treeKeeper, ""), 403, "cannot_grant")
	wantCode(t, "directory.manage at a sibling", assign(treeKeeper, sales), 403, "cannot_grant")
	wantCode(t, "adding a permission they lack to a role", da.do("PATCH", d.admin("/roles/"+treeKeeper),
		map[string]any{"name": "Tree keeper", "permissions": []string{"directory.manage", "settings.manage"}}), 403, "cannot_grant")
	if got := d.c.must(200, "GET", d.admin("/assignments?user_id="+someone), nil)["items"].([]any); len(got) != 0 {
		t.Fatalf("refused assignments were stored: %v", got)
	}

	// Inside their subtree, what they hold.
	da.must(201, "POST", d.admin("/assignments"), map[string]any{"user_id": someone, "role_id": d.builtinRole("department_admin"), "department_id": backend})
	da.must(201, "POST", d.admin("/assignments"), map[string]any{"user_id": someone, "role_id": treeKeeper, "department_id": eng})
}

// TestNarrowedTokenCannotCreateABroaderToken: a token narrowed to members.manage may create only
// tokens narrowed to what it carries; a session only with permissions its member holds.
func TestNarrowedTokenCannotCreateABroaderToken(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Tokens", "o@tokens.example")
	secret := d.c.must(201, "POST", d.org("/tokens"), map[string]any{"name": "hr sync", "scopes": []string{"members.manage"}})["secret"].(string)
	tc := e.tokenClient(secret)
	for name, scopes := range map[string][]string{
		"the default (api)":      nil,
		"api":                    {"api"},
		"a broader permission":   {"members.manage", "roles.manage"},
		"another permission":     {"settings.manage"},
		"api beside its own one": {"api", "members.manage"},
	} {
		body := map[string]any{"name": "broader"}
		if scopes != nil {
			body["scopes"] = scopes
		}
		wantCode(t, "narrowed token creating "+name, tc.do("POST", d.org("/tokens"), body), 403, "cannot_grant")
	}
	tc.must(201, "POST", d.org("/tokens"), map[string]any{"name": "same", "scopes": []string{"members.manage"}})

	// A SCIM token carries its creator's provisioning powers whole: not from a narrowed token.
	provisioner := d.c.must(201, "POST", d.org("/tokens"), map[string]any{"name": "p", "scopes": []string{"tokens.manage", "members.manage"}})["secret"].(string)
	wantCode(t, "narrowed token creating a SCIM token", e.tokenClient(provisioner).do("POST", d.admin("/scim-tokens"), map[string]any{"name": "Okta"}), 403, "cannot_grant")

	// A member's session gives only what the member holds.
	m, _ := e.mustJoin(d.mustInvite(nil), "m@tokens.example")
	wantCode(t, "member giving members.manage", m.do("POST", d.org("/tokens"), map[string]any{"name": "x", "scopes": []string{"members.manage"}}), 403, "cannot_grant")
	m.must(201, "POST", d.org("/tokens"), map[string]any{"name": "reader", "scopes": []string{"directory.read"}})
}

// TestGroupOwnerPowersRespectTokenScopes: owning a group is data, not a grant, yet a token
// narrowed to reading cannot use it to change the group.
func TestGroupOwnerPowersRespectTokenScopes(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Owners", "o@owners.example")
	m, mID := e.mustJoin(d.mustInvite(nil), "m@owners.example")
	g := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Book club"})["id"].(string)
	d.c.must(204, "PUT", d.admin("/groups/"+g+"/members/"+mID), map[string]any{"role": "owner"})
	reader := m.must(201, "POST", d.org("/tokens"), map[string]any{"name": "read", "scopes": []string{"org.read", "directory.read"}})["secret"].(string)
	wantCode(t, "a reading token renaming the owner's group", e.tokenClient(reader).do("PATCH", d.admin("/groups/"+g), map[string]any{"name": "Mine"}), 403, "token_scope")
	if got := d.c.must(200, "GET", d.org("/groups/"+g), nil); got["name"] != "Book club" {
		t.Fatalf("the refused rename took effect: %v", got)
	}
	// With groups.manage among its scopes, the owner's token may (the owner holds it as data).
	manager := m.do("POST", d.org("/tokens"), map[string]any{"name": "manage", "scopes": []string{"org.read", "groups.manage"}})
	wantCode(t, "a member giving groups.manage they hold only as an owner", manager, 403, "cannot_grant")
	m.must(200, "PATCH", d.admin("/groups/"+g), map[string]any{"name": "Book club 2"})
}

// TestDepartmentReaderSeesOnlyTheirSubtree: directory.read at Engineering lists, reads and
// searches Engineering's subtree only; everyone and every department else is 404, like an id
// of another organisation.
func TestDepartmentReaderSeesOnlyTheirSubtree(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Subtree", "o@subtree.example")
	eng := d.mustDept("", "Engineering")
	backend := d.mustDept(eng, "Backend")
	sales := d.mustDept("", "Sales")
	engPerson := d.mustUser("eng@subtree.example", "Eng Person")
	salesPerson := d.mustUser("sales@subtree.example", "Sales Person")
	nowhere := d.mustUser("nowhere@subtree.example", "Nowhere Person")
	d.c.must(204, "PUT", d.admin("/departments/"+backend+"/members/"+engPerson), map[string]any{})
	d.c.must(204, "PUT", d.admin("/departments/"+sales+"/members/"+salesPerson), map[string]any{})
	reader, readerID := e.mustJoin(d.mustInvite(map[string]any{"role": "guest"}), "reader@subtree.example")
	d.mustAssign(readerID, d.mustRole("Eng reader", "directory.read"), eng)

	list := reader.must(200, "GET", d.org("/members"), nil)
	var ids []string
	for _, it := range list["items"].([]any) {
		ids = append(ids, it.(map[string]any)["user_id"].(string))
	}
	if len(ids) != 1 || ids[0] != engPerson || list["total"].(float64) != 1 {
		t.Fatalf("members listed: %v (total %v), want only the Engineering person", ids, list["total"])
	}
	if got := reader.must(200, "GET", d.org("/members?q=person"), nil); got["total"].(float64) != 1 {
		t.Fatalf("a search of members reached outside: %v", got)
	}
	reader.must(200, "GET", d.org("/members/"+engPerson), nil)
	reader.must(200, "GET", d.org("/people/"+engPerson), nil)
	reader.must(200, "GET", d.org("/members/"+readerID), nil)
	for _, who := range []string{salesPerson, nowhere, d.ownerID(t)} {
		for _, path := range []string{"/members/" + who, "/people/" + who} {
			wantCode(t, "reading "+path, reader.do("GET", d.org(path), nil), 404, "not_found")
		}
	}
	if got := reader.must(200, "GET", d.org("/departments/"+eng+"/members?subtree=true"), nil); got["total"].(float64) != 1 {
		t.Fatalf("Engineering's subtree: %v", got)
	}

	// A department outside the subtree answers exactly as one that does not exist.
	reader.must(200, "GET", d.org("/departments/"+backend), nil)
	reader.must(200, "GET", d.org("/departments?parent_id="+eng), nil)
	for _, dept := range []string{sales, "3f2b8a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"} {
		for _, path := range []string{"/departments/" + dept, "/departments/" + dept + "/members", "/departments?parent_id=" + dept} {
			wantCode(t, "reading "+path, reader.do("GET", d.org(path), nil), 404, "not_found")
		}
	}

	// Search finds only what lies in the subtree: its people and its departments.
	found := reader.must(200, "GET", d.org("/search?q=person"), nil)
	people := found["people"].([]any)
	if len(people) != 1 || people[0].(map[string]any)["user_id"] != engPerson {
		t.Fatalf("a search for people reached outside the subtree: %v", found)
	}
	if found := reader.must(200, "GET", d.org("/search?q=sales"), nil); len(found["people"].([]any)) != 0 || len(found["departments"].([]any)) != 0 {
		t.Fatalf("a search found Sales: %v", found)
	}
	if found := reader.must(200, "GET", d.org("/search?q=backend"), nil); len(found["departments"].([]any)) != 1 {
		t.Fatalf("a search missed Backend: %v", found)
	}
	// Groups: only those the reader is in, as the group list shows them.
	club := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Reading club"})["id"].(string)
	d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Reading circle"})
	d.c.must(204, "PUT", d.admin("/groups/"+club+"/members/"+readerID), map[string]any{})
	if groups := reader.must(200, "GET", d.org("/search?q=reading"), nil)["groups"].([]any); len(groups) != 1 || groups[0].(map[string]any)["id"] != club {
		t.Fatalf("a search for groups: %v", groups)
	}
	// The owner's search still finds everyone, the reader ("Person reader@...") included.
	if found := d.c.must(200, "GET", d.org("/search?q=person"), nil); len(found["people"].([]any)) != 4 {
		t.Fatalf("the owner's search: %v", found)
	}
}

// ownerID is the id of the organisation's owner.
func (d dir) ownerID(t *testing.T) string {
	t.Helper()
	return d.c.must(200, "GET", "/api/v1/me", nil)["user"].(map[string]any)["id"].(string)
}

// TestTokenCreationAndRevocationAreAudited: API and SCIM tokens, made and revoked, are in the
// audit log with who, which token and its scopes, and never the secret.
func TestTokenCreationAndRevocationAreAudited(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Audit tokens", "o@audit-tokens.example")
	created := d.c.must(201, "POST", d.org("/tokens"), map[string]any{"name": "HR sync", "scopes": []string{"members.manage"}})
	id, secret := created["token"].(map[string]any)["id"].(string), created["secret"].(string)
	d.c.must(204, "DELETE", d.org("/tokens/"+id), nil)
	scim := d.c.must(201, "POST", d.admin("/scim-tokens"), map[string]any{"name": "Okta"})
	scimID, scimSecret := scim["token"].(map[string]any)["id"].(string), scim["secret"].(string)
	d.c.must(204, "DELETE", d.admin("/scim-tokens/"+scimID), nil)

	res := d.c.do("GET", d.admin("/audit?target_type=token"), nil)
	if strings.Contains(string(res.body), secret) || strings.Contains(string(res.body), scimSecret) {
		t.Fatal("a token's secret is in the audit log")
	}
	var got []string
	for _, it := range res.json(t)["items"].([]any) {
		en := it.(map[string]any)
		state, _ := en["after"].(map[string]any)
		if state == nil {
			state, _ = en["before"].(map[string]any)
		}
		if en["actor_id"] != d.ownerID(t) || state == nil {
			t.Fatalf("entry: %v", en)
		}
		scopes, _ := json.Marshal(state["scopes"])
		got = append(got, en["action"].(string)+" "+en["target_id"].(string)+" "+state["name"].(string)+" "+string(scopes))
	}
	want := []string{
		"token.revoke " + scimID + ` Okta ["scim"]`,
		"token.create " + scimID + ` Okta ["scim"]`,
		"token.revoke " + id + ` HR sync ["members.manage"]`,
		"token.create " + id + ` HR sync ["members.manage"]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestAuditExportNeutralisesFormulas: a display name that a spreadsheet would run as a formula
// is exported as text.
func TestAuditExportNeutralisesFormulas(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Formulas", "o@formulas.example")
	d.c.must(200, "PATCH", "/api/v1/me", map[string]any{"display_name": "=cmd()"})
	d.mustDept("", "+Sales")
	res := d.c.do("GET", d.admin("/audit/export?format=csv"), nil)
	if res.status != 200 {
		t.Fatalf("export: %d %s", res.status, res.body)
	}
	rows, err := csv.NewReader(strings.NewReader(string(res.body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, row := range rows[1:] {
		if row[3] == "'=cmd()" {
			found = true
		}
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("a cell that a spreadsheet would run: %q", cell)
			}
		}
	}
	if !found {
		t.Fatalf("the actor's name is not in the export as text: %v", rows)
	}
}

// TestNarrowedTokenCannotActOnItsOwnersAccount: a token narrowed to directory.read cannot use
// the routes that act on its owner's own account and name no permission: it cannot rename its
// owner, list or revoke the owner's other tokens, or create an organisation. It may still read
// who it acts for and create a token within its own scopes.
func TestNarrowedTokenCannotActOnItsOwnersAccount(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Own account", "o@own-account.example")
	full := d.c.must(201, "POST", d.org("/tokens"), map[string]any{"name": "full"})
	fullID, fullSecret := full["token"].(map[string]any)["id"].(string), full["secret"].(string)
	reader := e.tokenClient(d.c.must(201, "POST", d.org("/tokens"), map[string]any{"name": "reader", "scopes": []string{"directory.read"}})["secret"].(string))

	wantCode(t, "renaming the owner", reader.do("PATCH", "/api/v1/me", map[string]any{"display_name": "Pwned"}), 403, "token_scope")
	wantCode(t, "revoking the owner's full token", reader.do("DELETE", d.org("/tokens/"+fullID), nil), 403, "token_scope")
	wantCode(t, "listing the owner's tokens", reader.do("GET", d.org("/tokens"), nil), 403, "token_scope")
	wantCode(t, "listing the owner's organisations", reader.do("GET", "/api/v1/orgs", nil), 403, "token_scope")
	wantCode(t, "creating an organisation", reader.do("POST", "/api/v1/orgs", map[string]any{"name": "Mine"}), 403, "token_scope")
	wantCode(t, "the owner's invitations", reader.do("GET", "/api/v1/me/invitations", nil), 403, "token_scope")
	wantCode(t, "changing the owner's password", reader.do("POST", "/api/v1/me/password", map[string]any{"current_password": "x", "new_password": "Another-Long-One-9"}), 403, "token_scope")

	me := d.c.must(200, "GET", "/api/v1/me", nil)
	if me["user"].(map[string]any)["display_name"] == "Pwned" {
		t.Fatal("the refused rename took effect")
	}
	e.tokenClient(fullSecret).must(200, "GET", d.org(""), nil)

	// Allowed: who it acts for, and a token with no more than its own scopes.
	if got := reader.must(200, "GET", "/api/v1/me", nil); got["user"].(map[string]any)["id"] != me["user"].(map[string]any)["id"] {
		t.Fatalf("me: %v", got)
	}
	reader.must(201, "POST", d.org("/tokens"), map[string]any{"name": "reader 2", "scopes": []string{"directory.read"}})
	reader.must(200, "GET", d.org("/departments"), nil)
}

// TestInvitationAcceptanceIsAudited: a person who joins through an invitation appears in the
// organisation's audit log as the actor of their own joining, with the invitation and role.
func TestInvitationAcceptanceIsAudited(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Audit joins", "o@audit-joins.example")
	inv := d.c.must(201, "POST", d.org("/invitations"), map[string]any{"role": "member"})
	joined := e.client().must(200, "POST", "/api/v1/invitations/"+inv["token"].(string)+"/accept",
		map[string]any{"email": "new@audit-joins.example", "display_name": "New", "password": "Joining-Meadow-42"})
	userID := joined["user"].(map[string]any)["id"].(string)

	items := d.c.must(200, "GET", d.admin("/audit?action=invitation.accept"), nil)["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("want one invitation.accept entry, got %v", items)
	}
	en := items[0].(map[string]any)
	after, _ := en["after"].(map[string]any)
	if en["actor_id"] != userID || en["target_id"] != userID || after == nil ||
		after["invitation_id"] != inv["invitation"].(map[string]any)["id"] || after["role"] != "member" || after["signed_up"] != true {
		t.Fatalf("entry: %v", en)
	}
	if strings.Contains(fmt.Sprint(items), inv["token"].(string)) {
		t.Fatal("the invitation token is in the audit log")
	}
}
