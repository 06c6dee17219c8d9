package main

import (
	"context"
	"net/url"
	"time"

	appevents "canopy/app/events"
	"canopy/infra/postgres"
	pgevents "canopy/infra/postgres/events"
	pgnotifications "canopy/infra/postgres/notifications"
	pgwebhooks "canopy/infra/postgres/webhooks"
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

// eventVisibility is each module's read check on the recipients of its events.
func (s *stack) eventVisibility() map[string]appevents.Visibility {
	return map[string]appevents.Visibility{"tasks": s.tasks.Visibility(), "messages": s.messaging.Visibility(), "announcements": s.announcements.Visibility()}
}

func (s *stack) buildEvents() {
	store := pgevents.NewStore(s.db)
	fanout := pgevents.NewFanout(s.db, s.cfg.Database.URL, s.log)
	s.events = &eventsStack{
		store:      store,
		dispatcher: appevents.NewDispatcher(postgres.NewTxManager(s.db), store, fanout, s.eventConsumers(), s.eventVisibility(), func() time.Time { return time.Now().UTC() }, s.log),
		hub:        appevents.NewHub(store, s.cfg.Events.MaxConnectionsPerUser, s.cfg.Events.QueueSize, s.log),
		fanout:     fanout,
		presence:   pgevents.NewPresence(s.db, s.log),
	}
	// Connecting and disconnecting also tell the user's organisations (presence.changed), which
	// messaging publishes; the hub knows only the port.
	s.events.dispatcher.SetGateway(s.events.hub)
	s.events.hub.SetPresence(s.messaging.ConnectionPresence(s.events.presence, s.events.presence))
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

// pruneEvents removes, hourly, what is older than events.retention: dispatched events,
// notifications, and webhook deliveries that ended.
func (s *stack) pruneEvents(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		before := time.Now().Add(-s.cfg.Events.Retention)
		for _, p := range []struct {
			what  string
			prune func(context.Context, time.Time) (int64, error)
		}{
			{"events", s.events.store.Prune},
			{"notifications", pgnotifications.NewNotifications(s.db).Prune},
			{"webhook deliveries", func(ctx context.Context, t time.Time) (int64, error) { return pgwebhooks.PruneDeliveries(ctx, s.db, t) }},
		} {
			if n, err := p.prune(ctx, before); err != nil && ctx.Err() == nil {
				s.log.Warn("pruning failed", "what", p.what, "error", err.Error())
			} else if n > 0 {
				s.log.Info("old rows pruned", "what", p.what, "count", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
