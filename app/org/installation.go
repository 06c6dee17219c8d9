package org

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"canopy/app/authz"
	appidentity "canopy/app/identity"
	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/org"
)

// The installation: the people who run it (installation admins, granted only at the shell)
// create organisations and assign email domains to them, and may disable any account.
// Installation-wide audit entries that belong to no organisation (disabling an account) are
// kept under the nil organisation id, which no organisation's audit log shows.

// ResolveInstaller checks that the principal is an installation admin signed in with a session:
// an API token belongs to one organisation and never acts for the installation. Forbidden
// installation_admin_required for anyone else.
func (s *Service) ResolveInstaller(ctx context.Context, p appidentity.Principal) (authz.Installer, error) {
	denied := errs.E(errs.Forbidden, "installation_admin_required", "only the installation's admins may do this, signed in with a session")
	if p.IsToken() {
		return authz.Installer{}, denied
	}
	u, err := s.ident.User(ctx, p)
	if err != nil {
		return authz.Installer{}, err
	}
	if !u.InstallationAdmin() || !u.Active() {
		return authz.Installer{}, denied
	}
	return authz.Installer{UserID: u.ID(), IP: p.IP}, nil
}

// GrantInstallationAdmin makes the account with email an installation admin; granting it twice
// changes nothing. It is for the shell only (`canopy admin grant-installation-admin`).
func (s *Service) GrantInstallationAdmin(ctx context.Context, email string) (*identity.User, error) {
	var u *identity.User
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		found, err := s.ident.FindUserByEmail(ctx, email)
		if err != nil {
			return err
		}
		if found.InstallationAdmin() {
			u = found
			return nil
		}
		if u, err = s.ident.GrantInstallationAdmin(ctx, found.ID()); err != nil {
			return err
		}
		return s.audit.Append(ctx, authz.Shell().Entry(uuid.Nil, "installation.admin.grant", "account", u.ID().String(), nil, map[string]any{"installation_admin": true}))
	})
	return u, err
}

// orgExists answers NotFound for an organisation that does not exist.
func (s *Service) orgExists(ctx context.Context, orgID uuid.UUID) (*org.Organisation, error) {
	o, err := s.orgs.Get(ctx, orgID)
	if errs.Is(err, errs.NotFound) {
		return nil, errOrgNotFound()
	}
	return o, err
}

// Domains returns the email domains assigned to an organisation.
func (s *Service) Domains(ctx context.Context, _ authz.Installer, orgID uuid.UUID) ([]*org.EmailDomain, error) {
	if _, err := s.orgExists(ctx, orgID); err != nil {
		return nil, err
	}
	return s.domains.ListByOrg(ctx, orgID)
}

// AssignedDomain is a new assignment with the existing accounts in the domain, which the
// organisation manages from now on, however they were made.
type AssignedDomain struct {
	Domain *org.EmailDomain
	// Accounts counts the existing accounts in the domain.
	Accounts int
	// CreatedElsewhere counts those of them the organisation did not make: another
	// organisation made them, or their people signed up. Whoever made them may still know
	// their passwords; the organisation resets their credentials (ResetCredentials) once it
	// has them as members, unless it knows they are its people's own.
	CreatedElsewhere int
}

// AssignDomain assigns an email domain to an organisation, which from then on manages every
// account in it, and says how many there are already. Conflict domain_taken when it is assigned
// already, to any organisation.
func (s *Service) AssignDomain(ctx context.Context, i authz.Installer, orgID uuid.UUID, domain string) (AssignedDomain, error) {
	d, err := org.NewEmailDomain(orgID, domain, s.clock.Now())
	if err != nil {
		return AssignedDomain{}, err
	}
	out := AssignedDomain{Domain: d}
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		if _, err := s.orgExists(ctx, orgID); err != nil {
			return err
		}
		if err := s.domains.Assign(ctx, d); err != nil {
			if errs.Is(err, errs.Conflict) {
				return errs.E(errs.Conflict, "domain_taken", "this domain is assigned to an organisation already; unassign it first")
			}
			return err
		}
		if out.Accounts, out.CreatedElsewhere, err = s.accounts.InDomain(ctx, d.Domain(), orgID); err != nil {
			return err
		}
		return s.audit.Append(ctx, i.Entry(orgID, "org.domain.assign", "domain", d.Domain(), nil,
			map[string]any{"domain": d.Domain(), "existing_accounts": out.Accounts, "accounts_created_elsewhere": out.CreatedElsewhere}))
	})
	if err != nil {
		return AssignedDomain{}, err
	}
	return out, nil
}

// UnassignDomain takes an email domain from an organisation; NotFound when it is not assigned
// to it. The accounts in it are then managed as if it had never been assigned.
func (s *Service) UnassignDomain(ctx context.Context, i authz.Installer, orgID uuid.UUID, domain string) error {
	d, err := org.ParseEmailDomain(domain)
	if err != nil {
		return err
	}
	return s.tx.Within(ctx, func(ctx context.Context) error {
		if _, err := s.orgExists(ctx, orgID); err != nil {
			return err
		}
		if err := s.domains.Unassign(ctx, orgID, d); err != nil {
			if errs.Is(err, errs.NotFound) {
				return errs.NotFoundf("domain")
			}
			return err
		}
		return s.audit.Append(ctx, i.Entry(orgID, "org.domain.unassign", "domain", d, map[string]any{"domain": d}, nil))
	})
}

// SetAccountDisabled disables or enables any account, for an installation admin. Disabling ends
// every session and API token of the account (ASVS 7.4.2). NotFound for an unknown id.
// Installation admins cannot disable themselves, so the installation keeps a way in.
func (s *Service) SetAccountDisabled(ctx context.Context, i authz.Installer, userID uuid.UUID, disabled bool) (*identity.User, error) {
	if disabled && userID == i.UserID {
		return nil, errs.E(errs.Conflict, "cannot_disable_self", "you cannot disable your own account")
	}
	var u *identity.User
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		t, err := s.tiesOf(ctx, userID)
		if errs.Is(err, errs.NotFound) {
			return errs.NotFoundf("account")
		}
		if err != nil {
			return err
		}
		action, before, after := "account.enable", identity.UserDeactivated, identity.UserActive
		if disabled {
			action, before, after = "account.disable", identity.UserActive, identity.UserDeactivated
			if err := s.disable(ctx, t); err != nil {
				return err
			}
		} else if _, err := s.ident.EnableAccount(ctx, userID); err != nil {
			return err
		}
		if u, err = s.ident.GetUser(ctx, userID); err != nil {
			return err
		}
		// Recorded for the installation, and for each organisation of the account, whose admins
		// see why their member can no longer sign in.
		orgs := []uuid.UUID{uuid.Nil}
		for _, m := range t.Memberships {
			orgs = append(orgs, m.OrgID)
		}
		for _, o := range orgs {
			if err := s.audit.Append(ctx, i.Entry(o, action, "account", userID.String(), map[string]any{"status": before}, map[string]any{"status": after})); err != nil {
				return err
			}
		}
		return nil
	})
	return u, err
}

// ListAccounts returns a page of every account of the installation, by name, and how many
// match: installation admins find there the account to disable or enable. A query matches the
// name or email case-insensitively, its characters taken literally.
func (s *Service) ListAccounts(ctx context.Context, _ authz.Installer, f AccountFilter) ([]Account, int, error) {
	f.Query = strings.TrimSpace(f.Query)
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	return s.accounts.List(ctx, f)
}

// InstallationOrg is an organisation of the installation with its email domains.
type InstallationOrg struct {
	Org     *org.Organisation
	Domains []*org.EmailDomain
}

// ListInstallationOrgs returns every organisation of the installation with its email domains.
func (s *Service) ListInstallationOrgs(ctx context.Context, _ authz.Installer) ([]InstallationOrg, error) {
	os, err := s.orgs.List(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := s.domains.ListAll(ctx)
	if err != nil {
		return nil, err
	}
	byOrg := map[uuid.UUID][]*org.EmailDomain{}
	for _, d := range ds {
		byOrg[d.OrgID()] = append(byOrg[d.OrgID()], d)
	}
	out := make([]InstallationOrg, len(os))
	for i, o := range os {
		out[i] = InstallationOrg{Org: o, Domains: byOrg[o.ID()]}
	}
	return out, nil
}

// ShellActivationLink issues a new activation link for the member with email of an
// organisation, for the shell (`canopy admin activation-link`), as CreateActivationLink does for
// its admins: only for an account the organisation manages (account_not_managed otherwise) that
// has no password yet (already_activated). NotFound when the email is not a member's.
func (s *Service) ShellActivationLink(ctx context.Context, orgID uuid.UUID, email string) (ActivationLink, error) {
	var out ActivationLink
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		u, err := s.ident.FindUserByEmail(ctx, email)
		if errs.Is(err, errs.NotFound) {
			return errs.NotFoundf("member")
		}
		if err != nil {
			return err
		}
		if _, err := s.memberships.Get(ctx, orgID, u.ID()); err != nil {
			if errs.Is(err, errs.NotFound) {
				return errs.NotFoundf("member")
			}
			return err
		}
		t, err := s.tiesOf(ctx, u.ID())
		if err != nil {
			return err
		}
		if !t.ManagedBy(orgID) {
			return org.ErrAccountNotManaged()
		}
		tok, secret, u, err := s.ident.IssueActivation(ctx, u.ID(), orgID, uuid.Nil)
		if err != nil {
			return err
		}
		out = ActivationLink{UserID: u.ID(), Email: u.Email(), DisplayName: u.DisplayName(), Token: secret, ExpiresAt: tok.ExpiresAt()}
		return s.audit.Append(ctx, authz.Shell().Entry(orgID, "account.activation_link", "account", u.ID().String(), nil, map[string]any{"expires_at": out.ExpiresAt}))
	})
	return out, err
}
