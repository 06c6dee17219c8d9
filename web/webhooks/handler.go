// Package webhooks is the HTTP face of webhooks: an organisation's subscriptions, their
// deliveries, redelivery and a test ping, all for holders of webhooks.manage.
package webhooks

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"canopy/app/authz"
	appwebhooks "canopy/app/webhooks"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/webhook"
	"canopy/web/server"
)

// Service is what the handlers need of the webhook use cases. Each returns Forbidden without
// webhooks.manage, NotFound for another organisation's ids and Invalid for bad input.
type Service interface {
	EventTypes() []string
	Create(ctx context.Context, a authz.Actor, in webhook.Input) (appwebhooks.Created, error)
	List(ctx context.Context, a authz.Actor) ([]*webhook.Subscription, error)
	Get(ctx context.Context, a authz.Actor, id uuid.UUID) (*webhook.Subscription, error)
	Update(ctx context.Context, a authz.Actor, id uuid.UUID, in webhook.Input) (*webhook.Subscription, error)
	Delete(ctx context.Context, a authz.Actor, id uuid.UUID) error
	Deliveries(ctx context.Context, a authz.Actor, subscriptionID uuid.UUID, before time.Time, limit int) ([]webhook.Delivery, error)
	Redeliver(ctx context.Context, a authz.Actor, subscriptionID, deliveryID uuid.UUID) (webhook.Delivery, error)
	Ping(ctx context.Context, a authz.Actor, subscriptionID uuid.UUID) (webhook.Delivery, error)
}

// Handler serves the webhook routes.
type Handler struct{ svc Service }

// New returns the webhook handlers.
func New(svc Service) *Handler { return &Handler{svc: svc} }

// Register adds the webhook routes.
func (h *Handler) Register(r *server.Router) {
	base, need := "/admin/orgs/:orgID/webhooks", server.Needs(access.WebhooksManage)
	r.Add(need, http.MethodGet, base, h.list)
	r.Add(need, http.MethodPost, base, h.create)
	r.Add(need, http.MethodGet, base+"/:webhookID", h.get)
	r.Add(need, http.MethodPatch, base+"/:webhookID", h.update)
	r.Add(need, http.MethodDelete, base+"/:webhookID", h.delete)
	r.Add(need, http.MethodPost, base+"/:webhookID/ping", h.ping)
	r.Add(need, http.MethodGet, base+"/:webhookID/deliveries", h.deliveries)
	r.Add(need, http.MethodPost, base+"/:webhookID/deliveries/:deliveryID/redeliver", h.redeliver)
}

type subscriptionJSON struct {
	ID           string     `json:"id"`
	URL          string     `json:"url"`
	EventTypes   []string   `json:"event_types"`
	Active       bool       `json:"active"`
	PausedAt     *time.Time `json:"paused_at"`
	FailureCount int        `json:"failure_count"`
	CreatedBy    *string    `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
	// Secret is set only in the answer that creates the subscription.
	Secret string `json:"secret,omitempty"`
}

func toSubscriptionJSON(s *webhook.Subscription) subscriptionJSON {
	var by *string
	if s.CreatedBy() != uuid.Nil {
		v := s.CreatedBy().String()
		by = &v
	}
	return subscriptionJSON{ID: s.ID().String(), URL: s.URL(), EventTypes: s.EventTypes(), Active: s.Active(), PausedAt: s.PausedAt(),
		FailureCount: s.FailureCount(), CreatedBy: by, CreatedAt: s.CreatedAt()}
}

type deliveryJSON struct {
	ID             string          `json:"id"`
	SubscriptionID string          `json:"subscription_id"`
	EventID        int64           `json:"event_id"`
	EventType      string          `json:"event_type"`
	Data           json.RawMessage `json:"data"`
	Status         string          `json:"status"`
	Attempts       int             `json:"attempts"`
	NextAttemptAt  *time.Time      `json:"next_attempt_at"`
	LastStatus     int             `json:"last_status"`
	LastError      string          `json:"last_error"`
	OccurredAt     time.Time       `json:"occurred_at"`
	CreatedAt      time.Time       `json:"created_at"`
	DeliveredAt    *time.Time      `json:"delivered_at"`
}

func toDeliveryJSON(d webhook.Delivery) deliveryJSON {
	next := d.NextAttemptAt
	if d.Status != webhook.Pending {
		next = nil
	}
	return deliveryJSON{ID: d.ID.String(), SubscriptionID: d.SubscriptionID.String(), EventID: d.EventID, EventType: d.EventType, Data: d.Data,
		Status: string(d.Status), Attempts: d.Attempts, NextAttemptAt: next, LastStatus: d.LastStatus, LastError: d.LastError,
		OccurredAt: d.OccurredAt, CreatedAt: d.CreatedAt, DeliveredAt: d.DeliveredAt}
}

func (h *Handler) list(c echo.Context) error {
	subs, err := h.svc.List(c.Request().Context(), server.Actor(c))
	if err != nil {
		return err
	}
	items := make([]subscriptionJSON, len(subs))
	for i, s := range subs {
		items[i] = toSubscriptionJSON(s)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "event_types": h.svc.EventTypes()})
}

type subscriptionRequest struct {
	URL        string   `json:"url"`
	EventTypes []string `json:"event_types"`
	Active     *bool    `json:"active"`
}

func (h *Handler) create(c echo.Context) error {
	var req subscriptionRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.URL == "" {
		return server.Required("url")
	}
	if req.EventTypes == nil {
		return server.Required("event_types")
	}
	created, err := h.svc.Create(c.Request().Context(), server.Actor(c), webhook.Input(req))
	if err != nil {
		return err
	}
	out := toSubscriptionJSON(created.Subscription)
	out.Secret = created.Secret
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, out)
}

func (h *Handler) get(c echo.Context) error {
	id, err := server.PathID(c, "webhookID", "webhook")
	if err != nil {
		return err
	}
	s, err := h.svc.Get(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSubscriptionJSON(s))
}

func (h *Handler) update(c echo.Context) error {
	id, err := server.PathID(c, "webhookID", "webhook")
	if err != nil {
		return err
	}
	var req subscriptionRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	s, err := h.svc.Update(c.Request().Context(), server.Actor(c), id, webhook.Input(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSubscriptionJSON(s))
}

func (h *Handler) delete(c echo.Context) error {
	id, err := server.PathID(c, "webhookID", "webhook")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.Delete(c.Request().Context(), server.Actor(c), id))
}

func (h *Handler) ping(c echo.Context) error {
	id, err := server.PathID(c, "webhookID", "webhook")
	if err != nil {
		return err
	}
	d, err := h.svc.Ping(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toDeliveryJSON(d))
}

func (h *Handler) deliveries(c echo.Context) error {
	id, err := server.PathID(c, "webhookID", "webhook")
	if err != nil {
		return err
	}
	limit, err := server.QueryInt(c, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	var before time.Time
	if v := c.QueryParam("before"); v != "" {
		if before, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return errs.Invalidf("query parameter %q must be a time (RFC 3339)", "before")
		}
	}
	ds, err := h.svc.Deliveries(c.Request().Context(), server.Actor(c), id, before, limit)
	if err != nil {
		return err
	}
	items := make([]deliveryJSON, len(ds))
	for i, d := range ds {
		items[i] = toDeliveryJSON(d)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (h *Handler) redeliver(c echo.Context) error {
	ids, err := server.PathIDs(c, "webhookID", "deliveryID")
	if err != nil {
		return err
	}
	d, err := h.svc.Redeliver(c.Request().Context(), server.Actor(c), ids[0], ids[1])
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toDeliveryJSON(d))
}
