package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"canopy/domain/text/texttest"
	"canopy/infra/config"
	pgimport "canopy/infra/postgres/importer"
)

// The bulk import, end to end: the HTTP API, the background runner and PostgreSQL.

// startImports runs the stack's import runner until the test ends, as canopy serve does.
func (e *testEnv) startImports() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.stack.importer.Run(ctx) }()
	e.t.Cleanup(func() { cancel(); <-done })
}

func (o owner) imports(rest string) string {
	return "/api/v1/admin/orgs/" + o.orgID + "/imports" + rest
}

// mustImport submits an import and waits until it has run; it returns the finished job with its
// whole report.
func (o owner) mustImport(t testing.TB, contentType string, body []byte) map[string]any {
	t.Helper()
	r := o.c.raw("POST", o.imports(""), contentType, body)
	if r.status != 202 {
		t.Fatalf("import: got %d: %s", r.status, r.body)
	}
	job := r.json(t)
	if job["status"] != "queued" || r.header.Get("Location") != o.imports("/"+job["id"].(string)) {
		t.Fatalf("import answer: %v %v", job, r.header)
	}
	return o.waitImport(t, job["id"].(string))
}

func (o owner) waitImport(t testing.TB, id string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		job := o.c.must(200, "GET", o.imports("/"+id+"?limit=1000"), nil)
		if job["status"] == "done" || job["status"] == "failed" {
			return job
		}
		if time.Now().After(deadline) {
			t.Fatalf("import still %v: %v", job["status"], job)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// issues returns the report as "kind row code" lines, sorted.
func issues(job map[string]any) []string {
	var out []string
	for _, it := range job["issues"].(map[string]any)["items"].([]any) {
		m := it.(map[string]any)
		out = append(out, fmt.Sprintf("%s %v %s", m["kind"], m["row"], m["code"]))
	}
	sort.Strings(out)
	return out
}

func counts(job map[string]any) string {
	return fmt.Sprintf("total=%v processed=%v applied=%v failed=%v created=%v updated=%v unchanged=%v",
		job["total_rows"], job["processed_rows"], job["applied_rows"], job["failed_rows"], job["created_rows"], job["updated_rows"], job["unchanged_rows"])
}

// deptPaths lists the organisation's departments as name paths below the root, with their
// external ids: "Engineering/Backend=D-BE".
func deptPaths(t testing.TB, e *testEnv, orgID string) []string {
	t.Helper()
	var rows []struct {
		Names string
		Ext   string
	}
	err := e.stack.db.Raw(`SELECT (SELECT string_agg(a.name, '/' ORDER BY a.depth) FROM departments a
			WHERE a.id = ANY (string_to_array(trim(both '/' from d.path), '/')::uuid[]) AND a.depth > 1) AS names,
			COALESCE(d.external_id, '') AS ext
		FROM departments d WHERE d.org_id = ? AND d.depth > 1`, orgID).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		s := r.Names
		if r.Ext != "" {
			s += "=" + r.Ext
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// memberships lists "external_id email name [departments]" per imported member, primary first
// and leaders marked with "*".
func memberships(t testing.TB, e *testEnv, orgID string) []string {
	t.Helper()
	var rows []struct {
		Ext, Email, Name, Status, Depts string
	}
	err := e.stack.db.Raw(`SELECT ms.external_id AS ext, u.email, u.display_name AS name, ms.status,
			COALESCE((SELECT string_agg(d.name || CASE WHEN dm.is_leader THEN '*' ELSE '' END, ',' ORDER BY dm.is_primary DESC, d.name)
			 FROM department_members dm JOIN departments d ON d.id = dm.department_id
			 WHERE dm.org_id = ms.org_id AND dm.user_id = ms.user_id), '') AS depts
		FROM memberships ms JOIN users u ON u.id = ms.user_id
		WHERE ms.org_id = ? AND ms.external_id IS NOT NULL ORDER BY ms.external_id`, orgID).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%s %s %s %s [%s]", r.Ext, r.Email, r.Name, r.Status, r.Depts))
	}
	return out
}

func equal(t testing.TB, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestImportJSONCreatesUpdatesAndReportsBadRows(t *testing.T) {
	e := newTestEnv(t)
	e.startImports()
	o := e.mustOrg("Acme", "owner@acme.example")
	// Small limits keep the refusals short to write.
	if err := e.stack.db.Exec(`UPDATE organisations SET max_department_depth = 4, max_departments_per_member = 3 WHERE id = ?`, o.orgID).Error; err != nil {
		t.Fatal(err)
	}
	existing := o.c.must(201, "POST", "/api/v1/admin/orgs/"+o.orgID+"/departments", map[string]any{"name": "Legal"})["id"].(string)

	req := map[string]any{
		"departments": []map[string]any{
			{"external_id": "D-BE", "name": "Backend", "parent_external_id": "D-ENG"}, // its parent comes later in the file
			{"external_id": "D-ENG", "name": "Engineering"},
			{"external_id": "D-EAST", "path": "Sales/East"},                        // Sales is made along the way
			{"external_id": "D-LEGAL", "name": "Legal"},                            // adopts the department made in the console
			{"external_id": "D-X", "name": "Orphan", "parent_external_id": "NOPE"}, // row 5: unknown parent
			{"external_id": "D-BE", "name": "Backend again"},                       // row 6: duplicate external id
			{"external_id": "D-DEEP", "path": "A/B/C/D"},                           // row 7: too deep (root + 4 > 4)
			{"external_id": "D-KID", "name": "Kid", "parent_external_id": "D-X"},   // row 8: its parent failed
		},
		"users": []map[string]any{
			{"external_id": "E1", "email": "Wei.Zhang@Acme.example", "display_name": "张伟",
				"departments": []string{"D-BE", "Sales/East"}, "primary_department": "Sales/East", "leader_of": []string{"D-BE"}, "locale": "zh-CN", "time_zone": "Asia/Shanghai"},
			{"external_id": "E2", "email": "ada@acme.example", "display_name": "Ada Lovelace", "departments": []string{"Engineering/Platform"}},
			{"external_id": "E3", "email": "not-an-email", "display_name": "Bad Email"},                                                                // row 3
			{"external_id": "E1", "email": "other@acme.example", "display_name": "Dup"},                                                                // row 4
			{"external_id": "E5", "email": "many@acme.example", "display_name": "Many", "departments": []string{"D-BE", "D-ENG", "D-EAST", "D-LEGAL"}}, // row 5
			{"external_id": "E6", "email": "deep@acme.example", "display_name": "Deep", "departments": []string{"W/X/Y/Z"}},                            // row 6
			{"external_id": "E7", "email": "kid@acme.example", "display_name": "Kid", "departments": []string{"D-KID"}},                                // row 7
			{"external_id": "E8", "email": "grace@acme.example", "display_name": "Grace Hopper"},
		},
	}
	job := o.mustImport(t, "application/json", mustJSON(t, req))
	if job["status"] != "done" || counts(job) != "total=16 processed=16 applied=7 failed=9 created=6 updated=1 unchanged=0" {
		t.Fatalf("first run: %s %v", counts(job), job)
	}
	equal(t, "report", issues(job), []string{
		"department 5 unknown_parent", "department 6 duplicate_external_id", "department 7 too_deep", "department 8 parent_failed",
		"user 3 invalid_email", "user 4 duplicate_external_id", "user 5 too_many_departments", "user 6 too_deep", "user 7 department_failed",
	})
	equal(t, "departments", deptPaths(t, e, o.orgID), []string{
		"Engineering/Backend=D-BE", "Engineering/Platform", "Engineering=D-ENG", "Legal=D-LEGAL", "Sales", "Sales/East=D-EAST",
	})
	equal(t, "members", memberships(t, e, o.orgID), []string{
		"E1 wei.zhang@acme.example 张伟 active [East,Backend*]",
		"E2 ada@acme.example Ada Lovelace active [Platform]",
		"E8 grace@acme.example Grace Hopper active []",
	})
	// The department made in the console kept its id.
	if got := o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/departments/"+existing, nil); got["external_id"] != "D-LEGAL" {
		t.Fatalf("Legal: %v", got)
	}
	// Pinyin search finds the imported Chinese name; the account has no password.
	found := o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/search?q=zhangwei", nil)["people"].([]any)
	if len(found) != 1 || found[0].(map[string]any)["display_name"] != "张伟" {
		t.Fatalf("search zhangwei: %v", found)
	}
	var hashes []string
	e.stack.db.Raw(`SELECT password_hash FROM users WHERE email IN ('wei.zhang@acme.example', 'ada@acme.example')`).Scan(&hashes)
	if len(hashes) != 2 || hashes[0] != "" || hashes[1] != "" {
		t.Fatalf("imported accounts have password hashes: %q", hashes)
	}
	if r := e.client().do("POST", "/api/v1/auth/login", map[string]string{"email": "ada@acme.example", "password": ""}); r.status == 200 {
		t.Fatalf("an imported account signed in without a password")
	}

	// The same import again changes nothing.
	var before time.Time
	e.stack.db.Raw(`SELECT max(updated_at) FROM users`).Scan(&before)
	again := o.mustImport(t, "application/json", mustJSON(t, req))
	if counts(again) != "total=16 processed=16 applied=7 failed=9 created=0 updated=0 unchanged=7" {
		t.Fatalf("second run: %s", counts(again))
	}
	var after time.Time
	e.stack.db.Raw(`SELECT max(updated_at) FROM users`).Scan(&after)
	if !after.Equal(before) {
		t.Fatalf("a re-run touched users: %v → %v", before, after)
	}
	equal(t, "members after the re-run", memberships(t, e, o.orgID), []string{
		"E1 wei.zhang@acme.example 张伟 active [East,Backend*]",
		"E2 ada@acme.example Ada Lovelace active [Platform]",
		"E8 grace@acme.example Grace Hopper active []",
	})

	// Changed rows update: a rename, a move, a new email and name, other departments, a
	// deactivation; rows that leave out departments keep them.
	update := map[string]any{
		"departments": []map[string]any{
			{"external_id": "D-BE", "name": "Backend Services", "parent_external_id": "D-EAST"},
			{"external_id": "D-ENG", "name": "Engineering"},
		},
		"users": []map[string]any{
			{"external_id": "E1", "email": "wei@acme.example", "display_name": "张伟"},
			{"external_id": "E2", "email": "ada@acme.example", "display_name": "Ada King", "departments": []string{"D-ENG", "Legal"}, "primary_department": "Legal"},
			{"external_id": "E8", "email": "grace@acme.example", "display_name": "Grace Hopper", "active": false},
		},
	}
	upd := o.mustImport(t, "application/json", mustJSON(t, update))
	if counts(upd) != "total=5 processed=5 applied=5 failed=0 created=0 updated=4 unchanged=1" {
		t.Fatalf("update: %s %v", counts(upd), upd["issues"])
	}
	equal(t, "departments after the update", deptPaths(t, e, o.orgID), []string{
		"Engineering/Platform", "Engineering=D-ENG", "Legal=D-LEGAL", "Sales", "Sales/East/Backend Services=D-BE", "Sales/East=D-EAST",
	})
	equal(t, "members after the update", memberships(t, e, o.orgID), []string{
		"E1 wei@acme.example 张伟 active [East,Backend Services*]",
		"E2 ada@acme.example Ada King active [Legal,Engineering]",
		"E8 grace@acme.example Grace Hopper deactivated []",
	})
	// A moved department's path and depth follow it.
	var depth int
	e.stack.db.Raw(`SELECT depth FROM departments WHERE org_id = ? AND external_id = 'D-BE'`, o.orgID).Scan(&depth)
	if depth != 4 {
		t.Fatalf("moved department at depth %d", depth)
	}

	// The list shows the imports, newest first.
	list := o.c.must(200, "GET", o.imports(""), nil)
	if list["total"].(float64) != 3 || list["items"].([]any)[0].(map[string]any)["id"] != upd["id"] {
		t.Fatalf("list: %v", list)
	}
}

func TestImportCSV(t *testing.T) {
	e := newTestEnv(t)
	e.startImports()
	o := e.mustOrg("Csv", "owner@csv.example")
	csv := "\ufeffexternal_id,email,display_name,departments,primary_department,time_zone\n" +
		"C1,li.na@csv.example,李娜,Engineering/Backend;Sales,Sales,Asia/Shanghai\n" +
		`C2,bob@csv.example,"Bob, Jr.",Engineering/Backend,,` + "\n" +
		"C3,broken,Broken,,,\n" +
		"C4,zone@csv.example,Zone,,,Mars/Olympus\n" +
		"C5,slash@csv.example,Slash,Engineering//Backend,,\n" +
		"C6,primary@csv.example,Primary,Sales,Engineering,\n"
	job := o.mustImport(t, "text/csv", []byte(csv))
	if job["format"] != "csv" || counts(job) != "total=6 processed=6 applied=2 failed=4 created=2 updated=0 unchanged=0" {
		t.Fatalf("csv: %s %v", counts(job), job)
	}
	// Rows are numbered by their line in the file; the header is line 1.
	equal(t, "report", issues(job), []string{"user 4 invalid_email", "user 5 invalid_time_zone", "user 6 invalid_department_path", "user 7 primary_not_listed"})
	equal(t, "departments", deptPaths(t, e, o.orgID), []string{"Engineering", "Engineering/Backend", "Sales"})
	equal(t, "members", memberships(t, e, o.orgID), []string{
		"C1 li.na@csv.example 李娜 active [Sales,Backend]",
		"C2 bob@csv.example Bob, Jr. active [Backend]",
	})
	// The same file again: nothing changes.
	if again := o.mustImport(t, "text/csv", []byte(csv)); counts(again) != "total=6 processed=6 applied=2 failed=4 created=0 updated=0 unchanged=2" {
		t.Fatalf("csv again: %s", counts(again))
	}

	// Whole-request mistakes answer 400 at once.
	for body, code := range map[string]string{
		"external_id,email\nX,x@csv.example\n":                           "missing_column",
		"external_id,email,display_name,colour\nX,x@csv.example,X,red\n": "unknown_column",
		"external_id,email,display_name\nX,x@csv.example\n":              "malformed_csv",
		"":                                 "empty_import",
		"external_id,email,display_name\n": "empty_import",
	} {
		if r := o.c.raw("POST", o.imports(""), "text/csv", []byte(body)); r.status != 400 || r.errorCode(t) != code {
			t.Errorf("%q: got %d %s, want 400 %s", body, r.status, r.body, code)
		}
	}
	if r := o.c.raw("POST", o.imports(""), "application/xml", []byte("<x/>")); r.status != 415 {
		t.Errorf("xml: got %d", r.status)
	}
	if r := o.c.raw("POST", o.imports(""), "application/json", []byte(`{"users":[{"external_id":"X","emial":"x"}]}`)); r.status != 400 || r.errorCode(t) != "unknown_field" {
		t.Errorf("unknown field: got %d %s", r.status, r.body)
	}
}

// TestImportBodyLimit: the import route alone takes bodies past server.body_limit_bytes, up to
// server.import_limit_bytes.
func TestImportBodyLimit(t *testing.T) {
	e := newTestEnv(t, func(c *config.Config) { c.Server.BodyLimitBytes = 64 << 10; c.Server.ImportLimitBytes = 1 << 20 })
	o := e.mustOrg("Big", "owner@big.example")
	var users []map[string]any
	for i := 0; i < 2000; i++ {
		users = append(users, map[string]any{"external_id": fmt.Sprintf("B%05d", i), "email": fmt.Sprintf("b%05d@big.example", i), "display_name": fmt.Sprintf("Person %05d", i)})
	}
	body := mustJSON(t, map[string]any{"users": users})
	if len(body) < 64<<10 || len(body) > 1<<20 {
		t.Fatalf("body of %d bytes", len(body))
	}
	if r := o.c.raw("POST", o.imports(""), "application/json", body); r.status != 202 {
		t.Fatalf("past the general limit: got %d: %.200s", r.status, r.body)
	}
	// Other routes keep the general limit.
	if r := o.c.raw("POST", "/api/v1/admin/orgs/"+o.orgID+"/users", "application/json", body); r.status != 413 {
		t.Fatalf("admin users: got %d", r.status)
	}
	huge := append(append([]byte(`{"users":[`), []byte(strings.Repeat(`{"external_id":"x"},`, 60000))...), []byte(`{}]}`)...)
	if r := o.c.raw("POST", o.imports(""), "application/json", huge); r.status != 413 || r.errorCode(t) != "body_too_large" {
		t.Fatalf("past the import limit: got %d: %.200s", r.status, r.body)
	}
	// Without a runner the job waits, queued.
	if items := o.c.must(200, "GET", o.imports(""), nil)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["status"] != "queued" {
		t.Fatalf("queued: %v", items)
	}
}

func TestImportAccess(t *testing.T) {
	e := newTestEnv(t)
	e.startImports()
	a := e.mustOrg("Alpha", "owner@alpha.example")
	b := e.mustOrg("Beta", "owner@beta.example")
	body := mustJSON(t, map[string]any{"users": []map[string]any{{"external_id": "X1", "email": "x1@beta.example", "display_name": "X"}}})
	bJob := b.mustImport(t, "application/json", body)["id"].(string)
	aJob := a.mustImport(t, "application/json", body)["id"].(string)

	// Another organisation's import answers 404, as one that does not exist.
	a.c.must(404, "GET", a.imports("/"+bJob), nil)
	a.c.must(404, "GET", b.imports("/"+bJob), nil)
	a.c.must(404, "GET", a.imports("/not-a-uuid"), nil)
	if items := a.c.must(200, "GET", a.imports(""), nil)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != aJob {
		t.Fatalf("A's list: %v", items)
	}

	// A member who is not an admin may not import or read imports.
	member, _ := e.mustJoin(a.mustInvite(nil), "member@alpha.example")
	if r := member.raw("POST", a.imports(""), "application/json", body); r.status != 403 {
		t.Fatalf("member import: got %d %s", r.status, r.body)
	}
	member.must(403, "GET", a.imports(""), nil)
	member.must(403, "GET", a.imports("/"+aJob), nil)

	// An admin may.
	admin, adminID := e.mustJoin(a.mustInvite(map[string]any{"role": "admin"}), "admin@alpha.example")
	admin.must(200, "GET", a.imports("/"+aJob), nil)
	if r := admin.raw("POST", a.imports(""), "application/json", body); r.status != 202 {
		t.Fatalf("admin import: got %d %s", r.status, r.body)
	}
	_ = adminID
}

// TestImportResumesAfterACrashedWorker: a job a worker claimed and then abandoned (its replica
// died) is taken up again once its lease lapses, and finishes.
func TestImportResumesAfterACrashedWorker(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Crash", "owner@crash.example")
	body := mustJSON(t, map[string]any{"users": []map[string]any{
		{"external_id": "R1", "email": "r1@crash.example", "display_name": "R1", "departments": []string{"Ops"}},
		{"external_id": "R2", "email": "r2@crash.example", "display_name": "R2"},
	}})
	r := o.c.raw("POST", o.imports(""), "application/json", body)
	id := r.json(t)["id"].(string)
	q := pgimport.NewJobs(e.stack.db)
	c, err := q.Claim(context.Background(), time.Second, 3)
	if err != nil || c.Job.ID().String() != id {
		t.Fatalf("claim: %v %v", c.Job, err)
	}
	// While the lease holds, nobody else gets the job.
	if _, err := q.Claim(context.Background(), time.Second, 3); err == nil {
		t.Fatal("a held job was claimed twice")
	}
	if got := o.c.must(200, "GET", o.imports("/"+id), nil); got["status"] != "running" {
		t.Fatalf("claimed job: %v", got["status"])
	}
	time.Sleep(1100 * time.Millisecond)
	e.startImports()
	job := o.waitImport(t, id)
	if job["status"] != "done" || counts(job) != "total=2 processed=2 applied=2 failed=0 created=2 updated=0 unchanged=0" {
		t.Fatalf("resumed: %s %v", counts(job), job)
	}
	var attempts int
	e.stack.db.Raw(`SELECT attempts FROM import_jobs WHERE id = ?`, id).Scan(&attempts)
	if attempts != 2 {
		t.Fatalf("attempts %d", attempts)
	}
	// The crashed worker can no longer report progress on it.
	if err := q.Progress(context.Background(), c, c.Job.Counts(), nil, time.Minute); err == nil {
		t.Fatal("a lost claim recorded progress")
	}
	var kept bool
	e.stack.db.Raw(`SELECT payload IS NOT NULL FROM import_jobs WHERE id = ?`, id).Scan(&kept)
	if kept {
		t.Fatal("the request was kept after the job ended")
	}
}

// TestImportCSVEncodings: a CSV file as Excel saves it on Chinese Windows (GBK), or as "Unicode
// text" (UTF-16 with a byte order mark), imports with the names right; bytes that are no text in
// any encoding Canopy recognises are refused at once, never imported as garbage.
func TestImportCSVEncodings(t *testing.T) {
	e := newTestEnv(t)
	e.startImports()
	o := e.mustOrg("Encodings", "owner@enc.example")
	csv := "external_id,email,display_name,departments\n" +
		"G1,zhang.wei@enc.example,张伟,研发部/后端\n" +
		"G2,li.na@enc.example,李娜,市场部\n"
	job := o.mustImport(t, "text/csv", texttest.Encode(t, texttest.GBK, csv))
	if counts(job) != "total=2 processed=2 applied=2 failed=0 created=2 updated=0 unchanged=0" {
		t.Fatalf("GBK: %s %v", counts(job), issues(job))
	}
	equal(t, "members", memberships(t, e, o.orgID), []string{
		"G1 zhang.wei@enc.example 张伟 active [后端]",
		"G2 li.na@enc.example 李娜 active [市场部]",
	})
	equal(t, "departments", deptPaths(t, e, o.orgID), []string{"市场部", "研发部", "研发部/后端"})
	utf16 := "external_id,email,display_name\nG3,wang.fang@enc.example,王芳\n"
	if job := o.mustImport(t, "text/csv", texttest.Encode(t, texttest.UTF16LE, utf16)); counts(job) != "total=1 processed=1 applied=1 failed=0 created=1 updated=0 unchanged=0" {
		t.Fatalf("UTF-16: %s %v", counts(job), issues(job))
	}
	if m := memberships(t, e, o.orgID); len(m) != 3 || m[2] != "G3 wang.fang@enc.example 王芳 active []" {
		t.Fatalf("UTF-16 member: %v", m)
	}
	for name, body := range map[string][]byte{
		"garbage":              {0x81, 0x30, 0xff, 0xfe, 0x00, 0x81, 0x7f, 0x80},
		"UTF-16 without a BOM": texttest.Encode(t, texttest.UTF16LENoBOM, utf16),
		"a bad UTF-8 BOM file": append([]byte{0xef, 0xbb, 0xbf}, []byte("external_id,email,display_name\nX,x@enc.example,\xff\n")...),
	} {
		r := o.c.raw("POST", o.imports(""), "text/csv", body)
		if code, _ := mustBadRequest(t, name, r); code != "import_encoding" {
			t.Errorf("%s: got %s", name, code)
		}
	}
	if list := o.c.must(200, "GET", o.imports(""), nil); list["total"] != float64(2) {
		t.Fatalf("a refused file made a job: %v", list)
	}
}
