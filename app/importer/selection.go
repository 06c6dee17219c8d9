package importer

import (
	"context"

	"github.com/google/uuid"

	"canopy/app/authz"
	apporg "canopy/app/org"
)

// The people export of a selection: of the people table's filter result or of ids chosen in it,
// the same file as ExportPeople, and every people export recorded in the audit log.

// PeopleSelector resolves which members a people export writes (app/org's PeopleToExport):
// only nil is everyone.
type PeopleSelector interface {
	PeopleToExport(ctx context.Context, a authz.Actor, ids []uuid.UUID, filter *apporg.PeopleQuery) (only []uuid.UUID, count int, err error)
}

// PeopleExport exports people, everyone or a selection, and records each export.
type PeopleExport struct {
	svc *Service
	sel PeopleSelector
}

// NewPeopleExport returns the people export of svc over the selections sel resolves.
func NewPeopleExport(svc *Service, sel PeopleSelector) *PeopleExport {
	return &PeopleExport{svc: svc, sel: sel}
}

// Export returns the people selected (ids, a filter's result, or everyone when both are nil)
// as ExportPeople writes them, and appends an audit entry member.export with their count and
// the selection. It needs what ExportPeople needs; NotFound for an id that is not a member, or
// a filter's department or manager of another organisation; Unprocessable for more than
// apporg.MaxBulkIDs ids; Invalid for another format.
func (x *PeopleExport) Export(ctx context.Context, a authz.Actor, format string, ids []uuid.UUID, filter *apporg.PeopleQuery) (Download, error) {
	s := x.svc
	if err := requireManager(ctx, s.authz, a); err != nil {
		return Download{}, err
	}
	only, count, err := x.sel.PeopleToExport(ctx, a, ids, filter)
	if err != nil {
		return Download{}, err
	}
	var keep func(uuid.UUID) bool
	if only != nil {
		set := make(map[uuid.UUID]bool, len(only))
		for _, id := range only {
			set[id] = true
		}
		keep = func(id uuid.UUID) bool { return set[id] }
	}
	d, err := s.download("people", "People", format, s.peopleRows(ctx, a.OrgID, keep))
	if err != nil {
		return Download{}, err
	}
	details := apporg.ExportDetails(ids, filter)
	details["format"], details["count"] = format, count
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		return s.audit.Append(ctx, a.Entry("member.export", "member", "", nil, details))
	})
	return d, err
}
