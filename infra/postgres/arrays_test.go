package postgres

import (
	"slices"
	"testing"

	"github.com/google/uuid"
)

func TestArraysRoundTrip(t *testing.T) {
	ids := []uuid.UUID{uuid.New(), uuid.New()}
	if got := ParseUUIDArray(UUIDArray(ids)); !slices.Equal(got, ids) {
		t.Errorf("uuid[] round trip: %v, want %v", got, ids)
	}
	if got := ParseUUIDArray(UUIDArray(nil)); got == nil || len(got) != 0 {
		t.Errorf("empty uuid[]: %#v", got)
	}
	if got, want := TextArray([]string{`a"b`, `c\d`, "季度, 报告"}), `{"a\"b","c\\d","季度, 报告"}`; got != want {
		t.Errorf("text[]: %s, want %s", got, want)
	}
}
