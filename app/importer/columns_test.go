package importer

import (
	"bytes"
	"strings"
	"testing"
)

// TestColumnsAreComplete: every column is described in every language of the template, and what
// the export writes of a row reads back as the same row (so an export re-imports unchanged).
func TestColumnsAreComplete(t *testing.T) {
	yes := true
	row := UserRow{ExternalID: "007", Email: "a@b.example", DisplayName: "张伟", Departments: []string{"研发部/后端", "销售部"},
		PrimaryDepartment: "销售部", LeaderOf: []string{"销售部"}, Locale: "zh-CN", TimeZone: "Asia/Shanghai", Active: &yes,
		EmployeeNumber: "00042", JobTitle: "高级工程师", Mobile: "+8613800138000", WorkLocation: "上海", Manager: "li.na@b.example", HireDate: "2024-03-01"}
	var back UserRow
	for i, c := range Columns {
		for _, l := range Languages {
			if c.Help[l] == "" || c.Example == "" {
				t.Errorf("column %s has no help in %s or no example", c.Name, l)
			}
		}
		if err := c.set(&back, row.Cells()[i]); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(back.Cells(), "|") != strings.Join(row.Cells(), "|") || *back.Active != true {
		t.Fatalf("round trip: %v", back.Cells())
	}
}

// TestCSVExportReimports: a CSV the export writes, with a name a spreadsheet would take for a
// formula, parses back to the same cells.
func TestCSVExportReimports(t *testing.T) {
	no := false
	rows := []UserRow{{ExternalID: "1", Email: "a@b.example", DisplayName: "=HYPERLINK(\"x\")", Active: &no}, {ExternalID: "2", Email: "c@b.example", DisplayName: "-Bo"}}
	var buf bytes.Buffer
	err := writeCSV(&buf, func(emit func([]string) error) error {
		emit(ColumnNames())
		for _, r := range rows {
			emit(r.Cells())
		}
		return nil
	})
	if err != nil || !bytes.HasPrefix(buf.Bytes(), []byte("\ufeff")) || !strings.Contains(buf.String(), "'-Bo") {
		t.Fatalf("%v %q", err, buf.String())
	}
	req, err := ParseCSV(buf.Bytes())
	if err != nil || len(req.Users) != 2 {
		t.Fatalf("%v %v", err, req.Users)
	}
	for i, u := range req.Users {
		if strings.Join(u.Cells(), "|") != strings.Join(rows[i].Cells(), "|") || u.Row != i+2 {
			t.Errorf("row %d: %v", i, u.Cells())
		}
	}
}

// TestDateCells: a hire date typed as spreadsheets show dates reads as YYYY-MM-DD; in a workbook a
// date shown as a number is Excel's day count; anything else is left for the profile's rule
// to refuse with the row's number.
func TestDateCells(t *testing.T) {
	for in, want := range map[string]string{
		"2024-03-01": "2024-03-01", "2024/3/1": "2024-03-01", "2024.03.01": "2024-03-01", "2024年3月1日": "2024-03-01",
		"2024-3-9": "2024-03-09", "2024-03-01 00:00": "2024-03-01", "2024/3/1 0:00:00": "2024-03-01", "2024-03-01 09:30": "2024-03-01 09:30", "2024-02-30": "2024-02-30", "03/01/2024": "03/01/2024", "soon": "soon", "": "",
	} {
		if got := dateCell(in); got != want {
			t.Errorf("dateCell(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"45352": "2024-03-01", "36526": "2000-01-01", "12": "12", "2024-03-01": "2024-03-01", "4.5": "4.5"} {
		if got := excelSerialDate(in); got != want {
			t.Errorf("excelSerialDate(%q) = %q, want %q", in, got, want)
		}
	}
	// In a CSV file a number is no date: it stays as it is and the row is refused.
	req, err := ParseCSV([]byte("external_id,email,display_name,hire_date,mobile\nE1,a@b.example,张伟,2024/3/1,+86 138-0013-8000\nE2,c@b.example,李娜,45352,\n"))
	if err != nil || len(req.Users) != 2 {
		t.Fatalf("%v %+v", err, req.Users)
	}
	if req.Users[0].HireDate != "2024-03-01" || req.Users[1].HireDate != "45352" || req.Users[0].Mobile != "+86 138-0013-8000" {
		t.Fatalf("%+v", req.Users)
	}
}
