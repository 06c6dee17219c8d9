package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"canopy/domain/errs"
	"canopy/domain/importer"
	"canopy/domain/text"
)

// ParseCSV reads a CSV import: a header row naming the columns (Columns), then one user per
// row. Departments are paths below the root, several separated by ";". The row number of each
// user is its line in the file.
//
// The file's encoding is recognised first (text.Decode: UTF-8 with or without a byte order
// mark, UTF-16 with one, or GB18030/GBK, which Excel writes on Chinese Windows) and converted;
// a file that is none of them is refused with import_encoding, never imported as garbage. Every
// error is Invalid, with a code the import documentation lists; the cells themselves are checked
// row by row when the import runs, so a bad cell is reported on its row.
func ParseCSV(data []byte) (Request, error) {
	decoded, _, err := text.Decode(data)
	if err != nil {
		var e *errs.Error
		msg := "the file cannot be read as text; save it as UTF-8"
		if errors.As(err, &e) {
			msg = e.Message
		}
		return Request{Format: importer.FormatCSV}, errs.Wrap(errs.Invalid, "import_encoding", msg, err)
	}
	cr := csv.NewReader(bytes.NewReader(decoded))
	cr.FieldsPerRecord = -1
	return parseTable(importer.FormatCSV, "line", "malformed_csv", func() (int, []string, error) {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return 0, nil, io.EOF
		}
		if err != nil {
			return 0, nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		return line, rec, nil
	})
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return errs.E(errs.Invalid, "malformed_csv", fmt.Sprintf("line %d: %v", pe.Line, pe.Err))
	}
	return errs.Wrap(errs.Invalid, "malformed_csv", "the body is not a valid CSV file", err)
}
