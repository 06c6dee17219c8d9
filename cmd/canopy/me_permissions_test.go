package main

import (
	"slices"
	"strings"
	"testing"
)

// held is one entry of GET /me/permissions.
type held struct {
	org   bool
	depts []map[string]any
}

// myPermissions asks what c holds in d's organisation, by permission.
func myPermissions(t *testing.T, c *client, d dir) map[string]held {
	t.Helper()
	out := map[string]held{}
	for _, it := range c.must(200, "GET", d.org("/me/permissions"), nil)["permissions"].([]any) {
		p := it.(map[string]any)
		h := held{org: p["org"].(bool)}
		for _, x := range p["departments"].([]any) {
			h.depts = append(h.depts, x.(map[string]any))
		}
		if h.org && len(h.depts) != 0 {
			t.Fatalf("%s held org-wide lists departments too: %v", p["permission"], p)
		}
		out[p["permission"].(string)] = h
	}
	return out
}

func heldNames(m map[string]held) []string {
	var out []string
	for p := range m {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// wantHeld fails unless m holds exactly perms, each organisation-wide.
func wantHeld(t *testing.T, who string, m map[string]held, perms ...string) {
	t.Helper()
	perms = sorted(perms...)
	if got := heldNames(m); !slices.Equal(got, perms) {
		t.Fatalf("%s holds %v, want %v", who, got, perms)
	}
	for p, h := range m {
		if !h.org {
			t.Fatalf("%s holds %s only at %v, want organisation-wide", who, p, h.depts)
		}
	}
}

// TestMyPermissionsSaysWhatEachCallerMayDo: the owner holds everything organisation-wide, a
// member the base permissions, a department admin the department's ones over their subtree
// with its path, a custom role its own, a guest the guest's, and a narrowed token only what it
// names; another organisation's id answers 404.
func TestMyPermissionsSaysWhatEachCallerMayDo(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Perms", "o@perms.example")
	eng := d.mustDept("", "Engineering")
	backend := d.mustDept(eng, "Backend")

	all := []string{"org.read", "directory.read", "directory.manage", "groups.manage", "members.manage", "roles.manage", "audit.read",
		"tokens.manage", "settings.manage", "ownership.transfer", "files.read", "files.write", "files.share", "files.manage",
		"files.legal_hold", "files.policy", "tasks.read", "tasks.write", "tasks.manage", "webhooks.manage", "messages.read",
		"messages.write", "chats.manage", "announcements.publish", "messages.export", "content_rules.manage"}
	wantHeld(t, "the owner", myPermissions(t, d.c, d), all...)
	// The answer comes in the catalogue's order.
	var order []string
	for _, it := range d.c.must(200, "GET", d.org("/me/permissions"), nil)["permissions"].([]any) {
		order = append(order, it.(map[string]any)["permission"].(string))
	}
	if !slices.Equal(order, all) {
		t.Fatalf("order %v", order)
	}

	base := []string{"org.read", "directory.read", "files.read", "files.write", "files.share", "tasks.read", "tasks.write", "messages.read", "messages.write"}
	member, memberID := e.mustJoin(d.mustInvite(nil), "m@perms.example")
	wantHeld(t, "a member", myPermissions(t, member, d), base...)

	guest, _ := e.mustJoin(d.mustInvite(map[string]any{"role": "guest"}), "g@outside.example")
	wantHeld(t, "a guest", myPermissions(t, guest, d), "org.read", "files.read", "tasks.read", "tasks.write", "messages.read", "messages.write")

	// A department admin of Backend: the department admin's permissions over Backend's subtree,
	// beside the base ones organisation-wide.
	admin, adminID := e.mustJoin(d.mustInvite(nil), "da@perms.example")
	d.mustAssign(adminID, d.builtinRole("department_admin"), backend)
	got := myPermissions(t, admin, d)
	scoped := []string{"directory.manage", "groups.manage", "files.manage", "tasks.manage", "chats.manage", "announcements.publish"}
	if names := heldNames(got); !slices.Equal(names, sorted(append(slices.Clone(base), scoped...)...)) {
		t.Fatalf("department admin holds %v", names)
	}
	for _, p := range scoped {
		h := got[p]
		if h.org || len(h.depts) != 1 {
			t.Fatalf("department admin's %s: %+v", p, h)
		}
		dep := h.depts[0]
		if dep["id"] != backend || dep["name"] != "Backend" || dep["path"] != "/"+rootOf(t, d)+"/"+eng+"/"+backend+"/" {
			t.Fatalf("department admin's %s at %v", p, dep)
		}
	}
	for _, p := range base {
		if !got[p].org {
			t.Fatalf("department admin's %s is not organisation-wide: %+v", p, got[p])
		}
	}
	// What it says is what the API allows: Backend yes, Engineering above it no.
	admin.must(201, "POST", d.admin("/departments"), map[string]any{"name": "Storage", "parent_id": backend})
	if r := admin.do("POST", d.admin("/departments"), map[string]any{"name": "Beside", "parent_id": eng}); r.status != 403 {
		t.Fatalf("department admin above their subtree: %d %s", r.status, r.body)
	}

	// A custom role organisation-wide adds its permissions; at a department, only there.
	auditor := d.mustRole("Auditor", "audit.read", "directory.read")
	d.mustAssign(memberID, auditor, "")
	wantHeld(t, "an auditor", myPermissions(t, member, d), append(slices.Clone(base), "audit.read")...)
	d.mustAssign(memberID, d.mustRole("Group keeper", "groups.manage"), eng)
	got = myPermissions(t, member, d)
	if h := got["groups.manage"]; h.org || len(h.depts) != 1 || h.depts[0]["id"] != eng || h.depts[0]["name"] != "Engineering" {
		t.Fatalf("group keeper: %+v", h)
	}

	// A token narrowed to one permission holds only that one; an "api" token all of its owner's.
	secret := member.must(201, "POST", d.org("/tokens"), map[string]any{"name": "reader", "scopes": []string{"directory.read"}})["secret"].(string)
	wantHeld(t, "a narrowed token", myPermissions(t, e.tokenClient(secret), d), "directory.read")
	secret = member.must(201, "POST", d.org("/tokens"), map[string]any{"name": "all"})["secret"].(string)
	if names := heldNames(myPermissions(t, e.tokenClient(secret), d)); !slices.Equal(names, heldNames(got)) {
		t.Fatalf("an api token holds %v, its owner %v", names, heldNames(got))
	}

	// Another organisation's id, and one that is no id, are not found; nobody signed in is 401.
	other := e.mustDir("Other", "o@other.example")
	for _, path := range []string{other.org("/me/permissions"), "/api/v1/orgs/not-a-uuid/me/permissions", "/api/v1/orgs/" + strings.Repeat("0", 8) + "/me/permissions"} {
		if r := member.do("GET", path, nil); r.status != 404 || r.errorCode(t) != "not_found" {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
	}
	if r := e.client().do("GET", d.org("/me/permissions"), nil); r.status != 401 {
		t.Fatalf("anonymous: %d %s", r.status, r.body)
	}
	// A deactivated member holds nothing there.
	d.c.must(200, "POST", d.admin("/users/"+adminID+"/deactivate"), map[string]any{})
	if r := admin.do("GET", d.org("/me/permissions"), nil); r.status != 404 {
		t.Fatalf("removed member: %d %s", r.status, r.body)
	}
}

// rootOf returns the id of the organisation's root department.
func rootOf(t *testing.T, d dir) string {
	t.Helper()
	return d.c.must(200, "GET", d.org("/departments"), nil)["parent"].(map[string]any)["id"].(string)
}
