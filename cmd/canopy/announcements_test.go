package main

import (
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
)

// Announcements (issue 12, item 5): publishing to the organisation, a department subtree or a
// group within one's announcements.publish, acknowledgement end to end with the reminder to
// those who have not and the CSV, live recipients, guests, narrowed tokens and bad input.

// annOrg is an organisation with Engineering (and Backend below it) and Sales, four members
// placed in them, a guest in Engineering, and a department admin of Engineering.
type annOrg struct {
	dir
	eng, backend, sales string
	// The members by name, with their ids.
	c  map[string]*client
	id map[string]string
}

func (e *testEnv) mustAnnOrg(name, domain string) annOrg {
	d := e.mustDir(name, "owner@"+domain)
	o := annOrg{dir: d, c: map[string]*client{}, id: map[string]string{}}
	o.eng = d.mustDept("", "Engineering")
	o.backend = d.mustDept(o.eng, "Backend")
	o.sales = d.mustDept("", "Sales")
	for who, dept := range map[string]string{"li": o.eng, "han": o.eng, "zhao": o.backend, "wang": o.sales, "guest": o.eng, "boss": ""} {
		var body map[string]any
		if who == "guest" {
			body = map[string]any{"role": "guest"}
		}
		o.c[who], o.id[who] = e.mustJoin(d.mustInvite(body), who+"@"+domain)
		if dept != "" {
			d.c.must(204, "PUT", d.admin("/departments/"+dept+"/members/"+o.id[who]), map[string]any{})
		}
	}
	// boss is Engineering's department admin, not a member of it.
	d.mustAssign(o.id["boss"], d.builtinRole("department_admin"), o.eng)
	return o
}

// annNamesOf returns the names of an acks listing's items, in order.
func annNamesOf(m map[string]any) []string {
	var out []string
	for _, it := range m["items"].([]any) {
		out = append(out, it.(map[string]any)["name"].(string))
	}
	return out
}

// annIDsOf returns the ids of a listing's items.
func annIDsOf(m map[string]any) []string {
	var out []string
	for _, it := range m["items"].([]any) {
		out = append(out, it.(map[string]any)["id"].(string))
	}
	return out
}

// TestAnnouncementAcknowledgementEndToEnd: an announcement asking for acknowledgement goes to
// Engineering's subtree (three members; not its guest, nor Sales); two acknowledge (once each,
// however often they press), the publisher's list says 2 acknowledged and names the pending
// one; the reminder reaches only that one, and a second within 10 minutes is 429; the CSV names
// every recipient with their state, its cells neutralised, and is audited; deletion hides it.
func TestAnnouncementAcknowledgementEndToEnd(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustAnnOrg("Notice", "notice.example")
	// A name a spreadsheet would run as a formula.
	o.c["zhao"].must(200, "PATCH", "/api/v1/me", map[string]any{"display_name": "=HYPERLINK(\"http://x\")"})

	a := o.c0().must(201, "POST", o.org("/announcements"), map[string]any{"scope": "department", "target_id": o.eng,
		"title": "Office move", "body": "We move on **Friday**. <script>alert(1)</script>", "requires_ack": true})
	id := a["id"].(string)
	if a["target_name"] != "Engineering" || a["recipient_count"] != float64(3) || a["acked_count"] != float64(0) || a["recipient"] != false ||
		!strings.Contains(a["body_html"].(string), "<strong>Friday</strong>") || strings.Contains(a["body_html"].(string), "<script") {
		t.Fatalf("published: %v", a)
	}

	// The recipients see it pending; the others do not see it at all.
	for _, who := range []string{"li", "han", "zhao"} {
		mine := o.c[who].must(200, "GET", o.org("/announcements?pending=true"), nil)
		if ids := annIDsOf(mine); len(ids) != 1 || ids[0] != id || mine["items"].([]any)[0].(map[string]any)["pending"] != true {
			t.Fatalf("%s's pending announcements: %v", who, mine)
		}
	}
	for _, who := range []string{"wang", "guest"} {
		if mine := o.c[who].must(200, "GET", o.org("/announcements"), nil); mine["total"] != float64(0) {
			t.Fatalf("%s sees %v", who, mine)
		}
		wantCode(t, who+" reads it", o.c[who].do("GET", o.org("/announcements/"+id), nil), 404, "not_found")
		wantCode(t, who+" acknowledges it", o.c[who].do("POST", o.org("/announcements/"+id+"/ack"), nil), 404, "not_found")
	}
	// The publisher oversees it but is no recipient.
	wantCode(t, "the publisher acknowledges", o.c0().do("POST", o.org("/announcements/"+id+"/ack"), nil), 403, "not_a_recipient")

	// Two acknowledge, Li twice: the first time stays.
	first := o.c["li"].must(200, "POST", o.org("/announcements/"+id+"/ack"), nil)["acked_at"]
	if again := o.c["li"].must(200, "POST", o.org("/announcements/"+id+"/ack"), nil)["acked_at"]; again != first {
		t.Fatalf("a second acknowledgement moved it: %v then %v", first, again)
	}
	o.c["han"].must(200, "POST", o.org("/announcements/"+id+"/ack"), nil)
	if got := o.c["li"].must(200, "GET", o.org("/announcements"), nil)["items"].([]any)[0].(map[string]any); got["pending"] != false || got["acked_at"] != first {
		t.Fatalf("Li's view after acknowledging: %v", got)
	}
	if got := o.c["li"].must(200, "GET", o.org("/announcements?pending=true"), nil); got["total"] != float64(0) {
		t.Fatalf("Li still has it pending: %v", got)
	}

	acks := o.c0().must(200, "GET", o.org("/announcements/"+id+"/acks"), nil)
	if acks["acked_count"] != float64(2) || acks["pending_count"] != float64(1) || acks["total"] != float64(3) {
		t.Fatalf("acks: %v", acks)
	}
	pending := o.c0().must(200, "GET", o.org("/announcements/"+id+"/acks?state=pending"), nil)
	if names := annNamesOf(pending); len(names) != 1 || names[0] != `=HYPERLINK("http://x")` || pending["total"] != float64(1) ||
		pending["items"].([]any)[0].(map[string]any)["department"] != "Backend" {
		t.Fatalf("pending: %v", pending)
	}
	acked := o.c0().must(200, "GET", o.org("/announcements/"+id+"/acks?state=acked&limit=1"), nil)
	if names := annNamesOf(acked); len(names) != 1 || acked["total"] != float64(2) || names[0] != "Person han@notice.example" {
		t.Fatalf("acked, first page: %v", acked)
	}
	if names := annNamesOf(o.c0().must(200, "GET", o.org("/announcements/"+id+"/acks?state=acked&limit=1&offset=1"), nil)); len(names) != 1 || names[0] != "Person li@notice.example" {
		t.Fatalf("acked, second page: %v", names)
	}
	// Engineering's admin oversees it too; a recipient does not.
	if got := o.c["boss"].must(200, "GET", o.org("/announcements/"+id+"/acks"), nil); got["acked_count"] != float64(2) {
		t.Fatalf("the department admin's view: %v", got)
	}
	wantCode(t, "a recipient reads the acks", o.c["li"].do("GET", o.org("/announcements/"+id+"/acks"), nil), 403, "forbidden")

	// Publication told the three recipients, and nobody else.
	e.waitDispatched(t)
	for who, want := range map[string]int{"li": 1, "han": 1, "zhao": 1, "wang": 0, "guest": 0, "boss": 0} {
		got := notificationsOf(t, o.c[who], o.orgID, "announcements.published")
		if len(got) != want {
			t.Fatalf("%s has %d announcements.published, want %d", who, len(got), want)
		}
		if want == 1 {
			p := got[0]["payload"].(map[string]any)
			if got[0]["subject_type"] != "announcement" || got[0]["subject_id"] != id || p["title"] != "Office move" ||
				p["requires_ack"] != true || p["actor_name"] != "Owner of Notice" {
				t.Fatalf("%s's notification: %v", who, got[0])
			}
		}
	}

	// The reminder reaches the one who has not acknowledged, only.
	if got := o.c0().must(200, "POST", o.org("/announcements/"+id+"/remind"), nil); got["reminded"] != float64(1) {
		t.Fatalf("remind: %v", got)
	}
	e.waitDispatched(t)
	for who, want := range map[string]int{"li": 0, "han": 0, "zhao": 1, "wang": 0, "guest": 0} {
		if got := notificationsOf(t, o.c[who], o.orgID, "announcements.reminder"); len(got) != want {
			t.Fatalf("%s has %d reminders, want %d", who, len(got), want)
		}
	}
	// A second one within 10 minutes is refused, saying how long to wait, by whoever asks.
	for _, c := range []*client{o.c0(), o.c["boss"]} {
		r := c.do("POST", o.org("/announcements/"+id+"/remind"), nil)
		wantCode(t, "a second reminder", r, 429, "remind_too_soon")
		if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s <= 0 || s > 600 {
			t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
		}
	}
	e.waitDispatched(t)
	if got := notificationsOf(t, o.c["zhao"], o.orgID, "announcements.reminder"); len(got) != 1 {
		t.Fatalf("the refused reminder told Zhao: %v", got)
	}

	// The CSV: every recipient with their state, neutralised, and audited.
	r := o.c0().do("GET", o.org("/announcements/"+id+"/acks.csv"), nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv: %d %v %s", r.status, r.header, r.body)
	}
	rows, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || strings.Join(rows[0], ",") != "user_id,name,department,state,acked_at" {
		t.Fatalf("csv rows: %v", rows)
	}
	state := map[string][]string{}
	for _, row := range rows[1:] {
		state[row[0]] = row
	}
	for who, want := range map[string]string{"li": "acked", "han": "acked", "zhao": "pending"} {
		row := state[o.id[who]]
		if row == nil || row[3] != want || (want == "acked") != (row[4] != "") {
			t.Fatalf("%s's row: %v", who, row)
		}
	}
	if row := state[o.id["zhao"]]; row[1] != `'=HYPERLINK("http://x")` || row[2] != "Backend" {
		t.Fatalf("zhao's cells are not neutralised: %v", row)
	}
	if n := e.tkCount(t, `SELECT count(*) FROM audit_log WHERE action = 'announcements.acks_export' AND target_id = ?`, id); n != 1 {
		t.Fatalf("%d export audit entries", n)
	}
	if n := e.tkCount(t, `SELECT count(*) FROM audit_log WHERE action = 'announcements.publish' AND target_id = ?`, id); n != 1 {
		t.Fatalf("%d publish audit entries", n)
	}

	// The publisher's listing shows the counts; deletion hides it from everyone.
	list := o.c0().must(200, "GET", o.org("/admin/announcements"), nil)
	if it := list["items"].([]any)[0].(map[string]any); list["total"] != float64(1) || it["acked_count"] != float64(2) || it["recipient_count"] != float64(3) {
		t.Fatalf("admin listing: %v", list)
	}
	o.c0().must(204, "DELETE", o.org("/announcements/"+id), nil)
	for _, c := range []*client{o.c0(), o.c["li"], o.c["zhao"]} {
		wantCode(t, "a deleted announcement", c.do("GET", o.org("/announcements/"+id), nil), 404, "not_found")
	}
	if got := o.c["zhao"].must(200, "GET", o.org("/announcements"), nil); got["total"] != float64(0) {
		t.Fatalf("Zhao still sees it: %v", got)
	}
	if got := o.c0().must(200, "GET", o.org("/admin/announcements"), nil); got["total"] != float64(0) {
		t.Fatalf("the admin listing still has it: %v", got)
	}
	if n := e.tkCount(t, `SELECT count(*) FROM audit_log WHERE action = 'announcements.delete' AND target_id = ?`, id); n != 1 {
		t.Fatalf("%d delete audit entries", n)
	}
}

// c0 is the organisation owner's client.
func (o annOrg) c0() *client { return o.dir.c }

// TestAnnouncementScopesAndEscalation: a department admin publishes to their subtree and the
// groups attached there, and nowhere else; a member cannot publish at all; guests are not
// recipients of organisation-wide or department announcements but are of their groups'; the
// recipients follow the directory as it is now; a token narrowed to announcements.publish cannot
// read another organisation's acknowledgements, nor read its owner's announcements.
func TestAnnouncementScopesAndEscalation(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustAnnOrg("Scopes", "scopes.example")
	boss := o.c["boss"]
	engGroup := o.c0().must(201, "POST", o.admin("/groups"), map[string]any{"name": "Eng club", "department_id": o.eng})["id"].(string)
	salesGroup := o.c0().must(201, "POST", o.admin("/groups"), map[string]any{"name": "Sales club", "department_id": o.sales})["id"].(string)
	looseGroup := o.c0().must(201, "POST", o.admin("/groups"), map[string]any{"name": "Book club"})["id"].(string)
	o.c0().must(204, "PUT", o.admin("/groups/"+engGroup+"/members/"+o.id["guest"]), map[string]any{})
	o.c0().must(204, "PUT", o.admin("/groups/"+engGroup+"/members/"+o.id["wang"]), map[string]any{})

	pub := func(c *client, scope, target string) response {
		body := map[string]any{"scope": scope, "title": "To " + scope, "requires_ack": true}
		if target != "" {
			body["target_id"] = target
		}
		return c.do("POST", o.org("/announcements"), body)
	}
	// The department admin: their subtree and its groups, nothing else.
	for name, target := range map[string][2]string{"Backend": {"department", o.backend}, "Engineering": {"department", o.eng}, "Eng club": {"group", engGroup}} {
		if r := pub(boss, target[0], target[1]); r.status != 201 {
			t.Fatalf("the department admin publishes to %s: %d %s", name, r.status, r.body)
		}
	}
	for name, target := range map[string][2]string{"Sales": {"department", o.sales}, "the organisation": {"org", ""},
		"Sales club": {"group", salesGroup}, "a group of no department": {"group", looseGroup}} {
		wantCode(t, "the department admin publishes to "+name, pub(boss, target[0], target[1]), 403, "forbidden")
	}
	// A member cannot publish anywhere, nor list what admins oversee.
	wantCode(t, "a member publishes", pub(o.c["li"], "department", o.eng), 403, "forbidden")
	wantCode(t, "a guest publishes", pub(o.c["guest"], "group", engGroup), 403, "forbidden")
	wantCode(t, "a member lists the admin view", o.c["li"].do("GET", o.org("/admin/announcements"), nil), 403, "forbidden")
	// The department admin oversees what was published in their subtree (3), not the owner's
	// organisation-wide one, which they receive no more than they oversee (they are in no
	// department).
	orgWide := o.c0().must(201, "POST", o.org("/announcements"), map[string]any{"scope": "org", "title": "Holiday", "requires_ack": true})["id"].(string)
	if got := boss.must(200, "GET", o.org("/admin/announcements"), nil); got["total"] != float64(3) {
		t.Fatalf("the department admin's listing: %v", got)
	}
	if got := boss.must(200, "GET", o.org("/announcements/"+orgWide), nil); got["recipient"] != true || got["can_manage"] != false {
		t.Fatalf("the department admin's view of the organisation's announcement: %v", got)
	}
	wantCode(t, "the department admin reads the organisation's acks", boss.do("GET", o.org("/announcements/"+orgWide+"/acks"), nil), 403, "forbidden")

	// Guests: not of the organisation's, nor of Engineering's; of their group's, yes.
	if got := o.c0().must(200, "GET", o.org("/announcements/"+orgWide+"/acks"), nil); got["total"] != float64(6) {
		t.Fatalf("the organisation's recipients (the owner, five members, no guest): %v", got)
	}
	wantCode(t, "a guest reads the organisation's", o.c["guest"].do("GET", o.org("/announcements/"+orgWide), nil), 404, "not_found")
	guestSees := o.c["guest"].must(200, "GET", o.org("/announcements"), nil)
	if guestSees["total"] != float64(1) || guestSees["items"].([]any)[0].(map[string]any)["title"] != "To group" {
		t.Fatalf("the guest sees %v", guestSees)
	}
	// Wang (Sales) is in Eng club, so gets the group's but not Engineering's.
	wangSees := map[string]bool{}
	for _, it := range o.c["wang"].must(200, "GET", o.org("/announcements"), nil)["items"].([]any) {
		wangSees[it.(map[string]any)["title"].(string)] = true
	}
	if len(wangSees) != 2 || !wangSees["To group"] || !wangSees["Holiday"] {
		t.Fatalf("Wang sees %v", wangSees)
	}

	// Recipients follow the directory: Wang joins Backend and sees Engineering's; Li leaves
	// Engineering and no longer does.
	engAnn := o.c0().must(201, "POST", o.org("/announcements"), map[string]any{"scope": "department", "target_id": o.eng, "title": "Eng only"})["id"].(string)
	wantCode(t, "Wang before joining", o.c["wang"].do("GET", o.org("/announcements/"+engAnn), nil), 404, "not_found")
	o.c0().must(204, "PUT", o.admin("/departments/"+o.backend+"/members/"+o.id["wang"]), map[string]any{})
	o.c["wang"].must(200, "GET", o.org("/announcements/"+engAnn), nil)
	o.c0().must(204, "DELETE", o.admin("/departments/"+o.eng+"/members/"+o.id["li"]), nil)
	wantCode(t, "Li after leaving", o.c["li"].do("GET", o.org("/announcements/"+engAnn), nil), 404, "not_found")
	wantCode(t, "remind without acknowledgement", o.c0().do("POST", o.org("/announcements/"+engAnn+"/remind"), nil), 409, "ack_not_required")

	// A token narrowed to announcements.publish: its organisation's acknowledgements, not
	// another's, and none of the routes of other permissions.
	other := e.mustAnnOrg("Elsewhere", "elsewhere.example")
	theirs := other.c0().must(201, "POST", other.org("/announcements"), map[string]any{"scope": "org", "title": "Theirs", "requires_ack": true})["id"].(string)
	secret := o.c0().must(201, "POST", o.org("/tokens"), map[string]any{"name": "notices", "scopes": []string{"announcements.publish"}})["secret"].(string)
	tok := e.tokenClient(secret)
	tok.must(200, "GET", o.org("/announcements/"+orgWide+"/acks"), nil)
	for _, path := range []string{other.org("/announcements/" + theirs + "/acks"), o.org("/announcements/" + theirs + "/acks"),
		other.org("/announcements/" + theirs + "/acks.csv"), o.org("/announcements/" + theirs + "/remind")} {
		method := "GET"
		if strings.HasSuffix(path, "/remind") {
			method = "POST"
		}
		if r := tok.do(method, path, nil); r.status != 404 {
			t.Fatalf("the narrowed token reads %s: %d %s", path, r.status, r.body)
		}
	}
	wantCode(t, "the narrowed token reads its owner's announcements", tok.do("GET", o.org("/announcements"), nil), 403, "forbidden")
	// And a token narrowed to something else cannot publish, nor oversee its owner's.
	readSecret := o.c0().must(201, "POST", o.org("/tokens"), map[string]any{"name": "reader", "scopes": []string{"messages.read"}})["secret"].(string)
	reader := e.tokenClient(readSecret)
	wantCode(t, "a messages.read token publishes", reader.do("POST", o.org("/announcements"), map[string]any{"scope": "org", "title": "x"}), 403, "forbidden")
	wantCode(t, "a messages.read token deletes", reader.do("DELETE", o.org("/announcements/"+orgWide), nil), 403, "forbidden")
}

// TestAnnouncementBadInput: each bad publication is a 4xx naming what is wrong, and stores
// nothing.
func TestAnnouncementBadInput(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Bad", "owner@bad-ann.example")
	eng := d.mustDept("", "Engineering")
	other := e.mustDir("Other", "owner@other-ann.example")
	otherDept := other.mustDept("", "Theirs")
	for name, c := range map[string]struct {
		body   map[string]any
		status int
		code   string
	}{
		"an empty title":                    {map[string]any{"scope": "org", "title": ""}, 400, "missing_field"},
		"a blank title":                     {map[string]any{"scope": "org", "title": "   "}, 400, "missing_field"},
		"no title":                          {map[string]any{"scope": "org"}, 400, "missing_field"},
		"a title of 201 characters":         {map[string]any{"scope": "org", "title": strings.Repeat("标", 201)}, 400, "invalid_title"},
		"a body past 16 KiB":                {map[string]any{"scope": "org", "title": "t", "body": strings.Repeat("x", 16<<10+1)}, 400, "body_too_long"},
		"an unknown scope":                  {map[string]any{"scope": "planet", "title": "t"}, 400, "invalid_scope"},
		"no scope":                          {map[string]any{"title": "t"}, 400, "missing_field"},
		"a department without target":       {map[string]any{"scope": "department", "title": "t"}, 400, "missing_field"},
		"a target that is no id":            {map[string]any{"scope": "department", "target_id": "eng", "title": "t"}, 400, "invalid_field"},
		"the organisation with a target":    {map[string]any{"scope": "org", "target_id": eng, "title": "t"}, 400, "invalid_field"},
		"requires_ack not a boolean":        {map[string]any{"scope": "org", "title": "t", "requires_ack": "yes"}, 400, ""},
		"an unknown field":                  {map[string]any{"scope": "org", "title": "t", "pinned": true}, 400, ""},
		"another organisation's department": {map[string]any{"scope": "department", "target_id": otherDept, "title": "t"}, 404, "not_found"},
		"a group that is a department":      {map[string]any{"scope": "group", "target_id": eng, "title": "t"}, 404, "not_found"},
	} {
		r := d.c.do("POST", d.org("/announcements"), c.body)
		if r.status != c.status || (c.code != "" && r.errorCode(t) != c.code) {
			t.Errorf("%s: %d %s, want %d %s", name, r.status, r.body, c.status, c.code)
		}
	}
	if n := e.tkCount(t, `SELECT count(*) FROM announcements`); n != 0 {
		t.Fatalf("%d announcements stored", n)
	}
	// A body of exactly 16 KiB is accepted.
	id := d.c.must(201, "POST", d.org("/announcements"), map[string]any{"scope": "org", "title": "Long", "body": strings.Repeat("x", 16<<10)})["id"].(string)
	for path, code := range map[string]string{"/announcements?pending=maybe": "invalid_request", "/announcements/" + id + "/acks?state=done": "invalid_request",
		"/announcements?limit=0": "invalid_request"} {
		wantCode(t, path, d.c.do("GET", d.org(path), nil), 400, code)
	}
	wantCode(t, "a malformed id", d.c.do("GET", d.org("/announcements/not-an-id"), nil), 404, "not_found")
}
