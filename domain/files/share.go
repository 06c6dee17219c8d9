package files

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

// TargetType says whether a share or a link is of a file or a folder.
type TargetType string

// The kinds of target. Their values are stored and appear in the API.
const (
	TargetFile   TargetType = "file"
	TargetFolder TargetType = "folder"
)

// ParseTargetType checks a target type given by a caller.
func ParseTargetType(s string) (TargetType, error) {
	switch t := TargetType(s); t {
	case TargetFile, TargetFolder:
		return t, nil
	}
	return "", errs.E(errs.Invalid, "invalid_target", "target_type: must be file or folder")
}

// Target is the file or folder a share or a link is of. A share of a folder reaches everything
// under it, now and later.
type Target struct {
	Type TargetType
	ID   uuid.UUID
}

// Check refuses a target without a known type or an id.
func (t Target) Check() error {
	if _, err := ParseTargetType(string(t.Type)); err != nil {
		return err
	}
	if t.ID == uuid.Nil {
		return errs.E(errs.Invalid, "invalid_target", "target_id: is required")
	}
	return nil
}

// PrincipalType says who a share is with.
type PrincipalType string

// The kinds of principal. A department's share reaches the members of its whole subtree.
const (
	PrincipalUser       PrincipalType = "user"
	PrincipalGroup      PrincipalType = "group"
	PrincipalDepartment PrincipalType = "department"
)

// ParsePrincipalType checks a principal type given by a caller.
func ParsePrincipalType(s string) (PrincipalType, error) {
	switch t := PrincipalType(s); t {
	case PrincipalUser, PrincipalGroup, PrincipalDepartment:
		return t, nil
	}
	return "", errs.E(errs.Invalid, "invalid_principal", "principal_type: must be user, group or department")
}

// Principal is a member, a sub-group or a department that something is shared with.
type Principal struct {
	Type PrincipalType
	ID   uuid.UUID
}

// Check refuses a principal without a known type or an id.
func (p Principal) Check() error {
	if _, err := ParsePrincipalType(string(p.Type)); err != nil {
		return err
	}
	if p.ID == uuid.Nil {
		return errs.E(errs.Invalid, "invalid_principal", "principal_id: is required")
	}
	return nil
}

// Role is what a share allows: a viewer reads and downloads, an editor also uploads, renames,
// moves and deletes (within the retention rules, like anyone).
type Role string

// The roles, the weaker first.
const (
	RoleViewer Role = "viewer"
	RoleEditor Role = "editor"
)

// ParseRole checks a role given by a caller.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleViewer, RoleEditor:
		return r, nil
	}
	return "", errs.E(errs.Invalid, "invalid_role", "role: must be viewer or editor")
}

// Share gives a principal a role on a file or a folder of the organisation.
type Share struct {
	id        uuid.UUID
	orgID     uuid.UUID
	target    Target
	principal Principal
	role      Role
	createdBy uuid.UUID
	createdAt time.Time
}

// NewShare returns a share of target with principal as role, made by createdBy. It checks the
// shape of its parts; whether the target and the principal exist in the organisation, and
// whether createdBy may give that role, are the app's to check.
func NewShare(orgID uuid.UUID, target Target, principal Principal, role Role, createdBy uuid.UUID, now time.Time) (*Share, error) {
	if err := target.Check(); err != nil {
		return nil, err
	}
	if err := principal.Check(); err != nil {
		return nil, err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return nil, err
	}
	return &Share{id: uuid.New(), orgID: orgID, target: target, principal: principal, role: role, createdBy: createdBy, createdAt: now.UTC()}, nil
}

// RehydrateShare rebuilds a stored share. It is for repository adapters only.
func RehydrateShare(id, orgID uuid.UUID, target Target, principal Principal, role Role, createdBy uuid.UUID, createdAt time.Time) *Share {
	return &Share{id, orgID, target, principal, role, createdBy, createdAt}
}

// ID returns the share's id.
func (s *Share) ID() uuid.UUID { return s.id }

// OrgID returns the organisation.
func (s *Share) OrgID() uuid.UUID { return s.orgID }

// Target returns the shared file or folder.
func (s *Share) Target() Target { return s.target }

// Principal returns who it is shared with.
func (s *Share) Principal() Principal { return s.principal }

// Role returns what the share allows.
func (s *Share) Role() Role { return s.role }

// SetRole changes what the share allows.
func (s *Share) SetRole(r Role) error {
	if _, err := ParseRole(string(r)); err != nil {
		return err
	}
	s.role = r
	return nil
}

// CreatedBy returns who shared it.
func (s *Share) CreatedBy() uuid.UUID { return s.createdBy }

// CreatedAt returns when it was shared.
func (s *Share) CreatedAt() time.Time { return s.createdAt }

// ShareRepository stores shares.
type ShareRepository interface {
	// Create stores a share: Conflict already_shared when the target is already shared with
	// the principal; NotFound when the target or the principal is not the organisation's.
	Create(ctx context.Context, s *Share) error
	// Get returns a share of the organisation; NotFound otherwise, also for another
	// organisation's id.
	Get(ctx context.Context, orgID, id uuid.UUID) (*Share, error)
	// UpdateRole stores a share's new role; NotFound when it is gone.
	UpdateRole(ctx context.Context, s *Share) error
	// Delete removes a share; NotFound when it is gone.
	Delete(ctx context.Context, s *Share) error
	// OfTarget returns the shares of a file or folder, oldest first.
	OfTarget(ctx context.Context, orgID uuid.UUID, t Target) ([]*Share, error)
	// With returns the shares with any of the principals, oldest first.
	With(ctx context.Context, orgID uuid.UUID, principals []Principal) ([]*Share, error)
	// Strongest returns the strongest role that shares of any of the targets give any of the
	// principals, and false when none does.
	Strongest(ctx context.Context, orgID uuid.UUID, principals []Principal, targets []Target) (Role, bool, error)
}

// LinkTokenBytes is how many random bytes a link's token carries: 192 bits, well past the 128
// that make guessing hopeless.
const LinkTokenBytes = 24

// CodeLinkUnavailable is the code of every refusal of a link to the public: unknown, expired,
// revoked or used up alike, so that a stranger learns nothing about which tokens exist.
const CodeLinkUnavailable = "link_unavailable"

// ErrLinkUnavailable is the one answer to a link that cannot be used.
func ErrLinkUnavailable() *errs.Error {
	return errs.E(errs.NotFound, CodeLinkUnavailable, "this link does not exist or is no longer available")
}

// NewSecret returns a random URL-safe secret of n bytes and the SHA-256 under which it is
// stored; the secret itself is never stored.
func NewSecret(n int) (secret string, hash []byte) {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret)
}

// HashSecret returns the stored form of a link's token or of an unlock grant.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Link is a share link: whoever holds its token may see the file, or the files under the
// folder, within its terms, after giving its password if it has one.
type Link struct {
	id           uuid.UUID
	orgID        uuid.UUID
	target       Target
	tokenHash    []byte
	passwordHash string
	terms        LinkTerms
	downloads    int
	revokedAt    time.Time
	createdBy    uuid.UUID
	createdAt    time.Time
}

// NewLink returns a link to target under terms, and its token, which is shown once and never
// stored. passwordHash is the argon2id hash of its password, "" for none; it must agree with
// the terms.
func NewLink(orgID uuid.UUID, target Target, terms LinkTerms, passwordHash string, createdBy uuid.UUID, now time.Time) (*Link, string, error) {
	if err := target.Check(); err != nil {
		return nil, "", err
	}
	if terms.PasswordRequired() != (passwordHash != "") {
		return nil, "", errs.Internalf("files: a link's terms and its password disagree")
	}
	token, hash := NewSecret(LinkTokenBytes)
	return &Link{id: uuid.New(), orgID: orgID, target: target, tokenHash: hash, passwordHash: passwordHash, terms: terms,
		createdBy: createdBy, createdAt: now.UTC()}, token, nil
}

// RehydrateLink rebuilds a stored link. It is for repository adapters only.
func RehydrateLink(id, orgID uuid.UUID, target Target, tokenHash []byte, passwordHash string, terms LinkTerms, downloads int, revokedAt time.Time, createdBy uuid.UUID, createdAt time.Time) *Link {
	return &Link{id, orgID, target, tokenHash, passwordHash, terms, downloads, revokedAt, createdBy, createdAt}
}

// ID returns the link's id.
func (l *Link) ID() uuid.UUID { return l.id }

// OrgID returns the organisation.
func (l *Link) OrgID() uuid.UUID { return l.orgID }

// Target returns the file or folder it opens.
func (l *Link) Target() Target { return l.target }

// TokenHash returns the SHA-256 of its token.
func (l *Link) TokenHash() []byte { return l.tokenHash }

// PasswordHash returns the argon2id hash of its password, "" for none.
func (l *Link) PasswordHash() string { return l.passwordHash }

// Terms returns its expiry, download limit and whether it has a password.
func (l *Link) Terms() LinkTerms { return l.terms }

// Downloads returns how many downloads it has served.
func (l *Link) Downloads() int { return l.downloads }

// RevokedAt returns when it was revoked; zero while it is not.
func (l *Link) RevokedAt() time.Time { return l.revokedAt }

// CreatedBy returns who made it.
func (l *Link) CreatedBy() uuid.UUID { return l.createdBy }

// CreatedAt returns when it was made.
func (l *Link) CreatedAt() time.Time { return l.createdAt }

// LinkState says whether a link can be used and, if not, why. Only the link's makers see it;
// the public gets link_unavailable for all alike.
type LinkState string

// The states of a link.
const (
	LinkActive  LinkState = "active"
	LinkRevoked LinkState = "revoked"
	LinkExpired LinkState = "expired"
	LinkUsedUp  LinkState = "used_up"
)

// State returns the link's state at now.
func (l *Link) State(now time.Time) LinkState {
	switch {
	case !l.revokedAt.IsZero():
		return LinkRevoked
	case !l.terms.expiresAt.IsZero() && !now.Before(l.terms.expiresAt):
		return LinkExpired
	case l.terms.maxDownloads > 0 && l.downloads >= l.terms.maxDownloads:
		return LinkUsedUp
	}
	return LinkActive
}

// Check refuses a link that cannot be used at now (revoked, expired or used up) with
// ErrLinkUnavailable.
func (l *Link) Check(now time.Time) error {
	if l.State(now) != LinkActive {
		return ErrLinkUnavailable()
	}
	return nil
}

// CountDownload counts one download at now, refused as Check refuses. The repository's
// TakeDownload does the same in one statement, so that concurrent downloads cannot pass the
// limit together.
func (l *Link) CountDownload(now time.Time) error {
	if err := l.Check(now); err != nil {
		return err
	}
	l.downloads++
	return nil
}

// Revoke ends the link at now; a link already revoked keeps its first date.
func (l *Link) Revoke(now time.Time) {
	if l.revokedAt.IsZero() {
		l.revokedAt = now.UTC()
	}
}

// LinkRepository stores share links and the grants of those unlocked with their password.
type LinkRepository interface {
	// Create stores a link; NotFound when its target is not the organisation's.
	Create(ctx context.Context, l *Link) error
	// Get returns a link of the organisation; NotFound otherwise, also for another
	// organisation's id.
	Get(ctx context.Context, orgID, id uuid.UUID) (*Link, error)
	// ByTokenHash returns the link whose token has this hash, in whichever organisation;
	// ErrLinkUnavailable when there is none.
	ByTokenHash(ctx context.Context, hash []byte) (*Link, error)
	// OfTarget returns the links of a file or folder, newest first.
	OfTarget(ctx context.Context, orgID uuid.UUID, t Target) ([]*Link, error)
	// Revoke stores the link's revocation.
	Revoke(ctx context.Context, l *Link) error
	// TakeDownload counts one download of the link at now, in one statement that refuses
	// (ErrLinkUnavailable) a link revoked, expired or used up by then.
	TakeDownload(ctx context.Context, l *Link, now time.Time) error
	// AddGrant records an unlock of the link: a secret's hash valid until expiresAt.
	AddGrant(ctx context.Context, l *Link, hash []byte, expiresAt time.Time) error
	// HasGrant reports whether a secret's hash is an unlock of the link still valid at now.
	HasGrant(ctx context.Context, l *Link, hash []byte, now time.Time) (bool, error)
}
