package tasks

import (
	"context"
	"log/slog"
	"time"

	"canopy/domain/tasks"
)

// sweepBatch is how many rows one purge statement removes.
const sweepBatch = 500

// Sweep purges the lists and tasks deleted more than RestoreDays ago and forgets idempotency
// keys older than IdempotencyTTL; it returns how many rows went. Replicas may run it at once:
// the purge skips rows another one holds.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	before := s.now().AddDate(0, 0, -tasks.RestoreDays)
	total := 0
	for {
		n, err := s.sweeper.PurgeDeleted(ctx, before, sweepBatch)
		total += n
		if err != nil {
			return total, err
		}
		if n < sweepBatch {
			break
		}
	}
	n, err := s.idempotency.Prune(ctx, s.now().Add(-IdempotencyTTL))
	return total + int(n), err
}

// RunSweeper sweeps every interval until ctx ends.
func (s *Service) RunSweeper(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			log.Warn("tasks sweep failed", "error", err.Error())
		} else if n > 0 {
			log.Info("tasks swept", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
