package main

import (
	"fmt"
	"strings"
	"testing"

	"canopy/web/server"
)

// TestOtherOrganisationsIDsAnswer404 walks every organisation-scoped route and calls it, as a
// member of organisation A (by session and by API token), with organisation B's ids (in its
// path, or in its query, body or headers): each must answer 404, exactly as for an id that does
// not exist, and change nothing in B; and none of A's own lists names any of B's ids.
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
	bSCIMResp := b.c.must(201, "POST", "/api/v1/admin/orgs/"+b.orgID+"/scim-tokens", map[string]any{"name": "Okta"})
	bSCIM := bSCIMResp["token"].(map[string]any)["id"].(string)
	// B's files: spaces, folders, files (one in the trash, one under a legal hold, an image with
	// its thumbnail), a share, a link and a tus upload in progress (mustMatrixFiles).
	bDir := dir{owner: b, t: t}
	bFiles := e.mustMatrixFiles(t, bDir, bDept, bGroup, bMember)
	// B's tasks: lists of the organisation, G and D, tasks shared with G, a dependency, deleted
	// ones, a comment and an attachment (mustMatrixTasks).
	bTasks := e.mustMatrixTasks(t, bDir, bDept, bGroup, bMember, bFiles)
	// B's announcements: one to its group asking for acknowledgement, and another.
	bAnn := e.mustMatrixAnnouncements(t, bDir, bGroup)
	// B's chats: group M's chat with the owner's messages, ad-hoc chats (mustMatrixMessaging).
	bMsg := e.mustMatrixMessaging(t, bDir, "owner", bDept, bMember, b.c)
	// A reminder of B's owner on the shared task.
	b.c.must(200, "PUT", "/api/v1/orgs/"+b.orgID+"/tasks/"+bTasks["shared"]+"/reminders", map[string]any{"offsets_minutes": []int{30}})
	// A has resources of its own too, so B's are not the only ones.
	e.mustJoin(a.mustInvite(nil), "member@alpha.example")
	// A notification of B's member, and one of A's owner.
	bNotification := e.mustNotificationFor(t, b.orgID, bMember)
	bHooks, _ := mustMatrixWebhooks(t, bDir)
	// B's content rules and a flag of its member's.
	bMod, _ := mustMatrixModeration(t, e, bDir, bMember)
	e.mustOwnNotification(t, a.c, a.orgID)
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
	// A bulk addition to B's group of B's department.
	bodies["POST /api/v1/admin/orgs/:orgID/groups/:groupID/members/bulk"] = map[string]any{"department_id": bDept, "include_subtree": true}
	bodies["PUT /api/v1/admin/orgs/:orgID/setup"] = map[string]any{"dismissed": true}
	// Deactivating B's member in bulk, through either organisation.
	bodies["POST /api/v1/admin/orgs/:orgID/people/bulk"] = map[string]any{"action": "deactivate", "user_ids": []string{bMember}}
	bodies["POST /api/v1/admin/orgs/:orgID/people/export"] = map[string]any{"format": "csv", "user_ids": []string{bMember}}
	fill := func(path string, org string, ids map[string]string) string {
		path = strings.Replace(path, ":orgID", org, 1)
		for param, id := range ids {
			path = strings.Replace(path, ":"+param, id, 1)
		}
		return path
	}
	foreign := merge(merge(merge(merge(filesDefaultIDs(bFiles), tasksDefaultIDs(bTasks)), announcementsDefaultIDs(bAnn)), merge(bHooks, bMod)), map[string]string{"userID": bMember, "invitationID": bInvitation, "tokenID": bToken, "departmentID": bDept,
		"groupID": bGroup, "roleID": bRole, "assignmentID": bAssignment, "importID": bImport, "scimTokenID": bSCIM, "notificationID": bNotification})
	// B's files fixtures as the matrix names them: a route takes the id it could act on had it
	// been B's (the file in the trash for a restore, the held file for a release, the image for
	// a thumbnail), so that a leak would not hide behind a 404 of its own.
	foreign = merge(foreign, messagingDefaultIDs(bMsg))
	bm := matrixOrg{d: bDir, ids: foreign, routeIDs: mergeRoutes(mergeRoutes(filesRouteIDs(bFiles), tasksRouteIDs(bTasks, bFiles, bMember)), announcementsRouteIDs(bAnn)), files: bFiles, tasks: bTasks}
	bm.routeIDs = mergeRoutes(bm.routeIDs, messagingRouteIDs(bMsg))
	// The routes whose request names B's ids in its query, body or headers rather than its
	// path: they are called through A's organisation too.
	inRequest := map[string]bool{
		"POST /api/v1/orgs/:orgID/files": true, "POST /api/v1/orgs/:orgID/uploads/": true,
		"POST /api/v1/orgs/:orgID/shares": true, "GET /api/v1/orgs/:orgID/shares": true,
		"POST /api/v1/orgs/:orgID/links": true, "GET /api/v1/orgs/:orgID/links": true,
		"POST /api/v1/orgs/:orgID/announcements":       true, // publishing to B's department
		"POST /api/v1/admin/orgs/:orgID/people/bulk":   true, // B's member by id
		"POST /api/v1/admin/orgs/:orgID/people/export": true,
	}
	var bIDs []string
	for _, id := range merge(merge(merge(foreign, bFiles), bTasks), bAnn) {
		if len(id) == 36 {
			bIDs = append(bIDs, id)
		}
	}

	checked := 0
	for _, r := range e.srv.Routes() {
		if r.Access.Level != server.LevelMember {
			continue
		}
		checked++
		key := r.Method + " " + r.Path
		req, ok := filesRequest(key, bm)
		if b, isTasks := tasksMatrixBody(key, bm); !ok && isTasks {
			req, ok = matrixReq{json: b}, true
		}
		if b, isMsg := messagingMatrixBody(key, bMsg); !ok && isMsg {
			req, ok = matrixReq{json: b}, true
		}
		if b, isAnn := announcementsMatrixBody(key, bm); !ok && isAnn {
			req, ok = matrixReq{json: b}, true
		}
		if b, isMod := moderationMatrixBody(key); !ok && isMod {
			req, ok = matrixReq{json: b}, true
		}
		if !ok {
			req = matrixReq{json: bodies[key]}
			if req.json == nil && (r.Method == "POST" || r.Method == "PATCH" || r.Method == "PUT") {
				req.json = map[string]any{}
			}
		}
		ids := merge(foreign, bm.routeIDs[key])
		for name, c := range callers {
			// B's organisation id, with B's resource ids.
			path := fill(r.Path, b.orgID, ids) + query(key, bm)
			if res := c.send(r.Method, path, req); res.status != 404 {
				t.Errorf("%s %s as A's %s: got %d, want 404: %s", r.Method, path, name, res.status, res.body)
			}
			// A's organisation id, with B's resource ids.
			if strings.Count(r.Path, ":") > 1 || inRequest[key] {
				path := fill(r.Path, a.orgID, ids) + query(key, bm)
				if res := c.send(r.Method, path, req); res.status != 404 {
					t.Errorf("%s %s as A's %s: got %d, want 404: %s", r.Method, path, name, res.status, res.body)
				}
			}
			// A's own lists name none of B's ids.
			if r.Method == "GET" && strings.Count(r.Path, ":") == 1 && !inRequest[key] {
				res := c.do("GET", fill(r.Path, a.orgID, nil)+query(key, bm), nil)
				for _, id := range bIDs {
					if strings.Contains(string(res.body), id) {
						t.Errorf("GET %s of A as A's %s names B's %s: %s", r.Path, name, id, res.body)
					}
				}
			}
		}
	}
	if checked < 90 {
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
	e.idp(bSCIMResp["secret"].(string)).must(200, "GET", "/Users", "")
	// Nor did B's tasks, their comments, attachments and reminders.
	bt := func(path string) string { return "/api/v1/orgs/" + b.orgID + "/tasks/" + bTasks["shared"] + path }
	if got := b.c.must(200, "GET", bt(""), nil); got["title"] != "shared" || got["priority"].(float64) != 0 || got["status"] != "open" {
		t.Fatalf("B's task changed: %v", got)
	}
	if got := b.c.must(200, "GET", bt("/comments"), nil)["items"].([]any); len(got) != 1 || got[0].(map[string]any)["body"] != "The owner's comment" {
		t.Fatalf("B's comments changed: %v", got)
	}
	if got := b.c.must(200, "GET", bt("/attachments"), nil); got["total"].(float64) != 1 {
		t.Fatalf("B's attachments changed: %v", got)
	}
	if got := b.c.must(200, "GET", bt("/reminders"), nil)["offsets_minutes"].([]any); len(got) != 1 || got[0].(float64) != 30 {
		t.Fatalf("B's reminders changed: %v", got)
	}
	b.c.must(200, "GET", "/api/v1/orgs/"+b.orgID+"/tasks/"+bTasks["dThrowTask"], nil)
	b.c.must(200, "GET", "/api/v1/orgs/"+b.orgID+"/tasklists/"+bTasks["dThrowList"], nil)
	// Nor did B's files.
	bf := func(path string) string { return "/api/v1/orgs/" + b.orgID + path }
	if got := b.c.must(200, "GET", bf("/files/"+bFiles["gFile"]), nil); got["name"] != "g.txt" {
		t.Fatalf("B's file changed: %v", got)
	}
	b.c.must(200, "GET", bf("/files/"+bFiles["orgThrowFile"]), nil)
	if got := b.c.must(200, "GET", bf("/folders/"+bFiles["orgFolder"]), nil); got["name"] != "Org folder" {
		t.Fatalf("B's folder changed: %v", got)
	}
	b.c.must(200, "GET", bf("/folders/"+bFiles["gThrowFolder"]), nil)
	for space, name := range map[string]string{bFiles["orgSpace"]: "upload.txt", bFiles["dSpace"]: "Made by the matrix"} {
		for _, it := range b.c.must(200, "GET", bf("/spaces/"+space+"/entries"), nil)["items"].([]any) {
			if strings.Contains(fmt.Sprint(it), name) {
				t.Fatalf("A made %q in B's space: %v", name, it)
			}
		}
	}
	trashed := false
	for _, it := range b.c.must(200, "GET", bf("/trash"), nil)["items"].([]any) {
		trashed = trashed || it.(map[string]any)["id"] == bFiles["gTrashed"]
	}
	if !trashed {
		t.Fatal("B's file left the trash")
	}
	if holds := b.c.must(200, "GET", bf("/holds"), nil)["items"].([]any); len(holds) != 1 || holds[0].(map[string]any)["target_id"] != bFiles["heldFile"] {
		t.Fatalf("B's holds changed: %v", holds)
	}
	if shares := b.c.must(200, "GET", bf("/shares?target_type=file&target_id="+bFiles["orgFile"]), nil)["items"].([]any); len(shares) != 1 {
		t.Fatalf("B's shares changed: %v", shares)
	}
	if links := b.c.must(200, "GET", bf("/links?target_type=file&target_id="+bFiles["gFile"]), nil)["items"].([]any); len(links) != 1 || links[0].(map[string]any)["revoked_at"] != nil {
		t.Fatalf("B's links changed: %v", links)
	}
	if res := b.c.rawWith("HEAD", bf("/uploads/"+bFiles["upload"]), "", nil, tusHeader); res.status != 200 || res.header.Get("Upload-Offset") != "0" {
		t.Fatalf("B's upload changed: %d, offset %q", res.status, res.header.Get("Upload-Offset"))
	}
	if got := b.c.must(200, "GET", "/api/v1/admin/orgs/"+b.orgID+"/files/policy", nil); got["trash_days"].(float64) != 30 || got["min_retention_days"].(float64) != 0 {
		t.Fatalf("B's files policy changed: %v", got)
	}
	if got := b.c.must(200, "GET", "/api/v1/admin/orgs/"+b.orgID+"/spaces/"+bFiles["dSpace"]+"/policy", nil); got["quota_bytes"].(float64) != 0 {
		t.Fatalf("B's space policy changed: %v", got)
	}
	// Nor did B's tasks, nor its announcements.
	bTasksChanged(t, b.c, bDir, bTasks)
	// Nor did B's chats and messages.
	bMessagingChanged(t, b.c, bDir, bMsg)
	bAnnouncementsChanged(t, e, bDir, bAnn)
	bModerationChanged(t, bDir, bMod)
	// And a member of A sees only A in its lists.
	if items := a.c.must(200, "GET", "/api/v1/orgs", nil)["items"].([]any); len(items) != 1 {
		t.Fatalf("A sees %v", items)
	}
}
