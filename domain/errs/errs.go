// Package errs is Canopy's one error model. Every layer wraps failures in an *Error that carries a
// Kind, a stable machine code and a message that is safe to show to the caller; the web layer maps
// the Kind to an HTTP status in one place.
package errs

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error by what the caller can do about it.
type Kind uint8

// The kinds of error. The zero value is Internal so that an unclassified error is never shown.
const (
	Internal Kind = iota
	Invalid
	Unauthenticated
	Forbidden
	NotFound
	Conflict
	TooManyRequests
	Unavailable
	// TooLarge is a request or upload larger than a limit allows.
	TooLarge
	// Unprocessable is a well-formed request that cannot be carried out as sent, such as an
	// idempotency key reused with a different body.
	Unprocessable
)

var kindNames = [...]string{
	Internal:        "internal",
	Invalid:         "invalid",
	Unauthenticated: "unauthenticated",
	Forbidden:       "forbidden",
	NotFound:        "not_found",
	Conflict:        "conflict",
	TooManyRequests: "too_many_requests",
	Unavailable:     "unavailable",
	TooLarge:        "too_large",
	Unprocessable:   "unprocessable",
}

// String returns the kind's stable name, which is also its default error code.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "internal"
}

// Error is a classified error. Code and Message are shown to the caller; Err, the cause, is only
// logged.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	// RetryAfter tells a rate-limited caller how long to wait; only TooManyRequests sets it.
	RetryAfter time.Duration
	Err        error
}

// Error returns the message and, for logs, the cause.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// E builds a classified error with a machine code and a message safe to show.
func E(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// Wrap classifies a cause. The cause is kept for logs and never shown.
func Wrap(kind Kind, code, message string, cause error) *Error {
	return &Error{Kind: kind, Code: code, Message: message, Err: cause}
}

// Internalf wraps an unexpected failure; the caller will only ever see "internal error".
func Internalf(format string, args ...any) error {
	return &Error{Kind: Internal, Code: "internal", Message: "internal error", Err: fmt.Errorf(format, args...)}
}

// KindOf returns the Kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err's chain holds an *Error of the given kind.
func Is(err error, kind Kind) bool {
	return err != nil && KindOf(err) == kind
}

// CodeOf returns the machine code of the first *Error in err's chain, or "internal".
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		return e.Code
	}
	return "internal"
}

// NotFoundf is the error for a missing resource. It is also what a caller gets for another
// organisation's resource, so its message never says which.
func NotFoundf(what string) *Error {
	return E(NotFound, "not_found", what+" not found")
}

// Invalidf is the error for a bad field or request.
func Invalidf(format string, args ...any) *Error {
	return E(Invalid, "invalid_request", fmt.Sprintf(format, args...))
}
