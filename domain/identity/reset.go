package identity

import (
	"context"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

// PasswordResetTTL is how long a self-service password reset link works.
const PasswordResetTTL = 30 * time.Minute

// ErrPasswordResetInvalid is what every reset link that cannot be used answers, whatever the
// reason (unknown, used, replaced, expired, the password changed since, the account disabled).
func ErrPasswordResetInvalid() error {
	return errs.E(errs.NotFound, "reset_invalid", "this password reset link is not valid any more; ask for a new one")
}

// PasswordResetToken lets the person of an account set a new password by proving they read its
// email. Only the hash of its secret (256 random bits) is stored. It is bound to the account's
// credential version when it was issued, so a password change in between ends it.
type PasswordResetToken struct {
	ID                uuid.UUID
	UserID            uuid.UUID
	Hash              []byte
	CredentialVersion int64
	ExpiresAt         time.Time
	CreatedAt         time.Time
}

// NewPasswordResetToken makes a reset link for an account at its present credential version and
// returns it with its secret, which only the email carries.
func NewPasswordResetToken(u *User, now time.Time) (*PasswordResetToken, string) {
	secret, hash := NewSecret("")
	now = now.UTC()
	return &PasswordResetToken{ID: uuid.New(), UserID: u.ID(), Hash: hash, CredentialVersion: u.CredentialVersion(),
		ExpiresAt: now.Add(PasswordResetTTL), CreatedAt: now}, secret
}

// PasswordResetRepository stores reset links.
type PasswordResetRepository interface {
	// Replace stores a new link and ends the account's unused ones, so only the newest works.
	Replace(ctx context.Context, t *PasswordResetToken) error
	// Consume marks the link with this hash used, atomically, and returns it: of concurrent
	// calls one succeeds and the others get NotFound, as does an unknown, used or expired link.
	Consume(ctx context.Context, hash []byte, now time.Time) (*PasswordResetToken, error)
	// EndForUser ends every unused link of an account.
	EndForUser(ctx context.Context, userID uuid.UUID, at time.Time) error
}
