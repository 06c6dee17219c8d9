package importer

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"canopy/domain/errs"
	"canopy/domain/importer"
)

// Column is one column of a tabular import (CSV or .xlsx), of its template and of the people
// export, which re-imports as is. Columns is the one list of them: a new column is one entry
// there (and its field on UserRow).
type Column struct {
	// Name is the header the import reads, the same in every language.
	Name string
	// Required columns must be in the header, and their cells filled.
	Required bool
	// Example is the template's example cell.
	Example string
	// Help describes the column in the template's instructions, by language.
	Help map[string]string
	// get writes the column's cell of a row; set reads it into a row (an error is a whole-file
	// one, naming the row).
	get func(UserRow) string
	set func(u *UserRow, cell string) error
	// excelDate marks a date column: in a workbook, a bare number in it is a date as Excel
	// stores it (days since 1899-12-30), from a date cell formatted as a number.
	excelDate bool
}

// Columns are the columns of a tabular import, in the template's and the export's order; the
// first three are required.
var Columns = []Column{
	{Name: "external_id", Required: true, Example: "E0001",
		Help: help("The person's id in your HR system; rows are matched to members by it. Keep leading zeros (format the column as Text).",
			"员工在 HR 系统中的编号，按它匹配成员。请保留前导零（将该列设为“文本”格式）。"),
		get: func(u UserRow) string { return u.ExternalID }, set: func(u *UserRow, s string) error { u.ExternalID = s; return nil }},
	{Name: "email", Required: true, Example: "zhang.wei@example.com",
		Help: help("Work email; the sign-in address of a new account.", "工作邮箱，也是新账号的登录地址。"),
		get:  func(u UserRow) string { return u.Email }, set: func(u *UserRow, s string) error { u.Email = s; return nil }},
	{Name: "display_name", Required: true, Example: "张伟",
		Help: help("Name as colleagues see it.", "同事看到的姓名。"),
		get:  func(u UserRow) string { return u.DisplayName }, set: func(u *UserRow, s string) error { u.DisplayName = s; return nil }},
	{Name: "departments", Example: "研发部/后端;销售部",
		Help: help("Department paths below the company, parts separated by \"/\", several separated by \";\"; missing departments are created. Empty leaves the person's departments as they are.",
			"部门路径（不含公司本身），层级用“/”分隔，多个部门用“;”分隔；不存在的部门会自动创建。留空则不改变其部门。"),
		get: func(u UserRow) string { return strings.Join(u.Departments, listSeparator) },
		set: func(u *UserRow, s string) error { u.Departments = splitList(s); return nil }},
	{Name: "primary_department", Example: "研发部/后端",
		Help: help("One of the departments; the first when empty.", "主部门，须为上列部门之一；留空则取第一个。"),
		get:  func(u UserRow) string { return u.PrimaryDepartment }, set: func(u *UserRow, s string) error { u.PrimaryDepartment = s; return nil }},
	{Name: "leader_of", Example: "研发部/后端",
		Help: help("Departments the person leads, separated by \";\".", "此人担任负责人的部门，多个用“;”分隔。"),
		get:  func(u UserRow) string { return strings.Join(u.LeaderOf, listSeparator) },
		set:  func(u *UserRow, s string) error { u.LeaderOf = splitList(s); return nil }},
	{Name: "locale", Example: "zh-CN",
		Help: help("Language of the account: en or zh-CN. Empty leaves it (en for new accounts).", "账号语言：en 或 zh-CN。留空则不变（新账号为 en）。"),
		get:  func(u UserRow) string { return u.Locale }, set: func(u *UserRow, s string) error { u.Locale = s; return nil }},
	{Name: "time_zone", Example: "Asia/Shanghai",
		Help: help("IANA time zone, such as Asia/Shanghai. Empty leaves it (UTC for new accounts).", "IANA 时区，如 Asia/Shanghai。留空则不变（新账号为 UTC）。"),
		get:  func(u UserRow) string { return u.TimeZone }, set: func(u *UserRow, s string) error { u.TimeZone = s; return nil }},
	{Name: "active", Example: "true",
		Help: help("true to keep or make the person active, false to deactivate them; empty leaves it.", "true 表示在职（启用），false 表示停用；留空则不变。"),
		get: func(u UserRow) string {
			if u.Active == nil {
				return ""
			}
			if *u.Active {
				return "true"
			}
			return "false"
		},
		set: func(u *UserRow, s string) error {
			switch strings.ToLower(s) {
			case "":
			case "true", "yes", "1", "active":
				t := true
				u.Active = &t
			case "false", "no", "0", "inactive", "deactivated":
				f := false
				u.Active = &f
			default:
				return errors.New("active must be true or false")
			}
			return nil
		}},
	{Name: "employee_number", Example: "007",
		Help: help("Employee number, unique in the organisation. Keep leading zeros (format the column as Text). Empty leaves it.",
			"工号，在本组织内唯一。请保留前导零（将该列设为“文本”格式）。留空则不变。"),
		get: func(u UserRow) string { return u.EmployeeNumber }, set: func(u *UserRow, s string) error { u.EmployeeNumber = s; return nil }},
	{Name: "job_title", Example: "高级工程师",
		Help: help("Job title. Empty leaves it.", "职务。留空则不变。"),
		get:  func(u UserRow) string { return u.JobTitle }, set: func(u *UserRow, s string) error { u.JobTitle = s; return nil }},
	{Name: "mobile", Example: "+8613800138000",
		Help: help("Mobile phone in international form: \"+\", the country code and the number, such as +8613800138000 (spaces and dashes are dropped). Empty leaves it.",
			"手机号，国际格式：“+”、国家代码和号码，如 +8613800138000（空格和短横线会被去掉）。留空则不变。"),
		get: func(u UserRow) string { return u.Mobile }, set: func(u *UserRow, s string) error { u.Mobile = s; return nil }},
	{Name: "work_location", Example: "上海",
		Help: help("Work location, such as an office or city. Empty leaves it.", "工作地点，如办公室或城市。留空则不变。"),
		get:  func(u UserRow) string { return u.WorkLocation }, set: func(u *UserRow, s string) error { u.WorkLocation = s; return nil }},
	{Name: "manager", Example: "li.na@example.com",
		Help: help("The manager's email: an active member already, or a person on a row above. Empty leaves it.",
			"直属上级的邮箱：须为已在组织中的在职成员，或在本表中更靠上的行里。留空则不变。"),
		get: func(u UserRow) string { return u.Manager }, set: func(u *UserRow, s string) error { u.Manager = s; return nil }},
	{Name: "hire_date", Example: "2024-03-01", excelDate: true,
		Help: help("Hire date as YYYY-MM-DD, such as 2024-03-01 (a date cell of Excel works too). Empty leaves it.",
			"入职日期，格式为 YYYY-MM-DD，如 2024-03-01（Excel 的日期单元格也可以）。留空则不变。"),
		get: func(u UserRow) string { return u.HireDate }, set: func(u *UserRow, s string) error { u.HireDate = dateCell(s); return nil }},
}

// Languages are the languages of the template's instructions.
var Languages = []string{"en", "zh-CN"}

func help(en, zh string) map[string]string { return map[string]string{"en": en, "zh-CN": zh} }

// listSeparator separates several departments in one cell of a tabular import; it is one of the
// separators that department names may not hold (text.PathSeparators).
const listSeparator = ";"

// ColumnNames returns the names of Columns.
func ColumnNames() []string {
	out := make([]string, len(Columns))
	for i, c := range Columns {
		out[i] = c.Name
	}
	return out
}

// Cells returns a row's cells in the order of Columns: what the export writes.
func (u UserRow) Cells() []string {
	out := make([]string, len(Columns))
	for i, c := range Columns {
		out[i] = c.get(u)
	}
	return out
}

// tableRows hands out a table's rows one at a time: its number as the file shows it (the
// header is row 1) and its cells; io.EOF after the last.
type tableRows func() (row int, cells []string, err error)

// parseTable reads a table of users, CSV or .xlsx: a header row naming the columns, then one
// user per row. Blank rows are skipped; unit names a row in messages ("line" or "row").
func parseTable(format importer.Format, unit, malformed string, next tableRows) (Request, error) {
	req := Request{Format: format}
	_, header, err := next()
	if errors.Is(err, io.EOF) {
		return req, errs.E(errs.Invalid, "empty_import", "the file is empty; its first "+unit+" must name the columns")
	}
	if err != nil {
		return req, err
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if h == "" && format == importer.FormatXLSX {
			continue // a spreadsheet's empty header cell past the columns
		}
		known := false
		for _, c := range Columns {
			known = known || c.Name == h
		}
		if !known {
			return req, errs.E(errs.Invalid, "unknown_column", fmt.Sprintf("unknown column %q; the columns are %s", h, strings.Join(ColumnNames(), ", ")))
		}
		if _, dup := col[h]; dup {
			return req, errs.E(errs.Invalid, "duplicate_column", fmt.Sprintf("column %q appears twice", h))
		}
		col[h] = i
	}
	for _, c := range Columns {
		if _, ok := col[c.Name]; c.Required && !ok {
			return req, errs.E(errs.Invalid, "missing_column", fmt.Sprintf("the header must have the columns external_id, email and display_name; %q is missing", c.Name))
		}
	}
	for {
		row, rec, err := next()
		if errors.Is(err, io.EOF) {
			return req, nil
		}
		if err != nil {
			return req, err
		}
		blank := true
		for _, cell := range rec {
			blank = blank && strings.TrimSpace(cell) == ""
		}
		if blank {
			continue
		}
		if format == importer.FormatCSV && len(rec) != len(header) {
			return req, errs.E(errs.Invalid, malformed, fmt.Sprintf("%s %d has %d fields; the header has %d", unit, row, len(rec), len(header)))
		}
		if len(req.Users) >= importer.MaxRows {
			return req, errs.E(errs.Invalid, "too_many_rows", fmt.Sprintf("an import may hold at most %d rows; split it", importer.MaxRows))
		}
		u := UserRow{Row: row}
		for _, c := range Columns {
			i, ok := col[c.Name]
			if !ok {
				continue
			}
			cell := ""
			if i < len(rec) {
				cell = rec[i]
				if format == importer.FormatCSV {
					cell = uncsvCell(cell)
				}
				cell = strings.TrimSpace(cell)
				if c.excelDate && format == importer.FormatXLSX {
					cell = excelSerialDate(cell)
				}
			}
			if err := c.set(&u, cell); err != nil {
				return req, errs.E(errs.Invalid, malformed, fmt.Sprintf("%s %d: %v", unit, row, err))
			}
		}
		req.Users = append(req.Users, u)
	}
}

// splitList splits "a;b" into its parts; an empty cell is nil, which leaves the field alone.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, listSeparator) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// dateCell writes a date as people type it in a spreadsheet ("2024/3/1", "2024.3.1",
// "2024年3月1日", "2024-3-1", with a time of 00:00 or not) as YYYY-MM-DD. Anything else is kept as it is, and the row is
// refused with the profile's own rule (org.Profile.Apply) and its row number.
func dateCell(s string) string {
	s = strings.TrimSpace(s)
	t := s
	// A date and time cell at midnight, as Excel stores a date typed into a date-time format.
	for _, midnight := range []string{" 00:00:00", " 0:00:00", " 00:00", " 0:00"} {
		t = strings.TrimSuffix(t, midnight)
	}
	t = strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-").Replace(t)
	parts := strings.Split(t, "-")
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) < 1 || len(parts[2]) > 2 {
		return s
	}
	var n [3]int
	for i, p := range parts {
		for _, r := range p {
			if r < '0' || r > '9' {
				return s
			}
			n[i] = n[i]*10 + int(r-'0')
		}
	}
	d := time.Date(n[0], time.Month(n[1]), n[2], 0, 0, 0, 0, time.UTC)
	if d.Month() != time.Month(n[1]) || d.Day() != n[2] {
		return s // 2024-02-30: refused as it is written
	}
	return d.Format(time.DateOnly)
}

// excelSerialDate turns a date that a workbook shows as a number (a date cell formatted as
// General or Number) into YYYY-MM-DD; other cells are returned as they are. Excel counts days
// from 1899-12-30 (in its 1900 date system, past February 1900).
func excelSerialDate(s string) string {
	if s == "" || len(s) > 7 {
		return s
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return s
		}
		n = n*10 + int(r-'0')
	}
	if n < 61 {
		return s
	}
	return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n).Format(time.DateOnly)
}
