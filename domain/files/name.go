// Package files holds the files module's rules: spaces that belong to an organisation, a
// department, a sub-group or one person; folders nested in them; files with immutable versions,
// each one object in the object store; the retention floor that keeps every version available
// for at least the organisation's minimum; and sharing policies and link terms.
package files

import (
	"strings"

	"canopy/domain/errs"
	"canopy/domain/text"
)

// MaxNameBytes is the longest name of a file or folder, in bytes of UTF-8 after NFC: the limit
// of most file systems and of archive formats, so a download or an export can keep every name.
const MaxNameBytes = 255

// CodeInvalidName is the code of a name that is empty or longer than MaxNameBytes; the other
// refusals carry the text rule's codes (text.CodeControlCharacter, text.CodeReservedName,
// text.CodePathSeparator, ...).
const CodeInvalidName = "invalid_name"

// ParseName normalises the name of a file or a folder by the text rule for names (text.Name:
// NFC, trimmed, no control or bidirectional override characters, at least one visible
// character) and refuses "." and "..", "/" and names longer than MaxNameBytes. Unlike a
// department name, ";" is allowed: files are never written in import paths, and people name
// files with it.
func ParseName(s string) (string, error) {
	return parseName("name", s)
}

func parseName(field, s string) (string, error) {
	s, err := text.Name(field, s)
	if err != nil {
		return "", err
	}
	switch {
	case s == "":
		return "", errs.E(errs.Invalid, CodeInvalidName, field+": must not be empty")
	case len(s) > MaxNameBytes:
		return "", errs.E(errs.Invalid, CodeInvalidName, field+": must be at most 255 bytes of UTF-8")
	case s == "." || s == "..":
		return "", errs.E(errs.Invalid, text.CodeReservedName, field+`: "." and ".." cannot be names`)
	case strings.ContainsRune(s, '/'):
		return "", errs.E(errs.Invalid, text.CodePathSeparator, field+`: cannot contain "/"`)
	}
	return s, nil
}

// NameKey returns the key that makes names unique per folder without regard to case: the
// repositories index it, so "Report.PDF" and "report.pdf" (or "Straße" and "STRASSE") cannot
// stand side by side. It is never shown.
func NameKey(name string) string { return text.FoldKey(name) }
