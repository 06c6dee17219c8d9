// Package org holds the use cases of organisations: creating them, their settings, members,
// invitations, and resolving which member of which organisation a request acts as.
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

// Service holds the organisation use cases.
type Service struct {
	tx          TxManager
	clock       Clock
	ident       *appidentity.Service
	orgs        org.Repository
	memberships org.MembershipRepository
	invitations org.InvitationRepository
	dir         Directory
	roots       TreeRoots
	authz       authz.Authorizer
	notify      authz.PolicyNotifier
	audit       authz.Auditor
	cfg         Config
	domains     org.DomainRepository
	accounts    Accounts
	imports     ImportedAccounts
	profiles    org.ProfileRepository
	people      People
	selection   Selection
	placements  Placements
}

// Config holds the settings of the organisation use cases.
type Config struct {
	// AllowOrgCreation lets anyone signed in create an organisation; otherwise only
	// installation admins may.
	AllowOrgCreation bool
}

// Deps are the adapters and services the organisation service needs.
type Deps struct {
	Tx          TxManager
	Clock       Clock
	Identity    *appidentity.Service
	Orgs        org.Repository
	Memberships org.MembershipRepository
	Invitations org.InvitationRepository
	Directory   Directory
	Roots       TreeRoots
	Authorizer  authz.Authorizer
	Notifier    authz.PolicyNotifier
	Audit       authz.Auditor
	Config      Config
	// Domains stores the email domains assigned to organisations.
	Domains org.DomainRepository
	// Accounts reads who manages accounts.
	Accounts Accounts
	// Imports lists the accounts bulk imports created.
	Imports ImportedAccounts
	// Profiles stores members' employee details.
	Profiles org.ProfileRepository
	// People lists the console's people table.
	People People
	// Selection reads the people of a bulk action; Placements moves them between departments.
	Selection  Selection
	Placements Placements
}

// NewService builds the service.
func NewService(d Deps) *Service {
	return &Service{tx: d.Tx, clock: d.Clock, ident: d.Identity, orgs: d.Orgs, memberships: d.Memberships, invitations: d.Invitations, dir: d.Directory, roots: d.Roots, authz: d.Authorizer, notify: d.Notifier, audit: d.Audit,
		cfg: d.Config, domains: d.Domains, accounts: d.Accounts, imports: d.Imports, profiles: d.Profiles, people: d.People,
		selection: d.Selection, placements: d.Placements}
}

func errOrgNotFound() error { return errs.NotFoundf("organisation") }

// ResolveActor checks that the principal is an active member of orgID and returns it as an
// actor. Anything else, including an API token of another organisation, is NotFound: a caller
// learns nothing about organisations they do not belong to.
func (s *Service) ResolveActor(ctx context.Context, p appidentity.Principal, orgID uuid.UUID) (authz.Actor, error) {
	if p.IsToken() && p.TokenOrgID != orgID {
		return authz.Actor{}, errOrgNotFound()
	}
	m, err := s.memberships.Get(ctx, orgID, p.UserID)
	if errs.Is(err, errs.NotFound) {
		return authz.Actor{}, errOrgNotFound()
	}
	if err != nil {
		return authz.Actor{}, err
	}
	if !m.Active() {
		return authz.Actor{}, errOrgNotFound()
	}
	return authz.Actor{Principal: p, OrgID: orgID, Membership: m}, nil
}

func (s *Service) require(ctx context.Context, a authz.Actor, perm access.Permission) error {
	return authz.Require(ctx, s.authz, a, perm, "")
}

// recorded runs fn in a transaction and appends the audit entry it returns in the same one, so
// a change and its record commit or fail together.
func (s *Service) recorded(ctx context.Context, fn func(ctx context.Context) (access.AuditEntry, error)) error {
	return s.tx.Within(ctx, func(ctx context.Context) error {
		e, err := fn(ctx)
		if err != nil {
			return err
		}
		return s.audit.Append(ctx, e)
	})
}

// OrgView is an organisation with its active member count.
type OrgView struct {
	Org         *org.Organisation
	MemberCount int
}

// CreateOrg creates an organisation with the caller as its owner. Only a signed-in person can,
// not an API token, which belongs to one organisation; and only an installation admin, unless
// the installation lets everyone (installation.allow_org_creation).
func (s *Service) CreateOrg(ctx context.Context, p appidentity.Principal, name, defaultLocale string) (OrgView, error) {
	if p.IsToken() {
		return OrgView{}, errs.E(errs.Forbidden, "session_required", "creating an organisation needs a session, not an API token")
	}
	o, err := org.New(name, defaultLocale, s.clock.Now())
	if err != nil {
		return OrgView{}, err
	}
	if !s.cfg.AllowOrgCreation {
		u, err := s.ident.User(ctx, p)
		if err != nil {
			return OrgView{}, err
		}
		if !u.InstallationAdmin() {
			return OrgView{}, errs.E(errs.Forbidden, "org_creation_disabled", "only the installation's admins create organisations here; ask them for one")
		}
	}
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		if err := s.create(ctx, o); err != nil {
			return err
		}
		if err := s.memberships.Add(ctx, org.NewMembership(o.ID(), p.UserID, org.RoleOwner, s.clock.Now())); err != nil {
			return err
		}
		return s.audit.Append(ctx, access.AuditEntry{OrgID: o.ID(), ActorID: p.UserID, IP: p.IP, Action: "org.create",
			TargetType: "organisation", TargetID: o.ID().String(), After: map[string]any{"name": o.Name(), "owner": p.UserID}})
	})
	return OrgView{Org: o, MemberCount: 1}, err
}

// create stores a new organisation with the root of its department tree.
func (s *Service) create(ctx context.Context, o *org.Organisation) error {
	if err := s.orgs.Create(ctx, o); err != nil {
		return err
	}
	return s.roots.CreateRoot(ctx, o.ID(), o.Name())
}

// Bootstrap creates an organisation and its owner's account, or makes an existing account its
// owner. It is for IT at the shell (`canopy admin create-org`).
func (s *Service) Bootstrap(ctx context.Context, name string, owner appidentity.RegisterInput) (*org.Organisation, *identity.User, error) {
	o, err := org.New(name, owner.Locale, s.clock.Now())
	if err != nil {
		return nil, nil, err
	}
	var u *identity.User
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		u, err = s.ident.FindUserByEmail(ctx, owner.Email)
		if errs.Is(err, errs.NotFound) {
			u, err = s.ident.Register(ctx, owner)
		}
		if err != nil {
			return err
		}
		if err := s.create(ctx, o); err != nil {
			return err
		}
		return s.memberships.Add(ctx, org.NewMembership(o.ID(), u.ID(), org.RoleOwner, s.clock.Now()))
	})
	if err != nil {
		return nil, nil, err
	}
	return o, u, nil
}

// GetOrg returns the actor's organisation.
func (s *Service) GetOrg(ctx context.Context, a authz.Actor) (OrgView, error) {
	o, err := s.orgs.Get(ctx, a.OrgID)
	if err != nil {
		return OrgView{}, err
	}
	n, err := s.dir.CountActiveMembers(ctx, a.OrgID)
	return OrgView{Org: o, MemberCount: n}, err
}

// UpdateOrg changes the organisation's settings; owners and admins only.
func (s *Service) UpdateOrg(ctx context.Context, a authz.Actor, c org.SettingsChange) (OrgView, error) {
	if err := s.require(ctx, a, access.SettingsManage); err != nil {
		return OrgView{}, err
	}
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		o, err := s.orgs.Get(ctx, a.OrgID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		before := settingsOf(o)
		if err := o.ChangeSettings(c, s.clock.Now()); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("org.settings.update", "organisation", o.ID().String(), before, settingsOf(o)), s.orgs.Update(ctx, o)
	})
	if err != nil {
		return OrgView{}, err
	}
	return s.GetOrg(ctx, a)
}

func settingsOf(o *org.Organisation) map[string]any {
	l := o.Limits()
	return map[string]any{"name": o.Name(), "default_locale": o.DefaultLocale(), "max_department_depth": l.MaxDepartmentDepth,
		"max_group_members": l.MaxGroupMembers, "max_departments_per_member": l.MaxDeptsPerMember}
}

// MyOrgs returns the organisations the principal may act in: for an API token, only its own.
func (s *Service) MyOrgs(ctx context.Context, p appidentity.Principal) ([]OrgMembership, error) {
	all, err := s.dir.ListUserOrgs(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	out := make([]OrgMembership, 0, len(all))
	for _, m := range all {
		if m.Status == org.MemberActive && (!p.IsToken() || m.OrgID == p.TokenOrgID) {
			out = append(out, m)
		}
	}
	return out, nil
}

// Me is the caller with their organisations and roles.
type Me struct {
	User          *identity.User
	Organisations []OrgMembership
}

// Me returns the caller with their organisations and roles.
func (s *Service) Me(ctx context.Context, p appidentity.Principal) (Me, error) {
	u, err := s.ident.User(ctx, p)
	if err != nil {
		return Me{}, err
	}
	orgs, err := s.MyOrgs(ctx, p)
	return Me{User: u, Organisations: orgs}, err
}

// ListMembers returns a page of the members the actor may read: everyone with directory.read
// organisation-wide, only the members of their subtrees with directory.read at departments.
func (s *Service) ListMembers(ctx context.Context, a authz.Actor, f MemberFilter) ([]Member, int, error) {
	r, err := s.authz.Reach(ctx, a, access.DirectoryRead)
	if err != nil {
		return nil, 0, err
	}
	if r.None() {
		return nil, 0, errs.E(errs.Forbidden, "forbidden", "you do not have the "+string(access.DirectoryRead)+" permission")
	}
	if !r.Org {
		f.Subtrees = r.Departments
	}
	ms, total, err := s.listMembers(ctx, a.OrgID, f)
	if err != nil {
		return nil, 0, err
	}
	manage, err := s.mayReadPrivate(ctx, a)
	if err != nil {
		return nil, 0, err
	}
	if !manage {
		for i := range ms {
			if ms[i].UserID != a.UserID {
				ms[i] = private(ms[i])
			}
		}
	}
	return ms, total, nil
}

func (s *Service) listMembers(ctx context.Context, orgID uuid.UUID, f MemberFilter) ([]Member, int, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	return s.dir.ListMembers(ctx, orgID, f)
}

// GetMember returns one member of the actor's organisation that the actor may read (see
// ListMembers): themselves, and anyone in reach of their directory.read. Anyone else is
// NotFound, exactly like a user who is not a member. Another member's mobile and hire date are
// blanked unless the actor holds members.manage (so are ListMembers').
func (s *Service) GetMember(ctx context.Context, a authz.Actor, userID uuid.UUID) (Member, error) {
	if userID != a.UserID {
		r, err := s.authz.Reach(ctx, a, access.DirectoryRead)
		if err != nil {
			return Member{}, err
		}
		if !r.Org {
			in, err := s.dir.InSubtrees(ctx, a.OrgID, userID, r.Departments)
			if err != nil {
				return Member{}, err
			}
			if !in {
				return Member{}, errs.NotFoundf("member")
			}
		}
	}
	m, err := s.dir.GetMember(ctx, a.OrgID, userID)
	if err != nil || userID == a.UserID {
		return m, err
	}
	// The mobile and hire date are for the person and those who manage members.
	manage, err := s.mayReadPrivate(ctx, a)
	if err != nil || manage {
		return m, err
	}
	return private(m), nil
}

// Member returns one member for another module's use case that has checked its own permission
// (the creator of a SCIM token, for those who manage the tokens); NotFound if they are not one.
func (s *Service) Member(ctx context.Context, orgID, userID uuid.UUID) (Member, error) {
	return s.dir.GetMember(ctx, orgID, userID)
}

// DeactivateMember deactivates a member and, in the same transaction, revokes their API tokens in
// the organisation; every request checks the membership, so their next one here is refused.
// Their account, and their sessions and tokens in other organisations, go on (DisableAccount
// ends those).
func (s *Service) DeactivateMember(ctx context.Context, a authz.Actor, userID uuid.UUID) (Member, error) {
	return s.setActive(ctx, a, userID, false)
}

// ReactivateMember restores a deactivated member.
func (s *Service) ReactivateMember(ctx context.Context, a authz.Actor, userID uuid.UUID) (Member, error) {
	return s.setActive(ctx, a, userID, true)
}

func (s *Service) setActive(ctx context.Context, a authz.Actor, userID uuid.UUID, active bool) (Member, error) {
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return Member{}, err
	}
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		m, err := s.memberships.Get(ctx, a.OrgID, userID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		before := m.Status()
		action := "member.reactivate"
		// Taking a member's role away, even for a while, or giving it back, is for whoever
		// could grant it: members.manage alone neither deactivates nor restores an admin.
		if err := s.requireHeldRole(ctx, a, m); err != nil {
			return access.AuditEntry{}, err
		}
		if active {
			err = m.Reactivate(a.Membership)
		} else {
			action, err = "member.deactivate", m.Deactivate(a.Membership, s.clock.Now())
		}
		if err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.memberships.Update(ctx, m); err != nil {
			return access.AuditEntry{}, err
		}
		e := a.Entry(action, "member", userID.String(), map[string]any{"status": before}, map[string]any{"status": m.Status()})
		if active {
			return e, nil
		}
		return e, s.ident.RevokeMemberCredentials(ctx, a.OrgID, userID)
	})
	if err != nil {
		return Member{}, err
	}
	return s.dir.GetMember(ctx, a.OrgID, userID)
}

// requireHeldRole allows changing a member's role, deactivating them, or giving a deactivated
// member their role back, only to a caller who could grant that role: a members.manage holder
// cannot demote an admin, deactivate one, nor bring one back.
func (s *Service) requireHeldRole(ctx context.Context, a authz.Actor, m *org.Membership) error {
	if err := authz.RequireRoleGrantable(ctx, s.authz, a, m.Role()); err != nil {
		return errs.Wrap(errs.Forbidden, "cannot_grant", "this member's role ("+string(m.Role())+") holds permissions you do not, so you cannot change it or restore it", err)
	}
	return nil
}

// ChangeRole changes a member's base role (owner, admin, member or guest). The caller must hold
// every permission of the new role, and of the member's current one (authz.RequireGrantable).
func (s *Service) ChangeRole(ctx context.Context, a authz.Actor, userID uuid.UUID, role string) (Member, error) {
	to, err := org.ParseRole(role)
	if err != nil {
		return Member{}, err
	}
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return Member{}, err
	}
	if to == org.RoleOwner {
		if err := s.require(ctx, a, access.OwnershipTransfer); err != nil {
			return Member{}, err
		}
	}
	if err := authz.RequireRoleGrantable(ctx, s.authz, a, to); err != nil {
		return Member{}, err
	}
	err = s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		m, err := s.memberships.Get(ctx, a.OrgID, userID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.requireHeldRole(ctx, a, m); err != nil {
			return access.AuditEntry{}, err
		}
		owners, err := s.dir.CountOwners(ctx, a.OrgID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		before := m.Role()
		if err := m.ChangeRole(to, a.Membership, owners); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.memberships.Update(ctx, m); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("member.role.change", "member", userID.String(), map[string]any{"role": before}, map[string]any{"role": to}), nil
	})
	if err != nil {
		return Member{}, err
	}
	return s.dir.GetMember(ctx, a.OrgID, userID)
}

// TransferOwnership makes another member an owner and the caller an admin, in one step.
func (s *Service) TransferOwnership(ctx context.Context, a authz.Actor, to uuid.UUID) error {
	if err := s.require(ctx, a, access.OwnershipTransfer); err != nil {
		return err
	}
	if to == a.UserID {
		return errs.E(errs.Conflict, "already_owner", "you are already an owner")
	}
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		target, err := s.memberships.Get(ctx, a.OrgID, to)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if !target.Active() {
			return access.AuditEntry{}, errs.E(errs.Conflict, "member_deactivated", "ownership can only go to an active member")
		}
		me, err := s.memberships.Get(ctx, a.OrgID, a.UserID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if err := target.ChangeRole(org.RoleOwner, me, 2); err != nil {
			return access.AuditEntry{}, err
		}
		if err := me.ChangeRole(org.RoleAdmin, me, 2); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.memberships.Update(ctx, target); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.memberships.Update(ctx, me); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("org.ownership.transfer", "member", to.String(), map[string]any{"owner": a.UserID}, map[string]any{"owner": to}), nil
	})
}
