package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"canopy/domain/errs"
	"canopy/domain/importer"
	"canopy/domain/text"
)

// csvColumns are the columns a CSV import may have; the first three are required.
var csvColumns = []string{"external_id", "email", "display_name", "departments", "primary_department", "leader_of", "locale", "time_zone", "active"}

// csvListSeparator separates several departments in one cell of a CSV import; it is one of the
// separators that department names may not hold (text.PathSeparators).
const csvListSeparator = ";"

// ParseCSV reads a CSV import: a header row naming the columns, then one user per row.
// Departments are paths below the root, several separated by ";". The row number
// of each user is its line in the file.
//
// The file's encoding is recognised first (text.Decode: UTF-8 with or without a byte order
// mark, UTF-16 with one, or GB18030/GBK, which Excel writes on Chinese Windows) and converted;
// a file that is none of them is refused with import_encoding, never imported as garbage. Every
// error is Invalid, with a code the import documentation lists; the cells themselves are checked
// row by row when the import runs, so a bad cell is reported on its row.
func ParseCSV(data []byte) (Request, error) {
	req := Request{Format: importer.FormatCSV}
	decoded, _, err := text.Decode(data)
	if err != nil {
		var e *errs.Error
		msg := "the file cannot be read as text; save it as UTF-8"
		if errors.As(err, &e) {
			msg = e.Message
		}
		return req, errs.Wrap(errs.Invalid, "import_encoding", msg, err)
	}
	cr := csv.NewReader(bytes.NewReader(decoded))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return req, errs.E(errs.Invalid, "empty_import", "the CSV file is empty; its first line must name the columns")
	}
	if err != nil {
		return req, csvError(err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		known := false
		for _, c := range csvColumns {
			known = known || c == h
		}
		if !known {
			return req, errs.E(errs.Invalid, "unknown_column", fmt.Sprintf("unknown column %q; the columns are %s", h, strings.Join(csvColumns, ", ")))
		}
		if _, dup := col[h]; dup {
			return req, errs.E(errs.Invalid, "duplicate_column", fmt.Sprintf("column %q appears twice", h))
		}
		col[h] = i
	}
	for _, c := range csvColumns[:3] {
		if _, ok := col[c]; !ok {
			return req, errs.E(errs.Invalid, "missing_column", fmt.Sprintf("the header must have the columns external_id, email and display_name; %q is missing", c))
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return req, nil
		}
		if err != nil {
			return req, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(header) {
			return req, errs.E(errs.Invalid, "malformed_csv", fmt.Sprintf("line %d has %d fields; the header has %d", line, len(rec), len(header)))
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		u := UserRow{Row: line, ExternalID: get("external_id"), Email: get("email"), DisplayName: get("display_name"),
			Departments: splitList(get("departments")), PrimaryDepartment: get("primary_department"), LeaderOf: splitList(get("leader_of")),
			Locale: get("locale"), TimeZone: get("time_zone")}
		switch strings.ToLower(get("active")) {
		case "":
		case "true", "yes", "1", "active":
			t := true
			u.Active = &t
		case "false", "no", "0", "inactive", "deactivated":
			f := false
			u.Active = &f
		default:
			return req, errs.E(errs.Invalid, "malformed_csv", fmt.Sprintf("line %d: active must be true or false", line))
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
	for _, p := range strings.Split(s, csvListSeparator) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return errs.E(errs.Invalid, "malformed_csv", fmt.Sprintf("line %d: %v", pe.Line, pe.Err))
	}
	return errs.Wrap(errs.Invalid, "malformed_csv", "the body is not a valid CSV file", err)
}
