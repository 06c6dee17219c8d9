// Package files holds the PostgreSQL rows and repositories of the files module: spaces, folders,
// files and their versions. Files and folders share one namespace per parent through the
// file_names table, which every write of a name keeps in the same transaction as the entry, so
// that one unique index refuses a folder and a file of the same name side by side.
package files

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"canopy/domain/errs"
	"canopy/domain/files"
	"canopy/infra/postgres"
)

// CodeNameTaken is the code of a write that would put two entries of the same name (without
// regard to case) in one folder or at the root of one space.
const CodeNameTaken = "name_taken"

// constraintOf returns the name of the constraint a driver error violated, or "".
func constraintOf(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.ConstraintName
	}
	return ""
}

// nameConflict translates err and names a violation of the shared namespace.
func nameConflict(err error) error {
	err = postgres.Translate(err)
	if errs.Is(err, errs.Conflict) && constraintOf(err) == "file_names_key" {
		return errs.Wrap(errs.Conflict, CodeNameTaken, "a file or folder of this name is already there", err)
	}
	return err
}

// notFound turns a missing row into NotFound naming what.
func notFound(err error, what string) error {
	err = postgres.Translate(err)
	if errs.Is(err, errs.NotFound) {
		return errs.NotFoundf(what)
	}
	return err
}

func idOrNil(p *uuid.UUID) uuid.UUID {
	if p == nil {
		return uuid.Nil
	}
	return *p
}

// parentIs returns the condition and arguments selecting parent column col equal to id, where
// uuid.Nil is the root of the space (NULL).
func parentIs(col string, id uuid.UUID) (string, []any) {
	if id == uuid.Nil {
		return col + " IS NULL", nil
	}
	return col + " = ?", []any{id}
}

// index keeps the search keys (pinyin, initials) of an entry's name beside it, in the
// transaction that writes the name.
func index(tx *gorm.DB, keys postgres.SearchKeys, table string, id uuid.UUID, name string) error {
	if keys == nil {
		return nil
	}
	full, initials := keys(name)
	return tx.Exec("UPDATE "+table+" SET name_pinyin = ?, name_initials = ? WHERE id = ?", full, initials, id).Error
}

// nameRow is an entry's name in its parent's namespace.
type nameRow struct {
	OrgID    uuid.UUID
	SpaceID  uuid.UUID
	ParentID *uuid.UUID
	NameKey  string
	FolderID *uuid.UUID
	FileID   *uuid.UUID
}

func (nameRow) TableName() string { return "file_names" }

type spaceRow struct {
	ID               uuid.UUID `gorm:"primaryKey"`
	OrgID            uuid.UUID
	Kind             string
	OwnerID          uuid.UUID
	MinRetentionDays int
	MaxRetentionDays int
	QuotaBytes       int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (spaceRow) TableName() string { return "spaces" }

func (r spaceRow) domain() *files.Space {
	return files.RehydrateSpace(r.ID, r.OrgID, files.SpaceKind(r.Kind), r.OwnerID, r.MinRetentionDays, r.MaxRetentionDays, r.QuotaBytes, r.CreatedAt.UTC(), r.UpdatedAt.UTC())
}

// Spaces stores spaces.
type Spaces struct{ db *gorm.DB }

// NewSpaces returns the space repository.
func NewSpaces(db *gorm.DB) *Spaces { return &Spaces{db} }

var _ files.SpaceRepository = (*Spaces)(nil)

// Create implements files.SpaceRepository: Conflict space_exists when the owner has one.
func (r *Spaces) Create(ctx context.Context, s *files.Space) error {
	row := spaceRow{s.ID(), s.OrgID(), string(s.Kind()), s.OwnerID(), s.MinRetentionDays(), s.MaxRetentionDays(), s.QuotaBytes(), s.CreatedAt(), s.UpdatedAt()}
	err := postgres.Translate(postgres.Conn(ctx, r.db).Create(&row).Error)
	if errs.Is(err, errs.Conflict) && constraintOf(err) == "spaces_owner_key" {
		return errs.Wrap(errs.Conflict, "space_exists", "the owner already has a space", err)
	}
	return err
}

func (r *Spaces) one(ctx context.Context, where string, args ...any) (*files.Space, error) {
	var row spaceRow
	if err := postgres.Conn(ctx, r.db).Where(where, args...).Take(&row).Error; err != nil {
		return nil, notFound(err, "space")
	}
	return row.domain(), nil
}

// Get implements files.SpaceRepository.
func (r *Spaces) Get(ctx context.Context, orgID, id uuid.UUID) (*files.Space, error) {
	return r.one(ctx, "org_id = ? AND id = ?", orgID, id)
}

// ByOwner implements files.SpaceRepository.
func (r *Spaces) ByOwner(ctx context.Context, orgID uuid.UUID, kind files.SpaceKind, ownerID uuid.UUID) (*files.Space, error) {
	return r.one(ctx, "org_id = ? AND kind = ? AND owner_id = ?", orgID, string(kind), ownerID)
}

// Update implements files.SpaceRepository.
func (r *Spaces) Update(ctx context.Context, s *files.Space) error {
	res := postgres.Conn(ctx, r.db).Model(&spaceRow{}).Where("org_id = ? AND id = ?", s.OrgID(), s.ID()).Updates(map[string]any{
		"min_retention_days": s.MinRetentionDays(), "max_retention_days": s.MaxRetentionDays(),
		"quota_bytes": s.QuotaBytes(), "updated_at": s.UpdatedAt(),
	})
	return postgres.NotFoundIfNone(res, "space")
}

type folderRow struct {
	ID        uuid.UUID `gorm:"primaryKey"`
	OrgID     uuid.UUID
	SpaceID   uuid.UUID
	ParentID  *uuid.UUID
	Path      string
	Depth     int
	Name      string
	NameKey   string
	CreatedBy uuid.UUID
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (folderRow) TableName() string { return "folders" }

func (r folderRow) domain() *files.Folder {
	return files.RehydrateFolder(r.ID, r.OrgID, r.SpaceID, idOrNil(r.ParentID), r.Path, r.Depth, r.Name, r.CreatedBy, r.CreatedAt.UTC(), r.UpdatedAt.UTC())
}

func folders(rows []folderRow) []*files.Folder {
	out := make([]*files.Folder, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out
}

// Folders stores folders.
type Folders struct {
	db   *gorm.DB
	keys postgres.SearchKeys
}

// NewFolders returns the folder repository.
func NewFolders(db *gorm.DB, keys postgres.SearchKeys) *Folders { return &Folders{db, keys} }

var _ files.FolderRepository = (*Folders)(nil)

// Create implements files.FolderRepository: the folder and its name in one transaction.
func (r *Folders) Create(ctx context.Context, f *files.Folder) error {
	row := folderRow{f.ID(), f.OrgID(), f.SpaceID(), postgres.NullableID(f.ParentID()), f.Path(), f.Depth(), f.Name(), f.NameKey(), f.CreatedBy(), f.CreatedAt(), f.UpdatedAt()}
	id := f.ID()
	name := nameRow{f.OrgID(), f.SpaceID(), postgres.NullableID(f.ParentID()), f.NameKey(), &id, nil}
	return nameConflict(postgres.Conn(ctx, r.db).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := index(tx, r.keys, "folders", f.ID(), f.Name()); err != nil {
			return err
		}
		return tx.Create(&name).Error
	}))
}

// Get implements files.FolderRepository.
func (r *Folders) Get(ctx context.Context, orgID, id uuid.UUID) (*files.Folder, error) {
	var row folderRow
	if err := postgres.Conn(ctx, r.db).Where("org_id = ? AND id = ?", orgID, id).Take(&row).Error; err != nil {
		return nil, notFound(err, "folder")
	}
	return row.domain(), nil
}

// Children returns the folders directly in parentID, or at the root of the space when parentID
// is uuid.Nil, by name.
func (r *Folders) Children(ctx context.Context, orgID, spaceID, parentID uuid.UUID) ([]*files.Folder, error) {
	cond, args := parentIs("parent_id", parentID)
	var rows []folderRow
	err := postgres.Conn(ctx, r.db).Where("org_id = ? AND space_id = ?", orgID, spaceID).Where(cond, args...).Order("name_key, id").Find(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	return folders(rows), nil
}

// subtreeRange returns the bounds of the paths in a subtree: every path that starts with p sorts
// at or after p and before p with its final "/" raised to "0". A range, unlike LIKE with a
// parameter, lets even a prepared statement's generic plan use the text_pattern_ops index.
func subtreeRange(p string) (lo, hi string) {
	return p, p[:len(p)-1] + "0"
}

// Subtree returns f and every folder below it, by depth then name: one prefix range scan on
// the path.
func (r *Folders) Subtree(ctx context.Context, f *files.Folder) ([]*files.Folder, error) {
	lo, hi := subtreeRange(f.Path())
	var rows []folderRow
	err := postgres.Conn(ctx, r.db).Where("org_id = ? AND path ~>=~ ? AND path ~<~ ?", f.OrgID(), lo, hi).Order("depth, name_key, id").Find(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	return folders(rows), nil
}

// Height implements files.FolderRepository.
func (r *Folders) Height(ctx context.Context, f *files.Folder) (int, error) {
	var deepest int
	lo, hi := subtreeRange(f.Path())
	err := postgres.Conn(ctx, r.db).Raw(`SELECT COALESCE(max(depth), 0) FROM folders WHERE org_id = ? AND path ~>=~ ? AND path ~<~ ?`, f.OrgID(), lo, hi).Scan(&deepest).Error
	if err != nil {
		return 0, postgres.Translate(err)
	}
	if deepest == 0 {
		return 0, errs.NotFoundf("folder")
	}
	return deepest - f.Depth() + 1, nil
}

// Update implements files.FolderRepository: the name and its key in one transaction.
func (r *Folders) Update(ctx context.Context, f *files.Folder) error {
	return nameConflict(postgres.Conn(ctx, r.db).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&folderRow{}).Where("org_id = ? AND id = ?", f.OrgID(), f.ID()).Updates(map[string]any{
			"name": f.Name(), "name_key": f.NameKey(), "updated_at": f.UpdatedAt(),
		})
		if err := postgres.NotFoundIfNone(res, "folder"); err != nil {
			return err
		}
		if err := index(tx, r.keys, "folders", f.ID(), f.Name()); err != nil {
			return err
		}
		return tx.Model(&nameRow{}).Where("org_id = ? AND folder_id = ?", f.OrgID(), f.ID()).Update("name_key", f.NameKey()).Error
	}))
}

// Move implements files.FolderRepository: one UPDATE re-roots the whole subtree and gives the
// folder its new parent (one statement, since the schema ties a root folder's depth to its NULL
// parent), then its name moves to the new parent in the same transaction.
func (r *Folders) Move(ctx context.Context, f *files.Folder, oldPath string) error {
	oldDepth := strings.Count(strings.Trim(oldPath, "/"), "/") + 1
	lo, hi := subtreeRange(oldPath)
	parent := postgres.NullableID(f.ParentID())
	return nameConflict(postgres.Conn(ctx, r.db).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE folders SET path = ? || substr(path, ?), depth = depth + ?,
				parent_id = CASE WHEN id = ? THEN ?::uuid ELSE parent_id END,
				updated_at = CASE WHEN id = ? THEN ? ELSE updated_at END
			WHERE org_id = ? AND space_id = ? AND path ~>=~ ? AND path ~<~ ?`,
			f.Path(), len(oldPath)+1, f.Depth()-oldDepth, f.ID(), parent, f.ID(), f.UpdatedAt(), f.OrgID(), f.SpaceID(), lo, hi)
		if err := postgres.NotFoundIfNone(res, "folder"); err != nil {
			return err
		}
		return tx.Exec(`UPDATE file_names SET parent_id = ? WHERE org_id = ? AND folder_id = ?`, parent, f.OrgID(), f.ID()).Error
	}))
}

type fileRow struct {
	ID               uuid.UUID `gorm:"primaryKey"`
	OrgID            uuid.UUID
	SpaceID          uuid.UUID
	FolderID         *uuid.UUID
	Name             string
	NameKey          string
	CurrentVersionID *uuid.UUID
	VersionCount     int
	CreatedBy        uuid.UUID
	CreatedAt        time.Time
	UpdatedAt        time.Time
	DeletedAt        *time.Time
	DeletedBy        *uuid.UUID
}

func (fileRow) TableName() string { return "files" }

func (r fileRow) domain() *files.File {
	return files.RehydrateFile(r.ID, r.OrgID, r.SpaceID, idOrNil(r.FolderID), r.Name, idOrNil(r.CurrentVersionID), r.VersionCount, r.CreatedBy, r.CreatedAt.UTC(), r.UpdatedAt.UTC(), postgres.TimeOrZero(r.DeletedAt), idOrNil(r.DeletedBy))
}

type versionRow struct {
	ID             uuid.UUID `gorm:"primaryKey"`
	OrgID          uuid.UUID
	FileID         uuid.UUID
	Number         int
	ObjectKey      string
	ObjectVersion  string
	Size           int64
	SHA256         string `gorm:"column:sha256"`
	ContentType    string
	UploadedBy     uuid.UUID
	UploadedAt     time.Time
	AvailableUntil time.Time
	LegalHold      bool
}

func (versionRow) TableName() string { return "file_versions" }

func (r versionRow) domain() *files.Version {
	return files.RehydrateVersion(r.ID, r.OrgID, r.FileID, r.Number, files.ObjectKey(r.ObjectKey), r.ObjectVersion, r.Size, r.SHA256, r.ContentType, r.UploadedBy, r.UploadedAt.UTC(), r.AvailableUntil.UTC(), r.LegalHold)
}

func newVersionRow(v *files.Version) versionRow {
	return versionRow{v.ID(), v.OrgID(), v.FileID(), v.Number(), v.ObjectKey().String(), v.ObjectVersion(), v.Size(), v.SHA256(), v.ContentType(), v.UploadedBy(), v.UploadedAt(), v.AvailableUntil(), v.LegalHold()}
}

// Files stores files and their versions.
type Files struct {
	db   *gorm.DB
	keys postgres.SearchKeys
}

// NewFiles returns the file repository.
func NewFiles(db *gorm.DB, keys postgres.SearchKeys) *Files { return &Files{db, keys} }

var _ files.FileRepository = (*Files)(nil)

// Create implements files.FileRepository: the file, its first version and its name in one
// transaction.
func (r *Files) Create(ctx context.Context, f *files.File, first *files.Version) error {
	if first == nil || first.FileID() != f.ID() {
		return errs.Internalf("files: the first version is not of file %s", f.ID())
	}
	row := fileRow{f.ID(), f.OrgID(), f.SpaceID(), postgres.NullableID(f.FolderID()), f.Name(), f.NameKey(), postgres.NullableID(f.CurrentVersionID()), f.VersionCount(), f.CreatedBy(), f.CreatedAt(), f.UpdatedAt(), nil, nil}
	version := newVersionRow(first)
	id := f.ID()
	name := nameRow{f.OrgID(), f.SpaceID(), postgres.NullableID(f.FolderID()), f.NameKey(), nil, &id}
	return nameConflict(postgres.Conn(ctx, r.db).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := tx.Create(&name).Error; err != nil {
			return err
		}
		if err := index(tx, r.keys, "files", f.ID(), f.Name()); err != nil {
			return err
		}
		return tx.Create(&version).Error
	}))
}

func (r *Files) one(ctx context.Context, where string, args ...any) (*files.File, error) {
	var row fileRow
	if err := postgres.Conn(ctx, r.db).Where(where, args...).Take(&row).Error; err != nil {
		return nil, notFound(err, "file")
	}
	return row.domain(), nil
}

// Get implements files.FileRepository.
func (r *Files) Get(ctx context.Context, orgID, id uuid.UUID) (*files.File, error) {
	return r.one(ctx, "org_id = ? AND id = ?", orgID, id)
}

// ByName implements files.FileRepository.
func (r *Files) ByName(ctx context.Context, orgID, spaceID, folderID uuid.UUID, name string) (*files.File, error) {
	cond, args := parentIs("folder_id", folderID)
	return r.one(ctx, "org_id = ? AND space_id = ? AND name_key = ? AND deleted_at IS NULL AND "+cond, append([]any{orgID, spaceID, files.NameKey(name)}, args...)...)
}

// List returns the files directly in folderID, or at the root of the space when folderID is
// uuid.Nil, by name.
func (r *Files) List(ctx context.Context, orgID, spaceID, folderID uuid.UUID) ([]*files.File, error) {
	cond, args := parentIs("folder_id", folderID)
	var rows []fileRow
	err := postgres.Conn(ctx, r.db).Where("org_id = ? AND space_id = ? AND deleted_at IS NULL", orgID, spaceID).Where(cond, args...).Order("name_key, id").Find(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*files.File, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// AddVersion implements files.FileRepository.
func (r *Files) AddVersion(ctx context.Context, f *files.File, v *files.Version) error {
	if v.FileID() != f.ID() || v.ID() != f.CurrentVersionID() {
		return errs.Internalf("files: version %s is not the current version of file %s", v.ID(), f.ID())
	}
	version := newVersionRow(v)
	return postgres.Translate(postgres.Conn(ctx, r.db).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&fileRow{}).Where("org_id = ? AND id = ?", f.OrgID(), f.ID()).Updates(map[string]any{
			"current_version_id": v.ID(), "version_count": f.VersionCount(), "updated_at": f.UpdatedAt(),
		})
		if err := postgres.NotFoundIfNone(res, "file"); err != nil {
			return err
		}
		return tx.Create(&version).Error
	}))
}

// Versions implements files.FileRepository.
func (r *Files) Versions(ctx context.Context, orgID, fileID uuid.UUID) ([]*files.Version, error) {
	var rows []versionRow
	if err := postgres.Conn(ctx, r.db).Where("org_id = ? AND file_id = ?", orgID, fileID).Order("number DESC").Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*files.Version, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// Update implements files.FileRepository: the name and folder, and the name's parent and key,
// in one transaction.
func (r *Files) Update(ctx context.Context, f *files.File) error {
	folder := postgres.NullableID(f.FolderID())
	return nameConflict(postgres.Conn(ctx, r.db).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&fileRow{}).Where("org_id = ? AND id = ?", f.OrgID(), f.ID()).Updates(map[string]any{
			"name": f.Name(), "name_key": f.NameKey(), "folder_id": folder, "updated_at": f.UpdatedAt(),
			"deleted_at": postgres.NullableTime(f.DeletedAt()), "deleted_by": postgres.NullableID(f.DeletedBy()),
		})
		if err := postgres.NotFoundIfNone(res, "file"); err != nil {
			return err
		}
		if err := index(tx, r.keys, "files", f.ID(), f.Name()); err != nil {
			return err
		}
		return tx.Model(&nameRow{}).Where("org_id = ? AND file_id = ?", f.OrgID(), f.ID()).Updates(map[string]any{
			"name_key": f.NameKey(), "parent_id": folder,
		}).Error
	}))
}

// UpdateVersion implements files.FileRepository. available_until only ever moves later here
// too, whatever the caller holds, so no write can shorten a version's retention.
func (r *Files) UpdateVersion(ctx context.Context, v *files.Version) error {
	res := postgres.Conn(ctx, r.db).Exec(`UPDATE file_versions SET available_until = GREATEST(available_until, ?), legal_hold = ?
		WHERE org_id = ? AND id = ?`, v.AvailableUntil(), v.LegalHold(), v.OrgID(), v.ID())
	return postgres.NotFoundIfNone(res, "version")
}

// Delete removes an empty folder and its name. Files still naming it as their folder (in the
// trash) are moved to the root of the space first by the caller.
func (r *Folders) Delete(ctx context.Context, f *files.Folder) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("org_id = ? AND folder_id = ?", f.OrgID(), f.ID()).Delete(&nameRow{}).Error; err != nil {
			return err
		}
		return postgres.NotFoundIfNone(tx.Where("org_id = ? AND id = ?", f.OrgID(), f.ID()).Delete(&folderRow{}), "folder")
	}))
}
