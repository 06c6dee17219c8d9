package text_test

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"canopy/domain/errs"
	"canopy/domain/text"
)

func code(err error) string {
	if err == nil {
		return ""
	}
	return errs.CodeOf(err)
}

func errMessage(err error) string {
	var e *errs.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}

func TestLineAndMultiLine(t *testing.T) {
	cases := []struct {
		in          string
		line, multi string // the codes expected
	}{
		{"plain", "", ""},
		{"张伟 (Zhang Wei) 🌲", "", ""},
		{"a\x00b", text.CodeControlCharacter, text.CodeControlCharacter},
		{"a\x1bb", text.CodeControlCharacter, text.CodeControlCharacter},
		{"a\x7fb", text.CodeControlCharacter, text.CodeControlCharacter},
		{"a\u0085b", text.CodeControlCharacter, text.CodeControlCharacter}, // C1
		{"a\u009bb", text.CodeControlCharacter, text.CodeControlCharacter}, // C1 CSI
		{"one\ntwo", text.CodeControlCharacter, ""},
		{"one\r\ntwo\tthree", text.CodeControlCharacter, ""},
		{"one\u2028two", text.CodeControlCharacter, text.CodeControlCharacter},
		{"bad \xff byte", text.CodeInvalidUTF8, text.CodeInvalidUTF8},
		{"\xed\xa0\x80", text.CodeInvalidUTF8, text.CodeInvalidUTF8}, // an encoded surrogate
	}
	for _, c := range cases {
		if got := code(text.Line("external_id", c.in)); got != c.line {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.line)
		}
		if got := code(text.MultiLine("description", c.in)); got != c.multi {
			t.Errorf("MultiLine(%q) = %q, want %q", c.in, got, c.multi)
		}
	}
}

func TestErrorsNameTheField(t *testing.T) {
	err := text.Line("external_id", "x\x00")
	if !errs.Is(err, errs.Invalid) {
		t.Fatalf("kind: %v", err)
	}
	var e *errs.Error
	if !errors.As(err, &e) || e.Message != "external_id: contains a control character" {
		t.Fatalf("message: %v", err)
	}
	if _, err := text.Name("display_name", "\u200b"); !strings.HasPrefix(errMessage(err), "display_name: ") {
		t.Fatalf("message: %v", err)
	}
}

func TestName(t *testing.T) {
	cases := []struct {
		in, want, code string
	}{
		{"  Ada Lovelace  ", "Ada Lovelace", ""},
		{"张伟", "张伟", ""},
		{"Cafe\u0301", "Café", ""}, // NFC: e + combining acute becomes é
		{"\u200bAda\ufeff", "Ada", ""},
		{"👩\u200d💻 dev", "👩\u200d💻 dev", ""},                               // a zero-width joiner inside an emoji stays
		{"می\u200cخواهم", "می\u200cخواهم", ""},                             // as does a ZWNJ inside Persian
		{"\u05e9\u05dc\u05d5\u05dd\u200f", "\u05e9\u05dc\u05d5\u05dd", ""}, // a trailing RLM is trimmed
		{"", "", ""},
		{"   ", "", ""},
		{"\u200b", "", text.CodeNoVisibleCharacter},
		{"\u200b\u200c\u200d\u2060\ufeff", "", text.CodeNoVisibleCharacter},
		{"\u3164", "", text.CodeNoVisibleCharacter},       // Hangul filler
		{" \u2800 ", "", text.CodeNoVisibleCharacter},     // blank Braille
		{"\u0301\u0301", "", text.CodeNoVisibleCharacter}, // marks alone
		{"admin\u202egpj.exe", "", text.CodeBidiControl},
		{"\u2066x\u2069", "", text.CodeBidiControl},
		{"a\u202ab", "", text.CodeBidiControl},
		{"Ada\x00", "", text.CodeControlCharacter},
		{"Ada\nLovelace", "", text.CodeControlCharacter},
		{"Ada\tLovelace", "", text.CodeControlCharacter},
		{"Ad\xe9", "", text.CodeInvalidUTF8},
		{"Ad\ufffd", "", text.CodeInvalidUTF8},
	}
	for _, c := range cases {
		got, err := text.Name("name", c.in)
		if got != c.want || code(err) != c.code {
			t.Errorf("Name(%q) = %q, %q; want %q, %q", c.in, got, code(err), c.want, c.code)
		}
	}
}

func TestSegmentName(t *testing.T) {
	cases := []struct {
		in, want, code string
	}{
		{"Engineering", "Engineering", ""},
		{" 研发部 ", "研发部", ""},
		{"...", "...", ""},
		{"R&D.", "R&D.", ""},
		{".", "", text.CodeReservedName},
		{" .. ", "", text.CodeReservedName},
		{"\u200b..", "", text.CodeReservedName},
		{"a/b", "", text.CodePathSeparator},
		{"/", "", text.CodePathSeparator},
		{"Sales;East", "", text.CodePathSeparator},
		{"\u200b", "", text.CodeNoVisibleCharacter},
		{"x\u202e", "", text.CodeBidiControl},
	}
	for _, c := range cases {
		got, err := text.SegmentName("name", c.in)
		if got != c.want || code(err) != c.code {
			t.Errorf("SegmentName(%q) = %q, %q; want %q, %q", c.in, got, code(err), c.want, c.code)
		}
	}
}

func TestPrintable(t *testing.T) {
	cases := map[string]string{
		"plain 张伟":      "plain 张伟",
		"a\x00b":        `a\x00b`,
		"a\xffb":        `a\xffb`,
		"\u0085\n":      `\x85\x0a`,
		`"quoted" \ ok`: `"quoted" \ ok`,
	}
	for in, want := range cases {
		if got := text.Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
		if got := text.Printable(in); text.Line("x", got) != nil {
			t.Errorf("Printable(%q) = %q is not a clean line", in, got)
		}
	}
}

// FuzzName checks the properties every accepted name has, whatever it was made from: it is
// valid UTF-8, holds no control or bidirectional control character, is in NFC, has a visible
// character, has no space or invisible character at its ends, and is a fixed point (checking it
// again changes nothing). Refusals are Invalid errors naming the field. SegmentName accepts a
// subset of what Name accepts, never "." or ".." or a separator.
func FuzzName(f *testing.F) {
	for _, s := range []string{
		"Ada", " 张伟 ", "Cafe\u0301", "\u200b", "\u200b\u200c\u200d\u2060\ufeff", "a\u202eb", "\u2066x\u2069",
		"x\x00", "\xff\xfe", "..", ".", "a/b", "a;b", "\u0301e", " \u0301", "\u3164", "👩\u200d💻", "\u05d0\u200f",
		"e\u0301\u0327", "\u1100\u1161\u11a8", "\ufffd", "\t", "A\u2028B", "ﬁ", "Å", "\u0958",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := text.Name("name", s)
		seg, segErr := text.SegmentName("name", s)
		if err != nil {
			if !errs.Is(err, errs.Invalid) || !strings.HasPrefix(errMessage(err), "name: ") {
				t.Fatalf("Name(%q): %v is not an Invalid error naming the field", s, err)
			}
			if segErr == nil {
				t.Fatalf("SegmentName(%q) accepted what Name refused", s)
			}
			return
		}
		if segErr != nil && !errs.Is(segErr, errs.Invalid) {
			t.Fatalf("SegmentName(%q): %v", s, segErr)
		}
		if segErr == nil && (seg != got || seg == "." || seg == ".." || strings.ContainsAny(seg, text.PathSeparators)) {
			t.Fatalf("SegmentName(%q) = %q (Name %q)", s, seg, got)
		}
		if got == "" {
			return // left empty: the caller's length rule reports it
		}
		if !utf8.ValidString(got) {
			t.Fatalf("Name(%q) = %q: invalid UTF-8", s, got)
		}
		for _, r := range got {
			if r < 0x20 || (r >= 0x7f && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x2028 || r == 0x2029 {
				t.Fatalf("Name(%q) = %q holds %U", s, got, r)
			}
		}
		if !norm.NFC.IsNormalString(got) {
			t.Fatalf("Name(%q) = %q is not NFC", s, got)
		}
		if again, err := text.Name("name", got); err != nil || again != got {
			t.Fatalf("Name(%q) = %q, but Name(%q) = %q, %v", s, got, got, again, err)
		}
		if strings.IndexFunc(got, func(r rune) bool { return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S) }) < 0 {
			t.Fatalf("Name(%q) = %q has no visible character", s, got)
		}
		if strings.TrimSpace(got) != got {
			t.Fatalf("Name(%q) = %q is not trimmed", s, got)
		}
	})
}
