package main

import (
	"strings"
	"testing"

	"canopy/web/server"
)

// TestOtherOrganisationsIDsAnswer404 walks every organisation-scoped route and calls it, as a
// member of organisation A (by session and by API token), with organisation B's ids: each must
// answer 404, exactly as for an id that does not exist, and change nothing in B.
func TestOtherOrganisationsIDsAnswer404(t *testing.T) {
	e := newTestEnv(t)
	a := e.mustOrg("Alpha", "owner@alpha.example")
	b := e.mustOrg("Beta", "owner@beta.example")

	// B's resources, one of each kind.
	_, bMember := e.mustJoin(b.mustInvite(nil), "member@beta.example")
	bInvitation := b.c.must(201, "POST", "/api/v1/orgs/"+b.orgID+"/invitations", map[string]any{})["invitation"].(map[string]any)["id"].(string)
	bTokenResp := b.c.must(201, "POST", "/api/v1/orgs/"+b.orgID+"/tokens", map[string]any{"name": "b"})
	bDept := b.c.must(201, "POST", "/api/v1/admin/orgs/"+b.orgID+"/departments", map[string]any{"name": "Beta Sales"})["id"].(string)
	bGroup := b.c.must(201, "POST", "/api/v1/admin/orgs/"+b.orgID+"/groups", map[string]any{"name": "Beta Club"})["id"].(string)
	b.c.must(204, "PUT", "/api/v1/admin/orgs/"+b.orgID+"/departments/"+bDept+"/members/"+bMember, map[string]any{})
	b.c.must(204, "PUT", "/api/v1/admin/orgs/"+b.orgID+"/groups/"+bGroup+"/members/"+bMember, map[string]any{})
	bRole := b.c.must(201, "POST", "/api/v1/admin/orgs/"+b.orgID+"/roles", map[string]any{"name": "Auditor", "permissions": []string{"audit.read"}})["id"].(string)
	bAssignment := b.c.must(201, "POST", "/api/v1/admin/orgs/"+b.orgID+"/assignments", map[string]any{"user_id": bMember, "role_id": bRole})["id"].(string)
	bToken := bTokenResp["token"].(map[string]any)["id"].(string)
	importBody := map[string]any{"users": []any{map[string]any{"external_id": "I1", "email": "imported@beta.example", "display_name": "Imported"}}}
	bImport := b.c.must(202, "POST", "/api/v1/admin/orgs/"+b.orgID+"/imports", importBody)["id"].(string)
	// A has resources of its own too, so B's are not the only ones.
	e.mustJoin(a.mustInvite(nil), "member@alpha.example")
	aSecret := a.c.must(201, "POST", "/api/v1/orgs/"+a.orgID+"/tokens", map[string]any{"name": "a"})

	callers := map[string]*client{"session": a.c, "token": e.tokenClient(aSecret["secret"].(string))}
	bodies := map[string]any{
		"POST /api/v1/admin/orgs/:orgID/imports":                    importBody,
		"PATCH /api/v1/orgs/:orgID":                                 map[string]string{"name": "Taken over"},
		"POST /api/v1/orgs/:orgID/invitations":                      map[string]any{},
		"POST /api/v1/orgs/:orgID/tokens":                           map[string]any{"name": "intruder"},
		"PUT /api/v1/admin/orgs/:orgID/users/:userID/departments":   map[string]any{"departments": []any{}},
		"POST /api/v1/admin/orgs/:orgID/users":                      map[string]any{"email": "x@beta.example", "display_name": "X"},
		"PATCH /api/v1/admin/orgs/:orgID/departments/:departmentID": map[string]any{"name": "Renamed"},
		"POST /api/v1/admin/orgs/:orgID/departments":                map[string]any{"name": "Intruders"},
		"POST /api/v1/admin/orgs/:orgID/groups":                     map[string]any{"name": "Intruders"},
		"PATCH /api/v1/admin/orgs/:orgID/groups/:groupID":           map[string]any{"name": "Renamed"},
		"PUT /api/v1/admin/orgs/:orgID/users/:userID/role":          map[string]any{"role": "admin"},
		"POST /api/v1/admin/orgs/:orgID/ownership":                  map[string]any{"user_id": bMember},
		"POST /api/v1/admin/orgs/:orgID/roles":                      map[string]any{"name": "Intruder", "permissions": []string{"audit.read"}},
		"PATCH /api/v1/admin/orgs/:orgID/roles/:roleID":             map[string]any{"name": "Intruder", "permissions": []string{"roles.manage"}},
		"POST /api/v1/admin/orgs/:orgID/assignments":                map[string]any{"user_id": bMember, "role_id": bRole},
		"POST /api/v1/admin/orgs/:orgID/activation-links":           map[string]any{"user_ids": []string{bMember}},
	}
	fill := func(path string, org string, ids map[string]string) string {
		path = strings.Replace(path, ":orgID", org, 1)
		for param, id := range ids {
			path = strings.Replace(path, ":"+param, id, 1)
		}
		return path
	}
	foreign := map[string]string{"userID": bMember, "invitationID": bInvitation, "tokenID": bToken, "departmentID": bDept, "groupID": bGroup, "roleID": bRole, "assignmentID": bAssignment, "importID": bImport}

	checked := 0
	for _, r := range e.srv.Routes() {
		if r.Access.Level != server.LevelMember {
			continue
		}
		checked++
		key := r.Method + " " + r.Path
		body := bodies[key]
		if body == nil && (r.Method == "POST" || r.Method == "PATCH" || r.Method == "PUT") {
			body = map[string]any{}
		}
		for name, c := range callers {
			// B's organisation id, with B's resource ids.
			path := fill(r.Path, b.orgID, foreign)
			if res := c.do(r.Method, path, body); res.status != 404 {
				t.Errorf("%s %s as A's %s: got %d, want 404: %s", r.Method, path, name, res.status, res.body)
			}
			// A's organisation id, with B's resource ids.
			if strings.Count(r.Path, ":") > 1 {
				path := fill(r.Path, a.orgID, foreign)
				if res := c.do(r.Method, path, body); res.status != 404 {
					t.Errorf("%s %s as A's %s: got %d, want 404: %s", r.Method, path, name, res.status, res.body)
				}
			}
		}
	}
	if checked < 36 {
		t.Fatalf("only %d organisation routes checked", checked)
	}

	// Nothing in B changed.
	if got := b.c.must(200, "GET", "/api/v1/orgs/"+b.orgID, nil); got["name"] != "Beta" || got["member_count"].(float64) != 2 {
		t.Fatalf("B changed: %v", got)
	}
	if got := b.c.must(200, "GET", "/api/v1/orgs/"+b.orgID+"/members/"+bMember, nil); got["status"] != "active" {
		t.Fatalf("B's member changed: %v", got)
	}
	for _, inv := range b.c.must(200, "GET", "/api/v1/orgs/"+b.orgID+"/invitations", nil)["items"].([]any) {
		if inv.(map[string]any)["revoked"] == true {
			t.Fatalf("B's invitation revoked: %v", inv)
		}
	}
	e.tokenClient(bTokenResp["secret"].(string)).must(200, "GET", "/api/v1/me", nil)
	if got := b.c.must(200, "GET", "/api/v1/orgs/"+b.orgID+"/departments/"+bDept, nil); got["name"] != "Beta Sales" || got["member_count"].(float64) != 1 {
		t.Fatalf("B's department changed: %v", got)
	}
	if got := b.c.must(200, "GET", "/api/v1/orgs/"+b.orgID+"/groups/"+bGroup, nil); got["name"] != "Beta Club" || got["member_count"].(float64) != 1 {
		t.Fatalf("B's group changed: %v", got)
	}
	if got := b.c.must(200, "GET", "/api/v1/admin/orgs/"+b.orgID+"/assignments", nil)["items"].([]any); len(got) != 1 {
		t.Fatalf("B's assignments changed: %v", got)
	}
	// And a member of A sees only A in its lists.
	if items := a.c.must(200, "GET", "/api/v1/orgs", nil)["items"].([]any); len(items) != 1 {
		t.Fatalf("A sees %v", items)
	}
}
