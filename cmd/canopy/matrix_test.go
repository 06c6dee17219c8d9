package main

import (
	"sort"
	"strings"
	"testing"

	"canopy/web/server"
)

// The roles of the permission matrix. Each acts in an organisation of its own, built the same
// way, so no role's requests change what another's see.
var matrixRoles = []string{"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"}

// allowed is the permission matrix: for each organisation route, the roles that may call it
// with the request the test sends. Each of them must get exactly the route's success status
// (okStatus), and every other role exactly 403, or 404 where hidden says the role cannot see the
// fixture at all: a 500, a 400 or any other 404 is neither an allow nor a deny and fails the
// cell. A route missing here fails the test, so a new route cannot go unexamined.
var allowed = map[string][]string{
	"GET /api/v1/orgs/:orgID":                                                    {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"PATCH /api/v1/orgs/:orgID":                                                  {"owner", "admin"},
	"GET /api/v1/orgs/:orgID/members":                                            {"owner", "admin", "dept_admin", "group_owner", "member", "custom"},
	"GET /api/v1/orgs/:orgID/members/:userID":                                    {"owner", "admin", "dept_admin", "group_owner", "member", "custom"},
	"POST /api/v1/orgs/:orgID/members/:userID/deactivate":                        {"owner", "admin"},
	"POST /api/v1/orgs/:orgID/members/:userID/reactivate":                        {"owner", "admin"},
	"GET /api/v1/orgs/:orgID/invitations":                                        {"owner", "admin"},
	"POST /api/v1/orgs/:orgID/invitations":                                       {"owner", "admin"},
	"DELETE /api/v1/orgs/:orgID/invitations/:invitationID":                       {"owner", "admin"},
	"GET /api/v1/orgs/:orgID/tokens":                                             {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"POST /api/v1/orgs/:orgID/tokens":                                            {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"DELETE /api/v1/orgs/:orgID/tokens/:tokenID":                                 {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/notifications":                                      {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/me/permissions":                                     {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/notifications/unread-count":                         {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"POST /api/v1/orgs/:orgID/notifications/read-all":                            {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"POST /api/v1/orgs/:orgID/notifications/:notificationID/read":                {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/notification-preferences":                           {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"PUT /api/v1/orgs/:orgID/notification-preferences":                           {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/departments":                                        {"owner", "admin", "dept_admin", "group_owner", "member", "custom"},
	"GET /api/v1/orgs/:orgID/departments/:departmentID":                          {"owner", "admin", "dept_admin", "group_owner", "member", "custom"},
	"GET /api/v1/orgs/:orgID/departments/:departmentID/members":                  {"owner", "admin", "dept_admin", "group_owner", "member", "custom"},
	"GET /api/v1/orgs/:orgID/groups":                                             {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/groups/:groupID":                                    {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/groups/:groupID/members":                            {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/people/:userID":                                     {"owner", "admin", "dept_admin", "group_owner", "member", "custom"},
	"GET /api/v1/orgs/:orgID/search":                                             {"owner", "admin", "dept_admin", "group_owner", "member", "custom"},
	"GET /api/v1/orgs/:orgID/roles":                                              {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"GET /api/v1/admin/orgs/:orgID/users":                                        {"owner", "admin"},
	"GET /api/v1/admin/orgs/:orgID/people":                                       {"owner", "admin"},
	"POST /api/v1/admin/orgs/:orgID/people/bulk":                                 {"owner", "admin"},
	"POST /api/v1/admin/orgs/:orgID/users":                                       {"owner", "admin"},
	"GET /api/v1/admin/orgs/:orgID/users/:userID":                                {"owner", "admin"},
	"PATCH /api/v1/admin/orgs/:orgID/users/:userID":                              {"owner", "admin"},
	"POST /api/v1/admin/orgs/:orgID/users/:userID/deactivate":                    {"owner", "admin"},
	"PUT /api/v1/admin/orgs/:orgID/users/:userID/departments":                    {"owner", "admin", "dept_admin"},
	"PUT /api/v1/admin/orgs/:orgID/users/:userID/role":                           {"owner", "admin"},
	"POST /api/v1/admin/orgs/:orgID/departments":                                 {"owner", "admin", "dept_admin"},
	"PATCH /api/v1/admin/orgs/:orgID/departments/:departmentID":                  {"owner", "admin", "dept_admin"},
	"DELETE /api/v1/admin/orgs/:orgID/departments/:departmentID":                 {"owner", "admin", "dept_admin"},
	"PUT /api/v1/admin/orgs/:orgID/departments/:departmentID/members/:userID":    {"owner", "admin", "dept_admin"},
	"DELETE /api/v1/admin/orgs/:orgID/departments/:departmentID/members/:userID": {"owner", "admin", "dept_admin"},
	"POST /api/v1/admin/orgs/:orgID/groups":                                      {"owner", "admin", "dept_admin"},
	"PATCH /api/v1/admin/orgs/:orgID/groups/:groupID":                            {"owner", "admin", "dept_admin", "group_owner"},
	"DELETE /api/v1/admin/orgs/:orgID/groups/:groupID":                           {"owner", "admin", "dept_admin", "group_owner"},
	"PUT /api/v1/admin/orgs/:orgID/groups/:groupID/members/:userID":              {"owner", "admin", "dept_admin", "group_owner"},
	"POST /api/v1/admin/orgs/:orgID/groups/:groupID/members/bulk":                {"owner", "admin", "dept_admin", "group_owner"},
	"DELETE /api/v1/admin/orgs/:orgID/groups/:groupID/members/:userID":           {"owner", "admin", "dept_admin", "group_owner"},
	"POST /api/v1/admin/orgs/:orgID/roles":                                       {"owner", "admin"},
	"PATCH /api/v1/admin/orgs/:orgID/roles/:roleID":                              {"owner", "admin"},
	"DELETE /api/v1/admin/orgs/:orgID/roles/:roleID":                             {"owner", "admin"},
	"GET /api/v1/admin/orgs/:orgID/assignments":                                  {"owner", "admin"},
	"POST /api/v1/admin/orgs/:orgID/assignments":                                 {"owner", "admin"},
	"DELETE /api/v1/admin/orgs/:orgID/assignments/:assignmentID":                 {"owner", "admin"},
	"POST /api/v1/admin/orgs/:orgID/ownership":                                   {"owner"},
	"GET /api/v1/admin/orgs/:orgID/audit":                                        {"owner", "admin", "custom"},
	"GET /api/v1/admin/orgs/:orgID/scim-tokens":                                  {"owner", "admin"},
	"POST /api/v1/admin/orgs/:orgID/scim-tokens":                                 {"owner", "admin"},
	"DELETE /api/v1/admin/orgs/:orgID/scim-tokens/:scimTokenID":                  {"owner", "admin"},
	"POST /api/v1/admin/orgs/:orgID/imports":                                     {"owner", "admin"},
	"GET /api/v1/admin/orgs/:orgID/imports":                                      {"owner", "admin"},
	"GET /api/v1/admin/orgs/:orgID/imports/:importID":                            {"owner", "admin"},
	"GET /api/v1/admin/orgs/:orgID/imports/template":                             {"owner", "admin"},
	"GET /api/v1/admin/orgs/:orgID/people/export":                                {"owner", "admin"},
	"POST /api/v1/admin/orgs/:orgID/people/export":                               {"owner", "admin"},
	"GET /api/v1/admin/orgs/:orgID/departments/export":                           {"owner", "admin"},
	"GET /api/v1/admin/orgs/:orgID/audit/export":                                 {"owner", "admin", "custom"},
	"POST /api/v1/admin/orgs/:orgID/users/:userID/activation-link":               {"owner", "admin"},
	"POST /api/v1/admin/orgs/:orgID/activation-links":                            {"owner", "admin"},
	"POST /api/v1/admin/orgs/:orgID/users/:userID/disable-account":               {"owner", "admin"},
	"POST /api/v1/admin/orgs/:orgID/users/:userID/reset-credentials":             {"owner", "admin"},

	// The files module (matrix_files_test.go says where each fixture is: the organisation's
	// space, group G's or department D's). Guest and custom (a guest with the Auditor role) hold
	// files.read only.
	"GET /api/v1/orgs/:orgID/spaces":                         {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/spaces/:spaceID":                {"owner", "admin", "dept_admin", "group_owner", "member"},
	"GET /api/v1/orgs/:orgID/spaces/:spaceID/entries":        {"owner", "admin", "group_owner", "guest", "custom"},
	"POST /api/v1/orgs/:orgID/spaces/:spaceID/folders":       {"owner", "admin", "dept_admin"},
	"GET /api/v1/orgs/:orgID/folders/:folderID":              {"owner", "admin", "group_owner", "guest", "custom"},
	"PATCH /api/v1/orgs/:orgID/folders/:folderID":            {"owner", "admin", "dept_admin", "group_owner", "member"},
	"DELETE /api/v1/orgs/:orgID/folders/:folderID":           {"owner", "admin", "group_owner"},
	"POST /api/v1/orgs/:orgID/files":                         {"owner", "admin", "dept_admin", "group_owner", "member"},
	"GET /api/v1/orgs/:orgID/files/:fileID":                  {"owner", "admin", "group_owner", "guest", "custom"},
	"PATCH /api/v1/orgs/:orgID/files/:fileID":                {"owner", "admin", "group_owner"},
	"DELETE /api/v1/orgs/:orgID/files/:fileID":               {"owner", "admin", "dept_admin", "group_owner", "member"},
	"GET /api/v1/orgs/:orgID/files/:fileID/content":          {"owner", "admin", "group_owner", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/files/:fileID/thumbnail":        {"owner", "admin", "group_owner", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/trash":                          {"owner", "admin", "dept_admin", "group_owner", "member"},
	"POST /api/v1/orgs/:orgID/trash/:fileID/restore":         {"owner", "admin", "group_owner"},
	"GET /api/v1/orgs/:orgID/holds":                          {"owner", "admin"},
	"PUT /api/v1/orgs/:orgID/holds/:targetType/:targetID":    {"owner", "admin"},
	"DELETE /api/v1/orgs/:orgID/holds/:targetType/:targetID": {"owner", "admin"},
	"GET /api/v1/admin/orgs/:orgID/files/policy":             {"owner", "admin"},
	"GET /api/v1/admin/orgs/:orgID/setup":                    {"owner", "admin"},
	"PUT /api/v1/admin/orgs/:orgID/setup":                    {"owner", "admin"},
	"PUT /api/v1/admin/orgs/:orgID/files/policy":             {"owner", "admin"},
	"GET /api/v1/admin/orgs/:orgID/spaces":                   {"owner", "admin", "dept_admin"},
	"GET /api/v1/admin/orgs/:orgID/spaces/:spaceID/policy":   {"owner", "admin", "dept_admin"},
	"PUT /api/v1/admin/orgs/:orgID/spaces/:spaceID/policy":   {"owner", "admin", "dept_admin"},
	"POST /api/v1/orgs/:orgID/shares":                        {"owner", "admin", "dept_admin", "group_owner", "member"},
	"GET /api/v1/orgs/:orgID/shares":                         {"owner", "admin", "group_owner", "guest", "custom"},
	// Only the share's maker (the owner) or who manages the space may remove it: dept_admin,
	// group_owner and member see the file but get 403.
	"DELETE /api/v1/orgs/:orgID/shares/:shareID":   {"owner", "admin"},
	"GET /api/v1/orgs/:orgID/shared-with-me":       {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"POST /api/v1/orgs/:orgID/links":               {"owner", "admin", "group_owner"},
	"GET /api/v1/orgs/:orgID/links":                {"owner", "admin", "dept_admin", "group_owner", "member"},
	"DELETE /api/v1/orgs/:orgID/links/:linkID":     {"owner", "admin", "group_owner"},
	"OPTIONS /api/v1/orgs/:orgID/uploads/":         {"owner", "admin", "dept_admin", "group_owner", "member"},
	"POST /api/v1/orgs/:orgID/uploads/":            {"owner", "admin", "dept_admin"},
	"HEAD /api/v1/orgs/:orgID/uploads/:uploadID":   {"owner"},
	"PATCH /api/v1/orgs/:orgID/uploads/:uploadID":  {"owner"},
	"DELETE /api/v1/orgs/:orgID/uploads/:uploadID": {"owner"},

	// Webhooks: webhooks.manage, which only owners and admins hold.
	"GET /api/v1/admin/orgs/:orgID/webhooks":                                              {"owner", "admin"},
	"POST /api/v1/admin/orgs/:orgID/webhooks":                                             {"owner", "admin"},
	"GET /api/v1/admin/orgs/:orgID/webhooks/:webhookID":                                   {"owner", "admin"},
	"PATCH /api/v1/admin/orgs/:orgID/webhooks/:webhookID":                                 {"owner", "admin"},
	"DELETE /api/v1/admin/orgs/:orgID/webhooks/:webhookID":                                {"owner", "admin"},
	"POST /api/v1/admin/orgs/:orgID/webhooks/:webhookID/ping":                             {"owner", "admin"},
	"GET /api/v1/admin/orgs/:orgID/webhooks/:webhookID/deliveries":                        {"owner", "admin"},
	"POST /api/v1/admin/orgs/:orgID/webhooks/:webhookID/deliveries/:deliveryID/redeliver": {"owner", "admin"},
}

// hidden are the cells where a role passes the route's permission but cannot see the fixture
// at all, so it must answer 404, exactly as for an id that does not exist (never 403, which
// would confirm that it exists). Every cell listed here fails unless it is 404; every cell
// neither here nor in allowed must still be 403.
var hidden = map[string][]string{
	// The organisation's space: guests (custom is one) are not its members.
	"GET /api/v1/orgs/:orgID/spaces/:spaceID": {"guest", "custom"},
	// G's space and what is in it: dept_admin and member are not in G, and a department
	// admin's files.manage reaches their departments' spaces, not a group's.
	"GET /api/v1/orgs/:orgID/spaces/:spaceID/entries": {"dept_admin", "member"},
	"GET /api/v1/orgs/:orgID/folders/:folderID":       {"dept_admin", "member"},
	"DELETE /api/v1/orgs/:orgID/folders/:folderID":    {"dept_admin", "member"},
	"GET /api/v1/orgs/:orgID/files/:fileID":           {"dept_admin", "member"},
	"PATCH /api/v1/orgs/:orgID/files/:fileID":         {"dept_admin", "member"},
	"GET /api/v1/orgs/:orgID/files/:fileID/content":   {"dept_admin", "member"},
	"GET /api/v1/orgs/:orgID/files/:fileID/thumbnail": {"dept_admin", "member"},
	"POST /api/v1/orgs/:orgID/trash/:fileID/restore":  {"dept_admin", "member"},
	"GET /api/v1/orgs/:orgID/shares":                  {"dept_admin", "member"},
	"POST /api/v1/orgs/:orgID/links":                  {"dept_admin", "member"},
	"DELETE /api/v1/orgs/:orgID/links/:linkID":        {"dept_admin", "member"},
	// D's space: group_owner and member are not in D (guest and custom stop at files.write).
	"POST /api/v1/orgs/:orgID/spaces/:spaceID/folders": {"group_owner", "member"},
	"POST /api/v1/orgs/:orgID/uploads/":                {"group_owner", "member"},
	// A file of the organisation's space, which guests do not see.
	"GET /api/v1/orgs/:orgID/links": {"guest", "custom"},
	// A tus upload is its uploader's (the owner's) alone: not even an admin sees another's.
	"HEAD /api/v1/orgs/:orgID/uploads/:uploadID":   {"admin", "dept_admin", "group_owner", "member"},
	"PATCH /api/v1/orgs/:orgID/uploads/:uploadID":  {"admin", "dept_admin", "group_owner", "member"},
	"DELETE /api/v1/orgs/:orgID/uploads/:uploadID": {"admin", "dept_admin", "group_owner", "member"},
}

// okStatuses holds the success status of the routes whose status is not their method's usual
// one (okStatus).
var okStatuses = map[string]int{
	"POST /api/v1/orgs/:orgID/members/:userID/deactivate":     200,
	"POST /api/v1/orgs/:orgID/members/:userID/reactivate":     200,
	"POST /api/v1/admin/orgs/:orgID/users/:userID/deactivate": 200,
	"PUT /api/v1/admin/orgs/:orgID/users/:userID/role":        200,
	"PUT /api/v1/admin/orgs/:orgID/users/:userID/departments": 200,
	"POST /api/v1/admin/orgs/:orgID/ownership":                204,
	"POST /api/v1/admin/orgs/:orgID/imports":                  202,
	// A bulk addition says what it added.
	"POST /api/v1/admin/orgs/:orgID/groups/:groupID/members/bulk": 200,
	// A bulk action on people says what it did.
	"POST /api/v1/admin/orgs/:orgID/people/bulk": 200,
	// The export of a selection is a download, as the GET export is.
	"POST /api/v1/admin/orgs/:orgID/people/export": 200,

	// The links of many members at once, and the member whose account was disabled.
	"POST /api/v1/admin/orgs/:orgID/activation-links":              200,
	"POST /api/v1/admin/orgs/:orgID/users/:userID/disable-account": 200,
	// A new activation link for the account whose credentials were reset.
	"POST /api/v1/admin/orgs/:orgID/users/:userID/reset-credentials": 200,

	// The policies as they now are, and the restored file.
	"PUT /api/v1/admin/orgs/:orgID/files/policy":           200,
	"PUT /api/v1/admin/orgs/:orgID/setup":                  200,
	"PUT /api/v1/admin/orgs/:orgID/spaces/:spaceID/policy": 200,
	"POST /api/v1/orgs/:orgID/trash/:fileID/restore":       200,
	// Marking one notification read answers nothing; marking all, how many; the preferences, as
	// they now are.
	"POST /api/v1/orgs/:orgID/notifications/:notificationID/read": 204,
	"POST /api/v1/orgs/:orgID/notifications/read-all":             200,
	"PUT /api/v1/orgs/:orgID/notification-preferences":            200,
	// tus answers a PATCH with the new offset and no body.
	"PATCH /api/v1/orgs/:orgID/uploads/:uploadID": 204,

	// A ping and a redelivery answer the delivery they queued.
	"POST /api/v1/admin/orgs/:orgID/webhooks/:webhookID/ping":                             202,
	"POST /api/v1/admin/orgs/:orgID/webhooks/:webhookID/deliveries/:deliveryID/redeliver": 202,
}

// okStatus is the one status an allowed call of the route must answer: GET, HEAD and PATCH
// 200, POST 201, PUT, DELETE and OPTIONS 204, unless okStatuses says otherwise.
func okStatus(route string) int {
	if s, ok := okStatuses[route]; ok {
		return s
	}
	method, _, _ := strings.Cut(route, " ")
	return map[string]int{"GET": 200, "HEAD": 200, "PATCH": 200, "POST": 201, "PUT": 204, "DELETE": 204, "OPTIONS": 204}[method]
}

// matrixOrg is one organisation set up for the matrix: a department D with a child, a group G
// in D, members in them, throwaway targets for the destructive routes, and the files fixtures.
type matrixOrg struct {
	d         dir
	ids       map[string]string            // path parameter → id
	throwIDs  map[string]string            // ids for DELETE routes
	routeIDs  map[string]map[string]string // route → the path ids it takes instead
	files     map[string]string            // the files fixtures by name (mustMatrixFiles)
	tasks     map[string]string            // the tasks fixtures by name (mustMatrixTasks)
	messaging map[string]string            // the messaging fixtures by name (mustMatrixMessaging)
	actor     *client
}

func (e *testEnv) mustMatrixOrg(t *testing.T, role, domain string) matrixOrg {
	at := func(local string) string { return local + "@" + domain }
	d := e.mustDir("Matrix", at("owner"))
	dept := d.mustDept("", "D")
	child := d.mustDept(dept, "D child")
	throwDept := d.mustDept(dept, "D throwaway")
	sibling := d.mustDept("", "Sibling")
	_ = sibling
	target := d.mustUser(at("target"), "Target")
	d.c.must(204, "PUT", d.admin("/departments/"+child+"/members/"+target), map[string]any{})
	victim := d.mustUser(at("victim"), "Victim")
	group := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "G", "department_id": dept})["id"].(string)
	d.c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+target), map[string]any{})
	throwGroup := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "G throwaway", "department_id": dept})["id"].(string)
	role1 := d.c.must(201, "POST", d.admin("/roles"), map[string]any{"name": "Auditor", "permissions": []string{"org.read", "directory.read", "audit.read"}})["id"].(string)
	throwRole := d.c.must(201, "POST", d.admin("/roles"), map[string]any{"name": "Throwaway", "permissions": []string{"audit.read"}})["id"].(string)
	invitation := d.c.must(201, "POST", d.org("/invitations"), map[string]any{})["invitation"].(map[string]any)["id"].(string)
	scimToken := d.c.must(201, "POST", d.admin("/scim-tokens"), map[string]any{"name": "Okta"})["token"].(map[string]any)["id"].(string)
	assignment := d.c.must(201, "POST", d.admin("/assignments"), map[string]any{"user_id": victim, "role_id": role1})["id"].(string)
	importID := d.c.must(202, "POST", d.admin("/imports"), matrixImport)["id"].(string)
	files := e.mustMatrixFiles(t, d, dept, group, target)
	tk := e.mustMatrixTasks(t, d, dept, group, target, files)
	ann := e.mustMatrixAnnouncements(t, d, group)
	hookIDs, throwHook := mustMatrixWebhooks(t, d)
	modIDs, modThrow := mustMatrixModeration(t, e, d, target)

	actor := d.c
	if role != "owner" {
		base := map[string]string{"admin": "admin", "guest": "guest", "custom": "guest"}[role]
		if base == "" {
			base = "member"
		}
		body := map[string]any{}
		if base != "member" {
			body["role"] = base
		}
		var actorID string
		actor, actorID = e.mustJoin(d.mustInvite(body), at(role))
		switch role {
		case "dept_admin":
			var roles []any
			roles = d.c.must(200, "GET", d.org("/roles"), nil)["items"].([]any)
			deptAdmin := ""
			for _, r := range roles {
				if r.(map[string]any)["builtin"] == "department_admin" {
					deptAdmin = r.(map[string]any)["id"].(string)
				}
			}
			d.c.must(201, "POST", d.admin("/assignments"), map[string]any{"user_id": actorID, "role_id": deptAdmin, "department_id": dept})
		case "group_owner":
			d.c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+actorID), map[string]any{"role": "owner"})
			d.c.must(204, "PUT", d.admin("/groups/"+throwGroup+"/members/"+actorID), map[string]any{"role": "owner"})
		case "guest":
			d.c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+actorID), map[string]any{})
		case "custom":
			d.c.must(201, "POST", d.admin("/assignments"), map[string]any{"user_id": actorID, "role_id": role1})
			d.c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+actorID), map[string]any{})
		}
	}
	token := actor.must(201, "POST", d.org("/tokens"), map[string]any{"name": "mine"})["token"].(map[string]any)["id"].(string)
	notification := e.mustOwnNotification(t, actor, d.orgID)
	return e.withMatrixMessaging(t, role, dept, target, matrixOrg{
		d:     d,
		actor: actor,
		ids: merge(merge(merge(merge(filesDefaultIDs(files), tasksDefaultIDs(tk)), announcementsDefaultIDs(ann)), merge(hookIDs, modIDs)), map[string]string{"orgID": d.orgID, "userID": target, "departmentID": child, "groupID": group,
			"invitationID": invitation, "tokenID": token, "notificationID": notification, "roleID": role1, "assignmentID": assignment, "importID": importID}),
		throwIDs: merge(merge(map[string]string{"departmentID": throwDept, "groupID": throwGroup, "roleID": throwRole, "scimTokenID": scimToken}, merge(throwHook, modThrow)), tasksThrowIDs(tk)),
		routeIDs: mergeRoutes(mergeRoutes(filesRouteIDs(files), tasksRouteIDs(tk, files, target)), announcementsRouteIDs(ann)),
		files:    files,
		tasks:    tk,
	})
}

func matrixBody(route string, m matrixOrg) any {
	dept := m.ids["departmentID"]
	switch route {
	case "PATCH /api/v1/orgs/:orgID":
		return map[string]any{"name": "Matrix"}
	case "POST /api/v1/orgs/:orgID/tokens":
		return map[string]any{"name": "another"}
	case "POST /api/v1/admin/orgs/:orgID/users":
		return map[string]any{"email": "new@matrix.example", "display_name": "New"}
	case "PATCH /api/v1/admin/orgs/:orgID/users/:userID":
		return map[string]any{"display_name": "Target"}
	case "PUT /api/v1/admin/orgs/:orgID/users/:userID/departments":
		return map[string]any{"departments": []any{map[string]any{"department_id": dept}}}
	case "PUT /api/v1/admin/orgs/:orgID/users/:userID/role":
		return map[string]any{"role": "member"}
	case "POST /api/v1/admin/orgs/:orgID/departments":
		return map[string]any{"name": "New", "parent_id": dept}
	case "PATCH /api/v1/admin/orgs/:orgID/departments/:departmentID":
		return map[string]any{"name": "D child renamed"}
	case "POST /api/v1/admin/orgs/:orgID/groups":
		return map[string]any{"name": "New group", "department_id": dept}
	case "PATCH /api/v1/admin/orgs/:orgID/groups/:groupID":
		return map[string]any{"name": "G renamed", "department_id": strings.TrimSpace(m.groupDept())}
	case "POST /api/v1/admin/orgs/:orgID/roles":
		return map[string]any{"name": "New role", "permissions": []string{"audit.read"}}
	case "PATCH /api/v1/admin/orgs/:orgID/roles/:roleID":
		return map[string]any{"name": "Auditor", "permissions": []string{"org.read", "directory.read", "audit.read"}}
	case "POST /api/v1/admin/orgs/:orgID/assignments":
		return map[string]any{"user_id": m.ids["userID"], "role_id": m.throwIDs["roleID"]}
	case "POST /api/v1/admin/orgs/:orgID/scim-tokens":
		return map[string]any{"name": "Entra ID"}
	case "POST /api/v1/admin/orgs/:orgID/imports":
		return matrixImport
	case "POST /api/v1/admin/orgs/:orgID/ownership":
		return map[string]any{"user_id": m.ids["userID"]}
	case "POST /api/v1/admin/orgs/:orgID/groups/:groupID/members/bulk":
		return map[string]any{"user_ids": []string{m.ids["userID"]}}
	case "POST /api/v1/admin/orgs/:orgID/activation-links":
		return map[string]any{"user_ids": []string{m.ids["userID"]}}
	case "POST /api/v1/admin/orgs/:orgID/people/export":
		return map[string]any{"format": "csv", "user_ids": []string{m.ids["userID"]}}
	case "POST /api/v1/admin/orgs/:orgID/people/bulk":
		// Target is a member already: skipped, so every allowed role may repeat it.
		return map[string]any{"action": "change_role", "user_ids": []string{m.ids["userID"]}, "role": "member"}
	case "PUT /api/v1/admin/orgs/:orgID/setup":
		return map[string]any{"dismissed": true}
	case "POST /api/v1/admin/orgs/:orgID/webhooks":
		return map[string]any{"url": "https://hooks.example.com/another", "event_types": []string{"files.file_uploaded"}}
	}
	if strings.HasPrefix(route, "POST ") || strings.HasPrefix(route, "PUT ") || strings.HasPrefix(route, "PATCH ") {
		return map[string]any{}
	}
	return nil
}

// matrixImport is a bulk import of one user (no runner applies it in the matrix).
var matrixImport = map[string]any{"users": []any{map[string]any{"external_id": "M1", "email": "imported@matrix.example", "display_name": "Imported"}}}

// groupDept is the department of G, D (the parent of D child).
func (m matrixOrg) groupDept() string {
	got := m.d.c.must(200, "GET", m.d.org("/groups/"+m.ids["groupID"]), nil)
	return got["department_id"].(string)
}

func TestPermissionMatrix(t *testing.T) {
	routes := (&testEnv{}).routesOnce(t)
	for _, r := range routes {
		if _, ok := allowed[r]; !ok {
			t.Errorf("route %s is missing from the permission matrix", r)
		}
	}
	for r, roles := range hidden {
		if !contains(routes, r) {
			t.Errorf("hidden names %s, which is not a route", r)
		}
		for _, role := range roles {
			if contains(allowed[r], role) {
				t.Errorf("%s as %s is both allowed and hidden", r, role)
			}
		}
	}
	for _, role := range matrixRoles {
		t.Run(role, func(t *testing.T) {
			e := newTestEnv(t)
			m := e.mustMatrixOrg(t, role, "matrix.example")
			// Another organisation, built the same way: every one of its ids must answer 404.
			other := e.mustMatrixOrg(t, "owner", "other.example")
			// Destructive routes last, and ownership last of all.
			sorted := append([]string(nil), routes...)
			sort.SliceStable(sorted, func(i, j int) bool { return rank(sorted[i]) < rank(sorted[j]) })
			for _, route := range sorted {
				method, _, _ := strings.Cut(route, " ")
				res := m.actor.send(method, m.path(route), matrixRequest(route, m))
				want := 403
				if contains(allowed[route], role) {
					want = okStatus(route)
				} else if contains(hidden[route], role) {
					want = 404
				}
				if res.status != want {
					t.Errorf("%s as %s: status %d, want %d: %s", route, role, res.status, want, res.body)
				}
				if res := m.actor.send(method, other.path(route), matrixRequest(route, other)); res.status != 404 {
					t.Errorf("%s as %s with another organisation's ids: %d, want 404: %s", route, role, res.status, res.body)
				}
			}
		})
	}
}

// path is the route's path with m's ids (and query): deleting a whole department, group or
// role hits a throwaway one, and a route of routeIDs takes its own.
func (m matrixOrg) path(route string) string {
	method, path, _ := strings.Cut(route, " ")
	ids := m.ids
	if method == "DELETE" && strings.Count(route, ":") == 2 {
		ids = merge(ids, m.throwIDs)
	}
	ids = merge(ids, m.routeIDs[route])
	for k, v := range ids {
		path = strings.Replace(path, ":"+k, v, 1)
	}
	return path + query(route, m)
}

// query adds the query parameters a route needs.
func query(route string, m matrixOrg) string {
	if q := filesQuery(route, m); q != "" {
		return q
	}
	switch {
	case strings.HasSuffix(route, "/audit/export"):
		return "?format=json"
	case strings.HasSuffix(route, "/imports/template"):
		return "?format=csv&lang=en"
	case strings.HasSuffix(route, "/people/export"), strings.HasSuffix(route, "/departments/export"):
		return "?format=csv"
	case strings.HasSuffix(route, "/search"):
		return "?q=target"
	}
	return ""
}

// rank orders the calls so that none undoes what a later one needs: member-level removals,
// then whole-resource deletes, then deactivation, then the ownership transfer.
func rank(route string) int {
	switch {
	case strings.Contains(route, "/ownership"):
		return 5
	case strings.Contains(route, "reactivate"):
		return 4
	case strings.Contains(route, "deactivate"), strings.Contains(route, "disable-account"):
		return 3
	case strings.HasPrefix(route, "DELETE ") && strings.Count(route, ":") == 2:
		return 2
	case strings.HasPrefix(route, "DELETE "):
		return 1
	}
	return 0
}

// mergeRoutes merges the per-route path ids of two modules.
func mergeRoutes(a, b map[string]map[string]string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func (e *testEnv) routesOnce(t *testing.T) []string {
	env := newTestEnv(t)
	var out []string
	for _, r := range env.srv.Routes() {
		if r.Access.Level == server.LevelMember {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}
