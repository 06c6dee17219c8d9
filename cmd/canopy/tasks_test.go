package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	appevents "canopy/app/events"
	"canopy/infra/recurrence"
)

// The tasks module end to end (issue 11): lists, the board order under concurrent moves,
// dependencies, shares of a single task, bad input, idempotency, soft delete and restore,
// recurrence, department admins and narrowed tokens.

// tkList makes a list as c and returns it.
func tkList(t testing.TB, c *client, d dir, body map[string]any) map[string]any {
	t.Helper()
	return c.must(201, "POST", d.org("/tasklists"), body)
}

// tkTask makes a task in a list as c and returns it.
func tkTask(t testing.TB, c *client, d dir, listID string, body map[string]any) map[string]any {
	t.Helper()
	return c.must(201, "POST", d.org("/tasklists/"+listID+"/tasks"), body)
}

// tkIDs returns the ids of a listing's items, in order.
func tkIDs(m map[string]any) []string {
	var out []string
	for _, it := range m["items"].([]any) {
		out = append(out, it.(map[string]any)["id"].(string))
	}
	return out
}

// tkSections returns a list's section ids, in order.
func tkSections(l map[string]any) []string {
	var out []string
	for _, s := range l["sections"].([]any) {
		out = append(out, s.(map[string]any)["id"].(string))
	}
	return out
}

// tkCount counts rows of a table matching a condition, straight from the database.
func (e *testEnv) tkCount(t testing.TB, sql string, args ...any) int {
	t.Helper()
	var n int64
	if err := e.stack.db.Raw(sql, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestTaskListsAndTasksBasics: a list for the organisation with sections, tasks in them, a
// subtask with the parent's progress, labels, and the views.
func TestTaskListsAndTasksBasics(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Tasks", "owner@tasks.example")
	member, memberID := e.mustJoin(d.mustInvite(nil), "member@tasks.example")
	l := tkList(t, d.c, d, map[string]any{"name": "Launch", "owner_kind": "organisation", "sections": []string{"To do", "Doing", "Done"}})
	if l["level"] != "manage" || len(l["sections"].([]any)) != 3 || l["owner_name"] != "Tasks" {
		t.Fatalf("list: %v", l)
	}
	listID, secs := l["id"].(string), tkSections(l)
	label := d.c.must(201, "POST", d.org("/tasklists/"+listID+"/labels"), map[string]any{"name": "Urgent", "color": "#ff0000"})
	due := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
	a := tkTask(t, member, d, listID, map[string]any{"title": "Write the plan", "description": "**bold** <script>x</script>", "section_id": secs[1],
		"assignee_ids": []string{memberID}, "label_ids": []string{label["id"].(string)}, "due_at": due, "due_tz": "Asia/Shanghai", "priority": 2})
	if a["section_id"] != secs[1] || a["level"] != "write" || len(a["assignees"].([]any)) != 1 || len(a["labels"].([]any)) != 1 || a["list_name"] != "Launch" {
		t.Fatalf("task: %v", a)
	}
	if html := a["description_html"].(string); html == "" || contains([]string{html}, "<script>") {
		t.Fatalf("description_html: %q", html)
	}
	sub := tkTask(t, member, d, listID, map[string]any{"title": "Outline", "parent_id": a["id"]})
	if sub["depth"].(float64) != 1 || sub["section_id"] != secs[1] {
		t.Fatalf("subtask: %v", sub)
	}
	member.must(200, "POST", d.org("/tasks/"+sub["id"].(string)+"/complete"), nil)
	got := member.must(200, "GET", d.org("/tasks/"+a["id"].(string)), nil)
	if got["subtask_total"].(float64) != 1 || got["subtask_done"].(float64) != 1 {
		t.Fatalf("progress: %v", got)
	}
	top := member.must(200, "GET", d.org("/tasklists/"+listID+"/tasks"), nil)
	if ids := tkIDs(top); len(ids) != 1 || ids[0] != a["id"] || top["total"].(float64) != 1 {
		t.Fatalf("list tasks: %v", top)
	}
	mine := member.must(200, "GET", d.org("/me/tasks?tz=Asia/Shanghai"), nil)
	if ids := tkIDs(mine); len(ids) != 1 || ids[0] != a["id"] {
		t.Fatalf("my tasks: %v", mine)
	}
	if b := mine["items"].([]any)[0].(map[string]any)["bucket"]; b != "today" && b != "next_7_days" {
		t.Fatalf("bucket %v", b)
	}
	created := member.must(200, "GET", d.org("/me/tasks?view=created&status=all"), nil)
	if created["total"].(float64) != 2 {
		t.Fatalf("created: %v", created)
	}
	hist := member.must(200, "GET", d.org("/tasks/"+a["id"].(string)+"/activity"), nil)
	if hist["total"].(float64) < 2 {
		t.Fatalf("activity: %v", hist)
	}
	// Search by pinyin.
	tkTask(t, member, d, listID, map[string]any{"title": "张伟的报告"})
	found := member.must(200, "GET", d.org("/tasklists/"+listID+"/tasks?q=zhangwei"), nil)
	if found["total"].(float64) != 1 {
		t.Fatalf("pinyin search: %v", found)
	}
	lists := member.must(200, "GET", d.org("/tasklists"), nil)
	if lists["total"].(float64) != 1 || lists["items"].([]any)[0].(map[string]any)["open_count"].(float64) != 2 {
		t.Fatalf("lists: %v", lists)
	}
}

// tkBoard returns a list's top-level task ids by section, in board order, and fails unless the
// ranks within each section are strictly increasing (so none is repeated).
func tkBoard(t *testing.T, c *client, d dir, listID string, sections []string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, sec := range sections {
		m := c.must(200, "GET", d.org("/tasklists/"+listID+"/tasks?limit=200&section_id="+sec), nil)
		prev := ""
		for _, it := range m["items"].([]any) {
			task := it.(map[string]any)
			rank := task["rank"].(string)
			if rank <= prev {
				t.Fatalf("section %s: rank %q after %q is not strictly greater", sec, rank, prev)
			}
			prev = rank
			out[sec] = append(out[sec], task["id"].(string))
		}
	}
	return out
}

// TestTaskConcurrentMovesEndInOneOrder: two clients move cards of one board at once, within
// and across its two sections, many rounds each. Every move answers 200 (or 400 when its
// after_id left the section meanwhile), and the board ends in one strict order with no rank
// repeated, equal to replaying the committed moves one after the other in the order they took
// the list's lock (their history rows' order).
func TestTaskConcurrentMovesEndInOneOrder(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Board", "owner@board.example")
	member, _ := e.mustJoin(d.mustInvite(nil), "member@board.example")
	l := tkList(t, d.c, d, map[string]any{"name": "Board", "owner_kind": "organisation", "sections": []string{"A", "B"}})
	listID, secs := l["id"].(string), tkSections(l)
	var ids []string
	for i := range 12 {
		ids = append(ids, tkTask(t, d.c, d, listID, map[string]any{"title": fmt.Sprintf("card %d", i), "section_id": secs[i%2]})["id"].(string))
	}
	start := tkBoard(t, d.c, d, listID, secs)
	var since int64
	if err := e.stack.db.Raw(`SELECT coalesce(max(id), 0) FROM task_activity`).Scan(&since).Error; err != nil {
		t.Fatal(err)
	}

	// Two clients, two goroutines each; a third of the moves go to the top of a section, where
	// concurrent moves would pick the same key if they did not take turns.
	const rounds, workers = 40, 4
	done := make(chan map[int]int, workers)
	for w := range workers {
		c := []*client{d.c, member}[w%2]
		go func() {
			statuses := map[int]int{}
			for r := range rounds {
				task := ids[(r*7+w*5)%len(ids)]
				body := map[string]any{"section_id": secs[(r+w)%2]}
				if after := ids[(r*3+w+1)%len(ids)]; after != task && r%3 != 0 {
					body["after_id"] = after
				}
				res := c.do("POST", d.org("/tasks/"+task+"/move"), body)
				statuses[res.status]++
			}
			done <- statuses
		}()
	}
	total := map[int]int{}
	for range workers {
		for k, v := range <-done {
			total[k] += v
		}
	}
	if total[200] == 0 || total[200]+total[400] != workers*rounds {
		t.Fatalf("move answers: %v", total)
	}

	// Replay the committed moves, in the order they took the lock.
	var moves []struct {
		TaskID    uuid.UUID
		SectionID uuid.UUID
		AfterID   *uuid.UUID
	}
	if err := e.stack.db.Raw(`SELECT task_id, (after->>'section_id')::uuid AS section_id, (after->>'after_id')::uuid AS after_id
		FROM task_activity WHERE action = 'moved' AND id > ? ORDER BY id`, since).Scan(&moves).Error; err != nil {
		t.Fatal(err)
	}
	if len(moves) != total[200] {
		t.Fatalf("%d moves recorded, %d answered 200", len(moves), total[200])
	}
	model := map[string][]string{secs[0]: append([]string(nil), start[secs[0]]...), secs[1]: append([]string(nil), start[secs[1]]...)}
	for _, m := range moves {
		id := m.TaskID.String()
		for sec, order := range model {
			for i, x := range order {
				if x == id {
					model[sec] = append(order[:i:i], order[i+1:]...)
				}
			}
		}
		to := m.SectionID.String()
		at := 0
		if m.AfterID != nil {
			at = -1
			for i, x := range model[to] {
				if x == m.AfterID.String() {
					at = i + 1
				}
			}
			if at < 0 {
				t.Fatalf("replay: move of %s after %s, which is not in section %s", id, m.AfterID, to)
			}
		}
		model[to] = append(model[to][:at:at], append([]string{id}, model[to][at:]...)...)
	}
	end := tkBoard(t, d.c, d, listID, secs)
	for _, sec := range secs {
		if fmt.Sprint(end[sec]) != fmt.Sprint(model[sec]) {
			t.Fatalf("section %s ends as %v; replaying the committed moves gives %v", sec, end[sec], model[sec])
		}
	}
	if n := len(end[secs[0]]) + len(end[secs[1]]); n != len(ids) {
		t.Fatalf("%d cards on the board, want %d", n, len(ids))
	}
}

// TestTaskMoveRespacesALongKey: when a move would make a key longer than 64 characters, the
// section's keys are respaced in the same transaction, and the order is the one asked for.
func TestTaskMoveRespacesALongKey(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Respace", "owner@respace.example")
	l := tkList(t, d.c, d, map[string]any{"name": "R", "owner_kind": "person"})
	listID, secs := l["id"].(string), tkSections(l)
	var ids []string
	for i := range 5 {
		ids = append(ids, tkTask(t, d.c, d, listID, map[string]any{"title": fmt.Sprintf("t%d", i)})["id"].(string))
	}
	// The first card's key is as long as keys get; a card moved to the top must go below it.
	long := ""
	for range 63 {
		long += "0"
	}
	long += "1"
	if err := e.stack.db.Exec(`UPDATE tasks SET rank = ? WHERE id = ?`, long, ids[0]).Error; err != nil {
		t.Fatal(err)
	}
	d.c.must(200, "POST", d.org("/tasks/"+ids[3]+"/move"), map[string]any{})
	got := tkBoard(t, d.c, d, listID, secs)[secs[0]]
	want := []string{ids[3], ids[0], ids[1], ids[2], ids[4]}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	if n := e.tkCount(t, `SELECT count(*) FROM tasks WHERE list_id = ? AND length(rank) > 64`, listID); n != 0 {
		t.Fatalf("%d keys still too long", n)
	}
}

// TestTaskDependencyCyclesAreRefused: a task cannot be blocked by itself, by a task it blocks,
// or through a chain back to it (409 dependency_cycle); of two concurrent opposite additions
// exactly one wins, every time. A blocked task does not complete unless forced.
func TestTaskDependencyCyclesAreRefused(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Deps", "owner@deps.example")
	member, _ := e.mustJoin(d.mustInvite(nil), "member@deps.example")
	l1 := tkList(t, d.c, d, map[string]any{"name": "One", "owner_kind": "organisation"})["id"].(string)
	l2 := tkList(t, d.c, d, map[string]any{"name": "Two", "owner_kind": "organisation"})["id"].(string)
	a := tkTask(t, d.c, d, l1, map[string]any{"title": "A"})["id"].(string)
	b := tkTask(t, d.c, d, l2, map[string]any{"title": "B"})["id"].(string)
	c := tkTask(t, d.c, d, l1, map[string]any{"title": "C"})["id"].(string)
	dep := func(who *client, task, blocker string) response {
		return who.do("POST", d.org("/tasks/"+task+"/dependencies"), map[string]any{"blocked_by_id": blocker})
	}
	if r := dep(d.c, a, b); r.status != 201 {
		t.Fatalf("A blocked by B: %d %s", r.status, r.body)
	}
	wantCode(t, "B blocked by A", dep(d.c, b, a), 409, "dependency_cycle")
	wantCode(t, "A blocked by A", dep(d.c, a, a), 409, "dependency_cycle")
	if r := dep(d.c, b, c); r.status != 201 {
		t.Fatalf("B blocked by C: %d %s", r.status, r.body)
	}
	wantCode(t, "C blocked by A (C → B → A → C)", dep(member, c, a), 409, "dependency_cycle")
	if n := e.tkCount(t, `SELECT count(*) FROM task_dependencies`); n != 2 {
		t.Fatalf("%d dependencies, want 2", n)
	}
	got := d.c.must(200, "GET", d.org("/tasks/"+a), nil)
	if bl := got["blocked_by"].([]any); len(bl) != 1 || bl[0].(map[string]any)["id"] != b {
		t.Fatalf("blocked_by: %v", got["blocked_by"])
	}
	wantCode(t, "completing blocked A", d.c.do("POST", d.org("/tasks/"+a+"/complete"), map[string]any{}), 409, "task_blocked")
	d.c.must(200, "POST", d.org("/tasks/"+a+"/complete"), map[string]any{"force": true})
	if blocking := d.c.must(200, "GET", d.org("/tasks/"+b+"/blocking"), nil); fmt.Sprint(tkIDs(blocking)) != fmt.Sprint([]string{a}) {
		t.Fatalf("blocking: %v", blocking)
	}

	for round := range 15 {
		x := tkTask(t, d.c, d, l1, map[string]any{"title": fmt.Sprintf("X%d", round)})["id"].(string)
		y := tkTask(t, d.c, d, l2, map[string]any{"title": fmt.Sprintf("Y%d", round)})["id"].(string)
		res := make(chan int, 2)
		go func() { res <- dep(d.c, x, y).status }()
		go func() { res <- dep(member, y, x).status }()
		s1, s2 := <-res, <-res
		if !(s1 == 201 && s2 == 409 || s1 == 409 && s2 == 201) {
			t.Fatalf("round %d: concurrent opposite additions answered %d and %d", round, s1, s2)
		}
		if n := e.tkCount(t, `SELECT count(*) FROM task_dependencies WHERE task_id IN (?, ?)`, x, y); n != 1 {
			t.Fatalf("round %d: %d dependencies between X and Y", round, n)
		}
	}
}

// TestTaskSharedWithOnePersonSeesThatTaskOnly: someone a single task is shared with (as
// editor) reads and updates it and its subtasks, and gets 404 for every other task of the list,
// for the list itself (its page, tasks, sections, labels and shares) and for the parent and
// siblings of a shared subtask. A guest sees only what is shared with them.
func TestTaskSharedWithOnePersonSeesThatTaskOnly(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Share", "owner@share.example")
	bob, bobID := e.mustJoin(d.mustInvite(nil), "bob@share.example")
	guest, guestID := e.mustJoin(d.mustInvite(map[string]any{"role": "guest"}), "guest@share.example")
	l := tkList(t, d.c, d, map[string]any{"name": "Private", "owner_kind": "person"})
	listID, secs := l["id"].(string), tkSections(l)
	shared := tkTask(t, d.c, d, listID, map[string]any{"title": "Shared"})["id"].(string)
	s1 := tkTask(t, d.c, d, listID, map[string]any{"title": "S1", "parent_id": shared})["id"].(string)
	other := tkTask(t, d.c, d, listID, map[string]any{"title": "Other"})["id"].(string)
	parent := tkTask(t, d.c, d, listID, map[string]any{"title": "Parent"})["id"].(string)
	u1 := tkTask(t, d.c, d, listID, map[string]any{"title": "U1", "parent_id": parent})["id"].(string)
	u2 := tkTask(t, d.c, d, listID, map[string]any{"title": "U2", "parent_id": parent})["id"].(string)
	// Before any share, Bob sees nothing.
	wantCode(t, "Bob reads the task before it is shared", bob.do("GET", d.org("/tasks/"+shared), nil), 404, "not_found")
	d.c.must(200, "PUT", d.org("/tasks/"+shared+"/shares"), map[string]any{"principal_type": "user", "principal_id": bobID, "role": "editor"})
	d.c.must(200, "PUT", d.org("/tasks/"+u1+"/shares"), map[string]any{"principal_type": "user", "principal_id": bobID, "role": "viewer"})

	got := bob.must(200, "GET", d.org("/tasks/"+shared), nil)
	if got["level"] != "write" || got["list_name"] != nil {
		t.Fatalf("the shared task as Bob: %v", got)
	}
	bob.must(200, "PATCH", d.org("/tasks/"+shared), map[string]any{"title": "Shared, edited by Bob"})
	bob.must(200, "GET", d.org("/tasks/"+s1), nil)
	if subs := bob.must(200, "GET", d.org("/tasks/"+shared+"/subtasks"), nil); fmt.Sprint(tkIDs(subs)) != fmt.Sprint([]string{s1}) {
		t.Fatalf("subtasks as Bob: %v", subs)
	}
	bob.must(200, "GET", d.org("/tasks/"+u1), nil)
	wantCode(t, "Bob edits a subtask shared as viewer", bob.do("PATCH", d.org("/tasks/"+u1), map[string]any{"title": "x"}), 403, "forbidden")
	for name, r := range map[string]response{
		"another task":                bob.do("GET", d.org("/tasks/"+other), nil),
		"another task's history":      bob.do("GET", d.org("/tasks/"+other+"/activity"), nil),
		"editing another task":        bob.do("PATCH", d.org("/tasks/"+other), map[string]any{"title": "x"}),
		"the shared subtask's parent": bob.do("GET", d.org("/tasks/"+parent), nil),
		"its sibling":                 bob.do("GET", d.org("/tasks/"+u2), nil),
		"the list":                    bob.do("GET", d.org("/tasklists/"+listID), nil),
		"the list's tasks":            bob.do("GET", d.org("/tasklists/"+listID+"/tasks"), nil),
		"the list's shares":           bob.do("GET", d.org("/tasklists/"+listID+"/shares"), nil),
		"a new section":               bob.do("POST", d.org("/tasklists/"+listID+"/sections"), map[string]any{"name": "x"}),
		"renaming a section":          bob.do("PATCH", d.org("/tasklists/"+listID+"/sections/"+secs[0]), map[string]any{"name": "x"}),
		"a new top-level task":        bob.do("POST", d.org("/tasklists/"+listID+"/tasks"), map[string]any{"title": "x"}),
		"a new label":                 bob.do("POST", d.org("/tasklists/"+listID+"/labels"), map[string]any{"name": "x", "color": "red"}),
		"a subtask under another":     bob.do("POST", d.org("/tasklists/"+listID+"/tasks"), map[string]any{"title": "x", "parent_id": other}),
	} {
		wantCode(t, "Bob: "+name, r, 404, "not_found")
	}
	if lists := bob.must(200, "GET", d.org("/tasklists"), nil); lists["total"].(float64) != 0 {
		t.Fatalf("Bob lists: %v", lists)
	}
	// As editor of the shared task Bob may add its subtasks.
	tkTask(t, bob, d, listID, map[string]any{"title": "Bob's subtask", "parent_id": shared})

	// A guest: an organisation list is not theirs, a shared task is.
	org := tkList(t, d.c, d, map[string]any{"name": "Everyone", "owner_kind": "organisation"})["id"].(string)
	orgTask := tkTask(t, d.c, d, org, map[string]any{"title": "For everyone"})["id"].(string)
	forGuest := tkTask(t, d.c, d, org, map[string]any{"title": "For the guest"})["id"].(string)
	bob.must(200, "GET", d.org("/tasklists/"+org), nil)
	wantCode(t, "guest reads the organisation's list", guest.do("GET", d.org("/tasklists/"+org), nil), 404, "not_found")
	wantCode(t, "guest reads its task", guest.do("GET", d.org("/tasks/"+orgTask), nil), 404, "not_found")
	d.c.must(200, "PUT", d.org("/tasks/"+forGuest+"/shares"), map[string]any{"principal_type": "user", "principal_id": guestID, "role": "viewer"})
	guest.must(200, "GET", d.org("/tasks/"+forGuest), nil)
	wantCode(t, "guest edits a task shared as viewer", guest.do("PATCH", d.org("/tasks/"+forGuest), map[string]any{"title": "x"}), 403, "forbidden")
	if lists := guest.must(200, "GET", d.org("/tasklists"), nil); lists["total"].(float64) != 0 {
		t.Fatalf("guest lists: %v", lists)
	}
	// Bob, an editor, cannot give more than he holds; a viewer cannot share at all.
	wantCode(t, "Bob shares as a role above his", bob.do("PUT", d.org("/tasks/"+shared+"/shares"), map[string]any{"principal_type": "user", "principal_id": guestID, "role": "manager"}), 400, "invalid_role")
	bob.must(200, "PUT", d.org("/tasks/"+shared+"/shares"), map[string]any{"principal_type": "user", "principal_id": guestID, "role": "viewer"})
	wantCode(t, "guest shares", guest.do("PUT", d.org("/tasks/"+forGuest+"/shares"), map[string]any{"principal_type": "user", "principal_id": bobID, "role": "viewer"}), 403, "forbidden")
	// Unsharing ends it at once.
	d.c.must(204, "DELETE", d.org("/tasks/"+shared+"/shares/user/"+bobID), nil)
	wantCode(t, "Bob after the unshare", bob.do("GET", d.org("/tasks/"+shared), nil), 404, "not_found")
}

// TestTaskBadInputChangesNothing: a due date before the start, an assignee of another
// organisation, a dependency on another organisation's task, a section of another list, a
// subtask past the depth cap and a rule whose COUNT is over the cap each get a clear 4xx, and
// leave the list as it was.
func TestTaskBadInputChangesNothing(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Strict", "owner@strict.example")
	b := e.mustDir("Other", "owner@other.example")
	_, outsider := e.mustJoin(b.mustInvite(nil), "outsider@other.example")
	theirs := tkTask(t, b.c, b, tkList(t, b.c, b, map[string]any{"name": "Theirs", "owner_kind": "person"})["id"].(string), map[string]any{"title": "Theirs"})["id"].(string)
	l := tkList(t, d.c, d, map[string]any{"name": "Mine", "owner_kind": "person"})
	listID := l["id"].(string)
	otherList := tkList(t, d.c, d, map[string]any{"name": "Another", "owner_kind": "person"})
	task := tkTask(t, d.c, d, listID, map[string]any{"title": "Base"})
	taskID := task["id"].(string)
	// A chain of subtasks to the cap.
	deepest := taskID
	for range 8 {
		deepest = tkTask(t, d.c, d, listID, map[string]any{"title": "deeper", "parent_id": deepest})["id"].(string)
	}
	before := e.tkCount(t, `SELECT count(*) FROM tasks`)
	beforeDeps := e.tkCount(t, `SELECT count(*) FROM task_dependencies`)
	beforeAssignees := e.tkCount(t, `SELECT count(*) FROM task_assignees`)
	tasksURL := d.org("/tasklists/" + listID + "/tasks")
	start, due := "2026-05-10T09:00:00Z", "2026-05-09T09:00:00Z"
	for _, tc := range []struct {
		what   string
		res    response
		status int
		code   string
	}{
		{"due before start", d.c.do("POST", tasksURL, map[string]any{"title": "x", "start_at": start, "due_at": due, "due_tz": "UTC"}), 400, "due_before_start"},
		{"due before start, on update", d.c.do("PATCH", d.org("/tasks/"+taskID), map[string]any{"start_at": start, "due_at": due, "due_tz": "UTC"}), 400, "due_before_start"},
		{"a date without a time zone", d.c.do("POST", tasksURL, map[string]any{"title": "x", "due_at": due}), 400, "missing_field"},
		{"an unknown time zone", d.c.do("POST", tasksURL, map[string]any{"title": "x", "due_at": due, "due_tz": "Mars/Olympus"}), 400, "invalid_time_zone"},
		{"an assignee of another organisation", d.c.do("POST", tasksURL, map[string]any{"title": "x", "assignee_ids": []string{outsider}}), 400, "unknown_member"},
		{"an assignee of another organisation, on update", d.c.do("PATCH", d.org("/tasks/"+taskID), map[string]any{"assignee_ids": []string{outsider}}), 400, "unknown_member"},
		{"a dependency on another organisation's task", d.c.do("POST", d.org("/tasks/"+taskID+"/dependencies"), map[string]any{"blocked_by_id": theirs}), 404, "not_found"},
		{"a section of another list", d.c.do("POST", tasksURL, map[string]any{"title": "x", "section_id": tkSections(otherList)[0]}), 400, "unknown_section"},
		{"a move to a section of another list", d.c.do("POST", d.org("/tasks/"+taskID+"/move"), map[string]any{"section_id": tkSections(otherList)[0]}), 400, "unknown_section"},
		{"a subtask past the depth cap", d.c.do("POST", tasksURL, map[string]any{"title": "too deep", "parent_id": deepest}), 400, "too_deep"},
		{"a rule with COUNT over the cap", d.c.do("POST", tasksURL, map[string]any{"title": "x", "due_at": due, "due_tz": "UTC", "rrule": "FREQ=DAILY;COUNT=5000"}), 400, "rrule_count_too_large"},
		{"a rule more often than daily", d.c.do("PATCH", d.org("/tasks/"+taskID), map[string]any{"due_at": due, "due_tz": "UTC", "rrule": "FREQ=MINUTELY"}), 400, "rrule_too_frequent"},
		{"a rule without a due date", d.c.do("POST", tasksURL, map[string]any{"title": "x", "rrule": "FREQ=DAILY"}), 400, "rrule_needs_due"},
		{"a priority out of range", d.c.do("POST", tasksURL, map[string]any{"title": "x", "priority": 9}), 400, "invalid_priority"},
		{"an empty title", d.c.do("POST", tasksURL, map[string]any{"title": "  "}), 400, "missing_field"},
		{"a title too long", d.c.do("POST", tasksURL, map[string]any{"title": string(make([]byte, 501))}), 400, "control_character"},
		{"a parent in another list", d.c.do("POST", d.org("/tasklists/"+otherList["id"].(string)+"/tasks"), map[string]any{"title": "x", "parent_id": taskID}), 404, "not_found"},
	} {
		wantCode(t, tc.what, tc.res, tc.status, tc.code)
	}
	if n := e.tkCount(t, `SELECT count(*) FROM tasks`); n != before {
		t.Fatalf("%d tasks, want %d", n, before)
	}
	if n := e.tkCount(t, `SELECT count(*) FROM task_dependencies`); n != beforeDeps {
		t.Fatalf("%d dependencies, want %d", n, beforeDeps)
	}
	if n := e.tkCount(t, `SELECT count(*) FROM task_assignees`); n != beforeAssignees {
		t.Fatalf("%d assignees, want %d", n, beforeAssignees)
	}
	got := d.c.must(200, "GET", d.org("/tasks/"+taskID), nil)
	if got["due_at"] != nil || got["start_at"] != nil || got["rrule"] != "" || got["section_id"] != task["section_id"] || got["rank"] != task["rank"] {
		t.Fatalf("the task changed: %v", got)
	}
}

// TestTaskIdempotencyKeys: the admin API's creations with an Idempotency-Key: the same key and
// body returns the first result (201, the same resource) and makes nothing more; the same key
// with another body is 422 idempotency_mismatch. A task made by an API token is audited.
func TestTaskIdempotencyKeys(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Idem", "owner@idem.example")
	dept := d.mustDept("", "HR")
	it := e.tokenClient(d.c.must(201, "POST", d.org("/tokens"), map[string]any{"name": "hr sync"})["secret"].(string))
	post := func(path, key string, body string) response {
		return it.rawWith("POST", path, "application/json", []byte(body), map[string]string{"Idempotency-Key": key})
	}
	listBody := `{"name":"Onboarding","owner_kind":"department","owner_id":"` + dept + `"}`
	first := post(d.org("/tasklists"), "list-1", listBody)
	again := post(d.org("/tasklists"), "list-1", listBody)
	if first.status != 201 || again.status != 201 || first.json(t)["id"] != again.json(t)["id"] {
		t.Fatalf("the same list request twice: %d %s / %d %s", first.status, first.body, again.status, again.body)
	}
	listID := first.json(t)["id"].(string)
	if n := e.tkCount(t, `SELECT count(*) FROM task_lists`); n != 1 {
		t.Fatalf("%d lists", n)
	}
	wantCode(t, "the key with another list body", post(d.org("/tasklists"), "list-1", `{"name":"Other","owner_kind":"department","owner_id":"`+dept+`"}`), 422, "idempotency_mismatch")
	taskBody := `{"title":"Laptop for Ada"}`
	t1 := post(d.org("/tasklists/"+listID+"/tasks"), "task-1", taskBody)
	t2 := post(d.org("/tasklists/"+listID+"/tasks"), "task-1", taskBody)
	if t1.status != 201 || t2.status != 201 || t1.json(t)["id"] != t2.json(t)["id"] {
		t.Fatalf("the same task request twice: %d %s / %d %s", t1.status, t1.body, t2.status, t2.body)
	}
	wantCode(t, "the key with another task body", post(d.org("/tasklists/"+listID+"/tasks"), "task-1", `{"title":"Laptop for Bob"}`), 422, "idempotency_mismatch")
	// Concurrent requests with one key make one task.
	res := make(chan response, 4)
	for range 4 {
		go func() { res <- post(d.org("/tasklists/"+listID+"/tasks"), "task-2", `{"title":"Badge"}`) }()
	}
	ids := map[any]bool{}
	for range 4 {
		r := <-res
		if r.status != 201 {
			t.Fatalf("concurrent: %d %s", r.status, r.body)
		}
		ids[r.json(t)["id"]] = true
	}
	if len(ids) != 1 {
		t.Fatalf("concurrent requests with one key made %d tasks", len(ids))
	}
	if n := e.tkCount(t, `SELECT count(*) FROM tasks`); n != 2 {
		t.Fatalf("%d tasks, want 2", n)
	}
	wantCode(t, "a key that is not printable ASCII", it.rawWith("POST", d.org("/tasklists/"+listID+"/tasks"), "application/json", []byte(taskBody),
		map[string]string{"Idempotency-Key": "ключ"}), 400, "invalid_idempotency_key")
	// Keys older than a day are forgotten by the sweeper.
	if err := e.stack.db.Exec(`UPDATE idempotency_keys SET created_at = created_at - interval '25 hours' WHERE key = 'task-1'`).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := e.stack.tasks.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := e.tkCount(t, `SELECT count(*) FROM idempotency_keys`); n != 2 {
		t.Fatalf("%d keys after the sweep, want 2", n)
	}
	var actions []string
	for _, it := range d.c.must(200, "GET", d.admin("/audit"), nil)["items"].([]any) {
		entry := it.(map[string]any)
		if entry["action"] == "tasks.task_create" && entry["token_id"] != nil {
			actions = append(actions, entry["target_id"].(string))
		}
	}
	if len(actions) != 2 {
		t.Fatalf("audited task creations by the token: %v", actions)
	}
}

// TestTaskSoftDeleteAndRestore: a deleted task or list answers 404 to everyone; its manager
// (only) restores it within 30 days; after that the restore is 409 restore_expired, and the
// sweeper purges it.
func TestTaskSoftDeleteAndRestore(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Trash", "owner@trash.example")
	member, _ := e.mustJoin(d.mustInvite(nil), "member@trash.example")
	l := tkList(t, d.c, d, map[string]any{"name": "Team", "owner_kind": "organisation"})
	listID := l["id"].(string)
	task := tkTask(t, member, d, listID, map[string]any{"title": "Mine"})["id"].(string)
	sub := tkTask(t, member, d, listID, map[string]any{"title": "Sub", "parent_id": task})["id"].(string)
	other := tkTask(t, d.c, d, listID, map[string]any{"title": "Owner's"})["id"].(string)
	wantCode(t, "a member deletes another's task", member.do("DELETE", d.org("/tasks/"+other), nil), 403, "forbidden")
	// The creator may delete their own task; only a manager restores it.
	member.must(204, "DELETE", d.org("/tasks/"+task), nil)
	for _, id := range []string{task, sub} {
		wantCode(t, "reading a deleted task", d.c.do("GET", d.org("/tasks/"+id), nil), 404, "not_found")
	}
	wantCode(t, "a member restores", member.do("POST", d.org("/tasks/"+task+"/restore"), nil), 404, "not_found")
	if got := d.c.must(200, "POST", d.org("/tasks/"+task+"/restore"), nil); got["deleted_at"] != nil {
		t.Fatalf("restored: %v", got)
	}
	d.c.must(200, "GET", d.org("/tasks/"+sub), nil)
	// Past 30 days.
	d.c.must(204, "DELETE", d.org("/tasks/"+task), nil)
	if err := e.stack.db.Exec(`UPDATE tasks SET deleted_at = deleted_at - interval '31 days' WHERE deleted_at IS NOT NULL`).Error; err != nil {
		t.Fatal(err)
	}
	wantCode(t, "restoring after 30 days", d.c.do("POST", d.org("/tasks/"+task+"/restore"), nil), 409, "restore_expired")

	// The list.
	wantCode(t, "a member deletes the list", member.do("DELETE", d.org("/tasklists/"+listID), nil), 403, "forbidden")
	d.c.must(204, "DELETE", d.org("/tasklists/"+listID), nil)
	wantCode(t, "reading a deleted list", member.do("GET", d.org("/tasklists/"+listID), nil), 404, "not_found")
	wantCode(t, "a task of a deleted list", member.do("GET", d.org("/tasks/"+other), nil), 404, "not_found")
	if got := d.c.must(200, "GET", d.org("/tasklists?deleted=true"), nil); fmt.Sprint(tkIDs(got)) != fmt.Sprint([]string{listID}) {
		t.Fatalf("deleted lists as the owner: %v", got)
	}
	if got := member.must(200, "GET", d.org("/tasklists?deleted=true"), nil); got["total"].(float64) != 0 {
		t.Fatalf("deleted lists as a member: %v", got)
	}
	wantCode(t, "a member restores the list", member.do("POST", d.org("/tasklists/"+listID+"/restore"), nil), 404, "not_found")
	d.c.must(200, "POST", d.org("/tasklists/"+listID+"/restore"), nil)
	member.must(200, "GET", d.org("/tasks/"+other), nil)
	d.c.must(204, "DELETE", d.org("/tasklists/"+listID), nil)
	if err := e.stack.db.Exec(`UPDATE task_lists SET deleted_at = deleted_at - interval '31 days'`).Error; err != nil {
		t.Fatal(err)
	}
	wantCode(t, "restoring the list after 30 days", d.c.do("POST", d.org("/tasklists/"+listID+"/restore"), nil), 409, "restore_expired")
	if _, err := e.stack.tasks.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := e.tkCount(t, `SELECT count(*) FROM tasks`) + e.tkCount(t, `SELECT count(*) FROM task_lists`); n != 0 {
		t.Fatalf("%d rows left after the sweep", n)
	}
}

// TestTaskRecurrenceMakesTheNextOccurrence: completing an occurrence of a weekly task makes the
// next one, due at the recurrence rule's next date in the task's zone, with its subtasks copied
// open; completing it again makes no second one.
func TestTaskRecurrenceMakesTheNextOccurrence(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Repeat", "owner@repeat.example")
	l := tkList(t, d.c, d, map[string]any{"name": "Weekly", "owner_kind": "person"})
	listID := l["id"].(string)
	const rule = "FREQ=WEEKLY;BYDAY=MO"
	due := "2026-03-23T01:00:00Z" // Monday 09:00 in Shanghai
	task := tkTask(t, d.c, d, listID, map[string]any{"title": "Weekly report", "due_at": due, "start_at": "2026-03-22T01:00:00Z",
		"due_tz": "Asia/Shanghai", "rrule": rule})
	id := task["id"].(string)
	s1 := tkTask(t, d.c, d, listID, map[string]any{"title": "Collect numbers", "parent_id": id})["id"].(string)
	tkTask(t, d.c, d, listID, map[string]any{"title": "Write it up", "parent_id": id})
	d.c.must(200, "POST", d.org("/tasks/"+s1+"/complete"), nil)
	done := d.c.must(200, "POST", d.org("/tasks/"+id+"/complete"), nil)
	next, ok := done["next"].(map[string]any)
	if !ok || done["task"].(map[string]any)["status"] != "done" {
		t.Fatalf("complete: %v", done)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	dueAt, _ := time.Parse(time.RFC3339, due)
	want, more, err := recurrence.New().Next(rule, dueAt.In(loc), dueAt.In(loc))
	if err != nil || !more {
		t.Fatal(err)
	}
	if next["due_at"] != want.UTC().Format(time.RFC3339) || next["start_at"] != want.Add(-24*time.Hour).UTC().Format(time.RFC3339) ||
		next["status"] != "open" || next["rrule"] != rule || next["series_id"] != task["series_id"] || next["due_tz"] != "Asia/Shanghai" {
		t.Fatalf("next occurrence %v, want due %s", next, want.UTC())
	}
	subs := d.c.must(200, "GET", d.org("/tasks/"+next["id"].(string)+"/subtasks"), nil)
	if subs["total"].(float64) != 2 {
		t.Fatalf("next occurrence's subtasks: %v", subs)
	}
	for _, it := range subs["items"].([]any) {
		if it.(map[string]any)["status"] != "open" {
			t.Fatalf("a subtask of the next occurrence is not open: %v", it)
		}
	}
	d.c.must(200, "POST", d.org("/tasks/"+id+"/reopen"), nil)
	if again := d.c.must(200, "POST", d.org("/tasks/"+id+"/complete"), nil); again["next"] != nil {
		t.Fatalf("completing the same occurrence again made another: %v", again["next"])
	}
	if n := e.tkCount(t, `SELECT count(*) FROM tasks WHERE parent_id IS NULL`); n != 2 {
		t.Fatalf("%d occurrences, want 2", n)
	}
}

// TestTaskDepartmentAdminsAndNarrowedTokens: a department admin makes and manages the lists of
// their subtree and not others'; a token narrowed to tasks.read reads but cannot write.
func TestTaskDepartmentAdminsAndNarrowedTokens(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Depts", "owner@depts.example")
	dept := d.mustDept("", "Sales")
	child := d.mustDept(dept, "Sales North")
	sibling := d.mustDept("", "Finance")
	admin, adminID := e.mustJoin(d.mustInvite(nil), "admin@depts.example")
	d.mustAssign(adminID, d.builtinRole("department_admin"), dept)
	mine := tkList(t, admin, d, map[string]any{"name": "Sales plan", "owner_kind": "department", "owner_id": dept})
	if mine["level"] != "manage" {
		t.Fatalf("the admin's list: %v", mine)
	}
	tkList(t, admin, d, map[string]any{"name": "North plan", "owner_kind": "department", "owner_id": child})
	wantCode(t, "a list for another department", admin.do("POST", d.org("/tasklists"), map[string]any{"name": "x", "owner_kind": "department", "owner_id": sibling}), 403, "forbidden")
	wantCode(t, "a list for the organisation", admin.do("POST", d.org("/tasklists"), map[string]any{"name": "x", "owner_kind": "organisation"}), 403, "forbidden")
	byOwner := tkList(t, d.c, d, map[string]any{"name": "North targets", "owner_kind": "department", "owner_id": child})["id"].(string)
	theirs := tkList(t, d.c, d, map[string]any{"name": "Budget", "owner_kind": "department", "owner_id": sibling})["id"].(string)
	admin.must(200, "PATCH", d.org("/tasklists/"+byOwner), map[string]any{"name": "North targets 2026"})
	admin.must(204, "DELETE", d.org("/tasklists/"+byOwner), nil)
	admin.must(200, "POST", d.org("/tasklists/"+byOwner+"/restore"), nil)
	wantCode(t, "another department's list", admin.do("GET", d.org("/tasklists/"+theirs), nil), 404, "not_found")
	wantCode(t, "deleting another department's list", admin.do("DELETE", d.org("/tasklists/"+theirs), nil), 404, "not_found")
	if got := admin.must(200, "GET", d.org("/tasklists"), nil); got["total"].(float64) != 3 {
		t.Fatalf("the admin's lists: %v", got)
	}

	// A token narrowed to tasks.read.
	reader := e.tokenClient(d.c.must(201, "POST", d.org("/tokens"), map[string]any{"name": "reader", "scopes": []string{"tasks.read"}})["secret"].(string))
	task := tkTask(t, d.c, d, theirs, map[string]any{"title": "Close the books"})["id"].(string)
	reader.must(200, "GET", d.org("/tasklists"), nil)
	reader.must(200, "GET", d.org("/tasks/"+task), nil)
	wantCode(t, "the reader makes a task", reader.do("POST", d.org("/tasklists/"+theirs+"/tasks"), map[string]any{"title": "x"}), 403, "forbidden")
	wantCode(t, "the reader edits a task", reader.do("PATCH", d.org("/tasks/"+task), map[string]any{"title": "x"}), 403, "forbidden")
	wantCode(t, "the reader makes a list", reader.do("POST", d.org("/tasklists"), map[string]any{"name": "x", "owner_kind": "person"}), 403, "forbidden")
	if got := d.c.must(200, "GET", d.org("/tasks/"+task), nil); got["title"] != "Close the books" {
		t.Fatalf("the task changed: %v", got)
	}
}

// TestTaskEventsReachOnlyWhoMaySee: the board events of an organisation's list name the whole
// organisation, and the dispatcher's read check keeps a guest out of them unless the task is
// shared with them.
func TestTaskEventsReachOnlyWhoMaySee(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Live", "owner@live.example")
	_, memberID := e.mustJoin(d.mustInvite(nil), "member@live.example")
	_, guestID := e.mustJoin(d.mustInvite(map[string]any{"role": "guest"}), "guest@live.example")
	listID := tkList(t, d.c, d, map[string]any{"name": "Everyone", "owner_kind": "organisation"})["id"].(string)
	task := tkTask(t, d.c, d, listID, map[string]any{"title": "Live"})["id"].(string)
	users := []uuid.UUID{uuid.MustParse(memberID), uuid.MustParse(guestID)}
	see := func(subjectType, id string) []uuid.UUID {
		t.Helper()
		got, err := e.stack.tasks.Visibility().CanSee(context.Background(), appevents.Event{Type: "tasks.board_changed", OrgID: uuid.MustParse(d.orgID),
			SubjectType: subjectType, SubjectID: uuid.MustParse(id)}, users)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := see("task", task); len(got) != 1 || got[0] != users[0] {
		t.Fatalf("a task of the organisation's list reaches %v", got)
	}
	if got := see("task_list", listID); len(got) != 1 || got[0] != users[0] {
		t.Fatalf("the organisation's list reaches %v", got)
	}
	d.c.must(200, "PUT", d.org("/tasks/"+task+"/shares"), map[string]any{"principal_type": "user", "principal_id": guestID, "role": "viewer"})
	if got := see("task", task); len(got) != 2 {
		t.Fatalf("the task shared with the guest reaches %v", got)
	}
	if got := see("task_list", listID); len(got) != 1 {
		t.Fatalf("the list, after a task of it was shared with the guest, reaches %v", got)
	}
}
