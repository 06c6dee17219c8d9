package files

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	appfiles "canopy/app/files"
	"canopy/domain/errs"
	"canopy/domain/files"
	"canopy/infra/postgres"
)

// This file holds the Store's trash, legal holds and retention policies (appfiles.RetentionStore).

var _ appfiles.Store = (*Store)(nil)

// Trash implements appfiles.RetentionStore.
func (s *Store) Trash(ctx context.Context, orgID uuid.UUID, spaceIDs []uuid.UUID, limit, offset int) ([]appfiles.FileView, int, error) {
	db := postgres.Conn(ctx, s.db)
	where, args := "f.org_id = ? AND f.deleted_at IS NOT NULL", []any{orgID}
	if spaceIDs != nil {
		if len(spaceIDs) == 0 {
			return []appfiles.FileView{}, 0, nil
		}
		where += " AND f.space_id IN ?"
		args = append(args, spaceIDs)
	}
	var total int64
	if err := db.Raw(`SELECT count(*) FROM files f WHERE `+where, args...).Scan(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	var rows []fileViewRow
	err := db.Raw(`SELECT `+fileViewCols+fileViewFrom+` WHERE `+where+` ORDER BY f.deleted_at DESC, f.id LIMIT ? OFFSET ?`,
		append(args, limit, offset)...).Scan(&rows).Error
	if err != nil {
		return nil, 0, postgres.Translate(err)
	}
	return fileViews(rows), int(total), nil
}

// FilesUnder implements appfiles.RetentionStore.
func (s *Store) FilesUnder(ctx context.Context, orgID, spaceID uuid.UUID, folder *files.Folder) ([]appfiles.FileWithVersions, error) {
	db := postgres.Conn(ctx, s.db)
	from := ` FROM files f LEFT JOIN folders fo ON fo.org_id = f.org_id AND fo.id = f.folder_id
		WHERE f.org_id = ? AND f.space_id = ? AND f.deleted_at IS NULL`
	args := []any{orgID, spaceID}
	if folder != nil {
		lo, hi := subtreeRange(folder.Path())
		var locked []uuid.UUID
		if err := db.Raw(`SELECT id FROM folders WHERE org_id = ? AND path ~>=~ ? AND path ~<~ ? ORDER BY path FOR UPDATE`, orgID, lo, hi).Scan(&locked).Error; err != nil {
			return nil, postgres.Translate(err)
		}
		from += ` AND fo.path ~>=~ ? AND fo.path ~<~ ?`
		args = append(args, lo, hi)
	}
	var frows []fileRow
	if err := db.Raw(`SELECT f.*`+from+` ORDER BY fo.path NULLS FIRST, f.name_key, f.id`, args...).Scan(&frows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	var vrows []versionRow
	if err := db.Raw(`SELECT v.* FROM file_versions v WHERE v.org_id = ? AND v.file_id IN (SELECT f.id`+from+`) ORDER BY v.file_id, v.number DESC`,
		append([]any{orgID}, args...)...).Scan(&vrows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	byFile := make(map[uuid.UUID][]*files.Version, len(frows))
	for _, v := range vrows {
		byFile[v.FileID] = append(byFile[v.FileID], v.domain())
	}
	out := make([]appfiles.FileWithVersions, len(frows))
	for i, f := range frows {
		out[i] = appfiles.FileWithVersions{File: f.domain(), Versions: byFile[f.ID]}
	}
	return out, nil
}

// FolderHeld implements appfiles.Store: the folders above a folder are those whose paths are
// prefixes of its own.
func (s *Store) FolderHeld(ctx context.Context, orgID uuid.UUID, folderPath string) (bool, error) {
	var held bool
	err := postgres.Conn(ctx, s.db).Raw(`SELECT EXISTS (SELECT 1 FROM folders WHERE org_id = ? AND legal_hold AND starts_with(?::text, path))`,
		orgID, folderPath).Scan(&held).Error
	return held, postgres.Translate(err)
}

// HeldBelow implements appfiles.RetentionStore.
func (s *Store) HeldBelow(ctx context.Context, orgID uuid.UUID, folderPath string) (bool, error) {
	lo, hi := subtreeRange(folderPath)
	var held bool
	err := postgres.Conn(ctx, s.db).Raw(`SELECT EXISTS (SELECT 1 FROM folders WHERE org_id = ? AND legal_hold AND path ~>=~ ? AND path ~<~ ?)`,
		orgID, lo, hi).Scan(&held).Error
	return held, postgres.Translate(err)
}

// RemoveFolders implements appfiles.RetentionStore. The names of the folders go first, since
// the namespace refers to its parent folders without a cascade; then one statement deletes the
// whole subtree, whose rows refer to one another.
func (s *Store) RemoveFolders(ctx context.Context, f *files.Folder) error {
	lo, hi := subtreeRange(f.Path())
	return postgres.Translate(postgres.Conn(ctx, s.db).Transaction(func(tx *gorm.DB) error {
		subtree := `SELECT id FROM folders WHERE org_id = ? AND path ~>=~ ? AND path ~<~ ?`
		var live bool
		if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM files WHERE org_id = ? AND deleted_at IS NULL AND folder_id IN (`+subtree+`))`,
			f.OrgID(), f.OrgID(), lo, hi).Scan(&live).Error; err != nil {
			return err
		}
		if live {
			return errs.E(errs.Conflict, "not_empty", "files were added to the folder meanwhile; try again")
		}
		if err := tx.Exec(`UPDATE files SET folder_id = NULL WHERE org_id = ? AND folder_id IN (`+subtree+`)`, f.OrgID(), f.OrgID(), lo, hi).Error; err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM file_names WHERE org_id = ? AND folder_id IN (`+subtree+`)`, f.OrgID(), f.OrgID(), lo, hi).Error; err != nil {
			return err
		}
		return postgres.NotFoundIfNone(tx.Exec(`DELETE FROM folders WHERE org_id = ? AND path ~>=~ ? AND path ~<~ ?`, f.OrgID(), lo, hi), "folder")
	}))
}

// FreeName implements appfiles.RetentionStore.
func (s *Store) FreeName(ctx context.Context, f *files.File) error {
	return postgres.Translate(postgres.Conn(ctx, s.db).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE files SET deleted_at = ?, deleted_by = ?, updated_at = ? WHERE org_id = ? AND id = ? AND deleted_at IS NULL`,
			f.DeletedAt(), postgres.NullableID(f.DeletedBy()), f.UpdatedAt(), f.OrgID(), f.ID())
		if err := postgres.NotFoundIfNone(res, "file"); err != nil {
			return err
		}
		return tx.Exec(`DELETE FROM file_names WHERE org_id = ? AND file_id = ?`, f.OrgID(), f.ID()).Error
	}))
}

// TakeName implements appfiles.RetentionStore. The name is inserted with ON CONFLICT DO
// NOTHING, so a taken name fails no statement and the caller's transaction goes on to try
// another; the file's row, changed first, is rolled back to the savepoint.
func (s *Store) TakeName(ctx context.Context, f *files.File) error {
	errTaken := errs.E(errs.Conflict, CodeNameTaken, "a file or folder of this name is already there")
	err := postgres.Conn(ctx, s.db).Transaction(func(tx *gorm.DB) error {
		folder := postgres.NullableID(f.FolderID())
		res := tx.Exec(`UPDATE files SET name = ?, name_key = ?, folder_id = ?, deleted_at = NULL, deleted_by = NULL, updated_at = ?
			WHERE org_id = ? AND id = ? AND deleted_at IS NOT NULL`, f.Name(), f.NameKey(), folder, f.UpdatedAt(), f.OrgID(), f.ID())
		if err := postgres.NotFoundIfNone(res, "file"); err != nil {
			return err
		}
		res = tx.Exec(`INSERT INTO file_names (org_id, space_id, parent_id, name_key, file_id) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT ON CONSTRAINT file_names_key DO NOTHING`, f.OrgID(), f.SpaceID(), folder, f.NameKey(), f.ID())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errTaken
		}
		return nil
	})
	return postgres.Translate(err)
}

// underDepartments selects the departments in the subtrees of the departments given.
const underDepartments = `EXISTS (SELECT 1 FROM departments r WHERE r.org_id = d.org_id AND r.id IN ? AND starts_with(d.path, r.path))`

// SpacesUnder implements appfiles.RetentionStore.
func (s *Store) SpacesUnder(ctx context.Context, orgID uuid.UUID, departmentIDs []uuid.UUID) ([]uuid.UUID, error) {
	if len(departmentIDs) == 0 {
		return nil, nil
	}
	var ids []uuid.UUID
	err := postgres.Conn(ctx, s.db).Raw(`SELECT s.id FROM spaces s JOIN departments d ON d.org_id = s.org_id AND d.id = s.owner_id
		WHERE s.org_id = ? AND s.kind = 'department' AND `+underDepartments, orgID, departmentIDs).Scan(&ids).Error
	return ids, postgres.Translate(err)
}

// ListSpaces implements appfiles.RetentionStore.
func (s *Store) ListSpaces(ctx context.Context, q appfiles.SpaceQuery) ([]*files.Space, int, error) {
	db := postgres.Conn(ctx, s.db)
	where, args := "s.org_id = ?", []any{q.OrgID}
	if q.Kind != "" {
		where += " AND s.kind = ?"
		args = append(args, string(q.Kind))
	}
	if !q.All {
		if len(q.Departments) == 0 {
			return []*files.Space{}, 0, nil
		}
		where += ` AND s.kind = 'department' AND EXISTS (SELECT 1 FROM departments d WHERE d.org_id = s.org_id AND d.id = s.owner_id AND ` + underDepartments + `)`
		args = append(args, q.Departments)
	}
	var total int64
	if err := db.Raw(`SELECT count(*) FROM spaces s WHERE `+where, args...).Scan(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	var rows []spaceRow
	err := db.Raw(`SELECT s.* FROM spaces s WHERE `+where+` ORDER BY CASE s.kind WHEN 'organisation' THEN 0 WHEN 'department' THEN 1 WHEN 'group' THEN 2 ELSE 3 END,
		s.created_at, s.id LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...).Scan(&rows).Error
	if err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]*files.Space, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, int(total), nil
}

// LockSpace implements appfiles.RetentionStore.
func (s *Store) LockSpace(ctx context.Context, orgID, spaceID uuid.UUID) error {
	var ids []uuid.UUID
	if err := postgres.Conn(ctx, s.db).Raw(`SELECT id FROM spaces WHERE org_id = ? AND id = ? FOR UPDATE`, orgID, spaceID).Scan(&ids).Error; err != nil {
		return postgres.Translate(err)
	}
	if len(ids) == 0 {
		return errs.NotFoundf("space")
	}
	return nil
}

// ExtendRetention implements appfiles.RetentionStore: one UPDATE, which moves a date only where
// the new one is later. Days are counted as 24 hours, as files.AvailableUntil counts them,
// whatever the session's time zone.
func (s *Store) ExtendRetention(ctx context.Context, orgID, spaceID uuid.UUID, days int) (int64, error) {
	days = min(max(days, 0), files.MaxRetentionDays)
	q := `UPDATE file_versions v SET available_until = v.uploaded_at + make_interval(hours => 24 * @days)
		FROM files f
		WHERE f.org_id = v.org_id AND f.id = v.file_id AND v.org_id = @org
		  AND v.available_until < v.uploaded_at + make_interval(hours => 24 * @days)`
	args := map[string]any{"org": orgID, "days": days, "space": spaceID}
	if spaceID != uuid.Nil {
		// A department's minimum is on the path of the spaces of every department below it.
		q += ` AND f.space_id IN (
			SELECT CAST(@space AS uuid)
			UNION
			SELECT s2.id FROM spaces s
			JOIN departments d ON d.org_id = s.org_id AND d.id = s.owner_id
			JOIN departments d2 ON d2.org_id = d.org_id AND starts_with(d2.path, d.path)
			JOIN spaces s2 ON s2.org_id = d2.org_id AND s2.kind = 'department' AND s2.owner_id = d2.id
			WHERE s.org_id = @org AND s.id = @space AND s.kind = 'department')`
	}
	res := postgres.Conn(ctx, s.db).Exec(q, args)
	return res.RowsAffected, postgres.Translate(res.Error)
}

// holdFlag is the flag a folder or space hold repeats, for the upload path.
func holdFlag(targetType string) string {
	switch targetType {
	case appfiles.HoldFolder:
		return "folders"
	case appfiles.HoldSpace:
		return "spaces"
	}
	return ""
}

// PutHold implements appfiles.RetentionStore.
func (s *Store) PutHold(ctx context.Context, h appfiles.Hold) (bool, error) {
	created := false
	err := postgres.Conn(ctx, s.db).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`INSERT INTO legal_holds (org_id, target_type, target_id, set_by, set_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			h.OrgID, h.TargetType, h.TargetID, h.SetBy, h.SetAt)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		created = true
		if t := holdFlag(h.TargetType); t != "" {
			return tx.Exec(`UPDATE `+t+` SET legal_hold = true WHERE org_id = ? AND id = ?`, h.OrgID, h.TargetID).Error
		}
		return nil
	})
	return created, postgres.Translate(err)
}

// DropHold implements appfiles.RetentionStore.
func (s *Store) DropHold(ctx context.Context, orgID uuid.UUID, targetType string, targetID uuid.UUID) error {
	return postgres.Translate(postgres.Conn(ctx, s.db).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`DELETE FROM legal_holds WHERE org_id = ? AND target_type = ? AND target_id = ?`, orgID, targetType, targetID)
		if err := postgres.NotFoundIfNone(res, "hold"); err != nil {
			return err
		}
		if t := holdFlag(targetType); t != "" {
			return tx.Exec(`UPDATE `+t+` SET legal_hold = false WHERE org_id = ? AND id = ?`, orgID, targetID).Error
		}
		return nil
	}))
}

// FileHeld implements appfiles.RetentionStore.
func (s *Store) FileHeld(ctx context.Context, orgID, fileID uuid.UUID) (bool, error) {
	var held bool
	err := postgres.Conn(ctx, s.db).Raw(`SELECT EXISTS (SELECT 1 FROM legal_holds WHERE org_id = ? AND target_type = 'file' AND target_id = ?)`,
		orgID, fileID).Scan(&held).Error
	return held, postgres.Translate(err)
}

// RecomputeHolds implements appfiles.RetentionStore in one statement over the organisation's
// versions; the held folders, few, are read once.
func (s *Store) RecomputeHolds(ctx context.Context, orgID uuid.UUID) (int64, error) {
	res := postgres.Conn(ctx, s.db).Exec(`WITH hf AS (SELECT space_id, path FROM folders WHERE org_id = @org AND legal_hold),
		want AS (
			SELECT v.id, (s.legal_hold
				OR EXISTS (SELECT 1 FROM legal_holds h WHERE h.org_id = f.org_id AND h.target_type = 'file' AND h.target_id = f.id)
				OR COALESCE(EXISTS (SELECT 1 FROM hf WHERE hf.space_id = f.space_id AND starts_with(fo.path, hf.path)), false)) AS held
			FROM file_versions v
			JOIN files f ON f.org_id = v.org_id AND f.id = v.file_id
			JOIN spaces s ON s.org_id = f.org_id AND s.id = f.space_id
			LEFT JOIN folders fo ON fo.org_id = f.org_id AND fo.id = f.folder_id
			WHERE v.org_id = @org)
		UPDATE file_versions v SET legal_hold = want.held FROM want WHERE v.id = want.id AND v.legal_hold <> want.held`,
		map[string]any{"org": orgID})
	return res.RowsAffected, postgres.Translate(res.Error)
}

type holdRow struct {
	OrgID      uuid.UUID
	TargetType string
	TargetID   uuid.UUID
	SetBy      uuid.UUID
	SetAt      time.Time
	Name       string
}

// Holds implements appfiles.RetentionStore.
func (s *Store) Holds(ctx context.Context, orgID uuid.UUID) ([]appfiles.Hold, error) {
	var rows []holdRow
	err := postgres.Conn(ctx, s.db).Raw(`SELECT h.org_id, h.target_type, h.target_id, h.set_by, h.set_at, COALESCE(f.name, fo.name, '') AS name
		FROM legal_holds h
		LEFT JOIN files f ON h.target_type = 'file' AND f.org_id = h.org_id AND f.id = h.target_id
		LEFT JOIN folders fo ON h.target_type = 'folder' AND fo.org_id = h.org_id AND fo.id = h.target_id
		WHERE h.org_id = ? ORDER BY h.set_at DESC, h.target_id`, orgID).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]appfiles.Hold, len(rows))
	for i, r := range rows {
		out[i] = appfiles.Hold{OrgID: r.OrgID, TargetType: r.TargetType, TargetID: r.TargetID, Name: r.Name, SetBy: r.SetBy, SetAt: r.SetAt.UTC()}
	}
	return out, nil
}
