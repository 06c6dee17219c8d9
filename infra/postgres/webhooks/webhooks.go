// Package webhooks holds the PostgreSQL rows and repositories of webhook subscriptions and
// their deliveries.
package webhooks

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"canopy/domain/errs"
	"canopy/domain/webhook"
	"canopy/infra/postgres"
)

type subscriptionRow struct {
	ID           uuid.UUID `gorm:"primaryKey"`
	OrgID        uuid.UUID
	URL          string         `gorm:"column:url"`
	EventTypes   pq.StringArray `gorm:"type:text[]"`
	Secret       string
	Active       bool
	PausedAt     *time.Time
	FailureCount int
	CreatedBy    *uuid.UUID
	CreatedAt    time.Time
}

func (subscriptionRow) TableName() string { return "webhook_subscriptions" }

func (r subscriptionRow) domain() *webhook.Subscription {
	var by uuid.UUID
	if r.CreatedBy != nil {
		by = *r.CreatedBy
	}
	return webhook.RehydrateSubscription(r.ID, r.OrgID, r.URL, r.EventTypes, r.Secret, r.Active, r.PausedAt, r.FailureCount, by, r.CreatedAt)
}

func toSubscriptionRow(s *webhook.Subscription) subscriptionRow {
	var by *uuid.UUID
	if s.CreatedBy() != uuid.Nil {
		b := s.CreatedBy()
		by = &b
	}
	return subscriptionRow{ID: s.ID(), OrgID: s.OrgID(), URL: s.URL(), EventTypes: pq.StringArray(s.EventTypes()), Secret: s.Secret(),
		Active: s.Active(), PausedAt: s.PausedAt(), FailureCount: s.FailureCount(), CreatedBy: by, CreatedAt: s.CreatedAt()}
}

// Subscriptions stores webhook subscriptions.
type Subscriptions struct{ db *gorm.DB }

// NewSubscriptions returns the subscription repository.
func NewSubscriptions(db *gorm.DB) *Subscriptions { return &Subscriptions{db} }

// Create implements webhook.SubscriptionRepository.
func (r *Subscriptions) Create(ctx context.Context, s *webhook.Subscription) error {
	row := toSubscriptionRow(s)
	return postgres.Translate(postgres.Conn(ctx, r.db).Create(&row).Error)
}

// Get implements webhook.SubscriptionRepository.
func (r *Subscriptions) Get(ctx context.Context, orgID, id uuid.UUID) (*webhook.Subscription, error) {
	var row subscriptionRow
	err := postgres.Conn(ctx, r.db).Where("org_id = ? AND id = ?", orgID, id).Take(&row).Error
	if err != nil {
		if errs.Is(postgres.Translate(err), errs.NotFound) {
			return nil, errs.NotFoundf("webhook")
		}
		return nil, postgres.Translate(err)
	}
	return row.domain(), nil
}

// List implements webhook.SubscriptionRepository.
func (r *Subscriptions) List(ctx context.Context, orgID uuid.UUID) ([]*webhook.Subscription, error) {
	var rows []subscriptionRow
	if err := postgres.Conn(ctx, r.db).Where("org_id = ?", orgID).Order("created_at, id").Limit(1000).Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*webhook.Subscription, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// Update implements webhook.SubscriptionRepository.
func (r *Subscriptions) Update(ctx context.Context, s *webhook.Subscription) error {
	res := postgres.Conn(ctx, r.db).Model(&subscriptionRow{}).Where("org_id = ? AND id = ?", s.OrgID(), s.ID()).
		Updates(map[string]any{"url": s.URL(), "event_types": pq.StringArray(s.EventTypes()), "active": s.Active(),
			"paused_at": s.PausedAt(), "failure_count": s.FailureCount()})
	return postgres.NotFoundIfNone(res, "webhook")
}

// Delete implements webhook.SubscriptionRepository.
func (r *Subscriptions) Delete(ctx context.Context, orgID, id uuid.UUID) error {
	res := postgres.Conn(ctx, r.db).Where("org_id = ? AND id = ?", orgID, id).Delete(&subscriptionRow{})
	return postgres.NotFoundIfNone(res, "webhook")
}

// Matching implements webhook.SubscriptionRepository.
func (r *Subscriptions) Matching(ctx context.Context, orgID uuid.UUID, eventTypes []string) ([]*webhook.Subscription, error) {
	var rows []subscriptionRow
	err := postgres.Conn(ctx, r.db).Where("org_id = ? AND active AND event_types && CAST(? AS text[])", orgID, postgres.TextArray(eventTypes)).Order("id").Find(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*webhook.Subscription, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

type deliveryRow struct {
	ID             uuid.UUID `gorm:"primaryKey"`
	OrgID          uuid.UUID
	SubscriptionID uuid.UUID
	EventID        int64
	EventType      string
	Payload        json.RawMessage `gorm:"type:jsonb"`
	OccurredAt     time.Time
	Status         string
	Attempts       int
	NextAttemptAt  *time.Time
	LastStatus     int
	LastError      string
	CreatedAt      time.Time
	DeliveredAt    *time.Time
}

func (deliveryRow) TableName() string { return "webhook_deliveries" }

func (r deliveryRow) domain() webhook.Delivery {
	return webhook.Delivery{ID: r.ID, OrgID: r.OrgID, SubscriptionID: r.SubscriptionID, EventID: r.EventID, EventType: r.EventType,
		Data: r.Payload, OccurredAt: r.OccurredAt, Status: webhook.Status(r.Status), Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt,
		LastStatus: r.LastStatus, LastError: r.LastError, CreatedAt: r.CreatedAt, DeliveredAt: r.DeliveredAt}
}

func toDeliveryRow(d webhook.Delivery) deliveryRow {
	return deliveryRow{ID: d.ID, OrgID: d.OrgID, SubscriptionID: d.SubscriptionID, EventID: d.EventID, EventType: d.EventType,
		Payload: d.Data, OccurredAt: d.OccurredAt, Status: string(d.Status), Attempts: d.Attempts, NextAttemptAt: d.NextAttemptAt,
		LastStatus: d.LastStatus, LastError: d.LastError, CreatedAt: d.CreatedAt, DeliveredAt: d.DeliveredAt}
}

// Deliveries stores webhook deliveries.
type Deliveries struct{ db *gorm.DB }

// NewDeliveries returns the delivery repository.
func NewDeliveries(db *gorm.DB) *Deliveries { return &Deliveries{db} }

// Add implements webhook.DeliveryRepository.
func (r *Deliveries) Add(ctx context.Context, ds ...webhook.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	rows := make([]deliveryRow, len(ds))
	for i, d := range ds {
		rows[i] = toDeliveryRow(d)
	}
	// In chunks: a batch of events times an organisation's subscriptions may pass PostgreSQL's
	// limit of 65,535 parameters in one statement.
	return postgres.Translate(postgres.Conn(ctx, r.db).CreateInBatches(&rows, 1000).Error)
}

// Get implements webhook.DeliveryRepository.
func (r *Deliveries) Get(ctx context.Context, orgID, id uuid.UUID) (webhook.Delivery, error) {
	var row deliveryRow
	err := postgres.Conn(ctx, r.db).Where("org_id = ? AND id = ?", orgID, id).Take(&row).Error
	if err != nil {
		if errs.Is(postgres.Translate(err), errs.NotFound) {
			return webhook.Delivery{}, errs.NotFoundf("delivery")
		}
		return webhook.Delivery{}, postgres.Translate(err)
	}
	return row.domain(), nil
}

// List implements webhook.DeliveryRepository.
func (r *Deliveries) List(ctx context.Context, orgID, subscriptionID uuid.UUID, before time.Time, limit int) ([]webhook.Delivery, error) {
	q := postgres.Conn(ctx, r.db).Where("org_id = ? AND subscription_id = ?", orgID, subscriptionID)
	if !before.IsZero() {
		q = q.Where("created_at < ?", before)
	}
	var rows []deliveryRow
	if err := q.Order("created_at DESC, id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]webhook.Delivery, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// attemptRow is a claimed delivery with its subscription's URL and secret. The delivery is a
// named field: gorm cannot fill the fields of an unexported embedded struct.
type attemptRow struct {
	Delivery deliveryRow `gorm:"embedded"`
	URL      string      `gorm:"column:url"`
	Secret   string
}

// Claim implements webhook.DeliveryRepository.
func (r *Deliveries) Claim(ctx context.Context, now, leaseUntil time.Time, limit int) ([]webhook.Attempt, error) {
	var rows []attemptRow
	err := postgres.Conn(ctx, r.db).Raw(`
		UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = ?
		FROM webhook_subscriptions s
		WHERE s.id = d.subscription_id AND d.id IN (
			SELECT w.id FROM webhook_deliveries w JOIN webhook_subscriptions ws ON ws.id = w.subscription_id AND ws.active
			WHERE w.status = 'pending' AND w.next_attempt_at <= ?
			ORDER BY w.next_attempt_at LIMIT ? FOR UPDATE OF w SKIP LOCKED)
		RETURNING d.*, s.url, s.secret`, leaseTime(leaseUntil), now, limit).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]webhook.Attempt, len(rows))
	for i, row := range rows {
		out[i] = webhook.Attempt{Delivery: row.Delivery.domain(), URL: row.URL, Secret: row.Secret}
	}
	return out, nil
}

// Release implements webhook.DeliveryRepository. The lease the claim set is its token: a
// delivery claimed again by another worker since has another, and this worker cannot hand it
// back.
func (r *Deliveries) Release(ctx context.Context, ids []uuid.UUID, leaseUntil, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	err := postgres.Conn(ctx, r.db).Exec(`UPDATE webhook_deliveries SET attempts = greatest(attempts - 1, 0), next_attempt_at = ?
		WHERE id IN ? AND status = 'pending' AND next_attempt_at = ?`, now, ids, leaseTime(leaseUntil)).Error
	return postgres.Translate(err)
}

// leaseTime is a lease as PostgreSQL stores it, to the microsecond, so that Release finds
// the very value Claim set.
func leaseTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Finish implements webhook.DeliveryRepository. A success clears the subscription's run of
// failures; a failure lengthens it and pauses the subscription when it reaches PauseAfter.
func (r *Deliveries) Finish(ctx context.Context, f webhook.Finish) (*webhook.Subscription, error) {
	db := postgres.Conn(ctx, r.db)
	set := map[string]any{"last_status": f.Result.Status, "last_error": f.Result.Err, "next_attempt_at": f.Next}
	switch {
	case f.Result.OK():
		set["status"], set["delivered_at"], set["next_attempt_at"] = string(webhook.Succeeded), f.At, nil
	case f.Next == nil:
		set["status"] = string(webhook.Failed)
	}
	var subID []uuid.UUID
	if err := db.Model(&deliveryRow{}).Where("id = ? AND status = 'pending'", f.ID).Updates(set).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	if err := db.Raw(`SELECT subscription_id FROM webhook_deliveries WHERE id = ?`, f.ID).Scan(&subID).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	if len(subID) == 0 {
		return nil, nil // deleted with its subscription meanwhile
	}
	if f.Result.OK() {
		return nil, postgres.Translate(db.Exec(`UPDATE webhook_subscriptions SET failure_count = 0 WHERE id = ? AND failure_count <> 0`, subID[0]).Error)
	}
	var sub subscriptionRow
	if err := db.Raw(`SELECT * FROM webhook_subscriptions WHERE id = ? FOR UPDATE`, subID[0]).Scan(&sub).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	sub.FailureCount++
	paused := sub.Active && sub.FailureCount >= f.PauseAfter
	if paused {
		at := f.At.UTC()
		sub.Active, sub.PausedAt = false, &at
	}
	err := db.Model(&subscriptionRow{}).Where("id = ?", sub.ID).
		Updates(map[string]any{"failure_count": sub.FailureCount, "active": sub.Active, "paused_at": sub.PausedAt}).Error
	if err != nil || !paused {
		return nil, postgres.Translate(err)
	}
	return sub.domain(), nil
}

// Admins is who is told that a subscription was paused.
type Admins struct{ db *gorm.DB }

// NewAdmins returns the finder of an organisation's admins.
func NewAdmins(db *gorm.DB) *Admins { return &Admins{db} }

// Admins implements the webhooks service's Admins.
func (r *Admins) Admins(ctx context.Context, orgID uuid.UUID) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := postgres.Conn(ctx, r.db).Raw(`SELECT user_id FROM memberships WHERE org_id = ? AND status = 'active' AND role IN ('owner', 'admin')
		ORDER BY user_id LIMIT 1000`, orgID).Scan(&ids).Error
	return ids, postgres.Translate(err)
}
