package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// dir is an organisation with helpers for its directory.
type dir struct {
	owner
	t *testing.T
}

func (e *testEnv) mustDir(name, email string) dir {
	return dir{owner: e.mustOrg(name, email), t: e.t.(*testing.T)}
}

func (d dir) admin(path string) string { return "/api/v1/admin/orgs/" + d.orgID + path }
func (d dir) org(path string) string   { return "/api/v1/orgs/" + d.orgID + path }

func (d dir) mustDept(parent, name string) string {
	d.t.Helper()
	body := map[string]any{"name": name}
	if parent != "" {
		body["parent_id"] = parent
	}
	return d.c.must(201, "POST", d.admin("/departments"), body)["id"].(string)
}

func (d dir) mustUser(email, name string) string {
	d.t.Helper()
	return d.c.must(201, "POST", d.admin("/users"), map[string]any{"email": email, "display_name": name})["user_id"].(string)
}

func TestDepartmentTreeMovesAndLimits(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Tree", "o@tree.example")
	eng := d.mustDept("", "Engineering")
	backend := d.mustDept(eng, "Backend")
	db := d.mustDept(backend, "Databases")
	sales := d.mustDept("", "Sales")

	// A move under its own subtree would make a cycle.
	for _, target := range []string{eng, backend, db} {
		r := d.c.do("PATCH", d.admin("/departments/"+eng), map[string]any{"parent_id": target})
		if r.status != 409 || r.errorCode(t) != "cycle" {
			t.Fatalf("move Engineering under %s: %d %s", target, r.status, r.body)
		}
	}
	// A sibling name is unique, case-insensitively.
	if r := d.c.do("POST", d.admin("/departments"), map[string]any{"name": "engineering"}); r.status != 409 {
		t.Fatalf("duplicate sibling: %d %s", r.status, r.body)
	}
	// Move Backend (with Databases) under Sales: the whole subtree follows.
	moved := d.c.must(200, "PATCH", d.admin("/departments/"+backend), map[string]any{"parent_id": sales, "position": 0})
	if moved["depth"].(float64) != 3 || moved["parent_id"] != sales {
		t.Fatalf("moved: %v", moved)
	}
	if got := d.c.must(200, "GET", d.org("/departments/"+db), nil); got["depth"].(float64) != 4 ||
		len(got["ancestors"].([]any)) != 3 || got["ancestors"].([]any)[1].(map[string]any)["id"] != sales {
		t.Fatalf("subtree not moved: %v", got)
	}

	// Depth: build a chain to the organisation's limit, lowered to 5 here.
	d.c.must(200, "PATCH", d.org(""), map[string]any{"name": "Tree"})
	if err := e.stack.db.Exec(`UPDATE organisations SET max_department_depth = 5 WHERE id = ?`, d.orgID).Error; err != nil {
		t.Fatal(err)
	}
	lvl5 := d.mustDept(db, "Level 5")
	if r := d.c.do("POST", d.admin("/departments"), map[string]any{"name": "Level 6", "parent_id": lvl5}); r.status != 409 || r.errorCode(t) != "too_deep" {
		t.Fatalf("past the depth limit: %d %s", r.status, r.body)
	}
	// A move that would push the subtree past the limit is refused, and changes nothing.
	deep := d.mustDept("", "Deep")
	d.mustDept(deep, "Deeper")
	if r := d.c.do("PATCH", d.admin("/departments/"+deep), map[string]any{"parent_id": db}); r.status != 409 || r.errorCode(t) != "too_deep" {
		t.Fatalf("move past the depth limit: %d %s", r.status, r.body)
	}
	if got := d.c.must(200, "GET", d.org("/departments/"+deep), nil); got["depth"].(float64) != 2 {
		t.Fatalf("refused move changed the tree: %v", got)
	}
	// The root stays put.
	root := d.c.must(200, "GET", d.org("/departments"), nil)["parent"].(map[string]any)["id"].(string)
	if r := d.c.do("PATCH", d.admin("/departments/"+root), map[string]any{"parent_id": sales}); r.status != 409 {
		t.Fatalf("moving the root: %d", r.status)
	}
	// Reorder among siblings.
	d.c.must(200, "PATCH", d.admin("/departments/"+sales), map[string]any{"position": 0})
	items := d.c.must(200, "GET", d.org("/departments"), nil)["items"].([]any)
	if items[0].(map[string]any)["id"] != sales {
		t.Fatalf("order: %v", items)
	}
}

func TestDeleteDepartmentMovesChildrenAndMembers(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Del", "o@del.example")
	a := d.mustDept("", "A")
	child := d.mustDept(a, "A1")
	b := d.mustDept("", "B")
	u := d.mustUser("u@del.example", "U")
	d.c.must(204, "PUT", d.admin("/departments/"+a+"/members/"+u), map[string]any{"leader": true})

	if r := d.c.do("DELETE", d.admin("/departments/"+a), nil); r.status != 409 || r.errorCode(t) != "department_has_children" {
		t.Fatalf("delete with children: %d %s", r.status, r.body)
	}
	if r := d.c.do("DELETE", d.admin("/departments/"+a+"?move_children_to="+b), nil); r.status != 409 || r.errorCode(t) != "department_has_members" {
		t.Fatalf("delete with members: %d %s", r.status, r.body)
	}
	// The refused request left the child where it was.
	if got := d.c.must(200, "GET", d.org("/departments/"+child), nil); got["parent_id"] != a {
		t.Fatalf("half-applied delete: %v", got)
	}
	d.c.must(204, "DELETE", d.admin("/departments/"+a+"?move_children_to="+b+"&move_members_to="+b), nil)
	if got := d.c.must(200, "GET", d.org("/departments/"+child), nil); got["parent_id"] != b {
		t.Fatalf("child not moved: %v", got)
	}
	card := d.c.must(200, "GET", d.org("/people/"+u), nil)
	depts := card["departments"].([]any)
	if len(depts) != 1 || depts[0].(map[string]any)["id"] != b || depts[0].(map[string]any)["primary"] != true {
		t.Fatalf("member not moved: %v", depts)
	}
}

func TestMemberDepartmentsAndCard(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Cards", "o@cards.example")
	eng := d.mustDept("", "Engineering")
	ops := d.mustDept(eng, "Ops")
	u := d.mustUser("wei@cards.example", "张伟")
	lead := d.mustUser("lead@cards.example", "Lead Person")
	d.c.must(204, "PUT", d.admin("/departments/"+ops+"/members/"+lead), map[string]any{"leader": true})
	card := d.c.must(200, "PUT", d.admin("/users/"+u+"/departments"), map[string]any{"departments": []any{
		map[string]any{"department_id": eng}, map[string]any{"department_id": ops, "primary": true}}})
	if len(card["departments"].([]any)) != 2 || card["leaders"].([]any)[0].(map[string]any)["user_id"] != lead {
		t.Fatalf("card: %v", card)
	}
	first := card["departments"].([]any)[0].(map[string]any)
	if first["id"] != ops || strings.Join(toStrings(first["path_names"]), "/") != "Cards/Engineering/Ops" {
		t.Fatalf("primary department first with its path: %v", first)
	}
	// Two primaries, a duplicate, and more than the limit are refused.
	if r := d.c.do("PUT", d.admin("/users/"+u+"/departments"), map[string]any{"departments": []any{
		map[string]any{"department_id": eng, "primary": true}, map[string]any{"department_id": ops, "primary": true}}}); r.status != 400 {
		t.Fatalf("two primaries: %d", r.status)
	}
	if err := e.stack.db.Exec(`UPDATE organisations SET max_departments_per_member = 1 WHERE id = ?`, d.orgID).Error; err != nil {
		t.Fatal(err)
	}
	if r := d.c.do("PUT", d.admin("/users/"+u+"/departments"), map[string]any{"departments": []any{
		map[string]any{"department_id": eng}, map[string]any{"department_id": ops}}}); r.status != 409 || r.errorCode(t) != "too_many_departments" {
		t.Fatalf("past the limit: %d %s", r.status, r.body)
	}
	// Subtree listing: Engineering's subtree holds both, once each.
	got := d.c.must(200, "GET", d.org("/departments/"+eng+"/members?subtree=true"), nil)
	if got["total"].(float64) != 2 {
		t.Fatalf("subtree members: %v", got)
	}
	if direct := d.c.must(200, "GET", d.org("/departments/"+eng+"/members"), nil); direct["total"].(float64) != 1 {
		t.Fatalf("direct members: %v", direct)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestPinyinSearch(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Pinyin", "o@pinyin.example")
	wei := d.mustUser("zw@pinyin.example", "张伟")
	d.mustUser("ada@pinyin.example", "Ada Lovelace")
	d.mustDept("", "研发部")
	for _, q := range []string{"zhangwei", "zhang wei", "zw", "张", "ZHANG", "zw@pinyin"} {
		res := d.c.must(200, "GET", d.org("/search?q="+urlQuery(q)), nil)
		people := res["people"].([]any)
		if len(people) != 1 || people[0].(map[string]any)["user_id"] != wei {
			t.Errorf("search %q: %v", q, people)
		}
	}
	// The member list every picker asks (GET /members?q=) finds people the same ways.
	for _, q := range []string{"zhangwei", "zw", "张伟", "zw@pinyin"} {
		items := d.c.must(200, "GET", d.org("/members?q="+urlQuery(q)), nil)["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["user_id"] != wei {
			t.Errorf("members %q: %v", q, items)
		}
	}
	if res := d.c.must(200, "GET", d.org("/search?q=yfb"), nil); len(res["departments"].([]any)) != 1 {
		t.Errorf("department by initials: %v", res)
	}
	if res := d.c.must(200, "GET", d.org("/search?q=nobody"), nil); len(res["people"].([]any)) != 0 {
		t.Errorf("no match: %v", res)
	}
	// Another organisation's people are never found.
	other := e.mustDir("Other", "o@other.example")
	if res := other.c.must(200, "GET", other.org("/search?q=zw"), nil); len(res["people"].([]any)) != 0 {
		t.Errorf("found across organisations: %v", res)
	}
}

func urlQuery(s string) string { return strings.NewReplacer(" ", "+", "@", "%40").Replace(s) }

func TestGroupCapHoldsUnderConcurrentAdds(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Cap", "o@cap.example")
	group := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Big Unit"})["id"].(string)
	// 1,090 members, 990 of them already in the group (seeded in SQL for speed).
	err := e.stack.db.Exec(`
		WITH u AS (
			INSERT INTO users (id, email, display_name, locale, time_zone, status, password_hash, created_at, updated_at)
			SELECT gen_random_uuid(), 'p' || i || '@cap.example', 'Person ' || i, 'en', 'UTC', 'active', '', now(), now()
			FROM generate_series(1, 1090) i RETURNING id, email)
		INSERT INTO memberships (org_id, user_id, role, status, joined_at) SELECT ?, id, 'member', 'active', now() FROM u`, d.orgID).Error
	if err != nil {
		t.Fatal(err)
	}
	err = e.stack.db.Exec(`INSERT INTO group_members (org_id, group_id, user_id, role, added_at)
		SELECT ?, ?, u.id, 'member', now() FROM users u WHERE u.email LIKE 'p%@cap.example' AND split_part(split_part(u.email, '@', 1), 'p', 2)::int <= 990`, d.orgID, group).Error
	if err != nil {
		t.Fatal(err)
	}
	if err := e.stack.db.Exec(`UPDATE groups SET member_count = 990 WHERE id = ?`, group).Error; err != nil {
		t.Fatal(err)
	}
	var newcomers []string
	e.stack.db.Raw(`SELECT id::text FROM users WHERE email LIKE 'p%@cap.example' AND split_part(split_part(email, '@', 1), 'p', 2)::int > 990`).Scan(&newcomers)
	if len(newcomers) != 100 {
		t.Fatalf("%d newcomers", len(newcomers))
	}
	var wg sync.WaitGroup
	results := make(chan response, len(newcomers))
	for _, u := range newcomers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- d.c.do("PUT", d.admin("/groups/"+group+"/members/"+u), map[string]any{})
		}()
	}
	wg.Wait()
	close(results)
	counts := map[int]int{}
	for r := range results {
		counts[r.status]++
		if r.status == 409 && (r.errorCode(t) != "group_full" || !strings.Contains(string(r.body), "1000")) {
			t.Errorf("conflict does not name the cap: %s", r.body)
		}
	}
	if counts[204] != 10 || counts[409] != 90 {
		t.Fatalf("statuses %v; want 10 added and 90 conflicts", counts)
	}
	var rows, count int
	e.stack.db.Raw(`SELECT count(*) FROM group_members WHERE group_id = ?`, group).Scan(&rows)
	e.stack.db.Raw(`SELECT member_count FROM groups WHERE id = ?`, group).Scan(&count)
	if rows != 1000 || count != 1000 {
		t.Fatalf("group has %d rows, member_count %d; want 1000", rows, count)
	}
}

func TestGroupCapCannotPass1000(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Caps", "o@caps.example")
	if r := d.c.do("POST", d.admin("/groups"), map[string]any{"name": "Too big", "member_cap": 1001}); r.status != 400 || r.errorCode(t) != "invalid_member_cap" {
		t.Fatalf("create above 1000: %d %s", r.status, r.body)
	}
	g := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Small", "member_cap": 2})["id"].(string)
	if r := d.c.do("PATCH", d.admin("/groups/"+g), map[string]any{"name": "Small", "member_cap": 5000}); r.status != 400 {
		t.Fatalf("raise above 1000: %d %s", r.status, r.body)
	}
	if r := d.c.do("PATCH", d.org(""), map[string]any{"name": "Caps"}); r.status != 200 {
		t.Fatal(r.status)
	}
	if err := e.stack.db.Exec(`UPDATE groups SET member_cap = 1001 WHERE id = ?`, g).Error; err == nil {
		t.Fatal("the database accepted a cap above 1000")
	}
	// The group's own cap holds, and the conflict names it.
	for i := 0; i < 2; i++ {
		u := d.mustUser(fmt.Sprintf("m%d@caps.example", i), "M")
		d.c.must(204, "PUT", d.admin("/groups/"+g+"/members/"+u), map[string]any{})
	}
	u := d.mustUser("late@caps.example", "Late")
	r := d.c.do("PUT", d.admin("/groups/"+g+"/members/"+u), map[string]any{})
	if r.status != 409 || !strings.Contains(string(r.body), "at most 2 members") {
		t.Fatalf("third member: %d %s", r.status, r.body)
	}
	// A group owner manages their group; a plain member cannot.
	ownerClient, ownerID := e.mustJoin(d.mustInvite(nil), "go@caps.example")
	member, _ := e.mustJoin(d.mustInvite(nil), "plain@caps.example")
	g2 := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Owned"})["id"].(string)
	d.c.must(204, "PUT", d.admin("/groups/"+g2+"/members/"+ownerID), map[string]any{"role": "owner"})
	ownerClient.must(204, "PUT", d.admin("/groups/"+g2+"/members/"+u), map[string]any{})
	if r := member.do("PUT", d.admin("/groups/"+g2+"/members/"+u), map[string]any{"role": "owner"}); r.status != 403 {
		t.Fatalf("plain member manages a group: %d", r.status)
	}
	if r := member.do("POST", d.admin("/departments"), map[string]any{"name": "Mine"}); r.status != 403 {
		t.Fatalf("plain member creates a department: %d", r.status)
	}
	list := member.must(200, "GET", d.org("/groups/"+g2+"/members"), nil)
	if list["total"].(float64) != 2 || list["items"].([]any)[0].(map[string]any)["role"] != "owner" {
		t.Fatalf("group members: %v", list)
	}
}

func TestConcurrentMovesNeverMakeACycle(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Race", "o@race.example")
	a := d.mustDept("", "A")
	b := d.mustDept("", "B")
	// A under B and B under A at once: one wins, the other sees the cycle.
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i, pair := range [][2]string{{a, b}, {b, a}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = d.c.do("PATCH", d.admin("/departments/"+pair[0]), map[string]any{"parent_id": pair[1]}).status
		}()
	}
	wg.Wait()
	if !(statuses[0] == 200 && statuses[1] == 409 || statuses[0] == 409 && statuses[1] == 200) {
		t.Fatalf("statuses %v", statuses)
	}
	var depth2 int
	e.stack.db.Raw(`SELECT count(*) FROM departments WHERE org_id = ? AND depth = 3`, d.orgID).Scan(&depth2)
	if depth2 != 1 {
		t.Fatalf("tree shape wrong: %d departments at depth 3", depth2)
	}
}

func TestGroupPatchKeepsWhatItDoesNotName(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Patch", "o@patch.example")
	dept := d.mustDept("", "Sales")
	g := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Club", "external_id": "okta-1", "department_id": dept, "member_cap": 20})["id"].(string)
	got := d.c.must(200, "PATCH", d.admin("/groups/"+g), map[string]any{"name": "Sales club"})
	if got["external_id"] != "okta-1" || got["department_id"] != dept || got["member_cap"].(float64) != 20 {
		t.Fatalf("patch cleared fields: %v", got)
	}
	got = d.c.must(200, "PATCH", d.admin("/groups/"+g), map[string]any{"department_id": nil})
	if got["department_id"] != nil || got["name"] != "Sales club" {
		t.Fatalf("moving to the whole organisation: %v", got)
	}
	// The audit records no department as null, not as the zero id.
	items := d.c.must(200, "GET", d.admin("/audit?action=group.update&limit=1"), nil)["items"].([]any)
	if after := items[0].(map[string]any)["after"].(map[string]any); after["department_id"] != nil {
		t.Fatalf("audit: %v", after)
	}
}
