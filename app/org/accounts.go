package org

import (
	"context"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/org"
)

// The accounts an organisation manages (org.AccountTies decides which): disabling them, and
// the activation links with which their people set a first password.

// tiesOf returns what decides who manages an account.
func (s *Service) tiesOf(ctx context.Context, userID uuid.UUID) (org.AccountTies, error) {
	all, err := s.accounts.Ties(ctx, []uuid.UUID{userID})
	if err != nil {
		return org.AccountTies{}, err
	}
	t, ok := all[userID]
	if !ok {
		return org.AccountTies{}, errs.NotFoundf("member")
	}
	return t, nil
}

// checkNewAccount applies org.CheckNewAccount to an email that orgID would make an account for,
// or move an account to: Forbidden account_not_managed when its domain is another
// organisation's. An address that does not parse is left to whoever validates it.
func (s *Service) checkNewAccount(ctx context.Context, orgID uuid.UUID, email string) error {
	e, err := identity.NormalizeEmail(email)
	if err != nil {
		return nil
	}
	owner, err := s.domains.OrgOf(ctx, identity.EmailDomain(e))
	if err != nil {
		return err
	}
	return org.CheckNewAccount(orgID, owner)
}

// mayTransferOwnership reports whether the actor holds ownership.transfer, which changing an
// admin's account needs.
func (s *Service) mayTransferOwnership(ctx context.Context, a authz.Actor) (bool, error) {
	return s.authz.Can(ctx, a, access.OwnershipTransfer, "")
}

// checkAccountChange applies org.AccountTies.CheckChange for the actor.
func (s *Service) checkAccountChange(ctx context.Context, a authz.Actor, t org.AccountTies) error {
	transfer, err := s.mayTransferOwnership(ctx, a)
	if err != nil {
		return err
	}
	return t.CheckChange(a.OrgID, a.UserID, transfer)
}

// checkAccountChangeOf applies CheckChange to a member's account.
func (s *Service) checkAccountChangeOf(ctx context.Context, a authz.Actor, userID uuid.UUID) error {
	t, err := s.tiesOf(ctx, userID)
	if err != nil {
		return err
	}
	return s.checkAccountChange(ctx, a, t)
}

// changeableAccount returns the ties of a member's account that the actor may change: NotFound
// for anyone who is not a member of the actor's organisation, then CheckChange's refusals.
func (s *Service) changeableAccount(ctx context.Context, a authz.Actor, userID uuid.UUID) (org.AccountTies, error) {
	if _, err := s.member(ctx, a, userID); err != nil {
		return org.AccountTies{}, err
	}
	t, err := s.tiesOf(ctx, userID)
	if err != nil {
		return org.AccountTies{}, err
	}
	return t, s.checkAccountChange(ctx, a, t)
}

// member returns a membership of the actor's organisation; NotFound for anyone else, so an id
// of another organisation's person answers as one that does not exist.
func (s *Service) member(ctx context.Context, a authz.Actor, userID uuid.UUID) (*org.Membership, error) {
	m, err := s.memberships.Get(ctx, a.OrgID, userID)
	if errs.Is(err, errs.NotFound) {
		return nil, errs.NotFoundf("member")
	}
	return m, err
}

// inviteEmail makes an invitation for the one person with email, in the caller's transaction,
// and ends the organisation's earlier invitations for the same email, so that at most one waits.
func (s *Service) inviteEmail(ctx context.Context, a authz.Actor, email string, role org.Role) (CreatedInvitation, error) {
	if role == "" {
		role = org.RoleMember
	}
	token, hash := identity.NewSecret("")
	now := s.clock.Now()
	inv, err := org.NewEmailInvitation(a.OrgID, a.UserID, role, email, hash, now)
	if err != nil {
		return CreatedInvitation{}, err
	}
	if err := s.invitations.RevokeForEmail(ctx, a.OrgID, email, now); err != nil {
		return CreatedInvitation{}, err
	}
	if err := s.invitations.Create(ctx, inv); err != nil {
		return CreatedInvitation{}, err
	}
	return CreatedInvitation{Invitation: inv, Token: token}, nil
}

// InviteEmail invites the one person with email as a member, in the transaction in ctx, and
// records it: what a bulk import's row becomes whose email has an account the organisation does
// not manage (app/importer.Inviter). The importer has checked that the actor may add members.
// The link's token is not kept: the person finds the invitation when they sign in.
func (s *Service) InviteEmail(ctx context.Context, a authz.Actor, email string) error {
	inv, err := s.inviteEmail(ctx, a, email, org.RoleMember)
	if err != nil {
		return err
	}
	return s.audit.Append(ctx, a.Entry("invitation.create", "invitation", inv.Invitation.ID().String(), nil,
		map[string]any{"email": email, "role": inv.Invitation.Role(), "expires_at": inv.Invitation.ExpiresAt(), "reason": "import"}))
}

// DisableAccount disables a member's account itself, for the one organisation that manages it
// (account_not_managed for any other; owner_protected and admin_protected as for every change
// of an account): its person can no longer sign in anywhere, and every session and API token
// of theirs ends, in every organisation (ASVS 7.4.2). Deactivating a member ends only their
// access to this organisation (DeactivateMember).
func (s *Service) DisableAccount(ctx context.Context, a authz.Actor, userID uuid.UUID) (Member, error) {
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return Member{}, err
	}
	if userID == a.UserID {
		return Member{}, errs.E(errs.Conflict, "cannot_disable_self", "you cannot disable your own account")
	}
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		t, err := s.changeableAccount(ctx, a, userID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.disable(ctx, t); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("account.disable", "account", userID.String(), map[string]any{"status": identity.UserActive}, map[string]any{"status": identity.UserDeactivated}), nil
	})
	if err != nil {
		return Member{}, err
	}
	return s.dir.GetMember(ctx, a.OrgID, userID)
}

// disable disables an account and revokes its API tokens in each of its organisations, in the
// caller's transaction.
func (s *Service) disable(ctx context.Context, t org.AccountTies) error {
	if _, err := s.ident.DisableAccount(ctx, t.UserID); err != nil {
		return err
	}
	for _, m := range t.Memberships {
		if err := s.ident.RevokeMemberCredentials(ctx, m.OrgID, t.UserID); err != nil {
			return err
		}
	}
	return nil
}

// ResetCredentials takes back a member's account for the one organisation that manages it, when
// someone else may know its password (an organisation that made it before the domain was
// assigned, say): the password is removed, every session and API token of the account ends, in
// every organisation (ASVS 7.4.2), and a new activation link is returned for its person, who
// sets a new password with it. NotFound for anyone who is not a member; account_not_managed,
// owner_protected and admin_protected as for every change of an account; Conflict
// cannot_reset_self for the caller's own account (they change their password instead) and
// account_disabled for a disabled one.
func (s *Service) ResetCredentials(ctx context.Context, a authz.Actor, userID uuid.UUID) (ActivationLink, error) {
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return ActivationLink{}, err
	}
	var out ActivationLink
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		t, err := s.changeableAccount(ctx, a, userID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if userID == a.UserID {
			return access.AuditEntry{}, errs.E(errs.Conflict, "cannot_reset_self", "you cannot reset your own account; change your password instead")
		}
		tok, secret, u, err := s.ident.ResetCredentials(ctx, userID, a.OrgID, a.UserID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		for _, m := range t.Memberships {
			if err := s.ident.RevokeMemberCredentials(ctx, m.OrgID, userID); err != nil {
				return access.AuditEntry{}, err
			}
		}
		out = ActivationLink{UserID: u.ID(), Email: u.Email(), DisplayName: u.DisplayName(), Token: secret, ExpiresAt: tok.ExpiresAt()}
		return a.Entry("account.reset_credentials", "account", userID.String(), nil, map[string]any{"expires_at": out.ExpiresAt}), nil
	})
	return out, err
}

// ActivationLink is a new activation link with its secret token, which is shown only once: the
// caller builds the URL (server.public_url + "/activate/" + Token) and hands it to the person.
type ActivationLink struct {
	UserID uuid.UUID
	Email  string
	// DisplayName lets whoever hands the links over tell the people apart (a bulk import's
	// list of links is read by name).
	DisplayName string
	Token       string
	ExpiresAt   time.Time
}

// CreateActivationLink issues a new activation link for a member whose account the organisation
// manages and who has no password yet; the new link ends the earlier ones. NotFound for anyone
// who is not a member, Forbidden account_not_managed (and owner_protected, admin_protected) as
// for every change of an account, Conflict already_activated once the account has a password.
func (s *Service) CreateActivationLink(ctx context.Context, a authz.Actor, userID uuid.UUID) (ActivationLink, error) {
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return ActivationLink{}, err
	}
	transfer, err := s.mayTransferOwnership(ctx, a)
	if err != nil {
		return ActivationLink{}, err
	}
	var out ActivationLink
	err = s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		t, err := s.activationTies(ctx, a, []uuid.UUID{userID})
		if err != nil {
			return access.AuditEntry{}, err
		}
		out, err = s.issueActivation(ctx, a, t[userID], transfer)
		if err != nil {
			return access.AuditEntry{}, err
		}
		return activationEntry(a, out), nil
	})
	return out, err
}

// MaxActivationBatch is the most activation links one request issues.
const MaxActivationBatch = 1000

// SkippedActivation is a person a batch issued no link for, and why (the code of the error a
// single request would have had: not_found, account_not_managed, owner_protected,
// admin_protected, already_activated, account_disabled).
type SkippedActivation struct {
	UserID uuid.UUID
	Email  string
	Code   string
}

// CreateActivationLinks issues activation links for many members at once (at most
// MaxActivationBatch), in one transaction: those it can, and the others skipped with the reason.
// An email is given back only for a member of the organisation.
func (s *Service) CreateActivationLinks(ctx context.Context, a authz.Actor, userIDs []uuid.UUID) ([]ActivationLink, []SkippedActivation, error) {
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return nil, nil, err
	}
	if len(userIDs) == 0 {
		return nil, nil, errs.E(errs.Invalid, "invalid_request", "user_ids must name at least one member")
	}
	if len(userIDs) > MaxActivationBatch {
		return nil, nil, errs.E(errs.Invalid, "too_many_users", "at most 1000 user_ids at once")
	}
	return s.activationLinks(ctx, a, userIDs)
}

// CreateImportActivationLinks issues activation links, as CreateActivationLinks does, for every
// account that a bulk import of the organisation created; NotFound for another organisation's
// import.
func (s *Service) CreateImportActivationLinks(ctx context.Context, a authz.Actor, importID uuid.UUID) ([]ActivationLink, []SkippedActivation, error) {
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return nil, nil, err
	}
	ids, err := s.imports.Accounts(ctx, a.OrgID, importID)
	if err != nil {
		return nil, nil, err
	}
	if len(ids) == 0 {
		return []ActivationLink{}, []SkippedActivation{}, nil
	}
	return s.activationLinks(ctx, a, ids)
}

func (s *Service) activationLinks(ctx context.Context, a authz.Actor, userIDs []uuid.UUID) ([]ActivationLink, []SkippedActivation, error) {
	transfer, err := s.mayTransferOwnership(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	var links []ActivationLink
	var skipped []SkippedActivation
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		links, skipped = nil, nil
		ties, err := s.activationTies(ctx, a, userIDs)
		if err != nil {
			return err
		}
		seen := map[uuid.UUID]bool{}
		for _, id := range userIDs {
			if seen[id] {
				continue
			}
			seen[id] = true
			t, ok := ties[id]
			if !ok {
				skipped = append(skipped, SkippedActivation{UserID: id, Code: "not_found"})
				continue
			}
			l, err := s.issueActivation(ctx, a, t, transfer)
			if err != nil {
				if errs.KindOf(err) == errs.Internal || errs.KindOf(err) == errs.Unavailable {
					return err
				}
				email := ""
				if m, merr := s.dir.GetMember(ctx, a.OrgID, id); merr == nil {
					email = m.Email
				}
				skipped = append(skipped, SkippedActivation{UserID: id, Email: email, Code: errs.CodeOf(err)})
				continue
			}
			if err := s.audit.Append(ctx, activationEntry(a, l)); err != nil {
				return err
			}
			links = append(links, l)
		}
		return nil
	})
	return links, skipped, err
}

// activationTies returns the ties of those of userIDs who are members of the actor's
// organisation.
func (s *Service) activationTies(ctx context.Context, a authz.Actor, userIDs []uuid.UUID) (map[uuid.UUID]org.AccountTies, error) {
	all, err := s.accounts.Ties(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]org.AccountTies, len(all))
	for id, t := range all {
		for _, m := range t.Memberships {
			if m.OrgID == a.OrgID {
				out[id] = t
				break
			}
		}
	}
	if len(userIDs) == 1 && len(out) == 0 {
		return nil, errs.NotFoundf("member")
	}
	return out, nil
}

func (s *Service) issueActivation(ctx context.Context, a authz.Actor, t org.AccountTies, transfer bool) (ActivationLink, error) {
	if err := t.CheckChange(a.OrgID, a.UserID, transfer); err != nil {
		return ActivationLink{}, err
	}
	tok, secret, u, err := s.ident.IssueActivation(ctx, t.UserID, a.OrgID, a.UserID)
	if err != nil {
		return ActivationLink{}, err
	}
	return ActivationLink{UserID: u.ID(), Email: u.Email(), DisplayName: u.DisplayName(), Token: secret, ExpiresAt: tok.ExpiresAt()}, nil
}

func activationEntry(a authz.Actor, l ActivationLink) access.AuditEntry {
	return a.Entry("account.activation_link", "account", l.UserID.String(), nil, map[string]any{"expires_at": l.ExpiresAt})
}

// ActivationPreview is what the holder of an activation link sees before choosing a password.
type ActivationPreview struct {
	Email       string
	DisplayName string
	OrgName     string
	ExpiresAt   time.Time
}

// PreviewActivation tells the holder of a usable activation link whose account it activates and
// which organisation sent it; NotFound activation_invalid for any other link (and
// TooManyRequests past the limit of failures for the address).
func (s *Service) PreviewActivation(ctx context.Context, token, ip string) (ActivationPreview, error) {
	t, u, err := s.ident.Activation(ctx, token, ip)
	if err != nil {
		return ActivationPreview{}, err
	}
	o, err := s.orgs.Get(ctx, t.OrgID())
	if err != nil {
		return ActivationPreview{}, err
	}
	return ActivationPreview{Email: u.Email(), DisplayName: u.DisplayName(), OrgName: o.Name(), ExpiresAt: t.ExpiresAt()}, nil
}

// Activate sets the first password of an account with its activation link and uses the link
// up, recorded in the audit log of the organisation that issued it. It returns the account's
// email, with which its person signs in next.
func (s *Service) Activate(ctx context.Context, token, password, ip string) (string, error) {
	// Checked (and a failure counted) outside the transaction, which a failure rolls back.
	t, _, err := s.ident.Activation(ctx, token, ip)
	if err != nil {
		return "", err
	}
	var email string
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		u, err := s.ident.Activate(ctx, t, password)
		if err != nil {
			return err
		}
		email = u.Email()
		return s.audit.Append(ctx, access.AuditEntry{OrgID: t.OrgID(), ActorID: u.ID(), IP: ip, Action: "account.activate",
			TargetType: "account", TargetID: u.ID().String()})
	})
	return email, err
}
