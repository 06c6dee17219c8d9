package files

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/files"
)

// RetentionStore is what the trash, the legal holds and the retention policies read and write
// in PostgreSQL beside the domain repositories.
type RetentionStore interface {
	// Trash returns a page of the files in the trash of the given spaces (all of the
	// organisation's when spaceIDs is nil), most recently deleted first.
	Trash(ctx context.Context, orgID uuid.UUID, spaceIDs []uuid.UUID, limit, offset int) ([]FileView, int, error)
	// FilesUnder returns the live files of a folder's subtree with all their versions, ordered
	// by folder path then name, and locks the subtree's folders until the transaction ends, so
	// that no file lands in them meanwhile.
	FilesUnder(ctx context.Context, orgID, spaceID uuid.UUID, folder *files.Folder) ([]FileWithVersions, error)
	// HeldBelow reports whether a folder of the subtree at folderPath (itself included) is under
	// a legal hold.
	HeldBelow(ctx context.Context, orgID uuid.UUID, folderPath string) (bool, error)
	// RemoveFolders deletes a folder and every folder below it. The files that still name one
	// of them, all in the trash by then, keep their space and lose their folder (the root).
	RemoveFolders(ctx context.Context, f *files.Folder) error
	// FreeName records that a file is in the trash (its deleted_at and deleted_by) and frees
	// its name in its folder; NotFound when it is gone or already in the trash.
	FreeName(ctx context.Context, f *files.File) error
	// TakeName writes a restored file's folder and name, clears its deleted_at and takes the
	// name back in the folder; Conflict name_taken when another entry has it (and nothing is
	// written), NotFound when the file is gone or no longer in the trash.
	TakeName(ctx context.Context, f *files.File) error

	// SpacesUnder returns the ids of the spaces of the departments in the subtrees of the given
	// departments.
	SpacesUnder(ctx context.Context, orgID uuid.UUID, departmentIDs []uuid.UUID) ([]uuid.UUID, error)
	// ListSpaces returns a page of the organisation's spaces, by kind then creation.
	ListSpaces(ctx context.Context, q SpaceQuery) ([]*files.Space, int, error)
	// LockSpace locks a space's row until the transaction ends, so that its settings are
	// changed by one caller at a time; NotFound when it is missing.
	LockSpace(ctx context.Context, orgID, spaceID uuid.UUID) error
	// ExtendRetention moves the available_until of the versions in a space (every space of the
	// organisation when spaceID is uuid.Nil; for a department's space, also those of the
	// departments below it) to their upload time plus days where that is later, in one
	// statement, and returns how many moved. Their object locks then lag behind, which the
	// sweeper mends.
	ExtendRetention(ctx context.Context, orgID, spaceID uuid.UUID, days int) (int64, error)

	// PutHold records a legal hold (and the folder's or space's flag); false when it was
	// already in place, and then nothing changes.
	PutHold(ctx context.Context, h Hold) (bool, error)
	// DropHold removes a legal hold (and the folder's or space's flag); NotFound when there is
	// none.
	DropHold(ctx context.Context, orgID uuid.UUID, targetType string, targetID uuid.UUID) error
	// FileHeld reports whether a legal hold is placed on the file itself.
	FileHeld(ctx context.Context, orgID, fileID uuid.UUID) (bool, error)
	// RecomputeHolds sets the legal_hold flag of every version of the organisation from the
	// holds in place (its file's, a folder's above it, its space's) and returns how many
	// changed.
	RecomputeHolds(ctx context.Context, orgID uuid.UUID) (int64, error)
	// Holds lists the holds of an organisation, newest first, with the names of the held
	// files and folders.
	Holds(ctx context.Context, orgID uuid.UUID) ([]Hold, error)
}

// SpaceQuery asks for a page of an organisation's spaces.
type SpaceQuery struct {
	OrgID uuid.UUID
	// All lists every space; otherwise only those of the departments in the subtrees of
	// Departments.
	All         bool
	Departments []uuid.UUID
	Kind        files.SpaceKind // "": every kind
	Limit       int
	Offset      int
}

// DeleteFile moves a file to the trash. Nobody can do it while any of its versions is within
// its retention window (Conflict retention_active, naming the date) or under a legal hold
// (Conflict legal_hold): not its uploader, an admin, the owner, an API token or SCIM, for there
// is no other way in. It needs write access at the file.
func (s *Service) DeleteFile(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	f, pl, err := s.filePlace(ctx, a, id)
	if err != nil {
		return err
	}
	if err := pl.need(LevelWrite); err != nil {
		return err
	}
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.trash(ctx, a, f); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("files.delete", "file", f.ID().String(), nil, map[string]any{"name": f.Name(), "space_id": f.SpaceID()}), nil
	})
}

// trash moves one file to the trash in the caller's transaction. The retention rule is checked
// again once the file's row is locked by FreeName, so that a version committed meanwhile by a
// concurrent upload is seen.
func (s *Service) trash(ctx context.Context, a authz.Actor, f *files.File) error {
	versions, err := s.files.Versions(ctx, a.OrgID, f.ID())
	if err != nil {
		return err
	}
	now := s.now()
	if err := f.Trash(a.UserID, now, versions); err != nil {
		return err
	}
	if err := s.store.FreeName(ctx, f); err != nil {
		return err
	}
	if versions, err = s.files.Versions(ctx, a.OrgID, f.ID()); err != nil {
		return err
	}
	return f.CheckDeletable(now, versions)
}

// DeleteFolder deletes a folder and everything below it: every file in the subtree goes to the
// trash, then the folders are removed. It is all or nothing: when any file may not be deleted
// yet (its retention window, a legal hold) nothing is, and the Conflict names the first such
// file. A folder under a legal hold, or holding one, is Conflict legal_hold. It needs write
// access at the folder.
func (s *Service) DeleteFolder(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	folder, pl, err := s.folderPlace(ctx, a, id)
	if err != nil {
		return err
	}
	if err := pl.need(LevelWrite); err != nil {
		return err
	}
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		held, err := s.heldAt(ctx, pl.space, folder)
		if err == nil && !held {
			held, err = s.store.HeldBelow(ctx, a.OrgID, folder.Path())
		}
		if err != nil {
			return access.AuditEntry{}, err
		}
		if held {
			return access.AuditEntry{}, errs.E(errs.Conflict, "legal_hold", "a legal hold is in place on this folder; it cannot be deleted while the hold lasts")
		}
		under, err := s.store.FilesUnder(ctx, a.OrgID, folder.SpaceID(), folder)
		if err != nil {
			return access.AuditEntry{}, err
		}
		now := s.now()
		for _, fv := range under {
			if err := fv.File.CheckDeletable(now, fv.Versions); err != nil {
				return access.AuditEntry{}, naming(fv.File.Name(), err)
			}
		}
		for _, fv := range under {
			if err := s.trash(ctx, a, fv.File); err != nil {
				return access.AuditEntry{}, naming(fv.File.Name(), err)
			}
		}
		if err := s.store.RemoveFolders(ctx, folder); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("files.folder_delete", "folder", folder.ID().String(), nil, map[string]any{
			"name": folder.Name(), "space_id": folder.SpaceID(), "files_trashed": len(under)}), nil
	})
}

// naming puts the name of the file a refusal is about before its message, keeping its kind and
// code, so that deleting a folder says which file stands in the way.
func naming(name string, err error) error {
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind == errs.Internal {
		return err
	}
	return errs.Wrap(e.Kind, e.Code, "“"+name+"”: "+e.Message, err)
}

// Trash lists the files in the trash that the actor may restore: those of every space they
// manage (files.manage over it: the organisation, or their departments' subtrees; a group they
// own) and of their own personal space; most recently deleted first.
func (s *Service) Trash(ctx context.Context, a authz.Actor, limit, offset int) ([]FileView, int, error) {
	spaceIDs, all, err := s.managedSpaces(ctx, a)
	if err != nil {
		return nil, 0, err
	}
	if all {
		spaceIDs = nil
	} else if len(spaceIDs) == 0 {
		return []FileView{}, 0, nil
	}
	return s.store.Trash(ctx, a.OrgID, spaceIDs, limit, offset)
}

// managedSpaces returns the spaces whose trash the actor manages, or all=true for every space
// of the organisation.
func (s *Service) managedSpaces(ctx context.Context, a authz.Actor) (ids []uuid.UUID, all bool, err error) {
	reach, err := s.authz.Reach(ctx, a, access.FilesManage)
	if err != nil {
		return nil, false, err
	}
	if reach.Org {
		return nil, true, nil
	}
	if len(reach.Departments) > 0 {
		if ids, err = s.store.SpacesUnder(ctx, a.OrgID, reach.Departments); err != nil {
			return nil, false, err
		}
	}
	p, err := s.directory.Principals(ctx, a.OrgID, a.UserID)
	if err != nil {
		return nil, false, err
	}
	type owner struct {
		kind files.SpaceKind
		id   uuid.UUID
	}
	owners := []owner{{files.KindPersonal, a.UserID}}
	for _, g := range p.Groups {
		owners = append(owners, owner{files.KindGroup, g})
	}
	for _, o := range owners {
		sp, err := s.spaces.ByOwner(ctx, a.OrgID, o.kind, o.id)
		if errs.Is(err, errs.NotFound) {
			continue
		}
		if err != nil {
			return nil, false, err
		}
		l, err := s.spaceLevel(ctx, a, p, sp)
		if err != nil {
			return nil, false, err
		}
		if l >= LevelManage {
			ids = append(ids, sp.ID())
		}
	}
	return ids, false, nil
}

// restoreAttempts bounds the numbered names tried for a restored file.
const restoreAttempts = 100

// Restore takes a file out of the trash, into its folder or, when that is gone, the root of its
// space. When its name has been taken there meanwhile, it comes back as "name (1).ext", then
// "(2)" and so on. It needs what listing the trash needs: managing the file's space.
func (s *Service) Restore(ctx context.Context, a authz.Actor, id uuid.UUID) (FileView, error) {
	f, err := s.files.Get(ctx, a.OrgID, id)
	if err != nil {
		return FileView{}, err
	}
	if !f.Trashed() {
		return FileView{}, errs.NotFoundf("file")
	}
	sp, err := s.space(ctx, a, f.SpaceID())
	if err != nil {
		return FileView{}, err
	}
	p, err := s.directory.Principals(ctx, a.OrgID, a.UserID)
	if err != nil {
		return FileView{}, err
	}
	l, err := s.spaceLevel(ctx, a, p, sp)
	if err != nil {
		return FileView{}, err
	}
	switch {
	case l == LevelNone:
		return FileView{}, errs.NotFoundf("file")
	case l < LevelManage:
		return FileView{}, errs.E(errs.Forbidden, "forbidden", "only those who manage this space may restore its files")
	}
	err = s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		var folder *files.Folder
		if f.FolderID() != uuid.Nil {
			var err error
			if folder, err = s.folders.Get(ctx, a.OrgID, f.FolderID()); err != nil && !errs.Is(err, errs.NotFound) {
				return access.AuditEntry{}, err
			}
		}
		now := s.now()
		for n := 0; ; n++ {
			if n == restoreAttempts {
				return access.AuditEntry{}, errs.E(errs.Conflict, "name_taken", "a file or folder of this name is already there")
			}
			g := *f
			if err := g.Restore(folder, numberedName(f.Name(), n), now); err != nil {
				return access.AuditEntry{}, err
			}
			err := s.store.TakeName(ctx, &g)
			if errs.CodeOf(err) == "name_taken" {
				continue
			}
			if err != nil {
				return access.AuditEntry{}, err
			}
			*f = g
			break
		}
		return a.Entry("files.restore", "file", f.ID().String(), nil, map[string]any{
			"name": f.Name(), "space_id": f.SpaceID(), "folder_id": f.FolderID()}), nil
	})
	if err != nil {
		return FileView{}, err
	}
	return s.fileView(ctx, a.OrgID, f.ID())
}

// numberedName returns name for n == 0, otherwise name with " (n)" before its extension
// ("report (2).pdf"), shortened where needed so that it stays within the name limit of 255
// bytes.
func numberedName(name string, n int) string {
	if n == 0 {
		return name
	}
	base, ext := name, ""
	if i := strings.LastIndexByte(name, '.'); i > 0 && len(name)-i <= 16 {
		base, ext = name[:i], name[i:]
	}
	suffix := " (" + strconv.Itoa(n) + ")"
	for len(base)+len(suffix)+len(ext) > 255 && base != "" {
		_, size := utf8.DecodeLastRuneInString(base)
		base = base[:len(base)-size]
	}
	return base + suffix + ext
}
