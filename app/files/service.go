// Package files holds the files module's use cases: spaces and folders, uploads into S3 and
// their versions, downloads, the trash, legal holds, and the retention floor that keeps every
// version for at least its organisation's minimum, enforced here and by the store's Object Lock.
package files

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	appevents "canopy/app/events"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/files"
)

// DefaultMaxUploadBytes is the largest file accepted unless configured otherwise: 5 GiB.
const DefaultMaxUploadBytes int64 = 5 << 30

// Service holds the files use cases.
type Service struct {
	tx        TxManager
	clock     Clock
	spaces    files.SpaceRepository
	folders   FolderRepository
	files     files.FileRepository
	store     Store
	objects   ObjectStore
	directory Directory
	shares    Shares
	authz     authz.Authorizer
	audit     authz.Auditor
	maxUpload int64
	media     Media
	events    appevents.Publisher
	// sharing holds the shares, links and their limits (sharing.go).
	sharing SharingDeps
	// tus holds the state and the store calls of resumable uploads (tus.go).
	tus TusDeps
	// sweep tunes the sweeper, and wake asks its loop for a pass (sweeper.go).
	sweep SweepConfig
	wake  chan struct{}
}

// FolderRepository is files.FolderRepository with the reads the service needs beside it.
type FolderRepository interface {
	files.FolderRepository
	Children(ctx context.Context, orgID, spaceID, parentID uuid.UUID) ([]*files.Folder, error)
	Subtree(ctx context.Context, f *files.Folder) ([]*files.Folder, error)
	Height(ctx context.Context, f *files.Folder) (int, error)
	Delete(ctx context.Context, f *files.Folder) error
}

// Deps are the adapters the service needs.
type Deps struct {
	Tx             TxManager
	Clock          Clock
	Spaces         files.SpaceRepository
	Folders        FolderRepository
	Files          files.FileRepository
	Store          Store
	Objects        ObjectStore
	Directory      Directory
	Media          Media
	Events         appevents.Publisher // nil: nothing is published
	Shares         Shares              // nil: the shares of Sharing, or nothing when it has none
	Sharing        SharingDeps
	Tus            TusDeps // zero: resumable uploads are refused (an internal error)
	Authorizer     authz.Authorizer
	Audit          authz.Auditor
	MaxUploadBytes int64       // 0: DefaultMaxUploadBytes
	Sweep          SweepConfig // zero settings: DefaultSweepConfig's
}

// NewService builds the service.
func NewService(d Deps) *Service {
	s := &Service{events: d.Events, media: d.Media, tx: d.Tx, clock: d.Clock, spaces: d.Spaces, folders: d.Folders, files: d.Files, store: d.Store, objects: d.Objects,
		directory: d.Directory, shares: d.Shares, authz: d.Authorizer, audit: d.Audit, maxUpload: d.MaxUploadBytes,
		sharing: d.Sharing.withDefaults(), tus: d.Tus, sweep: d.Sweep.withDefaults(), wake: make(chan struct{}, 1)}
	if s.maxUpload <= 0 {
		s.maxUpload = DefaultMaxUploadBytes
	}
	if s.shares == nil && d.Sharing.Shares != nil {
		s.shares = NewShareLevels(d.Sharing.Shares)
	}
	if s.shares == nil {
		s.shares = noShares{}
	}
	return s
}

type noShares struct{}

func (noShares) Level(context.Context, uuid.UUID, Principals, uuid.UUID, []uuid.UUID) (Level, error) {
	return LevelNone, nil
}

// MaxUploadBytes is the largest file the service accepts.
func (s *Service) MaxUploadBytes() int64 { return s.maxUpload }

// recorded runs fn in a transaction and appends the audit entry it returns in the same one.
func (s *Service) recorded(ctx context.Context, fn func(ctx context.Context) (access.AuditEntry, error)) error {
	return s.tx.Within(ctx, func(ctx context.Context) error {
		e, err := fn(ctx)
		if err != nil {
			return err
		}
		return s.audit.Append(ctx, e)
	})
}

// can reports whether the actor holds perm at scope ("" the organisation, or a department path).
func (s *Service) can(ctx context.Context, a authz.Actor, perm access.Permission, scope string) (bool, error) {
	return s.authz.Can(ctx, a, perm, scope)
}

// scopeOf returns the department path a space's permissions are checked at: its department's
// for a department space, the organisation's ("") otherwise.
func (s *Service) scopeOf(ctx context.Context, sp *files.Space) (string, error) {
	if sp.Kind() != files.KindDepartment {
		return "", nil
	}
	d, err := s.directory.Department(ctx, sp.OrgID(), sp.OwnerID())
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return "", nil
		}
		return "", err
	}
	return d.Path, nil
}

// member reports whether the principals are members of the space: everyone but guests for
// the organisation's, the department's subtree, the group's members, the person.
func member(p Principals, sp *files.Space) bool {
	switch sp.Kind() {
	case files.KindOrganisation:
		return !p.Guest
	case files.KindDepartment:
		for _, d := range p.Departments {
			if d.ID == sp.OwnerID() {
				return true
			}
		}
	case files.KindGroup:
		for _, g := range p.Groups {
			if g == sp.OwnerID() {
				return true
			}
		}
	case files.KindPersonal:
		return sp.OwnerID() == p.UserID
	}
	return false
}

// spaceLevel is what the actor may do in a space by its membership and their permissions:
// files.manage over it (the organisation, or the department's subtree; never someone's
// personal space), its group's owners and its person manage it; its members write with
// files.write and read with files.read.
func (s *Service) spaceLevel(ctx context.Context, a authz.Actor, p Principals, sp *files.Space) (Level, error) {
	scope, err := s.scopeOf(ctx, sp)
	if err != nil {
		return LevelNone, err
	}
	// A person's own space is theirs alone: files.manage does not open it (legal holds and
	// policies reach it through their own permissions).
	if sp.Kind() != files.KindPersonal {
		if ok, err := s.can(ctx, a, access.FilesManage, scope); err != nil || ok {
			return LevelManage, err
		}
	}
	if !member(p, sp) {
		return LevelNone, nil
	}
	owner := sp.Kind() == files.KindPersonal
	if sp.Kind() == files.KindGroup {
		if _, isOwner, err := s.directory.Group(ctx, sp.OrgID(), sp.OwnerID(), a.UserID); err != nil && !errs.Is(err, errs.NotFound) {
			return LevelNone, err
		} else {
			owner = isOwner
		}
	}
	if owner && a.ScopeAllows(access.FilesManage) {
		if ok, err := s.can(ctx, a, access.FilesWrite, scope); err != nil || ok {
			return LevelManage, err
		}
	}
	return s.capped(ctx, a, scope, LevelWrite)
}

// capped lowers a level to what the actor's permissions allow: files.write to write, files.read
// to read.
func (s *Service) capped(ctx context.Context, a authz.Actor, scope string, l Level) (Level, error) {
	if l >= LevelWrite {
		if ok, err := s.can(ctx, a, access.FilesWrite, scope); err != nil || ok {
			return min(l, LevelManage), err
		}
	}
	if ok, err := s.can(ctx, a, access.FilesRead, scope); err != nil || !ok {
		return LevelNone, err
	}
	return LevelRead, nil
}

// folderIDs returns the ids on a folder's path, from the top of its space down to it.
func folderIDs(f *files.Folder) []uuid.UUID {
	if f == nil {
		return nil
	}
	return folderPathIDs(f.Path())
}

// folderPathIDs returns the ids of a materialised path ("/a/b/c/"), from the top down.
func folderPathIDs(path string) []uuid.UUID {
	var out []uuid.UUID
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := uuid.Parse(seg); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// place is a space and, optionally, a folder in it, with what the actor may do there.
type place struct {
	space  *files.Space
	folder *files.Folder // nil: the root of the space
	level  Level
	p      Principals
}

// where resolves the level of the actor at a file (fileID, or uuid.Nil) in folder of space:
// the space's level, raised by shares of the file or of a folder on its path (capped by the
// actor's permissions). It is NotFound when they may not even read it.
func (s *Service) where(ctx context.Context, a authz.Actor, sp *files.Space, folder *files.Folder, fileID uuid.UUID) (place, error) {
	p, err := s.directory.Principals(ctx, a.OrgID, a.UserID)
	if err != nil {
		return place{}, err
	}
	l, err := s.spaceLevel(ctx, a, p, sp)
	if err != nil {
		return place{}, err
	}
	if l < LevelWrite {
		shared, err := s.shares.Level(ctx, a.OrgID, p, fileID, folderIDs(folder))
		if err != nil {
			return place{}, err
		}
		if shared > l {
			scope, err := s.scopeOf(ctx, sp)
			if err != nil {
				return place{}, err
			}
			if shared, err = s.capped(ctx, a, scope, min(shared, LevelWrite)); err != nil {
				return place{}, err
			}
			l = max(l, shared)
		}
	}
	if l == LevelNone {
		return place{}, errs.NotFoundf(what(folder, fileID))
	}
	return place{space: sp, folder: folder, level: l, p: p}, nil
}

func what(folder *files.Folder, fileID uuid.UUID) string {
	switch {
	case fileID != uuid.Nil:
		return "file"
	case folder != nil:
		return "folder"
	}
	return "space"
}

// need is Forbidden unless the place allows l.
func (pl place) need(l Level) error {
	if pl.level >= l {
		return nil
	}
	switch l {
	case LevelWrite:
		return errs.E(errs.Forbidden, "forbidden", "you may only view this")
	default:
		return errs.E(errs.Forbidden, "forbidden", "you may not manage this")
	}
}

// space reads a space of the actor's organisation; another organisation's is NotFound.
func (s *Service) space(ctx context.Context, a authz.Actor, id uuid.UUID) (*files.Space, error) {
	return s.spaces.Get(ctx, a.OrgID, id)
}

// folderPlace reads a folder and the actor's place in it.
func (s *Service) folderPlace(ctx context.Context, a authz.Actor, id uuid.UUID) (*files.Folder, place, error) {
	f, err := s.folders.Get(ctx, a.OrgID, id)
	if err != nil {
		return nil, place{}, err
	}
	sp, err := s.space(ctx, a, f.SpaceID())
	if err != nil {
		return nil, place{}, err
	}
	pl, err := s.where(ctx, a, sp, f, uuid.Nil)
	return f, pl, err
}

// filePlace reads a live (not trashed) file and the actor's place at it.
func (s *Service) filePlace(ctx context.Context, a authz.Actor, id uuid.UUID) (*files.File, place, error) {
	f, err := s.files.Get(ctx, a.OrgID, id)
	if err != nil {
		return nil, place{}, err
	}
	if f.Trashed() {
		return nil, place{}, errs.NotFoundf("file")
	}
	pl, err := s.placeOfFile(ctx, a, f)
	return f, pl, err
}

func (s *Service) placeOfFile(ctx context.Context, a authz.Actor, f *files.File) (place, error) {
	sp, err := s.space(ctx, a, f.SpaceID())
	if err != nil {
		return place{}, err
	}
	var folder *files.Folder
	if f.FolderID() != uuid.Nil {
		if folder, err = s.folders.Get(ctx, a.OrgID, f.FolderID()); err != nil {
			return place{}, err
		}
	}
	return s.where(ctx, a, sp, folder, f.ID())
}

// now is the service's clock in UTC.
func (s *Service) now() time.Time { return s.clock.Now().UTC() }
