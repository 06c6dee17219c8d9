package main

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"hash/crc32"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// Excel import and export, end to end: workbooks built here with excelize, the import template
// and the people and department exports.

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// workbook builds an .xlsx whose first sheet holds rows; a nil row is left empty, and an int
// cell is stored as a number.
func workbook(t testing.TB, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		if r == nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sheetRows reads every sheet of a workbook by name.
func sheetRows(t testing.TB, data []byte) ([]string, map[string][][]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	defer f.Close()
	out := map[string][][]string{}
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = rows
	}
	return f.GetSheetList(), out
}

var importColumns = []string{"external_id", "email", "display_name", "departments", "primary_department", "leader_of", "locale", "time_zone", "active",
	"employee_number", "job_title", "mobile", "work_location", "manager", "hire_date"}

func TestImportXLSX(t *testing.T) {
	e := newTestEnv(t)
	e.startImports()
	o := e.mustOrg("Excel", "owner@xlsx.example")
	book := workbook(t,
		[]any{"external_id", "email", "display_name", "departments", "time_zone"},
		[]any{"00123", "zhang.wei@xlsx.example", "张伟", "研发部/后端", "Asia/Shanghai"},
		[]any{4567, "li.na@xlsx.example", "李娜", "市场部", ""},
		[]any{"E3", "not-an-email", "坏邮箱", "", ""},
		nil, // an empty row is skipped, and the numbering goes on as Excel shows it
		[]any{"E5", "zone@xlsx.example", "时区", "", "Mars/Olympus"},
	)
	job := o.mustImport(t, xlsxType, book)
	if job["format"] != "xlsx" || counts(job) != "total=4 processed=4 applied=2 failed=2 created=2 updated=0 unchanged=0" {
		t.Fatalf("xlsx: %s %v", counts(job), job)
	}
	equal(t, "report", issues(job), []string{"user 4 invalid_email", "user 6 invalid_time_zone"})
	equal(t, "members", memberships(t, e, o.orgID), []string{
		"00123 zhang.wei@xlsx.example 张伟 active [后端]",
		"4567 li.na@xlsx.example 李娜 active [市场部]",
	})
	equal(t, "departments", deptPaths(t, e, o.orgID), []string{"市场部", "研发部", "研发部/后端"})

	// A workbook is told by its content whatever it is sent as; the same file changes nothing.
	if again := o.mustImport(t, "application/octet-stream", book); again["format"] != "xlsx" || counts(again) != "total=4 processed=4 applied=2 failed=2 created=0 updated=0 unchanged=2" {
		t.Fatalf("octet-stream: %s %v", counts(again), again["format"])
	}

	// A zip that declares parts past the bound is refused before anything is inflated.
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Store, CRC32: crc32.ChecksumIEEE([]byte("x")),
		CompressedSize64: 1, UncompressedSize64: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("x"))
	zw.Close()

	// Whole-file mistakes answer 400 at once, and make no job.
	for name, tc := range map[string]struct {
		body []byte
		code string
	}{
		"corrupt":        {append([]byte("PK\x03\x04"), []byte("not a zip at all")...), "import_format"},
		"not xlsx":       {[]byte("external_id,email,display_name\n"), "import_format"},
		"zip bomb":       {bomb.Bytes(), "import_too_large"},
		"unknown column": {workbook(t, []any{"external_id", "email", "display_name", "colour"}, []any{"X", "x@xlsx.example", "X", "red"}), "unknown_column"},
		"no header":      {workbook(t, []any{"external_id", "email"}, []any{"X", "x@xlsx.example"}), "missing_column"},
		"header only":    {workbook(t, []any{"external_id", "email", "display_name"}), "empty_import"},
		"bad active":     {workbook(t, []any{"external_id", "email", "display_name", "active"}, []any{"X", "x@xlsx.example", "X", "maybe"}), "malformed_xlsx"},
	} {
		ct := xlsxType
		r := o.c.raw("POST", o.imports(""), ct, tc.body)
		if code, msg := mustBadRequest(t, name, r); code != tc.code {
			t.Errorf("%s: got %s %s, want %s", name, code, msg, tc.code)
		} else if name == "bad active" && !strings.Contains(msg, "row 2") {
			t.Errorf("bad active: %q names no row", msg)
		}
	}
	if list := o.c.must(200, "GET", o.imports(""), nil); list["total"] != float64(2) {
		t.Fatalf("a refused file made a job: %v", list["total"])
	}
}

func TestImportTemplate(t *testing.T) {
	e := newTestEnv(t)
	e.startImports()
	d := e.mustDir("Template", "owner@tpl.example")
	tpl := func(q string) string { return d.admin("/imports/template?" + q) }

	r := d.c.do("GET", tpl("format=xlsx&lang=zh-CN"), nil)
	if r.status != 200 || r.header.Get("Content-Type") != xlsxType {
		t.Fatalf("xlsx template: %d %s", r.status, r.header)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="`) || !strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape("导入模板")+".xlsx") {
		t.Fatalf("Content-Disposition: %s", cd)
	}
	names, sheets := sheetRows(t, r.body)
	if strings.Join(names, ",") != "人员,说明" {
		t.Fatalf("sheets: %v", names)
	}
	people := sheets["人员"]
	if len(people) != 2 || strings.Join(people[0], ",") != strings.Join(importColumns, ",") || people[1][2] != "张伟" {
		t.Fatalf("people sheet: %v", people)
	}
	help := sheets["说明"]
	if len(help) < 1+len(importColumns) || help[0][0] != "列名" || help[1][0] != "external_id" || help[1][1] != "是" || !strings.Contains(help[1][2], "编号") {
		t.Fatalf("instructions: %v", help)
	}
	if _, en := sheetRows(t, d.c.do("GET", tpl("format=xlsx&lang=en"), nil).body); en["Instructions"][4][0] != "departments" || !strings.Contains(en["Instructions"][4][2], "Department paths") {
		t.Fatalf("English instructions: %v", en["Instructions"])
	}

	// The template, filled in with two people in place of the example, imports as is.
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range [][]any{
		{"007", "wang.fang@tpl.example", "王芳", "研发部/后端;销售部", "销售部", "研发部/后端", "zh-CN", "Asia/Shanghai", "true",
			"0007", "销售总监", "+86 139 0013 9000", "深圳", "", "2018-09-03"},
		{"008", "liu.yang@tpl.example", "刘洋", "销售部", "", "", "", "", "", "0008", "", "", "", "wang.fang@tpl.example", ""},
	} {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow("人员", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var filled bytes.Buffer
	f.WriteTo(&filled)
	f.Close()
	job := d.mustImport(t, xlsxType, filled.Bytes())
	if counts(job) != "total=2 processed=2 applied=2 failed=0 created=2 updated=0 unchanged=0" {
		t.Fatalf("filled template: %s %v", counts(job), issues(job))
	}
	equal(t, "members", memberships(t, e, d.orgID), []string{
		"007 wang.fang@tpl.example 王芳 active [销售部,后端*]",
		"008 liu.yang@tpl.example 刘洋 active [销售部]",
	})
	equal(t, "profiles", profiles(t, e, d.orgID), []string{
		"007 0007 销售总监 +8613900139000 深圳 - 2018-09-03",
		"008 0008 - - - 007 -",
	})

	// The CSV template is UTF-8 with a byte order mark, so Excel shows the Chinese example.
	r = d.c.do("GET", tpl("format=csv&lang=en"), nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || !bytes.HasPrefix(r.body, []byte("\xef\xbb\xbf"+strings.Join(importColumns, ",")+"\n")) ||
		!strings.Contains(string(r.body), "张伟") || r.header.Get("Content-Disposition") != `attachment; filename="import-template.csv"` {
		t.Fatalf("csv template: %d %s %q", r.status, r.header, r.body)
	}

	for _, q := range []string{"format=pdf&lang=en", "format=xlsx&lang=fr", "lang=en", "format=csv"} {
		mustBadRequest(t, q, d.c.do("GET", tpl(q), nil))
	}
	// A plain member may not; another organisation's owner gets 404.
	member, _ := e.mustJoin(d.mustInvite(nil), "member@tpl.example")
	member.must(403, "GET", tpl("format=csv&lang=en"), nil)
	other := e.mustOrg("Other", "owner@other-tpl.example")
	other.c.must(404, "GET", tpl("format=csv&lang=en"), nil)
}

// exportRows reads an export, CSV or xlsx, as rows of cells.
func exportRows(t testing.TB, format string, body []byte) [][]string {
	t.Helper()
	if format == "xlsx" {
		_, sheets := sheetRows(t, body)
		for _, rows := range sheets {
			// A sheet's rows end at their last cell with a value: as long as the header again.
			for i := range rows {
				for len(rows[i]) < len(rows[0]) {
					rows[i] = append(rows[i], "")
				}
			}
			return rows
		}
	}
	if !bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		t.Fatalf("CSV without a byte order mark: %q", body)
	}
	rows, err := csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestExportPeopleAndDepartments(t *testing.T) {
	e := newTestEnv(t)
	e.startImports()
	d := e.mustDir("Export", "owner@exp.example")
	inactive := false
	d.mustImport(t, "application/json", mustJSON(t, map[string]any{
		"departments": []map[string]any{{"external_id": "D-ENG", "name": "研发部"}},
		"users": []map[string]any{
			{"external_id": "0001", "email": "zhang.wei@exp.example", "display_name": "张伟", "departments": []string{"D-ENG", "研发部/后端", "销售部"},
				"primary_department": "研发部/后端", "leader_of": []string{"D-ENG"}, "locale": "zh-CN", "time_zone": "Asia/Shanghai"},
			{"external_id": "0002", "email": "li.na@exp.example", "display_name": "李娜", "departments": []string{"销售部"}},
			{"external_id": "0003", "email": "formula@exp.example", "display_name": "=1+2", "active": inactive},
		},
	}))
	// The employee details come from a workbook with the profile columns.
	d.mustImport(t, xlsxType, workbook(t,
		[]any{"external_id", "email", "display_name", "employee_number", "job_title", "mobile", "work_location", "manager", "hire_date"},
		[]any{"0001", "zhang.wei@exp.example", "张伟", "00071", "架构师", "+8613800138000", "北京", "", "2021-07-01"},
		[]any{"0002", "li.na@exp.example", "李娜", "00072", "", "", "", "zhang.wei@exp.example", ""},
	))
	before := memberships(t, e, d.orgID)
	beforeProfiles := profiles(t, e, d.orgID)
	if len(beforeProfiles) != 3 || beforeProfiles[0] != "0001 00071 架构师 +8613800138000 北京 - 2021-07-01" {
		t.Fatalf("profiles: %v", beforeProfiles)
	}
	ppl := func(q string) string { return d.admin("/people/export?" + q) }
	depts := func(q string) string { return d.admin("/departments/export?" + q) }

	for _, format := range []string{"xlsx", "csv"} {
		r := d.c.do("GET", ppl("format="+format), nil)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Disposition"), `attachment; filename="people-`) {
			t.Fatalf("%s export: %d %s %.300s", format, r.status, r.header, r.body)
		}
		rows := exportRows(t, format, r.body)
		if len(rows) != 5 || strings.Join(rows[0], ",") != strings.Join(importColumns, ",") {
			t.Fatalf("%s export: %v", format, rows)
		}
		byName := map[string]string{}
		for _, row := range rows[1:] {
			byName[row[2]] = strings.Join(row, "|")
		}
		formula := "0003|formula@exp.example|=1+2||||en|UTC|false||||||"
		mobile := "+8613800138000"
		if format == "csv" {
			formula = "0003|formula@exp.example|'=1+2||||en|UTC|false||||||" // neutralised for spreadsheets
			mobile = "'" + mobile
		}
		for name, want := range map[string]string{
			"张伟":              "0001|zhang.wei@exp.example|张伟|研发部/后端;研发部;销售部|研发部/后端|研发部|zh-CN|Asia/Shanghai|true|00071|架构师|" + mobile + "|北京||2021-07-01",
			"李娜":              "0002|li.na@exp.example|李娜|销售部|销售部||en|UTC|true|00072||||zhang.wei@exp.example|",
			"=1+2":            formula,
			"Owner of Export": "|owner@exp.example|Owner of Export||||en|UTC|true||||||",
		} {
			if format == "csv" && name == "=1+2" {
				name = "'=1+2"
			}
			if byName[name] != want {
				t.Errorf("%s export of %s:\ngot  %s\nwant %s", format, name, byName[name], want)
			}
		}
		// The export re-imports without a change, the owner (who has no external id) included.
		ct := xlsxType
		if format == "csv" {
			ct = "text/csv"
		}
		job := d.mustImport(t, ct, r.body)
		if counts(job) != "total=4 processed=4 applied=4 failed=0 created=0 updated=0 unchanged=4" {
			t.Fatalf("%s re-import: %s %v", format, counts(job), issues(job))
		}
		equal(t, "members after the re-import", memberships(t, e, d.orgID), before)
		equal(t, "profiles after the re-import", profiles(t, e, d.orgID), beforeProfiles)
	}

	r := d.c.do("GET", depts("format=csv"), nil)
	if r.status != 200 {
		t.Fatalf("departments: %d %s", r.status, r.body)
	}
	// Parents come before their children; siblings in no particular order.
	var lines []string
	at := map[string]int{}
	for i, row := range exportRows(t, "csv", r.body) {
		lines = append(lines, strings.Join(row, "|"))
		at[row[0]] = i
	}
	if at["研发部"] > at["研发部/后端"] {
		t.Errorf("a child before its parent: %v", lines)
	}
	sort.Strings(lines[1:])
	equal(t, "departments export", lines, []string{"path|name|external_id|parent|members", "研发部/后端|后端||研发部|1", "研发部|研发部|D-ENG||1", "销售部|销售部|||2"})
	if rows := exportRows(t, "xlsx", d.c.do("GET", depts("format=xlsx"), nil).body); len(rows) != 4 || rows[0][0] != "path" || rows[at["研发部/后端"]][3] != "研发部" {
		t.Fatalf("departments xlsx: %v", rows)
	}

	mustBadRequest(t, "people pdf", d.c.do("GET", ppl("format=pdf"), nil))
	mustBadRequest(t, "departments without a format", d.c.do("GET", depts(""), nil))

	// A plain member may export neither; a department admin of 研发部, whose directory.manage
	// covers only its subtree, may not export the whole tree nor the people; another
	// organisation's owner gets 404.
	member, _ := e.mustJoin(d.mustInvite(nil), "member@exp.example")
	member.must(403, "GET", ppl("format=csv"), nil)
	member.must(403, "GET", depts("format=csv"), nil)
	deptAdmin, deptAdminID := e.mustJoin(d.mustInvite(nil), "deptadmin@exp.example")
	var eng string
	e.stack.db.Raw(`SELECT id::text FROM departments WHERE org_id = ? AND external_id = 'D-ENG'`, d.orgID).Scan(&eng)
	d.mustAssign(deptAdminID, d.builtinRole("department_admin"), eng)
	deptAdmin.must(403, "GET", depts("format=csv"), nil)
	deptAdmin.must(403, "GET", ppl("format=csv"), nil)
	other := e.mustOrg("Elsewhere", "owner@elsewhere.example")
	other.c.must(404, "GET", ppl("format=csv"), nil)
	other.c.must(404, "GET", depts("format=xlsx"), nil)
}

// profiles lists "external_id employee_number job_title mobile work_location manager hire_date"
// per imported member ("-" for a detail not given; the manager by external id).
func profiles(t testing.TB, e *testEnv, orgID string) []string {
	t.Helper()
	var rows []string
	err := e.stack.db.Raw(`SELECT concat_ws(' ', ms.external_id, COALESCE(ms.employee_number, '-'), COALESCE(NULLIF(ms.job_title, ''), '-'),
			COALESCE(ms.mobile, '-'), COALESCE(NULLIF(ms.work_location, ''), '-'), COALESCE(mg.external_id, '-'),
			COALESCE(to_char(ms.hire_date, 'YYYY-MM-DD'), '-'))
		FROM memberships ms LEFT JOIN memberships mg ON mg.org_id = ms.org_id AND mg.user_id = ms.manager_id
		WHERE ms.org_id = ? AND ms.external_id IS NOT NULL ORDER BY ms.external_id`, orgID).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestImportXLSXProfile: a workbook with the profile columns and Chinese names sets the members'
// employee details with the profile's rules, each broken rule reported on its row as Excel
// numbers it; hire dates come right from text and from Excel's date cells of any format; empty
// cells leave details as they are; a manager cycle is refused.
func TestImportXLSXProfile(t *testing.T) {
	e := newTestEnv(t)
	e.startImports()
	o := e.mustOrg("Profiles", "owner@prof.example")
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{
		{"external_id", "email", "display_name", "departments", "employee_number", "job_title", "mobile", "work_location", "manager", "hire_date"},
		{"P1", "zhang.wei@prof.example", "张伟", "研发部", "0001", "研发总监", "+86 138 0013 8000", "上海", "", day(2019, 4, 1)},
		{"P2", "li.na@prof.example", "李娜", "研发部/后端", "0002", "工程师", "+8613900139000", "北京", "Zhang.Wei@prof.example", day(2022, 8, 15)},
		{"P3", "wang.fang@prof.example", "王芳", "销售部", "0003", "", "138001", "", "", ""},
		{"P4", "liu.yang@prof.example", "刘洋", "", "0002", "", "", "", "", ""},
		{"P5", "chen.jing@prof.example", "陈静", "", "", "", "", "", "li.na@prof.example", 45352},
		{"P6", "zhou.min@prof.example", "周敏", "", "", "", "", "", "", day(2024, 3, 1)},
		{"P7", "xu.lei@prof.example", "徐磊", "", "", "", "", "", "", day(2024, 3, 1)},
		{"P8", "zhao.qiang@prof.example", "赵强", "", "", "", "", "", "nobody@prof.example", "2024-3-1"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	// Date cells as Excel's short date (numFmt 14, "2019/4/1" in a Chinese Excel), a custom
	// "yyyy/m/d", a Chinese long date, and a date-time ("2024/3/1 0:00").
	for cell, style := range map[string]excelize.Style{
		"J2": {NumFmt: 14},
		"J3": {CustomNumFmt: ptr("yyyy/m/d")},
		"J7": {CustomNumFmt: ptr(`yyyy"年"m"月"d"日"`)},
		"J8": {NumFmt: 22},
	} {
		id, err := f.NewStyle(&style)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellStyle("Sheet1", cell, cell, id); err != nil {
			t.Fatal(err)
		}
	}
	var book bytes.Buffer
	if _, err := f.WriteTo(&book); err != nil {
		t.Fatal(err)
	}
	job := o.mustImport(t, xlsxType, book.Bytes())
	if counts(job) != "total=8 processed=8 applied=5 failed=3 created=5 updated=0 unchanged=0" {
		t.Fatalf("xlsx: %s %v", counts(job), issues(job))
	}
	equal(t, "report", issues(job), []string{"user 4 invalid_mobile", "user 5 employee_number_taken", "user 9 invalid_manager"})
	for _, it := range job["issues"].(map[string]any)["items"].([]any) {
		if m := it.(map[string]any); m["row"] == float64(4) && !strings.Contains(m["message"].(string), "E.164") {
			t.Errorf("the mobile's message: %v", m)
		}
	}
	equal(t, "profiles", profiles(t, e, o.orgID), []string{
		"P1 0001 研发总监 +8613800138000 上海 - 2019-04-01",
		"P2 0002 工程师 +8613900139000 北京 P1 2022-08-15",
		"P5 - - - - P2 2024-03-01",
		"P6 - - - - - 2024-03-01",
		"P7 - - - - - 2024-03-01",
	})
	equal(t, "members", memberships(t, e, o.orgID), []string{
		"P1 zhang.wei@prof.example 张伟 active [研发部]",
		"P2 li.na@prof.example 李娜 active [后端]",
		"P5 chen.jing@prof.example 陈静 active []",
		"P6 zhou.min@prof.example 周敏 active []",
		"P7 xu.lei@prof.example 徐磊 active []",
	})

	// Empty cells leave the details; a manager below the member (李娜 reports to 张伟) and an
	// employee number another member holds are refused on their rows.
	job = o.mustImport(t, xlsxType, workbook(t,
		[]any{"external_id", "email", "display_name", "employee_number", "job_title", "manager"},
		[]any{"P1", "zhang.wei@prof.example", "张伟", "", "", "li.na@prof.example"},
		[]any{"P5", "chen.jing@prof.example", "陈静", "0001", "", ""},
		[]any{"P2", "li.na@prof.example", "李娜", "", "高级工程师", ""},
	))
	if counts(job) != "total=3 processed=3 applied=1 failed=2 created=0 updated=1 unchanged=0" {
		t.Fatalf("second import: %s %v", counts(job), issues(job))
	}
	equal(t, "second report", issues(job), []string{"user 2 invalid_manager", "user 3 employee_number_taken"})
	equal(t, "profiles after", profiles(t, e, o.orgID)[:2], []string{
		"P1 0001 研发总监 +8613800138000 上海 - 2019-04-01",
		"P2 0002 高级工程师 +8613900139000 北京 P1 2022-08-15",
	})

	// The JSON import takes the same details, under the same rules (rows count from 1).
	job = o.mustImport(t, "application/json", []byte(`{"users":[
		{"external_id":"P6","email":"zhou.min@prof.example","display_name":"周敏","employee_number":"0006","job_title":"设计师",
		 "mobile":"+86 137-0013-7000","work_location":"深圳","manager":"zhang.wei@prof.example","hire_date":"2021-06-30"},
		{"external_id":"P7","email":"xu.lei@prof.example","display_name":"徐磊","mobile":"12345"}]}`))
	if counts(job) != "total=2 processed=2 applied=1 failed=1 created=0 updated=1 unchanged=0" {
		t.Fatalf("JSON import: %s %v", counts(job), issues(job))
	}
	equal(t, "JSON report", issues(job), []string{"user 2 invalid_mobile"})
	equal(t, "profiles after JSON", profiles(t, e, o.orgID)[3:], []string{
		"P6 0006 设计师 +8613700137000 深圳 P1 2021-06-30",
		"P7 - - - - - 2024-03-01",
	})
}

func ptr[T any](v T) *T { return &v }
