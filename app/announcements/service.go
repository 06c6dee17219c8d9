// Package announcements holds the use cases of announcements: admins publish to the
// organisation, a department subtree or a group (as far as their announcements.publish
// reaches), each recipient sees what is addressed to them and acknowledges it, and the
// publisher and the admins over its target follow who has and has not acknowledged, remind the
// latter, and export the list.
package announcements

import (
	"context"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	appevents "canopy/app/events"
	"canopy/domain/access"
	"canopy/domain/announcements"
)

// TxManager runs fn in one database transaction carried by the context it is given.
type TxManager interface {
	Within(ctx context.Context, fn func(ctx context.Context) error) error
}

// Clock tells the time; tests give a fixed one.
type Clock interface {
	Now() time.Time
}

// Markdown renders a body for display: GitHub-flavoured Markdown, sanitised (infra/markdown).
type Markdown interface {
	HTML(src string) string
}

// Target is a department or a group as an announcement's scope needs it: its name, and the
// department path its publisher's permission is checked at ("" for the organisation, and for a
// group attached to no department, which only organisation-wide publishers reach).
type Target struct {
	Name string
	Path string
}

// Directory answers what the module asks of the organisation's structure.
type Directory interface {
	// Department returns a department's name and path; NotFound when the organisation has none
	// with that id.
	Department(ctx context.Context, orgID, id uuid.UUID) (Target, error)
	// Group returns a group's name and the path of the department it is attached to;
	// NotFound when the organisation has none with that id.
	Group(ctx context.Context, orgID, id uuid.UUID) (Target, error)
	// DepartmentPaths returns the paths of departments of the organisation, by id.
	DepartmentPaths(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]string, error)
	// Names returns the display names of members (active or not) by id; others are left out.
	Names(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]string, error)
	// TargetNames returns the names of departments and groups of the organisation by id.
	TargetNames(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]string, error)
	// OrgName returns the organisation's name.
	OrgName(ctx context.Context, orgID uuid.UUID) (string, error)
}

// Deps are the adapters the service needs.
type Deps struct {
	Tx            TxManager
	Clock         Clock
	Announcements announcements.Repository
	Directory     Directory
	Markdown      Markdown
	Events        appevents.Publisher // nil: nothing is published
	Authorizer    authz.Authorizer
	Audit         authz.Auditor
}

// Service holds the announcements use cases.
type Service struct{ d Deps }

// NewService builds the service.
func NewService(d Deps) *Service { return &Service{d: d} }

func (s *Service) now() time.Time { return s.d.Clock.Now().UTC() }

// recorded runs fn in a transaction and appends the audit entry it returns in the same one.
func (s *Service) recorded(ctx context.Context, fn func(ctx context.Context) (access.AuditEntry, error)) error {
	return s.d.Tx.Within(ctx, func(ctx context.Context) error {
		e, err := fn(ctx)
		if err != nil || e.Action == "" {
			return err
		}
		return s.d.Audit.Append(ctx, e)
	})
}
