package importer_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"canopy/domain/importer"
)

// TestNewIssueIsStorable: a report line repeats the row's external id and a message that may
// quote what the row held; a NUL or invalid UTF-8 there must not make the report unstorable
// (PostgreSQL refuses both in text), nor a huge id bloat it.
func TestNewIssueIsStorable(t *testing.T) {
	is := importer.NewIssue(3, importer.KindUser, 4, "E\x00\xff", "control_character", "display_name: \"A\x00\"")
	if is.ExternalID != `E\x00\xff` || is.Message != `display_name: "A\x00"` || is.Seq != 3 || is.Row != 4 || is.Kind != importer.KindUser || is.Code != "control_character" {
		t.Fatalf("%+v", is)
	}
	long := importer.NewIssue(0, importer.KindDepartment, 1, strings.Repeat("张", 1000), "invalid_external_id", "x")
	if len(long.ExternalID) > 260 || !utf8.ValidString(long.ExternalID) || !strings.HasSuffix(long.ExternalID, "…") {
		t.Fatalf("long id: %d bytes %q", len(long.ExternalID), long.ExternalID[:20])
	}
}
