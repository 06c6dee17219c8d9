package main

import (
	"strings"
	"testing"
)

// The member pickers ask GET /members?q=: they find people by employee number and by the
// initials of their name, show each with their primary department, and never reach into
// another organisation.
func TestPickerFindsByEmployeeNumberAndInitials(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Pickers", "o@pickers.example")
	rd := d.mustDept("", "研发部")
	backend := d.mustDept(rd, "后端组")
	wei := d.c.must(201, "POST", d.admin("/users"), map[string]any{
		"email": "wei@pickers.example", "display_name": "张伟", "employee_number": "E-1001"})["user_id"].(string)
	d.c.must(200, "PUT", d.admin("/users/"+wei+"/departments"), map[string]any{"departments": []any{
		map[string]any{"department_id": rd}, map[string]any{"department_id": backend, "primary": true}}})
	fang := d.c.must(201, "POST", d.admin("/users"), map[string]any{
		"email": "fang@pickers.example", "display_name": "王芳", "employee_number": "E-2002"})["user_id"].(string)
	ada := d.mustUser("ada@pickers.example", "Ada Lovelace")

	// The same name and number in another organisation.
	other := e.mustDir("Elsewhere", "o@pickers-elsewhere.example")
	stranger := other.c.must(201, "POST", other.admin("/users"), map[string]any{
		"email": "wei@pickers-elsewhere.example", "display_name": "张伟", "employee_number": "E-1001"})["user_id"].(string)

	// A plain member searches as the pickers do.
	mc, _ := e.mustJoin(d.mustInvite(nil), "m@pickers.example")
	find := func(c *client, orgPath, q string) []map[string]any {
		t.Helper()
		var out []map[string]any
		for _, it := range c.must(200, "GET", orgPath+"/members?status=active&q="+urlQuery(q), nil)["items"].([]any) {
			out = append(out, it.(map[string]any))
		}
		return out
	}
	for _, q := range []string{"E-1001", "e-10", "E-1", "zw", "zhangwei", "张伟"} {
		got := find(mc, d.org(""), q)
		if len(got) != 1 || got[0]["user_id"] != wei {
			t.Fatalf("q=%q: %v", q, got)
		}
		dept, _ := got[0]["primary_department"].(map[string]any)
		if dept == nil || dept["id"] != backend || dept["name"] != "后端组" || got[0]["employee_number"] != "E-1001" {
			t.Fatalf("q=%q: the person without their primary department or number: %v", q, got[0])
		}
	}
	// The number matches from its start only, and "_" is a character, not a wildcard.
	for _, q := range []string{"1001", "E_1001", "E-1001x"} {
		if got := find(mc, d.org(""), q); len(got) != 0 {
			t.Errorf("q=%q found %v", q, got)
		}
	}
	// "E-" finds both numbered members, in pinyin order (王芳 wangfang before 张伟 zhangwei); one
	// without a department has none to show.
	got := find(mc, d.org(""), "e-")
	if len(got) != 2 || got[0]["user_id"] != fang || got[1]["user_id"] != wei || got[0]["primary_department"] != nil {
		t.Fatalf("q=e-: %v", got)
	}
	// The whole list is in pinyin order too: Ada (ada) before 王芳 and 张伟.
	var order []string
	for _, it := range d.c.must(200, "GET", d.org("/members?limit=200"), nil)["items"].([]any) {
		switch id := it.(map[string]any)["user_id"].(string); id {
		case ada, fang, wei:
			order = append(order, id)
		}
	}
	if strings.Join(order, ",") != strings.Join([]string{ada, fang, wei}, ",") {
		t.Errorf("members not in pinyin order: %v, want ada, fang, wei", order)
	}
	// One member's record carries the department as well.
	if m := mc.must(200, "GET", d.org("/members/"+wei), nil); m["primary_department"].(map[string]any)["id"] != backend {
		t.Errorf("member record: %v", m)
	}

	// directory.read at a department reaches only its subtree: 王芳 (in none) is not found by
	// her number, 张伟 (in the subtree) is.
	reader, readerID := e.mustJoin(d.mustInvite(map[string]any{"role": "guest"}), "reader@pickers.example")
	d.mustAssign(readerID, d.mustRole("R&D reader", "directory.read"), rd)
	if got := find(reader, d.org(""), "E-2002"); len(got) != 0 {
		t.Errorf("a department reader found someone outside their subtree: %v", got)
	}
	if got := find(reader, d.org(""), "e-1001"); len(got) != 1 || got[0]["user_id"] != wei {
		t.Errorf("a department reader searching their subtree: %v", got)
	}

	// A chat's @mention list finds its members by name, pinyin and initials, with their
	// department. Not by email or employee number: any chat member may ask, guests too, and the
	// list shows neither, so matching them would let a guest guess colleagues' emails.
	chat := d.c.must(201, "POST", d.org("/chats"), map[string]any{"kind": "adhoc", "name": "Pickers", "member_ids": []string{wei, fang}})["id"].(string)
	for _, q := range []string{"zw", "zhangwei", "张伟"} {
		items := d.c.must(200, "GET", d.org("/chats/"+chat+"/members?query="+urlQuery(q)), nil)["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["user_id"] != wei || items[0].(map[string]any)["department"] != "后端组" {
			t.Errorf("chat members query=%q: %v", q, items)
		}
	}
	for _, q := range []string{"e-100", "wei@pickers"} {
		if items := d.c.must(200, "GET", d.org("/chats/"+chat+"/members?query="+urlQuery(q)), nil)["items"].([]any); len(items) != 0 {
			t.Errorf("chat members query=%q matched what the list does not show: %v", q, items)
		}
	}

	// Another organisation's member is never found, by number, initials or name, from either side.
	for _, q := range []string{"E-1001", "zw", "张伟"} {
		for _, it := range find(d.c, d.org(""), q) {
			if it["user_id"] == stranger {
				t.Fatalf("q=%q found another organisation's member", q)
			}
		}
		theirs := find(other.c, other.org(""), q)
		if len(theirs) != 1 || theirs[0]["user_id"] != stranger || theirs[0]["primary_department"] != nil {
			t.Fatalf("other organisation q=%q: %v", q, theirs)
		}
	}
	// Another organisation's id answers 404; a query too long is 400 with the error body.
	if r := mc.do("GET", other.org("/members?q=E-1001"), nil); r.status != 404 {
		t.Errorf("another organisation's members: %d %s", r.status, r.body)
	}
	if r := mc.do("GET", d.org("/members?q="+strings.Repeat("e", 201)), nil); r.status != 400 || r.errorCode(t) == "" {
		t.Errorf("a long query: %d %s", r.status, r.body)
	}
}

// Member lists put Chinese names in pinyin order among the Latin ones (王芳 "wangfang" before 张伟
// "zhangwei", although 张 comes first by character code): a department's members, direct, in
// its subtree and searched, and a group's.
func TestMemberListsInPinyinOrder(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Order", "o@order.example")
	rd := d.mustDept("", "研发部")
	team := d.mustDept(rd, "后端组")
	wei := d.mustUser("wei@order.example", "张伟")
	fang := d.mustUser("fang@order.example", "王芳")
	ada := d.mustUser("ada@order.example", "Ada Lovelace")
	for _, p := range []struct{ user, dept string }{{wei, rd}, {fang, team}, {ada, rd}} {
		d.c.must(200, "PUT", d.admin("/users/"+p.user+"/departments"), map[string]any{"departments": []any{
			map[string]any{"department_id": p.dept, "primary": true}}})
	}
	ids := func(res map[string]any) string {
		var out []string
		for _, it := range res["items"].([]any) {
			switch id := it.(map[string]any)["user_id"].(string); id {
			case ada:
				out = append(out, "ada")
			case fang:
				out = append(out, "fang")
			case wei:
				out = append(out, "wei")
			}
		}
		return strings.Join(out, ",")
	}
	for path, want := range map[string]string{
		"/departments/" + rd + "/members":                           "ada,wei",
		"/departments/" + rd + "/members?subtree=true":              "ada,fang,wei",
		"/departments/" + rd + "/members?subtree=true&q=order.exam": "ada,fang,wei",
		"/members?q=order.example":                                  "ada,fang,wei",
	} {
		if got := ids(d.c.must(200, "GET", d.org(path), nil)); got != want {
			t.Errorf("GET %s: %s, want %s", path, got, want)
		}
	}
	g := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Mixed"})["id"].(string)
	for _, u := range []string{wei, ada, fang} {
		d.c.must(204, "PUT", d.admin("/groups/"+g+"/members/"+u), map[string]any{})
	}
	if got := ids(d.c.must(200, "GET", d.org("/groups/"+g+"/members"), nil)); got != "ada,fang,wei" {
		t.Errorf("group members: %s, want ada,fang,wei", got)
	}
}
