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

// LinkedContent opens the current version of a live file of the organisation for a module that
// links it and has decided by its own rules that the caller may read it (a message's
// attachment, for the members of its chat). It checks no access of this module's; a trashed or
// purged file is NotFound, as for OpenContent.
func (s *Service) LinkedContent(ctx context.Context, orgID, id uuid.UUID) (Content, error) {
	f, err := s.linkedFile(ctx, orgID, id)
	if err != nil {
		return Content{}, err
	}
	return s.openVersion(ctx, f, 0)
}

// LinkedThumbnail opens the thumbnail of a live linked file's current version, as
// LinkedContent opens its bytes; NotFound when it has none.
func (s *Service) LinkedThumbnail(ctx context.Context, orgID, id uuid.UUID) (Object, error) {
	f, err := s.linkedFile(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	key, err := s.store.Thumbnail(ctx, orgID, f.CurrentVersionID())
	if err != nil {
		return nil, err
	}
	if key == "" {
		return nil, errs.NotFoundf("thumbnail")
	}
	return s.objects.OpenSeeker(ctx, key, "")
}

func (s *Service) linkedFile(ctx context.Context, orgID, id uuid.UUID) (*files.File, error) {
	f, err := s.files.Get(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	if f.Trashed() {
		return nil, errs.NotFoundf("file")
	}
	return f, nil
}
