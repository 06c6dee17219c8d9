// Package mail holds the email Canopy sends: a rendered message, and the outbox it waits in
// until a worker has handed it to the SMTP server.
package mail

import (
	"context"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

// Kind names what a message is for; each kind has its templates in both languages.
type Kind string

// The kinds of message.
const (
	KindPasswordReset   Kind = "password_reset"
	KindPasswordChanged Kind = "password_changed"
	KindEmailChanged    Kind = "email_changed"
	KindActivation      Kind = "activation"
	// KindNotificationDigest lists a person's notifications that they were not online to see.
	KindNotificationDigest Kind = "notification_digest"
)

// Status is where a message is in the outbox.
type Status string

// The statuses of a message: pending until sent, sent once the SMTP server took it, failed (the
// dead letter) after the last attempt failed.
const (
	StatusPending Status = "pending"
	StatusSent    Status = "sent"
	StatusFailed  Status = "failed"
)

// Message is an email to send, before it is rendered: whom to, in which language, of which
// kind, with the values its templates show (a link, a name). Ports that send mail take it
// (Enqueue(ctx, Message)); the mail service renders it into an Email in the caller's
// transaction.
type Message struct {
	To     string
	Locale string
	Kind   Kind
	Data   map[string]any
}

// Email is one email, addressed and rendered: what the outbox stores and the sender sends.
type Email struct {
	ID      uuid.UUID
	To      string
	Locale  string
	Kind    Kind
	Subject string
	Text    string
	HTML    string
}

var kindPattern = regexp.MustCompile(`^[a-z_]+$`)

// NewEmail checks a rendered message and gives it an id. The address must be a bare address
// (no name, no list): it comes from an account, never from whoever triggered the mail. A
// subject may not hold a line break, which would let it add headers.
func NewEmail(to, locale string, kind Kind, subject, text, html string) (Email, error) {
	a, err := mail.ParseAddress(to)
	if err != nil || a.Name != "" || a.Address != to || len(to) > 320 {
		return Email{}, errs.E(errs.Invalid, "invalid_email", "to: not a single email address")
	}
	if !kindPattern.MatchString(string(kind)) {
		return Email{}, errs.E(errs.Invalid, "invalid_kind", "kind: lowercase letters and underscores")
	}
	if subject == "" || strings.ContainsAny(subject, "\r\n") || text == "" {
		return Email{}, errs.E(errs.Invalid, "invalid_message", "a message needs a one-line subject and a text part")
	}
	return Email{ID: uuid.New(), To: to, Locale: locale, Kind: kind, Subject: subject, Text: text, HTML: html}, nil
}

// Outbox stores messages until they are sent. Every method joins the transaction in ctx.
type Outbox interface {
	// Add stores a pending message, due at once.
	Add(ctx context.Context, m Email, now time.Time) error
	// Claim takes up to limit pending messages due at now, oldest first, skipping those another
	// worker is claiming (SKIP LOCKED), counts an attempt for each and leases them until
	// leaseUntil: no other worker takes them before, and if the worker dies they are retried
	// after.
	Claim(ctx context.Context, now, leaseUntil time.Time, limit int) ([]Claimed, error)
	// MarkSent records that a message was handed to the SMTP server.
	MarkSent(ctx context.Context, id uuid.UUID, now time.Time) error
	// MarkAttemptFailed records a failed attempt: the message is due again at next, or, when
	// dead, stays failed for good.
	MarkAttemptFailed(ctx context.Context, id uuid.UUID, reason string, next time.Time, dead bool) error
	// Release hands back pending messages a worker claimed, with the lease leaseUntil, but
	// did not try (it is stopping): they are due again at now, and the attempt the claim
	// counted is taken back. A message whose lease is no longer leaseUntil (it ran out and
	// another worker claimed it since) is left alone.
	Release(ctx context.Context, ids []uuid.UUID, leaseUntil, now time.Time) error
}

// Claimed is a pending message with the attempts made so far, this one included.
type Claimed struct {
	Email
	Attempts int
}

// Backoff is the pause after a message's nth failed attempt (n from 1): 30s, 1m, 2m, ... up to
// an hour, so a mail server that is down for a while is not hammered and the message still goes
// once it is back.
func Backoff(n int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}
