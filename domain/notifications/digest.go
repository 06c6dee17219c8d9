package notifications

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Recipient is the person a digest is mailed to, with what the mail and the quiet hours need.
type Recipient struct {
	UserID      uuid.UUID
	Email       string
	DisplayName string
	Locale      string
	// TimeZone is the person's IANA time zone, the one their quiet hours are in.
	TimeZone string
	// Quiet is nil when the person has none.
	Quiet *QuietHours
}

// DigestQuery selects the notifications due for an email: unread, never mailed, made at or
// before Cutoff, of active members, whose channel for the kind is email, or in_app while the
// person has no presence seen after OnlineSince (no open WebSocket on any replica).
type DigestQuery struct {
	Cutoff      time.Time
	OnlineSince time.Time
}

// DigestRepository finds and claims the notifications that go out by email.
type DigestRepository interface {
	// DueUsers returns up to limit people with notifications due.
	DueUsers(ctx context.Context, q DigestQuery, limit int) ([]uuid.UUID, error)
	// ClaimDue locks the person's due notifications for the transaction in ctx, skipping those
	// another transaction holds (SKIP LOCKED: two replicas never mail the same ones), oldest
	// first, and returns them with the person. None when another replica has them.
	ClaimDue(ctx context.Context, userID uuid.UUID, q DigestQuery) (Recipient, []*Notification, error)
	// MarkEmailed records that the notifications were mailed at at.
	MarkEmailed(ctx context.Context, ids []uuid.UUID, at time.Time) error
}
