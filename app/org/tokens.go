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
)

// TokenInput is a new API token for the acting member.
type TokenInput struct {
	Name string
	// Scopes default to "api": the member's own permissions, whole.
	Scopes []string
	// TTL of zero means the token never expires.
	TTL time.Duration
}

// tokenState is what the audit log keeps of a token: never its secret or its hash.
func tokenState(t *identity.APIToken) map[string]any {
	return map[string]any{"name": t.Name(), "scopes": t.Scopes(), "user_id": t.UserID(), "expires_at": t.ExpiresAt()}
}

// CreateToken makes an API token that acts as the actor in their organisation and returns it
// with its secret, which is never shown again. Its scopes may give only what the actor holds,
// and a token may create only tokens narrower than itself (authz.RequireScopes). The creation
// is audited, without the secret.
func (s *Service) CreateToken(ctx context.Context, a authz.Actor, in TokenInput) (*identity.APIToken, string, error) {
	if len(in.Scopes) == 0 {
		in.Scopes = []string{identity.ScopeAPI}
	}
	if err := authz.RequireScopes(ctx, s.authz, a, in.Scopes); err != nil {
		return nil, "", err
	}
	var t *identity.APIToken
	var secret string
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		var err error
		t, secret, err = s.ident.CreateToken(ctx, appidentity.CreateTokenInput{OrgID: a.OrgID, UserID: a.UserID, Name: in.Name, Scopes: in.Scopes, TTL: in.TTL,
			CredentialVersion: a.CredentialVersion})
		if err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("token.create", "token", t.ID().String(), nil, tokenState(t)), nil
	})
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// Tokens returns the actor's own tokens in their organisation, newest first.
func (s *Service) Tokens(ctx context.Context, a authz.Actor) ([]*identity.APIToken, error) {
	return s.ident.ListTokens(ctx, a.OrgID, a.UserID)
}

// RevokeToken revokes one of the actor's own tokens; NotFound for any other id. It is audited.
func (s *Service) RevokeToken(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		ts, err := s.ident.ListTokens(ctx, a.OrgID, a.UserID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		t := findToken(ts, id)
		if t == nil {
			return access.AuditEntry{}, errs.NotFoundf("token")
		}
		return a.Entry("token.revoke", "token", id.String(), tokenState(t), nil), s.ident.RevokeToken(ctx, a.OrgID, a.UserID, id)
	})
}

// RevokeOrgToken revokes a token of the organisation that carries scope, whoever made it (the
// organisation's SCIM tokens); NotFound for any other id. The caller has checked that the actor
// may. It is audited.
func (s *Service) RevokeOrgToken(ctx context.Context, a authz.Actor, scope string, id uuid.UUID) error {
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		ts, err := s.ident.OrgTokens(ctx, a.OrgID, scope)
		if err != nil {
			return access.AuditEntry{}, err
		}
		t := findToken(ts, id)
		if t == nil {
			return access.AuditEntry{}, errs.NotFoundf("token")
		}
		return a.Entry("token.revoke", "token", id.String(), tokenState(t), nil), s.ident.RevokeOrgToken(ctx, a.OrgID, scope, id)
	})
}

func findToken(ts []*identity.APIToken, id uuid.UUID) *identity.APIToken {
	for _, t := range ts {
		if t.ID() == id {
			return t
		}
	}
	return nil
}
