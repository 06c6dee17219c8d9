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

type activationRow struct {
	ID        uuid.UUID `gorm:"primaryKey"`
	UserID    uuid.UUID
	OrgID     uuid.UUID
	CreatedBy *uuid.UUID
	TokenHash []byte
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

func (activationRow) TableName() string { return "activation_tokens" }

// Activations stores activation links.
type Activations struct{ db *gorm.DB }

// NewActivations returns the activation link repository.
func NewActivations(db *gorm.DB) *Activations { return &Activations{db} }

// Replace implements identity.ActivationRepository: the older unused links of the account are
// marked used in the same statement batch, so only the newest one works.
func (r *Activations) Replace(ctx context.Context, t *identity.ActivationToken) error {
	c := postgres.Conn(ctx, r.db)
	if err := r.EndForUser(ctx, t.UserID(), t.CreatedAt()); err != nil {
		return err
	}
	row := activationRow{t.ID(), t.UserID(), t.OrgID(), postgres.NullableID(t.CreatedBy()), t.Hash(), t.ExpiresAt(), t.UsedAt(), t.CreatedAt()}
	return postgres.Translate(c.Create(&row).Error)
}

// GetByHash implements identity.ActivationRepository.
func (r *Activations) GetByHash(ctx context.Context, hash []byte) (*identity.ActivationToken, error) {
	var row activationRow
	if err := postgres.Conn(ctx, r.db).Take(&row, "token_hash = ?", hash).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	var by uuid.UUID
	if row.CreatedBy != nil {
		by = *row.CreatedBy
	}
	return identity.RehydrateActivationToken(row.ID, row.UserID, row.OrgID, by, row.TokenHash, row.ExpiresAt, row.UsedAt, row.CreatedAt), nil
}

// Consume implements identity.ActivationRepository: the conditional update is the check, so of
// two uses racing for one link, the second finds it used once the first commits.
func (r *Activations) Consume(ctx context.Context, id uuid.UUID, now time.Time) error {
	res := postgres.Conn(ctx, r.db).Model(&activationRow{}).
		Where("id = ? AND used_at IS NULL AND expires_at > ?", id, now.UTC()).
		Update("used_at", now.UTC())
	if res.Error != nil {
		return postgres.Translate(res.Error)
	}
	if res.RowsAffected != 1 {
		return errs.NotFoundf("activation link")
	}
	return nil
}

// EndForUser implements identity.ActivationRepository.
func (r *Activations) EndForUser(ctx context.Context, userID uuid.UUID, at time.Time) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Model(&activationRow{}).
		Where("user_id = ? AND used_at IS NULL", userID).Update("used_at", at.UTC()).Error)
}
