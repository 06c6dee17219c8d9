package files

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	appfiles "canopy/app/files"
	"canopy/domain/errs"
	"canopy/domain/files"
	"canopy/infra/postgres"
)

// TusUploads keeps the state of tus uploads in their rows of the uploads table, which
// Store.Reserve creates and Store.Release deletes. Every write but the sweeper's claim is
// conditioned on the request's lease, so two requests never write one upload's state at once,
// and none of them holds a transaction open while bytes flow.
type TusUploads struct{ db *gorm.DB }

// NewTusUploads returns the tus upload repository.
func NewTusUploads(db *gorm.DB) *TusUploads { return &TusUploads{db} }

var _ appfiles.TusStore = (*TusUploads)(nil)

const tusCols = `id, org_id, user_id, space_id, folder_id, filename, length, "offset", object_key, multipart_id, parts, tail,
	hash_state, head, metadata, expires_at`

type tusRow struct {
	ID          uuid.UUID
	OrgID       uuid.UUID
	UserID      uuid.UUID
	SpaceID     uuid.UUID
	FolderID    *uuid.UUID
	Filename    string
	Length      int64
	Offset      int64
	ObjectKey   string
	MultipartID string
	Parts       string
	Tail        string
	HashState   []byte
	Head        []byte
	Metadata    string
	ExpiresAt   time.Time
}

type partJSON struct {
	Number int    `json:"n"`
	ETag   string `json:"etag"`
	Size   int64  `json:"size"`
}

type tailJSON struct {
	Version string `json:"version"`
	Size    int64  `json:"size"`
}

func (r tusRow) upload() (appfiles.TusUpload, error) {
	var parts []partJSON
	var tail []tailJSON
	if err := json.Unmarshal([]byte(r.Parts), &parts); err != nil {
		return appfiles.TusUpload{}, errs.Internalf("files: upload %s: parts: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.Tail), &tail); err != nil {
		return appfiles.TusUpload{}, errs.Internalf("files: upload %s: tail: %w", r.ID, err)
	}
	u := appfiles.TusUpload{ID: r.ID, OrgID: r.OrgID, UserID: r.UserID, SpaceID: r.SpaceID, FolderID: idOrNil(r.FolderID),
		Filename: r.Filename, Length: r.Length, Offset: r.Offset, ObjectKey: files.ObjectKey(r.ObjectKey), MultipartID: r.MultipartID,
		HashState: r.HashState, Head: r.Head, Metadata: r.Metadata, ExpiresAt: r.ExpiresAt.UTC()}
	for _, p := range parts {
		u.Parts = append(u.Parts, appfiles.TusPart{Number: p.Number, ETag: p.ETag, Size: p.Size})
	}
	for _, t := range tail {
		u.Tail = append(u.Tail, appfiles.TusTail{VersionID: t.Version, Size: t.Size})
	}
	// The offset is the parts' and the tail's bytes; a row that says otherwise cannot be
	// resumed safely.
	var stored int64
	for _, p := range u.Parts {
		stored += p.Size
	}
	for _, t := range u.Tail {
		stored += t.Size
	}
	if stored != u.Offset {
		return appfiles.TusUpload{}, errs.Internalf("files: upload %s: offset %d but %d bytes in its parts and tail", r.ID, u.Offset, stored)
	}
	return u, nil
}

func tusUploads(rows []tusRow) ([]appfiles.TusUpload, error) {
	out := make([]appfiles.TusUpload, 0, len(rows))
	for _, r := range rows {
		u, err := r.upload()
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// errLeaseLost is a write by a request whose lease another one has taken.
func errLeaseLost() error {
	return errs.E(errs.Conflict, appfiles.CodeUploadBusy, "another request is writing to this upload; retry shortly")
}

// Get implements appfiles.TusStore.
func (r *TusUploads) Get(ctx context.Context, orgID, userID, id uuid.UUID) (appfiles.TusUpload, error) {
	var rows []tusRow
	err := postgres.Conn(ctx, r.db).Raw(`SELECT `+tusCols+` FROM uploads WHERE org_id = ? AND id = ? AND user_id = ? AND kind = 'tus'`,
		orgID, id, userID).Scan(&rows).Error
	if err != nil {
		return appfiles.TusUpload{}, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return appfiles.TusUpload{}, errs.NotFoundf("upload")
	}
	return rows[0].upload()
}

// SetMetadata implements appfiles.TusStore.
func (r *TusUploads) SetMetadata(ctx context.Context, orgID, id uuid.UUID, metadata string) error {
	return postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Exec(`UPDATE uploads SET metadata = ? WHERE org_id = ? AND id = ? AND kind = 'tus'`,
		metadata, orgID, id), "upload")
}

// Claim implements appfiles.TusStore in one statement, so that two requests cannot both take
// the lease.
func (r *TusUploads) Claim(ctx context.Context, c appfiles.TusClaim) (appfiles.TusUpload, bool, error) {
	cond, args := `org_id = ? AND id = ? AND user_id = ? AND kind = 'tus' AND expires_at > ? AND (lease IS NULL OR lease_until <= ?)`,
		[]any{c.OrgID, c.ID, c.UserID, c.Now, c.Now}
	if c.Offset >= 0 {
		cond += ` AND "offset" = ?`
		args = append(args, c.Offset)
	}
	var rows []tusRow
	err := postgres.Conn(ctx, r.db).Raw(`UPDATE uploads SET lease = ?, lease_until = ? WHERE `+cond+` RETURNING `+tusCols,
		append([]any{c.Lease, c.Until}, args...)...).Scan(&rows).Error
	if err != nil {
		return appfiles.TusUpload{}, false, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return appfiles.TusUpload{}, false, nil
	}
	u, err := rows[0].upload()
	return u, err == nil, err
}

// Save implements appfiles.TusStore.
func (r *TusUploads) Save(ctx context.Context, u appfiles.TusUpload, lease uuid.UUID, until time.Time) error {
	parts := make([]partJSON, 0, len(u.Parts))
	for _, p := range u.Parts {
		parts = append(parts, partJSON{Number: p.Number, ETag: p.ETag, Size: p.Size})
	}
	tail := make([]tailJSON, 0, len(u.Tail))
	for _, t := range u.Tail {
		tail = append(tail, tailJSON{Version: t.VersionID, Size: t.Size})
	}
	pj, err := json.Marshal(parts)
	if err != nil {
		return errs.Internalf("files: upload %s: parts: %w", u.ID, err)
	}
	tj, err := json.Marshal(tail)
	if err != nil {
		return errs.Internalf("files: upload %s: tail: %w", u.ID, err)
	}
	res := postgres.Conn(ctx, r.db).Exec(`UPDATE uploads SET "offset" = ?, multipart_id = ?, parts = ?::jsonb, tail = ?::jsonb, hash_state = ?,
		head = ?, expires_at = ?, updated_at = now(), lease_until = ? WHERE org_id = ? AND id = ? AND lease = ?`,
		u.Offset, u.MultipartID, string(pj), string(tj), u.HashState, u.Head, u.ExpiresAt, until, u.OrgID, u.ID, lease)
	if res.Error != nil {
		return postgres.Translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return errLeaseLost()
	}
	return nil
}

// Extend implements appfiles.TusStore.
func (r *TusUploads) Extend(ctx context.Context, orgID, id, lease uuid.UUID, until time.Time) error {
	res := postgres.Conn(ctx, r.db).Exec(`UPDATE uploads SET lease_until = ? WHERE org_id = ? AND id = ? AND lease = ?`, until, orgID, id, lease)
	if res.Error != nil {
		return postgres.Translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return errLeaseLost()
	}
	return nil
}

// Unlock implements appfiles.TusStore.
func (r *TusUploads) Unlock(ctx context.Context, orgID, id, lease uuid.UUID) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Exec(`UPDATE uploads SET lease = NULL, lease_until = NULL WHERE org_id = ? AND id = ? AND lease = ?`,
		orgID, id, lease).Error)
}

// ClaimExpired implements appfiles.TusStore. SKIP LOCKED leaves a row a request is updating
// at this instant to the next pass.
func (r *TusUploads) ClaimExpired(ctx context.Context, now time.Time, lease uuid.UUID, until time.Time, limit int) ([]appfiles.TusUpload, error) {
	var rows []tusRow
	err := postgres.Conn(ctx, r.db).Raw(`UPDATE uploads SET lease = ?, lease_until = ? WHERE id IN (
			SELECT id FROM uploads WHERE kind = 'tus' AND expires_at <= ? AND (lease IS NULL OR lease_until <= ?)
			ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED)
		RETURNING `+tusCols, lease, until, now, now, limit).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	return tusUploads(rows)
}

// Owned implements appfiles.TusStore.
func (r *TusUploads) Owned(ctx context.Context, keys []string) (map[string]bool, error) {
	out := make(map[string]bool, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	var found []string
	if err := postgres.Conn(ctx, r.db).Raw(`SELECT object_key FROM uploads WHERE object_key IN ?`, keys).Scan(&found).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	for _, k := range found {
		out[k] = true
	}
	return out, nil
}
