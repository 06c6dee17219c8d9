package notifications

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"canopy/domain/errs"
	"canopy/domain/notifications"
	"canopy/infra/postgres"
)

// Digests finds the notifications that go out by email and claims them.
type Digests struct{ db *gorm.DB }

// NewDigests returns the digest repository.
func NewDigests(db *gorm.DB) *Digests { return &Digests{db} }

var _ notifications.DigestRepository = (*Digests)(nil)

// dueSQL is the condition on notifications n that makes one due (see notifications.DigestQuery):
// its channel (in_app when never chosen) is email, or in_app with no fresh presence, and its
// person is an active user and an active member. The args are the cutoff and the online bound.
const dueSQL = `n.read_at IS NULL AND n.emailed_at IS NULL AND n.created_at <= @cutoff
AND EXISTS (SELECT 1 FROM users u WHERE u.id = n.user_id AND u.status = 'active')
AND EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = n.org_id AND m.user_id = n.user_id AND m.status = 'active')
AND CASE COALESCE((SELECT p.channel FROM notification_preferences p WHERE p.user_id = n.user_id AND p.org_id = n.org_id AND p.kind = n.type), 'in_app')
    WHEN 'email' THEN true
    WHEN 'in_app' THEN NOT EXISTS (SELECT 1 FROM presence pr WHERE pr.user_id = n.user_id AND pr.seen_at > @online)
    ELSE false END`

func dueArgs(q notifications.DigestQuery) map[string]any {
	return map[string]any{"cutoff": q.Cutoff.UTC(), "online": q.OnlineSince.UTC()}
}

// DueUsers implements notifications.DigestRepository.
func (r *Digests) DueUsers(ctx context.Context, q notifications.DigestQuery, limit int) ([]uuid.UUID, error) {
	args := dueArgs(q)
	args["limit"] = limit
	var users []uuid.UUID
	err := postgres.Conn(ctx, r.db).Raw(`SELECT DISTINCT n.user_id FROM notifications n WHERE `+dueSQL+` LIMIT @limit`, args).Scan(&users).Error
	return users, postgres.Translate(err)
}

type recipientRow struct {
	Email       string
	DisplayName string
	Locale      string
	TimeZone    string
	StartMinute *int
	EndMinute   *int
}

// ClaimDue implements notifications.DigestRepository.
func (r *Digests) ClaimDue(ctx context.Context, userID uuid.UUID, q notifications.DigestQuery) (notifications.Recipient, []*notifications.Notification, error) {
	rec := notifications.Recipient{UserID: userID}
	if !postgres.InTx(ctx) {
		return rec, nil, errs.Internalf("notifications: ClaimDue outside a transaction would release its locks at once")
	}
	db := postgres.Conn(ctx, r.db)
	args := dueArgs(q)
	args["user"] = userID
	var rows []notificationRow
	err := db.Raw(`SELECT n.* FROM notifications n WHERE n.user_id = @user AND `+dueSQL+`
ORDER BY n.created_at, n.id FOR UPDATE OF n SKIP LOCKED`, args).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return rec, nil, postgres.Translate(err)
	}
	var rr recipientRow
	err = db.Raw(`SELECT u.email, u.display_name, u.locale, u.time_zone, q.start_minute, q.end_minute
FROM users u LEFT JOIN notification_quiet_hours q ON q.user_id = u.id WHERE u.id = ?`, userID).Scan(&rr).Error
	if err != nil {
		return rec, nil, postgres.Translate(err)
	}
	rec.Email, rec.DisplayName, rec.Locale, rec.TimeZone = rr.Email, rr.DisplayName, rr.Locale, rr.TimeZone
	if rr.StartMinute != nil && rr.EndMinute != nil {
		qh, err := notifications.NewQuietHours(*rr.StartMinute, *rr.EndMinute)
		if err != nil {
			return rec, nil, err
		}
		rec.Quiet = &qh
	}
	out := make([]*notifications.Notification, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return rec, out, nil
}

// MarkEmailed implements notifications.DigestRepository.
func (r *Digests) MarkEmailed(ctx context.Context, ids []uuid.UUID, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	return postgres.Translate(postgres.Conn(ctx, r.db).Exec(`UPDATE notifications SET emailed_at = ? WHERE id IN ?`, at.UTC(), ids).Error)
}
