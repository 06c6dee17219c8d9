package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"github.com/minio/minio-go/v7"

	appfiles "canopy/app/files"
	"canopy/infra/clock"
	"canopy/infra/postgres"
	pgfiles "canopy/infra/postgres/files"
)

// The sweeper's performance figure (issue 9: "make bench measures a sweep of 100,000 expired
// versions, target <= 60 s, with 0 early deletions"). Run only with -bench (make bench):
//
//	go test -run '^$' -bench 'FilesSweep' -benchtime 1x ./cmd/canopy/
//
// BenchmarkFilesSweep100kExpiredVersions sweeps 100,000 expired versions on the real PostgreSQL
// with an object store that counts removals (so the figure is the sweeper's own: its queries,
// its batches, its bookkeeping); BenchmarkFilesSweepMinIO sweeps 10,000 real objects in MinIO to
// show the cost of the store's removals, with locked objects that must survive.

// countingObjects is an object store that records what is removed and stores nothing.
type countingObjects struct {
	mu      sync.Mutex
	removed map[string]bool
}

func (o *countingObjects) Put(context.Context, string, io.Reader, int64, string) (string, error) {
	return "v1", nil
}
func (o *countingObjects) Lock(context.Context, string, string, time.Time) error { return nil }
func (o *countingObjects) SetLegalHold(context.Context, string, string, bool) error {
	return nil
}
func (o *countingObjects) Remove(_ context.Context, key, _ string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.removed[key] = true
	return nil
}

// RemoveVersions removes as the real store's multi-object delete does, which the sweeper uses.
func (o *countingObjects) RemoveVersions(ctx context.Context, keys, versionIDs []string) []error {
	out := make([]error, len(keys))
	for i := range keys {
		out[i] = o.Remove(ctx, keys[i], versionIDs[i])
	}
	return out
}
func (o *countingObjects) RemoveOrphan(ctx context.Context, key string) error {
	return o.Remove(ctx, key, "")
}
func (o *countingObjects) OpenSeeker(context.Context, string, string) (appfiles.Object, error) {
	return nil, fmt.Errorf("countingObjects stores nothing")
}

// sweepBench is one organisation's expired and protected versions, inserted straight into
// PostgreSQL.
type sweepBench struct {
	org, trashSpace, maxSpace uuid.UUID
	protected                 map[string]bool // object keys that must survive the sweep
}

// seedSweep inserts n expired versions (half in the trash for longer than its 30 days, half in a
// space whose maximum retention they are past), each its own file, and beside them versions the
// sweeper must keep: trashed but within their window, trashed but held, past the maximum but
// within their window, past the maximum but held. Object keys are <org>/<uuid>, as the server
// makes them; objects keys are the version's key.
func seedSweep(tb testing.TB, e *testEnv, orgID string, n, keep int, keys []string, versions []string) sweepBench {
	tb.Helper()
	db := e.stack.db
	s := sweepBench{org: uuid.MustParse(orgID), trashSpace: uuid.New(), maxSpace: uuid.New(), protected: map[string]bool{}}
	user := uuid.New()
	err := db.Exec(`INSERT INTO spaces (id, org_id, kind, owner_id, max_retention_days, created_at, updated_at) VALUES
		(?, ?, 'organisation', ?, 0, now(), now()), (?, ?, 'personal', ?, 30, now(), now())`,
		s.trashSpace, s.org, s.org, s.maxSpace, s.org, user).Error
	if err != nil {
		tb.Fatal(err)
	}
	// kind: which of the six sets a row is in; the keys (and versions) given are used in order.
	insert := func(space uuid.UUID, count int, trashed bool, uploaded, until string, held bool) []string {
		ks, vs := make(pq.StringArray, count), make(pq.StringArray, count)
		for i := range ks {
			if len(keys) > 0 {
				ks[i], vs[i], keys, versions = keys[0], versions[0], keys[1:], versions[1:]
			} else {
				ks[i], vs[i] = orgID+"/"+uuid.NewString(), "v1"
			}
		}
		deleted := "NULL::timestamptz"
		if trashed {
			deleted = "now() - interval '40 days'"
		}
		err := db.Exec(`WITH ids AS (SELECT gen_random_uuid() AS fid, gen_random_uuid() AS vid, k, v, ord
				FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS x(k, v, ord)),
			f AS (INSERT INTO files (id, org_id, space_id, name, name_key, current_version_id, version_count, created_by, created_at, updated_at, deleted_at, deleted_by)
				SELECT fid, ?, ?, 'bench-' || ord || '.txt', 'bench-' || ord || '.txt', vid, 1, ?, now() - interval '`+uploaded+`', now(), `+deleted+`, ?
				FROM ids)
			INSERT INTO file_versions (id, org_id, file_id, number, object_key, object_version, size, sha256, content_type, uploaded_by, uploaded_at,
				available_until, legal_hold, hold_applied, locked_until)
			SELECT vid, ?, fid, 1, k, v, 1024, repeat('0', 64), 'text/plain', ?, now() - interval '`+uploaded+`',
				now() + interval '`+until+`', ?, ?, now() + interval '`+until+`' FROM ids`,
			ks, vs, s.org, space, user, user, s.org, user, held, held).Error
		if err != nil {
			tb.Fatal(err)
		}
		return ks
	}
	insert(s.trashSpace, n/2, true, "60 days", "-57 days", false)
	insert(s.maxSpace, n-n/2, false, "60 days", "-57 days", false)
	for _, ks := range [][]string{
		insert(s.trashSpace, keep, true, "60 days", "3 days", false),
		insert(s.trashSpace, keep, true, "60 days", "-57 days", true),
		insert(s.maxSpace, keep, false, "60 days", "3 days", false),
		insert(s.maxSpace, keep, false, "60 days", "-57 days", true),
	} {
		for _, k := range ks {
			s.protected[k] = true
		}
	}
	if err := db.Exec(`ANALYZE files; ANALYZE file_versions`).Error; err != nil {
		tb.Fatal(err)
	}
	return s
}

// BenchmarkFilesSweep100kExpiredVersions: 100,000 expired versions (50,000 in the trash past its
// days, 50,000 past their space's maximum retention) and 4,000 that must stay, on PostgreSQL;
// the object store counts removals. Reports the sweep's time, versions/s and early deletions
// (removals of a protected version's object: must be 0). Target: <= 60 s.
func BenchmarkFilesSweep100kExpiredVersions(b *testing.B) {
	const n, keep = 100_000, 1_000
	e := newTestEnv(b)
	db := e.stack.db
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		o := e.mustOrgNoLogin(fmt.Sprintf("Sweep Bench %d", i), fmt.Sprintf("o%d@sweep-bench.example", i))
		seed := seedSweep(b, e, o.orgID, n, keep, nil, nil)
		objects := &countingObjects{removed: map[string]bool{}}
		svc := appfiles.NewService(appfiles.Deps{Tx: postgres.NewTxManager(db), Clock: clock.System{}, Spaces: pgfiles.NewSpaces(db),
			Folders: pgfiles.NewFolders(db, nil), Files: pgfiles.NewFiles(db, nil), Store: pgfiles.NewStore(db), Objects: objects,
			Directory: pgfiles.NewDirectory(db), Authorizer: e.stack.authz})
		b.StartTimer()
		start := time.Now()
		r, err := svc.Sweep(context.Background(), time.Now())
		took := time.Since(start)
		b.StopTimer()
		if err != nil || r.Skipped {
			b.Fatalf("sweep: %+v %v", r, err)
		}
		early := 0
		for k := range objects.removed {
			if seed.protected[k] {
				early++
			}
		}
		var left int64
		db.Raw(`SELECT count(*) FROM file_versions WHERE org_id = ?`, seed.org).Scan(&left)
		if r.VersionsPurged != n || len(objects.removed) != n || early != 0 || left != 4*keep {
			b.Fatalf("sweep of %d: %+v, %d objects removed, %d early, %d versions left (want %d)", n, r, len(objects.removed), early, left, 4*keep)
		}
		b.ReportMetric(took.Seconds(), "s/sweep")
		b.ReportMetric(float64(n)/took.Seconds(), "versions/s")
		b.ReportMetric(float64(early), "early-deletions")
		b.Logf("swept %d expired versions in %s (%d files purged, %d kept protected), 0 early deletions", n, took.Round(time.Millisecond), r.FilesPurged, 4*keep)
	}
}

// BenchmarkFilesSweepMinIO: 10,000 expired versions whose objects are real (tiny) MinIO objects,
// and 200 protected ones whose objects carry governance retention or a legal hold; the sweeper
// removes the first through the real store, without the bypass, and the others stay. Reports the
// time and versions/s, from which a 100,000-version sweep against MinIO on this machine follows.
func BenchmarkFilesSweepMinIO(b *testing.B) {
	const n, keep = 10_000, 50
	e := newTestEnv(b)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		o := e.mustOrgNoLogin(fmt.Sprintf("MinIO Sweep %d", i), fmt.Sprintf("o%d@minio-sweep.example", i))
		total := n + 4*keep
		keys, versions := make([]string, total), make([]string, total)
		var wg sync.WaitGroup
		work := make(chan int)
		for w := 0; w < 16; w++ {
			wg.Go(func() {
				for j := range work {
					keys[j] = o.orgID + "/" + uuid.NewString()
					v, err := e.stack.store.Put(ctx, keys[j], bytes.NewReader([]byte("swept")), 5, "text/plain")
					if err != nil {
						b.Error(err)
					}
					versions[j] = v
				}
			})
		}
		for j := 0; j < total; j++ {
			work <- j
		}
		close(work)
		wg.Wait()
		seed := seedSweep(b, e, o.orgID, n, keep, keys, versions)
		// The protected objects are locked or held in the store as they would be.
		for j := n; j < total; j++ {
			set := (j - n) / keep // 0 trash in window, 1 trash held, 2 max in window, 3 max held
			var err error
			if set%2 == 0 {
				err = e.stack.store.Lock(ctx, keys[j], versions[j], time.Now().Add(72*time.Hour))
			} else {
				err = e.stack.store.SetLegalHold(ctx, keys[j], versions[j], true)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := time.Now()
		r, err := e.stack.files.Sweep(ctx, time.Now())
		took := time.Since(start)
		b.StopTimer()
		if err != nil || r.Skipped || r.VersionsPurged != n || r.ObjectsRemoved != n || r.Failures != 0 {
			b.Fatalf("sweep: %+v %v", r, err)
		}
		left := 0
		for obj := range e.s3(b).ListObjects(ctx, e.bucket(), minio.ListObjectsOptions{Prefix: o.orgID + "/", Recursive: true, WithVersions: true}) {
			if obj.Err != nil {
				b.Fatal(obj.Err)
			}
			if !seed.protected[obj.Key] {
				b.Fatalf("object %s of a purged version remains", obj.Key)
			}
			left++
		}
		if left != 4*keep {
			b.Fatalf("%d protected objects remain, want %d", left, 4*keep)
		}
		b.ReportMetric(took.Seconds(), "s/sweep")
		b.ReportMetric(float64(n)/took.Seconds(), "versions/s")
		b.ReportMetric(0, "early-deletions")
		b.Logf("swept %d expired versions from MinIO in %s (%.0f/s; 100,000 would take about %s); %d protected objects stay",
			n, took.Round(time.Millisecond), float64(n)/took.Seconds(), (took * 10).Round(time.Second), left)
		// The protected objects' retention ends in 3 days; the test bucket is dropped with them.
	}
}
