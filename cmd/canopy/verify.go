package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"

	"canopy/infra/config"
	"canopy/infra/objectstore"
)

// `canopy admin verify-files`: every file version row (current, older and in the trash) must
// have its object in the file bucket, of the row's size, and, where the row records a retention
// date still ahead (locked_until), an Object Lock retention at least that late. The fault runs of
// configs/deploy/loadtest.sh use it after MinIO was killed under load (docs/operations.md,
// "Faults under load").

// verifyLimit is how many problems verify-files lists one by one; it counts them all.
const verifyLimit = 20

// verifyReport is what verify-files found.
type verifyReport struct {
	Current, Older, Trashed int
	Missing                 int // no object, or one of another size
	ShortRetention          int // the store's retention ends before the row's locked_until
	LockPending             int // available_until ahead and not yet applied: the sweeper's locks pass will
	Orphans                 int // objects written without their row (uploads cut off), which the sweeper removes
	OrphansPastGrace        int // of those, the ones older than orphan_grace: the sweeper's next pass removes them
	LockChecked             bool
	Problems                []string
}

func (r verifyReport) problems() int { return r.Missing + r.ShortRetention }

func adminVerifyFiles(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	var failOnOrphans bool
	if err := flags("verify-files", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&failOnOrphans, "fail-on-orphans", false, "also fail while objects of unfinished uploads wait for the sweeper")
	}); err != nil {
		return err
	}
	if err := resolveLocal(&cfg); err != nil {
		return err
	}
	red := newRedactor(cfg)
	conn, err := pgx.Connect(ctx, cfg.Database.URL)
	if err != nil {
		return red.err(fmt.Errorf("connect to the database: %w", err))
	}
	defer conn.Close(context.Background())
	store, err := newBackupStore(cfg)
	if err != nil {
		return err
	}
	r, err := verifyFiles(ctx, conn, store, cfg.Files.OrphanGrace, time.Now())
	if err != nil {
		return red.err(err)
	}
	fmt.Fprintf(stdout, "file versions: %d (%d current, %d older, %d in the trash)\n", r.Current+r.Older+r.Trashed, r.Current, r.Older, r.Trashed)
	fmt.Fprintf(stdout, "objects missing or of another size: %d\n", r.Missing)
	if r.LockChecked {
		fmt.Fprintf(stdout, "retention shorter than recorded: %d\n", r.ShortRetention)
		fmt.Fprintf(stdout, "retention not yet applied (the sweeper's next pass applies it): %d\n", r.LockPending)
	} else {
		fmt.Fprintln(stdout, "retention: not checked (the bucket has no Object Lock)")
	}
	fmt.Fprintf(stdout, "objects of unfinished uploads: %d (%d past orphan_grace, which the sweeper's next pass removes)\n", r.Orphans, r.OrphansPastGrace)
	for _, p := range r.Problems {
		fmt.Fprintln(stdout, "problem:", p)
	}
	if n := r.problems(); n > len(r.Problems) {
		fmt.Fprintf(stdout, "(and %d more)\n", n-len(r.Problems))
	}
	n := r.problems()
	if failOnOrphans {
		n += r.Orphans
	}
	if n > 0 {
		return fmt.Errorf("verify-files: %d problems", n)
	}
	fmt.Fprintln(stdout, "verify-files: ok")
	return nil
}

// verifyObjects is what verifyFiles needs of the store.
type verifyObjects interface {
	HasVersion(ctx context.Context, key, versionID string, size int64) (bool, error)
	RetainUntil(ctx context.Context, key, versionID string) (time.Time, error)
	ObjectLockEnabled(ctx context.Context) (bool, error)
}

var _ verifyObjects = (*objectstore.Store)(nil)

func verifyFiles(ctx context.Context, conn *pgx.Conn, store verifyObjects, orphanGrace time.Duration, now time.Time) (verifyReport, error) {
	var r verifyReport
	locked, err := store.ObjectLockEnabled(ctx)
	if err != nil {
		// A bucket without any lock configuration answers with an error, not "Disabled".
		locked = false
	}
	r.LockChecked = locked
	rows, err := conn.Query(ctx, `SELECT v.object_key, v.object_version, v.size, v.available_until, v.locked_until,
			f.current_version_id IS NOT DISTINCT FROM v.id, f.deleted_at IS NOT NULL
		FROM file_versions v JOIN files f ON f.id = v.file_id ORDER BY v.object_key`)
	if err != nil {
		return r, fmt.Errorf("list file versions: %w", err)
	}
	type version struct {
		key, id         string
		size            int64
		available       time.Time
		locked          *time.Time
		current, binned bool
	}
	var versions []version
	for rows.Next() {
		var v version
		if err := rows.Scan(&v.key, &v.id, &v.size, &v.available, &v.locked, &v.current, &v.binned); err != nil {
			rows.Close()
			return r, err
		}
		versions = append(versions, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, err
	}
	problem := func(format string, a ...any) {
		if len(r.Problems) < verifyLimit {
			r.Problems = append(r.Problems, fmt.Sprintf(format, a...))
		}
	}
	for _, v := range versions {
		switch {
		case v.binned:
			r.Trashed++
		case v.current:
			r.Current++
		default:
			r.Older++
		}
		ok, err := store.HasVersion(ctx, v.key, v.id, v.size)
		if err != nil {
			return r, fmt.Errorf("object %s: %w", v.key, err)
		}
		if !ok {
			r.Missing++
			problem("object %s version %q: missing, or not of %d bytes", v.key, v.id, v.size)
			continue
		}
		if !locked || !v.available.After(now) {
			continue
		}
		until, err := store.RetainUntil(ctx, v.key, v.id)
		if err != nil {
			return r, fmt.Errorf("object %s: %w", v.key, err)
		}
		// S3 keeps retention to the second; the row keeps microseconds.
		if v.locked != nil && v.locked.After(now) && until.Add(time.Second).Before(*v.locked) {
			r.ShortRetention++
			problem("object %s: retained until %s, its row says %s was applied", v.key, fmtTime(until), fmtTime(*v.locked))
			continue
		}
		if until.Add(time.Second).Before(v.available) {
			r.LockPending++
		}
	}
	err = conn.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE p.created_at < $1) FROM pending_objects p
		WHERE NOT EXISTS (SELECT 1 FROM file_versions v WHERE v.object_key = p.object_key)
		  AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.object_key = p.object_key)`, now.Add(-orphanGrace)).Scan(&r.Orphans, &r.OrphansPastGrace)
	if err != nil {
		return r, fmt.Errorf("count orphans: %w", err)
	}
	return r, nil
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}
