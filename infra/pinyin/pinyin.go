// Package pinyin makes the search keys that let people find Chinese names by their pinyin, as
// they type them on a Latin keyboard: 张伟 is found by "zhangwei", "zhang wei" and "zw".
package pinyin

import (
	"strings"
	"unicode"

	gopinyin "github.com/mozillazg/go-pinyin"
)

var args = func() gopinyin.Args {
	a := gopinyin.NewArgs()
	a.Style = gopinyin.Normal
	// Characters without a reading (Latin letters, digits) are kept as they are.
	a.Fallback = func(r rune, _ gopinyin.Args) []string { return []string{string(r)} }
	return a
}()

// Keys returns the full pinyin of name and its initials, lower-case and without spaces. Latin
// words count as syllables of their own: "Ada Lovelace" gives "adalovelace" and "al".
func Keys(name string) (full, initials string) {
	var f, i strings.Builder
	word := false
	for _, r := range strings.ToLower(name) {
		switch {
		case unicode.Is(unicode.Han, r):
			if syl := gopinyin.SinglePinyin(r, args); len(syl) > 0 && syl[0] != "" {
				f.WriteString(syl[0])
				i.WriteByte(syl[0][0])
			}
			word = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			f.WriteRune(r)
			if !word {
				i.WriteRune(r)
			}
			word = true
		default:
			word = false
		}
	}
	return f.String(), i.String()
}
