package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"canopy/app/events"
	"canopy/domain/webhook"
)

// Consumer records webhook deliveries for the events the dispatcher hands it.
type Consumer struct{ s *Service }

var _ events.BatchConsumer = Consumer{}

// Consumer returns the events consumer of webhooks.
func (s *Service) Consumer() Consumer { return Consumer{s} }

// Name implements events.Consumer.
func (Consumer) Name() string { return "webhooks" }

// eventData is the body's data member: the event's subject, actor and payload.
type eventData struct {
	Subject struct {
		Type string    `json:"type"`
		ID   uuid.UUID `json:"id"`
	} `json:"subject"`
	ActorID *uuid.UUID      `json:"actor_id"`
	Payload json.RawMessage `json:"payload"`
}

// Consume implements events.Consumer for one event (ConsumeBatch).
func (c Consumer) Consume(ctx context.Context, e events.Event, recipients []uuid.UUID) error {
	return c.ConsumeBatch(ctx, []events.Delivery{{Event: e, Recipients: recipients}})
}

// ConsumeBatch implements events.BatchConsumer: one pending delivery for each active
// subscription of an event's organisation to its type, written in the dispatcher's
// transaction, with one read of the subscriptions per organisation of the batch. Recipients do
// not matter here: a webhook is the organisation's, and sees every event of its types.
func (c Consumer) ConsumeBatch(ctx context.Context, batch []events.Delivery) error {
	types := map[uuid.UUID][]string{} // by organisation, in the order first seen
	for _, d := range batch {
		if !slices.Contains(types[d.Event.OrgID], d.Event.Type) {
			types[d.Event.OrgID] = append(types[d.Event.OrgID], d.Event.Type)
		}
	}
	subs := map[uuid.UUID][]*webhook.Subscription{}
	for org, ts := range types {
		ss, err := c.s.d.Subscriptions.Matching(ctx, org, ts)
		if err != nil {
			return err
		}
		subs[org] = ss
	}
	var ds []webhook.Delivery
	for _, d := range batch {
		e := d.Event
		var raw []byte
		for _, sub := range subs[e.OrgID] {
			if !slices.Contains(sub.EventTypes(), e.Type) {
				continue
			}
			if raw == nil {
				var err error
				if raw, err = eventBody(e); err != nil {
					return err
				}
			}
			ds = append(ds, c.s.newDelivery(e.OrgID, sub.ID(), e.ID, e.Type, raw, e.CreatedAt))
		}
	}
	if len(ds) == 0 {
		return nil
	}
	return c.s.d.Deliveries.Add(ctx, ds...)
}

// eventBody is the data member of an event's deliveries.
func eventBody(e events.Event) ([]byte, error) {
	var data eventData
	data.Subject.Type, data.Subject.ID = e.SubjectType, e.SubjectID
	if e.ActorID != uuid.Nil {
		data.ActorID = &e.ActorID
	}
	data.Payload = e.Payload
	if len(data.Payload) == 0 {
		data.Payload = json.RawMessage(`{}`)
	}
	return json.Marshal(data)
}

// Wake makes the worker look for due deliveries now, rather than at its next poll.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run posts due deliveries until ctx ends. Every replica runs it; they share the work.
func (s *Service) Run(ctx context.Context) {
	const batch = 20
	for {
		n, err := s.DeliverDue(ctx, batch)
		if err != nil && ctx.Err() == nil {
			s.d.Log.Warn("webhook deliveries failed", "error", err.Error())
		}
		if n == batch && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-time.After(s.cfg.Poll):
		}
	}
}

// body is what a receiver gets.
type body struct {
	ID        uuid.UUID       `json:"id"`
	Type      string          `json:"type"`
	OrgID     uuid.UUID       `json:"org_id"`
	CreatedAt time.Time       `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// DeliverDue makes one pass: it claims up to limit due deliveries, posts them one after the
// other, and records each result. It returns how many it claimed.
func (s *Service) DeliverDue(ctx context.Context, limit int) (int, error) {
	now := s.d.Clock.Now()
	// A claimed delivery is left alone by other workers until well after this pass could have
	// posted it; then a worker that died with it no longer holds it back.
	lease := now.Add(time.Duration(limit+1)*s.cfg.Timeout + time.Minute)
	var claimed []webhook.Attempt
	err := s.d.Tx.Within(ctx, func(ctx context.Context) error {
		var err error
		claimed, err = s.d.Deliveries.Claim(ctx, now, lease, limit)
		return err
	})
	if err != nil {
		return 0, err
	}
	for i, at := range claimed {
		if ctx.Err() != nil {
			s.release(ctx, claimed[i:], lease)
			return len(claimed), ctx.Err()
		}
		if err := s.attempt(ctx, at); err != nil {
			if errors.Is(err, errShuttingDown) {
				s.release(ctx, claimed[i:], lease)
			}
			return len(claimed), err
		}
	}
	return len(claimed), nil
}

// errShuttingDown is attempt's error when the worker's context ended before the post did.
var errShuttingDown = errors.New("webhooks: shutting down")

// release hands claimed deliveries back, on a context of its own (ctx has ended): they are
// due again at once, rather than when their lease runs out.
// lease is the one the claim set, which tells this worker's claims from a later worker's.
func (s *Service) release(ctx context.Context, claimed []webhook.Attempt, lease time.Time) {
	ids := make([]uuid.UUID, len(claimed))
	for i, at := range claimed {
		ids[i] = at.ID
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.d.Deliveries.Release(rctx, ids, lease, s.d.Clock.Now()); err != nil {
		s.d.Log.Warn("handing back claimed webhook deliveries failed; they are retried when their lease runs out", "count", len(ids), "error", err.Error())
	}
}

func (s *Service) attempt(ctx context.Context, at webhook.Attempt) error {
	b, err := json.Marshal(body{ID: at.ID, Type: at.EventType, OrgID: at.OrgID, CreatedAt: at.OccurredAt, Data: at.Data})
	if err != nil {
		return err
	}
	sent := s.d.Clock.Now()
	ts := sent.Unix()
	header := map[string]string{
		"Content-Type":              "application/json",
		"User-Agent":                "Canopy-Webhooks/1",
		"Canopy-Webhook-Id":         at.ID.String(),
		"Canopy-Webhook-Timestamp":  strconv.FormatInt(ts, 10),
		"Canopy-Webhook-Signature":  Sign(at.Secret, ts, b),
		"Canopy-Webhook-Event-Type": at.EventType,
	}
	pctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	status, perr := s.d.Poster.Post(pctx, at.URL, header, b)
	cancel()
	if perr != nil && ctx.Err() != nil {
		// Shutting down: DeliverDue hands it back, and another worker (or this one, restarted)
		// tries again.
		return errors.Join(errShuttingDown, ctx.Err())
	}
	res := webhook.Result{Status: status}
	switch {
	case perr != nil:
		res.Err = perr.Error()
	case status < 200 || status > 299:
		res.Err = "the receiver answered " + strconv.Itoa(status)
	}
	if len(res.Err) > 500 {
		res.Err = res.Err[:500]
	}
	now := s.d.Clock.Now()
	f := webhook.Finish{ID: at.ID, Result: res, At: now, PauseAfter: s.cfg.PauseAfter}
	if !res.OK() {
		next := now.Add(webhook.Backoff(at.Attempts, s.jitter()))
		if next.Before(at.CreatedAt.Add(s.cfg.RetryFor)) {
			f.Next = &next
		}
	}
	return s.d.Tx.Within(ctx, func(ctx context.Context) error {
		paused, err := s.d.Deliveries.Finish(ctx, f)
		if err != nil || paused == nil {
			return err
		}
		s.d.Log.Warn("webhook subscription paused after failing", "org_id", paused.OrgID().String(),
			"subscription_id", paused.ID().String(), "failures", paused.FailureCount())
		return s.tellPaused(ctx, paused)
	})
}

// PausedType is the event that tells an organisation's admins a subscription was paused.
const PausedType = "webhooks.subscription_paused"

func (s *Service) tellPaused(ctx context.Context, sub *webhook.Subscription) error {
	if s.d.Publisher == nil || s.d.Admins == nil {
		return nil
	}
	admins, err := s.d.Admins.Admins(ctx, sub.OrgID())
	if err != nil || len(admins) == 0 {
		return err
	}
	payload, err := json.Marshal(map[string]any{"url": sub.URL(), "failures": sub.FailureCount()})
	if err != nil {
		return err
	}
	return s.d.Publisher.Publish(ctx, events.Event{Type: PausedType, OrgID: sub.OrgID(), SubjectType: "webhook", SubjectID: sub.ID(),
		Audience: events.Audience{Users: admins}, Payload: payload, CreatedAt: s.d.Clock.Now()})
}

func randomJitter() float64 { return rand.Float64() }
