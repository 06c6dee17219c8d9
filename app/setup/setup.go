// Package setup holds the use cases of the console's setup guide: reading its steps and
// dismissing it (or showing it again), for those who manage the organisation's settings.
package setup

import (
	"context"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/setup"
)

// Store reads the steps from what the organisation holds, and keeps the dismissal.
type Store interface {
	// Guide returns the organisation's guide; an organisation that does not exist has no steps
	// done and is not dismissed (the permission check has already refused a stranger).
	Guide(ctx context.Context, orgID uuid.UUID) (setup.Guide, error)
	// SetDismissed records whether the guide is dismissed, and by whom.
	SetDismissed(ctx context.Context, orgID, by uuid.UUID, dismissed bool) error
}

// Service is the setup guide's use cases.
type Service struct {
	store Store
	z     authz.Authorizer
}

// NewService returns it.
func NewService(store Store, z authz.Authorizer) *Service { return &Service{store: store, z: z} }

// Guide returns the organisation's guide. Forbidden without settings.manage: the guide walks
// through the organisation's setup, which only its administrators carry out.
func (s *Service) Guide(ctx context.Context, a authz.Actor) (setup.Guide, error) {
	if err := authz.Require(ctx, s.z, a, access.SettingsManage, ""); err != nil {
		return setup.Guide{}, err
	}
	return s.store.Guide(ctx, a.OrgID)
}

// SetDismissed hides the guide for the organisation's administrators, or shows it again.
// Forbidden without settings.manage.
func (s *Service) SetDismissed(ctx context.Context, a authz.Actor, dismissed bool) (setup.Guide, error) {
	if err := authz.Require(ctx, s.z, a, access.SettingsManage, ""); err != nil {
		return setup.Guide{}, err
	}
	if err := s.store.SetDismissed(ctx, a.OrgID, a.UserID, dismissed); err != nil {
		return setup.Guide{}, err
	}
	return s.store.Guide(ctx, a.OrgID)
}
