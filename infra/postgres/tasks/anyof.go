package tasks

import (
	"github.com/google/uuid"

	"canopy/infra/postgres"
)

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
	args[name] = postgres.UUIDArray(ids)
	return col + " = ANY(CAST(@" + name + " AS uuid[]))"
}
