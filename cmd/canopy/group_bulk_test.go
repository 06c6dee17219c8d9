package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// groupCount reads a group's stored count and its member rows, which must agree.
func groupCount(t *testing.T, e *testEnv, group string) int {
	t.Helper()
	var rows, count int
	e.stack.db.Raw(`SELECT count(*) FROM group_members WHERE group_id = ?`, group).Scan(&rows)
	e.stack.db.Raw(`SELECT member_count FROM groups WHERE id = ?`, group).Scan(&count)
	if rows != count {
		t.Fatalf("group %s has %d member rows but member_count %d", group, rows, count)
	}
	return count
}

func TestGroupBulkAddDepartmentsAndEmails(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Bulk", "o@bulk.example")
	eng := d.mustDept("", "Engineering")
	backend := d.mustDept(eng, "Backend")
	a := d.mustUser("a@bulk.example", "Ada")
	b := d.mustUser("b@bulk.example", "Bo")
	c := d.mustUser("c@bulk.example", "Cy")
	gone := d.mustUser("gone@bulk.example", "Gone")
	fresh := d.mustUser("fresh@bulk.example", "Fresh")
	_, guest := e.mustJoin(d.mustInvite(map[string]any{"role": "guest"}), "guest@outside.example")
	for _, u := range []string{a, b, gone, guest} {
		d.c.must(204, "PUT", d.admin("/departments/"+eng+"/members/"+u), map[string]any{})
	}
	d.c.must(204, "PUT", d.admin("/departments/"+backend+"/members/"+c), map[string]any{})
	d.c.must(200, "POST", d.org("/members/"+gone+"/deactivate"), nil)
	g := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Builders"})["id"].(string)
	bulk := d.admin("/groups/" + g + "/members/bulk")

	// The department alone: its active members who are not guests.
	res := d.c.must(200, "POST", bulk, map[string]any{"department_id": eng, "include_subtree": false})
	if res["added"] != 2.0 || res["skipped_deactivated"] != 1.0 || res["skipped_guests"] != 1.0 || res["member_count"] != 2.0 {
		t.Fatalf("department without subtree: %v", res)
	}
	// With its subtree: Backend's member joins, the others are there already.
	res = d.c.must(200, "POST", bulk, map[string]any{"department_id": eng, "include_subtree": true})
	if res["added"] != 1.0 || res["already_in_group"] != 2.0 || res["member_count"] != 3.0 {
		t.Fatalf("department with subtree: %v", res)
	}
	if ids := res["added_user_ids"].([]any); len(ids) != 1 || ids[0] != c {
		t.Fatalf("added %v; want Backend's %s", ids, c)
	}
	// An unknown email refuses the whole list and is named.
	r := d.c.do("POST", bulk, map[string]any{"emails": []string{"FRESH@bulk.example", "nobody@bulk.example", "o@other.example"}})
	if r.status != 400 || r.errorCode(t) != "unknown_emails" || !strings.Contains(string(r.body), "nobody@bulk.example") ||
		!strings.Contains(string(r.body), "o@other.example") || strings.Contains(string(r.body), "FRESH") {
		t.Fatalf("unknown email: %d %s", r.status, r.body)
	}
	if n := groupCount(t, e, g); n != 3 {
		t.Fatalf("an unknown email added members: %d", n)
	}
	// Emails match without case; those in the group already are left as they are.
	res = d.c.must(200, "POST", bulk, map[string]any{"emails": []string{" FRESH@bulk.example", "a@bulk.example", "fresh@bulk.example", ""}})
	if res["added"] != 1.0 || res["already_in_group"] != 1.0 || res["member_count"] != 4.0 {
		t.Fatalf("emails: %v", res)
	}
	if ids := res["added_user_ids"].([]any); len(ids) != 1 || ids[0] != fresh {
		t.Fatalf("added %v; want %s", ids, fresh)
	}
	// User ids name members the same way; another organisation's member is unknown.
	other := e.mustDir("Other", "o@other.example")
	stranger := other.mustUser("s@other.example", "Stranger")
	if r := d.c.do("POST", bulk, map[string]any{"user_ids": []string{a, stranger}}); r.status != 400 || r.errorCode(t) != "unknown_members" || !strings.Contains(string(r.body), stranger) {
		t.Fatalf("another organisation's member: %d %s", r.status, r.body)
	}
	if n := groupCount(t, e, g); n != 4 {
		t.Fatalf("group has %d members; want 4", n)
	}
	// A department with nobody to add adds nobody.
	empty := d.mustDept("", "Empty")
	if res := d.c.must(200, "POST", bulk, map[string]any{"department_id": empty}); res["added"] != 0.0 || res["member_count"] != 4.0 {
		t.Fatalf("empty department: %v", res)
	}
	// One audit entry for each addition, with the count and the ids.
	var entries []struct{ After string }
	e.stack.db.Raw(`SELECT after::text AS after FROM audit_log WHERE action = 'group.member.bulk_add' AND target_id = ? ORDER BY id`, g).Scan(&entries)
	if len(entries) != 4 || !strings.Contains(entries[1].After, `"count": 1`) || !strings.Contains(entries[1].After, c) {
		t.Fatalf("audit: %v", entries)
	}
	// The members in the group are those added, as plain members.
	list := d.c.must(200, "GET", d.org("/groups/"+g+"/members"), nil)
	if list["total"] != 4.0 {
		t.Fatalf("group members: %v", list)
	}
	for _, it := range list["items"].([]any) {
		m := it.(map[string]any)
		if m["role"] != "member" || m["user_id"] == gone || m["user_id"] == guest {
			t.Fatalf("member %v", m)
		}
	}
}

func TestGroupBulkAddRefusals(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Refusals", "o@refuse.example")
	eng := d.mustDept("", "Engineering")
	u := d.mustUser("u@refuse.example", "U")
	g := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Team"})["id"].(string)
	bulk := d.admin("/groups/" + g + "/members/bulk")

	// Bad bodies are 400 with the error body, never a 500.
	many := make([]string, 1001)
	for i := range many {
		many[i] = fmt.Sprintf("p%d@refuse.example", i)
	}
	for _, body := range []any{
		map[string]any{},
		map[string]any{"department_id": eng, "emails": []string{"u@refuse.example"}},
		map[string]any{"emails": []string{}},
		map[string]any{"emails": []string{" ", ""}},
		map[string]any{"emails": []string{"two words@refuse.example"}},
		map[string]any{"emails": many},
		map[string]any{"user_ids": []string{}},
		map[string]any{"user_ids": []string{"not-an-id"}},
		map[string]any{"include_subtree": true, "user_ids": []string{u}},
		map[string]any{"department_id": ""},
		map[string]any{"department_id": 7},
		map[string]any{"emails": "u@refuse.example"},
		map[string]any{"everyone": true},
	} {
		r := d.c.do("POST", bulk, body)
		if r.status != 400 || r.errorCode(t) == "" {
			t.Errorf("%v: %d %s", body, r.status, r.body)
		}
	}
	if r := d.c.raw("POST", bulk, "application/json", []byte(`{"emails": [`)); r.status != 400 {
		t.Errorf("malformed JSON: %d", r.status)
	}

	// Another organisation's group or department is not found; so is a department id that is no id.
	other := e.mustDir("Elsewhere", "o@elsewhere.example")
	otherGroup := other.c.must(201, "POST", other.admin("/groups"), map[string]any{"name": "Theirs"})["id"].(string)
	otherDept := other.mustDept("", "Their department")
	if r := d.c.do("POST", d.admin("/groups/"+otherGroup+"/members/bulk"), map[string]any{"user_ids": []string{u}}); r.status != 404 {
		t.Fatalf("another organisation's group: %d %s", r.status, r.body)
	}
	if r := d.c.do("POST", other.admin("/groups/"+otherGroup+"/members/bulk"), map[string]any{"user_ids": []string{u}}); r.status != 403 && r.status != 404 {
		t.Fatalf("another organisation's route: %d %s", r.status, r.body)
	}
	for _, dept := range []string{otherDept, "nope"} {
		if r := d.c.do("POST", bulk, map[string]any{"department_id": dept}); r.status != 404 {
			t.Fatalf("department %s: %d %s", dept, r.status, r.body)
		}
	}
	if n := groupCount(t, e, otherGroup); n != 0 {
		t.Fatalf("another organisation's group changed: %d", n)
	}

	// A plain member may not; the group's owner may, as they may add one member.
	member, memberID := e.mustJoin(d.mustInvite(nil), "plain@refuse.example")
	if r := member.do("POST", bulk, map[string]any{"user_ids": []string{u}}); r.status != 403 {
		t.Fatalf("plain member: %d %s", r.status, r.body)
	}
	if r := member.do("POST", bulk, map[string]any{"department_id": eng, "include_subtree": true}); r.status != 403 {
		t.Fatalf("plain member, department: %d %s", r.status, r.body)
	}
	d.c.must(204, "PUT", d.admin("/groups/"+g+"/members/"+memberID), map[string]any{"role": "owner"})
	res := member.must(200, "POST", bulk, map[string]any{"emails": []string{"u@refuse.example"}})
	if res["added"] != 1.0 || res["member_count"] != 2.0 {
		t.Fatalf("the group's owner: %v", res)
	}
	// Owning one group gives nothing over another.
	g2 := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Not theirs"})["id"].(string)
	if r := member.do("POST", d.admin("/groups/"+g2+"/members/bulk"), map[string]any{"user_ids": []string{u}}); r.status != 403 {
		t.Fatalf("owner of another group: %d %s", r.status, r.body)
	}
	if n := groupCount(t, e, g2); n != 0 {
		t.Fatalf("refused additions added %d", n)
	}
	// A guest who owns a group cannot read the directory: a list of emails or ids would tell
	// them who is a member (and their ids), so it is refused, and nothing is added.
	guest, guestID := e.mustJoin(d.mustInvite(map[string]any{"role": "guest"}), "guest-owner@refuse.example")
	d.c.must(204, "PUT", d.admin("/groups/"+g+"/members/"+guestID), map[string]any{"role": "owner"})
	before := groupCount(t, e, g)
	for _, body := range []map[string]any{{"emails": []string{"u@refuse.example", "nobody@refuse.example"}}, {"user_ids": []string{u}}} {
		if r := guest.do("POST", bulk, body); r.status != 403 {
			t.Fatalf("a guest owner's list %v: %d %s", body, r.status, r.body)
		}
	}
	if n := groupCount(t, e, g); n != before {
		t.Fatalf("a guest owner's refused lists changed the group: %d, was %d", n, before)
	}
}

// seedCapGroup seeds n active members in SQL, the first inGroup of them in the group, and
// returns the ids of those not in it, in order.
func seedCapGroup(t *testing.T, e *testEnv, d dir, group, domain string, n, inGroup int) []string {
	t.Helper()
	err := e.stack.db.Exec(`
		WITH u AS (
			INSERT INTO users (id, email, display_name, locale, time_zone, status, password_hash, created_at, updated_at)
			SELECT gen_random_uuid(), 'p' || i || '@' || ?, 'Person ' || i, 'en', 'UTC', 'active', '', now(), now()
			FROM generate_series(1, ?) i RETURNING id)
		INSERT INTO memberships (org_id, user_id, role, status, joined_at) SELECT ?, id, 'member', 'active', now() FROM u`, domain, n, d.orgID).Error
	if err != nil {
		t.Fatal(err)
	}
	num := `split_part(split_part(u.email, '@', 1), 'p', 2)::int`
	err = e.stack.db.Exec(`INSERT INTO group_members (org_id, group_id, user_id, role, added_at)
		SELECT ?, ?, u.id, 'member', now() FROM users u WHERE u.email LIKE ? AND `+num+` <= ?`, d.orgID, group, "p%@"+domain, inGroup).Error
	if err != nil {
		t.Fatal(err)
	}
	if err := e.stack.db.Exec(`UPDATE groups SET member_count = ? WHERE id = ?`, inGroup, group).Error; err != nil {
		t.Fatal(err)
	}
	var rest []string
	e.stack.db.Raw(`SELECT u.id::text FROM users u WHERE u.email LIKE ? AND `+num+` > ? ORDER BY `+num, "p%@"+domain, inGroup).Scan(&rest)
	if len(rest) != n-inGroup {
		t.Fatalf("%d members outside the group; want %d", len(rest), n-inGroup)
	}
	return rest
}

func TestGroupBulkAddHoldsTheCap(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Full", "o@full.example")
	g := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Almost full"})["id"].(string)
	rest := seedCapGroup(t, e, d, g, "full.example", 1001, 999)
	dept := d.mustDept("", "Late joiners")
	for _, u := range rest {
		d.c.must(204, "PUT", d.admin("/departments/"+dept+"/members/"+u), map[string]any{})
	}
	// 999 + 2 passes 1000: refused, named, nothing added.
	for _, body := range []map[string]any{{"department_id": dept}, {"user_ids": rest}, {"emails": []string{"p1000@full.example", "p1001@full.example", "p1@full.example"}}} {
		r := d.c.do("POST", d.admin("/groups/"+g+"/members/bulk"), body)
		msg := string(r.body)
		if r.status != 409 || r.errorCode(t) != "group_full" || !strings.Contains(msg, "adding 2 members") ||
			!strings.Contains(msg, "holds 999") || !strings.Contains(msg, "at most 1000") {
			t.Fatalf("%v: %d %s", body, r.status, msg)
		}
		if n := groupCount(t, e, g); n != 999 {
			t.Fatalf("a refused addition left %d members", n)
		}
	}
	// One fits.
	res := d.c.must(200, "POST", d.admin("/groups/"+g+"/members/bulk"), map[string]any{"user_ids": rest[:1]})
	if res["added"] != 1.0 || res["member_count"] != 1000.0 {
		t.Fatalf("the last place: %v", res)
	}
	// A group's own lower cap holds too.
	small := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Small", "member_cap": 1})["id"].(string)
	r := d.c.do("POST", d.admin("/groups/"+small+"/members/bulk"), map[string]any{"department_id": dept})
	if r.status != 409 || !strings.Contains(string(r.body), "holds 0 of at most 1 members") {
		t.Fatalf("group cap: %d %s", r.status, r.body)
	}
}

func TestGroupBulkAddConcurrentNeverPassesTheCap(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Race", "o@race.example")
	g := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Contended"})["id"].(string)
	rest := seedCapGroup(t, e, d, g, "race.example", 1060, 990)
	// Ten additions of five, and ten single adds, race for the ten places left.
	var wg sync.WaitGroup
	bulks := make(chan response, 10)
	singles := make(chan response, 10)
	for i := 0; i < 10; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			bulks <- d.c.do("POST", d.admin("/groups/"+g+"/members/bulk"), map[string]any{"user_ids": rest[i*5 : i*5+5]})
		}()
		go func() {
			defer wg.Done()
			singles <- d.c.do("PUT", d.admin("/groups/"+g+"/members/"+rest[len(rest)-1-i]), map[string]any{})
		}()
	}
	wg.Wait()
	close(bulks)
	close(singles)
	added := 0
	for r := range bulks {
		switch {
		case r.status == 200:
			added += 5
		case r.status != 409 || r.errorCode(t) != "group_full":
			t.Errorf("bulk: %d %s", r.status, r.body)
		}
	}
	for r := range singles {
		switch {
		case r.status == 204:
			added++
		case r.status != 409 || r.errorCode(t) != "group_full":
			t.Errorf("single: %d %s", r.status, r.body)
		}
	}
	if n := groupCount(t, e, g); n != 990+added || n > 1000 {
		t.Fatalf("group has %d members after %d additions succeeded", n, added)
	}
	if added < 6 {
		t.Fatalf("only %d members were added; the group had 10 places", added)
	}
}
