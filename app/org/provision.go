package org

import (
	"context"

	"github.com/google/uuid"

	"canopy/app/authz"
	appidentity "canopy/app/identity"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/org"
)

// ProvisionInput is a member that IT creates (through the admin API, SCIM or a bulk import).
type ProvisionInput struct {
	Email       string
	DisplayName string
	ExternalID  string
	// Password is optional: without one the account signs in once a password is set.
	Password string
	Locale   string
	TimeZone string
	Role     org.Role
}

// ProvisionMember creates a member, with a new account or, when the email already has one, that
// account. A member with the same external id, or the same account, is a conflict.
func (s *Service) ProvisionMember(ctx context.Context, a authz.Actor, in ProvisionInput) (Member, error) {
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return Member{}, err
	}
	if in.Role == "" {
		in.Role = org.RoleMember
	}
	if in.Role == org.RoleOwner && a.Membership.Role() != org.RoleOwner {
		return Member{}, errs.E(errs.Forbidden, "forbidden", "only an owner can make an owner")
	}
	var userID uuid.UUID
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		u, err := s.ident.FindUserByEmail(ctx, in.Email)
		if errs.Is(err, errs.NotFound) {
			u, err = s.ident.Provision(ctx, appidentity.RegisterInput{
				Email: in.Email, DisplayName: in.DisplayName, Password: in.Password, Locale: in.Locale, TimeZone: in.TimeZone,
			})
		}
		if err != nil {
			return access.AuditEntry{}, err
		}
		userID = u.ID()
		m := org.NewMembership(a.OrgID, u.ID(), in.Role, s.clock.Now())
		if err := m.SetExternalID(in.ExternalID); err != nil {
			return access.AuditEntry{}, err
		}
		e := a.Entry("member.create", "member", u.ID().String(), nil, map[string]any{"email": u.Email(), "role": in.Role, "external_id": in.ExternalID})
		return e, s.memberships.Add(ctx, m)
	})
	if err != nil {
		return Member{}, err
	}
	return s.dir.GetMember(ctx, a.OrgID, userID)
}

// MemberChange holds changes IT makes to a member; nil leaves a field as it is.
type MemberChange struct {
	Email       *string
	DisplayName *string
	ExternalID  *string
	Locale      *string
	TimeZone    *string
	// Active deactivates (false) or reactivates (true) the member.
	Active *bool
}

// UpdateMember changes a member's account and membership in one transaction.
func (s *Service) UpdateMember(ctx context.Context, a authz.Actor, userID uuid.UUID, c MemberChange) (Member, error) {
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return Member{}, err
	}
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		e := a.Entry("member.update", "member", userID.String(), nil, c)
		m, err := s.memberships.Get(ctx, a.OrgID, userID)
		if err != nil {
			return e, err
		}
		e.Before = map[string]any{"status": m.Status(), "external_id": m.ExternalID()}
		if c.ExternalID != nil {
			if err := m.SetExternalID(*c.ExternalID); err != nil {
				return e, err
			}
		}
		deactivated := false
		if c.Active != nil && *c.Active != m.Active() {
			if *c.Active {
				err = m.Reactivate(a.Membership)
			} else {
				err, deactivated = m.Deactivate(a.Membership, s.clock.Now()), true
			}
			if err != nil {
				return e, err
			}
		}
		if err := s.memberships.Update(ctx, m); err != nil {
			return e, err
		}
		if deactivated {
			if err := s.ident.RevokeMemberCredentials(ctx, a.OrgID, userID); err != nil {
				return e, err
			}
		}
		if c.Email == nil && c.DisplayName == nil && c.Locale == nil && c.TimeZone == nil {
			return e, nil
		}
		// An account is global: an organisation's IT may edit it only while it is theirs alone,
		// or one organisation could rename or re-address a person in another.
		orgs, err := s.dir.ListUserOrgs(ctx, userID)
		if err != nil {
			return e, err
		}
		if len(orgs) > 1 {
			return e, errs.E(errs.Conflict, "account_shared", "this person also belongs to another organisation, so only they can change their name, email, language or time zone")
		}
		_, err = s.ident.ChangeAccount(ctx, userID, c.Email, identity.ProfileChange{DisplayName: c.DisplayName, Locale: c.Locale, TimeZone: c.TimeZone})
		return e, err
	})
	if err != nil {
		return Member{}, err
	}
	return s.dir.GetMember(ctx, a.OrgID, userID)
}

// AdminListMembers lists members with the fields IT syncs (external ids); owners and admins only.
func (s *Service) AdminListMembers(ctx context.Context, a authz.Actor, f MemberFilter) ([]Member, int, error) {
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return nil, 0, err
	}
	return s.ListMembers(ctx, a, f)
}

// AdminGetMember returns one member with the fields IT syncs; owners and admins only.
func (s *Service) AdminGetMember(ctx context.Context, a authz.Actor, userID uuid.UUID) (Member, error) {
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return Member{}, err
	}
	return s.dir.GetMember(ctx, a.OrgID, userID)
}
