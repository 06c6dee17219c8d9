package access

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// AuditEntry records one change: who made it, with which credential and from where, what it
// changed (before and after), and when. Entries are only ever appended.
type AuditEntry struct {
	ID         int64
	OrgID      uuid.UUID
	At         time.Time
	ActorID    uuid.UUID
	ActorName  string
	TokenID    uuid.UUID
	IP         string
	Action     string
	TargetType string
	TargetID   string
	Before     any
	After      any
}

// OptionalID is an id for an audit entry's state: null rather than the zero uuid when there is
// none (an organisation-wide grant has no department).
func OptionalID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id
}

// AuditFilter narrows an audit listing.
type AuditFilter struct {
	ActorID    uuid.UUID
	Action     string // a prefix: "department." matches every department action
	TargetType string
	TargetID   string
	From, To   time.Time
	// BeforeID pages backwards: entries with smaller ids.
	BeforeID int64
	Limit    int
}

// AuditLog appends and reads audit entries.
type AuditLog interface {
	// Append records an entry in the transaction in ctx.
	Append(ctx context.Context, e AuditEntry) error
	// List returns entries newest first.
	List(ctx context.Context, orgID uuid.UUID, f AuditFilter) ([]AuditEntry, error)
}
