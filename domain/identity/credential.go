package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/text"
)

// NewSecret returns a random secret of 256 bits, URL-safe, with the given prefix (which makes a
// leaked token recognisable by secret scanners), and the hash under which it is stored.
func NewSecret(prefix string) (secret string, hash []byte) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	secret = prefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, HashSecret(secret)
}

// HashSecret returns the stored form of a secret. Secrets carry 256 bits of entropy, so a fast
// hash is enough: there is nothing to brute-force.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Session is a signed-in browser. The token itself is never stored, only its hash.
type Session struct {
	ID         uuid.UUID
	UserID     uuid.UUID
	TokenHash  []byte
	CSRFHash   []byte
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IP         string
	UserAgent  string
	// CredentialVersion is the account's credential version when the session was made: the
	// session works only while the account is still at it (User.EndCredentials).
	CredentialVersion int64
}

// Valid reports whether the session may still be used at now, given the idle timeout.
func (s *Session) Valid(now time.Time, idle time.Duration) bool {
	return now.Before(s.ExpiresAt) && now.Before(s.LastSeenAt.Add(idle))
}

// SessionRepository stores sessions.
type SessionRepository interface {
	// Create stores a session.
	Create(ctx context.Context, s *Session) error
	// GetWithUser returns a session and its user in one read (every request asks); NotFound if
	// there is no session.
	GetWithUser(ctx context.Context, hash []byte) (*Session, *User, error)
	// Touch records activity on a session.
	Touch(ctx context.Context, id uuid.UUID, at time.Time) error
	// Delete ends one session; deleting a missing session is not an error.
	Delete(ctx context.Context, id uuid.UUID) error
	// DeleteByUser ends every session of a user except keep (uuid.Nil keeps none).
	DeleteByUser(ctx context.Context, userID, keep uuid.UUID) error
	// Restamp moves a session to another credential version: the one a person changes their
	// password in goes on under the new version. A missing session is not an error.
	Restamp(ctx context.Context, id uuid.UUID, version int64) error
}

// Token scopes. An API token's scopes can only narrow what its owner may do: "api" leaves the
// owner's permissions whole, "scim" is for /scim/v2 only, and permission names ("directory.read")
// narrow an API token to those.
const (
	ScopeAPI  = "api"
	ScopeSCIM = "scim"
)

// APIToken lets a program act as one member of one organisation.
type APIToken struct {
	id     uuid.UUID
	orgID  uuid.UUID
	userID uuid.UUID
	// credentialVersion is its owner's credential version when it was made: the token works
	// only while the account is still at it (User.EndCredentials).
	credentialVersion int64
	name              string
	scopes            []string
	hash              []byte
	expiresAt         *time.Time
	lastUsedAt        *time.Time
	revokedAt         *time.Time
	createdAt         time.Time
}

// NewAPIToken makes a token for a member and returns it with its secret, which is shown once.
// credentialVersion is the version of the member's credentials that the creator was
// authenticated under (User.CredentialVersion). ttl of zero means the token never expires.
func NewAPIToken(orgID, userID uuid.UUID, credentialVersion int64, name string, scopes []string, ttl time.Duration, now time.Time) (*APIToken, string, error) {
	name, err := text.Name("name", name)
	if err != nil {
		return nil, "", err
	}
	if n := utf8.RuneCountInString(name); n == 0 || n > 100 {
		return nil, "", errs.E(errs.Invalid, "invalid_token_name", "name must be 1 to 100 characters")
	}
	if len(scopes) == 0 {
		scopes = []string{ScopeAPI}
	}
	for _, s := range scopes {
		if _, err := access.ParsePermission(s); s != ScopeAPI && s != ScopeSCIM && err != nil {
			return nil, "", errs.E(errs.Invalid, "invalid_scope", `a scope is "api", "scim" or a permission such as "directory.read"`)
		}
	}
	if ttl < 0 {
		return nil, "", errs.E(errs.Invalid, "invalid_expiry", "expiry must be in the future")
	}
	now = now.UTC()
	t := &APIToken{id: uuid.New(), orgID: orgID, userID: userID, credentialVersion: credentialVersion, name: name, scopes: scopes, createdAt: now}
	if ttl > 0 {
		exp := now.Add(ttl)
		t.expiresAt = &exp
	}
	secret, hash := NewSecret("cnp_")
	t.hash = hash
	return t, secret, nil
}

// RehydrateAPIToken rebuilds a stored token. It is for repository adapters only.
func RehydrateAPIToken(id, orgID, userID uuid.UUID, credentialVersion int64, name string, scopes []string, hash []byte, expiresAt, lastUsedAt, revokedAt *time.Time, createdAt time.Time) *APIToken {
	return &APIToken{id, orgID, userID, credentialVersion, name, scopes, hash, expiresAt, lastUsedAt, revokedAt, createdAt}
}

// ID returns the token's id.
func (t *APIToken) ID() uuid.UUID { return t.id }

// OrgID returns the organisation the token is bound to.
func (t *APIToken) OrgID() uuid.UUID { return t.orgID }

// UserID returns the member the token acts as.
func (t *APIToken) UserID() uuid.UUID { return t.userID }

// CredentialVersion returns its owner's credential version when it was made.
func (t *APIToken) CredentialVersion() int64 { return t.credentialVersion }

// Name returns the label its owner gave it.
func (t *APIToken) Name() string { return t.name }

// Scopes returns what the token may be used for.
func (t *APIToken) Scopes() []string { return t.scopes }

// Hash returns the stored hash of the secret.
func (t *APIToken) Hash() []byte { return t.hash }

// ExpiresAt returns when the token stops working, or nil.
func (t *APIToken) ExpiresAt() *time.Time { return t.expiresAt }

// LastUsedAt returns when the token was last used, or nil.
func (t *APIToken) LastUsedAt() *time.Time { return t.lastUsedAt }

// RevokedAt returns when the token was revoked, or nil.
func (t *APIToken) RevokedAt() *time.Time { return t.revokedAt }

// CreatedAt returns when the token was made.
func (t *APIToken) CreatedAt() time.Time { return t.createdAt }

// Usable reports whether the token may authenticate a request at now.
func (t *APIToken) Usable(now time.Time) bool {
	return t.revokedAt == nil && (t.expiresAt == nil || now.Before(*t.expiresAt))
}

// HasScope reports whether the token carries a scope.
func (t *APIToken) HasScope(scope string) bool {
	for _, s := range t.scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// TokenRepository stores API tokens.
type TokenRepository interface {
	// Create stores a token.
	Create(ctx context.Context, t *APIToken) error
	// GetByHash returns a token by the hash of its secret; NotFound if there is none.
	GetByHash(ctx context.Context, hash []byte) (*APIToken, error)
	// ListByMember returns a member's tokens in an organisation, newest first.
	ListByMember(ctx context.Context, orgID, userID uuid.UUID) ([]*APIToken, error)
	// Revoke revokes one of a member's tokens; NotFound if the member has no such token.
	Revoke(ctx context.Context, orgID, userID, id uuid.UUID, at time.Time) error
	// RevokeByMember revokes every token a member has in an organisation.
	RevokeByMember(ctx context.Context, orgID, userID uuid.UUID, at time.Time) error
	// ListByOrg returns an organisation's tokens that carry scope, whoever made them, newest
	// first.
	ListByOrg(ctx context.Context, orgID uuid.UUID, scope string) ([]*APIToken, error)
	// RevokeInOrg revokes a token of the organisation that carries scope, whoever made it;
	// NotFound if the organisation has no such token.
	RevokeInOrg(ctx context.Context, orgID uuid.UUID, scope string, id uuid.UUID, at time.Time) error
	// Touch records that a token was used.
	Touch(ctx context.Context, id uuid.UUID, at time.Time) error
	// Restamp moves a user's tokens made under credential version from to version to: a person
	// who changes their password ends their other sessions, not their tokens.
	Restamp(ctx context.Context, userID uuid.UUID, from, to int64) error
}
