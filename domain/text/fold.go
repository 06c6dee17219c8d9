package text

import (
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// FoldKey returns the key under which two names are "the same without regard to case": s in
// Unicode full case folding, then NFC. Full folding, unlike strings.EqualFold's simple folding,
// maps "ß" and "ẞ" to "ss", so "Straße" and "STRASSE" share a key; scripts without case, such
// as Chinese, keep their text. NFC comes last because folding can decompose a character
// ("ǰ" folds to j and a combining caron), and the key must not depend on how s was written.
// A key is for comparing and indexing only, never for display.
func FoldKey(s string) string {
	// A Caser keeps state, so each call takes its own rather than sharing one between
	// goroutines.
	return norm.NFC.String(cases.Fold().String(norm.NFC.String(s)))
}
