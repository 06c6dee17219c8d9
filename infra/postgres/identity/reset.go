package identity

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/infra/postgres"
)

type resetRow struct {
	ID                uuid.UUID `gorm:"primaryKey"`
	UserID            uuid.UUID
	TokenHash         []byte
	CredentialVersion int64
	ExpiresAt         time.Time
	UsedAt            *time.Time
	CreatedAt         time.Time
}

func (resetRow) TableName() string { return "password_reset_tokens" }

// PasswordResets stores self-service password reset links.
type PasswordResets struct{ db *gorm.DB }

// NewPasswordResets returns the reset link repository.
func NewPasswordResets(db *gorm.DB) *PasswordResets { return &PasswordResets{db} }

// Replace implements identity.PasswordResetRepository.
func (r *PasswordResets) Replace(ctx context.Context, t *identity.PasswordResetToken) error {
	if err := r.EndForUser(ctx, t.UserID, t.CreatedAt); err != nil {
		return err
	}
	row := resetRow{t.ID, t.UserID, t.Hash, t.CredentialVersion, t.ExpiresAt, nil, t.CreatedAt}
	return postgres.Translate(postgres.Conn(ctx, r.db).Create(&row).Error)
}

// Consume implements identity.PasswordResetRepository: the conditional update is the check.
func (r *PasswordResets) Consume(ctx context.Context, hash []byte, now time.Time) (*identity.PasswordResetToken, error) {
	var rows []resetRow
	err := postgres.Conn(ctx, r.db).Raw(`UPDATE password_reset_tokens SET used_at = ?
		WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING *`, now.UTC(), hash, now.UTC()).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	if len(rows) != 1 {
		return nil, errs.NotFoundf("password reset link")
	}
	x := rows[0]
	return &identity.PasswordResetToken{ID: x.ID, UserID: x.UserID, Hash: x.TokenHash, CredentialVersion: x.CredentialVersion,
		ExpiresAt: x.ExpiresAt, CreatedAt: x.CreatedAt}, nil
}

// EndForUser implements identity.PasswordResetRepository.
func (r *PasswordResets) EndForUser(ctx context.Context, userID uuid.UUID, at time.Time) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Model(&resetRow{}).
		Where("user_id = ? AND used_at IS NULL", userID).Update("used_at", at.UTC()).Error)
}
