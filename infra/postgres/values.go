package postgres

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// SearchKeys returns the search keys of a name: its full pinyin and its initials. The
// repositories that store names (users, departments, groups, the bulk import) keep both.
type SearchKeys func(name string) (full, initials string)

// Nullable stores an empty string as NULL, so that optional unique columns (external ids) allow
// any number of rows without one.
func Nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// NullableID stores the nil UUID as NULL, for optional references.
func NullableID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// EscapeLike escapes the LIKE wildcards in s, and the backslash that escapes them, so that user
// input ("%", "_") is matched literally. Every pattern made with it is used as
// `LIKE ? ESCAPE '\'`, which names the escape character rather than relying on the default.
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// TimeOrZero returns the UTC time a nullable column holds, or the zero time for NULL.
func TimeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// NullableTime returns nil for the zero time, so that it is stored as NULL.
func NullableTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
