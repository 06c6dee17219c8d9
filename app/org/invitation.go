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

// CreateInvitationInput holds the terms of a new invitation; zero values take the defaults.
type CreateInvitationInput struct {
	Role    string
	MaxUses int
	TTL     time.Duration
}

// CreatedInvitation is a new invitation with the token of its link, which is shown only once.
type CreatedInvitation struct {
	Invitation *org.Invitation
	Token      string
}

// CreateInvitation makes an invitation link; owners and admins only.
func (s *Service) CreateInvitation(ctx context.Context, a authz.Actor, in CreateInvitationInput) (CreatedInvitation, error) {
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return CreatedInvitation{}, err
	}
	role, err := org.ParseInviteRole(in.Role)
	if err != nil {
		return CreatedInvitation{}, err
	}
	if err := authz.RequireRoleGrantable(ctx, s.authz, a, role); err != nil {
		return CreatedInvitation{}, err
	}
	token, hash := identity.NewSecret("")
	inv, err := org.NewInvitation(a.OrgID, a.UserID, role, in.MaxUses, in.TTL, hash, s.clock.Now())
	if err != nil {
		return CreatedInvitation{}, err
	}
	err = s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		return a.Entry("invitation.create", "invitation", inv.ID().String(), nil,
			map[string]any{"role": inv.Role(), "max_uses": inv.MaxUses(), "expires_at": inv.ExpiresAt()}), s.invitations.Create(ctx, inv)
	})
	if err != nil {
		return CreatedInvitation{}, err
	}
	return CreatedInvitation{Invitation: inv, Token: token}, nil
}

// ListInvitations returns the organisation's invitations; owners and admins only.
func (s *Service) ListInvitations(ctx context.Context, a authz.Actor) ([]*org.Invitation, error) {
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return nil, err
	}
	return s.invitations.List(ctx, a.OrgID)
}

// RevokeInvitation stops an invitation's link from working; owners and admins only.
func (s *Service) RevokeInvitation(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return err
	}
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		return a.Entry("invitation.revoke", "invitation", id.String(), nil, nil), s.invitations.Revoke(ctx, a.OrgID, id, s.clock.Now())
	})
}

// AccountState says what the person an invitation is for must do before accepting it.
type AccountState string

// The account states of an invitation.
const (
	// AccountNone: there is no account to sign in to; the person creates one (for a link that
	// anyone may use, always this).
	AccountNone AccountState = "none"
	// AccountActive: the person signs in, then accepts.
	AccountActive AccountState = "active"
	// AccountNeedsActivation: the account was provisioned and never activated; its person first
	// sets a password with the activation link their administrator gave them. An invitation
	// never sets a password.
	AccountNeedsActivation AccountState = "needs_activation"
	// AccountUnknown: the invitation is for one email, and the caller is not signed in as it.
	// Whoever holds the link (the organisation that made it, among others) learns nothing
	// about that email's account, not even whether there is one.
	AccountUnknown AccountState = "unknown"
)

// InvitationPreview is what a person sees before accepting.
type InvitationPreview struct {
	OrgName   string
	Role      org.Role
	ExpiresAt time.Time
	// Email is the address of the one person the invitation is for, or "" for a link.
	Email        string
	AccountState AccountState
}

func (s *Service) usableInvitation(ctx context.Context, token string) (*org.Invitation, error) {
	if token == "" || len(token) > 128 {
		return nil, errs.NotFoundf("invitation")
	}
	inv, err := s.invitations.GetByTokenHash(ctx, identity.HashSecret(token))
	if err != nil {
		return nil, err
	}
	if err := inv.Check(s.clock.Now()); err != nil {
		return nil, err
	}
	return inv, nil
}

// PreviewInvitation tells anyone holding the link which organisation it leads to. The state of
// the account of an invitation for one email is told only to its person, signed in as it
// (viewer, nil for nobody): everyone else gets AccountUnknown, since the organisation that
// made the invitation holds the link too, and must learn nothing about the account.
func (s *Service) PreviewInvitation(ctx context.Context, token string, viewer *appidentity.Principal) (InvitationPreview, error) {
	inv, err := s.usableInvitation(ctx, token)
	if err != nil {
		return InvitationPreview{}, err
	}
	o, err := s.orgs.Get(ctx, inv.OrgID())
	if err != nil {
		return InvitationPreview{}, err
	}
	p := InvitationPreview{OrgName: o.Name(), Role: inv.Role(), ExpiresAt: inv.ExpiresAt(), Email: inv.Email(), AccountState: AccountNone}
	if inv.Email() == "" {
		return p, nil
	}
	p.AccountState = AccountUnknown
	if viewer == nil || viewer.IsToken() {
		return p, nil
	}
	u, err := s.ident.User(ctx, *viewer)
	if err != nil {
		return InvitationPreview{}, err
	}
	if inv.CheckAccount(u.Email()) != nil {
		return p, nil
	}
	if u.NeedsActivation() {
		p.AccountState = AccountNeedsActivation
	} else {
		p.AccountState = AccountActive
	}
	return p, nil
}

// CheckInvitation reports whether an invitation token can still be used; NotFound or Conflict
// when it cannot.
func (s *Service) CheckInvitation(ctx context.Context, token string) error {
	_, err := s.usableInvitation(ctx, token)
	return err
}

// AcceptInput is an acceptance. Principal is nil for a person without an account, who then
// gives Signup.
type AcceptInput struct {
	Token     string
	Principal *appidentity.Principal
	Signup    *appidentity.RegisterInput
	IP        string
	UserAgent string
}

// Accepted is the result of accepting: the organisation joined, the account, and a session when
// a new account was signed in.
type Accepted struct {
	OrgID   uuid.UUID
	User    *identity.User
	Session *appidentity.NewSession
}

// AcceptInvitation joins the organisation. The use is counted in the same transaction as the
// membership (and the new account), so a failure leaves neither, and concurrent accepts never
// pass the invitation's maximum. Accepting again as a member changes nothing.
func (s *Service) AcceptInvitation(ctx context.Context, in AcceptInput) (Accepted, error) {
	inv, err := s.usableInvitation(ctx, in.Token)
	if err != nil {
		return Accepted{}, err
	}
	return s.accept(ctx, inv, in)
}

// accept joins the organisation of a usable invitation (AcceptInvitation).
func (s *Service) accept(ctx context.Context, inv *org.Invitation, in AcceptInput) (Accepted, error) {
	if in.Principal == nil && in.Signup == nil {
		return Accepted{}, errs.E(errs.Unauthenticated, "unauthenticated", "sign in, or give email, display_name and password to create an account")
	}
	if in.Principal != nil && in.Principal.IsToken() {
		return Accepted{}, errs.E(errs.Forbidden, "session_required", "accepting an invitation needs a session, not an API token")
	}
	var out Accepted
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		var u *identity.User
		var err error
		if in.Principal != nil {
			if u, err = s.ident.User(ctx, *in.Principal); err != nil {
				return err
			}
			if err := inv.CheckAccount(u.Email()); err != nil {
				return err
			}
			existing, err := s.memberships.Get(ctx, inv.OrgID(), u.ID())
			if err == nil {
				if !existing.Active() {
					return errs.E(errs.Forbidden, "membership_deactivated", "your membership of this organisation was deactivated; ask an admin")
				}
				out = Accepted{OrgID: inv.OrgID(), User: u}
				return nil
			}
			if !errs.Is(err, errs.NotFound) {
				return err
			}
		} else {
			email, _ := identity.NormalizeEmail(in.Signup.Email) // Register says what is wrong with it
			if err := inv.CheckAccount(email); err != nil {
				return err
			}
			owner, err := s.domains.OrgOf(ctx, identity.EmailDomain(email))
			if err != nil {
				return err
			}
			if err := org.CheckSignup(inv.OrgID(), owner); err != nil {
				return err
			}
			if u, err = s.ident.Register(ctx, *in.Signup); err != nil {
				return err
			}
		}
		if err := s.invitations.Use(ctx, inv.ID(), s.clock.Now()); err != nil {
			return err
		}
		if err := s.memberships.Add(ctx, org.NewMembership(inv.OrgID(), u.ID(), inv.Role(), s.clock.Now())); err != nil {
			return err
		}
		// The person who joins is the actor: the organisation's log shows who came in, by
		// which invitation and with which role, in the transaction that let them in.
		if err := s.audit.Append(ctx, access.AuditEntry{
			OrgID: inv.OrgID(), ActorID: u.ID(), IP: in.IP,
			Action: "invitation.accept", TargetType: "member", TargetID: u.ID().String(),
			After: map[string]any{"invitation_id": inv.ID().String(), "role": inv.Role(), "signed_up": in.Principal == nil},
		}); err != nil {
			return err
		}
		out = Accepted{OrgID: inv.OrgID(), User: u}
		if in.Principal == nil {
			sess, err := s.ident.StartSession(ctx, u, in.IP, in.UserAgent)
			if err != nil {
				return err
			}
			out.Session = &sess
		}
		return nil
	})
	return out, err
}

// PendingInvitation is an invitation for the caller's email, with the name of its organisation.
type PendingInvitation struct {
	Invitation *org.Invitation
	OrgName    string
}

// MyInvitations returns the invitations for the caller's email that wait for them: those that
// provisioning, SCIM or a bulk import made when they met the caller's account, whose links
// nobody may have handed over. Only a session sees them.
func (s *Service) MyInvitations(ctx context.Context, p appidentity.Principal) ([]PendingInvitation, error) {
	if p.IsToken() {
		return nil, errs.E(errs.Forbidden, "session_required", "invitations are seen with a session, not an API token")
	}
	u, err := s.ident.User(ctx, p)
	if err != nil {
		return nil, err
	}
	is, err := s.invitations.ListForEmail(ctx, u.Email(), s.clock.Now())
	if err != nil {
		return nil, err
	}
	out := make([]PendingInvitation, 0, len(is))
	for _, inv := range is {
		if _, err := s.memberships.Get(ctx, inv.OrgID(), u.ID()); err == nil {
			continue // a member already: nothing waits
		}
		o, err := s.orgs.Get(ctx, inv.OrgID())
		if err != nil {
			return nil, err
		}
		out = append(out, PendingInvitation{Invitation: inv, OrgName: o.Name()})
	}
	return out, nil
}

// AcceptMyInvitation accepts one of MyInvitations by its id, as AcceptInvitation does with a
// link. NotFound for an id that is not an invitation for the caller's email.
func (s *Service) AcceptMyInvitation(ctx context.Context, p appidentity.Principal, id uuid.UUID) (Accepted, error) {
	if p.IsToken() {
		return Accepted{}, errs.E(errs.Forbidden, "session_required", "accepting an invitation needs a session, not an API token")
	}
	u, err := s.ident.User(ctx, p)
	if err != nil {
		return Accepted{}, err
	}
	inv, err := s.invitations.GetForEmail(ctx, id, u.Email())
	if err != nil {
		return Accepted{}, err
	}
	if err := inv.Check(s.clock.Now()); err != nil {
		return Accepted{}, err
	}
	return s.accept(ctx, inv, AcceptInput{Principal: &p, IP: p.IP})
}
