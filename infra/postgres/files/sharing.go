package files

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"canopy/domain/errs"
	"canopy/domain/files"
	"canopy/infra/postgres"
)

// targetColumns returns the file_id and folder_id of a target, one of them nil.
func targetColumns(t files.Target) (fileID, folderID *uuid.UUID) {
	id := t.ID
	if t.Type == files.TargetFile {
		return &id, nil
	}
	return nil, &id
}

type shareRow struct {
	ID            uuid.UUID `gorm:"primaryKey"`
	OrgID         uuid.UUID
	TargetType    string
	FileID        *uuid.UUID
	FolderID      *uuid.UUID
	TargetID      uuid.UUID `gorm:"->"` // generated
	PrincipalType string
	UserID        *uuid.UUID
	GroupID       *uuid.UUID
	DepartmentID  *uuid.UUID
	PrincipalID   uuid.UUID `gorm:"->"` // generated
	Role          string
	CreatedBy     uuid.UUID
	CreatedAt     time.Time
}

func (shareRow) TableName() string { return "shares" }

func newShareRow(s *files.Share) shareRow {
	r := shareRow{ID: s.ID(), OrgID: s.OrgID(), TargetType: string(s.Target().Type), PrincipalType: string(s.Principal().Type),
		Role: string(s.Role()), CreatedBy: s.CreatedBy(), CreatedAt: s.CreatedAt()}
	r.FileID, r.FolderID = targetColumns(s.Target())
	id := s.Principal().ID
	switch s.Principal().Type {
	case files.PrincipalUser:
		r.UserID = &id
	case files.PrincipalGroup:
		r.GroupID = &id
	default:
		r.DepartmentID = &id
	}
	return r
}

func (r shareRow) domain() *files.Share {
	return files.RehydrateShare(r.ID, r.OrgID, files.Target{Type: files.TargetType(r.TargetType), ID: r.TargetID},
		files.Principal{Type: files.PrincipalType(r.PrincipalType), ID: r.PrincipalID}, files.Role(r.Role), r.CreatedBy, r.CreatedAt.UTC())
}

func shares(rows []shareRow) []*files.Share {
	out := make([]*files.Share, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out
}

// Shares stores shares of files and folders.
type Shares struct{ db *gorm.DB }

// NewShares returns the share repository.
func NewShares(db *gorm.DB) *Shares { return &Shares{db} }

var _ files.ShareRepository = (*Shares)(nil)

// Create implements files.ShareRepository. The composite keys refuse a target or a principal
// of another organisation as they refuse a missing one (NotFound).
func (r *Shares) Create(ctx context.Context, s *files.Share) error {
	row := newShareRow(s)
	err := postgres.Translate(postgres.Conn(ctx, r.db).Omit("TargetID", "PrincipalID").Create(&row).Error)
	switch {
	case errs.Is(err, errs.Conflict) && constraintOf(err) == "shares_target_principal_key":
		return errs.Wrap(errs.Conflict, "already_shared", "it is already shared with them", err)
	case errs.Is(err, errs.NotFound):
		switch constraintOf(err) {
		case "shares_file_fkey":
			return errs.Wrap(errs.NotFound, "not_found", "file not found", err)
		case "shares_folder_fkey":
			return errs.Wrap(errs.NotFound, "not_found", "folder not found", err)
		case "shares_user_fkey":
			return errs.Wrap(errs.NotFound, "not_found", "member not found", err)
		case "shares_group_fkey":
			return errs.Wrap(errs.NotFound, "not_found", "group not found", err)
		case "shares_department_fkey":
			return errs.Wrap(errs.NotFound, "not_found", "department not found", err)
		}
	}
	return err
}

// Get implements files.ShareRepository.
func (r *Shares) Get(ctx context.Context, orgID, id uuid.UUID) (*files.Share, error) {
	var row shareRow
	if err := postgres.Conn(ctx, r.db).Where("org_id = ? AND id = ?", orgID, id).Take(&row).Error; err != nil {
		return nil, notFound(err, "share")
	}
	return row.domain(), nil
}

// UpdateRole implements files.ShareRepository.
func (r *Shares) UpdateRole(ctx context.Context, s *files.Share) error {
	return postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Exec(`UPDATE shares SET role = ? WHERE org_id = ? AND id = ?`,
		string(s.Role()), s.OrgID(), s.ID()), "share")
}

// Delete implements files.ShareRepository.
func (r *Shares) Delete(ctx context.Context, s *files.Share) error {
	return postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Exec(`DELETE FROM shares WHERE org_id = ? AND id = ?`, s.OrgID(), s.ID()), "share")
}

// OfTarget implements files.ShareRepository.
func (r *Shares) OfTarget(ctx context.Context, orgID uuid.UUID, t files.Target) ([]*files.Share, error) {
	var rows []shareRow
	err := postgres.Conn(ctx, r.db).Where("org_id = ? AND target_id = ? AND target_type = ?", orgID, t.ID, string(t.Type)).
		Order("created_at, id").Find(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	return shares(rows), nil
}

// principalIDs returns the ids of principals by type, for `principal_type = ? AND principal_id
// = ANY(?)` conditions.
func principalCondition(ps []files.Principal) (string, []any) {
	byType := map[files.PrincipalType][]uuid.UUID{}
	for _, p := range ps {
		byType[p.Type] = append(byType[p.Type], p.ID)
	}
	cond, args := "", []any{}
	for _, t := range []files.PrincipalType{files.PrincipalUser, files.PrincipalGroup, files.PrincipalDepartment} {
		if len(byType[t]) == 0 {
			continue
		}
		if cond != "" {
			cond += " OR "
		}
		cond += "(principal_type = ? AND principal_id IN ?)"
		args = append(args, string(t), byType[t])
	}
	if cond == "" {
		return "false", nil
	}
	return "(" + cond + ")", args
}

// With implements files.ShareRepository.
func (r *Shares) With(ctx context.Context, orgID uuid.UUID, principals []files.Principal) ([]*files.Share, error) {
	cond, args := principalCondition(principals)
	var rows []shareRow
	err := postgres.Conn(ctx, r.db).Where("org_id = ?", orgID).Where(cond, args...).Order("created_at, id").Find(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	return shares(rows), nil
}

// Strongest implements files.ShareRepository in one query on the principal index.
func (r *Shares) Strongest(ctx context.Context, orgID uuid.UUID, principals []files.Principal, targets []files.Target) (files.Role, bool, error) {
	if len(targets) == 0 || len(principals) == 0 {
		return "", false, nil
	}
	ids := make([]uuid.UUID, len(targets))
	for i, t := range targets {
		ids[i] = t.ID
	}
	cond, args := principalCondition(principals)
	var roles []string
	err := postgres.Conn(ctx, r.db).Model(&shareRow{}).Where("org_id = ? AND target_id IN ?", orgID, ids).Where(cond, args...).
		Distinct().Pluck("role", &roles).Error
	if err != nil {
		return "", false, postgres.Translate(err)
	}
	if len(roles) == 0 {
		return "", false, nil
	}
	for _, role := range roles {
		if role == string(files.RoleEditor) {
			return files.RoleEditor, true, nil
		}
	}
	return files.RoleViewer, true, nil
}

type linkRow struct {
	ID           uuid.UUID `gorm:"primaryKey"`
	OrgID        uuid.UUID
	TargetType   string
	FileID       *uuid.UUID
	FolderID     *uuid.UUID
	TargetID     uuid.UUID `gorm:"->"` // generated
	TokenHash    []byte
	PasswordHash *string
	ExpiresAt    *time.Time
	MaxDownloads int
	Downloads    int
	RevokedAt    *time.Time
	CreatedBy    uuid.UUID
	CreatedAt    time.Time
}

func (linkRow) TableName() string { return "share_links" }

func (r linkRow) domain() *files.Link {
	pw := ""
	if r.PasswordHash != nil {
		pw = *r.PasswordHash
	}
	terms := files.RehydrateLinkTerms(postgres.TimeOrZero(r.ExpiresAt).UTC(), r.MaxDownloads, pw != "")
	return files.RehydrateLink(r.ID, r.OrgID, files.Target{Type: files.TargetType(r.TargetType), ID: r.TargetID}, r.TokenHash, pw, terms,
		r.Downloads, postgres.TimeOrZero(r.RevokedAt).UTC(), r.CreatedBy, r.CreatedAt.UTC())
}

// Links stores share links and their unlock grants.
type Links struct{ db *gorm.DB }

// NewLinks returns the link repository.
func NewLinks(db *gorm.DB) *Links { return &Links{db} }

var _ files.LinkRepository = (*Links)(nil)

// Create implements files.LinkRepository.
func (r *Links) Create(ctx context.Context, l *files.Link) error {
	row := linkRow{ID: l.ID(), OrgID: l.OrgID(), TargetType: string(l.Target().Type), TokenHash: l.TokenHash(),
		PasswordHash: postgres.Nullable(l.PasswordHash()), ExpiresAt: postgres.NullableTime(l.Terms().ExpiresAt()),
		MaxDownloads: l.Terms().MaxDownloads(), Downloads: l.Downloads(), RevokedAt: postgres.NullableTime(l.RevokedAt()),
		CreatedBy: l.CreatedBy(), CreatedAt: l.CreatedAt()}
	row.FileID, row.FolderID = targetColumns(l.Target())
	err := postgres.Translate(postgres.Conn(ctx, r.db).Omit("TargetID").Create(&row).Error)
	if errs.Is(err, errs.NotFound) {
		return errs.Wrap(errs.NotFound, "not_found", string(l.Target().Type)+" not found", err)
	}
	return err
}

// Get implements files.LinkRepository.
func (r *Links) Get(ctx context.Context, orgID, id uuid.UUID) (*files.Link, error) {
	var row linkRow
	if err := postgres.Conn(ctx, r.db).Where("org_id = ? AND id = ?", orgID, id).Take(&row).Error; err != nil {
		return nil, notFound(err, "link")
	}
	return row.domain(), nil
}

// ByTokenHash implements files.LinkRepository.
func (r *Links) ByTokenHash(ctx context.Context, hash []byte) (*files.Link, error) {
	var rows []linkRow
	if err := postgres.Conn(ctx, r.db).Where("token_hash = ?", hash).Limit(1).Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return nil, files.ErrLinkUnavailable()
	}
	return rows[0].domain(), nil
}

// OfTarget implements files.LinkRepository.
func (r *Links) OfTarget(ctx context.Context, orgID uuid.UUID, t files.Target) ([]*files.Link, error) {
	var rows []linkRow
	err := postgres.Conn(ctx, r.db).Where("org_id = ? AND target_id = ? AND target_type = ?", orgID, t.ID, string(t.Type)).
		Order("created_at DESC, id").Find(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*files.Link, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// Revoke implements files.LinkRepository. The grants of the link go with it: they could no
// longer open anything.
func (r *Links) Revoke(ctx context.Context, l *files.Link) error {
	db := postgres.Conn(ctx, r.db)
	if err := postgres.NotFoundIfNone(db.Exec(`UPDATE share_links SET revoked_at = ? WHERE org_id = ? AND id = ? AND revoked_at IS NULL`,
		l.RevokedAt(), l.OrgID(), l.ID()), "link"); err != nil {
		return err
	}
	return postgres.Translate(db.Exec(`DELETE FROM share_link_grants WHERE org_id = ? AND link_id = ?`, l.OrgID(), l.ID()).Error)
}

// TakeDownload implements files.LinkRepository: the update matches only a link still usable at
// now, and PostgreSQL re-checks the condition on the row's latest version under its lock, so of
// concurrent downloads no more than the limit are counted.
func (r *Links) TakeDownload(ctx context.Context, l *files.Link, now time.Time) error {
	res := postgres.Conn(ctx, r.db).Exec(`UPDATE share_links SET downloads = downloads + 1
		WHERE org_id = ? AND id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
		AND (max_downloads = 0 OR downloads < max_downloads)`, l.OrgID(), l.ID(), now.UTC())
	if res.Error != nil {
		return postgres.Translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return files.ErrLinkUnavailable()
	}
	return nil
}

// AddGrant implements files.LinkRepository. The link's expired grants are removed on the way,
// so they never pile up.
func (r *Links) AddGrant(ctx context.Context, l *files.Link, hash []byte, expiresAt time.Time) error {
	db := postgres.Conn(ctx, r.db)
	if err := db.Exec(`DELETE FROM share_link_grants WHERE link_id = ? AND expires_at <= now()`, l.ID()).Error; err != nil {
		return postgres.Translate(err)
	}
	return postgres.Translate(db.Create(&grantRow{TokenHash: hash, OrgID: l.OrgID(), LinkID: l.ID(), ExpiresAt: expiresAt.UTC()}).Error)
}

type grantRow struct {
	TokenHash []byte `gorm:"primaryKey"`
	OrgID     uuid.UUID
	LinkID    uuid.UUID
	ExpiresAt time.Time
}

func (grantRow) TableName() string { return "share_link_grants" }

// HasGrant implements files.LinkRepository.
func (r *Links) HasGrant(ctx context.Context, l *files.Link, hash []byte, now time.Time) (bool, error) {
	var n int64
	err := postgres.Conn(ctx, r.db).Raw(`SELECT count(*) FROM share_link_grants WHERE token_hash = ? AND link_id = ? AND expires_at > ?`,
		hash, l.ID(), now.UTC()).Scan(&n).Error
	return n > 0, postgres.Translate(err)
}
