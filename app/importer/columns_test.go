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
		PrimaryDepartment: "销售部", LeaderOf: []string{"销售部"}, Locale: "zh-CN", TimeZone: "Asia/Shanghai", Active: &yes}
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
