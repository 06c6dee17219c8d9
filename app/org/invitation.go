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

// InvitationPreview is what a person sees before accepting.
type InvitationPreview struct {
	OrgName   string
	Role      org.Role
	ExpiresAt time.Time
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

// PreviewInvitation tells anyone holding the link which organisation it leads to.
func (s *Service) PreviewInvitation(ctx context.Context, token string) (InvitationPreview, error) {
	inv, err := s.usableInvitation(ctx, token)
	if err != nil {
		return InvitationPreview{}, err
	}
	o, err := s.orgs.Get(ctx, inv.OrgID())
	if err != nil {
		return InvitationPreview{}, err
	}
	return InvitationPreview{OrgName: o.Name(), Role: inv.Role(), ExpiresAt: inv.ExpiresAt()}, nil
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
	if in.Principal == nil && in.Signup == nil {
		return Accepted{}, errs.E(errs.Unauthenticated, "unauthenticated", "sign in, or give email, display_name and password to create an account")
	}
	if in.Principal != nil && in.Principal.IsToken() {
		return Accepted{}, errs.E(errs.Forbidden, "session_required", "accepting an invitation needs a session, not an API token")
	}
	var out Accepted
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		var u *identity.User
		var err error
		if in.Principal != nil {
			if u, err = s.ident.User(ctx, *in.Principal); err != nil {
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
		} else if u, err = s.ident.Register(ctx, *in.Signup); err != nil {
			return err
		}
		if err := s.invitations.Use(ctx, inv.ID(), s.clock.Now()); err != nil {
			return err
		}
		if err := s.memberships.Add(ctx, org.NewMembership(inv.OrgID(), u.ID(), inv.Role(), s.clock.Now())); err != nil {
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
