package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"
)

// stmtKey marks the context of a request whose database statements are counted.
type stmtKey struct{}

// stmtLog collects the statements made for one request.
type stmtLog struct {
	mu   sync.Mutex
	sqls []string
}

func (l *stmtLog) add(sql string) {
	l.mu.Lock()
	l.sqls = append(l.sqls, strings.Join(strings.Fields(sql), " "))
	l.mu.Unlock()
}

// countStatements installs gorm callbacks on db that record every statement made in a context
// carrying a *stmtLog (the dispatcher's and other background work is not counted), and returns
// a client of a server in front of the stack's that puts a fresh log into each request's
// context; each call of the returned function sends one request as c and returns its statements.
func countStatements(t *testing.T, e *testEnv, db *gorm.DB, c *client) func(method, path string, body any) (response, []string) {
	t.Helper()
	record := func(tx *gorm.DB) {
		if l, ok := tx.Statement.Context.Value(stmtKey{}).(*stmtLog); ok {
			l.add(tx.Statement.SQL.String())
		}
	}
	cb := db.Callback()
	for _, err := range []error{
		cb.Query().After("gorm:query").Register("test:count_query", record),
		cb.Raw().After("gorm:raw").Register("test:count_raw", record),
		cb.Row().After("gorm:row").Register("test:count_row", record),
		cb.Update().After("gorm:update").Register("test:count_update", record),
		cb.Create().After("gorm:create").Register("test:count_create", record),
		cb.Delete().After("gorm:delete").Register("test:count_delete", record),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var current *stmtLog
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		l := current
		mu.Unlock()
		e.srv.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), stmtKey{}, l)))
	}))
	t.Cleanup(front.Close)
	// The same browser (its cookies are the host's, whatever the port), through the front server.
	fc := *c
	fc.base = front.URL
	return func(method, path string, body any) (response, []string) {
		l := &stmtLog{}
		mu.Lock()
		current = l
		mu.Unlock()
		res := fc.do(method, path, body)
		l.mu.Lock()
		defer l.mu.Unlock()
		return res, append([]string(nil), l.sqls...)
	}
}

// TestTaskRequestsMakeFewStatements: the requests of a board and of My tasks make a number of
// database statements that does not grow with the page: the side data of a page (assignees,
// followers, labels, progress, blockers, names) and the access to its tasks are read in batches,
// not per task, and a move reads the task once.
func TestTaskRequestsMakeFewStatements(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Counted", "owner@counted.example")
	member, memberID := e.mustJoin(d.mustInvite(nil), "member@counted.example")
	other, otherID := e.mustJoin(d.mustInvite(nil), "other@counted.example")
	dept := d.mustDept("", "Ops")
	d.c.must(204, "PUT", d.admin("/departments/"+dept+"/members/"+memberID), map[string]any{})
	group := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Crew"})["id"].(string)
	d.c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+memberID), map[string]any{})

	// Five lists the member reaches in as many ways, 12 tasks assigned to them in each, with
	// descriptions, labels, a follower, subtasks and blockers.
	lists := []map[string]any{
		tkList(t, d.c, d, map[string]any{"name": "Org", "owner_kind": "organisation", "sections": []string{"A", "B"}}),
		tkList(t, d.c, d, map[string]any{"name": "Dept", "owner_kind": "department", "owner_id": dept}),
		tkList(t, d.c, d, map[string]any{"name": "Group", "owner_kind": "group", "owner_id": group}),
		tkList(t, other, d, map[string]any{"name": "Theirs", "owner_kind": "person"}),
		tkList(t, member, d, map[string]any{"name": "Mine", "owner_kind": "person"}),
	}
	var first []string
	for li, l := range lists {
		c := d.c
		switch li {
		case 3:
			c = other
		case 4:
			c = member
		}
		listID := l["id"].(string)
		label := c.must(201, "POST", d.org("/tasklists/"+listID+"/labels"), map[string]any{"name": "L", "color": "#00ff00"})["id"].(string)
		var prev string
		for i := range 12 {
			body := map[string]any{"title": fmt.Sprintf("%s %d", l["name"], i), "assignee_ids": []string{memberID},
				"due_at": fmt.Sprintf("2030-01-%02dT10:00:00Z", i+1), "due_tz": "Asia/Shanghai"}
			if i%2 == 0 {
				body["description"] = fmt.Sprintf("**step %d** of the plan", i)
				body["label_ids"] = []string{label}
				body["follower_ids"] = []string{otherID}
			}
			task := tkTask(t, c, d, listID, body)
			id := task["id"].(string)
			if i%3 == 0 {
				tkTask(t, c, d, listID, map[string]any{"title": "sub", "parent_id": id})
			}
			if i%4 == 1 && prev != "" {
				c.must(201, "POST", d.org("/tasks/"+id+"/dependencies"), map[string]any{"blocked_by_id": prev})
			}
			if i == 0 {
				first = append(first, id)
			}
			prev = id
		}
	}
	// A blocker in a list the member cannot see.
	hidden := tkList(t, other, d, map[string]any{"name": "Hidden", "owner_kind": "person"})
	blocker := tkTask(t, other, d, hidden["id"].(string), map[string]any{"title": "secret"})["id"].(string)
	other.must(201, "POST", d.org("/tasks/"+first[3]+"/dependencies"), map[string]any{"blocked_by_id": blocker})

	send := countStatements(t, e, e.stack.db, member)
	orgList := lists[0]["id"].(string)
	for i := range 38 {
		tkTask(t, member, d, orgList, map[string]any{"title": fmt.Sprintf("more %d", i), "description": "a *list* task"})
	}
	secs := tkSections(lists[0])
	card := first[0]

	type req struct{ name, method, path string }
	reqs := []req{
		{"GET /me/tasks (50)", "GET", d.org("/me/tasks?tz=Asia/Shanghai&limit=50")},
		{"GET /me/tasks (5)", "GET", d.org("/me/tasks?tz=Asia/Shanghai&limit=5")},
		{"GET /tasklists/{id}/tasks (50)", "GET", d.org("/tasklists/" + orgList + "/tasks?limit=50")},
		{"GET /tasklists/{id}/tasks (5)", "GET", d.org("/tasklists/" + orgList + "/tasks?limit=5")},
		{"GET /tasks/{id}", "GET", d.org("/tasks/" + card)},
	}
	counts := map[string]int{}
	for _, r := range reqs {
		res, sqls := send(r.method, r.path, nil)
		if res.status != 200 {
			t.Fatalf("%s: %d %s", r.name, res.status, res.body)
		}
		if r.name == "GET /me/tasks (50)" || r.name == "GET /tasklists/{id}/tasks (50)" {
			if n := len(res.json(t)["items"].([]any)); n != 50 {
				t.Fatalf("%s: %d items", r.name, n)
			}
		}
		counts[r.name] = len(sqls)
		t.Logf("%s: %d statements", r.name, len(sqls))
		for _, s := range sqls {
			t.Logf("    %.160s", s)
		}
	}
	res, sqls := send("POST", d.org("/tasks/"+card+"/move"), map[string]any{"section_id": secs[1]})
	if res.status != 200 {
		t.Fatalf("move: %d %s", res.status, res.body)
	}
	counts["POST /tasks/{id}/move"] = len(sqls)
	t.Logf("POST /tasks/{id}/move: %d statements", len(sqls))
	for _, s := range sqls {
		t.Logf("    %.160s", s)
	}

	// A page of 50 costs what a page of 5 does.
	for _, p := range []string{"GET /me/tasks", "GET /tasklists/{id}/tasks"} {
		if big, small := counts[p+" (50)"], counts[p+" (5)"]; big != small {
			t.Errorf("%s: %d statements for 50 tasks, %d for 5: some are made per task", p, big, small)
		}
	}
	// The budgets (docs/performance.md): 3 statements authenticate the request, 1 counts it
	// against the caller's rate limit (shared by the replicas), and 1 reads who
	// the member is (their groups and departments). Then a page is its query, its side data
	// with what reaches each task, and the grants of its lists; a task is itself with its grant,
	// and its side data; a move reads the task with its grant, then in the transaction takes the
	// list's lock, reads the task again, the neighbours' ranks, writes the place, the history,
	// reads the audience and writes the event (2), and answers with the side data.
	for name, budget := range map[string]int{"GET /me/tasks (50)": 8, "GET /tasklists/{id}/tasks (50)": 8, "GET /tasks/{id}": 7,
		"POST /tasks/{id}/move": 15} {
		if counts[name] > budget {
			t.Errorf("%s: %d statements, more than its budget of %d", name, counts[name], budget)
		}
	}
}
