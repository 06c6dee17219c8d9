package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	appimport "canopy/app/importer"
	"canopy/domain/errs"
)

func readAll(t *testing.T, b Workbooks, data []byte) ([]int, [][]string, error) {
	t.Helper()
	rows, err := b.FirstSheet(data)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var nums []int
	var cells [][]string
	for {
		n, c, err := rows.Next()
		if errors.Is(err, io.EOF) {
			return nums, cells, nil
		}
		if err != nil {
			return nums, cells, err
		}
		nums = append(nums, n)
		cells = append(cells, c)
	}
}

// TestFirstSheetReadsCellsAsShown: numbers and dates come as Excel shows them, text keeps its
// leading zeros, rows are numbered as Excel numbers them, and only the first sheet is read.
func TestFirstSheetReadsCellsAsShown(t *testing.T) {
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "external_id")
	f.SetCellValue("Sheet1", "B1", "hired")
	f.SetCellValue("Sheet1", "A2", "00123")
	f.SetCellValue("Sheet1", "A4", 42)
	zeros, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("00000")})
	f.SetCellStyle("Sheet1", "A4", "A4", zeros)
	f.SetCellValue("Sheet1", "B4", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC))
	date, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd")})
	f.SetCellStyle("Sheet1", "B4", "B4", date)
	f.NewSheet("Other")
	f.SetCellValue("Other", "A1", "not read")
	var buf bytes.Buffer
	f.WriteTo(&buf)

	nums, cells, err := readAll(t, Workbooks{}, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for i, n := range nums {
		got += strings.Join(append([]string{string(rune('0' + n))}, cells[i]...), ",") + ";"
	}
	if want := "1,external_id,hired;2,00123;3;4,00042,2024-03-01;"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}

	// Past MaxRows (the header aside) the sheet is refused.
	if _, _, err := readAll(t, Workbooks{MaxRows: 2}, buf.Bytes()); errs.CodeOf(err) != "import_too_large" {
		t.Fatalf("past MaxRows: %v", err)
	}
	// Past MaxUnzipped it is refused before it is read.
	if _, err := (Workbooks{MaxUnzipped: 1024}).FirstSheet(buf.Bytes()); errs.CodeOf(err) != "import_too_large" {
		t.Fatalf("past MaxUnzipped: %v", err)
	}
	for _, bad := range [][]byte{nil, []byte("PK\x03\x04junk"), buf.Bytes()[:len(buf.Bytes())/2]} {
		if _, _, err := readAll(t, Workbooks{}, bad); !errs.Is(err, errs.Invalid) || errs.CodeOf(err) != "import_format" {
			t.Errorf("%q: %v", bad[:min(len(bad), 8)], err)
		}
	}
}

// TestWriteReadsBack: what Write makes opens in excelize, sheet by sheet, with its text as
// written (a leading zero, a formula-looking name kept as text).
func TestWriteReadsBack(t *testing.T) {
	var buf bytes.Buffer
	err := Workbooks{}.Write(&buf, []appimport.Sheet{
		{Name: "人员", Rows: func(emit func([]string) error) error {
			emit([]string{"external_id", "display_name"})
			return emit([]string{"007", "=1+2"})
		}},
		{Name: "a/b:c", Rows: func(emit func([]string) error) error { return emit([]string{"x"}) }},
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if names := strings.Join(f.GetSheetList(), ","); names != "人员,a_b_c" {
		t.Fatalf("sheets %s", names)
	}
	rows, _ := f.GetRows("人员")
	if len(rows) != 2 || rows[1][0] != "007" || rows[1][1] != "=1+2" {
		t.Fatalf("rows %v", rows)
	}
	if formula, _ := f.GetCellFormula("人员", "B2"); formula != "" {
		t.Fatalf("a name became a formula: %q", formula)
	}
}

func ptr[T any](v T) *T { return &v }

// TestFirstSheetRefusesABloatedPart: a part that excelize would read whole into memory (here the
// styles) and that declares more than a few mebibytes is refused before anything is inflated,
// however small the upload.
func TestFirstSheetRefusesABloatedPart(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("xl/styles.xml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(bytes.Repeat([]byte("<xf/>"), 1<<20)); err != nil { // 5 MiB, a few KiB zipped
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 64<<10 {
		t.Fatalf("the test's archive is %d bytes; it should be small", buf.Len())
	}
	if _, err := (Workbooks{}).FirstSheet(buf.Bytes()); errs.CodeOf(err) != "import_too_large" {
		t.Fatalf("a 5 MiB styles part: %v", err)
	}
}

// TestFirstSheetReadsDates: a date in Excel's short date format (numFmt 14, which Excel shows
// in the language of the computer) comes as YYYY-MM-DD, and a date-time as YYYY-MM-DD hh:mm;
// other date formats come as they show, for the import's date columns to read.
func TestFirstSheetReadsDates(t *testing.T) {
	f := excelize.NewFile()
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for i, format := range []excelize.Style{{NumFmt: 14}, {NumFmt: 22}, {CustomNumFmt: ptr("yyyy/m/d")}, {CustomNumFmt: ptr(`yyyy"年"m"月"d"日"`)}, {}} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellValue("Sheet1", cell, day)
		style, err := f.NewStyle(&format)
		if err != nil {
			t.Fatal(err)
		}
		f.SetCellStyle("Sheet1", cell, cell, style)
	}
	f.SetCellValue("Sheet1", "E1", 45352) // a date shown as a number (General)
	var buf bytes.Buffer
	f.WriteTo(&buf)
	_, cells, err := readAll(t, Workbooks{}, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(cells[0], "|"), "2024-03-01|2024-03-01 00:00|2024/3/1|2024年3月1日|45352"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
