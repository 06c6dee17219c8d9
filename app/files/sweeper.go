package files

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/files"
)

// SweepConfig tunes the sweeper.
type SweepConfig struct {
	// Interval is how often a pass runs (it also runs when woken by a hold or a policy change).
	Interval time.Duration
	// OrphanGrace is how long an object may be pending (written, its row not yet committed)
	// before it counts as an orphan and is removed. It must outlast the slowest commit.
	OrphanGrace time.Duration
	// Batch is how many rows one transaction or one round of store calls handles.
	Batch int
	// Concurrency is how many object-store calls run at once.
	Concurrency int
}

// DefaultSweepConfig is what the sweeper runs with unless configured otherwise.
var DefaultSweepConfig = SweepConfig{Interval: 5 * time.Minute, OrphanGrace: time.Hour, Batch: 1000, Concurrency: 16}

// withDefaults fills the zero settings with the defaults.
func (c SweepConfig) withDefaults() SweepConfig {
	d := DefaultSweepConfig
	if c.Interval <= 0 {
		c.Interval = d.Interval
	}
	if c.OrphanGrace <= 0 {
		c.OrphanGrace = d.OrphanGrace
	}
	if c.Batch <= 0 {
		c.Batch = d.Batch
	}
	if c.Concurrency <= 0 {
		c.Concurrency = d.Concurrency
	}
	return c
}

// SweepStore is what the sweeper reads and writes in PostgreSQL. The batches that delete rows
// run in the caller's transaction and take their rows with FOR UPDATE SKIP LOCKED, so a row a
// request is changing is left for the next pass.
type SweepStore interface {
	// TrySweepLock takes the sweeper's lock, which one replica at a time holds (a PostgreSQL
	// advisory lock on a connection of its own, freed if the replica dies); ok is false when
	// another replica holds it. release gives it back.
	TrySweepLock(ctx context.Context) (release func(), ok bool, err error)
	// ReleaseExpiredReservations ends the reservations of streamed uploads that expired before
	// now (their process died mid-upload) and returns how many.
	ReleaseExpiredReservations(ctx context.Context, now time.Time) (int64, error)
	// PurgeFiles deletes up to limit files that may be purged at now, with all their versions:
	// those in the trash for longer than their organisation's trash days (defaultTrashDays when
	// it has no settings), and those whose every version is past the maximum retention of its
	// space or organisation; in both cases only when every version's available_until has passed
	// and none is held, checked again once the versions are locked. It frees their bytes in the
	// usage, records their objects (and thumbnails) as pending objects, so that a removal that
	// fails is retried as an orphan, and returns them. It needs a transaction.
	PurgeFiles(ctx context.Context, now time.Time, defaultTrashDays, limit int) (PurgeBatch, error)
	// PurgeVersions does the same for up to limit versions past the maximum retention that are
	// not their file's current version.
	PurgeVersions(ctx context.Context, now time.Time, limit int) (PurgeBatch, error)
	// Orphans returns up to limit keys, after the key after, of objects recorded as pending
	// before before that no version and no upload in progress names.
	Orphans(ctx context.Context, before time.Time, after string, limit int) ([]string, error)
	// Forget deletes the pending records of objects that are gone.
	Forget(ctx context.Context, keys []string) error
	// MarkExpiredLocked records as locked the versions whose lock is behind but whose
	// available_until has passed by now: the store has nothing left to enforce for them.
	MarkExpiredLocked(ctx context.Context, now time.Time) (int64, error)
	// Unlocked returns up to limit versions, after the id after, whose lock in the store is
	// missing or behind their available_until, which is after now; of one organisation, or of
	// all when orgID is uuid.Nil.
	Unlocked(ctx context.Context, now time.Time, orgID, after uuid.UUID, limit int) ([]VersionRef, error)
	// MarkLockedAll records the lock applied to each version (its AvailableUntil).
	MarkLockedAll(ctx context.Context, vs []VersionRef) error
	// HoldsBehind returns up to limit versions, after the id after, whose object's legal hold
	// differs from their legal_hold flag; of one organisation, or all when orgID is uuid.Nil.
	HoldsBehind(ctx context.Context, orgID, after uuid.UUID, limit int) ([]VersionRef, error)
	// MarkHoldsApplied records the hold applied to each version's object (its LegalHold),
	// where the flag has not changed since.
	MarkHoldsApplied(ctx context.Context, vs []VersionRef) error
}

// PurgeBatch is what one purge transaction deleted.
type PurgeBatch struct {
	Files    int
	Versions []PurgedVersion
}

// PurgedVersion is a deleted version whose object is still to be removed.
type PurgedVersion struct {
	ID             uuid.UUID
	OrgID          uuid.UUID
	Key            files.ObjectKey
	ObjectVersion  string
	ThumbnailKey   string
	Size           int64
	AvailableUntil time.Time
	LegalHold      bool
}

// VersionRef names a version's object with what the store should enforce on it.
type VersionRef struct {
	ID             uuid.UUID
	OrgID          uuid.UUID
	Key            files.ObjectKey
	ObjectVersion  string
	AvailableUntil time.Time
	LegalHold      bool
}

// SweepReport says what one pass did.
type SweepReport struct {
	// Skipped is set when another replica holds the sweeper's lock; nothing was done.
	Skipped              bool
	ReservationsReleased int64
	// UploadsExpired counts the tus uploads that expired and were ended (tus.go).
	UploadsExpired int
	FilesPurged    int
	VersionsPurged int
	BytesFreed     int64
	ObjectsRemoved int
	OrphansRemoved int
	Relocked       int
	HoldsApplied   int
	// Failures counts object-store calls that failed; each is retried by a later pass.
	Failures int
	Duration time.Duration
}

// Sweep runs one pass of the sweeper, if no other replica is running one: it ends the
// reservations of dead streamed uploads, purges the trash past its days and the versions past
// their maximum retention (never one within its retention window or held: the rows are checked
// under lock, and the store refuses, since removal never bypasses its lock), removes orphaned
// objects after their grace period, and re-applies the object locks and legal holds that are
// missing or behind. Failures of single objects are counted and retried by the next pass; the
// error reports a step that could not run at all.
func (s *Service) Sweep(ctx context.Context, now time.Time) (SweepReport, error) {
	var r SweepReport
	release, ok, err := s.store.TrySweepLock(ctx)
	if err != nil {
		return r, err
	}
	if !ok {
		r.Skipped = true
		return r, nil
	}
	defer release()
	start := time.Now()
	now = now.UTC()
	var failed []error
	step := func(name string, err error) {
		if err != nil {
			failed = append(failed, fmt.Errorf("files sweeper: %s: %w", name, err))
		}
	}
	n, err := s.store.ReleaseExpiredReservations(ctx, now)
	r.ReservationsReleased = n
	step("reservations", err)
	expired, err := s.SweepUploads(ctx, now)
	r.UploadsExpired = expired
	step("expired uploads", err)
	step("trash and maximum retention", s.purgePass(ctx, now, &r))
	step("orphans", s.orphanPass(ctx, now, &r))
	step("locks", s.lockPass(ctx, now, uuid.Nil, &r))
	_, err = s.holdPass(ctx, uuid.Nil, 0, &r)
	step("legal holds", err)
	r.Duration = time.Since(start)
	return r, errors.Join(failed...)
}

// purgePass purges whole files, then single versions past their maximum retention, a batch per
// transaction, each batch's objects removed once it has committed. The removal of one batch's
// objects runs while the next batch is chosen and deleted, so the database and the store work
// side by side.
func (s *Service) purgePass(ctx context.Context, now time.Time, r *SweepReport) (err error) {
	var (
		removing  sync.WaitGroup
		removeErr error
	)
	defer func() {
		removing.Wait()
		err = errors.Join(err, removeErr)
	}()
	trashDays := DefaultSettings().TrashDays
	for _, purge := range []func(ctx context.Context) (PurgeBatch, error){
		func(ctx context.Context) (PurgeBatch, error) {
			return s.store.PurgeFiles(ctx, now, trashDays, s.sweep.Batch)
		},
		func(ctx context.Context) (PurgeBatch, error) { return s.store.PurgeVersions(ctx, now, s.sweep.Batch) },
	} {
		for ctx.Err() == nil {
			var b PurgeBatch
			err := s.tx.Within(ctx, func(ctx context.Context) error {
				var err error
				if b, err = purge(ctx); err != nil {
					return err
				}
				// The store chose these under lock by the same rule; should it ever hand back a
				// version that may not go yet, the whole batch is rolled back.
				for _, v := range b.Versions {
					if v.LegalHold || now.Before(v.AvailableUntil) {
						return errs.Internalf("files sweeper: version %s chosen for purge is held or within its retention", v.ID)
					}
				}
				return nil
			})
			removing.Wait()
			if err != nil || removeErr != nil {
				return err
			}
			if b.Files == 0 && len(b.Versions) == 0 {
				break
			}
			r.FilesPurged += b.Files
			r.VersionsPurged += len(b.Versions)
			for _, v := range b.Versions {
				r.BytesFreed += v.Size
			}
			removing.Go(func() { removeErr = s.removePurged(ctx, b.Versions, r) })
		}
	}
	return ctx.Err()
}

// removeChunk is how many versions one multi-object delete request carries.
const removeChunk = 100

// BatchRemover is an ObjectStore that removes many object versions in one request (the S3
// multi-object delete), never with the governance bypass; the sweeper uses it when the store has
// it. It returns one error per version, in order, nil where the version is gone.
type BatchRemover interface {
	RemoveVersions(ctx context.Context, keys, versionIDs []string) []error
}

// removePurged removes the objects of purged versions, with no bypass of their locks, and then
// forgets their pending records; an object the store keeps stays pending, for the orphan pass.
func (s *Service) removePurged(ctx context.Context, vs []PurgedVersion, r *SweepReport) error {
	type job struct{ key, version string }
	var versions, others []job
	for _, v := range vs {
		if v.ObjectVersion != "" {
			versions = append(versions, job{v.Key.String(), v.ObjectVersion})
		} else {
			others = append(others, job{v.Key.String(), ""})
		}
		if v.ThumbnailKey != "" {
			others = append(others, job{v.ThumbnailKey, ""})
		}
	}
	var gone []string
	if br, ok := s.objects.(BatchRemover); ok && len(versions) > 0 {
		// Requests of removeChunk versions, several at once: the store works through each
		// request's versions one by one, so one request of a thousand would leave it idle
		// between them.
		keys, ids := make([]string, len(versions)), make([]string, len(versions))
		for i, j := range versions {
			keys[i], ids[i] = j.key, j.version
		}
		results := make([]error, len(keys))
		chunks := (len(keys) + removeChunk - 1) / removeChunk
		s.each(ctx, chunks, func(ctx context.Context, c int) error {
			lo, hi := c*removeChunk, min((c+1)*removeChunk, len(keys))
			copy(results[lo:hi], br.RemoveVersions(ctx, keys[lo:hi], ids[lo:hi]))
			return nil
		}, r)
		for i, err := range results {
			if err != nil {
				r.Failures++
				slog.Warn("files sweeper: the store kept a purged version's object; the next pass retries it", "key", keys[i], "err", err)
				continue
			}
			gone = append(gone, keys[i])
		}
	} else {
		others = append(others, versions...)
	}
	for _, i := range s.each(ctx, len(others), func(ctx context.Context, i int) error {
		j := others[i]
		if j.version == "" {
			return s.objects.RemoveOrphan(ctx, j.key)
		}
		return s.objects.Remove(ctx, j.key, j.version)
	}, r) {
		gone = append(gone, others[i].key)
	}
	r.ObjectsRemoved += len(gone)
	return s.store.Forget(ctx, gone)
}

// orphanPass removes the objects that have been pending for longer than the grace period with
// no version or upload naming them (and aborts their unfinished multipart uploads).
func (s *Service) orphanPass(ctx context.Context, now time.Time, r *SweepReport) error {
	before, after := now.Add(-s.sweep.OrphanGrace), ""
	for ctx.Err() == nil {
		keys, err := s.store.Orphans(ctx, before, after, s.sweep.Batch)
		if err != nil || len(keys) == 0 {
			return err
		}
		after = keys[len(keys)-1]
		removed := s.each(ctx, len(keys), func(ctx context.Context, i int) error {
			return s.objects.RemoveOrphan(ctx, keys[i])
		}, r)
		gone := make([]string, 0, len(removed))
		for _, i := range removed {
			gone = append(gone, keys[i])
		}
		r.OrphansRemoved += len(gone)
		if err := s.store.Forget(ctx, gone); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// lockPass gives every version whose lock is missing or behind (the store failed after its
// commit, or a policy extended its date) governance retention until its available_until.
func (s *Service) lockPass(ctx context.Context, now time.Time, orgID uuid.UUID, r *SweepReport) error {
	if orgID == uuid.Nil {
		if _, err := s.store.MarkExpiredLocked(ctx, now); err != nil {
			return err
		}
	}
	after := uuid.Nil
	for ctx.Err() == nil {
		vs, err := s.store.Unlocked(ctx, now, orgID, after, s.sweep.Batch)
		if err != nil || len(vs) == 0 {
			return err
		}
		after = vs[len(vs)-1].ID
		done := s.each(ctx, len(vs), func(ctx context.Context, i int) error {
			return s.objects.Lock(ctx, vs[i].Key.String(), vs[i].ObjectVersion, vs[i].AvailableUntil)
		}, r)
		locked := make([]VersionRef, 0, len(done))
		for _, i := range done {
			locked = append(locked, vs[i])
		}
		r.Relocked += len(locked)
		if err := s.store.MarkLockedAll(ctx, locked); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// holdPass sets or clears the S3 legal hold of every version whose object's hold differs from
// its flag, in at most maxBatches batches (0: until none is left), and reports whether more may
// remain. The caller holds the sweeper's lock, so there is one writer of holds at a time.
func (s *Service) holdPass(ctx context.Context, orgID uuid.UUID, maxBatches int, r *SweepReport) (more bool, err error) {
	after := uuid.Nil
	for n := 0; ctx.Err() == nil; n++ {
		if maxBatches > 0 && n == maxBatches {
			return true, nil
		}
		vs, err := s.store.HoldsBehind(ctx, orgID, after, s.sweep.Batch)
		if err != nil || len(vs) == 0 {
			return false, err
		}
		after = vs[len(vs)-1].ID
		done := s.each(ctx, len(vs), func(ctx context.Context, i int) error {
			return s.objects.SetLegalHold(ctx, vs[i].Key.String(), vs[i].ObjectVersion, vs[i].LegalHold)
		}, r)
		applied := make([]VersionRef, 0, len(done))
		for _, i := range done {
			applied = append(applied, vs[i])
		}
		r.HoldsApplied += len(applied)
		if err := s.store.MarkHoldsApplied(ctx, applied); err != nil {
			return false, err
		}
	}
	return false, ctx.Err()
}

// each runs fn for 0..n-1 with at most Concurrency calls at once, and returns the indexes that
// succeeded, in order. Failures are logged and counted; the rows stay for the next pass.
func (s *Service) each(ctx context.Context, n int, fn func(ctx context.Context, i int) error, r *SweepReport) []int {
	ok := make([]bool, n)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		next int
	)
	for w := 0; w < min(s.sweep.Concurrency, n); w++ {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					mu.Lock()
					r.Failures++
					mu.Unlock()
					slog.Warn("files sweeper: an object-store call failed; the next pass retries it", "err", err)
					continue
				}
				ok[i] = true
			}
		})
	}
	wg.Wait()
	out := make([]int, 0, n)
	for i, done := range ok {
		if done {
			out = append(out, i)
		}
	}
	return out
}

// WakeSweeper asks this replica's sweeper loop for a pass now, after a change that leaves
// object locks or holds behind.
func (s *Service) WakeSweeper() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// RunSweeper runs a sweep every interval, and whenever woken, until ctx ends. Every replica
// runs it; the sweeper's lock lets one of them sweep at a time, and the others skip the pass.
func (s *Service) RunSweeper(ctx context.Context, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	for {
		r, err := s.Sweep(ctx, s.now())
		if ctx.Err() != nil {
			return
		}
		switch {
		case err != nil:
			log.Warn("files sweep failed", "error", err.Error())
		case !r.Skipped && (r.FilesPurged+r.VersionsPurged+r.OrphansRemoved+r.Relocked+r.HoldsApplied > 0 || r.Failures > 0):
			log.Info("files sweep", "files_purged", r.FilesPurged, "versions_purged", r.VersionsPurged, "bytes_freed", r.BytesFreed,
				"orphans_removed", r.OrphansRemoved, "relocked", r.Relocked, "holds_applied", r.HoldsApplied, "failures", r.Failures,
				"duration", r.Duration.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-time.After(s.sweep.Interval):
		}
	}
}
