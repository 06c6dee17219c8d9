package importer

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"canopy/domain/errs"
	"canopy/domain/importer"
	"canopy/domain/text/texttest"
)

const chineseCSV = "external_id,email,display_name,departments\n" +
	"E1,zhang.wei@acme.example,张伟,研发部/后端\n" +
	"E2,ouyang@acme.example,欧阳娜娜,销售部;研发部\n"

func names(req Request) string {
	var out []string
	for _, u := range req.Users {
		out = append(out, u.ExternalID+"="+u.DisplayName+"@"+strings.Join(u.Departments, "+"))
	}
	return strings.Join(out, " ")
}

// TestParseCSVConvertsEncodings: the files Excel writes (CSV UTF-8 with a byte order mark,
// Unicode text in UTF-16, and plain CSV in the ANSI code page of Chinese Windows, GBK) read as
// the same rows.
func TestParseCSVConvertsEncodings(t *testing.T) {
	const want = "E1=张伟@研发部/后端 E2=欧阳娜娜@销售部+研发部"
	for name, data := range map[string][]byte{
		"UTF-8":              []byte(chineseCSV),
		"UTF-8 with a BOM":   texttest.Encode(t, texttest.UTF8BOM, chineseCSV),
		"UTF-16LE with BOM":  texttest.Encode(t, texttest.UTF16LE, chineseCSV),
		"UTF-16BE with BOM":  texttest.Encode(t, texttest.UTF16BE, chineseCSV),
		"GBK":                texttest.Encode(t, texttest.GBK, chineseCSV),
		"GB18030, CRLF ends": texttest.Encode(t, texttest.GB18030, strings.ReplaceAll(chineseCSV, "\n", "\r\n")),
	} {
		req, err := ParseCSV(data)
		if err != nil || names(req) != want || req.Format != importer.FormatCSV {
			t.Errorf("%s: %s %v", name, names(req), err)
		}
		if len(req.Users) == 2 && (req.Users[0].Row != 2 || req.Users[1].Row != 3) {
			t.Errorf("%s: rows %d %d", name, req.Users[0].Row, req.Users[1].Row)
		}
	}
}

// TestParseCSVRefusesUnreadableFiles: bytes that are no text Canopy can read are refused as a
// whole with import_encoding, never imported as mojibake.
func TestParseCSVRefusesUnreadableFiles(t *testing.T) {
	gbk := texttest.Encode(t, texttest.GBK, chineseCSV)
	for name, data := range map[string][]byte{
		"garbage":                  {0x80, 0xFF, 0xFE, 0x00, 0x81},
		"GBK cut in a character":   gbk[:len(gbk)-2],
		"UTF-8 BOM, then GBK":      append([]byte{0xEF, 0xBB, 0xBF}, gbk...),
		"UTF-16 without a BOM":     texttest.Encode(t, texttest.UTF16LENoBOM, chineseCSV),
		"UTF-16 with a broken end": append(texttest.Encode(t, texttest.UTF16LE, chineseCSV), 0x00, 0xD8),
		"a NUL in a cell":          []byte("external_id,email,display_name\nE1,a@b.co,A\x00\n"),
	} {
		_, err := ParseCSV(data)
		var e *errs.Error
		if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Code != "import_encoding" || !strings.Contains(e.Message, "UTF-8") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParseCSVRefusesMalformedFiles(t *testing.T) {
	for data, code := range map[string]string{
		"":                                       "empty_import",
		"external_id,email\nE1,a@b.co\n":         "missing_column",
		"external_id,email,display_name,x\n":     "unknown_column",
		"external_id,email,display_name,email\n": "duplicate_column",
		"external_id,email,display_name\nE1,a@b.co\n":                "malformed_csv",
		"external_id,email,display_name\nE1,\"a@b.co,A\n":            "malformed_csv",
		"external_id,email,display_name,active\nE1,a@b.co,A,maybe\n": "malformed_csv",
	} {
		if _, err := ParseCSV([]byte(data)); !errs.Is(err, errs.Invalid) || errs.CodeOf(err) != code {
			t.Errorf("%q: %v, want %s", data, err, code)
		}
	}
}

// TestBadTextIsReportedPerRow: a CSV row with a NUL, a bidirectional override, an invisible
// name or a path through ".." is reported on its own row with the problem named; the other rows
// are applied, and no department called "." or ".." is made.
func TestBadTextIsReportedPerRow(t *testing.T) {
	csv := "external_id,email,display_name,departments\n" +
		"U1,u1@acme.example,Ada,Engineering/Backend\n" +
		"U2,u2@acme.example,Bob,Engineering/../Sales\n" +
		"U3,u3@acme.example,Cy,./x\n" +
		"U4,u4@acme.example,\"Esc\x1b[31m\",Sales\n" +
		"U5,u5@acme.example,\"admin\u202egpj.exe\",Sales\n" +
		"U6,u6@acme.example,\u200b\u200d,Sales\n" +
		"U7\a,u7@acme.example,Ext,Sales\n" +
		"U8,u8@acme.example,Dee,Sales;R&D\n"
	req, err := ParseCSV([]byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	store, orgID, ownerID := newFixture(t)
	q := run(t, store, orgID, ownerID, req, 100)
	got := map[int]string{}
	for _, is := range q.issues {
		got[is.Row] = is.Code + " " + is.Message
		if !utf8.ValidString(is.ExternalID) || strings.ContainsRune(is.ExternalID+is.Message, 0) {
			t.Errorf("row %d: the report line cannot be stored: %q %q", is.Row, is.ExternalID, is.Message)
		}
	}
	want := map[int]string{
		3: `invalid_department_path department path "Engineering/../Sales": "." and ".." cannot be names`,
		4: `invalid_department_path department path "./x": "." and ".." cannot be names`,
		5: `control_character display_name: contains a control character`,
		6: `bidi_control display_name: contains a bidirectional override or isolate character`,
		7: `no_visible_character display_name: must contain at least one visible character`,
		8: `control_character external_id: contains a control character`,
	}
	for row, w := range want {
		if got[row] != w {
			t.Errorf("row %d:\n got %s\nwant %s", row, got[row], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("report: %v", got)
	}
	var made []string
	for _, d := range store.st.depts {
		made = append(made, d.Name)
		if d.Name == "." || d.Name == ".." {
			t.Errorf("department %q made", d.Name)
		}
	}
	if len(store.st.members) != 2 {
		t.Errorf("%d members applied, want U1 and U8 (departments %v)", len(store.st.members), made)
	}
}

// TestBadTextInJSONRowsIsReported: the rows of a JSON import meet the same rule; a NUL, which
// PostgreSQL cannot store, is refused on its row and repeated printably in the report.
func TestBadTextInJSONRowsIsReported(t *testing.T) {
	store, orgID, ownerID := newFixture(t)
	q := run(t, store, orgID, ownerID, Request{
		Departments: []DepartmentRow{
			{Row: 1, ExternalID: "D1", Name: ".."},
			{Row: 2, ExternalID: "D2\x00", Name: "Ops"},
			{Row: 3, Name: "Ops\x00"},
			{Row: 4, Path: "Engineering/../Sales"},
			{Row: 5, ExternalID: "D5", Name: "Ops"},
		},
		Users: []UserRow{
			{Row: 1, ExternalID: "U1", Email: "u1\x00@acme.example", DisplayName: "U"},
			{Row: 2, ExternalID: "U2", Email: "u2@acme.example", DisplayName: "\u2066U\u2069"},
			{Row: 3, ExternalID: "U3", Email: "u3@acme.example", DisplayName: "U", Departments: []string{"Ops/./x"}},
			{Row: 4, ExternalID: "U4", Email: "u4@acme.example", DisplayName: "U", Departments: []string{"D5"}},
		},
	}, 100)
	want := "department 1 reserved_name; department 2 control_character; department 3 control_character; " +
		"department 4 invalid_department_path; user 1 control_character; user 2 bidi_control; user 3 invalid_department_path"
	if got := report(q); got != want {
		t.Fatalf("report:\n got %s\nwant %s", got, want)
	}
	for _, is := range q.issues {
		if strings.ContainsRune(is.ExternalID+is.Message, 0) {
			t.Errorf("row %d: %q %q", is.Row, is.ExternalID, is.Message)
		}
		if is.Row == 2 && is.Kind == importer.KindDepartment && is.ExternalID != `D2\x00` {
			t.Errorf("the refused external id is not repeated printably: %q", is.ExternalID)
		}
	}
}

// FuzzParseCSV: whatever the bytes, the reader does not panic, and either refuses them with an
// Invalid error or returns rows whose every cell is valid UTF-8 without NUL, numbered by lines
// after the header, in file order.
func FuzzParseCSV(f *testing.F) {
	f.Add([]byte(chineseCSV))
	f.Add(append([]byte{0xEF, 0xBB, 0xBF}, chineseCSV...))
	f.Add([]byte("\xff\xfee\x00x\x00t\x00e\x00r\x00n\x00a\x00l\x00_\x00i\x00d\x00"))
	f.Add([]byte("external_id,email,display_name,active\nE1,a@b.co,\"A\"\"x\",yes\n\nE2,c@d.co,C,no\n"))
	f.Add([]byte("external_id,email,display_name\nE1,a@b.co,\"unterminated\n"))
	f.Add([]byte("external_id,email,display_name\r\nE1,a@b.co,\xd5\xc5\xce\xb0\r\n"))
	f.Add([]byte("\x00\x01\x02"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := ParseCSV(data)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("%q: %v is not Invalid", data, err)
			}
			return
		}
		if req.Format != importer.FormatCSV || len(req.Departments) != 0 {
			t.Fatalf("%q: %+v", data, req)
		}
		last := 1
		for _, u := range req.Users {
			if u.Row <= last {
				t.Fatalf("%q: row %d after %d", data, u.Row, last)
			}
			last = u.Row
			cells := append([]string{u.ExternalID, u.Email, u.DisplayName, u.PrimaryDepartment, u.Locale, u.TimeZone}, u.Departments...)
			for _, c := range append(cells, u.LeaderOf...) {
				if !utf8.ValidString(c) || strings.ContainsRune(c, 0) {
					t.Fatalf("%q: cell %q", data, c)
				}
			}
		}
	})
}
