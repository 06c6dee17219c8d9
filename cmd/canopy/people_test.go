package main

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
)

func TestMemberProfileFields(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Profiles", "o@profiles.example")
	boss := d.mustUser("boss@profiles.example", "Boss")
	created := d.c.must(201, "POST", d.admin("/users"), map[string]any{
		"email": "zw@profiles.example", "display_name": "张伟",
		"employee_number": " E-001 ", "job_title": "工程师", "mobile": "+86 138-0013-8000",
		"work_location": "上海", "manager_id": boss, "hire_date": "2024-03-01",
	})
	zw := created["user_id"].(string)
	if created["employee_number"] != "E-001" || created["job_title"] != "工程师" || created["mobile"] != "+8613800138000" ||
		created["work_location"] != "上海" || created["hire_date"] != "2024-03-01" {
		t.Fatalf("created: %v", created)
	}
	if m := created["manager"].(map[string]any); m["id"] != boss || m["name"] != "Boss" {
		t.Fatalf("manager: %v", created["manager"])
	}
	got := d.c.must(200, "GET", d.admin("/users/"+zw), nil)
	if got["mobile"] != "+8613800138000" || got["employee_number"] != "E-001" {
		t.Fatalf("admin view: %v", got)
	}

	// Bad input is 400 with the error body, and changes nothing.
	long := strings.Repeat("长", 129)
	for _, c := range []struct {
		body map[string]any
		code string
	}{
		{map[string]any{"mobile": "138 0013 8000"}, "invalid_mobile"},
		{map[string]any{"mobile": "+86 138 0013 800x"}, "invalid_mobile"},
		{map[string]any{"job_title": long}, "invalid_field"},
		{map[string]any{"work_location": long}, "invalid_field"},
		{map[string]any{"employee_number": strings.Repeat("9", 65)}, "invalid_field"},
		{map[string]any{"hire_date": "2024-02-30"}, "invalid_date"},
		{map[string]any{"manager_id": zw}, "invalid_manager"},
		{map[string]any{"manager_id": "nobody"}, "invalid_manager"},
	} {
		r := d.c.do("PATCH", d.admin("/users/"+zw), c.body)
		if r.status != 400 || r.errorCode(t) != c.code {
			t.Errorf("PATCH %v: %d %s, want 400 %s", c.body, r.status, r.body, c.code)
		}
	}
	if r := d.c.do("POST", d.admin("/users"), map[string]any{"email": "bad@profiles.example", "display_name": "Bad", "mobile": "12345"}); r.status != 400 || r.errorCode(t) != "invalid_mobile" {
		t.Fatalf("create with a bad mobile: %d %s", r.status, r.body)
	}
	if r := d.c.do("GET", d.admin("/users?email=bad@profiles.example"), nil); r.json(t)["total"].(float64) != 0 {
		t.Fatalf("a refused create made a member: %s", r.body)
	}

	// The employee number is unique within the organisation, not across them.
	other := d.mustUser("other@profiles.example", "Other")
	if r := d.c.do("PATCH", d.admin("/users/"+other), map[string]any{"employee_number": "E-001"}); r.status != 409 || r.errorCode(t) != "employee_number_taken" {
		t.Fatalf("duplicate employee number: %d %s", r.status, r.body)
	}
	d2 := e.mustDir("Elsewhere", "o@elsewhere.example")
	d2.c.must(201, "POST", d2.admin("/users"), map[string]any{"email": "x@elsewhere.example", "display_name": "X", "employee_number": "E-001"})

	// Managers: a member of the same organisation, active, and never below the person.
	if r := d.c.do("PATCH", d.admin("/users/"+boss), map[string]any{"manager_id": zw}); r.status != 400 || r.errorCode(t) != "invalid_manager" {
		t.Fatalf("a two-person cycle: %d %s", r.status, r.body)
	}
	d.c.must(200, "PATCH", d.admin("/users/"+other), map[string]any{"manager_id": zw})
	if r := d.c.do("PATCH", d.admin("/users/"+boss), map[string]any{"manager_id": other}); r.status != 400 || r.errorCode(t) != "invalid_manager" {
		t.Fatalf("a three-person cycle: %d %s", r.status, r.body)
	}
	stranger := d2.mustUser("s@elsewhere.example", "Stranger")
	if r := d.c.do("PATCH", d.admin("/users/"+zw), map[string]any{"manager_id": stranger}); r.status != 400 || r.errorCode(t) != "invalid_manager" {
		t.Fatalf("another organisation's manager: %d %s", r.status, r.body)
	}
	gone := d.mustUser("gone@profiles.example", "Gone")
	d.c.must(200, "POST", d.admin("/users/"+gone+"/deactivate"), nil)
	if r := d.c.do("PATCH", d.admin("/users/"+zw), map[string]any{"manager_id": gone}); r.status != 400 || r.errorCode(t) != "invalid_manager" {
		t.Fatalf("a deactivated manager: %d %s", r.status, r.body)
	}
	// "" clears.
	cleared := d.c.must(200, "PATCH", d.admin("/users/"+other), map[string]any{"manager_id": "", "job_title": "Sales"})
	if cleared["manager"] != nil || cleared["job_title"] != "Sales" {
		t.Fatalf("cleared: %v", cleared)
	}

	// The change is audited field by field.
	d.c.must(200, "PATCH", d.admin("/users/"+zw), map[string]any{"job_title": "架构师", "mobile": "+86 139 0000 0000"})
	var entry map[string]any
	for _, it := range d.c.must(200, "GET", d.admin("/audit?action=member.update"), nil)["items"].([]any) {
		if it.(map[string]any)["target_id"] == zw {
			entry = it.(map[string]any)
			break
		}
	}
	if entry == nil {
		t.Fatal("no member.update entry")
	}
	before, after := entry["before"].(map[string]any), entry["after"].(map[string]any)
	// The mobile changed, and the audit log (which audit.read opens) says so without the numbers.
	if before["job_title"] != "工程师" || after["job_title"] != "架构师" || before["mobile"] != "(set)" || after["mobile"] != "(set)" {
		t.Fatalf("audit before %v after %v", before, after)
	}
	if strings.Contains(fmt.Sprint(entry), "13800138000") || strings.Contains(fmt.Sprint(entry), "13900000000") {
		t.Fatalf("the audit log holds a mobile number: %v", entry)
	}
	if _, ok := after["employee_number"]; ok {
		t.Fatalf("an unchanged field is recorded as changed: %v", after)
	}

	// Privacy: the directory shows title, number, location and manager to every reader, the
	// mobile and hire date only to the person and those who manage members.
	mc, me := e.mustJoin(d.mustInvite(nil), "m@profiles.example")
	d.c.must(200, "PATCH", d.admin("/users/"+me), map[string]any{"mobile": "+1 415 555 0100", "hire_date": "2020-01-02", "manager_id": zw})
	seen := mc.must(200, "GET", d.org("/members/"+zw), nil)
	if seen["employee_number"] != "E-001" || seen["job_title"] != "架构师" || seen["work_location"] != "上海" ||
		seen["manager"].(map[string]any)["id"] != boss || seen["mobile"] != nil || seen["hire_date"] != nil {
		t.Fatalf("a member sees: %v", seen)
	}
	for _, it := range mc.must(200, "GET", d.org("/members?q=张伟"), nil)["items"].([]any) {
		if it.(map[string]any)["mobile"] != nil || it.(map[string]any)["hire_date"] != nil {
			t.Fatalf("the listing shows a member another's mobile: %v", it)
		}
	}
	self := mc.must(200, "GET", d.org("/members/"+me), nil)
	if self["mobile"] != "+14155550100" || self["hire_date"] != "2020-01-02" || self["manager"].(map[string]any)["name"] != "张伟" {
		t.Fatalf("the person sees: %v", self)
	}
	if got := d.c.must(200, "GET", d.org("/members/"+me), nil); got["mobile"] != "+14155550100" {
		t.Fatalf("the owner sees: %v", got)
	}
	// A department admin (directory.manage, no members.manage) sees no mobile either.
	da, daID := e.mustJoin(d.mustInvite(nil), "da@profiles.example")
	eng := d.mustDept("", "Engineering")
	d.c.must(201, "POST", d.admin("/assignments"), map[string]any{"user_id": daID, "role_id": d.builtinRole("department_admin"), "department_id": eng})
	d.c.must(200, "PUT", d.admin("/users/"+me+"/departments"), map[string]any{"departments": []any{map[string]any{"department_id": eng, "primary": true}}})
	if got := da.must(200, "GET", d.org("/members/"+me), nil); got["mobile"] != nil || got["job_title"] != "" || got["manager"] == nil {
		t.Fatalf("a department admin sees: %v", got)
	}
	// Nor may a member edit the fields.
	if r := mc.do("PATCH", d.admin("/users/"+me), map[string]any{"job_title": "CEO"}); r.status != 403 {
		t.Fatalf("a member edits their title: %d %s", r.status, r.body)
	}
	// Another organisation's member id is 404.
	if r := d.c.do("PATCH", d.admin("/users/"+stranger), map[string]any{"job_title": "x"}); r.status != 404 {
		t.Fatalf("another organisation's member: %d %s", r.status, r.body)
	}
}

// Two managers set concurrently in opposite directions never both succeed: the graph keeps no
// cycle.
func TestManagerCyclesUnderConcurrency(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Cycles", "o@cycles.example")
	for round := 0; round < 8; round++ {
		a := d.mustUser(fmt.Sprintf("a%d@cycles.example", round), "A")
		b := d.mustUser(fmt.Sprintf("b%d@cycles.example", round), "B")
		var wg sync.WaitGroup
		status := make([]int, 2)
		for i, pair := range [][2]string{{a, b}, {b, a}} {
			wg.Add(1)
			go func(i int, who, manager string) {
				defer wg.Done()
				status[i] = d.c.do("PATCH", d.admin("/users/"+who), map[string]any{"manager_id": manager}).status
			}(i, pair[0], pair[1])
		}
		wg.Wait()
		if status[0] == 200 && status[1] == 200 {
			t.Fatalf("round %d: both directions were stored: a cycle", round)
		}
		if (status[0] != 200 && status[0] != 400) || (status[1] != 200 && status[1] != 400) || status[0] == status[1] {
			t.Fatalf("round %d: statuses %v, want one 200 and one 400", round, status)
		}
	}
}

// TestProfileChangesAtOnceKeepBoth: the console changes a member's title while SCIM changes
// their mobile, at the same moment; each applies to the profile the other left, so both stay.
func TestProfileChangesAtOnceKeepBoth(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Profile Race", "it@profilerace.example")
	p := e.idp(o.mustSCIMToken("Okta"))
	id := p.must(201, "POST", "/Users", `{"schemas":["`+scimUserURN+`"],"userName":"wei@profilerace.example","displayName":"张伟","active":true}`)["id"].(string)
	for round := 0; round < 12; round++ {
		title, mobile := fmt.Sprintf("工程师 %d", round), fmt.Sprintf("+86138001380%02d", round)
		var wg sync.WaitGroup
		status := make([]int, 2)
		wg.Add(2)
		go func() {
			defer wg.Done()
			status[0] = o.c.do("PATCH", "/api/v1/admin/orgs/"+o.orgID+"/users/"+id, map[string]any{"job_title": title}).status
		}()
		go func() {
			defer wg.Done()
			status[1] = p.send("PATCH", "/Users/"+id, `{"schemas":["`+scimPatchURN+`"],"Operations":[
				{"op":"replace","path":"phoneNumbers[type eq \"mobile\"].value","value":"`+mobile+`"}]}`).status
		}()
		wg.Wait()
		if status[0] != 200 || status[1] != 200 {
			t.Fatalf("round %d: statuses %v", round, status)
		}
		m := o.c.must(200, "GET", "/api/v1/admin/orgs/"+o.orgID+"/users/"+id, nil)
		if m["job_title"] != title || m["mobile"] != mobile {
			t.Fatalf("round %d: a change was lost: title %v (want %s), mobile %v (want %s)", round, m["job_title"], title, m["mobile"], mobile)
		}
	}
}

// hireOrder names 王芳 (wf) and 张伟 (zw), hired the same day, in the order of their ids.
func hireOrder(wf, zw string) string {
	if wf < zw {
		return "Bob,王芳,张伟"
	}
	return "Bob,张伟,王芳"
}

func peopleNames(t *testing.T, m map[string]any) []string {
	t.Helper()
	var out []string
	for _, it := range m["items"].([]any) {
		out = append(out, it.(map[string]any)["display_name"].(string))
	}
	return out
}

func TestPeopleTable(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("People", "o@people.example")
	eng := d.mustDept("", "Engineering")
	backend := d.mustDept(eng, "Backend")
	sales := d.mustDept("", "Sales")
	user := func(email, name string, extra map[string]any, depts ...string) string {
		body := map[string]any{"email": email, "display_name": name}
		for k, v := range extra {
			body[k] = v
		}
		id := d.c.must(201, "POST", d.admin("/users"), body)["user_id"].(string)
		var ds []any
		for i, dep := range depts {
			ds = append(ds, map[string]any{"department_id": dep, "primary": i == 0})
		}
		if len(ds) > 0 {
			d.c.must(200, "PUT", d.admin("/users/"+id+"/departments"), map[string]any{"departments": ds})
		}
		return id
	}
	zw := user("zw@people.example", "张伟", map[string]any{"employee_number": "E-003", "hire_date": "2021-05-01", "mobile": "+86 138 0013 8000", "job_title": "工程师"}, backend, sales)
	wf := user("wf@people.example", "王芳", map[string]any{"employee_number": "E-001", "hire_date": "2021-05-01", "manager_id": zw}, eng)
	alice := user("alice@people.example", "Alice", map[string]any{"employee_number": "E-002", "role": "admin"}, sales)
	bob := user("bob@people.example", "Bob", map[string]any{"manager_id": zw, "hire_date": "2019-01-01"}, backend)
	d.c.must(200, "POST", d.admin("/users/"+bob+"/deactivate"), nil)
	p := func(q string) map[string]any { return d.c.must(200, "GET", d.admin("/people?"+q), nil) }

	all := p("")
	if got := strings.Join(peopleNames(t, all), ","); got != "Alice,Bob,Owner of People,王芳,张伟" || all["total"].(float64) != 5 || all["next_cursor"] != nil {
		t.Fatalf("by name (pinyin for Chinese names): %s, total %v", got, all["total"])
	}
	var row map[string]any
	for _, it := range all["items"].([]any) {
		if it.(map[string]any)["user_id"] == zw {
			row = it.(map[string]any)
		}
	}
	depts := row["departments"].([]any)
	first := depts[0].(map[string]any)
	if row["mobile"] != "+8613800138000" || row["employee_number"] != "E-003" || row["job_title"] != "工程师" || row["email"] != "zw@people.example" ||
		row["status"] != "active" || row["role"] != "member" || row["hire_date"] != "2021-05-01" || len(depts) != 2 ||
		first["id"] != backend || first["primary"] != true || first["name"] != "Backend" || first["path"] != "People / Engineering / Backend" ||
		depts[1].(map[string]any)["primary"] != false || row["activation_pending"] != true {
		t.Fatalf("a row: %v", row)
	}
	for _, it := range all["items"].([]any) {
		if it.(map[string]any)["user_id"] == wf && it.(map[string]any)["manager"].(map[string]any)["name"] != "张伟" {
			t.Fatalf("manager of a row: %v", it)
		}
		// The owner signed up with a password; the people the admin API created wait for theirs.
		if it.(map[string]any)["display_name"] == "Owner of People" && it.(map[string]any)["activation_pending"] != false {
			t.Fatalf("the owner's row: %v", it)
		}
	}
	if got := strings.Join(peopleNames(t, p("order=desc")), ","); got != "张伟,王芳,Owner of People,Bob,Alice" {
		t.Fatalf("by name descending: %s", got)
	}

	for _, c := range []struct{ query, want string }{
		{"department_id=" + eng, "Bob,王芳,张伟"},
		{"department_id=" + eng + "&subtree=true", "Bob,王芳,张伟"},
		{"department_id=" + eng + "&subtree=false", "王芳"},
		{"department_id=" + sales + "&subtree=false", "Alice,张伟"},
		{"role=admin", "Alice"},
		{"role=owner", "Owner of People"},
		{"status=deactivated", "Bob"},
		{"status=active&department_id=" + backend, "张伟"},
		{"manager_id=" + zw, "Bob,王芳"},
		{"q=zw", "张伟"},
		{"q=zhang", "张伟"},
		{"q=" + url.QueryEscape("王"), "王芳"},
		{"q=e-00", "Alice,王芳,张伟"},
		{"q=E-002", "Alice"},
		{"q=ALICE@", "Alice"},
		{"q=wangf&department_id=" + eng, "王芳"},
		{"q=zw&department_id=" + sales + "&subtree=false", "张伟"},
		{"q=nobody", ""},
		{"sort=employee_number&q=e-00", "王芳,Alice,张伟"},
		{"sort=employee_number&order=desc&q=e-00", "张伟,Alice,王芳"},
		{"sort=hire_date&department_id=" + eng, hireOrder(wf, zw)},
	} {
		if got := strings.Join(peopleNames(t, p(c.query)), ","); got != c.want {
			t.Errorf("%s: %s, want %s", c.query, got, c.want)
		}
	}
	// Without the value last (ascending) or first (descending); ties by user id.
	if got := peopleNames(t, p("sort=employee_number")); strings.Join(got[:3], ",") != "王芳,Alice,张伟" {
		t.Errorf("by employee number: %v", got)
	}
	if got := peopleNames(t, p("sort=employee_number&order=desc")); strings.Join(got[2:], ",") != "张伟,Alice,王芳" {
		t.Errorf("by employee number, descending: %v", got)
	}
	if got := peopleNames(t, p("sort=hire_date")); got[0] != "Bob" || (got[1] != "王芳" && got[1] != "张伟") {
		t.Errorf("by hire date: %v", got)
	}
	if got := peopleNames(t, p("sort=joined_at&order=desc")); got[0] != "Bob" || got[4] != "Owner of People" {
		t.Errorf("by joining, newest first: %v", got)
	}

	// Paging walks every row once, with ties (equal hire dates, no hire date) in a stable order.
	for i := 0; i < 6; i++ {
		user(fmt.Sprintf("tie%d@people.example", i), "Tie", map[string]any{"hire_date": "2021-05-01"})
	}
	for _, sort := range []string{"name", "employee_number", "hire_date", "joined_at"} {
		for _, order := range []string{"asc", "desc"} {
			whole := peopleNames(t, p("limit=200&sort="+sort+"&order="+order))
			var ids, walked []string
			cursor := ""
			for pages := 0; ; pages++ {
				if pages > 20 {
					t.Fatalf("%s %s: paging does not end", sort, order)
				}
				page := p("limit=2&sort=" + sort + "&order=" + order + cursor)
				if page["total"].(float64) != 11 {
					t.Fatalf("total %v", page["total"])
				}
				for _, it := range page["items"].([]any) {
					ids = append(ids, it.(map[string]any)["user_id"].(string))
					walked = append(walked, it.(map[string]any)["display_name"].(string))
				}
				if page["next_cursor"] == nil {
					break
				}
				cursor = "&cursor=" + url.QueryEscape(page["next_cursor"].(string))
			}
			seen := map[string]bool{}
			for _, id := range ids {
				if seen[id] {
					t.Fatalf("%s %s: %s twice", sort, order, id)
				}
				seen[id] = true
			}
			if len(ids) != 11 || strings.Join(walked, ",") != strings.Join(whole, ",") {
				t.Fatalf("%s %s: walked %v, whole %v", sort, order, walked, whole)
			}
		}
	}

	// Bad parameters are 400 with the error body.
	page := p("limit=1")
	for _, q := range []string{"limit=0", "limit=201", "limit=x", "sort=salary", "order=up", "subtree=maybe", "status=gone", "role=king",
		"department_id=x", "manager_id=x", "cursor=%2A%2A%2A", "cursor=bm90IGpzb24", "q=" + strings.Repeat("a", 201),
		"sort=hire_date&cursor=" + url.QueryEscape(page["next_cursor"].(string)),
		"order=desc&cursor=" + url.QueryEscape(page["next_cursor"].(string)),
		"cursor=eyJzIjoibmFtZSIsImQiOmZhbHNlLCJrIjpbImEiLCJiIiwibm90LWFuLWlkIl19",
		"sort=joined_at&cursor=eyJzIjoiam9pbmVkX2F0IiwiZCI6ZmFsc2UsImsiOlsibm90IGEgdGltZSIsIiIsIjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMCJdfQ",
		// Year 0000: Go parses it, PostgreSQL does not.
		"sort=hire_date&cursor=eyJzIjoiaGlyZV9kYXRlIiwiZCI6ZmFsc2UsImsiOlsiZmFsc2UiLCIwMDAwLTAxLTAxIiwiMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwIl19"} {
		r := d.c.do("GET", d.admin("/people?"+q), nil)
		if r.status != 400 {
			t.Errorf("%s: %d %s, want 400", q, r.status, r.body)
			continue
		}
		r.errorCode(t)
	}

	// Tenant isolation: another organisation's department, manager or people are not found.
	d2 := e.mustDir("Others", "o@others.example")
	theirs := d2.mustDept("", "Theirs")
	them := d2.mustUser("them@others.example", "Them")
	for _, q := range []string{"department_id=" + theirs, "manager_id=" + them} {
		if r := d.c.do("GET", d.admin("/people?"+q), nil); r.status != 404 {
			t.Errorf("%s: %d %s, want 404", q, r.status, r.body)
		}
	}
	if r := d2.c.do("GET", d.admin("/people"), nil); r.status != 404 {
		t.Fatalf("another organisation's owner: %d %s", r.status, r.body)
	}
	if got := peopleNames(t, d2.c.must(200, "GET", d2.admin("/people?q=zw"), nil)); len(got) != 0 {
		t.Fatalf("another organisation's table shows %v", got)
	}

	// A plain member, and a department admin (a narrower grant), are refused.
	mc, _ := e.mustJoin(d.mustInvite(nil), "m@people.example")
	if r := mc.do("GET", d.admin("/people"), nil); r.status != 403 {
		t.Fatalf("a member: %d %s", r.status, r.body)
	}
	da, daID := e.mustJoin(d.mustInvite(nil), "da@people.example")
	d.c.must(201, "POST", d.admin("/assignments"), map[string]any{"user_id": daID, "role_id": d.builtinRole("department_admin"), "department_id": eng})
	if r := da.do("GET", d.admin("/people?department_id="+eng), nil); r.status != 403 {
		t.Fatalf("a department admin: %d %s", r.status, r.body)
	}
	_ = alice
}

// SCIM carries the employee details: core title and phoneNumbers (type mobile), the enterprise
// extension's employeeNumber and manager.value, on POST, PUT, PATCH and GET.
func TestSCIMEnterpriseProfile(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("SCIM Profile", "it@scimprofile.example")
	p := e.idp(o.mustSCIMToken("Okta"))
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	boss := p.must(201, "POST", "/Users", `{"schemas":["`+scimUserURN+`"],"userName":"boss@scimprofile.example","displayName":"Boss","active":true}`)["id"].(string)
	u := p.must(201, "POST", "/Users", `{"schemas":["`+scimUserURN+`","`+ent+`"],"userName":"wei@scimprofile.example","displayName":"张伟","active":true,
		"title":"工程师","phoneNumbers":[{"value":"+1 (415) 555-0100","type":"work"},{"value":"+86 138-0013-8000","type":"mobile"}],
		"`+ent+`":{"employeeNumber":"E-100","manager":{"value":"`+boss+`"},"department":"Engineering"}}`)
	id := u["id"].(string)
	check := func(u map[string]any, title, mobile, number, manager string) {
		t.Helper()
		if title == "" && u["title"] != nil || title != "" && u["title"] != title {
			t.Fatalf("title: %v", u)
		}
		phones, _ := u["phoneNumbers"].([]any)
		if mobile == "" && len(phones) != 0 || mobile != "" && (len(phones) != 1 || phones[0].(map[string]any)["value"] != mobile || phones[0].(map[string]any)["type"] != "mobile") {
			t.Fatalf("phoneNumbers: %v", u)
		}
		x, _ := u[ent].(map[string]any)
		if number != "" && x["employeeNumber"] != number {
			t.Fatalf("employeeNumber: %v", u)
		}
		if manager != "" && x["manager"].(map[string]any)["value"] != manager || manager == "" && x != nil && x["manager"] != nil {
			t.Fatalf("manager: %v", u)
		}
	}
	check(u, "工程师", "+8613800138000", "E-100", boss)
	check(p.must(200, "GET", "/Users/"+id, ""), "工程师", "+8613800138000", "E-100", boss)
	// The console sees what SCIM set.
	m := o.c.must(200, "GET", "/api/v1/admin/orgs/"+o.orgID+"/users/"+id, nil)
	if m["job_title"] != "工程师" || m["mobile"] != "+8613800138000" || m["employee_number"] != "E-100" || m["manager"].(map[string]any)["id"] != boss {
		t.Fatalf("the console's view: %v", m)
	}

	// PATCH by path: the title, the mobile by its filter, the employee number, the manager.
	u = p.must(200, "PATCH", "/Users/"+id, `{"schemas":["`+scimPatchURN+`"],"Operations":[
		{"op":"replace","path":"title","value":"架构师"},
		{"op":"replace","path":"phoneNumbers[type eq \"mobile\"].value","value":"+86 139 0000 0000"},
		{"op":"replace","path":"`+ent+`:employeeNumber","value":"E-200"},
		{"op":"remove","path":"`+ent+`:manager"}]}`)
	check(u, "架构师", "+8613900000000", "E-200", "")
	// A work number is not the mobile: patching it, or removing it, leaves the mobile alone.
	u = p.must(200, "PATCH", "/Users/"+id, `{"schemas":["`+scimPatchURN+`"],"Operations":[
		{"op":"replace","path":"phoneNumbers[type eq \"work\"].value","value":"+86 10 5555 0100"},
		{"op":"remove","path":"phoneNumbers[type eq \"work\"]"}]}`)
	check(u, "架构师", "+8613900000000", "E-200", "")
	// PATCH without a path.
	u = p.must(200, "PATCH", "/Users/"+id, `{"schemas":["`+scimPatchURN+`"],"Operations":[
		{"op":"replace","value":{"`+ent+`":{"manager":{"value":"`+boss+`"}}}}]}`)
	check(u, "架构师", "+8613900000000", "E-200", boss)
	// PUT of the whole user; a list of phone numbers without a mobile one clears it.
	u = p.must(200, "PUT", "/Users/"+id, `{"schemas":["`+scimUserURN+`","`+ent+`"],"userName":"wei@scimprofile.example","displayName":"张伟","active":true,
		"title":"CTO","phoneNumbers":[{"value":"+1 415 555 0100","type":"work"}],"`+ent+`":{"employeeNumber":"E-300","manager":{"value":"`+boss+`"}}}`)
	check(u, "CTO", "", "E-300", boss)

	// A manager the organisation does not know (not provisioned yet, or the provider's own id)
	// is left as it is: the user still syncs.
	check(p.must(200, "PATCH", "/Users/"+id, `{"schemas":["`+scimPatchURN+`"],"Operations":[{"op":"replace","path":"`+ent+`:manager","value":{"value":"not-an-id"}}]}`),
		"CTO", "", "E-300", boss)
	check(p.must(200, "PATCH", "/Users/"+id, `{"schemas":["`+scimPatchURN+`"],"Operations":[{"op":"replace","path":"`+ent+`:manager","value":{"value":"`+uuid.NewString()+`"}}]}`),
		"CTO", "", "E-300", boss)

	// Bad values are 400 and change nothing: a mobile that is not E.164, a title too long, a
	// manager who would close a cycle; an employee number another member has is 409.
	for _, body := range []string{
		`{"op":"replace","path":"phoneNumbers[type eq \"mobile\"].value","value":"13800138000"}`,
		`{"op":"replace","path":"title","value":"` + strings.Repeat("长", 129) + `"}`,
	} {
		if r := p.send("PATCH", "/Users/"+id, `{"schemas":["`+scimPatchURN+`"],"Operations":[`+body+`]}`); r.status != 400 {
			t.Errorf("PATCH %s: %d %s", body, r.status, r.body)
		}
	}
	if r := p.send("PATCH", "/Users/"+boss, `{"schemas":["`+scimPatchURN+`"],"Operations":[{"op":"replace","path":"`+ent+`:manager","value":{"value":"`+id+`"}}]}`); r.status != 400 {
		t.Errorf("a cycle: %d %s", r.status, r.body)
	}
	if r := p.send("PATCH", "/Users/"+boss, `{"schemas":["`+scimPatchURN+`"],"Operations":[{"op":"replace","path":"`+ent+`:employeeNumber","value":"E-300"}]}`); r.status != 409 {
		t.Errorf("a taken employee number: %d %s", r.status, r.body)
	}
	check(p.must(200, "GET", "/Users/"+id, ""), "CTO", "", "E-300", boss)

	// Filters see them.
	for _, f := range []string{`title eq "cto"`, ent + `:employeeNumber eq "E-300"`, ent + `:manager.value eq "` + boss + `"`, `title pr and not (phoneNumbers pr)`} {
		found := resources(t, p.must(200, "GET", "/Users?filter="+url.QueryEscape(f), ""))
		if len(found) != 1 || found[0]["id"] != id {
			t.Errorf("filter %s: %v", f, found)
		}
	}
}
