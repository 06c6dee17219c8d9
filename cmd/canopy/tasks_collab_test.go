package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/infra/clock"
	"canopy/infra/postgres"
	pgaccess "canopy/infra/postgres/access"
)

// Comments, mentions, attachments and reminders of tasks (issue 11, sections 5 and 7).

// mustTaskList creates a list as c and returns its id.
func mustTaskList(t *testing.T, c *client, orgID string, body map[string]any) string {
	t.Helper()
	return c.must(201, "POST", "/api/v1/orgs/"+orgID+"/tasklists", body)["id"].(string)
}

// mustTask creates a task in a list as c and returns its id.
func mustTask(t *testing.T, c *client, orgID, listID string, body map[string]any) string {
	t.Helper()
	return c.must(201, "POST", "/api/v1/orgs/"+orgID+"/tasklists/"+listID+"/tasks", body)["id"].(string)
}

// notificationsOf returns a member's notifications of the given type in the organisation.
func notificationsOf(t *testing.T, c *client, orgID, typ string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, it := range c.must(200, "GET", "/api/v1/orgs/"+orgID+"/notifications?limit=200", nil)["items"].([]any) {
		if n := it.(map[string]any); n["type"] == typ {
			out = append(out, n)
		}
	}
	return out
}

// TestCommentMentionsNotifyOnlyWhoTheyMayReach: a mention notifies the mentioned member (in
// their notifications API), the task's assignee is told of the comment, nobody is told twice
// and the author not at all; a mention of someone who cannot see the task, of another
// organisation's user or of a malformed id is a 400 that stores nothing and tells no one;
// comments are sanitised Markdown; only the author edits, and the author or a manager deletes.
func TestCommentMentionsNotifyOnlyWhoTheyMayReach(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Comments", "o@comments.example")
	li, liID := e.member(o, "li@comments.example")
	han, hanID := e.member(o, "han@comments.example")
	zhao, zhaoID := e.member(o, "zhao@comments.example")
	other := e.mustFilesOrg("Elsewhere", "o@elsewhere-comments.example")
	otherID := other.ownerID(t)

	// The owner's own list: only the owner, the assignee Han and the follower Li reach the task.
	list := mustTaskList(t, o.c, o.orgID, map[string]any{"name": "Mine", "owner_kind": "person"})
	task := mustTask(t, o.c, o.orgID, list, map[string]any{"title": "季度报告", "assignee_ids": []string{hanID}, "follower_ids": []string{liID}})
	comments := o.org("/tasks/" + task + "/comments")

	for name, c := range map[string]struct {
		mentions []string
		code     string
	}{
		"a member who cannot see the task": {[]string{zhaoID}, "mention_no_access"},
		"another organisation's user":      {[]string{otherID}, "unknown_member"},
		"an id of nobody":                  {[]string{uuid.NewString()}, "unknown_member"},
		"not an id":                        {[]string{"li"}, "unknown_member"},
		"a reachable and an unreachable":   {[]string{liID, zhaoID}, "mention_no_access"},
	} {
		r := o.c.do("POST", comments, map[string]any{"body": "look", "mention_ids": c.mentions})
		if r.status != 400 || r.errorCode(t) != c.code {
			t.Fatalf("mentioning %s: %d %s, want 400 %s", name, r.status, r.body, c.code)
		}
	}
	if got := o.c.must(200, "GET", comments, nil); got["total"] != float64(0) {
		t.Fatalf("a refused comment was stored: %v", got)
	}

	created := o.c.must(201, "POST", comments, map[string]any{
		"body": "Please **review** <script>alert(1)</script> [x](javascript:alert(1))", "mention_ids": []string{liID, liID}})
	html := created["body_html"].(string)
	if !strings.Contains(html, "<strong>review</strong>") || strings.Contains(html, "<script") || strings.Contains(html, "javascript:") {
		t.Fatalf("body_html = %q", html)
	}
	ms := created["mentions"].([]any)
	if len(ms) != 1 || ms[0].(map[string]any)["id"] != liID || ms[0].(map[string]any)["name"] != "Person li@comments.example" {
		t.Fatalf("mentions = %v", ms)
	}
	if created["author"].(map[string]any)["id"] != o.ownerID(t) || created["edited_at"] != nil {
		t.Fatalf("comment = %v", created)
	}
	e.waitDispatched(t)

	// Li, mentioned (and a follower), is told once: of the mention.
	mentioned := notificationsOf(t, li, o.orgID, "tasks.mentioned")
	if len(mentioned) != 1 || len(notificationsOf(t, li, o.orgID, "tasks.comment_added")) != 0 {
		t.Fatalf("Li's notifications: %v", li.must(200, "GET", o.org("/notifications"), nil))
	}
	n := mentioned[0]
	p := n["payload"].(map[string]any)
	if n["subject_type"] != "task" || n["subject_id"] != task || p["title"] != "季度报告" || p["list_id"] != list ||
		!strings.HasPrefix(p["excerpt"].(string), "Please **review**") || p["actor_name"] != "Owner of Comments" {
		t.Fatalf("the mention: %v", n)
	}
	// Han, the assignee, is told of the comment; Zhao, who was refused, of nothing; nor the author.
	if got := notificationsOf(t, han, o.orgID, "tasks.comment_added"); len(got) != 1 || len(notificationsOf(t, han, o.orgID, "tasks.mentioned")) != 0 {
		t.Fatalf("Han's notifications: %v", han.must(200, "GET", o.org("/notifications"), nil))
	}
	for who, c := range map[string]*client{"Zhao": zhao, "the author": o.c} {
		for _, typ := range []string{"tasks.mentioned", "tasks.comment_added"} {
			if got := notificationsOf(t, c, o.orgID, typ); len(got) != 0 {
				t.Fatalf("%s was told %s: %v", who, typ, got)
			}
		}
	}
	if got := other.c.must(200, "GET", other.org("/notifications"), nil); got["total"] != float64(0) {
		t.Fatalf("the other organisation's user was told: %v", got)
	}

	// The history records it; the readers see it, Zhao does not (404 as for a missing task).
	act := o.c.must(200, "GET", o.org("/tasks/"+task+"/activity"), nil)["items"].([]any)
	if act[0].(map[string]any)["action"] != "commented" {
		t.Fatalf("activity: %v", act)
	}
	if got := li.must(200, "GET", comments, nil); got["total"] != float64(1) {
		t.Fatalf("Li's view: %v", got)
	}
	if r := zhao.do("GET", comments, nil); r.status != 404 {
		t.Fatalf("Zhao reads the comments: %d %s", r.status, r.body)
	}

	// Editing is the author's alone; deleting the author's or a manager's.
	id := created["id"].(string)
	if r := han.do("PATCH", comments+"/"+id, map[string]any{"body": "mine now"}); r.status != 403 {
		t.Fatalf("Han edits the owner's comment: %d %s", r.status, r.body)
	}
	edited := o.c.must(200, "PATCH", comments+"/"+id, map[string]any{"body": "Please _review_"})
	if edited["body"] != "Please _review_" || edited["edited_at"] == nil || !strings.Contains(edited["body_html"].(string), "<em>review</em>") {
		t.Fatalf("edited: %v", edited)
	}
	hans := han.must(201, "POST", comments, map[string]any{"body": "On it"})["id"].(string)
	if r := han.do("DELETE", comments+"/"+id, nil); r.status != 403 {
		t.Fatalf("Han deletes the owner's comment: %d %s", r.status, r.body)
	}
	o.c.must(204, "DELETE", comments+"/"+hans, nil) // the list's manager
	han.must(404, "DELETE", comments+"/"+hans, nil)
	if got := o.c.must(200, "GET", comments, nil); got["total"] != float64(1) {
		t.Fatalf("after the delete: %v", got)
	}
	// A comment id of another task answers 404.
	task2 := mustTask(t, o.c, o.orgID, list, map[string]any{"title": "Other"})
	o.c.must(404, "PATCH", o.org("/tasks/"+task2+"/comments/"+id), map[string]any{"body": "x"})
	o.c.must(400, "POST", comments, map[string]any{"body": strings.Repeat("x", 16<<10+1)})
	o.c.must(400, "POST", comments, map[string]any{"body": "   "})
}

// TestAttachmentsNeedTheFileToBeReadable: a member who can write a task but not read a file gets
// 404 for attaching it, exactly as for a missing file, and nothing is stored; a readable file is
// linked with its name, size and type, and the listing names the list owner's space to upload
// into.
func TestAttachmentsNeedTheFileToBeReadable(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Attach", "o@attach.example")
	li, _ := e.member(o, "li@attach.example")
	other := e.mustFilesOrg("Elsewhere", "o@elsewhere-attach.example")

	list := mustTaskList(t, o.c, o.orgID, map[string]any{"name": "Everyone", "owner_kind": "organisation"})
	task := mustTask(t, li, o.orgID, list, map[string]any{"title": "Budget"})
	atts := o.org("/tasks/" + task + "/attachments")
	private := mustUpload(t, o.c, o.orgID, spaceOf(t, o.c, o.orgID, "personal"), "", "salaries.xlsx", []byte("secret"))["id"].(string)
	orgSpace := spaceOf(t, li, o.orgID, "organisation")
	shared := mustUpload(t, li, o.orgID, orgSpace, "", "预算.pdf", []byte("%PDF-1.4 budget"))["id"].(string)
	foreign := mustUpload(t, other.c, other.orgID, spaceOf(t, other.c, other.orgID, "personal"), "", "theirs.txt", []byte("theirs"))["id"].(string)

	for name, id := range map[string]string{"a file Li cannot read": private, "another organisation's file": foreign, "no file": uuid.NewString()} {
		if r := li.do("POST", atts, map[string]any{"file_id": id}); r.status != 404 {
			t.Fatalf("attaching %s: %d %s", name, r.status, r.body)
		}
	}
	if got := li.must(200, "GET", atts, nil); got["total"] != float64(0) || got["space_id"] != orgSpace {
		t.Fatalf("after the refusals: %v", got)
	}
	var n int64
	e.stack.db.Raw(`SELECT count(*) FROM task_attachments`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d attachments stored", n)
	}

	a := li.must(201, "POST", atts, map[string]any{"file_id": shared})
	if a["file_id"] != shared || a["name"] != "预算.pdf" || a["size"] != float64(len("%PDF-1.4 budget")) || a["content_type"] == "" ||
		a["added_by"].(map[string]any)["name"] != "Person li@attach.example" {
		t.Fatalf("attachment: %v", a)
	}
	if r := li.do("POST", atts, map[string]any{"file_id": shared}); r.status != 409 || r.errorCode(t) != "already_attached" {
		t.Fatalf("twice: %d %s", r.status, r.body)
	}
	// The owner may read the private file, so may link it; Li then sees it listed.
	o.c.must(201, "POST", atts, map[string]any{"file_id": private})
	got := li.must(200, "GET", atts, nil)
	if got["total"] != float64(2) || got["items"].([]any)[0].(map[string]any)["file_id"] != shared {
		t.Fatalf("listing: %v", got)
	}
	act := li.must(200, "GET", o.org("/tasks/"+task+"/activity"), nil)["items"].([]any)
	if act[0].(map[string]any)["action"] != "attachment_added" {
		t.Fatalf("activity: %v", act)
	}
	li.must(204, "DELETE", atts+"/"+shared, nil)
	li.must(404, "DELETE", atts+"/"+shared, nil)
	if got := li.must(200, "GET", atts, nil); got["total"] != float64(1) {
		t.Fatalf("after the removal: %v", got)
	}
	// The file itself stays in the files module.
	li.must(200, "GET", o.org("/files/"+shared), nil)
}

// secondTasksService is another tasks service on its own connection pool to the same database:
// what a second replica runs.
func secondTasksService(t *testing.T, e *testEnv) interface {
	SendReminders(ctx context.Context, limit int) (int, error)
	SendOverdue(ctx context.Context, limit int) (int, error)
} {
	t.Helper()
	db, err := postgres.Open(e.stack.cfg.Database.URL, postgres.Options{MaxOpenConns: 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = postgres.SQL(db).Close() })
	return tasksService(db, postgres.NewTxManager(db), clock.System{}, e.stack.authz, pgaccess.NewAuditLog(db), e.stack.files)
}

// race runs send on both services from several goroutines at once, until none finds anything
// left, and returns how many notices they published between them.
func race(t *testing.T, sends ...func(ctx context.Context, limit int) (int, error)) int {
	t.Helper()
	var mu sync.Mutex
	total := 0
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 8 {
		send := sends[i%len(sends)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for {
				n, err := send(context.Background(), 3)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				total += n
				mu.Unlock()
				if n == 0 {
					return
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	return total
}

// TestReminderSentExactlyOnceAcrossReplicas: two replicas' services racing to send the same due
// reminders and overdue notices send each exactly once: one event, one notification, to the
// person who set the reminder (due soon) or to the assignees, else the creator (overdue).
func TestReminderSentExactlyOnceAcrossReplicas(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Remind", "o@remind.example")
	li, liID := e.member(o, "li@remind.example")
	replica := secondTasksService(t, e)
	list := mustTaskList(t, o.c, o.orgID, map[string]any{"name": "Everyone", "owner_kind": "organisation"})
	now := time.Now().UTC()

	// Twelve tasks due in half an hour, each with Li's reminders an hour and two hours before
	// (both due now: one notice per task), and one task due in three hours (not yet).
	const soon = 12
	var dueSoon []string
	for i := range soon {
		id := mustTask(t, o.c, o.orgID, list, map[string]any{"title": "Soon " + string(rune('A'+i)),
			"due_at": now.Add(30 * time.Minute).Format(time.RFC3339), "due_tz": "Asia/Shanghai"})
		got := li.must(200, "PUT", o.org("/tasks/"+id+"/reminders"), map[string]any{"offsets_minutes": []int{120, 60, 60}})
		if offs := got["offsets_minutes"].([]any); len(offs) != 2 || offs[0] != float64(60) {
			t.Fatalf("reminders: %v", got)
		}
		dueSoon = append(dueSoon, id)
	}
	later := mustTask(t, o.c, o.orgID, list, map[string]any{"title": "Later", "due_at": now.Add(3 * time.Hour).Format(time.RFC3339), "due_tz": "Asia/Shanghai"})
	li.must(200, "PUT", o.org("/tasks/"+later+"/reminders"), map[string]any{"offsets_minutes": []int{60}})
	if got := o.c.must(200, "GET", o.org("/tasks/"+later+"/reminders"), nil); len(got["offsets_minutes"].([]any)) != 0 {
		t.Fatalf("the owner sees Li's reminders: %v", got)
	}

	// Overdue: five tasks assigned to Li, two unassigned (their creator, the owner, is told).
	var overdue []string
	for i := range 7 {
		body := map[string]any{"title": "Late " + string(rune('A'+i)), "due_at": now.Add(-time.Minute).Format(time.RFC3339), "due_tz": "Europe/Berlin"}
		if i < 5 {
			body["assignee_ids"] = []string{liID}
		}
		overdue = append(overdue, mustTask(t, o.c, o.orgID, list, body))
	}

	if sent := race(t, e.stack.tasks.SendReminders, replica.SendReminders); sent != soon {
		t.Fatalf("%d reminders sent, want %d", sent, soon)
	}
	if sent := race(t, e.stack.tasks.SendOverdue, replica.SendOverdue); sent != len(overdue) {
		t.Fatalf("%d overdue notices sent, want %d", sent, len(overdue))
	}
	// Another pass of each finds nothing more.
	for _, send := range []func(context.Context, int) (int, error){e.stack.tasks.SendReminders, replica.SendReminders, e.stack.tasks.SendOverdue, replica.SendOverdue} {
		if n, err := send(context.Background(), 100); err != nil || n != 0 {
			t.Fatalf("a later pass sent %d (%v)", n, err)
		}
	}
	e.waitDispatched(t)

	perSubject := func(typ string) map[string]int {
		var rows []struct {
			SubjectID string
			N         int
		}
		e.stack.db.Raw(`SELECT subject_id::text AS subject_id, count(*) AS n FROM events WHERE type = ? GROUP BY subject_id`, typ).Scan(&rows)
		m := map[string]int{}
		for _, r := range rows {
			m[r.SubjectID] = r.N
		}
		return m
	}
	events := perSubject("tasks.task_due_soon")
	for _, id := range dueSoon {
		if events[id] != 1 {
			t.Errorf("task %s: %d due-soon events", id, events[id])
		}
	}
	if len(events) != soon {
		t.Errorf("due-soon events for %d tasks, want %d", len(events), soon)
	}
	got := notificationsOf(t, li, o.orgID, "tasks.task_due_soon")
	if len(got) != soon {
		t.Fatalf("Li has %d due-soon notifications, want %d", len(got), soon)
	}
	p := got[0]["payload"].(map[string]any)
	if !strings.HasPrefix(p["title"].(string), "Soon ") || p["list_id"] != list || p["due_at"] == nil || got[0]["actor_id"] != nil {
		t.Fatalf("the notice: %v", got[0])
	}
	if n := notificationsOf(t, o.c, o.orgID, "tasks.task_due_soon"); len(n) != 0 {
		t.Fatalf("the owner, who set no reminder, was told: %v", n)
	}

	overdueEvents := perSubject("tasks.task_overdue")
	for _, id := range overdue {
		if overdueEvents[id] != 1 {
			t.Errorf("task %s: %d overdue events", id, overdueEvents[id])
		}
	}
	if n := notificationsOf(t, li, o.orgID, "tasks.task_overdue"); len(n) != 5 {
		t.Fatalf("Li has %d overdue notices, want 5", len(n))
	}
	if n := notificationsOf(t, o.c, o.orgID, "tasks.task_overdue"); len(n) != 2 {
		t.Fatalf("the creator has %d overdue notices, want 2", len(n))
	}

	// A new due time arms the reminder again: sent once more, for the new time.
	o.c.must(200, "PATCH", o.org("/tasks/"+dueSoon[0]), map[string]any{"due_at": now.Add(40 * time.Minute).Format(time.RFC3339), "due_tz": "Asia/Shanghai"})
	if sent := race(t, e.stack.tasks.SendReminders, replica.SendReminders); sent != 1 {
		t.Fatalf("after the due time moved: %d sent, want 1", sent)
	}
	// Completing a task stops its notices.
	o.c.must(200, "PATCH", o.org("/tasks/"+dueSoon[1]), map[string]any{"due_at": now.Add(45 * time.Minute).Format(time.RFC3339), "due_tz": "Asia/Shanghai"})
	o.c.must(200, "POST", o.org("/tasks/"+dueSoon[1]+"/complete"), map[string]any{})
	if n, err := e.stack.tasks.SendReminders(context.Background(), 100); err != nil || n != 0 {
		t.Fatalf("a done task's reminder: %d (%v)", n, err)
	}
	// Reminder input is checked.
	for _, bad := range []map[string]any{{"offsets_minutes": []int{-1}}, {"offsets_minutes": []int{43201}}, {"offsets_minutes": []int{1, 2, 3, 4, 5, 6}}, {}} {
		if r := li.do("PUT", o.org("/tasks/"+later+"/reminders"), bad); r.status != 400 {
			t.Fatalf("reminders %v: %d %s", bad, r.status, r.body)
		}
	}
}

// TestRemindersFollowTheNextOccurrence: completing an occurrence of a repeating task gives the
// next one the reminders everyone had set, each person's their own.
func TestRemindersFollowTheNextOccurrence(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Repeat", "o@repeat.example")
	li, _ := e.member(o, "li@repeat.example")
	list := mustTaskList(t, o.c, o.orgID, map[string]any{"name": "Everyone", "owner_kind": "organisation"})
	due := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Minute)
	task := mustTask(t, o.c, o.orgID, list, map[string]any{"title": "Stand-up", "due_at": due.Format(time.RFC3339), "due_tz": "Europe/Berlin", "rrule": "FREQ=DAILY"})
	li.must(200, "PUT", o.org("/tasks/"+task+"/reminders"), map[string]any{"offsets_minutes": []int{15, 60}})
	o.c.must(200, "PUT", o.org("/tasks/"+task+"/reminders"), map[string]any{"offsets_minutes": []int{0}})
	done := o.c.must(200, "POST", o.org("/tasks/"+task+"/complete"), map[string]any{})
	next := done["next"].(map[string]any)["id"].(string)
	if got := li.must(200, "GET", o.org("/tasks/"+next+"/reminders"), nil)["offsets_minutes"].([]any); len(got) != 2 || got[0] != float64(15) || got[1] != float64(60) {
		t.Fatalf("Li's reminders on the next occurrence: %v", got)
	}
	if got := o.c.must(200, "GET", o.org("/tasks/"+next+"/reminders"), nil)["offsets_minutes"].([]any); len(got) != 1 || got[0] != float64(0) {
		t.Fatalf("the owner's reminders on the next occurrence: %v", got)
	}
}
