package main

import (
	"testing"
)

// setupSteps reads the setup guide as the client sees it: each step's key and whether it is done.
func setupSteps(t *testing.T, c *client, path string) (map[string]bool, map[string]any) {
	t.Helper()
	g := c.must(200, "GET", path, nil)
	done := map[string]bool{}
	for _, s := range g["steps"].([]any) {
		step := s.(map[string]any)
		done[step["key"].(string)] = step["done"].(bool)
	}
	return done, g
}

// TestSetupGuideFollowsTheOrganisation: a new organisation's guide has every step to do; each
// step is done by the action on its page (settings saved, a department, a person invited, an
// admin, the files policy, a group chat); the guide can be dismissed and shown again; a member
// without settings.manage, another organisation and bad bodies are refused.
func TestSetupGuideFollowsTheOrganisation(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Setup Co", "owner@setup.example")
	path := d.admin("/setup")

	done, g := setupSteps(t, d.c, path)
	if len(done) != 6 || g["done"].(float64) != 0 || g["total"].(float64) != 6 || g["dismissed"].(bool) {
		t.Fatalf("a new organisation's guide: %v", g)
	}
	for step, ok := range done {
		if ok {
			t.Errorf("step %s is done in a new organisation", step)
		}
	}

	d.c.must(200, "PATCH", d.org(""), map[string]any{"name": "Setup Company"})
	d.mustDept("", "Engineering")
	member, memberID := e.mustJoin(d.mustInvite(nil), "li@setup.example")
	d.c.must(200, "PUT", d.admin("/files/policy"), map[string]any{"min_retention_days": 3})
	done, _ = setupSteps(t, d.c, path)
	for _, step := range []string{"profile", "departments", "people", "policy"} {
		if !done[step] {
			t.Errorf("step %s is not done after its action", step)
		}
	}
	if done["admins"] || done["group_chat"] {
		t.Fatalf("steps done before their actions: %v", done)
	}

	d.mustAssign(memberID, d.mustRole("Helpdesk", "members.manage"), "")
	group := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Everyone"})["id"].(string)
	msChat(t, d.c, d, map[string]any{"kind": "group", "group_id": group})
	done, g = setupSteps(t, d.c, path)
	if !done["admins"] || !done["group_chat"] || g["done"].(float64) != 6 {
		t.Fatalf("after every step: %v", g)
	}

	// Dismissed, then shown again; the steps stay as they are.
	if g := d.c.must(200, "PUT", path, map[string]any{"dismissed": true}); !g["dismissed"].(bool) {
		t.Fatalf("dismissing: %v", g)
	}
	if _, g := setupSteps(t, d.c, path); !g["dismissed"].(bool) || g["done"].(float64) != 6 {
		t.Fatalf("after dismissing: %v", g)
	}
	if g := d.c.must(200, "PUT", path, map[string]any{"dismissed": false}); g["dismissed"].(bool) {
		t.Fatalf("showing it again: %v", g)
	}

	// Members.manage is not settings.manage: the helpdesk member may not read or dismiss it.
	wantCode(t, "a member reads the guide", member.do("GET", path, nil), 403, "forbidden")
	wantCode(t, "a member dismisses the guide", member.do("PUT", path, map[string]any{"dismissed": true}), 403, "forbidden")
	// The owner's token narrowed to members.manage does not carry settings.manage; one narrowed
	// to settings.manage does.
	narrow := func(scope string) *client {
		return e.tokenClient(d.c.must(201, "POST", d.org("/tokens"), map[string]any{"name": scope, "scopes": []string{scope}})["secret"].(string))
	}
	wantCode(t, "a token narrowed to members.manage", narrow("members.manage").do("GET", path, nil), 403, "forbidden")
	wantCode(t, "a token narrowed to members.manage dismisses", narrow("members.manage").do("PUT", path, map[string]any{"dismissed": true}), 403, "forbidden")
	narrow("settings.manage").must(200, "GET", path, nil)
	// Another organisation's owner gets 404 for this organisation.
	other := e.mustDir("Other Co", "owner@setup-other.example")
	if r := other.c.do("GET", path, nil); r.status != 404 {
		t.Fatalf("another organisation's owner: %d %s", r.status, r.body)
	}
	if r := other.c.do("PUT", path, map[string]any{"dismissed": true}); r.status != 404 {
		t.Fatalf("another organisation's owner dismisses: %d %s", r.status, r.body)
	}
	for name, body := range map[string]any{"no field": map[string]any{}, "an unknown field": map[string]any{"dismissed": true, "x": 1},
		"a string": map[string]any{"dismissed": "yes"}} {
		if r := d.c.do("PUT", path, body); r.status != 400 {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	if r := d.c.raw("PUT", path, "text/plain", []byte("dismissed")); r.status/100 != 4 {
		t.Errorf("not JSON: %d %s", r.status, r.body)
	}
	if _, g := setupSteps(t, d.c, path); g["dismissed"].(bool) {
		t.Fatal("a refused request changed the guide")
	}
}
