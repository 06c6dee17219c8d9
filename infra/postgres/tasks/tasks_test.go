package tasks_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	apptasks "canopy/app/tasks"
	"canopy/domain/errs"
	"canopy/domain/org"
	"canopy/domain/tasks"
	"canopy/infra/pinyin"
	"canopy/infra/postgres"
	pgorg "canopy/infra/postgres/org"
	"canopy/infra/postgres/pgtest"
	pgtasks "canopy/infra/postgres/tasks"
)

// coreOrg is an organisation with its owner and the core repositories, for the contract tests
// of lists, sections, labels, tasks, shares, history, idempotency keys and the sweeper.
type coreOrg struct {
	db       *gorm.DB
	ctx      context.Context
	orgID    uuid.UUID
	userID   uuid.UUID
	lists    *pgtasks.Lists
	sections *pgtasks.Sections
	labels   *pgtasks.Labels
	tasks    *pgtasks.Tasks
	shares   *pgtasks.Shares
}

func newCoreOrg(t *testing.T, db *gorm.DB, email string) *coreOrg {
	t.Helper()
	u := pgtest.MustUser(t, db, email)
	o := pgtest.MustOrg(t, db, u)
	return &coreOrg{db: db, ctx: context.Background(), orgID: o.ID(), userID: u.ID(), lists: pgtasks.NewLists(db), sections: pgtasks.NewSections(db),
		labels: pgtasks.NewLabels(db), tasks: pgtasks.NewTasks(db, pinyin.Keys), shares: pgtasks.NewShares(db)}
}

func (c *coreOrg) member(t *testing.T, email string, role org.Role) uuid.UUID {
	t.Helper()
	u := pgtest.MustUser(t, c.db, email)
	if err := pgorg.NewMemberships(c.db).Add(c.ctx, org.NewMembership(c.orgID, u.ID(), role, time.Now())); err != nil {
		t.Fatal(err)
	}
	return u.ID()
}

// list stores a person's list of the owner with one section.
func (c *coreOrg) list(t *testing.T) (*tasks.List, *tasks.Section) {
	t.Helper()
	l, err := tasks.NewList(c.orgID, tasks.OwnerPerson, c.userID, "List", "", c.userID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.lists.Create(c.ctx, l); err != nil {
		t.Fatal(err)
	}
	s, err := tasks.NewSection(c.orgID, l.ID(), "To do", "V", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.sections.Create(c.ctx, s); err != nil {
		t.Fatal(err)
	}
	return l, s
}

// task stores a task at rank (under parent, if given).
func (c *coreOrg) task(t *testing.T, l *tasks.List, s *tasks.Section, parent *tasks.Task, title, rank string) *tasks.Task {
	t.Helper()
	task, err := tasks.NewTask(tasks.NewTaskInput{OrgID: c.orgID, ListID: l.ID(), SectionID: s.ID(), Parent: parent, Title: title, Rank: rank, CreatedBy: c.userID, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.tasks.Create(c.ctx, task); err != nil {
		t.Fatalf("task %q: %v", title, err)
	}
	return task
}

func (c *coreOrg) within(t *testing.T, fn func(ctx context.Context) error) error {
	t.Helper()
	return postgres.NewTxManager(c.db).Within(c.ctx, fn)
}

func TestTasksRoundTripAndTenantKeys(t *testing.T) {
	db := pgtest.MustDB(t)
	a := newCoreOrg(t, db, "a@core.example")
	b := newCoreOrg(t, db, "b@core.example")
	l, s := a.list(t)
	task := a.task(t, l, s, nil, "张伟的报告", "V")
	due := time.Date(2026, 5, 1, 1, 0, 0, 0, time.UTC)
	if err := task.SetSchedule(tasks.Schedule{Start: due.Add(-time.Hour), Due: due, AllDay: false, TZ: "Asia/Shanghai"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := task.SetRRule("FREQ=WEEKLY", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := a.tasks.Update(a.ctx, task); err != nil {
		t.Fatal(err)
	}
	got, err := a.tasks.Get(a.ctx, a.orgID, task.ID())
	if err != nil {
		t.Fatal(err)
	}
	if got.Title() != "张伟的报告" || !got.Schedule().Due.Equal(due) || got.Schedule().TZ != "Asia/Shanghai" || got.RRule() != "FREQ=WEEKLY" ||
		got.SeriesID() != task.ID() || !got.RecurStart().Equal(due) {
		t.Fatalf("round trip: %+v", got.Record())
	}
	if _, err := a.tasks.Get(a.ctx, b.orgID, task.ID()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another organisation's task: %v", err)
	}
	// A task in another list's section, a label of another list and an assignee of another
	// organisation are refused by the composite keys.
	l2, s2 := a.list(t)
	wrong, err := tasks.NewTask(tasks.NewTaskInput{OrgID: a.orgID, ListID: l.ID(), SectionID: s2.ID(), Title: "x", Rank: "W", CreatedBy: a.userID, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.tasks.Create(a.ctx, wrong); !errs.Is(err, errs.NotFound) {
		t.Fatalf("a task in another list's section: %v", err)
	}
	label, _ := tasks.NewLabel(a.orgID, l2.ID(), "Elsewhere", "red")
	if err := a.labels.Create(a.ctx, label); err != nil {
		t.Fatal(err)
	}
	if err := a.tasks.SetLabels(a.ctx, a.orgID, task.ID(), []uuid.UUID{label.ID()}); errs.CodeOf(err) != "unknown_label" {
		t.Fatalf("a label of another list: %v", err)
	}
	if err := a.tasks.SetPeople(a.ctx, a.orgID, task.ID(), "assignees", []uuid.UUID{b.userID}); errs.CodeOf(err) != "unknown_member" {
		t.Fatalf("an assignee of another organisation: %v", err)
	}
	if err := a.tasks.SetPeople(a.ctx, a.orgID, task.ID(), "assignees", []uuid.UUID{a.userID}); err != nil {
		t.Fatal(err)
	}
	// Search by pinyin, in a view.
	ts, total, err := a.tasks.Query(a.ctx, apptasks.TaskQuery{OrgID: a.orgID, View: "assigned", UserID: a.userID, Query: "zhang wei", Limit: 10})
	if err != nil || total != 1 || len(ts) != 1 || ts[0].ID() != task.ID() {
		t.Fatalf("search: %v %d %v", ts, total, err)
	}
	if _, total, _ := a.tasks.Query(a.ctx, apptasks.TaskQuery{OrgID: a.orgID, View: "assigned", UserID: a.userID, Query: "zw", Limit: 10}); total != 1 {
		t.Fatalf("search by initials: %d", total)
	}
}

func TestRanksAreUniqueAmongLiveSiblingsAndRespace(t *testing.T) {
	db := pgtest.MustDB(t)
	c := newCoreOrg(t, db, "rank@core.example")
	l, s := c.list(t)
	first := c.task(t, l, s, nil, "first", "V")
	dup, _ := tasks.NewTask(tasks.NewTaskInput{OrgID: c.orgID, ListID: l.ID(), SectionID: s.ID(), Title: "dup", Rank: "V", CreatedBy: c.userID, Now: time.Now()})
	if err := c.tasks.Create(c.ctx, dup); errs.CodeOf(err) != "rank_taken" {
		t.Fatalf("a second task at one rank: %v", err)
	}
	// A subtask may share a rank with a top-level task: it is ordered among its own siblings.
	sub := c.task(t, l, s, first, "sub", "V")
	second := c.task(t, l, s, nil, "second", "k")
	sib := apptasks.SiblingsOf(first)
	if g, err := c.tasks.Gap(c.ctx, sib, first.ID(), uuid.Nil); err != nil || g != (apptasks.Gap{Lo: "V", Hi: "k", AfterFound: true, SectionFound: true}) {
		t.Fatalf("the gap after the first: %+v %v", g, err)
	}
	if g, err := c.tasks.Gap(c.ctx, sib, first.ID(), second.ID()); err != nil || g != (apptasks.Gap{Lo: "V", AfterFound: true, SectionFound: true}) {
		t.Fatalf("the gap after the first leaving out the second: %+v %v", g, err)
	}
	if g, err := c.tasks.Gap(c.ctx, sib, uuid.Nil, uuid.Nil); err != nil || g != (apptasks.Gap{Hi: "V", AfterFound: true, SectionFound: true}) {
		t.Fatalf("the gap at the top: %+v %v", g, err)
	}
	if r, err := c.tasks.LastRank(c.ctx, sib); err != nil || r != "k" {
		t.Fatalf("last rank: %q %v", r, err)
	}
	if g, err := c.tasks.Gap(c.ctx, sib, sub.ID(), uuid.Nil); err != nil || g.AfterFound {
		t.Fatalf("a subtask is not a top-level sibling: %+v %v", g, err)
	}
	other := sib
	other.SectionID = uuid.New()
	if g, err := c.tasks.Gap(c.ctx, other, uuid.Nil, uuid.Nil); err != nil || g.SectionFound {
		t.Fatalf("a section of no list: %+v %v", g, err)
	}
	// Respacing swaps two ranks without ever holding two equal ones.
	if err := c.within(t, func(ctx context.Context) error {
		return c.tasks.Respace(ctx, sib, []apptasks.RankedID{{ID: first.ID(), Rank: "k"}, {ID: second.ID(), Rank: "V"}})
	}); err != nil {
		t.Fatal(err)
	}
	ranks, err := c.tasks.Ranks(c.ctx, sib)
	if err != nil || len(ranks) != 2 || ranks[0].ID != second.ID() || ranks[1].ID != first.ID() {
		t.Fatalf("after the respace: %v %v", ranks, err)
	}
	// A deleted task leaves its rank free, and is deleted with its subtasks.
	got, _ := c.tasks.Get(c.ctx, c.orgID, first.ID())
	got.Delete(c.userID, time.Now())
	if err := c.tasks.DeleteTree(c.ctx, got); err != nil {
		t.Fatal(err)
	}
	if s, _ := c.tasks.Get(c.ctx, c.orgID, sub.ID()); !s.Deleted() {
		t.Fatal("the subtask was not deleted with its parent")
	}
	c.task(t, l, s, nil, "takes its place", "k")
	if taken, err := c.tasks.RankTaken(c.ctx, sib, "k"); err != nil || !taken {
		t.Fatalf("rank taken: %v %v", taken, err)
	}
	if err := c.tasks.RestoreTree(c.ctx, c.orgID, first.ID(), got.DeletedAt()); err != nil {
		t.Fatal(err)
	}
	if s, _ := c.tasks.Get(c.ctx, c.orgID, sub.ID()); s.Deleted() {
		t.Fatal("the subtask was not restored with its parent")
	}
}

func TestReachAndListRoles(t *testing.T) {
	db := pgtest.MustDB(t)
	c := newCoreOrg(t, db, "reach@core.example")
	bob := c.member(t, "bob@core.example", org.RoleMember)
	l, s := c.list(t)
	parent := c.task(t, l, s, nil, "parent", "V")
	sub := c.task(t, l, s, parent, "sub", "V")
	other := c.task(t, l, s, nil, "other", "k")
	p := apptasks.Principals{UserID: bob, Member: true}
	reach, err := c.tasks.Reach(c.ctx, c.orgID, []uuid.UUID{parent.ID(), sub.ID(), other.ID()}, p)
	if err != nil || reach[sub.ID()] != (apptasks.TaskReach{}) {
		t.Fatalf("before any share: %v %v", reach, err)
	}
	if err := c.shares.Put(c.ctx, tasks.Share{OrgID: c.orgID, TaskID: parent.ID(), Principal: tasks.Principal{Type: tasks.PrincipalUser, ID: bob},
		Role: tasks.RoleEditor, CreatedBy: c.userID, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := c.tasks.SetPeople(c.ctx, c.orgID, other.ID(), "followers", []uuid.UUID{bob}); err != nil {
		t.Fatal(err)
	}
	reach, err = c.tasks.Reach(c.ctx, c.orgID, []uuid.UUID{parent.ID(), sub.ID(), other.ID()}, p)
	if err != nil {
		t.Fatal(err)
	}
	if reach[parent.ID()].ShareRole != tasks.RoleEditor || reach[sub.ID()].ShareRole != tasks.RoleEditor || reach[other.ID()].ShareRole != "" ||
		!reach[other.ID()].Follower || reach[other.ID()].Assignee {
		t.Fatalf("reach: %v", reach)
	}
	if roles, err := c.shares.ListRoles(c.ctx, c.orgID, []uuid.UUID{l.ID()}, p); err != nil || len(roles) != 0 {
		t.Fatalf("list roles before a list share: %v %v", roles, err)
	}
	for _, role := range []tasks.Role{tasks.RoleViewer, tasks.RoleManager} {
		if err := c.shares.Put(c.ctx, tasks.Share{OrgID: c.orgID, ListID: l.ID(), Principal: tasks.Principal{Type: tasks.PrincipalUser, ID: bob},
			Role: role, CreatedBy: c.userID, CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if roles, err := c.shares.ListRoles(c.ctx, c.orgID, []uuid.UUID{l.ID()}, p); err != nil || roles[l.ID()] != tasks.RoleManager {
		t.Fatalf("list roles: %v %v", roles, err)
	}
	if shs, total, err := c.shares.Of(c.ctx, c.orgID, l.ID(), uuid.Nil, 10, 0); err != nil || total != 1 || len(shs) != 1 {
		t.Fatalf("a share put twice is one share: %v %d %v", shs, total, err)
	}
	if err := c.shares.Put(c.ctx, tasks.Share{OrgID: c.orgID, ListID: l.ID(), Principal: tasks.Principal{Type: tasks.PrincipalGroup, ID: uuid.New()},
		Role: tasks.RoleViewer, CreatedBy: c.userID, CreatedAt: time.Now()}); !errs.Is(err, errs.NotFound) {
		t.Fatalf("a share with an unknown group: %v", err)
	}
	// The viewer's lists: the person's list is Bob's to see only by the share.
	rows, total, err := c.lists.Query(c.ctx, apptasks.ListQuery{Viewer: apptasks.Viewer{OrgID: c.orgID, Principal: p}, Limit: 10})
	if err != nil || total != 1 || rows[0].ShareRole != tasks.RoleManager {
		t.Fatalf("Bob's lists: %v %d %v", rows, total, err)
	}
	if err := c.shares.Delete(c.ctx, c.orgID, l.ID(), uuid.Nil, tasks.Principal{Type: tasks.PrincipalUser, ID: bob}); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := c.lists.Query(c.ctx, apptasks.ListQuery{Viewer: apptasks.Viewer{OrgID: c.orgID, Principal: p}, Limit: 10}); total != 0 {
		t.Fatalf("Bob's lists after the unshare: %d", total)
	}
}

func TestDependencyChains(t *testing.T) {
	db := pgtest.MustDB(t)
	c := newCoreOrg(t, db, "deps@core.example")
	l, s := c.list(t)
	a := c.task(t, l, s, nil, "a", "1")
	b := c.task(t, l, s, nil, "b", "2")
	d := c.task(t, l, s, nil, "d", "3")
	if err := c.tasks.LockDependencies(c.ctx, c.orgID); err == nil {
		t.Fatal("the dependency lock outside a transaction")
	}
	for _, dep := range [][2]*tasks.Task{{a, b}, {b, d}} {
		if err := c.tasks.AddDependency(c.ctx, c.orgID, dep[0].ID(), dep[1].ID()); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.tasks.AddDependency(c.ctx, c.orgID, a.ID(), b.ID()); errs.CodeOf(err) != "dependency_exists" {
		t.Fatalf("twice: %v", err)
	}
	for _, tc := range []struct {
		from, to *tasks.Task
		want     bool
	}{{a, d, true}, {a, b, true}, {d, a, false}, {b, a, false}} {
		if got, err := c.tasks.BlockedByChain(c.ctx, c.orgID, tc.from.ID(), tc.to.ID()); err != nil || got != tc.want {
			t.Errorf("%s blocked by %s: %v %v", tc.from.Title(), tc.to.Title(), got, err)
		}
	}
	bs, err := c.tasks.Blockers(c.ctx, c.orgID, []uuid.UUID{a.ID()})
	if err != nil || len(bs[a.ID()]) != 1 || bs[a.ID()][0].ID != b.ID() {
		t.Fatalf("blockers: %v %v", bs, err)
	}
	if refs, total, err := c.tasks.Blocking(c.ctx, c.orgID, d.ID(), 10, 0); err != nil || total != 1 || refs[0].ID != b.ID() {
		t.Fatalf("blocking: %v %d %v", refs, total, err)
	}
	if err := c.tasks.RemoveDependency(c.ctx, c.orgID, a.ID(), d.ID()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("removing a dependency that is not there: %v", err)
	}
}

func TestIdempotencyKeysAndTheSweeper(t *testing.T) {
	db := pgtest.MustDB(t)
	c := newCoreOrg(t, db, "idem@core.example")
	repo := pgtasks.NewIdempotency(db)
	if _, _, err := repo.Lookup(c.ctx, c.orgID, c.userID, "s", "k", time.Time{}); err == nil {
		t.Fatal("a lookup outside a transaction")
	}
	rec := apptasks.IdempotencyRecord{OrgID: c.orgID, PrincipalID: c.userID, Scope: "s", Key: "k", RequestHash: make([]byte, 32), ResultID: uuid.New(), CreatedAt: time.Now()}
	err := c.within(t, func(ctx context.Context) error {
		if _, found, err := repo.Lookup(ctx, c.orgID, c.userID, "s", "k", time.Now().Add(-time.Hour)); err != nil || found {
			t.Fatalf("before: %v %v", found, err)
		}
		return repo.Save(ctx, rec)
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = c.within(t, func(ctx context.Context) error {
		got, found, err := repo.Lookup(ctx, c.orgID, c.userID, "s", "k", time.Now().Add(-time.Hour))
		if err != nil || !found || got.ResultID != rec.ResultID {
			t.Fatalf("after: %v %v %v", got, found, err)
		}
		if _, found, _ := repo.Lookup(ctx, c.orgID, c.userID, "s", "k", time.Now().Add(time.Hour)); found {
			t.Fatal("an expired key is found")
		}
		return nil
	})
	if n, err := repo.Prune(c.ctx, time.Now().Add(time.Minute)); err != nil || n != 1 {
		t.Fatalf("prune: %d %v", n, err)
	}

	// The sweeper purges what was deleted before its cutoff, and nothing else.
	old, s := c.list(t)
	c.task(t, old, s, nil, "goes with its list", "V")
	old.Delete(c.userID, time.Now().Add(-40*24*time.Hour))
	if err := c.lists.Update(c.ctx, old); err != nil {
		t.Fatal(err)
	}
	kept, ks := c.list(t)
	gone := c.task(t, kept, ks, nil, "deleted long ago", "V")
	c.task(t, kept, ks, gone, "its subtask", "V")
	recent := c.task(t, kept, ks, nil, "deleted yesterday", "k")
	for _, x := range []struct {
		t  *tasks.Task
		at time.Time
	}{{gone, time.Now().Add(-31 * 24 * time.Hour)}, {recent, time.Now().Add(-24 * time.Hour)}} {
		x.t.Delete(c.userID, x.at)
		if err := c.tasks.DeleteTree(c.ctx, x.t); err != nil {
			t.Fatal(err)
		}
	}
	n, err := pgtasks.NewSweep(db).PurgeDeleted(c.ctx, time.Now().Add(-30*24*time.Hour), 100)
	// The old list (its task goes with it), the old task and its subtask.
	if err != nil || n != 3 {
		t.Fatalf("purged %d, %v", n, err)
	}
	var left int64
	db.Raw(`SELECT count(*) FROM tasks`).Scan(&left)
	if left != 1 {
		t.Fatalf("%d tasks left, want 1", left)
	}
	if _, err := c.lists.Get(c.ctx, c.orgID, old.ID()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("the old list: %v", err)
	}
}

func TestPrincipals(t *testing.T) {
	db := pgtest.MustDB(t)
	c := newCoreOrg(t, db, "dir@core.example")
	guest := c.member(t, "guest@core.example", org.RoleGuest)
	dir := pgtasks.NewDirectory(db)
	p, err := dir.Principals(c.ctx, c.orgID, guest)
	if err != nil || !p.Member || !p.Guest {
		t.Fatalf("guest: %+v %v", p, err)
	}
	p, err = dir.Principals(c.ctx, c.orgID, uuid.New())
	if err != nil || p.Member {
		t.Fatalf("a stranger: %+v %v", p, err)
	}
	if gs, err := dir.Guests(c.ctx, c.orgID, []uuid.UUID{c.userID, guest}); err != nil || len(gs) != 1 || gs[0] != guest {
		t.Fatalf("guests: %v %v", gs, err)
	}
}

// TestMyTasksFollowTheirTasks: the views read a person's assignments and follows, which repeat
// each task's status, due date and liveness; they follow the task whatever changes it.
func TestMyTasksFollowTheirTasks(t *testing.T) {
	db := pgtest.MustDB(t)
	c := newCoreOrg(t, db, "views@core.example")
	l, s := c.list(t)
	base := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	var all []*tasks.Task
	for i, rank := range []string{"1", "2", "3", "4"} {
		task := c.task(t, l, s, nil, "t"+rank, rank)
		if i < 3 {
			// Due in the reverse of their making; the last has no date.
			if err := task.SetSchedule(tasks.Schedule{Due: base.Add(time.Duration(3-i) * time.Hour), TZ: "UTC"}, time.Now()); err != nil {
				t.Fatal(err)
			}
			if err := c.tasks.Update(c.ctx, task); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.tasks.SetPeople(c.ctx, c.orgID, task.ID(), "assignees", []uuid.UUID{c.userID}); err != nil {
			t.Fatal(err)
		}
		all = append(all, task)
	}
	view := func(status tasks.Status) []string {
		t.Helper()
		ts, total, err := c.tasks.Query(c.ctx, apptasks.TaskQuery{OrgID: c.orgID, View: "assigned", UserID: c.userID, Status: status, Limit: 10})
		if err != nil || total != len(ts) {
			t.Fatalf("view: %d of %d, %v", len(ts), total, err)
		}
		var out []string
		for _, x := range ts {
			out = append(out, x.Title())
		}
		return out
	}
	if got := view(tasks.StatusOpen); strings.Join(got, ",") != "t3,t2,t1,t4" {
		t.Fatalf("in due order, no date last: %v", got)
	}
	done, _ := c.tasks.Get(c.ctx, c.orgID, all[1].ID())
	done.Complete(c.userID, time.Now())
	if err := c.tasks.Update(c.ctx, done); err != nil {
		t.Fatal(err)
	}
	gone, _ := c.tasks.Get(c.ctx, c.orgID, all[0].ID())
	gone.Delete(c.userID, time.Now())
	if err := c.tasks.DeleteTree(c.ctx, gone); err != nil {
		t.Fatal(err)
	}
	later, _ := c.tasks.Get(c.ctx, c.orgID, all[3].ID())
	if err := later.SetSchedule(tasks.Schedule{Due: base, TZ: "UTC"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := c.tasks.Update(c.ctx, later); err != nil {
		t.Fatal(err)
	}
	if got := view(tasks.StatusOpen); strings.Join(got, ",") != "t4,t3" {
		t.Fatalf("after completing t2, deleting t1 and dating t4: %v", got)
	}
	if got := view(tasks.StatusDone); strings.Join(got, ",") != "t2" {
		t.Fatalf("done: %v", got)
	}
	if got := view(""); len(got) != 3 {
		t.Fatalf("all: %v", got)
	}
	// A deleted list takes its tasks out of the views.
	l.Delete(c.userID, time.Now())
	if err := c.lists.Update(c.ctx, l); err != nil {
		t.Fatal(err)
	}
	if got := view(""); len(got) != 0 {
		t.Fatalf("a deleted list's tasks: %v", got)
	}
}
