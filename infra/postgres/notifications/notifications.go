// Package notifications stores in-app notifications, the preferences people choose for them
// and their quiet hours.
package notifications

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"canopy/domain/errs"
	"canopy/domain/notifications"
	"canopy/infra/postgres"
)

type notificationRow struct {
	ID          uuid.UUID `gorm:"primaryKey"`
	OrgID       uuid.UUID
	UserID      uuid.UUID
	EventID     int64
	Type        string
	SubjectType string
	SubjectID   uuid.UUID
	ActorID     *uuid.UUID
	Payload     []byte `gorm:"type:jsonb"`
	CreatedAt   time.Time
	ReadAt      *time.Time
}

func (notificationRow) TableName() string { return "notifications" }

func newRow(n *notifications.Notification) notificationRow {
	r := notificationRow{ID: n.ID(), OrgID: n.OrgID(), UserID: n.UserID(), EventID: n.EventID(), Type: string(n.Kind()),
		SubjectType: n.SubjectType(), SubjectID: n.SubjectID(), Payload: n.Payload(), CreatedAt: n.CreatedAt(), ReadAt: n.ReadAt()}
	if a := n.ActorID(); a != uuid.Nil {
		r.ActorID = &a
	}
	return r
}

func (r notificationRow) domain() *notifications.Notification {
	var actor uuid.UUID
	if r.ActorID != nil {
		actor = *r.ActorID
	}
	var read *time.Time
	if r.ReadAt != nil {
		t := r.ReadAt.UTC()
		read = &t
	}
	return notifications.Rehydrate(r.ID, r.OrgID, r.UserID, r.EventID, notifications.Kind(r.Type), r.SubjectType, r.SubjectID, actor,
		json.RawMessage(r.Payload), r.CreatedAt.UTC(), read)
}

// Notifications stores notifications.
type Notifications struct{ db *gorm.DB }

// NewNotifications returns the notification repository.
func NewNotifications(db *gorm.DB) *Notifications { return &Notifications{db} }

var _ notifications.Repository = (*Notifications)(nil)

// Add implements notifications.Repository. An event dispatched again tells no one twice: the
// (user, event) pair is unique and a repeat is skipped.
func (r *Notifications) Add(ctx context.Context, ns []*notifications.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	rows := make([]notificationRow, len(ns))
	for i, n := range ns {
		rows[i] = newRow(n)
	}
	return postgres.Translate(postgres.Conn(ctx, r.db).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, 500).Error)
}

func (r *Notifications) mine(ctx context.Context, orgID, userID uuid.UUID) *gorm.DB {
	return postgres.Conn(ctx, r.db).Model(&notificationRow{}).Where("org_id = ? AND user_id = ?", orgID, userID)
}

// List implements notifications.Repository.
func (r *Notifications) List(ctx context.Context, orgID, userID uuid.UUID, f notifications.ListFilter) ([]*notifications.Notification, int, error) {
	q := r.mine(ctx, orgID, userID)
	if f.UnreadOnly {
		q = q.Where("read_at IS NULL")
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	var rows []notificationRow
	if err := q.Order("created_at DESC, id DESC").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]*notifications.Notification, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, int(total), nil
}

// UnreadCount implements notifications.Repository.
func (r *Notifications) UnreadCount(ctx context.Context, orgID, userID uuid.UUID) (int, error) {
	var n int64
	err := r.mine(ctx, orgID, userID).Where("read_at IS NULL").Count(&n).Error
	return int(n), postgres.Translate(err)
}

// MarkRead implements notifications.Repository. COALESCE keeps the first reading's time.
func (r *Notifications) MarkRead(ctx context.Context, orgID, userID, id uuid.UUID, at time.Time) error {
	res := r.mine(ctx, orgID, userID).Where("id = ?", id).Update("read_at", gorm.Expr("COALESCE(read_at, ?)", at.UTC()))
	if res.Error != nil {
		return postgres.Translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.NotFoundf("notification")
	}
	return nil
}

// MarkAllRead implements notifications.Repository.
func (r *Notifications) MarkAllRead(ctx context.Context, orgID, userID uuid.UUID, at time.Time) (int, error) {
	res := r.mine(ctx, orgID, userID).Where("read_at IS NULL").Update("read_at", at.UTC())
	return int(res.RowsAffected), postgres.Translate(res.Error)
}

// Prune removes the notifications made before before, read or not: the list keeps what is
// recent, as events are kept (events.retention).
func (r *Notifications) Prune(ctx context.Context, before time.Time) (int64, error) {
	res := postgres.Conn(ctx, r.db).Exec(`DELETE FROM notifications WHERE created_at < ?`, before)
	return res.RowsAffected, postgres.Translate(res.Error)
}
