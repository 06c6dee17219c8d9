package org

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/identity"
)

// Invitation limits.
const (
	DefaultInviteUses  = 50
	MaxInviteUses      = 10000
	DefaultInviteTTL   = 7 * 24 * time.Hour
	MaxInviteTTL       = 30 * 24 * time.Hour
	invitationNotFound = "invitation"
)

// Invitation is a link that lets people join an organisation. Only the hash of its token is
// stored.
type Invitation struct {
	id        uuid.UUID
	orgID     uuid.UUID
	tokenHash []byte
	role      Role
	maxUses   int
	uses      int
	expiresAt time.Time
	revokedAt *time.Time
	createdBy uuid.UUID
	createdAt time.Time
	// email binds the invitation to one person: only the account with this email may accept
	// it. "" is a link that anyone holding it may use.
	email string
}

// NewInvitation validates its terms and returns an invitation. maxUses 0 and ttl 0 take the
// defaults.
func NewInvitation(orgID, createdBy uuid.UUID, role Role, maxUses int, ttl time.Duration, tokenHash []byte, now time.Time) (*Invitation, error) {
	if maxUses == 0 {
		maxUses = DefaultInviteUses
	}
	if maxUses < 1 || maxUses > MaxInviteUses {
		return nil, errs.E(errs.Invalid, "invalid_max_uses", "max_uses must be between 1 and 10000")
	}
	if ttl == 0 {
		ttl = DefaultInviteTTL
	}
	if ttl < time.Hour || ttl > MaxInviteTTL {
		return nil, errs.E(errs.Invalid, "invalid_expiry", "expires_in_hours must be between 1 and 720")
	}
	if role == RoleOwner {
		return nil, errs.E(errs.Invalid, "invalid_role", `role must be "admin", "member" or "guest"`)
	}
	now = now.UTC()
	return &Invitation{
		id: uuid.New(), orgID: orgID, tokenHash: tokenHash, role: role, maxUses: maxUses,
		expiresAt: now.Add(ttl), createdBy: createdBy, createdAt: now,
	}, nil
}

// NewEmailInvitation returns an invitation for the one person with an email address, made when
// provisioning meets an account that the organisation does not manage: it is used once, by that
// account, and until then the organisation learns nothing about the account. email is
// normalised (identity.NormalizeEmail), so the invitation guards itself whoever calls it.
func NewEmailInvitation(orgID, createdBy uuid.UUID, role Role, email string, tokenHash []byte, now time.Time) (*Invitation, error) {
	email, err := identity.NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	i, err := NewInvitation(orgID, createdBy, role, 1, DefaultInviteTTL, tokenHash, now)
	if err != nil {
		return nil, err
	}
	i.email = email
	return i, nil
}

// RehydrateInvitation rebuilds a stored invitation. It is for repository adapters only.
func RehydrateInvitation(id, orgID uuid.UUID, tokenHash []byte, role Role, maxUses, uses int, expiresAt time.Time, revokedAt *time.Time, createdBy uuid.UUID, createdAt time.Time, email string) *Invitation {
	return &Invitation{id, orgID, tokenHash, role, maxUses, uses, expiresAt, revokedAt, createdBy, createdAt, email}
}

// Email returns the address of the one person the invitation is for, or "" for a link anyone
// holding it may use.
func (i *Invitation) Email() string { return i.email }

// CheckAccount reports whether the account with email may accept the invitation: anyone may
// accept a link; an invitation for one person only they may.
func (i *Invitation) CheckAccount(email string) error {
	if i.email != "" && !strings.EqualFold(i.email, email) {
		return errs.E(errs.Forbidden, "invitation_for_another_account", "this invitation is for another email address; sign in with the account it was sent to")
	}
	return nil
}

// ID returns the invitation's id.
func (i *Invitation) ID() uuid.UUID { return i.id }

// OrgID returns the organisation it invites to.
func (i *Invitation) OrgID() uuid.UUID { return i.orgID }

// TokenHash returns the hash of the link's token.
func (i *Invitation) TokenHash() []byte { return i.tokenHash }

// Role returns the role it grants.
func (i *Invitation) Role() Role { return i.role }

// MaxUses returns how many people may join with it.
func (i *Invitation) MaxUses() int { return i.maxUses }

// Uses returns how many people have joined with it.
func (i *Invitation) Uses() int { return i.uses }

// ExpiresAt returns when it stops working.
func (i *Invitation) ExpiresAt() time.Time { return i.expiresAt }

// RevokedAt returns when it was revoked, or nil.
func (i *Invitation) RevokedAt() *time.Time { return i.revokedAt }

// CreatedBy returns the member who made it.
func (i *Invitation) CreatedBy() uuid.UUID { return i.createdBy }

// CreatedAt returns when it was made.
func (i *Invitation) CreatedAt() time.Time { return i.createdAt }

// Check reports why the invitation cannot be used at now, or nil if it can.
func (i *Invitation) Check(now time.Time) error {
	switch {
	case i.revokedAt != nil:
		return errs.NotFoundf(invitationNotFound)
	case !now.Before(i.expiresAt):
		return errs.E(errs.Conflict, "invitation_expired", "this invitation has expired; ask for a new one")
	case i.uses >= i.maxUses:
		return errs.E(errs.Conflict, "invitation_used_up", "this invitation has been used up; ask for a new one")
	}
	return nil
}

// InvitationRepository stores invitations.
type InvitationRepository interface {
	// Create stores an invitation.
	Create(ctx context.Context, i *Invitation) error
	// GetByTokenHash returns an invitation by its token's hash; NotFound if there is none.
	GetByTokenHash(ctx context.Context, hash []byte) (*Invitation, error)
	// List returns an organisation's invitations, newest first.
	List(ctx context.Context, orgID uuid.UUID) ([]*Invitation, error)
	// Revoke revokes an invitation; NotFound if the organisation has no such invitation.
	Revoke(ctx context.Context, orgID, id uuid.UUID, at time.Time) error
	// Use counts one use atomically, so that concurrent accepts never pass max_uses; Conflict
	// (invitation_used_up or invitation_expired) when the invitation can no longer be used.
	Use(ctx context.Context, id uuid.UUID, now time.Time) error
	// RevokeForEmail revokes the organisation's invitations for one email that are not used up.
	RevokeForEmail(ctx context.Context, orgID uuid.UUID, email string, at time.Time) error
	// ListForEmail returns the invitations for one email, in every organisation, that can still
	// be used at now, newest first.
	ListForEmail(ctx context.Context, email string, now time.Time) ([]*Invitation, error)
	// GetForEmail returns an invitation for email; NotFound for any other id.
	GetForEmail(ctx context.Context, id uuid.UUID, email string) (*Invitation, error)
}
