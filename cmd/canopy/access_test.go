package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func (d dir) builtinRole(name string) string {
	d.t.Helper()
	for _, r := range d.c.must(200, "GET", d.org("/roles"), nil)["items"].([]any) {
		if r.(map[string]any)["builtin"] == name {
			return r.(map[string]any)["id"].(string)
		}
	}
	d.t.Fatalf("no built-in role %s", name)
	return ""
}

// TestDepartmentAdminStaysInTheirSubtree: a department admin of Engineering manages
// Engineering's subtree and nothing beside it.
func TestDepartmentAdminStaysInTheirSubtree(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Scoped", "o@scoped.example")
	eng := d.mustDept("", "Engineering")
	backend := d.mustDept(eng, "Backend")
	sales := d.mustDept("", "Sales")
	emea := d.mustDept(sales, "EMEA")
	engPerson := d.mustUser("eng@scoped.example", "Eng Person")
	salesPerson := d.mustUser("sales@scoped.example", "Sales Person")
	d.c.must(204, "PUT", d.admin("/departments/"+backend+"/members/"+engPerson), map[string]any{})
	d.c.must(204, "PUT", d.admin("/departments/"+emea+"/members/"+salesPerson), map[string]any{})
	salesGroup := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Sales club", "department_id": sales})["id"].(string)

	admin, adminID := e.mustJoin(d.mustInvite(nil), "deptadmin@scoped.example")
	assignment := d.c.must(201, "POST", d.admin("/assignments"), map[string]any{
		"user_id": adminID, "role_id": d.builtinRole("department_admin"), "department_id": eng})["id"].(string)

	// Inside the subtree: create, rename, move within, add members, make groups.
	sub := admin.must(201, "POST", d.admin("/departments"), map[string]any{"name": "Platform", "parent_id": eng})["id"].(string)
	admin.must(200, "PATCH", d.admin("/departments/"+backend), map[string]any{"name": "Backend Services", "parent_id": sub})
	admin.must(204, "PUT", d.admin("/departments/"+sub+"/members/"+engPerson), map[string]any{"leader": true})
	admin.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Eng guild", "department_id": eng})

	// Beside it: refused, and nothing changes.
	refused := []struct {
		method, path string
		body         any
	}{
		{"POST", d.admin("/departments"), map[string]any{"name": "Mine now", "parent_id": sales}},
		{"POST", d.admin("/departments"), map[string]any{"name": "Top level"}},
		{"PATCH", d.admin("/departments/" + emea), map[string]any{"name": "Renamed"}},
		{"PATCH", d.admin("/departments/" + backend), map[string]any{"parent_id": sales}},
		{"PATCH", d.admin("/departments/" + emea), map[string]any{"parent_id": eng}},
		{"DELETE", d.admin("/departments/" + emea), nil},
		{"PUT", d.admin("/departments/" + emea + "/members/" + engPerson), map[string]any{}},
		{"DELETE", d.admin("/departments/" + emea + "/members/" + salesPerson), nil},
		{"PUT", d.admin("/users/" + salesPerson + "/departments"), map[string]any{"departments": []any{map[string]any{"department_id": backend}}}},
		{"POST", d.admin("/groups"), map[string]any{"name": "Sales raid", "department_id": sales}},
		{"POST", d.admin("/groups"), map[string]any{"name": "Org-wide"}},
		{"PATCH", d.admin("/groups/" + salesGroup), map[string]any{"name": "Taken"}},
		{"PUT", d.admin("/groups/" + salesGroup + "/members/" + engPerson), map[string]any{}},
		{"DELETE", d.admin("/groups/" + salesGroup), nil},
		{"PATCH", d.org(""), map[string]any{"name": "Mine"}},
		{"POST", d.admin("/assignments"), map[string]any{"user_id": adminID, "role_id": d.builtinRole("department_admin"), "department_id": sales}},
	}
	for _, r := range refused {
		if res := admin.do(r.method, r.path, r.body); res.status != 403 {
			t.Errorf("%s %s: %d, want 403: %s", r.method, r.path, res.status, res.body)
		}
	}
	if got := d.c.must(200, "GET", d.org("/departments/"+emea), nil); got["name"] != "EMEA" || got["parent_id"] != sales || got["member_count"].(float64) != 1 {
		t.Fatalf("sibling subtree changed: %v", got)
	}
	if got := d.c.must(200, "GET", d.org("/groups/"+salesGroup), nil); got["name"] != "Sales club" || got["member_count"].(float64) != 0 {
		t.Fatalf("sibling group changed: %v", got)
	}

	// Revoked: refused at once, even inside the old subtree.
	d.c.must(204, "DELETE", d.admin("/assignments/"+assignment), nil)
	if res := admin.do("PATCH", d.admin("/departments/"+sub), map[string]any{"name": "Platform 2"}); res.status != 403 {
		t.Fatalf("after revocation: %d", res.status)
	}
}

// TestGuestSeesOnlyTheirGroups: a guest lists nothing of the directory and sees only the
// groups they are in.
func TestGuestSeesOnlyTheirGroups(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Guests", "o@guests.example")
	dept := d.mustDept("", "Engineering")
	member := d.mustUser("m@guests.example", "Member")
	mine := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Project with partner"})["id"].(string)
	other := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Internal only"})["id"].(string)
	guest, guestID := e.mustJoin(d.mustInvite(map[string]any{"role": "guest"}), "partner@outside.example")
	d.c.must(204, "PUT", d.admin("/groups/"+mine+"/members/"+guestID), map[string]any{})
	d.c.must(204, "PUT", d.admin("/groups/"+mine+"/members/"+member), map[string]any{})

	for _, path := range []string{"/members", "/members/" + member, "/departments", "/departments/" + dept,
		"/departments/" + dept + "/members", "/people/" + member, "/search?q=member"} {
		if res := guest.do("GET", d.org(path), nil); res.status != 403 {
			t.Errorf("guest GET %s: %d, want 403", path, res.status)
		}
	}
	groups := guest.must(200, "GET", d.org("/groups"), nil)
	if groups["total"].(float64) != 1 || groups["items"].([]any)[0].(map[string]any)["id"] != mine {
		t.Fatalf("guest lists groups: %v", groups)
	}
	guest.must(200, "GET", d.org("/groups/"+mine+"/members"), nil)
	if res := guest.do("GET", d.org("/groups/"+other), nil); res.status != 404 {
		t.Fatalf("guest reads a group they are not in: %d", res.status)
	}
	// Their own card is theirs to see.
	guest.must(200, "GET", d.org("/people/"+guestID), nil)
}

// TestAuditLogRecordsAndCannotBeRewritten checks who, what, when, from where and with which
// token, the filters and both exports, and that PostgreSQL itself refuses to change history.
func TestAuditLogRecordsAndCannotBeRewritten(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Audited", "o@audited.example")
	secret := d.c.must(201, "POST", d.org("/tokens"), map[string]any{"name": "it"})["secret"].(string)
	tc := e.tokenClient(secret)
	dept := tc.must(201, "POST", d.admin("/departments"), map[string]any{"name": "Finance"})["id"].(string)
	d.c.must(200, "PATCH", d.admin("/departments/"+dept), map[string]any{"name": "Finance & Tax"})
	role := d.c.must(201, "POST", d.admin("/roles"), map[string]any{"name": "Auditor", "permissions": []string{"audit.read"}})["id"].(string)
	d.c.must(200, "PATCH", d.org(""), map[string]any{"name": "Audited Ltd"})

	items := d.c.must(200, "GET", d.admin("/audit"), nil)["items"].([]any)
	actions := []string{}
	for _, it := range items {
		actions = append(actions, it.(map[string]any)["action"].(string))
	}
	want := []string{"org.settings.update", "role.create", "department.update", "department.create"}
	if strings.Join(actions[:4], ",") != strings.Join(want, ",") {
		t.Fatalf("actions %v, want %v first", actions, want)
	}
	created := items[3].(map[string]any)
	if created["token_id"] == nil || created["ip"] != "127.0.0.1" || created["actor_name"] != "Owner of Audited" {
		t.Fatalf("who and how: %v", created)
	}
	updated := items[2].(map[string]any)
	if updated["before"].(map[string]any)["name"] != "Finance" || updated["after"].(map[string]any)["name"] != "Finance & Tax" {
		t.Fatalf("before and after: %v", updated)
	}
	if r := items[1].(map[string]any); r["target_id"] != role {
		t.Fatalf("target: %v", r)
	}
	filtered := d.c.must(200, "GET", d.admin("/audit?action=department.&limit=1"), nil)
	if len(filtered["items"].([]any)) != 1 || filtered["next_before_id"] == nil {
		t.Fatalf("filter and page: %v", filtered)
	}
	next := d.c.must(200, "GET", d.admin(fmt.Sprintf("/audit?action=department.&before_id=%.0f", filtered["next_before_id"].(float64))), nil)
	if len(next["items"].([]any)) != 1 || next["items"].([]any)[0].(map[string]any)["action"] != "department.create" {
		t.Fatalf("second page: %v", next)
	}

	raw := d.c.raw("GET", d.admin("/audit/export?format=csv"), "", nil)
	rows, err := csv.NewReader(strings.NewReader(string(raw.body))).ReadAll()
	if err != nil || raw.status != 200 || len(rows) != len(items)+1 || rows[0][6] != "action" {
		t.Fatalf("csv export: %d %v %v", raw.status, err, rows)
	}
	raw = d.c.raw("GET", d.admin("/audit/export?format=json"), "", nil)
	var exported []map[string]any
	if err := json.Unmarshal(raw.body, &exported); err != nil || len(exported) != len(items) {
		t.Fatalf("json export: %v %s", err, raw.body)
	}

	for _, stmt := range []string{`UPDATE audit_log SET action = 'nothing'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`} {
		if err := e.stack.db.Exec(stmt).Error; err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
	// A refused change leaves no entry.
	member, _ := e.mustJoin(d.mustInvite(nil), "m@audited.example")
	member.do("POST", d.admin("/departments"), map[string]any{"name": "Nope"})
	after := d.c.must(200, "GET", d.admin("/audit?action=department."), nil)["items"].([]any)
	if len(after) != 2 {
		t.Fatalf("refused change audited: %d department entries", len(after))
	}
}

// TestRevocationReachesAnotherReplica runs two canopy serve processes on one database: a role
// revoked through replica A is refused on replica B within one second.
func TestRevocationReachesAnotherReplica(t *testing.T) {
	bin, env, bases := startServeProcesses(t, 2)
	a, b := bases[0], bases[1]

	// The organisation, its owner, a member with a custom role, all made through replica A.
	ea := &testEnv{t: t}
	ownerA := ea.clientFor(a)
	bootstrap := exec.Command(bin, "admin", "create-org", "--name", "Replicas", "--owner-email", "o@replicas.example", "--owner-password", "Correct-Horse-Replicas")
	bootstrap.Env = env
	orgOut, err := bootstrap.Output()
	if err != nil {
		t.Fatalf("create-org: %v", err)
	}
	orgID := strings.TrimSpace(string(orgOut))
	ownerA.mustLogin("o@replicas.example", "Correct-Horse-Replicas")
	token := ownerA.must(201, "POST", "/api/v1/orgs/"+orgID+"/invitations", map[string]any{})["token"].(string)
	memberA := ea.clientFor(a)
	m := memberA.must(200, "POST", "/api/v1/invitations/"+token+"/accept", map[string]any{"email": "m@replicas.example", "display_name": "M", "password": "Quiet-Meadow-replicas"})
	memberID := m["user"].(map[string]any)["id"].(string)
	role := ownerA.must(201, "POST", "/api/v1/admin/orgs/"+orgID+"/roles", map[string]any{"name": "Auditor", "permissions": []string{"audit.read"}})["id"].(string)
	assignment := ownerA.must(201, "POST", "/api/v1/admin/orgs/"+orgID+"/assignments", map[string]any{"user_id": memberID, "role_id": role})["id"].(string)

	// The member works through replica B, which has loaded the grant.
	memberB := ea.clientFor(b)
	memberB.mustLogin("m@replicas.example", "Quiet-Meadow-replicas")
	deadline := time.Now().Add(5 * time.Second)
	for memberB.do("GET", "/api/v1/admin/orgs/"+orgID+"/audit", nil).status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("replica B never allowed the granted role")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Revoke through A; B must refuse within one second.
	ownerA.must(204, "DELETE", "/api/v1/admin/orgs/"+orgID+"/assignments/"+assignment, nil)
	revoked := time.Now()
	for {
		if memberB.do("GET", "/api/v1/admin/orgs/"+orgID+"/audit", nil).status == 403 {
			break
		}
		if time.Since(revoked) > time.Second {
			t.Fatalf("replica B still allowed the revoked role after %v", time.Since(revoked))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("replica B refused %v after the revocation", time.Since(revoked).Round(time.Millisecond))
}

// TestNarrowedTokenCannotDoMoreThanItsScopes: an owner's token narrowed to directory.read reads
// the directory and nothing else of the owner's powers.
func TestNarrowedTokenCannotDoMoreThanItsScopes(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Narrow", "o@narrow.example")
	secret := d.c.must(201, "POST", d.org("/tokens"), map[string]any{"name": "reader", "scopes": []string{"directory.read", "org.read"}})["secret"].(string)
	tc := e.tokenClient(secret)
	tc.must(200, "GET", d.org("/departments"), nil)
	if r := tc.do("POST", d.admin("/departments"), map[string]any{"name": "Nope"}); r.status != 403 {
		t.Fatalf("narrowed token creates a department: %d", r.status)
	}
	if r := tc.do("PATCH", d.org(""), map[string]any{"name": "Nope"}); r.status != 403 {
		t.Fatalf("narrowed token changes settings: %d", r.status)
	}
	if r := d.c.do("POST", d.org("/tokens"), map[string]any{"name": "x", "scopes": []string{"root"}}); r.status != 400 {
		t.Fatalf("unknown scope: %d", r.status)
	}
}
