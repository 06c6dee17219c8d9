package tasks

import (
	"strings"

	"github.com/google/uuid"
)

// uuidArray writes ids as a PostgreSQL array literal, passed as one parameter and cast to
// uuid[] with CAST(? AS uuid[]) (gorm would spread a Go slice into a list of parameters: one
// per id, and a prepared statement per length).
func uuidArray(v []uuid.UUID) string {
	var b strings.Builder
	b.Grow(2 + 37*len(v))
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

// anyOf is the condition that col is one of ids, with its parameter put into args under name:
// "col = @name" for one id, "col = ANY(CAST(@name AS uuid[]))" for more. PostgreSQL keeps one
// (generic) plan for a prepared statement only while it costs about what the plans made for
// each call's values do, and it takes an array parameter to hold ten values: a statement
// mostly given one id would otherwise be planned again at every call, which for the larger
// reads here costs more than running them.
func anyOf(col, name string, ids []uuid.UUID, args map[string]any) string {
	if len(ids) == 1 {
		args[name] = ids[0]
		return col + " = @" + name
	}
	args[name] = uuidArray(ids)
	return col + " = ANY(CAST(@" + name + " AS uuid[]))"
}
