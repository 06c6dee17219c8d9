package text_test

import (
	"testing"

	"canopy/domain/text"
)

// TestFoldKey pins what full case folding makes equal, and what it keeps apart.
func TestFoldKey(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"Report.PDF", "report.pdf", true},
		{"Straße", "STRASSE", true},  // full folding: ß → ss
		{"Straße", "STRAẞE", true},   // capital sharp s U+1E9E
		{"\u01f0", "J\u030c", true},  // ǰ folds to j + caron; NFC recomposes
		{"Cafe\u0301", "CAFÉ", true}, // decomposed input
		{"\u212a", "k", true},        // Kelvin sign
		{"报告.PDF", "报告.pdf", true},   // Chinese has no case; the extension has
		{"报告", "報告", false},          // simplified and traditional stay apart
		{"İ", "i", false},            // Turkish dotted I folds to i + U+0307, not i
		{"a b", "ab", false},
	} {
		if got := text.FoldKey(c.a) == text.FoldKey(c.b); got != c.same {
			t.Errorf("FoldKey(%q)=%q, FoldKey(%q)=%q: same=%v, want %v", c.a, text.FoldKey(c.a), c.b, text.FoldKey(c.b), got, c.same)
		}
	}
}
