// Package notifications holds the use cases of in-app notifications: the consumer that turns
// dispatched events into a notification for each person they concern, and what a person does
// with theirs (list, count the unread, mark read) and with their preferences.
package notifications

import (
	"context"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/app/events"
	"canopy/domain/notifications"
)

// TxManager runs a use case in one transaction carried by ctx.
type TxManager interface {
	Within(ctx context.Context, fn func(ctx context.Context) error) error
}

// Clock tells the time; tests give a fixed one.
type Clock interface {
	Now() time.Time
}

// Deps are what the service is built on.
type Deps struct {
	Tx            TxManager
	Clock         Clock
	Notifications notifications.Repository
	Preferences   notifications.PreferenceRepository
}

// Service is the notifications module's use cases. Every one acts on the caller's own
// notifications in the organisation of their membership, so none needs a permission.
type Service struct {
	d Deps

	// The email digest, when set up (Digests).
	digest  DigestConfig
	digests notifications.DigestRepository
	mailer  Mailer
}

// NewService returns the notifications service.
func NewService(d Deps) *Service { return &Service{d: d} }

// Consumer makes notifications from dispatched events; the dispatcher calls it in its
// transaction, so a notification commits with the event's dispatch or not at all.
type Consumer struct{ s *Service }

// Consumer returns the events consumer of the service.
func (s *Service) Consumer() Consumer { return Consumer{s: s} }

var _ events.Consumer = Consumer{}

// Name implements events.Consumer.
func (Consumer) Name() string { return "notifications" }

// Consume implements events.Consumer: an event of a kind that notifies makes one notification
// for each recipient, except its actor (who knows what they did) and those who turned that
// kind off in the organisation. The recipients are those the dispatcher found may see the
// event's subject, so the consumer reads nothing more.
func (c Consumer) Consume(ctx context.Context, e events.Event, recipients []uuid.UUID) error {
	kind, err := notifications.ParseKind(e.Type)
	if err != nil {
		return nil // not a kind that notifies
	}
	seen := make(map[uuid.UUID]bool, len(recipients))
	var users []uuid.UUID
	for _, u := range recipients {
		if u == uuid.Nil || u == e.ActorID || seen[u] {
			continue
		}
		seen[u] = true
		users = append(users, u)
	}
	if len(users) == 0 {
		return nil
	}
	channels, err := c.s.d.Preferences.Channels(ctx, e.OrgID, kind, users)
	if err != nil {
		return err
	}
	now := c.s.d.Clock.Now()
	ns := make([]*notifications.Notification, 0, len(users))
	for _, u := range users {
		if channels[u] == notifications.ChannelOff {
			continue
		}
		n, err := notifications.New(notifications.NewInput{OrgID: e.OrgID, UserID: u, EventID: e.ID, Kind: kind,
			SubjectType: e.SubjectType, SubjectID: e.SubjectID, ActorID: e.ActorID, Payload: e.Payload}, now)
		if err != nil {
			return err
		}
		ns = append(ns, n)
	}
	if len(ns) == 0 {
		return nil
	}
	return c.s.d.Notifications.Add(ctx, ns)
}

// ListInput selects a page of the caller's notifications.
type ListInput struct {
	UnreadOnly    bool
	Limit, Offset int
}

// Page is a page of notifications, how many match, and how many are unread in all.
type Page struct {
	Items  []*notifications.Notification
	Total  int
	Unread int
}

// List returns a page of the caller's notifications in the organisation, newest first.
func (s *Service) List(ctx context.Context, a authz.Actor, in ListInput) (Page, error) {
	var p Page
	err := s.d.Tx.Within(ctx, func(ctx context.Context) error {
		var err error
		p.Items, p.Total, err = s.d.Notifications.List(ctx, a.OrgID, a.UserID,
			notifications.ListFilter{UnreadOnly: in.UnreadOnly, Limit: in.Limit, Offset: in.Offset})
		if err != nil {
			return err
		}
		p.Unread, err = s.d.Notifications.UnreadCount(ctx, a.OrgID, a.UserID)
		return err
	})
	return p, err
}

// UnreadCount returns how many of the caller's notifications in the organisation are unread.
func (s *Service) UnreadCount(ctx context.Context, a authz.Actor) (int, error) {
	return s.d.Notifications.UnreadCount(ctx, a.OrgID, a.UserID)
}

// MarkRead marks one of the caller's notifications read; another person's, or another
// organisation's, is NotFound as a missing one is.
func (s *Service) MarkRead(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	return s.d.Notifications.MarkRead(ctx, a.OrgID, a.UserID, id, s.d.Clock.Now())
}

// MarkAllRead marks every unread notification of the caller in the organisation read and
// returns how many it marked.
func (s *Service) MarkAllRead(ctx context.Context, a authz.Actor) (int, error) {
	return s.d.Notifications.MarkAllRead(ctx, a.OrgID, a.UserID, s.d.Clock.Now())
}

// Settings returns the caller's preferences in the organisation, every kind listed (in_app
// for those never chosen), with their quiet hours and time zone.
func (s *Service) Settings(ctx context.Context, a authz.Actor) (notifications.Settings, error) {
	st, err := s.d.Preferences.Settings(ctx, a.OrgID, a.UserID)
	if err != nil {
		return notifications.Settings{}, err
	}
	chosen := make(map[notifications.Kind]notifications.Channel, len(st.Channels))
	for _, p := range st.Channels {
		chosen[p.Kind] = p.Channel
	}
	st.Channels = make([]notifications.Preference, len(notifications.Kinds))
	for i, k := range notifications.Kinds {
		c := chosen[k]
		if c == "" {
			c = notifications.ChannelInApp
		}
		st.Channels[i] = notifications.Preference{Kind: k, Channel: c}
	}
	return st, nil
}

// SettingsInput changes the caller's preferences: the kinds listed get their channel, the
// others stay as they were; quiet hours are replaced when SetQuiet (Quiet nil removes them).
type SettingsInput struct {
	Channels []notifications.Preference
	SetQuiet bool
	Quiet    *notifications.QuietHours
}

// SetSettings records the caller's preferences and returns them as they now are.
func (s *Service) SetSettings(ctx context.Context, a authz.Actor, in SettingsInput) (notifications.Settings, error) {
	err := s.d.Tx.Within(ctx, func(ctx context.Context) error {
		if len(in.Channels) > 0 {
			if err := s.d.Preferences.SetChannels(ctx, a.OrgID, a.UserID, in.Channels); err != nil {
				return err
			}
		}
		if in.SetQuiet {
			return s.d.Preferences.SetQuietHours(ctx, a.UserID, in.Quiet)
		}
		return nil
	})
	if err != nil {
		return notifications.Settings{}, err
	}
	return s.Settings(ctx, a)
}
