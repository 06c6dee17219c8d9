package identity

import (
	"strings"
	"unicode/utf8"

	"canopy/domain/errs"
)

// Password policy per OWASP ASVS 5 (V6.2): a minimum length, a generous maximum, no composition
// rules, and a check against a list of common passwords.
const (
	MinPasswordLength = 8
	MaxPasswordLength = 128
)

// CommonPasswords tells whether a password is on a list of commonly used ones.
type CommonPasswords interface {
	Contains(password string) bool
}

// CheckPassword applies the password policy to a new password. The message never echoes the
// password.
func CheckPassword(password string, common CommonPasswords) error {
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLength {
		return errs.E(errs.Invalid, "password_too_short", "password must be at least 8 characters")
	}
	if n > MaxPasswordLength {
		return errs.E(errs.Invalid, "password_too_long", "password must be at most 128 characters")
	}
	if common != nil && common.Contains(strings.ToLower(password)) {
		return errs.E(errs.Invalid, "password_too_common", "this password is too common; choose another")
	}
	return nil
}
