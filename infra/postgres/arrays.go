package postgres

import (
	"strings"

	"github.com/google/uuid"
)

// UUIDArray writes ids as a PostgreSQL array literal, passed as one parameter and cast to
// uuid[] with CAST(? AS uuid[]). gorm would spread a Go slice into a list of parameters: one
// per id, and a prepared statement per length.
func UUIDArray(ids []uuid.UUID) string {
	var b strings.Builder
	b.Grow(2 + 37*len(ids))
	b.WriteByte('{')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(id.String())
	}
	b.WriteByte('}')
	return b.String()
}

var arrayQuote = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// TextArray writes strings as a PostgreSQL array literal, each quoted, for CAST(? AS text[]).
func TextArray(v []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(arrayQuote.Replace(s))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// ParseUUIDArray reads a uuid[] read as text ("{a,b}"), never nil.
func ParseUUIDArray(s string) []uuid.UUID {
	s = strings.Trim(s, "{}")
	out := []uuid.UUID{}
	if s == "" {
		return out
	}
	for _, p := range strings.Split(s, ",") {
		if id, err := uuid.Parse(strings.TrimSpace(p)); err == nil {
			out = append(out, id)
		}
	}
	return out
}
