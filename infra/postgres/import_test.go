package postgres_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	appimport "canopy/app/importer"
	"canopy/domain/directory"
	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/importer"
	"canopy/domain/org"
	"canopy/infra/pinyin"
	"canopy/infra/postgres"
)

// mustTree makes departments below the organisation's root from "A", "A/A1" style paths and
// returns them by path ("" is the root).
func mustTree(tb testing.TB, db *gorm.DB, orgID uuid.UUID, paths ...string) map[string]*directory.Department {
	tb.Helper()
	ctx := context.Background()
	repo := postgres.NewDepartments(db, pinyin.Keys)
	root, err := directory.NewRoot(orgID, "Org", time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	if err := repo.Create(ctx, root); err != nil {
		tb.Fatal(err)
	}
	out := map[string]*directory.Department{"": root}
	for _, p := range paths {
		parent := out[p[:max(0, strings.LastIndex(p, "/"))]]
		d, err := directory.NewDepartment(parent, p[strings.LastIndex(p, "/")+1:], "", 25, time.Now())
		if err != nil {
			tb.Fatal(err)
		}
		if err := repo.Create(ctx, d); err != nil {
			tb.Fatal(err)
		}
		out[p] = d
	}
	return out
}

type seeded struct {
	id    uuid.UUID
	name  string
	depts []uuid.UUID
}

// TestMembersPagesAgreeWithTheirDefinition lists departments' members, of the department alone
// and of its subtree, page by page, in an organisation large enough that the reader walks users
// in name order for big subtrees and collects small ones; every page and total must be what the
// definition gives: the distinct members with a department there, by lower-cased name and id.
func TestMembersPagesAgreeWithTheirDefinition(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	o := mustOrg(t, db, mustUser(t, db, "owner@members.example"))
	tree := mustTree(t, db, o.ID(), "A", "A/A1", "A/A2", "A/A2/X", "B")
	pick := []string{"A/A1", "A/A1", "A/A1", "A/A2", "A/A2/X", "B", "A"}
	var people []seeded
	assign := postgres.NewAssignments(db)
	ms := postgres.NewMemberships(db)
	for i := 0; i < 400; i++ {
		// Mixed case and shared names, so the order needs lower() and the id.
		name := []string{"ada", "Bob", "carol", "Dan", "eve"}[i%5] + fmt.Sprintf(" %03d", (i*37)%113)
		u := mustUserNamed(t, db, fmt.Sprintf("m%03d@members.example", i), name)
		if err := ms.Add(ctx, org.NewMembership(o.ID(), u.ID(), org.RoleMember, time.Now())); err != nil {
			t.Fatal(err)
		}
		p := seeded{id: u.ID(), name: name}
		if i%13 != 0 { // some members have no department
			p.depts = append(p.depts, tree[pick[i%len(pick)]].ID())
			if second := tree[pick[(i/3)%len(pick)]].ID(); i%4 == 0 && second != p.depts[0] {
				p.depts = append(p.depts, second)
			}
		}
		as, err := directory.NormalizeAssignments(assignments(p.depts), 50)
		if err != nil {
			t.Fatal(err)
		}
		if err := assign.Replace(ctx, o.ID(), u.ID(), as); err != nil {
			t.Fatal(err)
		}
		people = append(people, p)
	}
	// The reader chooses by the size of the users table, as statistics give it.
	if err := db.Exec(`ANALYZE users`).Error; err != nil {
		t.Fatal(err)
	}
	r := postgres.NewDirectoryReader(db, pinyin.Keys)
	for path, d := range tree {
		for _, subtree := range []bool{false, true} {
			var want []seeded
			for _, p := range people {
				for _, id := range p.depts {
					var dd *directory.Department
					for _, x := range tree {
						if x.ID() == id {
							dd = x
						}
					}
					if dd.ID() == d.ID() || (subtree && d.Contains(dd)) {
						want = append(want, p)
						break
					}
				}
			}
			sort.Slice(want, func(i, j int) bool {
				a, b := strings.ToLower(want[i].name), strings.ToLower(want[j].name)
				if a != b {
					return a < b
				}
				return want[i].id.String() < want[j].id.String()
			})
			for _, page := range []struct{ limit, offset int }{{50, 0}, {50, 50}, {7, 120}, {200, 0}, {50, len(want) - 3}, {50, len(want)}, {50, 5000}} {
				if page.offset < 0 {
					continue
				}
				got, total, err := r.Members(ctx, d, subtree, "", page.limit, page.offset)
				if err != nil {
					t.Fatal(err)
				}
				if total != len(want) {
					t.Fatalf("%q subtree=%v: total %d, want %d", path, subtree, total, len(want))
				}
				end := min(len(want), page.offset+page.limit)
				var exp []uuid.UUID
				for _, p := range want[min(page.offset, len(want)):end] {
					exp = append(exp, p.id)
				}
				var ids []uuid.UUID
				for _, p := range got {
					ids = append(ids, p.UserID)
				}
				if fmt.Sprint(ids) != fmt.Sprint(exp) {
					t.Fatalf("%q subtree=%v limit=%d offset=%d: got %d members, want %d\n got %v\nwant %v", path, subtree, page.limit, page.offset, len(ids), len(exp), ids, exp)
				}
			}
		}
	}
	// A filtered listing past its last page still says how many match.
	if _, total, err := r.Members(ctx, tree[""], true, "ada", 50, 1000); err != nil || total == 0 || total >= 400 {
		t.Fatalf("filtered total %d, %v", total, err)
	}
}

func assignments(ids []uuid.UUID) []directory.Assignment {
	out := make([]directory.Assignment, len(ids))
	for i, id := range ids {
		out[i] = directory.Assignment{DepartmentID: id}
	}
	return out
}

// TestImportQueueClaimsEachJobOnce: workers claiming at once each get a different job; one
// organisation's jobs are never two at a time; a finished claim cannot be finished again.
func TestImportQueueClaimsEachJobOnce(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	q := postgres.NewImportJobs(db)
	owner := mustUser(t, db, "owner@queue.example")
	var orgs []uuid.UUID
	for i := 0; i < 3; i++ {
		orgs = append(orgs, mustOrg(t, db, owner).ID())
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
	db := mustDB(t)
	ctx := context.Background()
	q := postgres.NewImportJobs(db)
	owner := mustUser(t, db, "owner@abandon.example")
	o := mustOrg(t, db, owner)
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
	db := mustDB(t)
	ctx := context.Background()
	q := postgres.NewImportJobs(db)
	owner := mustUser(t, db, "owner@release.example")
	o := mustOrg(t, db, owner)
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

func mustUserNamed(tb testing.TB, db *gorm.DB, email, name string) *identity.User {
	tb.Helper()
	u, err := identity.NewUser(identity.NewUserInput{Email: email, DisplayName: name}, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	if err := postgres.NewUsers(db, pinyin.Keys).Create(context.Background(), u); err != nil {
		tb.Fatal(err)
	}
	return u
}
