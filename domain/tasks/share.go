package tasks

import (
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

// PrincipalType says who a share is with.
type PrincipalType string

// The kinds of principal. A department's share reaches the members of its whole subtree; a
// single task is shared only with people and groups.
const (
	PrincipalUser       PrincipalType = "user"
	PrincipalGroup      PrincipalType = "group"
	PrincipalDepartment PrincipalType = "department"
)

// Principal is a member, a group or a department something is shared with.
type Principal struct {
	Type PrincipalType
	ID   uuid.UUID
}

// ParsePrincipal checks a principal given by a caller; forTask allows only users and groups.
func ParsePrincipal(typ string, id uuid.UUID, forTask bool) (Principal, error) {
	switch t := PrincipalType(typ); {
	case t == PrincipalUser, t == PrincipalGroup, t == PrincipalDepartment && !forTask:
		if id == uuid.Nil {
			return Principal{}, errs.E(errs.Invalid, "missing_field", "principal_id: is required")
		}
		return Principal{Type: t, ID: id}, nil
	}
	if forTask {
		return Principal{}, errs.E(errs.Invalid, "invalid_principal", "principal_type: must be user or group")
	}
	return Principal{}, errs.E(errs.Invalid, "invalid_principal", "principal_type: must be user, group or department")
}

// Role is what a share allows: a viewer reads, an editor works on the tasks, a manager also
// manages the list (its sections, shares and deletion). A task is shared as viewer or editor.
type Role string

// The roles, the weaker first.
const (
	RoleViewer  Role = "viewer"
	RoleEditor  Role = "editor"
	RoleManager Role = "manager"
)

// ParseRole checks a role given by a caller; forTask allows only viewer and editor.
func ParseRole(s string, forTask bool) (Role, error) {
	switch r := Role(s); {
	case r == RoleViewer, r == RoleEditor, r == RoleManager && !forTask:
		return r, nil
	}
	if forTask {
		return "", errs.E(errs.Invalid, "invalid_role", "role: must be viewer or editor")
	}
	return "", errs.E(errs.Invalid, "invalid_role", "role: must be viewer, editor or manager")
}

// Share gives a principal a role on a list (TaskID uuid.Nil) or on a single task.
type Share struct {
	OrgID     uuid.UUID
	ListID    uuid.UUID // set for a list's share
	TaskID    uuid.UUID // set for a task's share
	Principal Principal
	Role      Role
	CreatedBy uuid.UUID
	CreatedAt time.Time
}
