package org

import (
	"context"
	"time"

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
	// Password is optional: without one the person activates a new account with an
	// activation link; with one, it is an initial password they change at their first sign-in.
	// It is never set on an account that has a password, or that the organisation does not
	// manage.
	Password string
	Locale   string
	TimeZone string
	Role     org.Role
	// Profile holds the member's employee details, set when the person becomes a member (not
	// when they are invited).
	Profile org.ProfileChange
}

// ProvisionMember adds a person as IT asks (see provision for who becomes a member and who is
// invited). A member with the same external id, or the same account, is a conflict.
func (s *Service) ProvisionMember(ctx context.Context, a authz.Actor, in ProvisionInput) (Provisioned, error) {
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return Provisioned{}, err
	}
	if in.Role == "" {
		in.Role = org.RoleMember
	}
	if in.Role == org.RoleOwner && a.Membership.Role() != org.RoleOwner {
		return Provisioned{}, errs.E(errs.Forbidden, "forbidden", "only an owner can make an owner")
	}
	if err := authz.RequireRoleGrantable(ctx, s.authz, a, in.Role); err != nil {
		return Provisioned{}, err
	}
	// Refused before anything is made: the manager is checked once the member exists.
	if _, err := (org.Profile{}).Apply(uuid.Nil, in.Profile); err != nil {
		return Provisioned{}, err
	}
	return s.provision(ctx, a, in)
}

// ErrInvited is what a door that can only answer with a member (SCIM) answers when
// provisioning made an invitation instead: a Conflict that says so and nothing more.
func ErrInvited() error {
	return errs.E(errs.Conflict, "invited", "this email's account is not this organisation's to make or manage; an invitation was sent")
}

// Provisioned is what provisioning did: it made the person a member, or, when the email's
// account is one the organisation does not manage, it invited them. Then Invitation is set and
// Member is empty: the organisation learns nothing about the account (not even whether the
// invitation reached an account, beyond the email it typed) until the person accepts.
type Provisioned struct {
	Member     Member
	Invitation *CreatedInvitation
}

// provision is the one path by which IT adds people, whatever the door (admin API, console,
// SCIM; bulk imports apply the same rule to their rows in app/importer):
//
//   - an email with no account gets a new account, which the organisation then manages, with
//     no password (its person activates it with an activation link) or an initial password that
//     must be changed at the first sign-in; but only if the email's domain is assigned to no
//     other organisation (org.CheckNewAccount);
//   - an account the organisation manages (its email domain is the organisation's, or the
//     organisation made it and nobody else shares it) is made a member; a password given is set
//     only if the account has none, as an initial password;
//   - any other account, and an email without one in another organisation's domain, is
//     invited: an invitation for that email alone, which its person accepts while signed in.
//     Whether there is an account, its name, its other organisations, even whether it has a
//     password, stay unknown; no password is ever set.
func (s *Service) provision(ctx context.Context, a authz.Actor, in ProvisionInput) (Provisioned, error) {
	email, err := identity.NormalizeEmail(in.Email)
	if err != nil {
		return Provisioned{}, err
	}
	var out Provisioned
	err = s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		invite := func() (access.AuditEntry, error) {
			inv, err := s.inviteEmail(ctx, a, email, in.Role)
			if err != nil {
				return access.AuditEntry{}, err
			}
			out.Invitation = &inv
			return a.Entry("invitation.create", "invitation", inv.Invitation.ID().String(), nil,
				map[string]any{"email": email, "role": inv.Invitation.Role(), "expires_at": inv.Invitation.ExpiresAt(), "reason": "provisioning"}), nil
		}
		u, err := s.ident.FindUserByEmail(ctx, email)
		fresh := errs.Is(err, errs.NotFound)
		initial := fresh && in.Password != ""
		if fresh {
			if err := s.checkNewAccount(ctx, a.OrgID, email); errs.Is(err, errs.Forbidden) {
				// Another organisation's domain: its person gets their account from it, and
				// answering as for an existing account says nothing about whether there is one.
				return invite()
			} else if err != nil {
				return access.AuditEntry{}, err
			}
			u, err = s.ident.Provision(ctx, a.OrgID, appidentity.RegisterInput{
				Email: email, DisplayName: in.DisplayName, Password: in.Password, Locale: in.Locale, TimeZone: in.TimeZone,
			})
		}
		if err != nil {
			return access.AuditEntry{}, err
		}
		if !fresh {
			if _, err := s.memberships.Get(ctx, a.OrgID, u.ID()); err == nil {
				// Already a member: the organisation knows them, so saying so reveals nothing.
				return access.AuditEntry{}, errs.E(errs.Conflict, "already_member", "this person is already a member")
			} else if !errs.Is(err, errs.NotFound) {
				return access.AuditEntry{}, err
			}
			ties, err := s.tiesOf(ctx, u.ID())
			if err != nil {
				return access.AuditEntry{}, err
			}
			if !ties.ManagedBy(a.OrgID) {
				return invite()
			}
			if in.Password != "" && !u.HasPassword() {
				if err := s.checkAccountChange(ctx, a, ties); err != nil {
					return access.AuditEntry{}, err
				}
				if err := s.ident.SetInitialPassword(ctx, u.ID(), in.Password); err != nil {
					return access.AuditEntry{}, err
				}
				initial = true
			}
		}
		m := org.NewMembership(a.OrgID, u.ID(), in.Role, s.clock.Now())
		if err := m.SetExternalID(in.ExternalID); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.memberships.Add(ctx, m); err != nil {
			return access.AuditEntry{}, err
		}
		out.Member.UserID = u.ID()
		after := map[string]any{"email": u.Email(), "role": in.Role, "external_id": in.ExternalID, "new_account": fresh, "initial_password": initial}
		if !in.Profile.Empty() {
			if _, err := s.setProfile(ctx, a, u.ID(), in.Profile, nil, after); err != nil {
				return access.AuditEntry{}, err
			}
		}
		return a.Entry("member.create", "member", u.ID().String(), nil, after), nil
	})
	if err != nil || out.Invitation != nil {
		return out, err
	}
	out.Member, err = s.dir.GetMember(ctx, a.OrgID, out.Member.UserID)
	return out, err
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
	// Profile changes the member's employee details.
	Profile org.ProfileChange
}

// setProfile applies a change to a member's profile in the caller's transaction, and records
// the fields it changes in before and after (before may be nil, for a new member).
func (s *Service) setProfile(ctx context.Context, a authz.Actor, userID uuid.UUID, c org.ProfileChange, before, after map[string]any) (org.Profile, error) {
	old, err := s.profiles.GetProfile(ctx, a.OrgID, userID)
	if err != nil {
		return org.Profile{}, err
	}
	p, err := old.Apply(userID, c)
	if err != nil {
		return org.Profile{}, err
	}
	if err := s.profiles.SetProfile(ctx, a.OrgID, userID, p, c.ManagerChanged()); err != nil {
		return org.Profile{}, err
	}
	was, is := profileFields(old), profileFields(p)
	for k, v := range is {
		if was[k] != v || before == nil {
			if before != nil {
				before[k] = auditValue(k, was[k])
			}
			after[k] = auditValue(k, v)
		}
	}
	return p, nil
}

// privateFields are the profile fields only members.manage and the person may read: the audit
// log, which audit.read opens, records that they changed, not their values.
var privateFields = map[string]bool{"mobile": true, "hire_date": true}

// auditValue is a field's value as the audit log records it.
func auditValue(field string, v any) any {
	if privateFields[field] && v != "" {
		return "(set)"
	}
	return v
}

// profileFields is a profile as the audit log records it.
func profileFields(p org.Profile) map[string]any {
	out := map[string]any{"employee_number": p.EmployeeNumber, "job_title": p.JobTitle, "mobile": p.Mobile,
		"work_location": p.WorkLocation, "manager_id": "", "hire_date": ""}
	if p.ManagerID != nil {
		out["manager_id"] = p.ManagerID.String()
	}
	if p.HireDate != nil {
		out["hire_date"] = p.HireDate.Format(time.DateOnly)
	}
	return out
}

// UpdateMember changes a member's account and membership in one transaction.
func (s *Service) UpdateMember(ctx context.Context, a authz.Actor, userID uuid.UUID, c MemberChange) (Member, error) {
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return Member{}, err
	}
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		before, after := map[string]any{}, map[string]any{}
		e := a.Entry("member.update", "member", userID.String(), before, after)
		m, err := s.memberships.Get(ctx, a.OrgID, userID)
		if err != nil {
			return e, err
		}
		before["status"], before["external_id"] = m.Status(), m.ExternalID()
		for k, v := range map[string]*string{"email": c.Email, "display_name": c.DisplayName, "external_id": c.ExternalID, "locale": c.Locale, "time_zone": c.TimeZone} {
			if v != nil {
				after[k] = *v
			}
		}
		if c.Active != nil {
			after["active"] = *c.Active
		}
		if !c.Profile.Empty() {
			if _, err := s.setProfile(ctx, a, userID, c.Profile, before, after); err != nil {
				return e, err
			}
		}
		if c.ExternalID != nil {
			if err := m.SetExternalID(*c.ExternalID); err != nil {
				return e, err
			}
		}
		deactivated := false
		if c.Active != nil && *c.Active != m.Active() {
			// Deactivating a member takes their role away for a while: as for giving it back,
			// only whoever could grant it may (members.manage alone does not stop an admin).
			if err := s.requireHeldRole(ctx, a, m); err != nil {
				return e, err
			}
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
		// An account is its person's: an organisation's IT edits it only when the organisation
		// manages it, or one organisation could rename or re-address a person in another.
		if err := s.checkAccountChangeOf(ctx, a, userID); err != nil {
			return e, err
		}
		// Re-addressing an account into another organisation's domain would make it there, with
		// a password someone else may know.
		if c.Email != nil {
			if err := s.checkNewAccount(ctx, a.OrgID, *c.Email); err != nil {
				return e, err
			}
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
	return s.listMembers(ctx, a.OrgID, f)
}

// AdminGetMember returns one member with the fields IT syncs; owners and admins only.
func (s *Service) AdminGetMember(ctx context.Context, a authz.Actor, userID uuid.UUID) (Member, error) {
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return Member{}, err
	}
	return s.dir.GetMember(ctx, a.OrgID, userID)
}
