package identity

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

// Activation link limits (ASVS 6.4: a first credential handed over by link is random, used once
// and expires).
const (
	DefaultActivationTTL = 72 * time.Hour
	MaxActivationTTL     = 30 * 24 * time.Hour
)

// ErrActivationInvalid is what every activation link that cannot be used answers, whatever the
// reason (unknown, used, replaced, expired, or the account disabled or activated already), so a
// link tells its holder nothing about the account.
func ErrActivationInvalid() error {
	return errs.E(errs.NotFound, "activation_invalid", "this activation link is not valid; ask your administrator for a new one")
}

// ActivationToken lets the person of an account without a password set their first one. Only
// the hash of its secret is stored; the secret is shown once, to the administrator who asked
// for it, who hands the link over until Canopy sends email.
type ActivationToken struct {
	id        uuid.UUID
	userID    uuid.UUID
	orgID     uuid.UUID
	createdBy uuid.UUID
	hash      []byte
	expiresAt time.Time
	usedAt    *time.Time
	createdAt time.Time
}

// NewActivationToken makes a link for an account, issued by a member of an organisation
// (createdBy uuid.Nil at the shell), and returns it with its secret (256 random bits). A ttl of
// zero takes the default.
func NewActivationToken(userID, orgID, createdBy uuid.UUID, ttl time.Duration, now time.Time) (*ActivationToken, string, error) {
	if ttl == 0 {
		ttl = DefaultActivationTTL
	}
	if ttl < 0 || ttl > MaxActivationTTL {
		return nil, "", errs.E(errs.Invalid, "invalid_expiry", "an activation link lasts between a moment and 30 days")
	}
	secret, hash := NewSecret("")
	now = now.UTC()
	return &ActivationToken{id: uuid.New(), userID: userID, orgID: orgID, createdBy: createdBy, hash: hash, expiresAt: now.Add(ttl), createdAt: now}, secret, nil
}

// RehydrateActivationToken rebuilds a stored link. It is for repository adapters only.
func RehydrateActivationToken(id, userID, orgID, createdBy uuid.UUID, hash []byte, expiresAt time.Time, usedAt *time.Time, createdAt time.Time) *ActivationToken {
	return &ActivationToken{id, userID, orgID, createdBy, hash, expiresAt, usedAt, createdAt}
}

// ID returns the link's id.
func (t *ActivationToken) ID() uuid.UUID { return t.id }

// UserID returns the account it activates.
func (t *ActivationToken) UserID() uuid.UUID { return t.userID }

// OrgID returns the organisation whose administrator issued it.
func (t *ActivationToken) OrgID() uuid.UUID { return t.orgID }

// CreatedBy returns the member who issued it, or uuid.Nil at the shell.
func (t *ActivationToken) CreatedBy() uuid.UUID { return t.createdBy }

// Hash returns the stored hash of the secret.
func (t *ActivationToken) Hash() []byte { return t.hash }

// ExpiresAt returns when it stops working.
func (t *ActivationToken) ExpiresAt() time.Time { return t.expiresAt }

// UsedAt returns when it was used, or nil.
func (t *ActivationToken) UsedAt() *time.Time { return t.usedAt }

// CreatedAt returns when it was issued.
func (t *ActivationToken) CreatedAt() time.Time { return t.createdAt }

// Usable reports whether the link may still be used at now.
func (t *ActivationToken) Usable(now time.Time) bool {
	return t.usedAt == nil && now.Before(t.expiresAt)
}

// ActivationRepository stores activation links.
type ActivationRepository interface {
	// Replace stores a new link and ends every unused link of the same account, so only the
	// newest one works.
	Replace(ctx context.Context, t *ActivationToken) error
	// GetByHash returns a link by the hash of its secret; NotFound if there is none.
	GetByHash(ctx context.Context, hash []byte) (*ActivationToken, error)
	// Consume marks a link used, atomically: of concurrent calls for one link, one succeeds and
	// the others get NotFound, as does a link that is used or expired at now.
	Consume(ctx context.Context, id uuid.UUID, now time.Time) error
	// EndForUser ends every unused link of an account (it was disabled or got a password).
	EndForUser(ctx context.Context, userID uuid.UUID, at time.Time) error
}

// EmailDomain returns the domain of a normalised email address ("acme.com" for
// "ada@acme.com"), or "" when there is none.
func EmailDomain(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(email[at+1:])
}
