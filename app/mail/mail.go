// Package mail holds the use cases of outgoing email: queueing a message in the caller's
// transaction (rendered in the recipient's language), and the worker that sends what is queued,
// retrying failures with a growing pause and giving up (the dead letter) after a set number of
// attempts.
package mail

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"canopy/domain/mail"
)

// Clock tells the time; tests give one of their own.
type Clock interface {
	Now() time.Time
}

// Renderer turns a message into its subject, text and HTML in the message's language (English
// when it has no templates in that language). Invalid when the kind has no templates.
type Renderer interface {
	Render(m mail.Message) (subject, text, html string, err error)
}

// Sender hands one email to the mail server. An error means it was not accepted and may be
// tried again.
type Sender interface {
	Send(ctx context.Context, e mail.Email) error
}

// Service queues email. It is the port other modules send mail through: their own interface
// with Enqueue(ctx, mail.Message) error.
type Service struct {
	outbox   mail.Outbox
	renderer Renderer
	clock    Clock
}

// NewService returns the service.
func NewService(outbox mail.Outbox, renderer Renderer, clock Clock) *Service {
	return &Service{outbox: outbox, renderer: renderer, clock: clock}
}

// Enqueue renders m and stores it in the outbox, in the caller's transaction: if the change it
// belongs to rolls back, nothing is sent. Invalid for an unknown kind or a bad address.
func (s *Service) Enqueue(ctx context.Context, m mail.Message) error {
	subject, text, html, err := s.renderer.Render(m)
	if err != nil {
		return err
	}
	e, err := mail.NewEmail(m.To, m.Locale, m.Kind, subject, text, html)
	if err != nil {
		return err
	}
	return s.outbox.Add(ctx, e, s.clock.Now())
}

// WorkerConfig tunes the worker.
type WorkerConfig struct {
	// MaxAttempts is how often a message is tried before it is marked failed for good.
	MaxAttempts int
	// PollInterval is how often the worker looks for due mail.
	PollInterval time.Duration
	// Batch is how many messages one pass claims; Lease how long they are its own.
	Batch int
	Lease time.Duration
}

// Worker sends queued email. Any number of replicas run one: each message is claimed by one.
type Worker struct {
	cfg    WorkerConfig
	outbox mail.Outbox
	sender Sender
	clock  Clock
	log    *slog.Logger
}

// NewWorker returns a worker sending through sender.
func NewWorker(cfg WorkerConfig, outbox mail.Outbox, sender Sender, clock Clock, log *slog.Logger) *Worker {
	if cfg.Batch <= 0 {
		cfg.Batch = 50
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 5 * time.Second
	}
	return &Worker{cfg: cfg, outbox: outbox, sender: sender, clock: clock, log: log}
}

// Result counts what one pass did.
type Result struct {
	Sent, Retried, Dead int
}

// RunOnce claims the mail that is due and sends it, one message after another. The claim is a
// statement of its own, so no transaction stays open while the mail server is talked to.
func (w *Worker) RunOnce(ctx context.Context) (Result, error) {
	var r Result
	now := w.clock.Now()
	lease := now.Add(w.cfg.Lease)
	claimed, err := w.outbox.Claim(ctx, now, lease, w.cfg.Batch)
	if err != nil {
		return r, err
	}
	for i, c := range claimed {
		if ctx.Err() != nil {
			// Stopping: what is left goes back at once rather than when the lease runs out.
			w.release(ctx, claimed[i:], lease)
			return r, ctx.Err()
		}
		if err := w.sender.Send(ctx, c.Email); err != nil {
			if ctx.Err() != nil {
				// Cut short by the shutdown, not refused by the server: not an attempt.
				w.release(ctx, claimed[i:], lease)
				return r, ctx.Err()
			}
			dead := c.Attempts >= w.cfg.MaxAttempts
			reason := err.Error()
			if len(reason) > 1000 {
				reason = reason[:1000]
			}
			if merr := w.outbox.MarkAttemptFailed(ctx, c.ID, reason, w.clock.Now().Add(mail.Backoff(c.Attempts)), dead); merr != nil {
				return r, merr
			}
			if dead {
				r.Dead++
				w.log.Error("email dead-lettered", "id", c.ID.String(), "kind", string(c.Kind), "attempts", c.Attempts, "error", reason)
			} else {
				r.Retried++
				w.log.Warn("email not sent; will retry", "id", c.ID.String(), "kind", string(c.Kind), "attempts", c.Attempts, "error", reason)
			}
			continue
		}
		if err := w.outbox.MarkSent(ctx, c.ID, w.clock.Now()); err != nil {
			return r, err
		}
		r.Sent++
	}
	return r, nil
}

// release hands claimed messages back to the outbox, on a context of its own: ctx has ended.
// lease is the one the claim set, which tells this worker's claims from a later worker's.
func (w *Worker) release(ctx context.Context, claimed []mail.Claimed, lease time.Time) {
	ids := make([]uuid.UUID, len(claimed))
	for i, c := range claimed {
		ids[i] = c.ID
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := w.outbox.Release(rctx, ids, lease, w.clock.Now()); err != nil {
		w.log.Warn("handing back claimed email failed; it is retried when its lease runs out", "count", len(ids), "error", err.Error())
	}
}

// Run sends due mail every poll interval until ctx ends; a full batch is followed at once by the
// next.
func (w *Worker) Run(ctx context.Context) {
	for {
		r, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.Warn("email worker pass failed", "error", err.Error())
		}
		if err == nil && r.Sent+r.Retried+r.Dead >= w.cfg.Batch {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(w.cfg.PollInterval):
		}
	}
}
