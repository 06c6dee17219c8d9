// Package xlsx reads and writes Excel workbooks (.xlsx) with excelize: the first sheet of an
// import, and the import template and exports, streamed.
package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	appimport "canopy/app/importer"
	"canopy/domain/errs"
	"canopy/domain/importer"
)

// DefaultMaxUnzipped is the most bytes the parts of a workbook may expand to when Workbooks
// does not say.
const DefaultMaxUnzipped = 256 << 20

// Workbooks implements appimport.Spreadsheets.
type Workbooks struct {
	// MaxUnzipped bounds what a workbook may expand to (a zip bomb is refused before it is
	// inflated); DefaultMaxUnzipped when 0.
	MaxUnzipped int64
	// MaxRows bounds the rows of a sheet read, the header aside; importer.MaxRows when 0.
	MaxRows int
}

var _ appimport.Spreadsheets = Workbooks{}

func notWorkbook(err error) error {
	return errs.Wrap(errs.Invalid, "import_format", "the file is not an Excel workbook (.xlsx) that can be read; save it as .xlsx or CSV", err)
}

func tooLarge(what string) error {
	return errs.E(errs.Invalid, "import_too_large", "the workbook "+what+"; split it")
}

// maxOtherPart bounds each part of a workbook other than its worksheets and shared strings.
const maxOtherPart = 4 << 20

// streamedPart reports whether excelize reads the part from a temporary file as it goes (the
// worksheets and the shared strings) rather than whole into memory.
func streamedPart(name string) bool {
	return strings.HasPrefix(name, "xl/worksheets/") || name == "xl/sharedStrings.xml"
}

// FirstSheet implements appimport.Spreadsheets.
func (b Workbooks) FirstSheet(data []byte) (appimport.SheetRows, error) {
	limit := b.MaxUnzipped
	if limit <= 0 {
		limit = DefaultMaxUnzipped
	}
	// The sizes the archive declares are checked before anything is inflated; archive/zip
	// refuses a part that inflates past what it declares.
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, notWorkbook(err)
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(limit) {
			return nil, tooLarge("expands past " + strconv.FormatInt(limit>>20, 10) + " MiB")
		}
		// excelize reads every part but the worksheets and the shared strings whole into memory
		// (styles, themes, the workbook itself), and decodes it there: a people list needs a few
		// kilobytes of them, and a bloated one is refused before it is read.
		if !streamedPart(f.Name) && f.UncompressedSize64 > maxOtherPart {
			return nil, tooLarge("holds a part (" + f.Name + ") larger than " + strconv.Itoa(maxOtherPart>>20) + " MiB")
		}
	}
	xmlLimit := int64(16 << 20)
	if xmlLimit > limit {
		xmlLimit = limit
	}
	// A date cell in Excel's short date format comes out as YYYY-MM-DD, whatever the language
	// of the Excel that wrote it; other date formats come out as they show.
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: limit, UnzipXMLSizeLimit: xmlLimit,
		ShortDatePattern: "yyyy-mm-dd"})
	if err != nil {
		return nil, notWorkbook(err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, notWorkbook(errors.New("no sheets"))
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, notWorkbook(err)
	}
	max := b.MaxRows
	if max <= 0 {
		max = importer.MaxRows
	}
	return &sheetRows{f: f, rows: rows, max: max}, nil
}

type sheetRows struct {
	f    *excelize.File
	rows *excelize.Rows
	n    int
	max  int
}

func (s *sheetRows) Next() (int, []string, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return 0, nil, notWorkbook(err)
		}
		return 0, nil, io.EOF
	}
	s.n++
	if s.n > s.max+1 {
		return 0, nil, tooLarge("has more than " + strconv.Itoa(s.max) + " rows")
	}
	cells, err := s.rows.Columns()
	if err != nil {
		return 0, nil, notWorkbook(err)
	}
	return s.n, cells, nil
}

func (s *sheetRows) Close() error {
	s.rows.Close()
	return s.f.Close()
}

// textFormat is Excel's built-in number format "@": what is typed is kept as text, so an
// employee number keeps its leading zeros.
const textFormat = 49

// textColumns is how many columns of a written sheet are formatted as text, more than the
// import has, so that what is typed into them keeps its leading zeros.
const textColumns = 24

// Write implements appimport.Spreadsheets. Each sheet is streamed: excelize keeps a long one in
// a temporary file rather than in memory.
func (b Workbooks) Write(w io.Writer, sheets []appimport.Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	text, err := f.NewStyle(&excelize.Style{NumFmt: textFormat})
	if err != nil {
		return err
	}
	first := f.GetSheetName(0)
	for i, sh := range sheets {
		name := sheetName(sh.Name)
		if i == 0 {
			if err := f.SetSheetName(first, name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		if err := sw.SetColWidth(1, textColumns, 24); err != nil {
			return err
		}
		if err := sw.SetColStyle(1, textColumns, text); err != nil {
			return err
		}
		row := 0
		err = sh.Rows(func(cells []string) error {
			row++
			vals := make([]any, len(cells))
			for j, c := range cells {
				vals[j] = c
			}
			cell, err := excelize.CoordinatesToCellName(1, row)
			if err != nil {
				return err
			}
			return sw.SetRow(cell, vals, excelize.RowOpts{StyleID: text})
		})
		if err != nil {
			return err
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	_, err = f.WriteTo(w)
	return err
}

// sheetName makes a name Excel accepts: at most 31 characters, none of :\/?*[].
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	if s == "" {
		s = "Sheet1"
	}
	return s
}
