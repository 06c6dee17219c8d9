package directory

import (
	"context"
	"strconv"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

// Assignment places a member in a department, possibly as its primary department and possibly as
// one of its leaders.
type Assignment struct {
	DepartmentID uuid.UUID
	Primary      bool
	Leader       bool
}

// NormalizeAssignments checks a member's departments: no department twice, at most max of them,
// and exactly one primary (the first, when none is marked).
func NormalizeAssignments(as []Assignment, max int) ([]Assignment, error) {
	if len(as) > max {
		return nil, errs.E(errs.Conflict, "too_many_departments", "a member may belong to at most "+strconv.Itoa(max)+" departments")
	}
	seen := make(map[uuid.UUID]bool, len(as))
	primaries := 0
	out := make([]Assignment, len(as))
	for i, a := range as {
		if seen[a.DepartmentID] {
			return nil, errs.E(errs.Invalid, "duplicate_department", "a department is listed twice")
		}
		seen[a.DepartmentID] = true
		if a.Primary {
			primaries++
		}
		out[i] = a
	}
	if primaries > 1 {
		return nil, errs.E(errs.Invalid, "several_primary_departments", "only one department can be primary")
	}
	if primaries == 0 && len(out) > 0 {
		out[0].Primary = true
	}
	return out, nil
}

// MoveAssignment moves a member from one department to another, as when a department is deleted.
// A member already in the target keeps that place, and becomes primary there if the moved
// department was primary. Leading a department does not carry over to another.
func MoveAssignment(as []Assignment, from, to uuid.UUID) []Assignment {
	var moved *Assignment
	out := make([]Assignment, 0, len(as))
	for _, x := range as {
		if x.DepartmentID == from {
			m := x
			moved = &m
			continue
		}
		out = append(out, x)
	}
	if moved == nil {
		return as
	}
	for i := range out {
		if out[i].DepartmentID == to {
			out[i].Primary = out[i].Primary || moved.Primary
			return out
		}
	}
	return append(out, Assignment{DepartmentID: to, Primary: moved.Primary})
}

// AssignmentRepository stores which departments members belong to.
type AssignmentRepository interface {
	// Assignments returns a member's departments, primary first.
	Assignments(ctx context.Context, orgID, userID uuid.UUID) ([]Assignment, error)
	// Replace sets a member's departments to exactly as; NotFound when the user is not a member
	// of the organisation or a department is not the organisation's.
	Replace(ctx context.Context, orgID, userID uuid.UUID, as []Assignment) error
}
