package importer_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	appimport "canopy/app/importer"
	"canopy/domain/errs"
	"canopy/domain/importer"
	pgimport "canopy/infra/postgres/importer"
	"canopy/infra/postgres/pgtest"
)

// TestImportQueueClaimsEachJobOnce: workers claiming at once each get a different job; one
// organisation's jobs are never two at a time; a finished claim cannot be finished again.
func TestImportQueueClaimsEachJobOnce(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	q := pgimport.NewJobs(db)
	owner := pgtest.MustUser(t, db, "owner@queue.example")
	var orgs []uuid.UUID
	for i := 0; i < 3; i++ {
		orgs = append(orgs, pgtest.MustOrg(t, db, owner).ID())
	}
	// Two jobs for each organisation.
	for i := 0; i < 6; i++ {
		j, err := importer.NewJob(orgs[i%3], owner.ID(), importer.FormatJSON, 1, time.Now().Add(time.Duration(i)*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Create(ctx, j, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var claims []appimport.Claim
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := q.Claim(ctx, time.Minute, 3)
			if errs.Is(err, errs.NotFound) {
				return
			}
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			claims = append(claims, c)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(claims) != 3 {
		t.Fatalf("%d claims, want one per organisation", len(claims))
	}
	seen := map[uuid.UUID]bool{}
	for _, c := range claims {
		if seen[c.Job.OrgID()] {
			t.Fatalf("two jobs of one organisation at once")
		}
		seen[c.Job.OrgID()] = true
		if string(c.Payload) != `{}` || c.Attempt != 1 {
			t.Fatalf("claim: %+v", c)
		}
		if err := q.Finish(ctx, c, importer.StatusDone, "", ""); err != nil {
			t.Fatal(err)
		}
		if err := q.Finish(ctx, c, importer.StatusDone, "", ""); !errs.Is(err, errs.NotFound) {
			t.Fatalf("finished twice: %v", err)
		}
	}
	// The second job of each organisation follows.
	for i := 0; i < 3; i++ {
		if _, err := q.Claim(ctx, time.Minute, 3); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := q.Claim(ctx, time.Minute, 3); !errs.Is(err, errs.NotFound) {
		t.Fatalf("a seventh claim: %v", err)
	}
	jobs, total, err := q.List(ctx, orgs[0], 10, 0)
	if err != nil || total != 2 || len(jobs) != 2 || jobs[0].Status() != importer.StatusRunning || jobs[1].Status() != importer.StatusDone {
		t.Fatalf("list: %d %v %v", total, jobs, err)
	}
	// Another organisation's job is not found through this one.
	if _, err := q.Get(ctx, orgs[1], jobs[0].ID()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("foreign get: %v", err)
	}
}

// TestImportJobGivenUpAfterMaxAttempts: a job whose worker keeps dying fails as abandoned.
func TestImportJobGivenUpAfterMaxAttempts(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	q := pgimport.NewJobs(db)
	owner := pgtest.MustUser(t, db, "owner@abandon.example")
	o := pgtest.MustOrg(t, db, owner)
	j, _ := importer.NewJob(o.ID(), owner.ID(), importer.FormatCSV, 5, time.Now())
	if err := q.Create(ctx, j, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	for attempt := 1; attempt <= 2; attempt++ {
		c, err := q.Claim(ctx, time.Millisecond, 2)
		if err != nil || c.Attempt != attempt {
			t.Fatalf("attempt %d: %v %v", attempt, c.Attempt, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := q.Claim(ctx, time.Millisecond, 2); !errs.Is(err, errs.NotFound) {
		t.Fatalf("claimed a third time: %v", err)
	}
	got, err := q.Get(ctx, o.ID(), j.ID())
	if code, _ := got.Error(); err != nil || got.Status() != importer.StatusFailed || code != "abandoned" {
		t.Fatalf("job: %v %v %v", got.Status(), code, err)
	}
}

// TestImportJobReleasedOnShutdown: a job handed back by a stopping worker is queued again at
// once, keeps its progress, and the stop does not count as an attempt.
func TestImportJobReleasedOnShutdown(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	q := pgimport.NewJobs(db)
	owner := pgtest.MustUser(t, db, "owner@release.example")
	o := pgtest.MustOrg(t, db, owner)
	j, _ := importer.NewJob(o.ID(), owner.ID(), importer.FormatJSON, 10, time.Now())
	if err := q.Create(ctx, j, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	c, err := q.Claim(ctx, time.Hour, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Progress(ctx, c, importer.Counts{Processed: 4, Applied: 4, Created: 4}, nil, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := q.Release(ctx, c); err != nil {
		t.Fatal(err)
	}
	again, err := q.Claim(ctx, time.Hour, 3)
	if err != nil || again.Attempt != 1 || again.Job.Counts().Processed != 4 || string(again.Payload) != `{}` {
		t.Fatalf("claimed again: %+v %v", again, err)
	}
	// The released claim is gone.
	if err := q.Progress(ctx, c, importer.Counts{Processed: 5}, nil, time.Hour); !errs.Is(err, errs.NotFound) {
		t.Fatalf("stale progress: %v", err)
	}
}
