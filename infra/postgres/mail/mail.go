// Package mail holds the PostgreSQL email outbox.
package mail

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"canopy/domain/errs"
	"canopy/domain/mail"
	"canopy/infra/postgres"
)

type outboxRow struct {
	ID            uuid.UUID `gorm:"primaryKey"`
	To            string    `gorm:"column:to"`
	Locale        string
	Kind          string
	Subject       string
	Text          string
	HTML          string `gorm:"column:html"`
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
}

func (outboxRow) TableName() string { return "email_outbox" }

// Outbox is the email outbox table.
type Outbox struct{ db *gorm.DB }

// NewOutbox returns the outbox repository.
func NewOutbox(db *gorm.DB) *Outbox { return &Outbox{db} }

// Add implements mail.Outbox.
func (o *Outbox) Add(ctx context.Context, e mail.Email, now time.Time) error {
	now = now.UTC()
	row := outboxRow{ID: e.ID, To: e.To, Locale: e.Locale, Kind: string(e.Kind), Subject: e.Subject, Text: e.Text, HTML: e.HTML,
		Status: string(mail.StatusPending), NextAttemptAt: now, CreatedAt: now}
	return postgres.Translate(postgres.Conn(ctx, o.db).Create(&row).Error)
}

// Claim implements mail.Outbox: one statement picks the due rows with SKIP LOCKED and moves
// them past the lease, so two workers never take the same row and no transaction stays open
// while mail is sent.
func (o *Outbox) Claim(ctx context.Context, now, leaseUntil time.Time, limit int) ([]mail.Claimed, error) {
	var rows []outboxRow
	err := postgres.Conn(ctx, o.db).Raw(`
		UPDATE email_outbox SET attempts = attempts + 1, next_attempt_at = ?
		WHERE id IN (
			SELECT id FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= ?
			ORDER BY next_attempt_at, created_at LIMIT ? FOR UPDATE SKIP LOCKED)
		RETURNING *`, leaseTime(leaseUntil), now.UTC(), limit).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]mail.Claimed, 0, len(rows))
	for _, r := range rows {
		out = append(out, mail.Claimed{Email: mail.Email{ID: r.ID, To: r.To, Locale: r.Locale, Kind: mail.Kind(r.Kind),
			Subject: r.Subject, Text: r.Text, HTML: r.HTML}, Attempts: r.Attempts})
	}
	return out, nil
}

// MarkSent implements mail.Outbox. The body is emptied once sent: it may hold a reset or
// activation link, which the outbox has no reason to keep.
func (o *Outbox) MarkSent(ctx context.Context, id uuid.UUID, now time.Time) error {
	res := postgres.Conn(ctx, o.db).Model(&outboxRow{}).Where("id = ?", id).
		Updates(map[string]any{"status": string(mail.StatusSent), "sent_at": now.UTC(), "last_error": "", "text": "", "html": ""})
	if res.Error != nil {
		return postgres.Translate(res.Error)
	}
	if res.RowsAffected != 1 {
		return errs.NotFoundf("email")
	}
	return nil
}

// Release implements mail.Outbox. The lease the claim set is its token: a message claimed
// again by another worker since has another, and this worker cannot hand it back.
func (o *Outbox) Release(ctx context.Context, ids []uuid.UUID, leaseUntil, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	err := postgres.Conn(ctx, o.db).Exec(`UPDATE email_outbox SET attempts = greatest(attempts - 1, 0), next_attempt_at = ?
		WHERE id IN ? AND status = 'pending' AND next_attempt_at = ?`, now.UTC(), ids, leaseTime(leaseUntil)).Error
	return postgres.Translate(err)
}

// leaseTime is a lease as PostgreSQL stores it, to the microsecond, so that Release finds
// the very value Claim set.
func leaseTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// MarkAttemptFailed implements mail.Outbox.
func (o *Outbox) MarkAttemptFailed(ctx context.Context, id uuid.UUID, reason string, next time.Time, dead bool) error {
	status := mail.StatusPending
	if dead {
		status = mail.StatusFailed
	}
	res := postgres.Conn(ctx, o.db).Model(&outboxRow{}).Where("id = ?", id).
		Updates(map[string]any{"status": string(status), "next_attempt_at": next.UTC(), "last_error": reason})
	if res.Error != nil {
		return postgres.Translate(res.Error)
	}
	if res.RowsAffected != 1 {
		return errs.NotFoundf("email")
	}
	return nil
}
