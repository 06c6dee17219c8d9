package tasks

import (
	"context"
	"slices"

	"github.com/google/uuid"

	appevents "canopy/app/events"
	"canopy/domain/errs"
)

// Visibility is the dispatcher's read check for the module's events: of the members an event's
// audience names, a guest keeps it only when they reach the task (or list) otherwise than by its
// owner, which never admits guests. Everyone else in the audience was named by one of the paths
// that let them see it.
func (s *Service) Visibility() appevents.Visibility { return visibility{s} }

type visibility struct{ s *Service }

// CanSee implements appevents.Visibility.
func (v visibility) CanSee(ctx context.Context, e appevents.Event, users []uuid.UUID) ([]uuid.UUID, error) {
	guests, err := v.s.directory.Guests(ctx, e.OrgID, users)
	if err != nil || len(guests) == 0 {
		return users, err
	}
	keep := make([]uuid.UUID, 0, len(users))
	for _, u := range users {
		if !slices.Contains(guests, u) {
			keep = append(keep, u)
			continue
		}
		ok, err := v.guestSees(ctx, e, u)
		if err != nil {
			return nil, err
		}
		if ok {
			keep = append(keep, u)
		}
	}
	return keep, nil
}

func (v visibility) guestSees(ctx context.Context, e appevents.Event, user uuid.UUID) (bool, error) {
	s := v.s
	switch e.SubjectType {
	case SubjectTask:
		t, err := s.tasks.Get(ctx, e.OrgID, e.SubjectID)
		if errs.Is(err, errs.NotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return s.reaches(ctx, e.OrgID, user, t)
	case SubjectList:
		l, err := s.lists.Get(ctx, e.OrgID, e.SubjectID)
		if errs.Is(err, errs.NotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		p, err := s.directory.Principals(ctx, e.OrgID, user)
		if err != nil {
			return false, err
		}
		roles, err := s.shares.ListRoles(ctx, e.OrgID, []uuid.UUID{l.ID()}, p)
		if err != nil {
			return false, err
		}
		return rawListLevel(p, l, roles[l.ID()]) > LevelNone, nil
	}
	return false, nil
}
