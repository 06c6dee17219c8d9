// Package importer holds the bulk import of users, departments and memberships: submitting a
// request as a background job, validating its rows, and applying the valid ones in chunks of
// set-based statements.
package importer

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/importer"
	"canopy/domain/org"
)

// Service holds the use cases of the import API.
type Service struct {
	tx    TxManager
	jobs  importer.Repository
	clock Clock
	authz authz.Authorizer
	audit authz.Auditor
	wake  func()
	// sheets reads and writes workbooks; export reads what the exports write.
	sheets Spreadsheets
	export ExportSource
}

// Deps are the adapters the service needs. Wake, when set, tells this replica's runner that a
// job is waiting, so it starts before its next poll.
type Deps struct {
	Tx         TxManager
	Jobs       importer.Repository
	Clock      Clock
	Authorizer authz.Authorizer
	Audit      authz.Auditor
	Wake       func()
	// Sheets, when set, lets imports, the template and exports be Excel workbooks.
	Sheets Spreadsheets
	// Export, when set, is what the people and department exports read.
	Export ExportSource
}

// NewService builds the service.
func NewService(d Deps) *Service {
	wake := d.Wake
	if wake == nil {
		wake = func() {}
	}
	return &Service{tx: d.Tx, jobs: d.Jobs, clock: d.Clock, authz: d.Authorizer, audit: d.Audit, wake: wake, sheets: d.Sheets, export: d.Export}
}

// requireManager allows whoever may manage both the members and the whole directory of the
// organisation: owners and admins, and custom roles with both permissions.
func requireManager(ctx context.Context, z authz.Authorizer, a authz.Actor) error {
	for _, p := range []access.Permission{access.MembersManage, access.DirectoryManage} {
		if err := authz.Require(ctx, z, a, p, ""); err != nil {
			return err
		}
	}
	return nil
}

// requireImporter allows a manager (requireManager) who could also grant the member role that
// imported people join with: nobody grants what they do not hold (authz.RequireGrantable).
func requireImporter(ctx context.Context, z authz.Authorizer, a authz.Actor) error {
	if err := requireManager(ctx, z, a); err != nil {
		return err
	}
	return authz.RequireRoleGrantable(ctx, z, a, org.RoleMember)
}

// Submit queues an import; its rows are checked and applied in the background.
func (s *Service) Submit(ctx context.Context, a authz.Actor, req Request) (*importer.Job, error) {
	if err := requireImporter(ctx, s.authz, a); err != nil {
		return nil, err
	}
	if req.Format == "" {
		req.Format = importer.FormatJSON
	}
	for i := range req.Departments {
		if req.Departments[i].Row == 0 {
			req.Departments[i].Row = i + 1
		}
	}
	for i := range req.Users {
		if req.Users[i].Row == 0 {
			req.Users[i].Row = i + 1
		}
	}
	j, err := importer.NewJob(a.OrgID, a.UserID, req.Format, req.Rows(), s.clock.Now())
	if err != nil {
		return nil, err
	}
	payload, err := json.Marshal(req)
	if err != nil {
		return nil, errs.Internalf("import: encode request: %w", err)
	}
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		if err := s.jobs.Create(ctx, j, payload); err != nil {
			return err
		}
		after := map[string]any{"format": j.Format(), "departments": len(req.Departments), "users": len(req.Users)}
		return s.audit.Append(ctx, a.Entry("import.create", "import", j.ID().String(), nil, after))
	})
	if err != nil {
		return nil, err
	}
	s.wake()
	return j, nil
}

// Jobs lists the organisation's imports, newest first.
func (s *Service) Jobs(ctx context.Context, a authz.Actor, limit, offset int) ([]*importer.Job, int, error) {
	if err := requireManager(ctx, s.authz, a); err != nil {
		return nil, 0, err
	}
	return s.jobs.List(ctx, a.OrgID, limit, offset)
}

// Job returns one import with a page of its report.
func (s *Service) Job(ctx context.Context, a authz.Actor, id uuid.UUID, limit, offset int) (*importer.Job, []importer.Issue, int, error) {
	if err := requireManager(ctx, s.authz, a); err != nil {
		return nil, nil, 0, err
	}
	j, err := s.jobs.Get(ctx, a.OrgID, id)
	if err != nil {
		return nil, nil, 0, err
	}
	issues, total, err := s.jobs.Issues(ctx, a.OrgID, id, limit, offset)
	return j, issues, total, err
}
