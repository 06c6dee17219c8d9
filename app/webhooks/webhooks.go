// Package webhooks holds the use cases of webhooks: an organisation's admins subscribe URLs to
// event types; the consumer records a delivery for each event and subscription in the
// dispatcher's transaction; the worker posts the deliveries after commit, signed, and tries
// again with backoff for up to a day; a subscription that keeps failing is paused.
package webhooks

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/app/events"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/webhook"
)

// TxManager runs fn in one database transaction carried by the context it is given.
type TxManager interface {
	Within(ctx context.Context, fn func(ctx context.Context) error) error
}

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// Poster posts a delivery. It refuses addresses that webhooks may not reach (unless allowed),
// follows no redirect and times out; its error says why in words that carry no secret.
type Poster interface {
	Post(ctx context.Context, url string, header map[string]string, body []byte) (status int, err error)
}

// Admins finds whom to tell that a subscription was paused.
type Admins interface {
	// Admins returns the active owners and admins of the organisation.
	Admins(ctx context.Context, orgID uuid.UUID) ([]uuid.UUID, error)
}

// Config tunes webhooks.
type Config struct {
	// EventTypes are the event types that may be subscribed to.
	EventTypes []string
	// AllowPrivateAddresses lets URLs name private and loopback addresses and use http (development).
	AllowPrivateAddresses bool
	// PauseAfter is how many failed attempts in a row pause a subscription.
	PauseAfter int
	// RetryFor is how long a delivery is tried before it is marked failed.
	RetryFor time.Duration
	// Timeout bounds one attempt; a claimed delivery is taken up again by another worker only
	// well after it.
	Timeout time.Duration
	// Poll is how often the worker looks for due deliveries.
	Poll time.Duration
}

// DefaultConfig is the configuration of a development install.
var DefaultConfig = Config{
	EventTypes: []string{"files.file_shared", "files.file_uploaded", "tasks.task_assigned", "tasks.task_completed",
		"tasks.task_due_soon", "tasks.task_overdue", "tasks.comment_added", "tasks.mentioned"},
	PauseAfter: 20, RetryFor: 24 * time.Hour, Timeout: 10 * time.Second, Poll: 2 * time.Second,
}

// Deps are the adapters the service needs.
type Deps struct {
	Tx            TxManager
	Clock         Clock
	Authorizer    authz.Authorizer
	Audit         authz.Auditor
	Subscriptions webhook.SubscriptionRepository
	Deliveries    webhook.DeliveryRepository
	Poster        Poster
	// Publisher and Admins tell the organisation's admins that a subscription was paused (an
	// event of type PausedType addressed to them, in the transaction that pauses it).
	Publisher events.Publisher
	Admins    Admins
	Log       *slog.Logger
}

// Service holds the webhook use cases, the consumer and the worker.
type Service struct {
	d      Deps
	cfg    Config
	policy webhook.URLPolicy
	wake   chan struct{}
	jitter func() float64
}

// NewService builds the service.
func NewService(cfg Config, d Deps) *Service {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{d: d, cfg: cfg, policy: webhook.URLPolicy{AllowPrivate: cfg.AllowPrivateAddresses},
		wake: make(chan struct{}, 1), jitter: randomJitter}
}

// EventTypes returns the event types that may be subscribed to.
func (s *Service) EventTypes() []string { return s.cfg.EventTypes }

// Created is a new subscription with its secret, which is shown this once.
type Created struct {
	Subscription *webhook.Subscription
	Secret       string
}

func subscriptionState(sub *webhook.Subscription) map[string]any {
	return map[string]any{"url": sub.URL(), "event_types": sub.EventTypes(), "active": sub.Active()}
}

// newSecret returns 256 random bits, as Canopy's secrets are written.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b)
}

// Create subscribes a URL to event types. Invalid for a bad URL or an unknown event type.
func (s *Service) Create(ctx context.Context, a authz.Actor, in webhook.Input) (Created, error) {
	if err := authz.Require(ctx, s.d.Authorizer, a, access.WebhooksManage, ""); err != nil {
		return Created{}, err
	}
	secret := newSecret()
	sub, err := webhook.NewSubscription(a.OrgID, a.UserID, in, s.cfg.EventTypes, s.policy, secret, s.d.Clock.Now())
	if err != nil {
		return Created{}, err
	}
	err = s.d.Tx.Within(ctx, func(ctx context.Context) error {
		if err := s.d.Subscriptions.Create(ctx, sub); err != nil {
			return err
		}
		return s.d.Audit.Append(ctx, a.Entry("webhook.create", "webhook", sub.ID().String(), nil, subscriptionState(sub)))
	})
	if err != nil {
		return Created{}, err
	}
	return Created{Subscription: sub, Secret: secret}, nil
}

// List returns the organisation's subscriptions.
func (s *Service) List(ctx context.Context, a authz.Actor) ([]*webhook.Subscription, error) {
	if err := authz.Require(ctx, s.d.Authorizer, a, access.WebhooksManage, ""); err != nil {
		return nil, err
	}
	return s.d.Subscriptions.List(ctx, a.OrgID)
}

// Get returns a subscription; NotFound for another organisation's.
func (s *Service) Get(ctx context.Context, a authz.Actor, id uuid.UUID) (*webhook.Subscription, error) {
	if err := authz.Require(ctx, s.d.Authorizer, a, access.WebhooksManage, ""); err != nil {
		return nil, err
	}
	return s.d.Subscriptions.Get(ctx, a.OrgID, id)
}

// Update changes a subscription's URL, event types or active state; turning a paused one back
// on clears its failures.
func (s *Service) Update(ctx context.Context, a authz.Actor, id uuid.UUID, in webhook.Input) (*webhook.Subscription, error) {
	if err := authz.Require(ctx, s.d.Authorizer, a, access.WebhooksManage, ""); err != nil {
		return nil, err
	}
	var sub *webhook.Subscription
	err := s.d.Tx.Within(ctx, func(ctx context.Context) error {
		var err error
		if sub, err = s.d.Subscriptions.Get(ctx, a.OrgID, id); err != nil {
			return err
		}
		before := subscriptionState(sub)
		if err := sub.Update(in, s.cfg.EventTypes, s.policy); err != nil {
			return err
		}
		if err := s.d.Subscriptions.Update(ctx, sub); err != nil {
			return err
		}
		return s.d.Audit.Append(ctx, a.Entry("webhook.update", "webhook", id.String(), before, subscriptionState(sub)))
	})
	if err != nil {
		return nil, err
	}
	s.Wake()
	return sub, nil
}

// Delete removes a subscription and its deliveries.
func (s *Service) Delete(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	if err := authz.Require(ctx, s.d.Authorizer, a, access.WebhooksManage, ""); err != nil {
		return err
	}
	return s.d.Tx.Within(ctx, func(ctx context.Context) error {
		sub, err := s.d.Subscriptions.Get(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		if err := s.d.Subscriptions.Delete(ctx, a.OrgID, id); err != nil {
			return err
		}
		return s.d.Audit.Append(ctx, a.Entry("webhook.delete", "webhook", id.String(), subscriptionState(sub), nil))
	})
}

// Deliveries lists a subscription's deliveries, newest first, before the time given when it is
// not zero.
func (s *Service) Deliveries(ctx context.Context, a authz.Actor, subscriptionID uuid.UUID, before time.Time, limit int) ([]webhook.Delivery, error) {
	if _, err := s.Get(ctx, a, subscriptionID); err != nil {
		return nil, err
	}
	return s.d.Deliveries.List(ctx, a.OrgID, subscriptionID, before, limit)
}

// Redeliver posts a delivery's event again, as a new delivery (the old one stays in the
// history); it goes out when its subscription is active.
func (s *Service) Redeliver(ctx context.Context, a authz.Actor, subscriptionID, deliveryID uuid.UUID) (webhook.Delivery, error) {
	if err := authz.Require(ctx, s.d.Authorizer, a, access.WebhooksManage, ""); err != nil {
		return webhook.Delivery{}, err
	}
	var d webhook.Delivery
	err := s.d.Tx.Within(ctx, func(ctx context.Context) error {
		old, err := s.d.Deliveries.Get(ctx, a.OrgID, deliveryID)
		if err != nil {
			return err
		}
		if old.SubscriptionID != subscriptionID {
			return errs.NotFoundf("delivery")
		}
		d = s.newDelivery(old.OrgID, old.SubscriptionID, old.EventID, old.EventType, old.Data, old.OccurredAt)
		if err := s.d.Deliveries.Add(ctx, d); err != nil {
			return err
		}
		return s.d.Audit.Append(ctx, a.Entry("webhook.redeliver", "webhook", subscriptionID.String(), nil, map[string]any{"delivery": deliveryID, "new_delivery": d.ID}))
	})
	if err != nil {
		return webhook.Delivery{}, err
	}
	s.Wake()
	return d, nil
}

// PingType is the event type of a test delivery.
const PingType = "webhooks.ping"

// Ping queues a test delivery (type webhooks.ping) to a subscription.
func (s *Service) Ping(ctx context.Context, a authz.Actor, subscriptionID uuid.UUID) (webhook.Delivery, error) {
	sub, err := s.Get(ctx, a, subscriptionID)
	if err != nil {
		return webhook.Delivery{}, err
	}
	now := s.d.Clock.Now()
	d := s.newDelivery(a.OrgID, sub.ID(), 0, PingType, json.RawMessage(`{}`), now)
	if err := s.d.Deliveries.Add(ctx, d); err != nil {
		return webhook.Delivery{}, err
	}
	s.Wake()
	return d, nil
}

func (s *Service) newDelivery(orgID, subID uuid.UUID, eventID int64, eventType string, data json.RawMessage, occurred time.Time) webhook.Delivery {
	now := s.d.Clock.Now().UTC()
	return webhook.Delivery{ID: uuid.New(), OrgID: orgID, SubscriptionID: subID, EventID: eventID, EventType: eventType, Data: data,
		OccurredAt: occurred.UTC(), Status: webhook.Pending, NextAttemptAt: &now, CreatedAt: now}
}

// Sign returns the signature header's value for a body sent at a time: "v1=" and the hex
// HMAC-SHA256, keyed with the subscription's secret, of "<unix seconds>.<body>".
func Sign(secret string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(timestamp, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a signature header as a receiver should: one of its space-separated "v1="
// values matches, in constant time, and the timestamp is within tolerance of now (the replay
// window).
func Verify(secret, signature, timestamp string, body []byte, now time.Time, tolerance time.Duration) bool {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return false
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return false
	}
	want := []byte(Sign(secret, ts, body))
	for _, part := range splitSpaces(signature) {
		if hmac.Equal([]byte(part), want) {
			return true
		}
	}
	return false
}

func splitSpaces(s string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' || s[i] == ',' {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	return out
}
