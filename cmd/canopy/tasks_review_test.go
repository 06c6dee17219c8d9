package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// A hostile review of the tasks module (issue 11): what a stranger, a member without access to
// a list, a guest, someone a single task is shared with, an assignee, a department admin of
// another subtree and a narrowed token can make each route do.

// tkNoLeak fails when a response carries a secret it must not.
func tkNoLeak(t *testing.T, what string, r response, secret string) {
	t.Helper()
	if strings.Contains(string(r.body), secret) {
		t.Errorf("%s leaks %q: %d %s", what, secret, r.status, r.body)
	}
}

// TestTaskReviewBlockerTitlesStayHidden: a dependency on a task of a list Bob cannot see does
// not show him that task's title: not on the card, not in the history, not in the 409 of a
// completion, not through the blocker's own routes, and a dependency he tries on it is a 404.
func TestTaskReviewBlockerTitlesStayHidden(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Blockers", "owner@blockers.example")
	alice, _ := e.mustJoin(d.mustInvite(nil), "alice@blockers.example")
	bob, _ := e.mustJoin(d.mustInvite(nil), "bob@blockers.example")
	const secret = "Acquire Initech quietly"
	private := tkList(t, alice, d, map[string]any{"name": "Alice's", "owner_kind": "person"})["id"].(string)
	s := tkTask(t, alice, d, private, map[string]any{"title": secret})["id"].(string)
	everyone := tkList(t, d.c, d, map[string]any{"name": "Everyone", "owner_kind": "organisation"})["id"].(string)
	task := tkTask(t, d.c, d, everyone, map[string]any{"title": "Public work"})["id"].(string)
	alice.must(201, "POST", d.org("/tasks/"+task+"/dependencies"), map[string]any{"blocked_by_id": s})

	got := bob.do("GET", d.org("/tasks/"+task), nil)
	if got.status != 200 || len(got.json(t)["blocked_by"].([]any)) != 0 {
		t.Errorf("the card as Bob: %d %s", got.status, got.body)
	}
	tkNoLeak(t, "the card", got, secret)
	tkNoLeak(t, "the list's tasks", bob.do("GET", d.org("/tasklists/"+everyone+"/tasks"), nil), secret)
	tkNoLeak(t, "the history", bob.do("GET", d.org("/tasks/"+task+"/activity"), nil), secret)
	done := bob.do("POST", d.org("/tasks/"+task+"/complete"), map[string]any{})
	if done.status != 409 || done.errorCode(t) != "task_blocked" {
		t.Errorf("completing the blocked task: %d %s", done.status, done.body)
	}
	tkNoLeak(t, "the completion's 409", done, secret)
	for name, r := range map[string]response{
		"the blocker":               bob.do("GET", d.org("/tasks/"+s), nil),
		"what the blocker blocks":   bob.do("GET", d.org("/tasks/"+s+"/blocking"), nil),
		"a dependency on it":        bob.do("POST", d.org("/tasks/"+task+"/dependencies"), map[string]any{"blocked_by_id": s}),
		"the blocker's history":     bob.do("GET", d.org("/tasks/"+s+"/activity"), nil),
		"the blocker's comments":    bob.do("GET", d.org("/tasks/"+s+"/comments"), nil),
		"the blocker's attachments": bob.do("GET", d.org("/tasks/"+s+"/attachments"), nil),
	} {
		wantCode(t, "Bob: "+name, r, 404, "not_found")
		tkNoLeak(t, "Bob: "+name, r, secret)
	}
	if r := bob.do("GET", d.org("/me/tasks?view=created&status=all"), nil); r.status != 200 {
		t.Errorf("created by me: %d %s", r.status, r.body)
	} else {
		tkNoLeak(t, "created by me", r, secret)
	}
	// Alice still sees her blocker, and completes only with force.
	if got := alice.must(200, "GET", d.org("/tasks/"+task), nil); len(got["blocked_by"].([]any)) != 1 {
		t.Errorf("the card as Alice: %v", got)
	}
	if r := alice.do("POST", d.org("/tasks/"+task+"/complete"), map[string]any{}); r.status != 409 || !strings.Contains(string(r.body), secret) {
		t.Errorf("Alice completes: %d %s", r.status, r.body)
	}
	if n := e.tkCount(t, `SELECT count(*) FROM tasks WHERE status = 'done'`); n != 0 {
		t.Fatalf("%d tasks done after refused completions", n)
	}
}

// TestTaskReviewSharesGrantNoMoreThanHeld: nobody gives more than they hold, and nobody shares
// with a principal of another organisation.
func TestTaskReviewSharesGrantNoMoreThanHeld(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Grants", "owner@grants.example")
	other := e.mustDir("Elsewhere", "owner@elsewhere-grants.example")
	_, outsiderID := e.mustJoin(other.mustInvite(nil), "outsider@elsewhere-grants.example")
	otherGroup := other.c.must(201, "POST", other.admin("/groups"), map[string]any{"name": "Theirs"})["id"].(string)
	otherDept := other.mustDept("", "Their dept")
	viewer, viewerID := e.mustJoin(d.mustInvite(nil), "viewer@grants.example")
	editor, editorID := e.mustJoin(d.mustInvite(nil), "editor@grants.example")
	_, carolID := e.mustJoin(d.mustInvite(nil), "carol@grants.example")
	l := tkList(t, d.c, d, map[string]any{"name": "Owner's", "owner_kind": "person"})["id"].(string)
	task := tkTask(t, d.c, d, l, map[string]any{"title": "T"})["id"].(string)
	d.c.must(200, "PUT", d.org("/tasklists/"+l+"/shares"), map[string]any{"principal_type": "user", "principal_id": viewerID, "role": "viewer"})
	d.c.must(200, "PUT", d.org("/tasklists/"+l+"/shares"), map[string]any{"principal_type": "user", "principal_id": editorID, "role": "editor"})
	listShares, taskShares := e.tkCount(t, `SELECT count(*) FROM task_list_shares`), e.tkCount(t, `SELECT count(*) FROM task_shares`)

	for _, c := range []struct {
		who  string
		c    *client
		role string
	}{{"a list viewer", viewer, "editor"}, {"a list viewer", viewer, "viewer"}, {"a list editor", editor, "manager"}, {"a list editor", editor, "viewer"}} {
		wantCode(t, c.who+" shares the list as "+c.role, c.c.do("PUT", d.org("/tasklists/"+l+"/shares"),
			map[string]any{"principal_type": "user", "principal_id": carolID, "role": c.role}), 403, "forbidden")
	}
	wantCode(t, "a list viewer raises their own share", viewer.do("PUT", d.org("/tasklists/"+l+"/shares"),
		map[string]any{"principal_type": "user", "principal_id": viewerID, "role": "manager"}), 403, "forbidden")
	wantCode(t, "a list viewer shares a task", viewer.do("PUT", d.org("/tasks/"+task+"/shares"),
		map[string]any{"principal_type": "user", "principal_id": carolID, "role": "viewer"}), 403, "forbidden")
	wantCode(t, "a list viewer unshares the editor", viewer.do("DELETE", d.org("/tasklists/"+l+"/shares/user/"+editorID), nil), 403, "forbidden")
	wantCode(t, "a list editor shares a task as manager", editor.do("PUT", d.org("/tasks/"+task+"/shares"),
		map[string]any{"principal_type": "user", "principal_id": carolID, "role": "manager"}), 400, "invalid_role")
	wantCode(t, "a task shared with a department", editor.do("PUT", d.org("/tasks/"+task+"/shares"),
		map[string]any{"principal_type": "department", "principal_id": otherDept, "role": "viewer"}), 400, "invalid_principal")
	for _, p := range []struct{ typ, id string }{{"user", outsiderID}, {"group", otherGroup}, {"department", otherDept}} {
		r := d.c.do("PUT", d.org("/tasklists/"+l+"/shares"), map[string]any{"principal_type": p.typ, "principal_id": p.id, "role": "viewer"})
		if r.status != 404 {
			t.Errorf("sharing the list with another organisation's %s: %d %s", p.typ, r.status, r.body)
		}
		if p.typ == "department" {
			continue
		}
		if r := d.c.do("PUT", d.org("/tasks/"+task+"/shares"), map[string]any{"principal_type": p.typ, "principal_id": p.id, "role": "viewer"}); r.status != 404 {
			t.Errorf("sharing the task with another organisation's %s: %d %s", p.typ, r.status, r.body)
		}
	}
	if a, b := e.tkCount(t, `SELECT count(*) FROM task_list_shares`), e.tkCount(t, `SELECT count(*) FROM task_shares`); a != listShares || b != taskShares {
		t.Fatalf("shares after refusals: %d list, %d task; want %d, %d", a, b, listShares, taskShares)
	}
}

// TestTaskReviewReferencesStayInTheirList: sections, parents, siblings and labels of another
// list or organisation, or of a list one cannot see, are refused and change nothing.
func TestTaskReviewReferencesStayInTheirList(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Refs", "owner@refs.example")
	other := e.mustDir("Refs elsewhere", "owner@refs-elsewhere.example")
	member, _ := e.mustJoin(d.mustInvite(nil), "member@refs.example")
	theirList := tkList(t, other.c, other, map[string]any{"name": "Theirs", "owner_kind": "person"})
	theirTask := tkTask(t, other.c, other, theirList["id"].(string), map[string]any{"title": "Theirs"})["id"].(string)
	private := tkList(t, d.c, d, map[string]any{"name": "Owner's", "owner_kind": "person"})
	privateTask := tkTask(t, d.c, d, private["id"].(string), map[string]any{"title": "Hidden"})["id"].(string)
	privateLabel := d.c.must(201, "POST", d.org("/tasklists/"+private["id"].(string)+"/labels"), map[string]any{"name": "x", "color": "red"})["id"].(string)
	everyone := tkList(t, d.c, d, map[string]any{"name": "Everyone", "owner_kind": "organisation"})
	listID := everyone["id"].(string)
	task := tkTask(t, member, d, listID, map[string]any{"title": "Mine"})
	taskID := task["id"].(string)
	before := e.tkCount(t, `SELECT count(*) FROM tasks`)
	for _, c := range []struct {
		what   string
		r      response
		status int
		code   string
	}{
		{"a section of another organisation", member.do("POST", d.org("/tasks/"+taskID+"/move"), map[string]any{"section_id": tkSections(theirList)[0]}), 400, "unknown_section"},
		{"a section of a hidden list, on update", member.do("PATCH", d.org("/tasks/"+taskID), map[string]any{"section_id": tkSections(private)[0]}), 400, "unknown_section"},
		{"a section of a hidden list, on create", member.do("POST", d.org("/tasklists/"+listID+"/tasks"), map[string]any{"title": "x", "section_id": tkSections(private)[0]}), 400, "unknown_section"},
		{"after a task of a hidden list", member.do("POST", d.org("/tasks/"+taskID+"/move"), map[string]any{"after_id": privateTask}), 400, "unknown_task"},
		{"after a task of another organisation", member.do("POST", d.org("/tasklists/"+listID+"/tasks"), map[string]any{"title": "x", "after_id": theirTask}), 400, "unknown_task"},
		{"a parent in a hidden list", member.do("POST", d.org("/tasklists/"+listID+"/tasks"), map[string]any{"title": "x", "parent_id": privateTask}), 404, "not_found"},
		{"a parent in a hidden list, through its own list", member.do("POST", d.org("/tasklists/"+private["id"].(string)+"/tasks"), map[string]any{"title": "x", "parent_id": privateTask}), 404, "not_found"},
		{"a parent of another organisation", member.do("POST", d.org("/tasklists/"+listID+"/tasks"), map[string]any{"title": "x", "parent_id": theirTask}), 404, "not_found"},
		{"a label of a hidden list", member.do("PATCH", d.org("/tasks/"+taskID), map[string]any{"label_ids": []string{privateLabel}}), 400, "unknown_label"},
		{"a dependency on a hidden task", member.do("POST", d.org("/tasks/"+taskID+"/dependencies"), map[string]any{"blocked_by_id": privateTask}), 404, "not_found"},
		{"a dependency on itself", member.do("POST", d.org("/tasks/"+taskID+"/dependencies"), map[string]any{"blocked_by_id": taskID}), 409, "dependency_cycle"},
		{"subtasks of a hidden task through the list's listing", member.do("GET", d.org("/tasklists/"+listID+"/tasks?parent_id="+privateTask), nil), 404, "not_found"},
	} {
		wantCode(t, c.what, c.r, c.status, c.code)
	}
	if n := e.tkCount(t, `SELECT count(*) FROM tasks`); n != before {
		t.Fatalf("%d tasks, want %d", n, before)
	}
	got := member.must(200, "GET", d.org("/tasks/"+taskID), nil)
	if got["section_id"] != task["section_id"] || got["rank"] != task["rank"] || len(got["labels"].([]any)) != 0 || len(got["blocked_by"].([]any)) != 0 {
		t.Fatalf("the task changed: %v", got)
	}
}

// TestTaskReviewAssignmentReachesOnlyActiveMembers: an assignment or a follow gives access, so
// it is refused for a deactivated member and another organisation's user alike, and a mention
// by someone a task is shared with as viewer shows it to no one new.
func TestTaskReviewAssignmentReachesOnlyActiveMembers(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Assign", "owner@assign.example")
	other := e.mustDir("Assign elsewhere", "owner@assign-elsewhere.example")
	_, outsiderID := e.mustJoin(other.mustInvite(nil), "outsider@assign-elsewhere.example")
	_, goneID := e.mustJoin(d.mustInvite(nil), "gone@assign.example")
	viewer, viewerID := e.mustJoin(d.mustInvite(nil), "viewer@assign.example")
	_, carolID := e.mustJoin(d.mustInvite(nil), "carol@assign.example")
	d.c.must(200, "POST", d.org("/members/"+goneID+"/deactivate"), nil)
	l := tkList(t, d.c, d, map[string]any{"name": "Owner's", "owner_kind": "person"})["id"].(string)
	task := tkTask(t, d.c, d, l, map[string]any{"title": "Private plan"})["id"].(string)
	for _, who := range []struct{ name, id string }{{"a deactivated member", goneID}, {"another organisation's user", outsiderID}} {
		for _, field := range []string{"assignee_ids", "follower_ids"} {
			wantCode(t, field+": "+who.name, d.c.do("PATCH", d.org("/tasks/"+task), map[string]any{field: []string{who.id}}), 400, "unknown_member")
			wantCode(t, field+" on create: "+who.name, d.c.do("POST", d.org("/tasklists/"+l+"/tasks"), map[string]any{"title": "x", field: []string{who.id}}), 400, "unknown_member")
		}
	}
	if n := e.tkCount(t, `SELECT count(*) FROM task_assignees`) + e.tkCount(t, `SELECT count(*) FROM task_followers`); n != 0 {
		t.Fatalf("%d assignees and followers after refusals", n)
	}
	// A viewer of the single task comments, but cannot show it to Carol by a mention.
	d.c.must(200, "PUT", d.org("/tasks/"+task+"/shares"), map[string]any{"principal_type": "user", "principal_id": viewerID, "role": "viewer"})
	viewer.must(201, "POST", d.org("/tasks/"+task+"/comments"), map[string]any{"body": "seen"})
	wantCode(t, "a viewer mentions Carol", viewer.do("POST", d.org("/tasks/"+task+"/comments"), map[string]any{"body": "look", "mention_ids": []string{carolID}}), 400, "mention_no_access")
	wantCode(t, "a viewer assigns Carol", viewer.do("PATCH", d.org("/tasks/"+task), map[string]any{"assignee_ids": []string{carolID}}), 403, "forbidden")
	wantCode(t, "a viewer makes Carol follow", viewer.do("PATCH", d.org("/tasks/"+task), map[string]any{"follower_ids": []string{carolID}}), 403, "forbidden")
	wantCode(t, "a viewer deletes the task", viewer.do("DELETE", d.org("/tasks/"+task), nil), 403, "forbidden")
	sub := tkTask(t, d.c, d, l, map[string]any{"title": "Sub", "parent_id": task})["id"].(string)
	d.c.must(204, "DELETE", d.org("/tasks/"+sub), nil)
	wantCode(t, "a viewer restores a deleted subtask", viewer.do("POST", d.org("/tasks/"+sub+"/restore"), nil), 404, "not_found")
	if n := e.tkCount(t, `SELECT count(*) FROM task_comments`); n != 1 {
		t.Fatalf("%d comments, want 1", n)
	}
}

// TestTaskReviewRecurringTaskSharedAlone: someone a repeating task is shared with as editor
// completes an occurrence: the answer is the completion with the next occurrence, which they
// may still work on (the share goes with the series, as assignees and followers do).
func TestTaskReviewRecurringTaskSharedAlone(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Series", "owner@series.example")
	bob, bobID := e.mustJoin(d.mustInvite(nil), "bob@series.example")
	l := tkList(t, d.c, d, map[string]any{"name": "Owner's", "owner_kind": "person"})["id"].(string)
	task := tkTask(t, d.c, d, l, map[string]any{"title": "Weekly check", "due_at": "2026-03-23T01:00:00Z", "due_tz": "Asia/Shanghai",
		"rrule": "FREQ=WEEKLY;BYDAY=MO"})["id"].(string)
	d.c.must(200, "PUT", d.org("/tasks/"+task+"/shares"), map[string]any{"principal_type": "user", "principal_id": bobID, "role": "editor"})
	done := bob.do("POST", d.org("/tasks/"+task+"/complete"), map[string]any{})
	if done.status != 200 {
		t.Fatalf("Bob completes the shared occurrence: %d %s", done.status, done.body)
	}
	next, ok := done.json(t)["next"].(map[string]any)
	if !ok || next["due_at"] != "2026-03-30T01:00:00Z" {
		t.Fatalf("the next occurrence: %s", done.body)
	}
	bob.must(200, "GET", d.org("/tasks/"+next["id"].(string)), nil)
	if shares := d.c.must(200, "GET", d.org("/tasks/"+next["id"].(string)+"/shares"), nil); shares["total"].(float64) != 1 {
		t.Fatalf("the next occurrence's shares: %v", shares)
	}
}

// TestTaskReviewHugeAndOddInput: every oversized or odd input is a clear 4xx (never a 500, which
// the client fails on by itself) and stores nothing.
func TestTaskReviewHugeAndOddInput(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Huge", "owner@huge.example")
	l := tkList(t, d.c, d, map[string]any{"name": "Owner's", "owner_kind": "person"})["id"].(string)
	task := tkTask(t, d.c, d, l, map[string]any{"title": "Base"})["id"].(string)
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = uuid.NewString()
		}
		return out
	}
	offsets := func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	before := e.tkCount(t, `SELECT count(*) FROM tasks`)
	tasksURL := d.org("/tasklists/" + l + "/tasks")
	for _, c := range []struct {
		what string
		r    response
	}{
		{"a description of 64 KiB + 1", d.c.do("POST", tasksURL, map[string]any{"title": "x", "description": strings.Repeat("a", 64<<10+1)})},
		{"a description of 64 KiB + 1, on update", d.c.do("PATCH", d.org("/tasks/"+task), map[string]any{"description": strings.Repeat("a", 64<<10+1)})},
		{"10,000 assignees", d.c.do("POST", tasksURL, map[string]any{"title": "x", "assignee_ids": ids(10000)})},
		{"10,000 followers, on update", d.c.do("PATCH", d.org("/tasks/"+task), map[string]any{"follower_ids": ids(10000)})},
		{"5,000 labels", d.c.do("PATCH", d.org("/tasks/"+task), map[string]any{"label_ids": ids(5000)})},
		{"5,000 sections", d.c.do("POST", d.org("/tasklists"), map[string]any{"name": "x", "owner_kind": "person", "sections": make([]string, 5000)})},
		{"10,000 mentions", d.c.do("POST", d.org("/tasks/"+task+"/comments"), map[string]any{"body": "x", "mention_ids": ids(10000)})},
		{"10,000 reminders", d.c.do("PUT", d.org("/tasks/"+task+"/reminders"), map[string]any{"offsets_minutes": offsets(10000)})},
		{"a reminder past 30 days", d.c.do("PUT", d.org("/tasks/"+task+"/reminders"), map[string]any{"offsets_minutes": []int{43201}})},
		{"a priority past int64", d.c.do("POST", tasksURL, map[string]any{"title": "x", "priority": 1e30})},
		{"a NUL in a title", d.c.do("POST", tasksURL, map[string]any{"title": "a\x00b"})},
		{"a list name with a NUL", d.c.do("POST", d.org("/tasklists"), map[string]any{"name": "a\x00", "owner_kind": "person"})},
		{"a time zone that is a path", d.c.do("POST", tasksURL, map[string]any{"title": "x", "due_at": "2026-05-01T00:00:00Z", "due_tz": "../../etc/passwd"})},
		{"the server's own time zone", d.c.do("POST", tasksURL, map[string]any{"title": "x", "due_at": "2026-05-01T00:00:00Z", "due_tz": "Local"})},
		{"an absolute time zone path", d.c.do("PATCH", d.org("/tasks/"+task), map[string]any{"due_at": "2026-05-01T00:00:00Z", "due_tz": "/etc/localtime"})},
		{"a due date in year 1", d.c.do("POST", tasksURL, map[string]any{"title": "x", "due_at": "0001-01-01T00:00:00Z", "due_tz": "UTC"})},
		{"a due date past year 9999", d.c.do("POST", tasksURL, map[string]any{"title": "x", "due_at": "10000-01-01T00:00:00Z", "due_tz": "UTC"})},
		{"a start without a zone offset", d.c.do("POST", tasksURL, map[string]any{"title": "x", "start_at": "2026-05-01T00:00:00", "due_tz": "UTC"})},
		{"an RRULE with a month 13", d.c.do("POST", tasksURL, map[string]any{"title": "x", "due_at": "2026-05-01T00:00:00Z", "due_tz": "UTC", "rrule": "FREQ=DAILY;BYMONTH=13"})},
		{"an RRULE with INTERVAL=0", d.c.do("POST", tasksURL, map[string]any{"title": "x", "due_at": "2026-05-01T00:00:00Z", "due_tz": "UTC", "rrule": "FREQ=DAILY;INTERVAL=0"})},
		{"an RRULE with a huge INTERVAL", d.c.do("POST", tasksURL, map[string]any{"title": "x", "due_at": "2026-05-01T00:00:00Z", "due_tz": "UTC", "rrule": "FREQ=YEARLY;INTERVAL=99999999999"})},
		{"an RRULE with a bad day", d.c.do("POST", tasksURL, map[string]any{"title": "x", "due_at": "2026-05-01T00:00:00Z", "due_tz": "UTC", "rrule": "FREQ=WEEKLY;BYDAY=XX"})},
		{"an RRULE with DTSTART in lower case", d.c.do("POST", tasksURL, map[string]any{"title": "x", "due_at": "2026-05-01T00:00:00Z", "due_tz": "UTC", "rrule": "freq=daily;dtstart=20260101T000000Z"})},
		{"an RRULE of 10 KiB", d.c.do("POST", tasksURL, map[string]any{"title": "x", "due_at": "2026-05-01T00:00:00Z", "due_tz": "UTC", "rrule": "FREQ=DAILY;" + strings.Repeat("BYMONTH=1;", 1000)})},
		{"an RRULE with several BYHOURs", d.c.do("POST", tasksURL, map[string]any{"title": "x", "due_at": "2026-05-01T00:00:00Z", "due_tz": "UTC", "rrule": "FREQ=DAILY;BYHOUR=1,2"})},
	} {
		if c.r.status < 400 || c.r.status >= 500 {
			t.Errorf("%s: %d %s, want a 4xx", c.what, c.r.status, c.r.body)
		}
	}
	if n := e.tkCount(t, `SELECT count(*) FROM tasks`); n != before {
		t.Fatalf("%d tasks after refusals, want %d", n, before)
	}
	for _, q := range []string{"limit=0", "limit=201", "offset=-1", "offset=99999999999", "limit=x", "tz=../../etc/passwd", "tz=Local", "tz=%2Fetc%2Flocaltime",
		"view=all", "status=closed", "due_from=yesterday", "list_id=not-an-id", "due_from=10000-01-01T00:00:00Z"} {
		r := d.c.do("GET", d.org("/me/tasks?"+q), nil)
		if r.status < 400 || r.status >= 500 {
			t.Errorf("my tasks with %s: %d %s", q, r.status, r.body)
		}
	}
	// The far edges of the calendar are fine, as dates and as filters.
	far := tkTask(t, d.c, d, l, map[string]any{"title": "Far", "due_at": "9999-12-31T23:00:00Z", "due_tz": "Pacific/Kiritimati", "all_day": true})
	d.c.must(200, "GET", d.org("/me/tasks?view=created&tz=Pacific/Kiritimati&due_from=0001-01-01T00:00:00Z&due_to=9999-12-31T23:59:59Z"), nil)
	d.c.must(200, "GET", d.org("/tasklists/"+l+"/tasks?due_from=0001-01-01T00:00:00Z&due_to=9999-12-31T23:59:59Z"), nil)
	d.c.must(200, "GET", d.org("/tasks/"+far["id"].(string)), nil)
	d.c.must(200, "GET", d.org("/tasklists/"+l+"/tasks?offset=10000000"), nil)
	for _, q := range []string{"due_from=0000-01-01T00:00:00Z", "due_to=9999-12-31T23:59:59-14:00", "due_from=9999-12-31T23:59:59Z&due_to=0001-01-01T00:00:00Z"} {
		if r := d.c.do("GET", d.org("/me/tasks?"+q), nil); r.status != 200 && r.status != 400 {
			t.Errorf("my tasks with %s: %d %s", q, r.status, r.body)
		}
	}
	// A daily task due on the last day of the calendar completes; the series simply ends.
	last := tkTask(t, d.c, d, l, map[string]any{"title": "Last", "due_at": "9999-12-31T09:00:00Z", "due_tz": "UTC", "rrule": "FREQ=DAILY"})
	if done := d.c.do("POST", d.org("/tasks/"+last["id"].(string)+"/complete"), map[string]any{}); done.status != 200 || done.json(t)["next"] != nil {
		t.Errorf("completing the last day's occurrence: %d %s", done.status, done.body)
	}
	// Title and names are plain text: the API returns them as given, only *_html is rendered.
	x := tkTask(t, d.c, d, l, map[string]any{"title": `<img src=x onerror=alert(1)>`, "description": "[a](javascript:alert(1)) <iframe src=x></iframe> <a href=\"x\" onclick=\"y\">z</a>"})
	if x["title"] != `<img src=x onerror=alert(1)>` {
		t.Errorf("the title was changed: %v", x["title"])
	}
	if h := x["description_html"].(string); strings.Contains(h, "javascript:") || strings.Contains(h, "<iframe") || strings.Contains(h, "onclick") {
		t.Errorf("description_html = %q", h)
	}
}

// TestTaskReviewDeletedListReachesNobody: the tasks of a deleted list are out of every route and
// view, for their assignee too.
func TestTaskReviewDeletedListReachesNobody(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Gone", "owner@gone.example")
	member, memberID := e.mustJoin(d.mustInvite(nil), "member@gone.example")
	l := tkList(t, d.c, d, map[string]any{"name": "Doomed", "owner_kind": "person"})["id"].(string)
	task := tkTask(t, d.c, d, l, map[string]any{"title": "Doomed task", "assignee_ids": []string{memberID}, "follower_ids": []string{memberID},
		"due_at": "2026-05-01T00:00:00Z", "due_tz": "UTC"})["id"].(string)
	everyone := tkList(t, d.c, d, map[string]any{"name": "Everyone", "owner_kind": "organisation"})["id"].(string)
	blocked := tkTask(t, d.c, d, everyone, map[string]any{"title": "Waits"})["id"].(string)
	d.c.must(201, "POST", d.org("/tasks/"+blocked+"/dependencies"), map[string]any{"blocked_by_id": task})
	member.must(200, "PUT", d.org("/tasks/"+task+"/reminders"), map[string]any{"offsets_minutes": []int{10}})
	if got := member.must(200, "GET", d.org("/me/tasks?status=all"), nil); got["total"].(float64) != 1 {
		t.Fatalf("my tasks before: %v", got)
	}
	d.c.must(204, "DELETE", d.org("/tasklists/"+l), nil)
	for _, c := range []*client{member, d.c} {
		for name, r := range map[string]response{
			"the task":           c.do("GET", d.org("/tasks/"+task), nil),
			"its comments":       c.do("GET", d.org("/tasks/"+task+"/comments"), nil),
			"a comment":          c.do("POST", d.org("/tasks/"+task+"/comments"), map[string]any{"body": "x"}),
			"its attachments":    c.do("GET", d.org("/tasks/"+task+"/attachments"), nil),
			"its reminders":      c.do("GET", d.org("/tasks/"+task+"/reminders"), nil),
			"setting reminders":  c.do("PUT", d.org("/tasks/"+task+"/reminders"), map[string]any{"offsets_minutes": []int{5}}),
			"completing it":      c.do("POST", d.org("/tasks/"+task+"/complete"), map[string]any{}),
			"its history":        c.do("GET", d.org("/tasks/"+task+"/activity"), nil),
			"a dependency on it": c.do("POST", d.org("/tasks/"+blocked+"/dependencies"), map[string]any{"blocked_by_id": task}),
		} {
			wantCode(t, name+" of a deleted list", r, 404, "not_found")
		}
		for _, view := range []string{"assigned", "following", "created"} {
			if got := c.must(200, "GET", d.org("/me/tasks?status=all&view="+view), nil); got["total"].(float64) != 0 && !(c == d.c && view == "created") {
				t.Errorf("%s after the list's deletion: %v", view, got)
			}
		}
	}
	if got := d.c.must(200, "GET", d.org("/tasks/"+blocked), nil); len(got["blocked_by"].([]any)) != 0 {
		t.Errorf("a blocker in a deleted list still shows: %v", got)
	}
	d.c.must(200, "POST", d.org("/tasks/"+blocked+"/complete"), map[string]any{})
}

// TestTaskReviewIdempotencyKeysArePerPrincipal: the same key and body from another member, or
// from another organisation, makes their own resource and never answers with someone else's.
func TestTaskReviewIdempotencyKeysArePerPrincipal(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Keys", "owner@keys.example")
	other := e.mustDir("Keys elsewhere", "owner@keys-elsewhere.example")
	member, _ := e.mustJoin(d.mustInvite(nil), "member@keys.example")
	everyone := tkList(t, d.c, d, map[string]any{"name": "Everyone", "owner_kind": "organisation"})["id"].(string)
	post := func(c *client, path, body string) response {
		return c.rawWith("POST", path, "application/json", []byte(body), map[string]string{"Idempotency-Key": "same-key"})
	}
	a := post(d.c, d.org("/tasklists/"+everyone+"/tasks"), `{"title":"Same"}`)
	b := post(member, d.org("/tasklists/"+everyone+"/tasks"), `{"title":"Same"}`)
	if a.status != 201 || b.status != 201 || a.json(t)["id"] == b.json(t)["id"] || b.json(t)["creator"].(map[string]any)["name"] != "Person member@keys.example" {
		t.Fatalf("one key, two members: %d %s / %d %s", a.status, a.body, b.status, b.body)
	}
	la := post(d.c, d.org("/tasklists"), `{"name":"Mine","owner_kind":"person"}`)
	lb := post(other.c, other.org("/tasklists"), `{"name":"Mine","owner_kind":"person"}`)
	if la.status != 201 || lb.status != 201 || la.json(t)["id"] == lb.json(t)["id"] {
		t.Fatalf("one key, two organisations: %d %s / %d %s", la.status, la.body, lb.status, lb.body)
	}
	// The other organisation's owner, replaying the first list's key against its id, sees nothing of it.
	wantCode(t, "another organisation's list by id", other.c.do("GET", other.org("/tasklists/"+la.json(t)["id"].(string)), nil), 404, "not_found")
}

// TestTaskReviewNarrowTokensAndOtherSubtrees: a token narrowed to tasks.read reads at "read"
// and changes nothing; one narrowed to files.read reaches no tasks route; a department admin of
// another subtree gets 404 for everything of a department list that is not theirs.
func TestTaskReviewNarrowTokensAndOtherSubtrees(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Narrow", "owner@narrow.example")
	sales, finance := d.mustDept("", "Sales"), d.mustDept("", "Finance")
	admin, adminID := e.mustJoin(d.mustInvite(nil), "admin@narrow.example")
	d.mustAssign(adminID, d.builtinRole("department_admin"), sales)
	budget := tkList(t, d.c, d, map[string]any{"name": "Budget", "owner_kind": "department", "owner_id": finance})["id"].(string)
	task := tkTask(t, d.c, d, budget, map[string]any{"title": "Close the books"})["id"].(string)
	gone := tkTask(t, d.c, d, budget, map[string]any{"title": "Deleted"})["id"].(string)
	d.c.must(204, "DELETE", d.org("/tasks/"+gone), nil)
	for name, r := range map[string]response{
		"the list":              admin.do("GET", d.org("/tasklists/"+budget), nil),
		"a task":                admin.do("GET", d.org("/tasks/"+task), nil),
		"a new task":            admin.do("POST", d.org("/tasklists/"+budget+"/tasks"), map[string]any{"title": "x"}),
		"a share of the list":   admin.do("PUT", d.org("/tasklists/"+budget+"/shares"), map[string]any{"principal_type": "user", "principal_id": adminID, "role": "manager"}),
		"a share of the task":   admin.do("PUT", d.org("/tasks/"+task+"/shares"), map[string]any{"principal_type": "user", "principal_id": adminID, "role": "editor"}),
		"restoring a task":      admin.do("POST", d.org("/tasks/"+gone+"/restore"), nil),
		"deleting the list":     admin.do("DELETE", d.org("/tasklists/"+budget), nil),
		"restoring the list":    admin.do("POST", d.org("/tasklists/"+budget+"/restore"), nil),
		"a section of the list": admin.do("POST", d.org("/tasklists/"+budget+"/sections"), map[string]any{"name": "x"}),
	} {
		wantCode(t, "another subtree's admin: "+name, r, 404, "not_found")
	}
	wantCode(t, "a list for the other department", admin.do("POST", d.org("/tasklists"), map[string]any{"name": "x", "owner_kind": "department", "owner_id": finance}), 403, "forbidden")
	// An admin of a child department does not reach its parent's lists either.
	north := d.mustDept(sales, "Sales North")
	childAdmin, childAdminID := e.mustJoin(d.mustInvite(nil), "north-admin@narrow.example")
	d.mustAssign(childAdminID, d.builtinRole("department_admin"), north)
	salesList := tkList(t, admin, d, map[string]any{"name": "Sales plan", "owner_kind": "department", "owner_id": sales})["id"].(string)
	wantCode(t, "a child department's admin reads the parent's list", childAdmin.do("GET", d.org("/tasklists/"+salesList), nil), 404, "not_found")
	wantCode(t, "a child department's admin makes a list for the parent", childAdmin.do("POST", d.org("/tasklists"),
		map[string]any{"name": "x", "owner_kind": "department", "owner_id": sales}), 403, "forbidden")
	northList := tkList(t, admin, d, map[string]any{"name": "North plan", "owner_kind": "department", "owner_id": north})["id"].(string)
	if got := childAdmin.must(200, "GET", d.org("/tasklists/"+northList), nil); got["level"] != "manage" {
		t.Errorf("the child admin's own department list: %v", got["level"])
	}

	token := func(scopes ...string) *client {
		return e.tokenClient(d.c.must(201, "POST", d.org("/tokens"), map[string]any{"name": strings.Join(scopes, "+"), "scopes": scopes})["secret"].(string))
	}
	reader, files := token("tasks.read"), token("files.read")
	if got := reader.must(200, "GET", d.org("/tasks/"+task), nil); got["level"] != "read" {
		t.Errorf("a tasks.read token's level: %v", got["level"])
	}
	if got := reader.must(200, "GET", d.org("/tasklists/"+budget), nil); got["level"] != "read" {
		t.Errorf("a tasks.read token's list level: %v", got["level"])
	}
	for name, r := range map[string]response{
		"a comment":        reader.do("POST", d.org("/tasks/"+task+"/comments"), map[string]any{"body": "x"}),
		"reminders":        reader.do("PUT", d.org("/tasks/"+task+"/reminders"), map[string]any{"offsets_minutes": []int{5}}),
		"a share":          reader.do("PUT", d.org("/tasks/"+task+"/shares"), map[string]any{"principal_type": "user", "principal_id": adminID, "role": "viewer"}),
		"completing":       reader.do("POST", d.org("/tasks/"+task+"/complete"), map[string]any{}),
		"restoring":        reader.do("POST", d.org("/tasks/"+gone+"/restore"), nil),
		"deleting a list":  reader.do("DELETE", d.org("/tasklists/"+budget), nil),
		"files: a task":    files.do("GET", d.org("/tasks/"+task), nil),
		"files: lists":     files.do("GET", d.org("/tasklists"), nil),
		"files: my tasks":  files.do("GET", d.org("/me/tasks"), nil),
		"files: comments":  files.do("GET", d.org("/tasks/"+task+"/comments"), nil),
		"files: attach":    files.do("GET", d.org("/tasks/"+task+"/attachments"), nil),
		"files: reminders": files.do("GET", d.org("/tasks/"+task+"/reminders"), nil),
	} {
		wantCode(t, "narrow token: "+name, r, 403, "forbidden")
	}
	if n := e.tkCount(t, `SELECT count(*) FROM task_comments`) + e.tkCount(t, `SELECT count(*) FROM task_reminders`) + e.tkCount(t, `SELECT count(*) FROM task_shares`); n != 0 {
		t.Fatalf("%d rows written by refused requests", n)
	}
}

// TestTaskReviewRefusalsWriteNothing: a refused completion, a refused idempotent replay and a
// refused move leave no history, event or row behind.
func TestTaskReviewRefusalsWriteNothing(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Atomic", "owner@atomic.example")
	_, memberID := e.mustJoin(d.mustInvite(nil), "member@atomic.example")
	l := tkList(t, d.c, d, map[string]any{"name": "Owner's", "owner_kind": "person"})["id"].(string)
	a := tkTask(t, d.c, d, l, map[string]any{"title": "A"})["id"].(string)
	b := tkTask(t, d.c, d, l, map[string]any{"title": "B"})["id"].(string)
	d.c.must(201, "POST", d.org("/tasks/"+a+"/dependencies"), map[string]any{"blocked_by_id": b})
	count := func() string {
		return fmt.Sprint(e.tkCount(t, `SELECT count(*) FROM tasks`), e.tkCount(t, `SELECT count(*) FROM task_activity`),
			e.tkCount(t, `SELECT count(*) FROM events`), e.tkCount(t, `SELECT count(*) FROM task_assignees`), e.tkCount(t, `SELECT count(*) FROM idempotency_keys`))
	}
	before := count()
	wantCode(t, "completing a blocked task", d.c.do("POST", d.org("/tasks/"+a+"/complete"), map[string]any{}), 409, "task_blocked")
	wantCode(t, "a cycle", d.c.do("POST", d.org("/tasks/"+b+"/dependencies"), map[string]any{"blocked_by_id": a}), 409, "dependency_cycle")
	wantCode(t, "a task placed after an unknown one, with an assignee", d.c.do("POST", d.org("/tasklists/"+l+"/tasks"),
		map[string]any{"title": "x", "assignee_ids": []string{memberID}, "after_id": uuid.NewString()}), 400, "unknown_task")
	wantCode(t, "a move after itself", d.c.do("POST", d.org("/tasks/"+a+"/move"), map[string]any{"after_id": a}), 400, "invalid_move")
	wantCode(t, "an update with a bad rule and a new assignee", d.c.do("PATCH", d.org("/tasks/"+a),
		map[string]any{"assignee_ids": []string{memberID}, "title": "changed", "rrule": "FREQ=DAILY"}), 400, "rrule_needs_due")
	if after := count(); after != before {
		t.Fatalf("rows (tasks, activity, events, assignees, keys) %s after refusals, want %s", after, before)
	}
}

// TestTaskReviewRemindersFollowAccess: a reminder someone set while they could see a task is not
// sent once they cannot (here: they left the group whose list it is); the notice would carry the
// task's title.
func TestTaskReviewRemindersFollowAccess(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Leavers", "owner@leavers.example")
	bob, bobID := e.mustJoin(d.mustInvite(nil), "bob@leavers.example")
	carol, carolID := e.mustJoin(d.mustInvite(nil), "carol@leavers.example")
	group := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Deal team"})["id"].(string)
	for _, u := range []string{bobID, carolID} {
		d.c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+u), map[string]any{})
	}
	l := tkList(t, d.c, d, map[string]any{"name": "Deal", "owner_kind": "group", "owner_id": group})["id"].(string)
	const secret = "Sign the Initech term sheet"
	task := tkTask(t, d.c, d, l, map[string]any{"title": secret, "due_at": time.Now().UTC().Add(30 * time.Minute).Format(time.RFC3339), "due_tz": "UTC"})["id"].(string)
	for _, c := range []*client{bob, carol} {
		c.must(200, "PUT", d.org("/tasks/"+task+"/reminders"), map[string]any{"offsets_minutes": []int{60}})
	}
	d.c.must(204, "DELETE", d.admin("/groups/"+group+"/members/"+bobID), nil)
	wantCode(t, "Bob reads the task after leaving", bob.do("GET", d.org("/tasks/"+task), nil), 404, "not_found")
	if _, err := e.stack.tasks.SendReminders(context.Background(), 100); err != nil {
		t.Fatal(err)
	}
	e.waitDispatched(t)
	if got := notificationsOf(t, carol, d.orgID, "tasks.task_due_soon"); len(got) != 1 {
		t.Fatalf("Carol's reminders: %v", got)
	}
	if got := notificationsOf(t, bob, d.orgID, "tasks.task_due_soon"); len(got) != 0 {
		t.Fatalf("Bob, who left, was reminded of %q: %v", secret, got)
	}
}

// TestTaskReviewLeaversAreToldNothing: the creator of a task who has lost it (they left the
// group whose list holds it) is told nothing more of it — not its completion, its comments or
// its due date passing — and a repeating task's next occurrence keeps its creator, not whoever
// completed the last one.
func TestTaskReviewLeaversAreToldNothing(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Creators", "owner@creators.example")
	bob, bobID := e.mustJoin(d.mustInvite(nil), "bob@creators.example")
	carol, carolID := e.mustJoin(d.mustInvite(nil), "carol@creators.example")
	group := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Launch"})["id"].(string)
	for _, u := range []string{bobID, carolID} {
		d.c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+u), map[string]any{})
	}
	l := tkList(t, d.c, d, map[string]any{"name": "Launch", "owner_kind": "group", "owner_id": group})["id"].(string)
	const secret = "Announce the Initech merger"
	past := time.Now().UTC().Add(-30 * time.Minute).Format(time.RFC3339)
	task := tkTask(t, bob, d, l, map[string]any{"title": secret, "due_at": past, "due_tz": "UTC"})["id"].(string)
	series := tkTask(t, bob, d, l, map[string]any{"title": "Weekly sync", "due_at": past, "due_tz": "UTC", "rrule": "FREQ=WEEKLY"})["id"].(string)
	next := carol.must(200, "POST", d.org("/tasks/"+series+"/complete"), map[string]any{})["next"].(map[string]any)
	if next["creator"].(map[string]any)["id"] != bobID {
		t.Errorf("the next occurrence's creator: %v, want Bob (%s)", next["creator"], bobID)
	}

	d.c.must(204, "DELETE", d.admin("/groups/"+group+"/members/"+bobID), nil)
	wantCode(t, "Bob reads his task after leaving", bob.do("GET", d.org("/tasks/"+task), nil), 404, "not_found")
	carol.must(201, "POST", d.org("/tasks/"+task+"/comments"), map[string]any{"body": "Draft ready"})
	carol.must(200, "POST", d.org("/tasks/"+task+"/complete"), map[string]any{})
	carol.must(200, "POST", d.org("/tasks/"+task+"/reopen"), nil)
	if _, err := e.stack.tasks.SendOverdue(context.Background(), 100); err != nil {
		t.Fatal(err)
	}
	e.waitDispatched(t)
	for _, kind := range []string{"tasks.comment_added", "tasks.task_completed", "tasks.task_overdue"} {
		for _, n := range notificationsOf(t, bob, d.orgID, kind) {
			if n["subject_id"] == task {
				t.Errorf("Bob, who left, was told %s of %q: %v", kind, secret, n)
			}
		}
	}
	// Carol, who still reaches it and is nobody's assignee, is told nothing either: the
	// overdue notice went to its creator, who has gone, so nobody.
	if got := notificationsOf(t, carol, d.orgID, "tasks.task_overdue"); len(got) != 0 {
		t.Errorf("Carol's overdue notices: %v", got)
	}
}

// TestTaskReviewSharesAndBlockingHideTheUnreachable: a list or task cannot be shared with a
// deactivated member (as it cannot be assigned to one), and what a task blocks is counted only
// among the tasks the caller may read.
func TestTaskReviewSharesAndBlockingHideTheUnreachable(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Hidden", "owner@hidden.example")
	alice, _ := e.mustJoin(d.mustInvite(nil), "alice@hidden.example")
	bob, _ := e.mustJoin(d.mustInvite(nil), "bob@hidden.example")
	_, goneID := e.mustJoin(d.mustInvite(nil), "gone@hidden.example")
	d.c.must(200, "POST", d.org("/members/"+goneID+"/deactivate"), nil)

	everyone := tkList(t, d.c, d, map[string]any{"name": "Everyone", "owner_kind": "organisation"})["id"].(string)
	blocker := tkTask(t, d.c, d, everyone, map[string]any{"title": "Public blocker"})["id"].(string)
	wantCode(t, "sharing the list with a deactivated member", d.c.do("PUT", d.org("/tasklists/"+everyone+"/shares"),
		map[string]any{"principal_type": "user", "principal_id": goneID, "role": "viewer"}), 404, "not_found")
	wantCode(t, "sharing the task with a deactivated member", d.c.do("PUT", d.org("/tasks/"+blocker+"/shares"),
		map[string]any{"principal_type": "user", "principal_id": goneID, "role": "viewer"}), 404, "not_found")
	if n := e.tkCount(t, `SELECT count(*) FROM task_list_shares`) + e.tkCount(t, `SELECT count(*) FROM task_shares`); n != 0 {
		t.Fatalf("%d shares after refusals", n)
	}

	private := tkList(t, alice, d, map[string]any{"name": "Alice's", "owner_kind": "person"})["id"].(string)
	for _, title := range []string{"Hidden one", "Hidden two"} {
		blocked := tkTask(t, alice, d, private, map[string]any{"title": title})["id"].(string)
		alice.must(201, "POST", d.org("/tasks/"+blocked+"/dependencies"), map[string]any{"blocked_by_id": blocker})
	}
	visible := tkTask(t, d.c, d, everyone, map[string]any{"title": "Public blocked"})["id"].(string)
	d.c.must(201, "POST", d.org("/tasks/"+visible+"/dependencies"), map[string]any{"blocked_by_id": blocker})
	got := bob.must(200, "GET", d.org("/tasks/"+blocker+"/blocking"), nil)
	if got["total"].(float64) != 1 || len(got["items"].([]any)) != 1 {
		t.Errorf("what the blocker blocks, as Bob: %v", got)
	}
	if got := alice.must(200, "GET", d.org("/tasks/"+blocker+"/blocking?limit=1&offset=1"), nil); got["total"].(float64) != 3 || len(got["items"].([]any)) != 1 {
		t.Errorf("the second page as Alice: %v", got)
	}
}

// tkItem finds a task in a listing by id (nil when it is not there).
func tkItem(m map[string]any, id string) map[string]any {
	for _, it := range m["items"].([]any) {
		if x := it.(map[string]any); x["id"] == id {
			return x
		}
	}
	return nil
}

// tkBlockerIDs returns the ids of a task view's blockers, in order.
func tkBlockerIDs(v map[string]any) []string {
	out := []string{}
	for _, b := range v["blocked_by"].([]any) {
		out = append(out, b.(map[string]any)["id"].(string))
	}
	return out
}

// TestTaskReviewOnePageKeepsEachTasksOwnAccess: a page's access is computed in memory from one
// read of its lists' grants and one of what reaches its tasks, with each permission asked once
// per scope. A page mixing a task of a department list the caller manages, one of another
// department's list they are only assigned to and one of a private list they only follow still
// gives each its own level, list name and readable blockers — in My tasks (with a due range and
// a text search too), on the card and on the board — and a token narrowed to tasks.read sees
// every one at "read" and moves none. A department moved out from under the admin's subtree
// takes its lists with it at once.
func TestTaskReviewOnePageKeepsEachTasksOwnAccess(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Pages", "owner@pages.example")
	sales, finance := d.mustDept("", "Sales"), d.mustDept("", "Finance")
	north := d.mustDept(sales, "Sales North")
	bob, bobID := e.mustJoin(d.mustInvite(nil), "bob@pages.example")
	d.mustAssign(bobID, d.builtinRole("department_admin"), sales)
	salesList := tkList(t, d.c, d, map[string]any{"name": "North plan", "owner_kind": "department", "owner_id": north})["id"].(string)
	finList := tkList(t, d.c, d, map[string]any{"name": "Budget", "owner_kind": "department", "owner_id": finance})["id"].(string)
	private := tkList(t, d.c, d, map[string]any{"name": "Owner's", "owner_kind": "person"})["id"].(string)
	const secret = "Sell the Finance building"
	due := time.Now().UTC().Add(48 * time.Hour).Format(time.RFC3339)
	mk := func(list, title string, extra map[string]any) string {
		body := map[string]any{"title": title, "due_at": due, "due_tz": "UTC"}
		for k, v := range extra {
			body[k] = v
		}
		return tkTask(t, d.c, d, list, body)["id"].(string)
	}
	sTask := mk(salesList, "Plan north call", map[string]any{"follower_ids": []string{bobID}})
	fTask := mk(finList, "Plan finance review", map[string]any{"assignee_ids": []string{bobID}})
	pTask := mk(private, "Plan private ask", map[string]any{"follower_ids": []string{bobID}})
	hidden := mk(private, secret, nil)
	hiddenFin := mk(finList, secret+" twice", nil)
	for _, dep := range [][2]string{{pTask, hidden}, {pTask, sTask}, {fTask, hiddenFin}, {sTask, fTask}, {sTask, hidden}} {
		d.c.must(201, "POST", d.org("/tasks/"+dep[0]+"/dependencies"), map[string]any{"blocked_by_id": dep[1]})
	}

	type want struct {
		level    string
		listName bool
		blockers []string
	}
	check := func(who, what string, v map[string]any, w want) {
		t.Helper()
		if v == nil {
			t.Errorf("%s, %s: missing", who, what)
			return
		}
		if v["level"] != w.level || (v["list_name"] != nil) != w.listName || fmt.Sprint(tkBlockerIDs(v)) != fmt.Sprint(w.blockers) {
			t.Errorf("%s, %s: level %v, list name %v, blockers %v; want %+v", who, what, v["level"], v["list_name"], tkBlockerIDs(v), w)
		}
	}
	wants := map[string]want{
		sTask: {"manage", true, []string{fTask}},
		fTask: {"write", false, []string{}},
		pTask: {"read", false, []string{sTask}},
	}
	views := map[string][]string{
		"/me/tasks?view=following": {sTask, pTask},
		"/me/tasks?view=following&q=plan&due_from=" + time.Now().UTC().Format(time.RFC3339) + "&due_to=" + time.Now().UTC().Add(72*time.Hour).Format(time.RFC3339): {sTask, pTask},
		"/me/tasks?view=assigned": {fTask},
	}
	look := func(who string, c *client, wants map[string]want) {
		t.Helper()
		for path, ids := range views {
			r := c.do("GET", d.org(strings.ReplaceAll(path, "+", "%2B")), nil)
			if r.status != 200 {
				t.Errorf("%s, %s: %d %s", who, path, r.status, r.body)
				continue
			}
			tkNoLeak(t, who+", "+path, r, secret)
			page := r.json(t)
			if page["total"].(float64) != float64(len(ids)) {
				t.Errorf("%s, %s: total %v, want %d", who, path, page["total"], len(ids))
			}
			for _, id := range ids {
				check(who, path, tkItem(page, id), wants[id])
			}
		}
		for id, w := range wants {
			r := c.do("GET", d.org("/tasks/"+id), nil)
			tkNoLeak(t, who+", a card", r, secret)
			if r.status != 200 {
				t.Errorf("%s, the card %s: %d %s", who, id, r.status, r.body)
				continue
			}
			check(who, "the card", r.json(t), w)
		}
		r := c.do("GET", d.org("/tasklists/"+salesList+"/tasks"), nil)
		tkNoLeak(t, who+", the board", r, secret)
		switch {
		case !wants[sTask].listName:
			wantCode(t, who+": a board it no longer sees", r, 404, "not_found")
		case r.status == 200:
			check(who, "the board", tkItem(r.json(t), sTask), wants[sTask])
		default:
			t.Errorf("%s, the board: %d %s", who, r.status, r.body)
		}
		for _, l := range []string{finList, private} {
			wantCode(t, who+": a list reached only by one task", c.do("GET", d.org("/tasklists/"+l+"/tasks"), nil), 404, "not_found")
		}
		for _, id := range []string{hidden, hiddenFin} {
			wantCode(t, who+": a task it blocks", c.do("GET", d.org("/tasks/"+id), nil), 404, "not_found")
		}
	}
	look("Bob", bob, wants)

	reader := e.tokenClient(bob.must(201, "POST", d.org("/tokens"), map[string]any{"name": "reader", "scopes": []string{"tasks.read"}})["secret"].(string))
	// tasks.read is the lists one is a member of (docs/access.md): managing North's list is
	// tasks.manage's power, which the token does not carry, so there it is a follower only.
	read := map[string]want{}
	for id, w := range wants {
		w.level, w.listName = "read", false
		read[id] = w
	}
	look("Bob's tasks.read token", reader, read)
	ranks := fmt.Sprint(e.tkCount(t, `SELECT count(*) FROM task_activity WHERE action = 'moved'`))
	for _, id := range []string{sTask, fTask, pTask} {
		wantCode(t, "a tasks.read token moves a task", reader.do("POST", d.org("/tasks/"+id+"/move"), map[string]any{}), 403, "forbidden")
	}
	if got := fmt.Sprint(e.tkCount(t, `SELECT count(*) FROM task_activity WHERE action = 'moved'`)); got != ranks {
		t.Fatalf("moves recorded after refusals: %s, want %s", got, ranks)
	}

	// North moves under Finance: Bob manages Sales, so North's list is no longer his to manage
	// (or even to see), and its task falls back to what following it gives.
	d.c.must(200, "PATCH", d.admin("/departments/"+north), map[string]any{"parent_id": finance})
	wantCode(t, "Bob reads the moved department's list", bob.do("GET", d.org("/tasklists/"+salesList), nil), 404, "not_found")
	wants[sTask] = want{"read", false, []string{fTask}}
	look("Bob after the move", bob, wants)
}

// TestTaskReviewGuestsReachNothingByOwnership: a guest who is in a department and a group sees
// none of the lists those own, nor their tasks, in any listing or by id; a task shared with
// them alone shows without its list's name or its unreadable blockers; a list shared with their
// group is theirs to read.
func TestTaskReviewGuestsReachNothingByOwnership(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Guests", "owner@guests.example")
	sales := d.mustDept("", "Sales")
	guest, guestID := e.mustJoin(d.mustInvite(map[string]any{"role": "guest"}), "guest@guests.example")
	d.c.must(204, "PUT", d.admin("/departments/"+sales+"/members/"+guestID), map[string]any{})
	group := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Partners"})["id"].(string)
	d.c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+guestID), map[string]any{})
	const secret = "Internal margin target"
	var owned []string
	for _, body := range []map[string]any{
		{"name": "Sales plan", "owner_kind": "department", "owner_id": sales},
		{"name": "Partners' list", "owner_kind": "group", "owner_id": group},
		{"name": "Everyone", "owner_kind": "organisation"},
	} {
		l := tkList(t, d.c, d, body)["id"].(string)
		owned = append(owned, l)
		tkTask(t, d.c, d, l, map[string]any{"title": secret})
	}
	shared := tkTask(t, d.c, d, owned[2], map[string]any{"title": "For the partner"})["id"].(string)
	hidden := tkTask(t, d.c, d, owned[2], map[string]any{"title": secret + " (blocker)"})["id"].(string)
	d.c.must(201, "POST", d.org("/tasks/"+shared+"/dependencies"), map[string]any{"blocked_by_id": hidden})
	d.c.must(200, "PUT", d.org("/tasks/"+shared+"/shares"), map[string]any{"principal_type": "user", "principal_id": guestID, "role": "viewer"})

	for _, l := range owned {
		for _, path := range []string{"/tasklists/" + l, "/tasklists/" + l + "/tasks"} {
			r := guest.do("GET", d.org(path), nil)
			wantCode(t, "the guest: "+path, r, 404, "not_found")
			tkNoLeak(t, "the guest: "+path, r, secret)
		}
	}
	if got := guest.must(200, "GET", d.org("/tasklists"), nil); got["total"].(float64) != 0 {
		t.Errorf("the guest's lists: %v", got)
	}
	for _, view := range []string{"assigned", "following", "created"} {
		r := guest.do("GET", d.org("/me/tasks?status=all&view="+view), nil)
		if r.status != 200 || r.json(t)["total"].(float64) != 0 {
			t.Errorf("the guest's %s: %d %s", view, r.status, r.body)
		}
		tkNoLeak(t, "the guest's "+view, r, secret)
	}
	r := guest.do("GET", d.org("/tasks/"+shared), nil)
	tkNoLeak(t, "the shared task", r, secret)
	if got := r.json(t); r.status != 200 || got["level"] != "read" || got["list_name"] != nil || len(tkBlockerIDs(got)) != 0 {
		t.Errorf("the shared task as the guest: %d %s", r.status, r.body)
	}

	// Shared with their group, the group's list is theirs to read (and no more).
	d.c.must(200, "PUT", d.org("/tasklists/"+owned[1]+"/shares"), map[string]any{"principal_type": "group", "principal_id": group, "role": "viewer"})
	if got := guest.must(200, "GET", d.org("/tasklists/"+owned[1]), nil); got["level"] != "read" {
		t.Errorf("the group's list shared with the group, as the guest: %v", got["level"])
	}
	if got := guest.must(200, "GET", d.org("/tasklists"), nil); got["total"].(float64) != 1 {
		t.Errorf("the guest's lists after the share: %v", got)
	}
}
