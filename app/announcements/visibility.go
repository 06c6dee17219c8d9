package announcements

import (
	"context"
	"slices"

	"github.com/google/uuid"

	appevents "canopy/app/events"
	"canopy/domain/errs"
)

// Visibility is the dispatcher's read check for the module's events, run when an event is
// dispatched: a publication goes to those who are its announcement's recipients then (so guests
// drop out of an organisation's or a department's audience), a reminder to those of them who
// still have not acknowledged it, an acknowledgement to the publisher; a deleted announcement's
// events to nobody.
func (s *Service) Visibility() appevents.Visibility { return visibility{s} }

type visibility struct{ s *Service }

// CanSee implements appevents.Visibility.
func (v visibility) CanSee(ctx context.Context, e appevents.Event, users []uuid.UUID) ([]uuid.UUID, error) {
	ann, err := v.s.d.Announcements.Get(ctx, e.OrgID, e.SubjectID)
	if errs.Is(err, errs.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	switch e.Type {
	case EventPublished:
		return v.s.d.Announcements.Recipients(ctx, ann, users, false)
	case EventReminder:
		return v.s.d.Announcements.Recipients(ctx, ann, users, true)
	case EventAcked:
		if slices.Contains(users, ann.PublishedBy()) {
			return []uuid.UUID{ann.PublishedBy()}, nil
		}
	}
	return nil, nil
}
