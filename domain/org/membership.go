package org

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/text"
)

// Role is a member's built-in role in an organisation.
type Role string

// The built-in roles.
const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
	RoleGuest  Role = "guest"
)

// ParseRole accepts a built-in base role.
func ParseRole(s string) (Role, error) {
	switch Role(s) {
	case RoleOwner, RoleAdmin, RoleMember, RoleGuest:
		return Role(s), nil
	}
	return "", errs.E(errs.Invalid, "invalid_role", `role must be "owner", "admin", "member" or "guest"`)
}

// ParseInviteRole accepts the roles an invitation may grant: ownership is never granted by link.
func ParseInviteRole(s string) (Role, error) {
	switch Role(s) {
	case "":
		return RoleMember, nil
	case RoleAdmin, RoleMember, RoleGuest:
		return Role(s), nil
	}
	return "", errs.E(errs.Invalid, "invalid_role", `role must be "admin", "member" or "guest"`)
}

// MemberStatus says whether a membership is in force.
type MemberStatus string

// The membership statuses.
const (
	MemberActive      MemberStatus = "active"
	MemberDeactivated MemberStatus = "deactivated"
)

// Membership ties a user to an organisation with a role.
type Membership struct {
	orgID         uuid.UUID
	userID        uuid.UUID
	role          Role
	status        MemberStatus
	joinedAt      time.Time
	deactivatedAt *time.Time
	externalID    string
}

// NewMembership returns an active membership.
func NewMembership(orgID, userID uuid.UUID, role Role, now time.Time) *Membership {
	return &Membership{orgID: orgID, userID: userID, role: role, status: MemberActive, joinedAt: now.UTC()}
}

// RehydrateMembership rebuilds a stored membership. It is for repository adapters only.
func RehydrateMembership(orgID, userID uuid.UUID, role Role, status MemberStatus, joinedAt time.Time, deactivatedAt *time.Time, externalID string) *Membership {
	return &Membership{orgID, userID, role, status, joinedAt, deactivatedAt, externalID}
}

// ExternalID returns the member's id in the organisation's HR system or identity provider.
func (m *Membership) ExternalID() string { return m.externalID }

// SetExternalID records the member's id in an outside system; "" clears it.
func (m *Membership) SetExternalID(ext string) error {
	if err := text.Line("external_id", ext); err != nil {
		return err
	}
	ext = strings.TrimSpace(ext)
	if len(ext) > 200 {
		return errs.E(errs.Invalid, "invalid_external_id", "external_id must be at most 200 characters")
	}
	m.externalID = ext
	return nil
}

// OrgID returns the organisation.
func (m *Membership) OrgID() uuid.UUID { return m.orgID }

// UserID returns the member.
func (m *Membership) UserID() uuid.UUID { return m.userID }

// Role returns the member's role.
func (m *Membership) Role() Role { return m.role }

// Status returns whether the membership is in force.
func (m *Membership) Status() MemberStatus { return m.status }

// JoinedAt returns when the member joined.
func (m *Membership) JoinedAt() time.Time { return m.joinedAt }

// DeactivatedAt returns when the member was deactivated, or nil.
func (m *Membership) DeactivatedAt() *time.Time { return m.deactivatedAt }

// Active reports whether the membership is in force.
func (m *Membership) Active() bool { return m.status == MemberActive }

// ChangeRole changes the member's base role. Only an owner makes or unmakes an owner, and the
// last owner cannot step down, so an organisation always has one.
func (m *Membership) ChangeRole(to Role, by *Membership, owners int) error {
	if (to == RoleOwner || m.role == RoleOwner) && by.role != RoleOwner {
		return errs.E(errs.Forbidden, "forbidden", "only an owner can make or unmake an owner")
	}
	if m.role == RoleOwner && to != RoleOwner && owners <= 1 {
		return errs.E(errs.Conflict, "last_owner", "the organisation's last owner cannot step down; make another owner first")
	}
	m.role = to
	return nil
}

// Deactivate ends the membership's access. An admin cannot deactivate an owner, and nobody can
// deactivate themselves, so an organisation is never left without a way back in.
func (m *Membership) Deactivate(by *Membership, now time.Time) error {
	if by.userID == m.userID {
		return errs.E(errs.Conflict, "cannot_deactivate_self", "you cannot deactivate yourself")
	}
	if m.role == RoleOwner && by.role != RoleOwner {
		return errs.E(errs.Forbidden, "forbidden", "only an owner can deactivate an owner")
	}
	if m.status == MemberDeactivated {
		return errs.E(errs.Conflict, "already_deactivated", "the member is already deactivated")
	}
	at := now.UTC()
	m.status, m.deactivatedAt = MemberDeactivated, &at
	return nil
}

// Reactivate restores a deactivated membership.
func (m *Membership) Reactivate(by *Membership) error {
	if m.role == RoleOwner && by.role != RoleOwner {
		return errs.E(errs.Forbidden, "forbidden", "only an owner can reactivate an owner")
	}
	if m.status == MemberActive {
		return errs.E(errs.Conflict, "already_active", "the member is already active")
	}
	m.status, m.deactivatedAt = MemberActive, nil
	return nil
}

// MembershipRepository stores memberships.
type MembershipRepository interface {
	// Add stores a new membership; Conflict if the user is already a member.
	Add(ctx context.Context, m *Membership) error
	// Get returns a membership; NotFound if there is none.
	Get(ctx context.Context, orgID, userID uuid.UUID) (*Membership, error)
	// Update stores a changed membership; NotFound if it is gone.
	Update(ctx context.Context, m *Membership) error
}
