package identity

import (
	"context"

	"github.com/google/uuid"

	"canopy/domain/identity"
)

// OrgTokens returns an organisation's tokens that carry a scope, whoever made them, newest first.
// The console lists the organisation's SCIM tokens with it; the caller has checked that the
// actor may see them.
func (s *Service) OrgTokens(ctx context.Context, orgID uuid.UUID, scope string) ([]*identity.APIToken, error) {
	return s.tokens.ListByOrg(ctx, orgID, scope)
}

// RevokeOrgToken revokes a token of an organisation that carries a scope, whoever made it;
// NotFound when the organisation has no such token. The caller has checked that the actor may.
func (s *Service) RevokeOrgToken(ctx context.Context, orgID uuid.UUID, scope string, id uuid.UUID) error {
	return s.tokens.RevokeInOrg(ctx, orgID, scope, id, s.clock.Now())
}
