package tasks

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	apptasks "canopy/app/tasks"
	"canopy/domain/errs"
	"canopy/infra/postgres"
)

// Idempotency is the repository of idempotency keys.
type Idempotency struct{ db *gorm.DB }

// NewIdempotency returns it.
func NewIdempotency(db *gorm.DB) *Idempotency { return &Idempotency{db} }

var _ apptasks.IdempotencyRepository = (*Idempotency)(nil)

// Lookup implements apptasks.IdempotencyRepository: a transaction-scoped advisory lock on the
// key, then its row.
func (r *Idempotency) Lookup(ctx context.Context, orgID, principalID uuid.UUID, scope, key string, since time.Time) (apptasks.IdempotencyRecord, bool, error) {
	if !postgres.InTx(ctx) {
		return apptasks.IdempotencyRecord{}, false, errs.Internalf("idempotency Lookup outside a transaction")
	}
	db := postgres.Conn(ctx, r.db)
	if err := db.Exec(`SELECT pg_advisory_xact_lock(hashtextextended(?::text || '/' || ?::text || '/' || ? || '/' || ?, 0))`,
		orgID, principalID, scope, key).Error; err != nil {
		return apptasks.IdempotencyRecord{}, false, postgres.Translate(err)
	}
	var rows []apptasks.IdempotencyRecord
	if err := db.Raw(`SELECT org_id, principal_id, scope, key, request_hash, result_id, created_at FROM idempotency_keys
		WHERE org_id = ? AND principal_id = ? AND scope = ? AND key = ? AND created_at > ?`, orgID, principalID, scope, key, since).Scan(&rows).Error; err != nil {
		return apptasks.IdempotencyRecord{}, false, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return apptasks.IdempotencyRecord{}, false, nil
	}
	return rows[0], true, nil
}

// Save implements apptasks.IdempotencyRepository.
func (r *Idempotency) Save(ctx context.Context, rec apptasks.IdempotencyRecord) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Exec(`INSERT INTO idempotency_keys (org_id, principal_id, scope, key, request_hash, result_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, principal_id, scope, key) DO UPDATE
		SET request_hash = excluded.request_hash, result_id = excluded.result_id, created_at = excluded.created_at`,
		rec.OrgID, rec.PrincipalID, rec.Scope, rec.Key, rec.RequestHash, rec.ResultID, rec.CreatedAt).Error)
}

// Prune implements apptasks.IdempotencyRepository.
func (r *Idempotency) Prune(ctx context.Context, before time.Time) (int64, error) {
	res := postgres.Conn(ctx, r.db).Exec(`DELETE FROM idempotency_keys WHERE created_at < ?`, before)
	return res.RowsAffected, postgres.Translate(res.Error)
}
