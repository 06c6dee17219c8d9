package importer

import (
	"bytes"
	"encoding/csv"
	"io"
	"strconv"

	"canopy/domain/errs"
	"canopy/domain/importer"
)

// SheetRows hands out the rows of a sheet one at a time.
type SheetRows interface {
	// Next returns the next row: its number as Excel shows it (the first is 1) and its cells as
	// text, as Excel shows them (dates and numbers in their format, leading zeros of text
	// kept); io.EOF after the last. Empty rows between others come as rows without cells.
	Next() (row int, cells []string, err error)
	Close() error
}

// Sheet is one sheet of a workbook to write. Rows hands its rows to emit, one at a time, so a
// long sheet need not be held in memory; its cells are written as text.
type Sheet struct {
	Name string
	Rows func(emit func(cells []string) error) error
}

// Spreadsheets reads and writes Excel workbooks (.xlsx).
type Spreadsheets interface {
	// FirstSheet opens the first sheet of a workbook. Invalid (import_format) for data that is
	// no workbook, Invalid (import_too_large) for one that would expand past the adapter's
	// bound (a zip bomb).
	FirstSheet(data []byte) (SheetRows, error)
	// Write writes a workbook of the sheets to w.
	Write(w io.Writer, sheets []Sheet) error
}

// IsXLSX reports whether data looks like an .xlsx file, which is a zip archive.
func IsXLSX(data []byte) bool { return bytes.HasPrefix(data, []byte("PK\x03\x04")) }

// ParseXLSX reads an .xlsx import: the first sheet, a header row naming the columns (Columns),
// then one user per row, numbered as Excel shows them (the header is row 1). Empty rows are
// skipped. Errors are Invalid, as ParseCSV's.
func (s *Service) ParseXLSX(data []byte) (Request, error) {
	if s.sheets == nil {
		return Request{Format: importer.FormatXLSX}, errs.E(errs.Invalid, "import_format", "Excel workbooks cannot be imported here")
	}
	rows, err := s.sheets.FirstSheet(data)
	if err != nil {
		return Request{Format: importer.FormatXLSX}, err
	}
	defer rows.Close()
	header := false
	return parseTable(importer.FormatXLSX, "row", "malformed_xlsx", func() (int, []string, error) {
		for {
			row, cells, err := rows.Next()
			if err != nil || header || len(cells) > 0 {
				header = true
				return row, cells, err
			}
			// Empty rows above the header: the header is the first row with cells.
		}
	})
}

// Download is a file to send: its name, media type, and what writes it.
type Download struct {
	Name        string
	ContentType string
	Write       func(w io.Writer) error
}

// The media types of the tabular formats.
const (
	MediaXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	MediaCSV  = "text/csv; charset=utf-8"
)

// utf8BOM starts every CSV file Canopy writes, so Excel reads it as UTF-8 and shows Chinese.
const utf8BOM = "\ufeff"

// templateText is the template's text by language.
var templateText = map[string]struct {
	file, people, instructions, column, required, description, example, yes, no, note string
}{
	"en": {"import-template", "People", "Instructions", "Column", "Required", "Description", "Example", "yes", "no",
		"Fill in the first sheet, one person per row below the header; keep the header as it is. Delete the example row. Department paths use \"/\" between levels and \";\" between departments."},
	"zh-CN": {"导入模板", "人员", "说明", "列名", "必填", "说明", "示例", "是", "否",
		"请在第一张表中填写，表头下每行一人；表头请保持原样（列名为系统读取的英文名）。请删除示例行。部门路径层级之间用“/”，多个部门之间用“;”。"},
}

// Template returns the import template in a format ("xlsx" or "csv") and language ("en" or
// "zh-CN"): the header of Columns and one example row, and in a workbook a second sheet
// describing each column. The column names stay the ones the import reads, so a filled-in
// template imports as is. Invalid for another format or language.
func (s *Service) Template(format, lang string) (Download, error) {
	txt, ok := templateText[lang]
	if !ok {
		return Download{}, errs.Invalidf("lang must be \"en\" or \"zh-CN\"")
	}
	example := make([]string, len(Columns))
	for i, c := range Columns {
		example[i] = c.Example
	}
	switch format {
	case "csv":
		return Download{Name: txt.file + ".csv", ContentType: MediaCSV, Write: func(w io.Writer) error {
			return writeCSV(w, func(emit func([]string) error) error {
				if err := emit(ColumnNames()); err != nil {
					return err
				}
				return emit(example)
			})
		}}, nil
	case "xlsx":
		if s.sheets == nil {
			return Download{}, errs.Invalidf("Excel workbooks are not available here")
		}
		people := Sheet{Name: txt.people, Rows: func(emit func([]string) error) error {
			if err := emit(ColumnNames()); err != nil {
				return err
			}
			return emit(example)
		}}
		instructions := Sheet{Name: txt.instructions, Rows: func(emit func([]string) error) error {
			if err := emit([]string{txt.column, txt.required, txt.description, txt.example}); err != nil {
				return err
			}
			for _, c := range Columns {
				req := txt.no
				if c.Required {
					req = txt.yes
				}
				if err := emit([]string{c.Name, req, c.Help[lang], c.Example}); err != nil {
					return err
				}
			}
			if err := emit(nil); err != nil {
				return err
			}
			return emit([]string{txt.note})
		}}
		return Download{Name: txt.file + ".xlsx", ContentType: MediaXLSX, Write: func(w io.Writer) error {
			return s.sheets.Write(w, []Sheet{people, instructions})
		}}, nil
	}
	return Download{}, errs.Invalidf("format must be \"xlsx\" or \"csv\"")
}

// writeCSV writes a UTF-8 CSV file with a byte order mark; each cell that a spreadsheet would
// take for a formula is neutralised (csvCell).
func writeCSV(w io.Writer, rows func(emit func([]string) error) error) error {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	err := rows(func(cells []string) error {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = csvCell(c)
		}
		return cw.Write(out)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// csvCell neutralises a cell that a spreadsheet would take for a formula (OWASP, CSV
// injection) with a leading single quote, as every CSV export of Canopy does; the CSV import
// takes it off again (uncsvCell), so an export re-imports unchanged.
func csvCell(s string) string {
	if s != "" && formulaStart(s[0]) {
		return "'" + s
	}
	return s
}

func uncsvCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && formulaStart(s[1]) {
		return s[1:]
	}
	return s
}

func formulaStart(c byte) bool {
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'
}

func itoa(n int) string { return strconv.Itoa(n) }
