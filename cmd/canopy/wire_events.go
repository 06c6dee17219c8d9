package main

import (
	"context"
	"net/url"
	"time"

	appevents "canopy/app/events"
	"canopy/infra/postgres"
	pgevents "canopy/infra/postgres/events"
)

// eventsStack is the events backbone of one replica: the outbox and streams, the dispatcher
// with its consumers, the gateway's hub and the fan-out between replicas.
type eventsStack struct {
	store      *pgevents.Store
	dispatcher *appevents.Dispatcher
	hub        *appevents.Hub
	fanout     appevents.Fanout
	// presence records who has a WebSocket open here (the notification digest mails the others).
	presence *pgevents.Presence
}

// eventConsumers are the consumers every dispatched event is handed to, in this order, in the
// dispatcher's transaction (each user's stream is appended before them).
func (s *stack) eventConsumers() []appevents.Consumer {
	return []appevents.Consumer{s.notifications.Consumer(), s.webhooks.Consumer()}
}

func (s *stack) buildEvents() {
	store := pgevents.NewStore(s.db)
	fanout := pgevents.NewFanout(s.db, s.cfg.Database.URL, s.log)
	s.events = &eventsStack{
		store:      store,
		dispatcher: appevents.NewDispatcher(postgres.NewTxManager(s.db), store, fanout, s.eventConsumers(), nil, func() time.Time { return time.Now().UTC() }, s.log),
		hub:        appevents.NewHub(store, s.cfg.Events.MaxConnectionsPerUser, s.cfg.Events.QueueSize, s.log),
		fanout:     fanout,
		presence:   pgevents.NewPresence(s.db, s.log),
	}
	s.events.hub.SetPresence(s.events.presence)
	s.enableDigests()
}

// runEvents runs the backbone's workers until ctx ends: the dispatcher (woken by the outbox's
// notifications, polling besides), the hub (woken by the streams' notifications from every
// replica), the two listeners, the refresh of this replica's presence and the notification
// digest.
func (s *stack) runEvents(ctx context.Context) {
	ev := s.events
	done := make(chan struct{}, 7)
	for _, f := range []func(context.Context){
		s.pruneEvents,
		ev.dispatcher.Run,
		ev.hub.Run,
		func(ctx context.Context) { ev.fanout.Listen(ctx, ev.hub.Wake) },
		func(ctx context.Context) {
			pgevents.Listen(ctx, s.cfg.Database.URL, pgevents.OutboxChannel, ev.dispatcher.Wake, s.log)
		},
		func(ctx context.Context) { ev.presence.Run(ctx, ev.hub.Users) },
		func(ctx context.Context) { s.notifications.RunDigests(ctx, time.Minute, s.log) },
	} {
		go func() { f(ctx); done <- struct{}{} }()
	}
	for range 7 {
		<-done
	}
}

// wsOrigins are the browser origins allowed to open the gateway besides the request's own host:
// the public URL's.
func (s *stack) wsOrigins() []string {
	if u, err := url.Parse(s.cfg.Server.PublicURL); err == nil && u.Host != "" {
		return []string{u.Host}
	}
	return nil
}

// pruneEvents removes dispatched events and stream entries past events.retention, hourly.
func (s *stack) pruneEvents(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := s.events.store.Prune(ctx, time.Now().Add(-s.cfg.Events.Retention)); err != nil && ctx.Err() == nil {
			s.log.Warn("pruning events failed", "error", err.Error())
		} else if n > 0 {
			s.log.Info("old events pruned", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
