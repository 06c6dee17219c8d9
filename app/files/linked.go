package files

import (
	"context"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/files"
)

// What other modules that link files (task attachments) need: the current name, size and type
// of files they point at, and the space of an owner to upload into. The link is theirs; the
// file, its access and its retention stay this module's.

// LinkedFiles returns the live files of the organisation among ids with their current version,
// in the order of ids; trashed and purged ones are left out. It checks no access: the caller
// shows what it linked, and reading the file goes through File and OpenContent.
func (s *Service) LinkedFiles(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]FileView, error) {
	vs, err := s.store.FileViews(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	out := vs[:0]
	for _, v := range vs {
		if !v.File.Trashed() && v.Current != nil {
			out = append(out, v)
		}
	}
	return out, nil
}

// OwnerSpace returns the id of the space of an owner (organisation, department, group or
// person), created on first use; a department that is the root of the organisation has the
// organisation's space. NotFound for a department that is not the organisation's.
func (s *Service) OwnerSpace(ctx context.Context, orgID uuid.UUID, kind files.SpaceKind, ownerID uuid.UUID) (uuid.UUID, error) {
	switch kind {
	case files.KindOrganisation:
		ownerID = orgID
	case files.KindDepartment:
		d, err := s.directory.Department(ctx, orgID, ownerID)
		if err != nil {
			return uuid.Nil, err
		}
		if len(folderPathIDs(d.Path)) <= 1 {
			kind, ownerID = files.KindOrganisation, orgID
		}
	case files.KindGroup, files.KindPersonal:
	default:
		return uuid.Nil, errs.Invalidf("kind: unknown space kind %q", kind)
	}
	sp, err := s.ensureSpace(ctx, orgID, kind, ownerID)
	if err != nil {
		return uuid.Nil, err
	}
	return sp.ID(), nil
}
