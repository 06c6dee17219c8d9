package importer_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/importer"
)

func TestNewJob(t *testing.T) {
	org, by := uuid.New(), uuid.New()
	j, err := importer.NewJob(org, by, importer.FormatCSV, 3, time.Now())
	if err != nil || j.Status() != importer.StatusQueued || j.Total() != 3 || j.OrgID() != org || j.CreatedBy() != by || j.Finished() {
		t.Fatalf("job: %+v %v", j, err)
	}
	for name, c := range map[string]struct {
		format importer.Format
		rows   int
		code   string
	}{
		"empty":    {importer.FormatJSON, 0, "empty_import"},
		"too many": {importer.FormatJSON, importer.MaxRows + 1, "too_many_rows"},
		"format":   {"xml", 1, "invalid_request"},
	} {
		if _, err := importer.NewJob(org, by, c.format, c.rows, time.Now()); !errs.Is(err, errs.Invalid) || errs.CodeOf(err) != c.code {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCountsAdd(t *testing.T) {
	a := importer.Counts{Processed: 3, Applied: 2, Failed: 1, Created: 1, Updated: 1}
	if got := a.Add(importer.Counts{Processed: 1, Applied: 1, Unchanged: 1}); got != (importer.Counts{Processed: 4, Applied: 3, Failed: 1, Created: 1, Updated: 1, Unchanged: 1}) {
		t.Fatalf("%+v", got)
	}
}
