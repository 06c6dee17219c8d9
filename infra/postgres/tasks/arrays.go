package tasks

import (
	"strings"

	"github.com/google/uuid"
)

// uuidArray writes ids as a PostgreSQL array literal, passed as one parameter and cast with
// ::uuid[] (gorm would spread a Go slice into a list of parameters).
func uuidArray(v []uuid.UUID) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, id := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(id.String())
	}
	b.WriteByte('}')
	return b.String()
}

// textArray writes strings as a PostgreSQL array literal, each quoted, for ::text[].
func textArray(v []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}
