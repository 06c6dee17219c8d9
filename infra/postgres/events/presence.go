package events

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	appevents "canopy/app/events"
	"canopy/infra/postgres"
)

// Presence records which users hold an open WebSocket on this replica, in the presence table:
// a row per (user, replica), refreshed while the user stays connected. Other modules count a
// user online while a row of theirs was seen in the last OnlineWindow.
type Presence struct {
	db      *gorm.DB
	replica string
	log     *slog.Logger
}

// OnlineWindow is how recently a presence row must have been refreshed to count; Run refreshes
// at a third of it, so a live connection never lapses and a dead replica's rows do soon.
const OnlineWindow = 90 * time.Second

// NewPresence returns the presence of one replica, named by an id of its own.
func NewPresence(db *gorm.DB, log *slog.Logger) *Presence {
	return &Presence{db: db, replica: uuid.NewString(), log: log}
}

var _ appevents.Presence = (*Presence)(nil)

// Present implements appevents.Presence.
func (p *Presence) Present(ctx context.Context, userID uuid.UUID) error {
	return p.upsert(ctx, []uuid.UUID{userID})
}

func (p *Presence) upsert(ctx context.Context, users []uuid.UUID) error {
	if len(users) == 0 {
		return nil
	}
	return postgres.Translate(postgres.Conn(ctx, p.db).Exec(`
INSERT INTO presence (user_id, replica_id, seen_at) SELECT u, ?, ? FROM unnest(?::uuid[]) AS u
ON CONFLICT (user_id, replica_id) DO UPDATE SET seen_at = excluded.seen_at`, p.replica, time.Now().UTC(), postgres.UUIDArray(users)).Error)
}

// Online reports whether the user has a presence row on any replica seen in the last
// OnlineWindow: a live connection somewhere.
func (p *Presence) Online(ctx context.Context, userID uuid.UUID) (bool, error) {
	var n int64
	err := postgres.Conn(ctx, p.db).Raw(`SELECT count(*) FROM presence WHERE user_id = ? AND seen_at > ?`, userID,
		time.Now().UTC().Add(-OnlineWindow)).Scan(&n).Error
	return n > 0, postgres.Translate(err)
}

// Absent implements appevents.Presence.
func (p *Presence) Absent(ctx context.Context, userID uuid.UUID) error {
	return postgres.Translate(postgres.Conn(ctx, p.db).Exec(`DELETE FROM presence WHERE user_id = ? AND replica_id = ?`, userID, p.replica).Error)
}

// Refresh marks users (those connected to this replica now) seen, forgets this replica's other
// rows (a Present or Absent that raced the other), and removes every replica's rows that
// lapsed long ago (a replica that died).
func (p *Presence) Refresh(ctx context.Context, users []uuid.UUID) error {
	if err := p.upsert(ctx, users); err != nil {
		return err
	}
	db := postgres.Conn(ctx, p.db)
	if err := db.Exec(`DELETE FROM presence WHERE replica_id = ? AND NOT (user_id = ANY(?::uuid[]))`, p.replica, postgres.UUIDArray(users)).Error; err != nil {
		return postgres.Translate(err)
	}
	return postgres.Translate(db.Exec(`DELETE FROM presence WHERE seen_at < ?`, time.Now().UTC().Add(-10*OnlineWindow)).Error)
}

// Run refreshes the presence of users() every third of OnlineWindow until ctx ends.
func (p *Presence) Run(ctx context.Context, users func() []uuid.UUID) {
	t := time.NewTicker(OnlineWindow / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := p.Refresh(ctx, users()); err != nil && ctx.Err() == nil {
			p.log.Warn("refreshing presence failed", "error", err.Error())
		}
	}
}
