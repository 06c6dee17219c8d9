// Package text is Canopy's one rule for the text people type: which characters a field may hold,
// how a name is normalised, and how an uploaded file's encoding is recognised. Every entity
// applies it in its constructors and setters, and the web layer applies it where requests are
// decoded, so bad text is refused with a 400 naming the field whichever door it comes through
// (console, admin API, SCIM, bulk import, CLI), and never reaches PostgreSQL, which refuses a NUL
// with an error that would otherwise surface as a 500.
//
// It is a leaf: it imports only domain/errs and golang.org/x/text.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"canopy/domain/errs"
)

// The codes of the errors this package returns. Each error's message starts with the field's
// name: "display_name: contains a control character".
const (
	// CodeInvalidUTF8 is text that is not valid UTF-8, or a name holding U+FFFD, the mark of
	// text that was decoded in the wrong encoding somewhere on its way in.
	CodeInvalidUTF8 = "invalid_utf8"
	// CodeControlCharacter is a NUL or another C0 or C1 control character (in single-line text,
	// also a tab, a line break, U+2028 or U+2029).
	CodeControlCharacter = "control_character"
	// CodeBidiControl is a bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069),
	// which lets a name display as something other than what it is.
	CodeBidiControl = "bidi_control"
	// CodeNoVisibleCharacter is a name made only of spaces, zero-width or other invisible
	// characters.
	CodeNoVisibleCharacter = "no_visible_character"
	// CodeReservedName is a department or group name of "." or "..".
	CodeReservedName = "reserved_name"
	// CodePathSeparator is a department or group name holding a separator of import paths.
	CodePathSeparator = "path_separator"
)

// PathSeparators are the characters bulk imports and SCIM write department paths with: "/"
// between the names along a path, ";" between several paths in one CSV cell. A name holding one
// could not be written in a path.
const PathSeparators = "/;"

func invalid(code, field, problem string) *errs.Error {
	return errs.E(errs.Invalid, code, field+": "+problem)
}

// check refuses invalid UTF-8 and control characters; multiLine allows tab, LF and CR.
func check(field, s string, multiLine bool) error {
	if !utf8.ValidString(s) {
		return invalid(CodeInvalidUTF8, field, "is not valid UTF-8 text")
	}
	for _, r := range s {
		if multiLine && (r == '\t' || r == '\n' || r == '\r') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return invalid(CodeControlCharacter, field, "contains a control character")
		}
	}
	return nil
}

// Line checks single-line text that is kept as it is written (an email before it is parsed, an
// external id, a time zone): valid UTF-8 without control characters or line breaks.
func Line(field, s string) error { return check(field, s, false) }

// MultiLine checks text that may run over several lines (a description): valid UTF-8 without
// control characters other than tab, LF and CR.
func MultiLine(field, s string) error { return check(field, s, true) }

// isBidiControl reports the explicit embeddings, overrides and isolates. The implicit marks
// (U+200E, U+200F, U+061C) stay allowed: right-to-left writers need them, and they cannot
// reorder the text around them.
func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

// isVisible reports whether r draws something: a letter, digit, punctuation mark or symbol.
// Spaces, marks on their own, format characters (U+200B, U+200D, U+2060, U+FEFF …) and the
// letters that are blank by design (the Hangul fillers, the empty Braille pattern) do not.
func isVisible(r rune) bool {
	switch r {
	case '\u115F', '\u1160', '\u3164', '\uFFA0', '\u2800':
		return false
	}
	return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S)
}

// isEdge reports what is trimmed from the ends of a name: spaces and invisible format characters,
// so that "\u200bAda" cannot pass for another "Ada".
func isEdge(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
}

// Name checks and normalises a display name (of a person, an organisation, a department, a
// group, a role, a token): single-line text (see Line) without bidirectional overrides or
// isolates and without U+FFFD, returned in Unicode NFC with spaces and invisible characters
// trimmed from its ends. A name of spaces only is returned as "" without an error, for the caller
// to report in its own words (with its length rule); one of other invisible characters, or
// without a visible character, is refused.
func Name(field, s string) (string, error) {
	if err := Line(field, s); err != nil {
		return "", err
	}
	for _, r := range s {
		switch {
		case isBidiControl(r):
			return "", invalid(CodeBidiControl, field, "contains a bidirectional override or isolate character")
		case r == utf8.RuneError:
			return "", invalid(CodeInvalidUTF8, field, "contains U+FFFD, the mark of text read in the wrong encoding")
		}
	}
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	s = strings.TrimFunc(norm.NFC.String(s), isEdge)
	// Trimming can leave a combining mark at the start, which NFC orders differently.
	s = norm.NFC.String(s)
	if strings.IndexFunc(s, isVisible) < 0 {
		return "", invalid(CodeNoVisibleCharacter, field, "must contain at least one visible character")
	}
	return s, nil
}

// SegmentName checks and normalises the name of a department or a group, which bulk imports
// and SCIM write as one segment of a path: a Name that is not "." or ".." and holds none of
// PathSeparators.
func SegmentName(field, s string) (string, error) {
	s, err := Name(field, s)
	if err != nil {
		return "", err
	}
	if s == "." || s == ".." {
		return "", invalid(CodeReservedName, field, `"." and ".." cannot be names`)
	}
	if strings.ContainsAny(s, PathSeparators) {
		return "", invalid(CodePathSeparator, field, `cannot contain "/" or ";"`)
	}
	return s, nil
}

// Printable returns s with what cannot be stored or shown as text written out as Go escapes:
// invalid bytes and control characters as \xff, \x00 or \x85. Reports and logs that repeat
// what someone sent use it, so that a refused value can be shown and stored.
func Printable(s string) string {
	ok := utf8.ValidString(s)
	if ok {
		ok = strings.IndexFunc(s, unicode.IsControl) < 0
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteByte(hex[s[i]>>4])
			b.WriteByte(hex[s[i]&0xF])
		case unicode.IsControl(r) && r < 0x100:
			b.WriteString(`\x`)
			b.WriteByte(hex[r>>4])
			b.WriteByte(hex[r&0xF])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

const hex = "0123456789abcdef"
