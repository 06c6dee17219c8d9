package main

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/notifications"
	pgnotifications "canopy/infra/postgres/notifications"
)

// In-app notifications (issue 10, section 4): a file shared with someone tells them, not the
// sharer; each person reads, counts and marks only their own; "off" makes none.

// mustNotificationFor stores a notification for a member directly, for the tests that need one
// whatever made it (the matrix, tenancy).
func (e *testEnv) mustNotificationFor(t testing.TB, orgID, userID string) string {
	t.Helper()
	n, err := notifications.New(notifications.NewInput{OrgID: uuid.MustParse(orgID), UserID: uuid.MustParse(userID), EventID: time.Now().UnixNano(),
		Kind: notifications.KindFileShared, SubjectType: "file", SubjectID: uuid.New(), Payload: []byte(`{"name":"fixture.txt"}`)}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := pgnotifications.NewNotifications(e.stack.db).Add(context.Background(), []*notifications.Notification{n}); err != nil {
		t.Fatal(err)
	}
	return n.ID().String()
}

// waitDispatched waits until the dispatcher has handled every event in the outbox (whatever its
// consumers wrote commits with that).
func (e *testEnv) waitDispatched(t *testing.T) {
	t.Helper()
	waitUntil(t, func() bool {
		var n int64
		e.stack.db.Raw(`SELECT count(*) FROM events WHERE dispatched_at IS NULL`).Scan(&n)
		return n == 0
	})
}

func TestSharingAFileNotifiesThePersonItIsSharedWith(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Notify", "o@notify.example")
	li, liID := e.member(o, "li@notify.example")
	bystander, _ := e.member(o, "by@notify.example")
	personal := spaceOf(t, o.c, o.orgID, "personal")
	folder := o.mustFolder(personal, "", "Reports")
	file := mustUpload(t, o.c, o.orgID, personal, folder, "报告.pdf", []byte("report"))["id"].(string)
	o.mustShare(o.c, "file", file, "user", liID, "viewer")
	e.waitDispatched(t)

	got := li.must(200, "GET", o.org("/notifications"), nil)
	items := got["items"].([]any)
	if len(items) != 1 || got["total"].(float64) != 1 || got["unread"].(float64) != 1 {
		t.Fatalf("Li's notifications: %v", got)
	}
	n := items[0].(map[string]any)
	payload := n["payload"].(map[string]any)
	if n["type"] != "files.file_shared" || n["subject_id"] != file || n["read_at"] != nil || payload["name"] != "报告.pdf" || payload["target_id"] != file ||
		n["actor_id"] != o.ownerID(t) {
		t.Fatalf("the notification: %v", n)
	}
	id := n["id"].(string)
	if c := li.must(200, "GET", o.org("/notifications/unread-count"), nil)["unread"]; c != float64(1) {
		t.Fatalf("Li's unread count: %v", c)
	}
	// The sharer and a bystander are told nothing.
	for who, c := range map[string]*client{"the sharer": o.c, "a bystander": bystander} {
		if got := c.must(200, "GET", o.org("/notifications"), nil); got["total"] != float64(0) {
			t.Fatalf("%s was notified: %v", who, got)
		}
		// Nor may they mark Li's read: it is not theirs, so it does not exist for them.
		if r := c.do("POST", o.org("/notifications/"+id+"/read"), nil); r.status != 404 {
			t.Fatalf("%s marks Li's notification read: %d %s", who, r.status, r.body)
		}
	}
	// Someone of another organisation gets 404, through theirs or through Li's.
	other := e.mustFilesOrg("Elsewhere", "o@elsewhere.example")
	for _, path := range []string{other.org("/notifications/" + id + "/read"), o.org("/notifications/" + id + "/read")} {
		if r := other.c.do("POST", path, nil); r.status != 404 {
			t.Fatalf("another organisation's owner: POST %s: %d %s", path, r.status, r.body)
		}
	}
	if c := li.must(200, "GET", o.org("/notifications/unread-count"), nil)["unread"]; c != float64(1) {
		t.Fatalf("others' attempts marked it read: %v", c)
	}

	li.must(204, "POST", o.org("/notifications/"+id+"/read"), nil)
	if c := li.must(200, "GET", o.org("/notifications/unread-count"), nil)["unread"]; c != float64(0) {
		t.Fatalf("unread after marking read: %v", c)
	}
	if got := li.must(200, "GET", o.org("/notifications?unread=true"), nil); got["total"] != float64(0) || len(got["items"].([]any)) != 0 {
		t.Fatalf("unread list after marking read: %v", got)
	}
	if r := li.do("GET", o.org("/notifications?unread=maybe"), nil); r.status != 400 {
		t.Fatalf("unread=maybe: %d", r.status)
	}

	// "off" makes no notification of that kind; in_app again makes them, and read-all clears them.
	prefs := li.must(200, "PUT", o.org("/notification-preferences"), map[string]any{
		"channels": []any{map[string]any{"kind": "files.file_shared", "channel": "off"}}, "quiet_hours": map[string]any{"start_minute": 1320, "end_minute": 420}})
	if ch := prefs["channels"].([]any)[0].(map[string]any); ch["channel"] != "off" || prefs["quiet_hours"].(map[string]any)["start_minute"] != float64(1320) {
		t.Fatalf("preferences: %v", prefs)
	}
	second := mustUpload(t, o.c, o.orgID, personal, folder, "second.txt", []byte("2"))["id"].(string)
	o.mustShare(o.c, "file", second, "user", liID, "viewer")
	e.waitDispatched(t)
	if got := li.must(200, "GET", o.org("/notifications"), nil); got["total"] != float64(1) {
		t.Fatalf("notified with the kind turned off: %v", got)
	}
	li.must(200, "PUT", o.org("/notification-preferences"), map[string]any{"channels": []any{map[string]any{"kind": "files.file_shared", "channel": "in_app"}}})
	third := mustUpload(t, o.c, o.orgID, personal, folder, "third.txt", []byte("3"))["id"].(string)
	o.mustShare(o.c, "file", third, "user", liID, "viewer")
	o.mustShare(o.c, "folder", folder, "user", liID, "viewer")
	e.waitDispatched(t)
	if c := li.must(200, "GET", o.org("/notifications/unread-count"), nil)["unread"]; c != float64(2) {
		t.Fatalf("unread after two more shares: %v", c)
	}
	if m := li.must(200, "POST", o.org("/notifications/read-all"), nil)["marked"]; m != float64(2) {
		t.Fatalf("read-all marked %v", m)
	}
	// The quiet hours stayed when only the channels changed.
	if got := li.must(200, "GET", o.org("/notification-preferences"), nil); got["quiet_hours"] == nil || got["time_zone"] == "" {
		t.Fatalf("preferences: %v", got)
	}
}

func TestNotificationPreferencesRefuseBadInput(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Prefs", "o@prefs.example")
	path := "/api/v1/orgs/" + o.orgID + "/notification-preferences"
	for _, body := range []map[string]any{
		{"channels": []any{map[string]any{"kind": "files.file_shared", "channel": "sms"}}},
		{"channels": []any{map[string]any{"kind": "files.nothing", "channel": "off"}}},
		{"quiet_hours": map[string]any{"start_minute": 60, "end_minute": 60}},
		{"quiet_hours": map[string]any{"start_minute": 60, "end_minute": 1440}},
		{"quiet_hours": map[string]any{"start_minute": 60}},
		{"quiet_hours": "22:00"},
	} {
		if r := o.c.do("PUT", path, body); r.status != 400 {
			t.Errorf("%v: %d %s", body, r.status, r.body)
		}
	}
	got := o.c.must(200, "PUT", path, map[string]any{"quiet_hours": nil})
	if got["quiet_hours"] != nil || got["channels"].([]any)[0].(map[string]any)["channel"] != "in_app" {
		t.Fatalf("defaults: %v", got)
	}
}

// mustOwnNotification stores a notification for the caller of c in the organisation.
func (e *testEnv) mustOwnNotification(t testing.TB, c *client, orgID string) string {
	t.Helper()
	me := c.must(200, "GET", "/api/v1/me", nil)["user"].(map[string]any)["id"].(string)
	return e.mustNotificationFor(t, orgID, me)
}
