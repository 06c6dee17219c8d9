package messaging

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"

	appevents "canopy/app/events"
)

// LivePresence tells whether a user has a live connection to the event gateway on any replica
// (the presence rows the gateways keep fresh).
type LivePresence interface {
	Online(ctx context.Context, userID uuid.UUID) (bool, error)
}

// ConnectionPresence wraps the gateway's presence recorder (the events hub's Presence port) so
// that connecting and disconnecting are told to the organisations of the user, as POST
// /me/presence is: presence.changed online when their first connection opens and they had none
// live on any replica, offline when their last one here closes and none is left live anywhere.
// The hub knows nothing of this; an error is returned for it to log.
func (s *Service) ConnectionPresence(inner appevents.Presence, live LivePresence) appevents.Presence {
	return connectionPresence{s: s, inner: inner, live: live}
}

type connectionPresence struct {
	s     *Service
	inner appevents.Presence
	live  LivePresence
}

// Present implements appevents.Presence.
func (p connectionPresence) Present(ctx context.Context, userID uuid.UUID) error {
	// Asked before recording this connection; a failure to ask never keeps it from being
	// recorded.
	was, err := p.live.Online(ctx, userID)
	if perr := p.inner.Present(ctx, userID); perr != nil {
		return perr
	}
	if err != nil || was {
		return err
	}
	return p.s.connectionChanged(ctx, userID, "online")
}

// Absent implements appevents.Presence.
func (p connectionPresence) Absent(ctx context.Context, userID uuid.UUID) error {
	if err := p.inner.Absent(ctx, userID); err != nil {
		return err
	}
	still, err := p.live.Online(ctx, userID)
	if err != nil || still {
		return err
	}
	return p.s.connectionChanged(ctx, userID, "offline")
}

// connectionChanged publishes presence.changed in every organisation the user is an active
// member of, to the people who have a direct chat with them. Not to the whole organisation: each
// connection would then cost a delivery to everyone connected, and a replica's connections
// coming back at once members² of them.
func (s *Service) connectionChanged(ctx context.Context, userID uuid.UUID, status string) error {
	return s.announcePresence(ctx, userID, uuid.Nil, status)
}

// announcePresence publishes presence.changed to the user's presence watchers, in every
// organisation or in orgID's alone.
func (s *Service) announcePresence(ctx context.Context, userID, orgID uuid.UUID, status string) error {
	if s.events == nil {
		return nil
	}
	watchers, err := s.directory.PresenceWatchers(ctx, userID, orgID)
	if err != nil || len(watchers) == 0 {
		return err
	}
	return s.tx.Within(ctx, func(ctx context.Context) error {
		for org, users := range watchers {
			b, err := json.Marshal(map[string]any{"user_id": userID, "status": status})
			if err != nil {
				return err
			}
			if err := s.events.Publish(ctx, appevents.Event{Type: EventPresenceChanged, OrgID: org, ActorID: userID, SubjectType: SubjectUser,
				SubjectID: userID, Audience: appevents.Audience{Users: users}, Payload: b, CreatedAt: s.now()}); err != nil {
				return err
			}
		}
		return nil
	})
}
