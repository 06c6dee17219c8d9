package main

import (
	"testing"
)

// The tasks module's part of the permission matrix (issue 11). Its fixtures, all made by the
// organisation's owner, sit in four lists chosen per route so that most cells say something:
//   - the organisation's list (every member but guests writes it: owner and admin manage it by
//     tasks.manage, dept_admin, group_owner and member write; guest and custom do not see it);
//   - group G's list (owner, admin and group_owner manage it; nobody else sees it: guests,
//     though in G, are never members of a list by its owner);
//   - department D's list, whose tasks are shared one by one with group G as editor (owner and
//     admin manage it, dept_admin manages it by their scope; group_owner, guest and custom reach
//     the shared tasks through G; member sees none of it);
//   - throwaway and deleted lists and tasks of D for the destructive routes and the restores.
// A comment by the owner and an attachment (G's image) hang off the first shared task.

// tasksAllowed is the tasks part of the matrix (see allowed).
var tasksAllowed = map[string][]string{
	"GET /api/v1/orgs/:orgID/tasklists":                                               {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"POST /api/v1/orgs/:orgID/tasklists":                                              {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/tasklists/:listID":                                       {"owner", "admin", "dept_admin", "group_owner", "member"},
	"PATCH /api/v1/orgs/:orgID/tasklists/:listID":                                     {"owner", "admin", "group_owner"},
	"DELETE /api/v1/orgs/:orgID/tasklists/:listID":                                    {"owner", "admin", "dept_admin"},
	"POST /api/v1/orgs/:orgID/tasklists/:listID/restore":                              {"owner", "admin", "dept_admin"},
	"GET /api/v1/orgs/:orgID/tasklists/:listID/shares":                                {"owner", "admin", "dept_admin", "group_owner", "member"},
	"PUT /api/v1/orgs/:orgID/tasklists/:listID/shares":                                {"owner", "admin", "group_owner"},
	"DELETE /api/v1/orgs/:orgID/tasklists/:listID/shares/:principalType/:principalID": {"owner", "admin", "group_owner"},
	"POST /api/v1/orgs/:orgID/tasklists/:listID/sections":                             {"owner", "admin", "dept_admin", "group_owner", "member"},
	"PATCH /api/v1/orgs/:orgID/tasklists/:listID/sections/:sectionID":                 {"owner", "admin", "dept_admin", "group_owner", "member"},
	"POST /api/v1/orgs/:orgID/tasklists/:listID/sections/:sectionID/move":             {"owner", "admin", "dept_admin", "group_owner", "member"},
	"DELETE /api/v1/orgs/:orgID/tasklists/:listID/sections/:sectionID":                {"owner", "admin", "dept_admin", "group_owner", "member"},
	"POST /api/v1/orgs/:orgID/tasklists/:listID/labels":                               {"owner", "admin", "dept_admin", "group_owner", "member"},
	"PATCH /api/v1/orgs/:orgID/tasklists/:listID/labels/:labelID":                     {"owner", "admin", "dept_admin", "group_owner", "member"},
	"DELETE /api/v1/orgs/:orgID/tasklists/:listID/labels/:labelID":                    {"owner", "admin", "dept_admin", "group_owner", "member"},
	"GET /api/v1/orgs/:orgID/tasklists/:listID/tasks":                                 {"owner", "admin", "dept_admin", "group_owner", "member"},
	"POST /api/v1/orgs/:orgID/tasklists/:listID/tasks":                                {"owner", "admin", "dept_admin", "group_owner", "member"},
	"GET /api/v1/orgs/:orgID/tasks/:taskID":                                           {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"PATCH /api/v1/orgs/:orgID/tasks/:taskID":                                         {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"DELETE /api/v1/orgs/:orgID/tasks/:taskID":                                        {"owner", "admin", "dept_admin"},
	"POST /api/v1/orgs/:orgID/tasks/:taskID/complete":                                 {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"POST /api/v1/orgs/:orgID/tasks/:taskID/reopen":                                   {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"POST /api/v1/orgs/:orgID/tasks/:taskID/move":                                     {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"POST /api/v1/orgs/:orgID/tasks/:taskID/restore":                                  {"owner", "admin", "dept_admin"},
	"GET /api/v1/orgs/:orgID/tasks/:taskID/subtasks":                                  {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"POST /api/v1/orgs/:orgID/tasks/:taskID/dependencies":                             {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"DELETE /api/v1/orgs/:orgID/tasks/:taskID/dependencies/:blockerID":                {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/tasks/:taskID/blocking":                                  {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/tasks/:taskID/shares":                                    {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"PUT /api/v1/orgs/:orgID/tasks/:taskID/shares":                                    {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"DELETE /api/v1/orgs/:orgID/tasks/:taskID/shares/:principalType/:principalID":     {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/tasks/:taskID/activity":                                  {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/me/tasks":                                                {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/tasks/:taskID/comments":                                  {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"POST /api/v1/orgs/:orgID/tasks/:taskID/comments":                                 {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"PATCH /api/v1/orgs/:orgID/tasks/:taskID/comments/:commentID":                     {"owner"},
	"DELETE /api/v1/orgs/:orgID/tasks/:taskID/comments/:commentID":                    {"owner", "admin", "dept_admin"},
	"GET /api/v1/orgs/:orgID/tasks/:taskID/attachments":                               {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"POST /api/v1/orgs/:orgID/tasks/:taskID/attachments":                              {"owner", "admin", "group_owner", "guest", "custom"},
	"DELETE /api/v1/orgs/:orgID/tasks/:taskID/attachments/:fileID":                    {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/tasks/:taskID/reminders":                                 {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"PUT /api/v1/orgs/:orgID/tasks/:taskID/reminders":                                 {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
}

// tasksHidden are the tasks cells that must answer 404 (see hidden).
var tasksHidden = map[string][]string{
	// The organisation's list: guests are not its members.
	"GET /api/v1/orgs/:orgID/tasklists/:listID":                           {"guest", "custom"},
	"GET /api/v1/orgs/:orgID/tasklists/:listID/shares":                    {"guest", "custom"},
	"POST /api/v1/orgs/:orgID/tasklists/:listID/sections":                 {"guest", "custom"},
	"PATCH /api/v1/orgs/:orgID/tasklists/:listID/sections/:sectionID":     {"guest", "custom"},
	"POST /api/v1/orgs/:orgID/tasklists/:listID/sections/:sectionID/move": {"guest", "custom"},
	"DELETE /api/v1/orgs/:orgID/tasklists/:listID/sections/:sectionID":    {"guest", "custom"},
	"POST /api/v1/orgs/:orgID/tasklists/:listID/labels":                   {"guest", "custom"},
	"PATCH /api/v1/orgs/:orgID/tasklists/:listID/labels/:labelID":         {"guest", "custom"},
	"DELETE /api/v1/orgs/:orgID/tasklists/:listID/labels/:labelID":        {"guest", "custom"},
	"GET /api/v1/orgs/:orgID/tasklists/:listID/tasks":                     {"guest", "custom"},
	"POST /api/v1/orgs/:orgID/tasklists/:listID/tasks":                    {"guest", "custom"},
	// G's list: only its owners (and tasks.manage) see it.
	"PATCH /api/v1/orgs/:orgID/tasklists/:listID":                                     {"dept_admin", "member", "guest", "custom"},
	"PUT /api/v1/orgs/:orgID/tasklists/:listID/shares":                                {"dept_admin", "member", "guest", "custom"},
	"DELETE /api/v1/orgs/:orgID/tasklists/:listID/shares/:principalType/:principalID": {"dept_admin", "member", "guest", "custom"},
	// D's lists and their tasks not shared with G.
	"DELETE /api/v1/orgs/:orgID/tasklists/:listID":       {"group_owner", "member", "guest", "custom"},
	"POST /api/v1/orgs/:orgID/tasklists/:listID/restore": {"group_owner", "member", "guest", "custom"},
	"DELETE /api/v1/orgs/:orgID/tasks/:taskID":           {"group_owner", "member", "guest", "custom"},
	"POST /api/v1/orgs/:orgID/tasks/:taskID/restore":     {"group_owner", "member", "guest", "custom"},
	// D's tasks shared with G: member is in neither.
	"GET /api/v1/orgs/:orgID/tasks/:taskID":                                       {"member"},
	"PATCH /api/v1/orgs/:orgID/tasks/:taskID":                                     {"member"},
	"POST /api/v1/orgs/:orgID/tasks/:taskID/complete":                             {"member"},
	"POST /api/v1/orgs/:orgID/tasks/:taskID/reopen":                               {"member"},
	"POST /api/v1/orgs/:orgID/tasks/:taskID/move":                                 {"member"},
	"GET /api/v1/orgs/:orgID/tasks/:taskID/subtasks":                              {"member"},
	"POST /api/v1/orgs/:orgID/tasks/:taskID/dependencies":                         {"member"},
	"DELETE /api/v1/orgs/:orgID/tasks/:taskID/dependencies/:blockerID":            {"member"},
	"GET /api/v1/orgs/:orgID/tasks/:taskID/blocking":                              {"member"},
	"GET /api/v1/orgs/:orgID/tasks/:taskID/shares":                                {"member"},
	"PUT /api/v1/orgs/:orgID/tasks/:taskID/shares":                                {"member"},
	"DELETE /api/v1/orgs/:orgID/tasks/:taskID/shares/:principalType/:principalID": {"member"},
	"GET /api/v1/orgs/:orgID/tasks/:taskID/activity":                              {"member"},
	"GET /api/v1/orgs/:orgID/tasks/:taskID/comments":                              {"member"},
	"POST /api/v1/orgs/:orgID/tasks/:taskID/comments":                             {"member"},
	"PATCH /api/v1/orgs/:orgID/tasks/:taskID/comments/:commentID":                 {"member"},
	"DELETE /api/v1/orgs/:orgID/tasks/:taskID/comments/:commentID":                {"member"},
	"GET /api/v1/orgs/:orgID/tasks/:taskID/attachments":                           {"member"},
	"DELETE /api/v1/orgs/:orgID/tasks/:taskID/attachments/:fileID":                {"member"},
	"GET /api/v1/orgs/:orgID/tasks/:taskID/reminders":                             {"member"},
	"PUT /api/v1/orgs/:orgID/tasks/:taskID/reminders":                             {"member"},
	// Attaching G's file: member does not see the task, dept_admin does not see the file.
	"POST /api/v1/orgs/:orgID/tasks/:taskID/attachments": {"dept_admin", "member"},
}

// tasksOKStatuses are the tasks routes whose success status is not their method's usual one.
var tasksOKStatuses = map[string]int{
	"POST /api/v1/orgs/:orgID/tasklists/:listID/restore":                  200,
	"PUT /api/v1/orgs/:orgID/tasklists/:listID/shares":                    200,
	"POST /api/v1/orgs/:orgID/tasklists/:listID/sections/:sectionID/move": 200,
	"POST /api/v1/orgs/:orgID/tasks/:taskID/complete":                     200,
	"POST /api/v1/orgs/:orgID/tasks/:taskID/reopen":                       200,
	"POST /api/v1/orgs/:orgID/tasks/:taskID/move":                         200,
	"POST /api/v1/orgs/:orgID/tasks/:taskID/restore":                      200,
	"PUT /api/v1/orgs/:orgID/tasks/:taskID/shares":                        200,
	"PUT /api/v1/orgs/:orgID/tasks/:taskID/reminders":                     200,
}

func init() {
	for k, v := range tasksAllowed {
		allowed[k] = v
	}
	for k, v := range tasksHidden {
		hidden[k] = v
	}
	for k, v := range tasksOKStatuses {
		okStatuses[k] = v
	}
}

// mustMatrixTasks makes the tasks fixtures of an organisation (see the top of this file) and
// returns their ids by name. dept and group are D and G, target a member in G, files the files
// fixtures (G's file and image).
func (e *testEnv) mustMatrixTasks(t *testing.T, d dir, dept, group, target string, files map[string]string) map[string]string {
	t.Helper()
	c := d.c
	f := map[string]string{}
	list := func(name, kind, owner string) string {
		body := map[string]any{"name": name, "owner_kind": kind}
		if owner != "" {
			body["owner_id"] = owner
		}
		return c.must(201, "POST", d.org("/tasklists"), body)["id"].(string)
	}
	task := func(list, title string) string {
		return c.must(201, "POST", d.org("/tasklists/"+list+"/tasks"), map[string]any{"title": title})["id"].(string)
	}
	shareG := func(task string) {
		c.must(200, "PUT", d.org("/tasks/"+task+"/shares"), map[string]any{"principal_type": "group", "principal_id": group, "role": "editor"})
	}
	f["orgList"] = list("Everyone", "organisation", "")
	f["orgSection"] = tkSections(c.must(200, "GET", d.org("/tasklists/"+f["orgList"]), nil))[0]
	f["orgThrowSection"] = c.must(201, "POST", d.org("/tasklists/"+f["orgList"]+"/sections"), map[string]any{"name": "Throwaway"})["id"].(string)
	f["orgLabel"] = c.must(201, "POST", d.org("/tasklists/"+f["orgList"]+"/labels"), map[string]any{"name": "Urgent", "color": "red"})["id"].(string)
	f["orgThrowLabel"] = c.must(201, "POST", d.org("/tasklists/"+f["orgList"]+"/labels"), map[string]any{"name": "Throwaway", "color": "blue"})["id"].(string)
	f["orgTask"] = task(f["orgList"], "For everyone")
	f["gList"] = list("G's", "group", group)
	c.must(200, "PUT", d.org("/tasklists/"+f["gList"]+"/shares"), map[string]any{"principal_type": "user", "principal_id": target, "role": "viewer"})
	f["dList"] = list("D's", "department", dept)
	f["dThrowList"] = list("D throwaway", "department", dept)
	f["dDeletedList"] = list("D deleted", "department", dept)
	c.must(204, "DELETE", d.org("/tasklists/"+f["dDeletedList"]), nil)
	for _, name := range []string{"shared", "sharedB", "sharedC", "blocker"} {
		f[name] = task(f["dList"], name)
		shareG(f[name])
	}
	c.must(201, "POST", d.org("/tasklists/"+f["dList"]+"/tasks"), map[string]any{"title": "sub", "parent_id": f["shared"]})
	c.must(200, "PUT", d.org("/tasks/"+f["shared"]+"/shares"), map[string]any{"principal_type": "user", "principal_id": target, "role": "viewer"})
	c.must(201, "POST", d.org("/tasks/"+f["shared"]+"/dependencies"), map[string]any{"blocked_by_id": f["blocker"]})
	f["dThrowTask"] = task(f["dList"], "D throwaway")
	f["dDeletedTask"] = task(f["dList"], "D deleted")
	c.must(204, "DELETE", d.org("/tasks/"+f["dDeletedTask"]), nil)
	f["comment"] = c.must(201, "POST", d.org("/tasks/"+f["shared"]+"/comments"), map[string]any{"body": "The owner's comment"})["id"].(string)
	c.must(201, "POST", d.org("/tasks/"+f["shared"]+"/attachments"), map[string]any{"file_id": files["gImage"]})
	return f
}

// tasksDefaultIDs are the path ids of the tasks routes that tasksRouteIDs does not name.
func tasksDefaultIDs(f map[string]string) map[string]string {
	return map[string]string{"listID": f["orgList"], "sectionID": f["orgSection"], "labelID": f["orgLabel"], "taskID": f["shared"],
		"commentID": f["comment"], "blockerID": f["blocker"]}
}

// tasksThrowIDs are the targets of the routes that delete a whole list or task.
func tasksThrowIDs(f map[string]string) map[string]string {
	return map[string]string{"listID": f["dThrowList"], "taskID": f["dThrowTask"]}
}

// tasksRouteIDs are the path ids of the tasks routes whose fixture is not the default one.
func tasksRouteIDs(f map[string]string, files map[string]string, target string) map[string]map[string]string {
	return map[string]map[string]string{
		"PATCH /api/v1/orgs/:orgID/tasklists/:listID":                                     {"listID": f["gList"]},
		"POST /api/v1/orgs/:orgID/tasklists/:listID/restore":                              {"listID": f["dDeletedList"]},
		"PUT /api/v1/orgs/:orgID/tasklists/:listID/shares":                                {"listID": f["gList"]},
		"DELETE /api/v1/orgs/:orgID/tasklists/:listID/shares/:principalType/:principalID": {"listID": f["gList"], "principalType": "user", "principalID": target},
		"DELETE /api/v1/orgs/:orgID/tasklists/:listID/sections/:sectionID":                {"sectionID": f["orgThrowSection"]},
		"DELETE /api/v1/orgs/:orgID/tasklists/:listID/labels/:labelID":                    {"labelID": f["orgThrowLabel"]},
		"POST /api/v1/orgs/:orgID/tasks/:taskID/complete":                                 {"taskID": f["sharedC"]},
		"POST /api/v1/orgs/:orgID/tasks/:taskID/reopen":                                   {"taskID": f["sharedC"]},
		"POST /api/v1/orgs/:orgID/tasks/:taskID/restore":                                  {"taskID": f["dDeletedTask"]},
		"DELETE /api/v1/orgs/:orgID/tasks/:taskID/shares/:principalType/:principalID":     {"principalType": "user", "principalID": target},
		"DELETE /api/v1/orgs/:orgID/tasks/:taskID/attachments/:fileID":                    {"fileID": files["gImage"]},
	}
}

// tasksMatrixBody is the JSON body of a tasks route, if it takes one.
func tasksMatrixBody(route string, m matrixOrg) (any, bool) {
	f := m.tasks
	switch route {
	case "POST /api/v1/orgs/:orgID/tasklists":
		return map[string]any{"name": "Mine", "owner_kind": "person"}, true
	case "PATCH /api/v1/orgs/:orgID/tasklists/:listID":
		return map[string]any{"name": "G's, renamed"}, true
	case "PUT /api/v1/orgs/:orgID/tasklists/:listID/shares", "PUT /api/v1/orgs/:orgID/tasks/:taskID/shares":
		return map[string]any{"principal_type": "user", "principal_id": m.ids["userID"], "role": "viewer"}, true
	case "POST /api/v1/orgs/:orgID/tasklists/:listID/sections":
		return map[string]any{"name": "Made by the matrix"}, true
	case "PATCH /api/v1/orgs/:orgID/tasklists/:listID/sections/:sectionID":
		return map[string]any{"name": "To do"}, true
	case "POST /api/v1/orgs/:orgID/tasklists/:listID/sections/:sectionID/move":
		return map[string]any{"after_id": nil}, true
	case "POST /api/v1/orgs/:orgID/tasklists/:listID/labels":
		return map[string]any{"name": "Made by the matrix", "color": "green"}, true
	case "PATCH /api/v1/orgs/:orgID/tasklists/:listID/labels/:labelID":
		return map[string]any{"color": "orange"}, true
	case "POST /api/v1/orgs/:orgID/tasklists/:listID/tasks":
		return map[string]any{"title": "Made by the matrix"}, true
	case "PATCH /api/v1/orgs/:orgID/tasks/:taskID":
		return map[string]any{"priority": 2}, true
	case "POST /api/v1/orgs/:orgID/tasks/:taskID/dependencies":
		return map[string]any{"blocked_by_id": f["sharedB"]}, true
	case "POST /api/v1/orgs/:orgID/tasks/:taskID/comments":
		return map[string]any{"body": "A comment by the matrix"}, true
	case "PATCH /api/v1/orgs/:orgID/tasks/:taskID/comments/:commentID":
		return map[string]any{"body": "Edited"}, true
	case "POST /api/v1/orgs/:orgID/tasks/:taskID/attachments":
		return map[string]any{"file_id": m.files["gFile"]}, true
	case "PUT /api/v1/orgs/:orgID/tasks/:taskID/reminders":
		return map[string]any{"offsets_minutes": []int{60}}, true
	}
	return nil, false
}

// bTasksChanged fails when another organisation's calls changed the tasks fixtures of d's
// organisation: its lists, the shared task, its dependency, comment and attachment, the
// deleted list and task.
func bTasksChanged(t *testing.T, c *client, d dir, f map[string]string) {
	t.Helper()
	if got := c.must(200, "GET", d.org("/tasklists/"+f["gList"]), nil); got["name"] != "G's" {
		t.Fatalf("B's list changed: %v", got)
	}
	if got := c.must(200, "GET", d.org("/tasklists/"+f["orgList"]), nil); len(got["sections"].([]any)) != 2 || len(got["labels"].([]any)) != 2 {
		t.Fatalf("B's sections or labels changed: %v", got)
	}
	got := c.must(200, "GET", d.org("/tasks/"+f["shared"]), nil)
	if got["title"] != "shared" || got["priority"].(float64) != 0 || got["status"] != "open" || len(got["blocked_by"].([]any)) != 1 || got["subtask_total"].(float64) != 1 {
		t.Fatalf("B's task changed: %v", got)
	}
	if shares := c.must(200, "GET", d.org("/tasks/"+f["shared"]+"/shares"), nil); shares["total"].(float64) != 2 {
		t.Fatalf("B's task shares changed: %v", shares)
	}
	if shares := c.must(200, "GET", d.org("/tasklists/"+f["gList"]+"/shares"), nil); shares["total"].(float64) != 1 {
		t.Fatalf("B's list shares changed: %v", shares)
	}
	if cs := c.must(200, "GET", d.org("/tasks/"+f["shared"]+"/comments"), nil); cs["total"].(float64) != 1 {
		t.Fatalf("B's comments changed: %v", cs)
	}
	if as := c.must(200, "GET", d.org("/tasks/"+f["shared"]+"/attachments"), nil); as["total"].(float64) != 1 {
		t.Fatalf("B's attachments changed: %v", as)
	}
	wantCode(t, "B's deleted list", c.do("GET", d.org("/tasklists/"+f["dDeletedList"]), nil), 404, "not_found")
	wantCode(t, "B's deleted task", c.do("GET", d.org("/tasks/"+f["dDeletedTask"]), nil), 404, "not_found")
	c.must(200, "GET", d.org("/tasks/"+f["dThrowTask"]), nil)
	c.must(200, "GET", d.org("/tasklists/"+f["dThrowList"]), nil)
}
