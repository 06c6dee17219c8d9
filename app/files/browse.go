package files

import (
	"context"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/files"
)

// Crumb is one step of a breadcrumb: the space, then each folder down to the one shown.
type Crumb struct {
	ID   uuid.UUID
	Name string
}

// Listing is a page of a space's entries with the breadcrumb of the folder listed.
type Listing struct {
	Entries    []Entry
	Total      int
	Breadcrumb []Crumb
	Level      Level
}

// Entries lists a folder of a space (or the root), or searches the whole space by name when
// q.Query is set. Sort is name, updated_at or size.
func (s *Service) Entries(ctx context.Context, a authz.Actor, q EntryQuery) (Listing, error) {
	sp, err := s.space(ctx, a, q.SpaceID)
	if err != nil {
		return Listing{}, err
	}
	var folder *files.Folder
	if q.FolderID != uuid.Nil {
		if folder, err = s.folders.Get(ctx, a.OrgID, q.FolderID); err != nil {
			return Listing{}, err
		}
		if folder.SpaceID() != sp.ID() {
			return Listing{}, errs.NotFoundf("folder")
		}
	}
	pl, err := s.where(ctx, a, sp, folder, uuid.Nil)
	if err != nil {
		return Listing{}, err
	}
	if q.Query != "" && pl.level < LevelRead {
		return Listing{}, errs.NotFoundf("space")
	}
	switch q.Sort {
	case "", "name", "updated_at", "size":
	default:
		return Listing{}, errs.E(errs.Invalid, "invalid_sort", "sort: must be name, updated_at or size")
	}
	// Someone who sees only a shared folder of the space searches within nothing else: a
	// search of the whole space needs the space itself.
	if q.Query != "" {
		spaceLevel, err := s.spaceLevel(ctx, a, pl.p, sp)
		if err != nil {
			return Listing{}, err
		}
		if spaceLevel == LevelNone {
			return Listing{}, errs.E(errs.Forbidden, "forbidden", "you may search only spaces you are a member of")
		}
	}
	q.OrgID = a.OrgID
	entries, total, err := s.store.Entries(ctx, q)
	if err != nil {
		return Listing{}, err
	}
	crumbs, err := s.breadcrumb(ctx, a, sp, folder)
	if err != nil {
		return Listing{}, err
	}
	return Listing{Entries: entries, Total: total, Breadcrumb: crumbs, Level: pl.level}, nil
}

// breadcrumb names the space and the folders from its top down to folder.
func (s *Service) breadcrumb(ctx context.Context, a authz.Actor, sp *files.Space, folder *files.Folder) ([]Crumb, error) {
	name, err := s.spaceName(ctx, a, sp)
	if err != nil {
		return nil, err
	}
	out := []Crumb{{ID: sp.ID(), Name: name}}
	for _, id := range folderIDs(folder) {
		f := folder
		if id != folder.ID() {
			if f, err = s.folders.Get(ctx, a.OrgID, id); err != nil {
				return nil, err
			}
		}
		out = append(out, Crumb{ID: f.ID(), Name: f.Name()})
	}
	return out, nil
}

// CreateFolder makes a folder in a space, at its root or in parentID.
func (s *Service) CreateFolder(ctx context.Context, a authz.Actor, spaceID, parentID uuid.UUID, name string) (*files.Folder, error) {
	t, err := s.TargetIn(ctx, a, spaceID, parentID)
	if err != nil {
		return nil, err
	}
	f, err := files.NewFolder(t.Space, t.Folder, name, a.UserID, s.now())
	if err != nil {
		return nil, err
	}
	err = s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.folders.Create(ctx, f); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("files.folder_create", "folder", f.ID().String(), nil, map[string]any{"name": f.Name(), "space_id": f.SpaceID()}), nil
	})
	return f, err
}

// Folder returns a folder the actor may see.
func (s *Service) Folder(ctx context.Context, a authz.Actor, id uuid.UUID) (*files.Folder, error) {
	f, _, err := s.folderPlace(ctx, a, id)
	return f, err
}

// FolderChange renames and/or moves a folder. ParentID uuid.Nil with Move set is the root of
// the space.
type FolderChange struct {
	Name     *string
	Move     bool
	ParentID uuid.UUID
}

// UpdateFolder renames or moves a folder within its space; a move into its own subtree is
// Conflict cycle. The actor needs write access at the folder and at the destination.
func (s *Service) UpdateFolder(ctx context.Context, a authz.Actor, id uuid.UUID, c FolderChange) (*files.Folder, error) {
	f, pl, err := s.folderPlace(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if err := pl.need(LevelWrite); err != nil {
		return nil, err
	}
	before := map[string]any{"name": f.Name(), "parent_id": f.ParentID()}
	oldPath := f.Path()
	if c.Name != nil {
		if err := f.Rename(*c.Name, s.now()); err != nil {
			return nil, err
		}
	}
	var parent *files.Folder
	if c.Move {
		t, err := s.moveTarget(ctx, a, pl.space, c.ParentID)
		if err != nil {
			return nil, err
		}
		parent = t.Folder
		var from *files.Folder
		if f.ParentID() != uuid.Nil {
			if from, err = s.folders.Get(ctx, a.OrgID, f.ParentID()); err != nil {
				return nil, err
			}
		}
		if err := s.checkHoldMove(ctx, a, from, parent); err != nil {
			return nil, err
		}
	}
	err = s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if c.Move {
			height, err := s.folders.Height(ctx, f)
			if err != nil {
				return access.AuditEntry{}, err
			}
			if err := f.Move(parent, height, s.now()); err != nil {
				return access.AuditEntry{}, err
			}
			if err := s.folders.Move(ctx, f, oldPath); err != nil {
				return access.AuditEntry{}, err
			}
			// Moving into or out of a held folder holds or releases what it carries.
			if err := s.RefreshHolds(ctx, a.OrgID); err != nil {
				return access.AuditEntry{}, err
			}
		}
		if c.Name != nil {
			if err := s.folders.Update(ctx, f); err != nil {
				return access.AuditEntry{}, err
			}
		}
		return a.Entry("files.folder_update", "folder", f.ID().String(), before, map[string]any{"name": f.Name(), "parent_id": f.ParentID()}), nil
	})
	if err != nil {
		return nil, err
	}
	if c.Move {
		s.applyHolds(ctx, a.OrgID)
	}
	return f, nil
}

// moveTarget resolves where a move within a space goes: a folder of it, or its root (uuid.Nil);
// the actor must be able to write there, the root included.
func (s *Service) moveTarget(ctx context.Context, a authz.Actor, sp *files.Space, folderID uuid.UUID) (Target, error) {
	if folderID == uuid.Nil {
		return s.targetIn(ctx, a, sp, nil)
	}
	return s.TargetIn(ctx, a, sp.ID(), folderID)
}

// checkHoldMove refuses to take something out of a folder under a legal hold (from, or one above
// it) to a place no hold covers, unless the actor holds files.legal_hold: a move would otherwise
// release what the hold keeps, and let anyone who may write delete it.
func (s *Service) checkHoldMove(ctx context.Context, a authz.Actor, from, to *files.Folder) error {
	if from == nil {
		return nil
	}
	held, err := s.store.FolderHeld(ctx, a.OrgID, from.Path())
	if err != nil || !held {
		return err
	}
	if to != nil {
		if held, err := s.store.FolderHeld(ctx, a.OrgID, to.Path()); err != nil || held {
			return err
		}
	}
	if ok, err := s.can(ctx, a, access.FilesLegalHold, ""); err != nil || ok {
		return err
	}
	return errs.E(errs.Conflict, "legal_hold", "it lies in a folder under a legal hold; only someone who may place holds can move it out")
}

// FileDetail is a file with all its versions and where it sits.
type FileDetail struct {
	FileView
	Versions   []*files.Version
	Breadcrumb []Crumb
	Level      Level
}

// File returns a file the actor may see, with its versions.
func (s *Service) File(ctx context.Context, a authz.Actor, id uuid.UUID) (FileDetail, error) {
	f, pl, err := s.filePlace(ctx, a, id)
	if err != nil {
		return FileDetail{}, err
	}
	return s.detail(ctx, a, f, pl)
}

func (s *Service) detail(ctx context.Context, a authz.Actor, f *files.File, pl place) (FileDetail, error) {
	v, err := s.fileView(ctx, a.OrgID, f.ID())
	if err != nil {
		return FileDetail{}, err
	}
	vs, err := s.files.Versions(ctx, a.OrgID, f.ID())
	if err != nil {
		return FileDetail{}, err
	}
	crumbs, err := s.breadcrumb(ctx, a, pl.space, pl.folder)
	if err != nil {
		return FileDetail{}, err
	}
	return FileDetail{FileView: v, Versions: vs, Breadcrumb: crumbs, Level: pl.level}, nil
}

// FileChange renames and/or moves a file. FolderID uuid.Nil with Move set is the root.
type FileChange struct {
	Name     *string
	Move     bool
	FolderID uuid.UUID
}

// UpdateFile renames or moves a file within its space.
func (s *Service) UpdateFile(ctx context.Context, a authz.Actor, id uuid.UUID, c FileChange) (FileDetail, error) {
	f, pl, err := s.filePlace(ctx, a, id)
	if err != nil {
		return FileDetail{}, err
	}
	if err := pl.need(LevelWrite); err != nil {
		return FileDetail{}, err
	}
	before := map[string]any{"name": f.Name(), "folder_id": f.FolderID()}
	if c.Name != nil {
		if err := f.Rename(*c.Name, s.now()); err != nil {
			return FileDetail{}, err
		}
	}
	if c.Move {
		t, err := s.moveTarget(ctx, a, pl.space, c.FolderID)
		if err != nil {
			return FileDetail{}, err
		}
		folder := t.Folder
		if err := s.checkHoldMove(ctx, a, pl.folder, folder); err != nil {
			return FileDetail{}, err
		}
		if err := f.Move(folder, s.now()); err != nil {
			return FileDetail{}, err
		}
		pl.folder = folder
	}
	err = s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.files.Update(ctx, f); err != nil {
			return access.AuditEntry{}, err
		}
		if c.Move {
			if err := s.RefreshHolds(ctx, a.OrgID); err != nil {
				return access.AuditEntry{}, err
			}
		}
		return a.Entry("files.file_update", "file", f.ID().String(), before, map[string]any{"name": f.Name(), "folder_id": f.FolderID()}), nil
	})
	if err != nil {
		return FileDetail{}, err
	}
	if c.Move {
		s.applyHolds(ctx, a.OrgID)
	}
	return s.detail(ctx, a, f, pl)
}

// Content is an opened version of a file, for download.
type Content struct {
	File    *files.File
	Version *files.Version
	Object  Object
}

// OpenContent opens a version of a file the actor may read: the current one when number is 0.
func (s *Service) OpenContent(ctx context.Context, a authz.Actor, id uuid.UUID, number int) (Content, error) {
	f, _, err := s.filePlace(ctx, a, id)
	if err != nil {
		return Content{}, err
	}
	return s.openVersion(ctx, f, number)
}

// openVersion opens a version of a file by number (0: the current one).
func (s *Service) openVersion(ctx context.Context, f *files.File, number int) (Content, error) {
	vs, err := s.files.Versions(ctx, f.OrgID(), f.ID())
	if err != nil {
		return Content{}, err
	}
	for _, v := range vs {
		if (number == 0 && v.ID() == f.CurrentVersionID()) || v.Number() == number {
			obj, err := s.objects.OpenSeeker(ctx, v.ObjectKey().String(), v.ObjectVersion())
			if err != nil {
				return Content{}, err
			}
			return Content{File: f, Version: v, Object: obj}, nil
		}
	}
	return Content{}, errs.NotFoundf("version")
}

// OpenThumbnail opens the thumbnail of a file's current version; NotFound when it has none.
func (s *Service) OpenThumbnail(ctx context.Context, a authz.Actor, id uuid.UUID) (Object, error) {
	f, _, err := s.filePlace(ctx, a, id)
	if err != nil {
		return nil, err
	}
	key, err := s.store.Thumbnail(ctx, a.OrgID, f.CurrentVersionID())
	if err != nil {
		return nil, err
	}
	if key == "" {
		return nil, errs.NotFoundf("thumbnail")
	}
	return s.objects.OpenSeeker(ctx, key, "")
}
