package main

import (
	"testing"
)

// The announcements part of the permission matrix (issue 12). Its fixtures, made by the
// organisation's owner, are an announcement to group G asking for acknowledgement (G lies in
// department D, so dept_admin oversees it; group_owner, guest and custom are in G, so receive
// it; member is in neither and does not see it) and a throwaway one for the deletion.
// Publishing goes to D's child department, inside dept_admin's subtree.

// announcementsAllowed is the announcements part of the matrix (see allowed).
var announcementsAllowed = map[string][]string{
	"GET /api/v1/orgs/:orgID/announcements":                          {"owner", "admin", "dept_admin", "group_owner", "member", "guest", "custom"},
	"POST /api/v1/orgs/:orgID/announcements":                         {"owner", "admin", "dept_admin"},
	"GET /api/v1/orgs/:orgID/admin/announcements":                    {"owner", "admin", "dept_admin"},
	"GET /api/v1/orgs/:orgID/announcements/:announcementID":          {"owner", "admin", "dept_admin", "group_owner", "guest", "custom"},
	"DELETE /api/v1/orgs/:orgID/announcements/:announcementID":       {"owner", "admin", "dept_admin"},
	"POST /api/v1/orgs/:orgID/announcements/:announcementID/ack":     {"group_owner", "guest", "custom"},
	"GET /api/v1/orgs/:orgID/announcements/:announcementID/acks":     {"owner", "admin", "dept_admin"},
	"GET /api/v1/orgs/:orgID/announcements/:announcementID/acks.csv": {"owner", "admin", "dept_admin"},
	"POST /api/v1/orgs/:orgID/announcements/:announcementID/remind":  {"owner", "admin", "dept_admin"},
}

// announcementsHidden are the announcements cells that must answer 404: member is no recipient
// of G's announcement and oversees nothing.
var announcementsHidden = map[string][]string{
	"GET /api/v1/orgs/:orgID/announcements/:announcementID":      {"member"},
	"POST /api/v1/orgs/:orgID/announcements/:announcementID/ack": {"member"},
}

// announcementsOKStatuses are the routes whose success status is not their method's usual one:
// an acknowledgement and a reminder answer what they did.
var announcementsOKStatuses = map[string]int{
	"POST /api/v1/orgs/:orgID/announcements/:announcementID/ack":    200,
	"POST /api/v1/orgs/:orgID/announcements/:announcementID/remind": 200,
}

func init() {
	for k, v := range announcementsAllowed {
		allowed[k] = v
	}
	for k, v := range announcementsHidden {
		hidden[k] = v
	}
	for k, v := range announcementsOKStatuses {
		okStatuses[k] = v
	}
}

// mustMatrixAnnouncements makes the announcements fixtures of an organisation (see the top of
// this file) and returns their ids by name.
func (e *testEnv) mustMatrixAnnouncements(t *testing.T, d dir, group string) map[string]string {
	t.Helper()
	publish := func(title string) string {
		return d.c.must(201, "POST", d.org("/announcements"), map[string]any{"scope": "group", "target_id": group, "title": title,
			"body": "Read **this**", "requires_ack": true})["id"].(string)
	}
	return map[string]string{"announcement": publish("For G"), "announcementThrow": publish("For G, throwaway")}
}

// announcementsDefaultIDs are the path ids of the announcements routes.
func announcementsDefaultIDs(f map[string]string) map[string]string {
	return map[string]string{"announcementID": f["announcement"]}
}

// announcementsRouteIDs are the path ids of the announcements routes whose fixture is not the
// default one.
func announcementsRouteIDs(f map[string]string) map[string]map[string]string {
	return map[string]map[string]string{
		"DELETE /api/v1/orgs/:orgID/announcements/:announcementID": {"announcementID": f["announcementThrow"]},
	}
}

// announcementsMatrixBody is the JSON body of an announcements route, if it takes one.
func announcementsMatrixBody(route string, m matrixOrg) (any, bool) {
	if route == "POST /api/v1/orgs/:orgID/announcements" {
		return map[string]any{"scope": "department", "target_id": m.ids["departmentID"], "title": "By the matrix", "requires_ack": true}, true
	}
	return nil, false
}

// bAnnouncementsChanged fails when another organisation's calls changed d's announcements
// fixture: still there, not acknowledged by anyone, never reminded.
func bAnnouncementsChanged(t *testing.T, e *testEnv, d dir, f map[string]string) {
	t.Helper()
	got := d.c.must(200, "GET", d.org("/announcements/"+f["announcement"]), nil)
	if got["title"] != "For G" || got["acked_count"] != float64(0) {
		t.Fatalf("B's announcement changed: %v", got)
	}
	d.c.must(200, "GET", d.org("/announcements/"+f["announcementThrow"]), nil)
	if n := e.tkCount(t, `SELECT count(*) FROM announcements WHERE id = ? AND last_reminded_at IS NULL`, f["announcement"]); n != 1 {
		t.Fatal("B's announcement was reminded")
	}
}
