package files

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	appfiles "canopy/app/files"
	"canopy/domain/errs"
	"canopy/domain/files"
	"canopy/infra/postgres"
)

// Store holds what the files service reads and writes beside the domain repositories: settings,
// usage and reservations, pending objects, listings.
type Store struct{ db *gorm.DB }

// NewStore returns the store.
func NewStore(db *gorm.DB) *Store { return &Store{db} }

type settingsRow struct {
	OrgID                uuid.UUID `gorm:"primaryKey"`
	MinRetentionDays     int
	MaxRetentionDays     int
	QuotaBytes           int64
	UsedBytes            int64
	TrashDays            int
	LinksAllowed         bool
	MaxLinkExpiryDays    int
	LinkPasswordRequired bool
	UpdatedAt            time.Time
}

func (settingsRow) TableName() string { return "file_settings" }

// Settings implements appfiles.Store.
func (s *Store) Settings(ctx context.Context, orgID uuid.UUID) (appfiles.Settings, error) {
	var rows []settingsRow
	if err := postgres.Conn(ctx, s.db).Where("org_id = ?", orgID).Limit(1).Find(&rows).Error; err != nil {
		return appfiles.Settings{}, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return appfiles.DefaultSettings(), nil
	}
	r := rows[0]
	return appfiles.Settings{MinRetentionDays: r.MinRetentionDays, MaxRetentionDays: r.MaxRetentionDays, QuotaBytes: r.QuotaBytes, UsedBytes: r.UsedBytes,
		TrashDays: r.TrashDays, LinksAllowed: r.LinksAllowed, MaxLinkExpiryDays: r.MaxLinkExpiryDays, LinkPasswordRequired: r.LinkPasswordRequired}, nil
}

// ensureSettings creates the organisation's settings row with the defaults if it has none.
func (s *Store) ensureSettings(ctx context.Context, orgID uuid.UUID) error {
	d := appfiles.DefaultSettings()
	return postgres.Translate(postgres.Conn(ctx, s.db).Exec(`INSERT INTO file_settings (org_id, min_retention_days, trash_days, links_allowed, updated_at)
		VALUES (?, ?, ?, ?, now()) ON CONFLICT (org_id) DO NOTHING`, orgID, d.MinRetentionDays, d.TrashDays, d.LinksAllowed).Error)
}

// SaveSettings implements appfiles.Store. Used bytes are not written here: only AddUsage moves them.
func (s *Store) SaveSettings(ctx context.Context, orgID uuid.UUID, v appfiles.Settings) error {
	if err := s.ensureSettings(ctx, orgID); err != nil {
		return err
	}
	return postgres.Translate(postgres.Conn(ctx, s.db).Model(&settingsRow{}).Where("org_id = ?", orgID).Updates(map[string]any{
		"min_retention_days": v.MinRetentionDays, "max_retention_days": v.MaxRetentionDays, "quota_bytes": v.QuotaBytes,
		"trash_days": v.TrashDays, "links_allowed": v.LinksAllowed, "max_link_expiry_days": v.MaxLinkExpiryDays,
		"link_password_required": v.LinkPasswordRequired, "updated_at": time.Now().UTC(),
	}).Error)
}

type spaceSettingsRow struct {
	UsedBytes            int64
	LinksAllowed         *bool
	MaxLinkExpiryDays    int
	LinkPasswordRequired bool
	LegalHold            bool
}

// SpaceSettings implements appfiles.Store.
func (s *Store) SpaceSettings(ctx context.Context, orgID, spaceID uuid.UUID) (appfiles.SpaceSettings, error) {
	var rows []spaceSettingsRow
	err := postgres.Conn(ctx, s.db).Raw(`SELECT used_bytes, links_allowed, max_link_expiry_days, link_password_required, legal_hold
		FROM spaces WHERE org_id = ? AND id = ?`, orgID, spaceID).Scan(&rows).Error
	if err != nil {
		return appfiles.SpaceSettings{}, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return appfiles.SpaceSettings{}, errs.NotFoundf("space")
	}
	r := rows[0]
	return appfiles.SpaceSettings{UsedBytes: r.UsedBytes, LinksAllowed: r.LinksAllowed, MaxLinkExpiryDays: r.MaxLinkExpiryDays,
		LinkPasswordRequired: r.LinkPasswordRequired, LegalHold: r.LegalHold}, nil
}

// SaveSpaceSettings implements appfiles.Store.
func (s *Store) SaveSpaceSettings(ctx context.Context, orgID, spaceID uuid.UUID, v appfiles.SpaceSettings) error {
	res := postgres.Conn(ctx, s.db).Exec(`UPDATE spaces SET links_allowed = ?, max_link_expiry_days = ?, link_password_required = ?, legal_hold = ?, updated_at = now()
		WHERE org_id = ? AND id = ?`, v.LinksAllowed, v.MaxLinkExpiryDays, v.LinkPasswordRequired, v.LegalHold, orgID, spaceID)
	return postgres.NotFoundIfNone(res, "space")
}

// LockUsage implements appfiles.Store: the organisation's row, then the space's, always in
// that order, so two uploads never wait on each other crosswise.
func (s *Store) LockUsage(ctx context.Context, orgID, spaceID uuid.UUID) (space, org int64, err error) {
	if !postgres.InTx(ctx) {
		return 0, 0, errs.Internalf("files: LockUsage outside a transaction locks nothing")
	}
	if err := s.ensureSettings(ctx, orgID); err != nil {
		return 0, 0, err
	}
	db := postgres.Conn(ctx, s.db)
	var orgUsed, spaceUsed int64
	if err := db.Raw(`SELECT used_bytes FROM file_settings WHERE org_id = ? FOR UPDATE`, orgID).Scan(&orgUsed).Error; err != nil {
		return 0, 0, postgres.Translate(err)
	}
	if err := db.Raw(`SELECT used_bytes FROM spaces WHERE org_id = ? AND id = ? FOR UPDATE`, orgID, spaceID).Scan(&spaceUsed).Error; err != nil {
		return 0, 0, postgres.Translate(err)
	}
	var reserved struct{ OrgReserved, SpaceReserved int64 }
	err = db.Raw(`SELECT COALESCE(sum(length), 0) AS org_reserved, COALESCE(sum(length) FILTER (WHERE space_id = ?), 0) AS space_reserved
		FROM uploads WHERE org_id = ? AND expires_at > now()`, spaceID, orgID).Scan(&reserved).Error
	if err != nil {
		return 0, 0, postgres.Translate(err)
	}
	return spaceUsed + reserved.SpaceReserved, orgUsed + reserved.OrgReserved, nil
}

// AddUsage implements appfiles.Store.
func (s *Store) AddUsage(ctx context.Context, orgID, spaceID uuid.UUID, delta int64) error {
	if err := s.ensureSettings(ctx, orgID); err != nil {
		return err
	}
	db := postgres.Conn(ctx, s.db)
	if err := db.Exec(`UPDATE file_settings SET used_bytes = GREATEST(used_bytes + ?, 0) WHERE org_id = ?`, delta, orgID).Error; err != nil {
		return postgres.Translate(err)
	}
	return postgres.NotFoundIfNone(db.Exec(`UPDATE spaces SET used_bytes = GREATEST(used_bytes + ?, 0) WHERE org_id = ? AND id = ?`, delta, orgID, spaceID), "space")
}

// Reserve implements appfiles.Store.
func (s *Store) Reserve(ctx context.Context, r appfiles.Reservation) error {
	return postgres.Translate(postgres.Conn(ctx, s.db).Exec(`INSERT INTO uploads (id, org_id, user_id, kind, space_id, folder_id, filename, length, object_key, expires_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.OrgID, r.UserID, r.Kind, r.SpaceID, postgres.NullableID(r.FolderID), r.Filename, r.Length,
		r.ObjectKey.String(), r.ExpiresAt, r.CreatedAt, r.CreatedAt).Error)
}

// Release implements appfiles.Store.
func (s *Store) Release(ctx context.Context, orgID, uploadID uuid.UUID) error {
	return postgres.Translate(postgres.Conn(ctx, s.db).Exec(`DELETE FROM uploads WHERE org_id = ? AND id = ?`, orgID, uploadID).Error)
}

// Finish implements appfiles.Store.
func (s *Store) Finish(ctx context.Context, orgID, uploadID uuid.UUID) error {
	res := postgres.Conn(ctx, s.db).Exec(`DELETE FROM uploads WHERE org_id = ? AND id = ?`, orgID, uploadID)
	if res.Error != nil {
		return postgres.Translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.E(errs.Conflict, "upload_gone", "the upload expired before it was completed; upload the file again")
	}
	return nil
}

// Pending implements appfiles.Store. It commits on its own even inside a transaction's context:
// the record must outlive a rollback of the upload's row.
func (s *Store) Pending(ctx context.Context, orgID uuid.UUID, key files.ObjectKey, at time.Time) error {
	return postgres.Translate(s.db.WithContext(ctx).Exec(`INSERT INTO pending_objects (object_key, org_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT (object_key) DO NOTHING`, key.String(), orgID, at).Error)
}

// Landed implements appfiles.Store.
func (s *Store) Landed(ctx context.Context, key files.ObjectKey) error {
	return postgres.Translate(postgres.Conn(ctx, s.db).Exec(`DELETE FROM pending_objects WHERE object_key = ?`, key.String()).Error)
}

// MarkLocked implements appfiles.Store.
func (s *Store) MarkLocked(ctx context.Context, orgID, versionID uuid.UUID, until time.Time) error {
	return postgres.Translate(postgres.Conn(ctx, s.db).Exec(`UPDATE file_versions SET locked_until = GREATEST(COALESCE(locked_until, ?), ?)
		WHERE org_id = ? AND id = ?`, until, until, orgID, versionID).Error)
}

// fileViewCols select a file with its current version and the aggregates of all its versions.
const fileViewCols = `f.id AS f_id, f.org_id AS f_org_id, f.space_id AS f_space_id, f.folder_id AS f_folder_id, f.name AS f_name,
	f.version_count AS f_version_count, f.created_by AS f_created_by, f.created_at AS f_created_at, f.updated_at AS f_updated_at,
	f.deleted_at AS f_deleted_at, f.deleted_by AS f_deleted_by,
	v.id AS v_id, v.number AS v_number, v.object_key AS v_object_key, v.object_version AS v_object_version, v.size AS v_size,
	v.sha256 AS v_sha256, v.content_type AS v_content_type, v.uploaded_by AS v_uploaded_by, v.uploaded_at AS v_uploaded_at,
	v.available_until AS v_available_until, v.legal_hold AS v_legal_hold, v.thumbnail_state = 'done' AS has_thumbnail,
	agg.until AS available_until, agg.held AS legal_hold`

const fileViewFrom = ` FROM files f
	JOIN file_versions v ON v.org_id = f.org_id AND v.id = f.current_version_id
	CROSS JOIN LATERAL (SELECT max(available_until) AS until, bool_or(legal_hold) AS held FROM file_versions x
		WHERE x.org_id = f.org_id AND x.file_id = f.id) agg`

type fileViewRow struct {
	FID             uuid.UUID  `gorm:"column:f_id"`
	FOrgID          uuid.UUID  `gorm:"column:f_org_id"`
	FSpaceID        uuid.UUID  `gorm:"column:f_space_id"`
	FFolderID       *uuid.UUID `gorm:"column:f_folder_id"`
	FName           string     `gorm:"column:f_name"`
	FVersionCount   int        `gorm:"column:f_version_count"`
	FCreatedBy      uuid.UUID  `gorm:"column:f_created_by"`
	FCreatedAt      time.Time  `gorm:"column:f_created_at"`
	FUpdatedAt      time.Time  `gorm:"column:f_updated_at"`
	FDeletedAt      *time.Time `gorm:"column:f_deleted_at"`
	FDeletedBy      *uuid.UUID `gorm:"column:f_deleted_by"`
	VID             uuid.UUID  `gorm:"column:v_id"`
	VNumber         int        `gorm:"column:v_number"`
	VObjectKey      string     `gorm:"column:v_object_key"`
	VObjectVersion  string     `gorm:"column:v_object_version"`
	VSize           int64      `gorm:"column:v_size"`
	VSHA256         string     `gorm:"column:v_sha256"`
	VContentType    string     `gorm:"column:v_content_type"`
	VUploadedBy     uuid.UUID  `gorm:"column:v_uploaded_by"`
	VUploadedAt     time.Time  `gorm:"column:v_uploaded_at"`
	VAvailableUntil time.Time  `gorm:"column:v_available_until"`
	VLegalHold      bool       `gorm:"column:v_legal_hold"`
	HasThumbnail    bool
	AvailableUntil  time.Time
	LegalHold       bool
}

func (r fileViewRow) view() appfiles.FileView {
	f := files.RehydrateFile(r.FID, r.FOrgID, r.FSpaceID, idOrNil(r.FFolderID), r.FName, r.VID, r.FVersionCount, r.FCreatedBy,
		r.FCreatedAt.UTC(), r.FUpdatedAt.UTC(), postgres.TimeOrZero(r.FDeletedAt), idOrNil(r.FDeletedBy))
	v := files.RehydrateVersion(r.VID, r.FOrgID, r.FID, r.VNumber, files.ObjectKey(r.VObjectKey), r.VObjectVersion, r.VSize, r.VSHA256, r.VContentType,
		r.VUploadedBy, r.VUploadedAt.UTC(), r.VAvailableUntil.UTC(), r.VLegalHold)
	return appfiles.FileView{File: f, Current: v, AvailableUntil: r.AvailableUntil.UTC(), LegalHold: r.LegalHold, HasThumbnail: r.HasThumbnail}
}

func fileViews(rows []fileViewRow) []appfiles.FileView {
	out := make([]appfiles.FileView, len(rows))
	for i, r := range rows {
		out[i] = r.view()
	}
	return out
}

// FileViews implements appfiles.Store.
func (s *Store) FileViews(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]appfiles.FileView, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []fileViewRow
	err := postgres.Conn(ctx, s.db).Raw(`SELECT `+fileViewCols+fileViewFrom+` WHERE f.org_id = ? AND f.id IN ?`, orgID, ids).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	byID := make(map[uuid.UUID]appfiles.FileView, len(rows))
	for _, r := range rows {
		byID[r.FID] = r.view()
	}
	out := make([]appfiles.FileView, 0, len(ids))
	for _, id := range ids {
		if v, ok := byID[id]; ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// entryOrder returns the ORDER BY of a listing's files; folders have no size and sort by name
// then.
func entryOrder(sort string, desc bool, files bool) string {
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	switch {
	case sort == "updated_at" && files:
		return "f.updated_at" + dir + ", f.id"
	case sort == "updated_at":
		return "f.updated_at" + dir + ", f.id"
	case sort == "size" && files:
		return "v.size" + dir + ", f.id"
	}
	return "f.name_key" + dir + ", f.id"
}

// Entries implements appfiles.Store: folders first, then files, each sorted, paged as one list.
func (s *Store) Entries(ctx context.Context, q appfiles.EntryQuery) ([]appfiles.Entry, int, error) {
	db := postgres.Conn(ctx, s.db)
	args := map[string]any{"org": q.OrgID, "space": q.SpaceID}
	where := "f.org_id = @org AND f.space_id = @space"
	if query := strings.TrimSpace(q.Query); query != "" {
		compact := strings.ToLower(strings.ReplaceAll(query, " ", ""))
		args["q"] = "%" + postgres.EscapeLike(files.NameKey(query)) + "%"
		args["qp"] = "%" + postgres.EscapeLike(compact) + "%"
		where += ` AND (f.name_key LIKE @q ESCAPE '\' OR f.name_pinyin LIKE @qp ESCAPE '\' OR f.name_initials LIKE @qp ESCAPE '\')`
	} else if q.FolderID == uuid.Nil {
		where += " AND f.%s IS NULL"
	} else {
		args["folder"] = q.FolderID
		where += " AND f.%s = @folder"
	}
	folderWhere := strings.Replace(where, "%s", "parent_id", 1)
	fileWhere := strings.Replace(where, "%s", "folder_id", 1) + " AND f.deleted_at IS NULL"

	var nFolders, nFiles int64
	if err := db.Raw(`SELECT count(*) FROM folders f WHERE `+folderWhere, args).Scan(&nFolders).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	if err := db.Raw(`SELECT count(*) FROM files f WHERE `+fileWhere, args).Scan(&nFiles).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	total := int(nFolders + nFiles)
	var out []appfiles.Entry
	if int64(q.Offset) < nFolders {
		var rows []folderRow
		args["limit"], args["offset"] = q.Limit, q.Offset
		err := db.Raw(`SELECT f.* FROM folders f WHERE `+folderWhere+` ORDER BY `+entryOrder(q.Sort, q.Desc, false)+` LIMIT @limit OFFSET @offset`, args).Scan(&rows).Error
		if err != nil {
			return nil, 0, postgres.Translate(err)
		}
		for _, r := range rows {
			out = append(out, appfiles.Entry{Folder: r.domain()})
		}
	}
	if left := q.Limit - len(out); left > 0 {
		args["limit"], args["offset"] = left, max(int64(q.Offset)-nFolders, 0)
		var rows []fileViewRow
		err := db.Raw(`SELECT `+fileViewCols+fileViewFrom+` WHERE `+fileWhere+` ORDER BY `+entryOrder(q.Sort, q.Desc, true)+` LIMIT @limit OFFSET @offset`, args).Scan(&rows).Error
		if err != nil {
			return nil, 0, postgres.Translate(err)
		}
		for _, v := range fileViews(rows) {
			out = append(out, appfiles.Entry{File: &v})
		}
	}
	return out, total, nil
}

// ClaimThumbnails implements appfiles.Store.
func (s *Store) ClaimThumbnails(ctx context.Context, limit int) ([]*files.Version, error) {
	var rows []versionRow
	err := postgres.Conn(ctx, s.db).Raw(`SELECT * FROM file_versions WHERE thumbnail_state = 'pending'
		ORDER BY uploaded_at LIMIT ? FOR UPDATE SKIP LOCKED`, limit).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*files.Version, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// SetThumbnail implements appfiles.Store.
func (s *Store) SetThumbnail(ctx context.Context, orgID, versionID uuid.UUID, key string) error {
	state := "done"
	if key == "" {
		state = "none"
	}
	return postgres.Translate(postgres.Conn(ctx, s.db).Exec(`UPDATE file_versions SET thumbnail_state = ?, thumbnail_key = ?
		WHERE org_id = ? AND id = ?`, state, postgres.Nullable(key), orgID, versionID).Error)
}

// Thumbnail implements appfiles.Store.
func (s *Store) Thumbnail(ctx context.Context, orgID, versionID uuid.UUID) (string, error) {
	var keys []string
	err := postgres.Conn(ctx, s.db).Raw(`SELECT COALESCE(thumbnail_key, '') FROM file_versions WHERE org_id = ? AND id = ?`, orgID, versionID).Scan(&keys).Error
	if err != nil || len(keys) == 0 {
		return "", postgres.Translate(err)
	}
	return keys[0], nil
}
