package text

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// MatchKey returns the form in which text is searched for a phrase (content rules): NFKC, so
// that full-width ＡＢＣ is ABC and ligatures and other compatibility characters are their plain
// letters; full case folding, so that Ｔｅｓｔ, TEST and test are one; invisible format
// characters (U+200B, U+200D, U+00AD …) removed, so that one cannot split a phrase with them;
// and every run of white space collapsed to one space, trimmed at the ends. Scripts without
// case, such as Chinese, keep their characters (CJK compatibility ideographs become their
// unified forms). A key is for comparing only, never for display.
func MatchKey(s string) string {
	s = norm.NFKC.String(cases.Fold().String(norm.NFKC.String(s)))
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case unicode.Is(unicode.Cf, r):
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}
