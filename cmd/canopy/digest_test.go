package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/infra/config"
)

// Notifications by email (issue 10, section 4): a person who is not connected is mailed one
// digest, in their language, for a burst of notifications; one who is connected and chose
// in_app is not; nothing is mailed in quiet hours.

// sendDigests runs one pass of the digest worker as if it were now.
func (e *testEnv) sendDigests(t *testing.T, now time.Time) int {
	t.Helper()
	n, err := e.stack.notifications.SendDigests(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *testEnv) digestsQueued(to string) int64 {
	return e.outboxCount(`"to" = ? AND kind = 'notification_digest'`, to)
}

// TestTenSharesMakeOneDigestInChinese: ten files shared with an offline person whose language
// is 简体中文 make exactly one email, in Chinese, naming all ten; the notifications are marked
// mailed, so the next pass sends nothing.
func TestTenSharesMakeOneDigestInChinese(t *testing.T) {
	e := newTestEnv(t)
	tag := uuid.NewString()[:8]
	o := e.mustFilesOrg("Digest"+tag, "o-"+tag+"@digest.example")
	addr := "li-" + tag + "@digest.example"
	li, liID := e.member(o, addr)
	li.must(200, "PATCH", "/api/v1/me", map[string]any{"locale": "zh-CN"})
	personal := spaceOf(t, o.c, o.orgID, "personal")
	var names []string
	for i := range 10 {
		name := fmt.Sprintf("报告-%d.pdf", i+1)
		names = append(names, name)
		id := mustUpload(t, o.c, o.orgID, personal, "", name, []byte("r"))["id"].(string)
		o.mustShare(o.c, "file", id, "user", liID, "viewer")
	}
	e.waitDispatched(t)

	// Not yet due: the delay gives Li time to read them in the app.
	if n := e.sendDigests(t, time.Now()); n != 0 || e.digestsQueued(addr) != 0 {
		t.Fatalf("mailed before the delay: %d", n)
	}
	later := time.Now().Add(e.stack.cfg.Notifications.DigestDelay + time.Minute)
	if n := e.sendDigests(t, later); n != 1 {
		t.Fatalf("digests queued: %d, want 1", n)
	}
	e.mustSendMail()
	msgs := mailTo(t, addr)
	if len(msgs) != 1 {
		t.Fatalf("%d emails, want one digest: %+v", len(msgs), msgs)
	}
	m := msgs[0]
	if m.Subject != "Canopy 有 10 条新通知" || !strings.Contains(m.Text, "与您共享了") || !strings.Contains(m.HTML, `lang="zh-CN"`) {
		t.Fatalf("not a Chinese digest: %q\n%s", m.Subject, m.Text)
	}
	for _, name := range names {
		if !strings.Contains(m.Text, name) || !strings.Contains(m.HTML, name) {
			t.Fatalf("the digest does not name %s:\n%s", name, m.Text)
		}
	}
	var pending int64
	e.stack.db.Raw(`SELECT count(*) FROM notifications WHERE user_id = ? AND emailed_at IS NULL`, liID).Scan(&pending)
	if pending != 0 {
		t.Fatalf("%d notifications not marked mailed", pending)
	}
	if n := e.sendDigests(t, later.Add(time.Hour)); n != 0 || e.digestsQueued(addr) != 1 {
		t.Fatalf("a second pass mailed again: %d", n)
	}
}

// TestConnectedInAppPersonIsNotMailed: a person with a WebSocket open and channel in_app gets
// no email, while one who chose email does although connected; once the first disconnects,
// the next pass mails them.
func TestConnectedInAppPersonIsNotMailed(t *testing.T) {
	e := newTestEnv(t, func(c *config.Config) { c.Notifications.DigestDelay = 0 })
	tag := uuid.NewString()[:8]
	o := e.mustFilesOrg("Online"+tag, "o-"+tag+"@online.example")
	inAppAddr, emailAddr := "inapp-"+tag+"@online.example", "email-"+tag+"@online.example"
	inApp, inAppID := e.member(o, inAppAddr)
	byEmail, byEmailID := e.member(o, emailAddr)
	byEmail.must(200, "PUT", o.org("/notification-preferences"), map[string]any{
		"channels": []any{map[string]any{"kind": "files.file_shared", "channel": "email"}}})
	c1 := dialEvents(t, inApp, "")
	dialEvents(t, byEmail, "")
	waitUntil(t, func() bool {
		var n int64
		e.stack.db.Raw(`SELECT count(*) FROM presence WHERE user_id IN (?, ?)`, inAppID, byEmailID).Scan(&n)
		return n == 2
	})
	personal := spaceOf(t, o.c, o.orgID, "personal")
	id := mustUpload(t, o.c, o.orgID, personal, "", "plan.txt", []byte("p"))["id"].(string)
	o.mustShare(o.c, "file", id, "user", inAppID, "viewer")
	o.mustShare(o.c, "file", id, "user", byEmailID, "viewer")
	e.waitDispatched(t)

	e.sendDigests(t, time.Now())
	if n := e.digestsQueued(inAppAddr); n != 0 {
		t.Fatalf("a connected in_app person was mailed %d digests", n)
	}
	if n := e.digestsQueued(emailAddr); n != 1 {
		t.Fatalf("the person who chose email got %d digests, want 1", n)
	}

	c1.Close(1000, "bye")
	waitUntil(t, func() bool {
		var n int64
		e.stack.db.Raw(`SELECT count(*) FROM presence WHERE user_id = ?`, inAppID).Scan(&n)
		return n == 0
	})
	e.sendDigests(t, time.Now())
	if n := e.digestsQueued(inAppAddr); n != 1 {
		t.Fatalf("after disconnecting: %d digests, want 1", n)
	}
	e.mustSendMail()
	if msgs := mailTo(t, inAppAddr); len(msgs) != 1 || msgs[0].Subject != "1 new notification in Canopy" || !strings.Contains(msgs[0].Text, "shared plan.txt with you") {
		t.Fatalf("the digest: %+v", msgs)
	}
}

// TestNoDigestInQuietHours: a notification due during the person's quiet hours (22:00 to 07:00
// in Asia/Shanghai) waits until they end.
func TestNoDigestInQuietHours(t *testing.T) {
	e := newTestEnv(t)
	tag := uuid.NewString()[:8]
	o := e.mustFilesOrg("Quiet"+tag, "o-"+tag+"@quiet.example")
	addr := "li-" + tag + "@quiet.example"
	li, liID := e.member(o, addr)
	li.must(200, "PATCH", "/api/v1/me", map[string]any{"time_zone": "Asia/Shanghai"})
	li.must(200, "PUT", o.org("/notification-preferences"), map[string]any{"quiet_hours": map[string]any{"start_minute": 22 * 60, "end_minute": 7 * 60}})
	personal := spaceOf(t, o.c, o.orgID, "personal")
	id := mustUpload(t, o.c, o.orgID, personal, "", "night.txt", []byte("n"))["id"].(string)
	o.mustShare(o.c, "file", id, "user", liID, "viewer")
	e.waitDispatched(t)

	// The first 23:00 in Shanghai after the notification is due.
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	due := time.Now().Add(e.stack.cfg.Notifications.DigestDelay + time.Minute).In(sh)
	night := time.Date(due.Year(), due.Month(), due.Day(), 23, 0, 0, 0, sh)
	if night.Before(due) {
		night = night.Add(24 * time.Hour)
	}
	if n := e.sendDigests(t, night); n != 0 || e.digestsQueued(addr) != 0 {
		t.Fatalf("mailed at 23:00 in quiet hours: %d", n)
	}
	if n := e.sendDigests(t, night.Add(7*time.Hour+59*time.Minute)); n != 0 {
		t.Fatalf("mailed at 06:59 in quiet hours: %d", n)
	}
	if n := e.sendDigests(t, night.Add(8*time.Hour+30*time.Minute)); n != 1 || e.digestsQueued(addr) != 1 {
		t.Fatalf("not mailed at 07:30 after quiet hours: %d", n)
	}
}
