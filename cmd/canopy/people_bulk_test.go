package main

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// Bulk actions on people (POST .../people/bulk): the contract is docs/accounts.md's "Bulk
// actions on people"; each test below checks what it promises through the API.

// bulkPath is the bulk route of d.
func (d dir) bulkPath() string { return d.admin("/people/bulk") }

// primaryAndOthers returns a member's primary department and their other departments, as the
// people table shows them.
func (d dir) primaryAndOthers(userID string) (string, []string) {
	d.t.Helper()
	p, ok := d.peopleDepartments()[userID]
	if !ok {
		d.t.Fatalf("%s is not in the people table", userID)
	}
	return p[0].(string), p[1].([]string)
}

func splitDepartments(ds []any) (string, []string) {
	primary, others := "", []string{}
	for _, x := range ds {
		m := x.(map[string]any)
		id, _ := m["id"].(string)
		if m["primary"] == true {
			primary = id
		} else {
			others = append(others, id)
		}
	}
	sort.Strings(others)
	return primary, others
}

// peopleDepartments maps each person of the people table to their departments (primary, others).
func (d dir) peopleDepartments() map[string][2]any {
	d.t.Helper()
	out := map[string][2]any{}
	cursor := ""
	for {
		page := d.c.must(200, "GET", d.admin("/people?limit=200"+cursor), nil)
		for _, x := range page["items"].([]any) {
			p := x.(map[string]any)
			primary, others := splitDepartments(p["departments"].([]any))
			out[p["user_id"].(string)] = [2]any{primary, others}
		}
		next, _ := page["next_cursor"].(string)
		if next == "" {
			return out
		}
		cursor = "&cursor=" + next
	}
}

// bulkAudit returns the after-details of the newest audit entry of an action.
func (d dir) bulkAudit(action string) (map[string]any, map[string]any) {
	d.t.Helper()
	items := d.c.must(200, "GET", d.admin("/audit?action="+action), nil)["items"].([]any)
	if len(items) == 0 {
		d.t.Fatalf("no audit entry %s", action)
	}
	e := items[0].(map[string]any)
	after, _ := e["after"].(map[string]any)
	return e, after
}

func idsOf(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

func TestPeopleBulkMoveByIDsAndFilter(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Bulk", "o@bulk.example")
	sales := d.mustDept("", "Sales")
	projects := d.mustDept("", "Projects")
	eng := d.mustDept("", "研发部")
	support := d.mustDept("", "Support")
	var people []string
	for i := 0; i < 50; i++ {
		id := d.mustUser(fmt.Sprintf("p%02d@bulk.example", i), fmt.Sprintf("Person %02d", i))
		d.c.must(200, "PUT", d.admin("/users/"+id+"/departments"), map[string]any{"departments": []any{
			map[string]any{"department_id": sales, "primary": true, "leader": i == 0},
			map[string]any{"department_id": projects},
		}})
		people = append(people, id)
	}
	// One person is already in 研发部 as their primary department: skipped, not failed.
	there := d.mustUser("there@bulk.example", "张伟")
	d.c.must(200, "PUT", d.admin("/users/"+there+"/departments"), map[string]any{"departments": []any{map[string]any{"department_id": eng, "primary": true}}})

	got := d.c.must(200, "POST", d.bulkPath(), map[string]any{"action": "move_department", "user_ids": idsOf(append(people, there)), "department_id": eng})
	if got["action"] != "move_department" || got["matched"].(float64) != 51 || got["changed"].(float64) != 50 {
		t.Fatalf("move by ids: %v", got)
	}
	skipped := got["skipped"].([]any)
	if len(skipped) != 1 || skipped[0].(map[string]any)["user_id"] != there || skipped[0].(map[string]any)["name"] != "张伟" ||
		skipped[0].(map[string]any)["reason"] != "already_there" {
		t.Fatalf("skipped: %v", skipped)
	}
	all := d.peopleDepartments()
	for _, id := range people {
		if p := all[id]; p[0] != eng || fmt.Sprint(p[1]) != fmt.Sprint([]string{projects}) {
			t.Fatalf("%s after the move: primary %v, others %v; want %s and [%s]", id, p[0], p[1], eng, projects)
		}
	}
	// The move's side effects are a single move's: the department's own listing has them, the
	// old one no longer does, and each move is in the audit log besides the bulk entry.
	if n := d.c.must(200, "GET", d.org("/departments/"+sales), nil)["member_count"].(float64); n != 0 {
		t.Fatalf("Sales still has %v members", n)
	}
	if n := d.c.must(200, "GET", d.org("/departments/"+eng), nil)["member_count"].(float64); n != 51 {
		t.Fatalf("研发部 has %v members, want 51", n)
	}
	entry, after := d.bulkAudit("member.bulk_move")
	if entry["target_type"] != "department" || entry["target_id"] != eng || after["count"].(float64) != 50 || len(after["user_ids"].([]any)) != 50 {
		t.Fatalf("bulk audit entry: %v", entry)
	}
	if n := len(d.c.must(200, "GET", d.admin("/audit?action=member.departments.set&limit=1000"), nil)["items"].([]any)); n != 50+51 {
		t.Fatalf("%d single move entries, want 101 (51 placements and 50 moves)", n)
	}

	// By a filter: everyone directly in 研发部, 51 people, to Support.
	got = d.c.must(200, "POST", d.bulkPath(), map[string]any{"action": "move_department", "filter": map[string]any{"department_id": eng, "subtree": false}, "department_id": support})
	if got["matched"].(float64) != 51 || got["changed"].(float64) != 51 || len(got["skipped"].([]any)) != 0 {
		t.Fatalf("move by filter: %v", got)
	}
	all = d.peopleDepartments()
	for _, id := range people {
		if p := all[id]; p[0] != support || fmt.Sprint(p[1]) != fmt.Sprint([]string{projects}) {
			t.Fatalf("%s after the filter move: %v", id, p)
		}
	}
	if p := all[there]; p[0] != support || len(p[1].([]string)) != 0 {
		t.Fatalf("张伟 after the filter move: %v", p)
	}
	if _, after := d.bulkAudit("member.bulk_move"); after["filter"].(map[string]any)["department_id"] != eng {
		t.Fatalf("the filter is not in the audit entry: %v", after)
	}
	// A secondary department that becomes the primary one stays once, as the primary.
	got = d.c.must(200, "POST", d.bulkPath(), map[string]any{"action": "move_department", "user_ids": []any{people[0]}, "department_id": projects})
	if p, others := d.primaryAndOthers(people[0]); got["changed"].(float64) != 1 || p != projects || len(others) != 0 {
		t.Fatalf("moved into their secondary department: %v %v %v", got, p, others)
	}
}

func TestPeopleBulkRoleDeactivateAndResend(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Roles", "o@roles.example")
	ownerID := d.ownerID(t)
	adminC, adminID := e.mustJoin(d.mustInvite(map[string]any{"role": "admin"}), "admin@roles.example")
	joinedC, joined := e.mustJoin(d.mustInvite(nil), "joined@roles.example")
	var pending []string
	for i := 0; i < 3; i++ {
		pending = append(pending, d.mustUser(fmt.Sprintf("new%d@roles.example", i), fmt.Sprintf("New %d", i)))
	}

	// Change role: the owner and those already admins are skipped.
	sel := idsOf(append([]string{ownerID, adminID, joined}, pending...))
	got := d.c.must(200, "POST", d.bulkPath(), map[string]any{"action": "change_role", "user_ids": sel, "role": "admin"})
	if got["matched"].(float64) != 6 || got["changed"].(float64) != 4 || fmt.Sprint(reasons(got)) != fmt.Sprint(map[string]string{ownerID: "owner", adminID: "same_role"}) {
		t.Fatalf("change role: %v", got)
	}
	for _, id := range append([]string{joined}, pending...) {
		if r := d.c.must(200, "GET", d.admin("/users/"+id), nil)["role"]; r != "admin" {
			t.Fatalf("%s is %v after the change", id, r)
		}
	}
	// An admin who demotes a selection that holds themself is skipped: their own role is not
	// changed in passing.
	self := adminC.must(200, "POST", d.bulkPath(), map[string]any{"action": "change_role", "user_ids": idsOf([]string{adminID, pending[0]}), "role": "member"})
	if self["changed"].(float64) != 1 || fmt.Sprint(reasons(self)) != fmt.Sprint(map[string]string{adminID: "self"}) {
		t.Fatalf("change role with oneself: %v", self)
	}
	if r := d.c.must(200, "GET", d.admin("/users/"+adminID), nil)["role"]; r != "admin" {
		t.Fatalf("the admin is %v after demoting a selection with themself", r)
	}
	if r := d.c.must(200, "GET", d.admin("/users/"+pending[0]), nil)["role"]; r != "member" {
		t.Fatalf("%s is %v after the demotion", pending[0], r)
	}
	adminC.must(200, "POST", d.bulkPath(), map[string]any{"action": "change_role", "user_ids": idsOf([]string{pending[0]}), "role": "admin"})
	if _, after := d.bulkAudit("member.bulk_change_role"); after["role"] != "admin" || after["count"].(float64) != 1 {
		t.Fatalf("change role audit: %v", after)
	}
	d.c.must(200, "POST", d.bulkPath(), map[string]any{"action": "change_role", "user_ids": idsOf(append([]string{joined}, pending...)), "role": "member"})

	// Resend activation: only to those still waiting for it (new mail for each of them).
	before := map[string]int64{}
	for i := range pending {
		before[pending[i]] = e.outboxCount(`"to" = ? AND kind = 'activation'`, fmt.Sprintf("new%d@roles.example", i))
	}
	joinedBefore := e.outboxCount(`"to" = ? AND kind = 'activation'`, "joined@roles.example")
	got = d.c.must(200, "POST", d.bulkPath(), map[string]any{"action": "resend_activation", "user_ids": idsOf(append([]string{joined, ownerID}, pending...))})
	if got["changed"].(float64) != 3 || fmt.Sprint(reasons(got)) != fmt.Sprint(map[string]string{joined: "not_pending", ownerID: "not_pending"}) {
		t.Fatalf("resend: %v", got)
	}
	for i, id := range pending {
		if n := e.outboxCount(`"to" = ? AND kind = 'activation'`, fmt.Sprintf("new%d@roles.example", i)); n != before[id]+1 {
			t.Fatalf("activation mails to %s: %d, want %d", id, n, before[id]+1)
		}
	}
	if n := e.outboxCount(`"to" = ? AND kind = 'activation'`, "joined@roles.example"); n != joinedBefore {
		t.Fatalf("an activated person got an activation mail")
	}
	var tokens int64
	if err := e.stack.db.Raw(`SELECT count(*) FROM activation_tokens WHERE user_id = ? AND used_at IS NULL`, pending[0]).Scan(&tokens).Error; err != nil || tokens < 1 {
		t.Fatalf("activation tokens of %s: %d %v", pending[0], tokens, err)
	}

	// Deactivate: the owner and the caller are skipped; the others lose access at once.
	got = adminC.must(200, "POST", d.bulkPath(), map[string]any{"action": "deactivate", "user_ids": idsOf([]string{ownerID, adminID, joined, pending[0]})})
	if got["changed"].(float64) != 2 || fmt.Sprint(reasons(got)) != fmt.Sprint(map[string]string{ownerID: "owner", adminID: "self"}) {
		t.Fatalf("deactivate: %v", got)
	}
	if r := joinedC.do("GET", d.org(""), nil); r.status != 404 {
		t.Fatalf("a deactivated member still reads the organisation: %d", r.status)
	}
	for _, id := range []string{joined, pending[0]} {
		if s := d.c.must(200, "GET", d.admin("/users/"+id), nil)["status"]; s != "deactivated" {
			t.Fatalf("%s is %v", id, s)
		}
	}
	got = d.c.must(200, "POST", d.bulkPath(), map[string]any{"action": "deactivate", "filter": map[string]any{"status": "deactivated"}})
	if got["matched"].(float64) != 2 || got["changed"].(float64) != 0 || fmt.Sprint(reasons(got)) != fmt.Sprint(map[string]string{joined: "already_deactivated", pending[0]: "already_deactivated"}) {
		t.Fatalf("deactivate the deactivated: %v", got)
	}
	if _, after := d.bulkAudit("member.bulk_deactivate"); after["count"].(float64) != 0 || after["matched"].(float64) != 2 {
		t.Fatalf("deactivate audit: %v", after)
	}
}

// reasons maps each skipped person of a bulk result to the reason.
func reasons(res map[string]any) map[string]string {
	out := map[string]string{}
	for _, x := range res["skipped"].([]any) {
		s := x.(map[string]any)
		out[s["user_id"].(string)] = s["reason"].(string)
	}
	return out
}

func TestPeopleBulkRefusesAndChangesNothing(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Refuse", "o@refuse.example")
	other := e.mustDir("Other", "o@other.example")
	stranger := other.mustUser("s@other.example", "Stranger")
	eng := d.mustDept("", "Engineering")
	backend := d.mustDept(eng, "Backend")
	frontend := d.mustDept(eng, "Frontend")
	sales := d.mustDept("", "Sales")
	var inEng []string
	for i := 0; i < 5; i++ {
		id := d.mustUser(fmt.Sprintf("e%d@refuse.example", i), fmt.Sprintf("Eng %d", i))
		d.c.must(200, "PUT", d.admin("/users/"+id+"/departments"), map[string]any{"departments": []any{map[string]any{"department_id": backend}}})
		inEng = append(inEng, id)
	}
	salesPerson := d.mustUser("s@refuse.example", "Sales person")
	d.c.must(200, "PUT", d.admin("/users/"+salesPerson+"/departments"), map[string]any{"departments": []any{map[string]any{"department_id": sales}}})
	unchanged := func(ids []string, dept string) {
		t.Helper()
		for _, id := range ids {
			if p, _ := d.primaryAndOthers(id); p != dept {
				t.Fatalf("%s moved to %s, want %s still", id, p, dept)
			}
		}
	}
	auditCount := func() int {
		return len(d.c.must(200, "GET", d.admin("/audit?limit=1000"), nil)["items"].([]any))
	}
	entries := auditCount()

	// Bad bodies: 400 with the JSON error body.
	for _, body := range []any{
		map[string]any{"action": "promote", "user_ids": idsOf(inEng)},
		map[string]any{"action": "deactivate"},
		map[string]any{"action": "deactivate", "user_ids": idsOf(inEng), "filter": map[string]any{}},
		map[string]any{"action": "deactivate", "user_ids": []any{}},
		map[string]any{"action": "deactivate", "user_ids": []any{"not-an-id"}},
		map[string]any{"action": "move_department", "user_ids": idsOf(inEng)},
		map[string]any{"action": "move_department", "user_ids": idsOf(inEng), "department_id": "x"},
		map[string]any{"action": "change_role", "user_ids": idsOf(inEng)},
		map[string]any{"action": "change_role", "user_ids": idsOf(inEng), "role": "owner"},
		map[string]any{"action": "deactivate", "filter": map[string]any{"department_id": "nope"}},
		map[string]any{"action": "deactivate", "filter": map[string]any{"status": "gone"}},
		// The nil id is not "no filter": an unset variable in a script must not reach everyone.
		map[string]any{"action": "deactivate", "filter": map[string]any{"department_id": "00000000-0000-0000-0000-000000000000"}},
		map[string]any{"action": "deactivate", "filter": map[string]any{"manager_id": "00000000-0000-0000-0000-000000000000"}},
		map[string]any{"action": "deactivate", "user_ids": idsOf(inEng), "extra": true},
		[]any{},
	} {
		r := d.c.do("POST", d.bulkPath(), body)
		if r.status != 400 || r.errorCode(t) == "" {
			t.Errorf("%v: %d %s, want 400 with an error body", body, r.status, r.body)
		}
	}

	// Too large a selection: 422 naming the count and the cap.
	many := make([]any, 1001)
	for i := range many {
		many[i] = inEng[0]
	}
	if r := d.c.do("POST", d.bulkPath(), map[string]any{"action": "deactivate", "user_ids": many}); r.status != 422 || r.errorCode(t) != "selection_too_large" {
		t.Fatalf("1001 ids: %d %s", r.status, r.body)
	}
	// Another organisation's member, or its department: 404, and nobody moved.
	sel := append(append([]string{}, inEng...), stranger)
	if r := d.c.do("POST", d.bulkPath(), map[string]any{"action": "move_department", "user_ids": idsOf(sel), "department_id": frontend}); r.status != 404 {
		t.Fatalf("a foreign id: %d %s", r.status, r.body)
	}
	otherDept := other.mustDept("", "Theirs")
	if r := d.c.do("POST", d.bulkPath(), map[string]any{"action": "move_department", "user_ids": idsOf(inEng), "department_id": otherDept}); r.status != 404 {
		t.Fatalf("a foreign department: %d %s", r.status, r.body)
	}
	unchanged(inEng, backend)

	// A manager of people whose directory.manage covers Engineering only.
	scoped, scopedID := e.mustJoin(d.mustInvite(nil), "scoped@refuse.example")
	d.mustAssign(scopedID, d.mustRole("People", "members.manage"), "")
	d.mustAssign(scopedID, d.builtinRole("department_admin"), eng)
	// Within the subtree it works.
	scoped.must(200, "POST", d.bulkPath(), map[string]any{"action": "move_department", "user_ids": idsOf(inEng[:1]), "department_id": frontend})
	unchanged(inEng[:1], frontend)
	// Someone outside it, last in the selection: 403, and the first ones did not move either.
	sel = append(append([]string{}, inEng[1:]...), salesPerson)
	if r := scoped.do("POST", d.bulkPath(), map[string]any{"action": "move_department", "user_ids": idsOf(sel), "department_id": frontend}); r.status != 403 {
		t.Fatalf("someone outside the subtree: %d %s", r.status, r.body)
	}
	unchanged(inEng[1:], backend)
	unchanged([]string{salesPerson}, sales)
	// Into a department outside it: 403.
	if r := scoped.do("POST", d.bulkPath(), map[string]any{"action": "move_department", "user_ids": idsOf(inEng[1:]), "department_id": sales}); r.status != 403 {
		t.Fatalf("into a department outside the subtree: %d %s", r.status, r.body)
	}
	unchanged(inEng[1:], backend)
	// members.manage alone makes no admin, in bulk as singly; a token narrowed to it neither.
	if r := scoped.do("PUT", d.admin("/users/"+inEng[1]+"/role"), map[string]any{"role": "admin"}); r.status != 403 {
		t.Fatalf("singly: %d %s", r.status, r.body)
	}
	if r := scoped.do("POST", d.bulkPath(), map[string]any{"action": "change_role", "user_ids": idsOf(inEng), "role": "admin"}); r.status != 403 {
		t.Fatalf("custom role makes admins in bulk: %d %s", r.status, r.body)
	}
	secret := d.c.must(201, "POST", d.org("/tokens"), map[string]any{"name": "narrow", "scopes": []string{"members.manage"}})["secret"].(string)
	narrow := e.tokenClient(secret)
	if r := narrow.do("POST", d.bulkPath(), map[string]any{"action": "change_role", "filter": map[string]any{"role": "member"}, "role": "admin"}); r.status != 403 {
		t.Fatalf("a narrowed token makes admins in bulk: %d %s", r.status, r.body)
	}
	if r := narrow.do("POST", d.bulkPath(), map[string]any{"action": "move_department", "user_ids": idsOf(inEng), "department_id": sales}); r.status != 403 {
		t.Fatalf("a token narrowed to members.manage moves people: %d %s", r.status, r.body)
	}
	// Nor does members.manage deactivate an admin: the whole request is refused.
	_, adminID := e.mustJoin(d.mustInvite(map[string]any{"role": "admin"}), "admin@refuse.example")
	if r := scoped.do("POST", d.bulkPath(), map[string]any{"action": "deactivate", "user_ids": idsOf([]string{inEng[1], adminID})}); r.status != 403 {
		t.Fatalf("deactivating an admin with members.manage: %d %s", r.status, r.body)
	}
	if s := d.c.must(200, "GET", d.admin("/users/"+inEng[1]), nil)["status"]; s != "active" {
		t.Fatalf("a refused deactivation deactivated %s", inEng[1])
	}
	for _, id := range inEng {
		if r := d.c.must(200, "GET", d.admin("/users/"+id), nil)["role"]; r != "member" {
			t.Fatalf("%s became %v", id, r)
		}
	}
	// A member without members.manage: 403.
	plain, _ := e.mustJoin(d.mustInvite(nil), "plain@refuse.example")
	if r := plain.do("POST", d.bulkPath(), map[string]any{"action": "deactivate", "user_ids": idsOf(inEng)}); r.status != 403 {
		t.Fatalf("a member: %d %s", r.status, r.body)
	}

	// A failure part-way (the last person would pass the organisation's limit of departments
	// per member) leaves everyone as they were.
	d.c.must(200, "PUT", d.admin("/users/"+salesPerson+"/departments"), map[string]any{"departments": []any{
		map[string]any{"department_id": sales, "primary": true}, map[string]any{"department_id": eng}}})
	// The limit is the installation's to set (no route changes it).
	if err := e.stack.db.Exec(`UPDATE organisations SET max_departments_per_member = 1 WHERE id = ?`, d.orgID).Error; err != nil {
		t.Fatal(err)
	}
	sel = append(append([]string{}, inEng[1:]...), salesPerson)
	r := d.c.do("POST", d.bulkPath(), map[string]any{"action": "move_department", "user_ids": idsOf(sel), "department_id": frontend})
	if r.status != 409 || r.errorCode(t) != "too_many_departments" || !strings.HasPrefix(r.json(t)["error"].(map[string]any)["message"].(string), "Sales person: ") {
		t.Fatalf("a move past the limit, naming whom: %d %s", r.status, r.body)
	}
	unchanged(inEng[1:], backend)
	unchanged([]string{salesPerson}, sales)
	if n := auditCount(); n == entries {
		t.Fatalf("the setup wrote no audit entries")
	}
	for _, action := range []string{"member.bulk_move", "member.bulk_change_role", "member.bulk_deactivate"} {
		items := d.c.must(200, "GET", d.admin("/audit?action="+action), nil)["items"].([]any)
		want := map[string]int{"member.bulk_move": 1}[action] // the scoped manager's one move
		if len(items) != want {
			t.Fatalf("%d %s entries, want %d: refused requests are not recorded", len(items), action, want)
		}
	}
}

// TestPeopleBulkFilterTooLarge: a filter result over the cap is 422 naming the count, and
// nothing changes.
func TestPeopleBulkFilterTooLarge(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Large", "o@large.example")
	// 5,001 members, made in the database: the API would take minutes.
	err := e.stack.db.Exec(`WITH u AS (
			INSERT INTO users (id, email, display_name, name_pinyin, name_initials, locale, time_zone, status, password_hash, created_at, updated_at)
			SELECT gen_random_uuid(), 'u' || g || '@large.example', 'U ' || g, 'u' || g, 'u', 'en', 'UTC', 'active', 'x', now(), now()
			FROM generate_series(1, 5001) g
			RETURNING id)
		INSERT INTO memberships (org_id, user_id, role, status, joined_at) SELECT ?, id, 'member', 'active', now() FROM u`, d.orgID).Error
	if err != nil {
		t.Fatal(err)
	}
	r := d.c.do("POST", d.bulkPath(), map[string]any{"action": "change_role", "filter": map[string]any{"role": "member"}, "role": "admin"})
	if r.status != 422 || r.errorCode(t) != "selection_too_large" {
		t.Fatalf("5,001 by filter: %d %s", r.status, r.body)
	}
	if n := d.c.must(200, "GET", d.admin("/people?role=admin&limit=1"), nil)["total"].(float64); n != 0 {
		t.Fatalf("%v admins after a refused request", n)
	}
}

// TestPeopleBulkExport: the export of a selection (ids, or the people table's filter) holds
// only those people, in the same file as the whole export; every export is audited.
func TestPeopleBulkExport(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Export", "o@export.example")
	other := e.mustDir("Elsewhere", "o@elsewhere.example")
	stranger := other.mustUser("s@elsewhere.example", "Stranger")
	eng := d.mustDept("", "研发部")
	var ids []string
	for i := 0; i < 4; i++ {
		id := d.mustUser(fmt.Sprintf("x%d@export.example", i), fmt.Sprintf("导出 %d", i))
		if i < 2 {
			d.c.must(200, "PUT", d.admin("/users/"+id+"/departments"), map[string]any{"departments": []any{map[string]any{"department_id": eng}}})
		}
		ids = append(ids, id)
	}
	emails := func(r response, format string) []string {
		t.Helper()
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Disposition"), `attachment; filename="people-`) {
			t.Fatalf("export: %d %s %.300s", r.status, r.header, r.body)
		}
		rows := exportRows(t, format, r.body)
		if strings.Join(rows[0], ",") != strings.Join(importColumns, ",") {
			t.Fatalf("columns: %v", rows[0])
		}
		var out []string
		for _, row := range rows[1:] {
			out = append(out, row[1])
		}
		sort.Strings(out)
		return out
	}
	audited := func(count int, selection string) map[string]any {
		t.Helper()
		_, after := d.bulkAudit("member.export")
		if after["count"].(float64) != float64(count) || after["selection"] != selection {
			t.Fatalf("export audit entry: %v, want count %d of %s", after, count, selection)
		}
		return after
	}

	for _, format := range []string{"csv", "xlsx"} {
		got := emails(d.c.do("POST", d.admin("/people/export"), map[string]any{"format": format, "user_ids": idsOf([]string{ids[0], ids[3]})}), format)
		if fmt.Sprint(got) != "[x0@export.example x3@export.example]" {
			t.Fatalf("%s export of two ids: %v", format, got)
		}
		if after := audited(2, "user_ids"); after["format"] != format || len(after["user_ids"].([]any)) != 2 {
			t.Fatalf("export audit: %v", after)
		}
	}
	got := emails(d.c.do("GET", d.admin("/people/export?format=csv&department_id="+eng+"&q=%E5%AF%BC"), nil), "csv")
	if fmt.Sprint(got) != "[x0@export.example x1@export.example]" {
		t.Fatalf("export of a filter: %v", got)
	}
	if f := audited(2, "filter")["filter"].(map[string]any); f["department_id"] != eng || f["q"] != "导" {
		t.Fatalf("the filter in the audit entry: %v", f)
	}
	if got := emails(d.c.do("GET", d.admin("/people/export?format=csv"), nil), "csv"); len(got) != 5 {
		t.Fatalf("export of everyone: %v", got)
	}
	audited(5, "everyone")

	// Refusals: another organisation's member, department or bad input; too many ids; a member.
	if r := d.c.do("POST", d.admin("/people/export"), map[string]any{"format": "csv", "user_ids": idsOf([]string{ids[0], stranger})}); r.status != 404 {
		t.Fatalf("a foreign id: %d %s", r.status, r.body)
	}
	if r := d.c.do("GET", d.admin("/people/export?format=csv&department_id="+other.mustDept("", "Theirs")), nil); r.status != 404 {
		t.Fatalf("a foreign department: %d %s", r.status, r.body)
	}
	for _, body := range []any{
		map[string]any{"user_ids": idsOf(ids)},
		map[string]any{"format": "pdf", "user_ids": idsOf(ids)},
		map[string]any{"format": "csv"},
		map[string]any{"format": "csv", "user_ids": []any{}},
		map[string]any{"format": "csv", "user_ids": []any{"x"}},
		map[string]any{"format": "csv", "user_ids": idsOf(ids), "filter": map[string]any{}},
	} {
		if r := d.c.do("POST", d.admin("/people/export"), body); r.status != 400 || r.errorCode(t) == "" {
			t.Errorf("%v: %d %s", body, r.status, r.body)
		}
	}
	for _, q := range []string{"status=gone", "department_id=00000000-0000-0000-0000-000000000000"} {
		if r := d.c.do("GET", d.admin("/people/export?format=csv&"+q), nil); r.status != 400 || r.errorCode(t) == "" {
			t.Fatalf("a bad filter %s: %d %s", q, r.status, r.body)
		}
	}
	many := make([]any, 1001)
	for i := range many {
		many[i] = ids[0]
	}
	if r := d.c.do("POST", d.admin("/people/export"), map[string]any{"format": "csv", "user_ids": many}); r.status != 422 || r.errorCode(t) != "selection_too_large" {
		t.Fatalf("1001 ids: %d %s", r.status, r.body)
	}
	member, _ := e.mustJoin(d.mustInvite(nil), "m@export.example")
	if r := member.do("POST", d.admin("/people/export"), map[string]any{"format": "csv", "user_ids": idsOf(ids)}); r.status != 403 {
		t.Fatalf("a member exports: %d %s", r.status, r.body)
	}
	if n := len(d.c.must(200, "GET", d.admin("/audit?action=member.export"), nil)["items"].([]any)); n != 4 {
		t.Fatalf("%d export entries, want 4: refused exports are not recorded", n)
	}
}
