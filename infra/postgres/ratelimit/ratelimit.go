// Package ratelimit counts API requests per caller in PostgreSQL, so that every replica
// shares one budget (table api_rate_counts, migration 00033).
package ratelimit

import (
	"context"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"canopy/infra/postgres"
)

// Counter counts requests in fixed windows.
type Counter struct {
	db *gorm.DB
	// pruned is the window start (Unix nanoseconds) up to which ended windows were deleted.
	pruned atomic.Int64
}

// New returns a counter on db.
func New(db *gorm.DB) *Counter { return &Counter{db: db} }

// Count adds one request to each subject's count in the window that starts at start, and
// returns the counts, in the order of subjects. It is one statement: one round trip.
// The first count in a new window also deletes, in the background, the windows that have
// ended. Errors are Unavailable or Internal.
func (c *Counter) Count(ctx context.Context, subjects []string, start time.Time) ([]int, error) {
	start = start.UTC()
	var rows []struct {
		Subject string
		N       int
	}
	err := postgres.Conn(ctx, c.db).Raw(`
		INSERT INTO api_rate_counts AS c (subject, window_start, n)
		SELECT s, ?, 1 FROM unnest(CAST(? AS text[])) AS s
		ON CONFLICT (subject, window_start) DO UPDATE SET n = c.n + 1
		RETURNING subject, n`, start, postgres.TextArray(subjects)).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	counts := make([]int, len(subjects))
	for i, s := range subjects {
		for _, r := range rows {
			if r.Subject == s {
				counts[i] = r.N
			}
		}
	}
	if prev := c.pruned.Load(); start.UnixNano() > prev && c.pruned.CompareAndSwap(prev, start.UnixNano()) {
		go c.prune(start)
	}
	return counts, nil
}

// prune deletes the windows that ended before the one starting at start. Each replica does it
// once a window; a failure leaves the rows for the next.
func (c *Counter) prune(start time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = c.db.WithContext(ctx).Exec(`DELETE FROM api_rate_counts WHERE window_start < ?`, start).Error
}
