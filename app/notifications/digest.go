package notifications

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"canopy/domain/mail"
	"canopy/domain/notifications"
)

// Mailer queues an email in the caller's transaction (the mail service).
type Mailer interface {
	Enqueue(ctx context.Context, m mail.Message) error
}

// DigestConfig tunes the email digest.
type DigestConfig struct {
	// Delay is how old a notification must be before it is mailed: the person has that long to
	// read it in the app, and a burst of events within it makes one email.
	Delay time.Duration
	// OnlineWindow is how recently a presence must have been seen for its person to count as
	// online (the gateway refreshes presence well within it).
	OnlineWindow time.Duration
	// AppURL is the web app's address, linked from the email.
	AppURL string
	// Batch is how many people one pass looks at.
	Batch int
}

// EnableDigests makes the service mail digests with mailer; without it SendDigests does
// nothing. Call it before the service is used.
func (s *Service) EnableDigests(cfg DigestConfig, repo notifications.DigestRepository, mailer Mailer) {
	if cfg.Batch <= 0 {
		cfg.Batch = 200
	}
	s.digest, s.digests, s.mailer = cfg, repo, mailer
}

// SendDigests mails each person with notifications due at now one email listing them all, in
// their language, and marks them mailed, in one transaction per person: a rolled-back pass
// sends nothing, and a second pass (or another replica) does not mail them again. A person
// inside their quiet hours at now is left for a later pass. It returns how many emails it
// queued. One person's failure does not hold up the others: it is returned after them.
func (s *Service) SendDigests(ctx context.Context, now time.Time) (int, error) {
	if s.digests == nil || s.mailer == nil {
		return 0, nil
	}
	q := notifications.DigestQuery{Cutoff: now.Add(-s.digest.Delay), OnlineSince: now.Add(-s.digest.OnlineWindow)}
	users, err := s.digests.DueUsers(ctx, q, s.digest.Batch)
	if err != nil {
		return 0, err
	}
	sent := 0
	var failed []error
	for _, u := range users {
		var mailed bool
		err := s.d.Tx.Within(ctx, func(ctx context.Context) error {
			var err error
			mailed, err = s.sendDigest(ctx, u, q, now)
			return err
		})
		if err != nil {
			failed = append(failed, fmt.Errorf("digest for user %s: %w", u, err))
		} else if mailed {
			sent++
		}
	}
	return sent, errors.Join(failed...)
}

// sendDigest claims one person's due notifications and queues their email, in the transaction
// in ctx.
func (s *Service) sendDigest(ctx context.Context, userID uuid.UUID, q notifications.DigestQuery, now time.Time) (bool, error) {
	r, ns, err := s.digests.ClaimDue(ctx, userID, q)
	if err != nil || len(ns) == 0 {
		return false, err
	}
	if quiet(r, now) {
		return false, nil
	}
	items := make([]map[string]string, len(ns))
	ids := make([]uuid.UUID, len(ns))
	for i, n := range ns {
		ids[i] = n.ID()
		var p struct {
			Name         string    `json:"name"`
			SharedByName string    `json:"shared_by_name"`
			Title        string    `json:"title"`      // tasks.*
			ActorName    string    `json:"actor_name"` // tasks.*
			DueAt        time.Time `json:"due_at"`     // tasks.task_due_soon, tasks.task_overdue
			Excerpt      string    `json:"excerpt"`    // tasks.comment_added, tasks.mentioned, messages.mentioned
			ChatName     string    `json:"chat_name"`  // messages.mentioned
		}
		_ = json.Unmarshal(n.Payload(), &p) // a payload without these fields lists as an unnamed item
		actor, subject := p.SharedByName, p.Name
		if actor == "" {
			actor = p.ActorName
		}
		if subject == "" {
			subject = p.Title
		}
		if subject == "" {
			subject = p.ChatName
		}
		items[i] = map[string]string{"Kind": string(n.Kind()), "Actor": actor, "Subject": subject,
			"Due": localTime(r, p.DueAt), "Excerpt": p.Excerpt}
	}
	err = s.mailer.Enqueue(ctx, mail.Message{To: r.Email, Locale: r.Locale, Kind: mail.KindNotificationDigest, Data: map[string]any{
		"Name": r.DisplayName, "Count": len(ns), "Items": items, "Link": s.digest.AppURL,
	}})
	if err != nil {
		return false, err
	}
	return true, s.digests.MarkEmailed(ctx, ids, now)
}

// localTime shows t in the person's time zone (UTC when it is not one the system knows), ""
// for the zero time.
func localTime(r notifications.Recipient, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// quiet reports whether now falls in the person's quiet hours, in their time zone (UTC when it
// is not one the system knows).
func quiet(r notifications.Recipient, now time.Time) bool {
	if r.Quiet == nil {
		return false
	}
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	t := now.In(loc)
	return r.Quiet.Contains(t.Hour()*60 + t.Minute())
}

// RunDigests sends digests every interval until ctx ends.
func (s *Service) RunDigests(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := s.SendDigests(ctx, s.d.Clock.Now()); err != nil && ctx.Err() == nil {
			log.Warn("sending notification digests failed", "error", err.Error())
		} else if n > 0 {
			log.Info("notification digests queued", "count", n)
		}
	}
}
