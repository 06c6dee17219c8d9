package tasks_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	apptasks "canopy/app/tasks"
	"canopy/domain/directory"
	"canopy/domain/errs"
	"canopy/domain/org"
	"canopy/domain/tasks"
	"canopy/infra/pinyin"
	pgdirectory "canopy/infra/postgres/directory"
	"canopy/infra/postgres/pgtest"
	pgtasks "canopy/infra/postgres/tasks"
)

// TestBatchedReadsAgreeWithTheSingleOnes: the one-statement reads behind views, access checks
// and event audiences (Sides, Grants, Grant, Concerned) give what the reads of one kind each
// give, and Place moves a task with the tasks below it.
func TestBatchedReadsAgreeWithTheSingleOnes(t *testing.T) {
	db := pgtest.MustDB(t)
	c := newCoreOrg(t, db, "sides@core.example")
	bob := c.member(t, "bob@core.example", org.RoleMember)
	carol := c.member(t, "carol@core.example", org.RoleMember)
	dir := pgtasks.NewDirectory(db)
	now := time.Now()

	l, s := c.list(t)
	root, err := directory.NewRoot(c.orgID, "Root", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := pgdirectory.NewDepartments(db, pinyin.Keys).Create(c.ctx, root); err != nil {
		t.Fatal(err)
	}
	dept := root.ID()
	dl, err := tasks.NewList(c.orgID, tasks.OwnerDepartment, dept, "Department's", "", c.userID, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.lists.Create(c.ctx, dl); err != nil {
		t.Fatal(err)
	}
	ds, err := tasks.NewSection(c.orgID, dl.ID(), "To do", "V", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.sections.Create(c.ctx, ds); err != nil {
		t.Fatal(err)
	}
	var labels []uuid.UUID
	for _, name := range []string{"beta", "Alpha"} {
		lb, _ := tasks.NewLabel(c.orgID, l.ID(), name, "#123456")
		if err := c.labels.Create(c.ctx, lb); err != nil {
			t.Fatal(err)
		}
		labels = append(labels, lb.ID())
	}
	parent := c.task(t, l, s, nil, "parent", "V")
	sub := c.task(t, l, s, parent, "sub", "V")
	done := c.task(t, l, s, parent, "done", "k")
	done.Complete(bob, now)
	if err := c.tasks.Update(c.ctx, done); err != nil {
		t.Fatal(err)
	}
	gone := c.task(t, l, s, parent, "gone", "x")
	other := c.task(t, l, s, nil, "other", "k")
	blocker := c.task(t, dl, ds, nil, "blocker", "V")
	deadBlocker := c.task(t, dl, ds, nil, "dead blocker", "k")
	for _, set := range []struct {
		task  *tasks.Task
		kind  string
		users []uuid.UUID
	}{{parent, "assignees", []uuid.UUID{carol, bob}}, {parent, "followers", []uuid.UUID{c.userID}}, {sub, "assignees", []uuid.UUID{carol}},
		{blocker, "followers", []uuid.UUID{bob}}} {
		if err := c.tasks.SetPeople(c.ctx, c.orgID, set.task.ID(), set.kind, set.users); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.tasks.SetLabels(c.ctx, c.orgID, parent.ID(), labels); err != nil {
		t.Fatal(err)
	}
	for _, b := range []*tasks.Task{blocker, other, deadBlocker} {
		if err := c.tasks.AddDependency(c.ctx, c.orgID, parent.ID(), b.ID()); err != nil {
			t.Fatal(err)
		}
	}
	for _, x := range []*tasks.Task{gone, deadBlocker} {
		x.Delete(c.userID, now)
		if err := c.tasks.DeleteTree(c.ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	for _, sh := range []tasks.Share{
		{OrgID: c.orgID, TaskID: parent.ID(), Principal: tasks.Principal{Type: tasks.PrincipalUser, ID: bob}, Role: tasks.RoleEditor},
		{OrgID: c.orgID, TaskID: sub.ID(), Principal: tasks.Principal{Type: tasks.PrincipalUser, ID: carol}, Role: tasks.RoleViewer},
		{OrgID: c.orgID, ListID: l.ID(), Principal: tasks.Principal{Type: tasks.PrincipalUser, ID: carol}, Role: tasks.RoleViewer},
		{OrgID: c.orgID, ListID: dl.ID(), Principal: tasks.Principal{Type: tasks.PrincipalUser, ID: bob}, Role: tasks.RoleManager},
	} {
		sh.CreatedBy, sh.CreatedAt = c.userID, now
		if err := c.shares.Put(c.ctx, sh); err != nil {
			t.Fatal(err)
		}
	}

	for _, p := range []apptasks.Principals{{UserID: bob, Member: true}, {UserID: carol, Member: true}, {UserID: c.userID, Member: true}} {
		ids := []uuid.UUID{parent.ID(), sub.ID(), done.ID(), other.ID(), blocker.ID()}
		sides, err := c.tasks.Sides(c.ctx, c.orgID, ids, p)
		if err != nil {
			t.Fatal(err)
		}
		assignees, _ := c.tasks.People(c.ctx, c.orgID, "assignees", ids)
		followers, _ := c.tasks.People(c.ctx, c.orgID, "followers", ids)
		links, _ := c.tasks.Labels(c.ctx, c.orgID, ids)
		var counted []struct {
			ParentID    uuid.UUID
			Total, Done int
		}
		if err := db.Raw(`SELECT parent_id, count(*) AS total, count(*) FILTER (WHERE status = 'done') AS done FROM tasks
			WHERE parent_id IS NOT NULL AND deleted_at IS NULL GROUP BY parent_id`).Scan(&counted).Error; err != nil {
			t.Fatal(err)
		}
		progress := map[uuid.UUID][2]int{}
		for _, x := range counted {
			progress[x.ParentID] = [2]int{x.Total, x.Done}
		}
		blockers, _ := c.tasks.Blockers(c.ctx, c.orgID, ids)
		names, _ := dir.Names(c.ctx, c.orgID, []uuid.UUID{c.userID, bob, carol})
		reach, err := c.tasks.Reach(c.ctx, c.orgID, ids, p)
		if err != nil {
			t.Fatal(err)
		}
		persons := func(us []uuid.UUID) []apptasks.Person {
			out := []apptasks.Person{}
			for _, u := range us {
				out = append(out, apptasks.Person{ID: u, Name: names[u]})
			}
			return out
		}
		for _, id := range ids {
			got := sides[id]
			task, _ := c.tasks.Get(c.ctx, c.orgID, id)
			if got.CreatorName != names[task.CreatedBy()] || got.CompleterName != names[task.CompletedBy()] {
				t.Errorf("%s: names %q %q", task.Title(), got.CreatorName, got.CompleterName)
			}
			if !reflect.DeepEqual(got.Assignees, persons(assignees[id])) || !reflect.DeepEqual(got.Followers, persons(followers[id])) {
				t.Errorf("%s: people %v %v, want %v %v", task.Title(), got.Assignees, got.Followers, assignees[id], followers[id])
			}
			var gotLabels []uuid.UUID
			for _, lb := range got.Labels {
				gotLabels = append(gotLabels, lb.ID())
			}
			if !reflect.DeepEqual(gotLabels, links[id]) {
				t.Errorf("%s: labels %v, want %v", task.Title(), gotLabels, links[id])
			}
			if [2]int{got.SubtaskTotal, got.SubtaskDone} != progress[id] {
				t.Errorf("%s: progress %d/%d, want %v", task.Title(), got.SubtaskDone, got.SubtaskTotal, progress[id])
			}
			if got.Reach != reach[id] {
				t.Errorf("%s as %s: reach %+v, want %+v", task.Title(), names[p.UserID], got.Reach, reach[id])
			}
			if len(got.BlockedBy) != len(blockers[id]) {
				t.Fatalf("%s: blockers %v, want %v", task.Title(), got.BlockedBy, blockers[id])
			}
			for i, b := range got.BlockedBy {
				br, _ := c.tasks.Reach(c.ctx, c.orgID, []uuid.UUID{b.ID}, p)
				bt, _ := c.tasks.Get(c.ctx, c.orgID, b.ID)
				if b.Ref != blockers[id][i] || b.ListID != bt.ListID() || b.Reach != br[b.ID] {
					t.Errorf("%s: blocker %d %+v, want %+v in %s reached %+v", task.Title(), i, b, blockers[id][i], bt.ListID(), br[b.ID])
				}
			}
		}
		if got := sides[parent.ID()]; len(got.Labels) != 2 || got.Labels[0].Name() != "Alpha" || len(got.BlockedBy) != 2 || got.SubtaskTotal != 2 || got.SubtaskDone != 1 {
			t.Fatalf("the parent's side: %+v", got)
		}

		// The lists' grants.
		gs, err := c.lists.Grants(c.ctx, c.orgID, []uuid.UUID{l.ID(), dl.ID(), uuid.New()}, p)
		if err != nil {
			t.Fatal(err)
		}
		roles, _ := c.shares.ListRoles(c.ctx, c.orgID, []uuid.UUID{l.ID(), dl.ID()}, p)
		depts, _ := dir.Departments(c.ctx, c.orgID, []uuid.UUID{dept})
		if len(gs) != 2 || gs[l.ID()].List.Name() != "List" || gs[l.ID()].ShareRole != roles[l.ID()] || gs[l.ID()].Scope != "" ||
			gs[dl.ID()].ShareRole != roles[dl.ID()] || gs[dl.ID()].Scope != depts[dept].Path || depts[dept].Path == "" {
			t.Fatalf("grants %+v, want roles %v and %q", gs, roles, depts[dept].Path)
		}
		// A task's grant.
		g, err := c.tasks.Grant(c.ctx, c.orgID, sub.ID(), p)
		if err != nil {
			t.Fatal(err)
		}
		if g.Task.ID() != sub.ID() || g.Task.Title() != "sub" || g.List.List.ID() != l.ID() || g.List.ShareRole != roles[l.ID()] ||
			g.Reach != reach[sub.ID()] {
			t.Fatalf("sub's grant %+v", g)
		}
	}
	if _, err := c.tasks.Grant(c.ctx, c.orgID, uuid.New(), apptasks.Principals{UserID: bob}); !errs.Is(err, errs.NotFound) {
		t.Fatalf("the grant of no task: %v", err)
	}

	// Who a subtask's events concern: its list, the shares of the list and of the tasks from it up,
	// and their people.
	cn, err := c.tasks.Concerned(c.ctx, c.orgID, sub.ID())
	if err != nil {
		t.Fatal(err)
	}
	shared := map[tasks.Principal]bool{}
	for _, x := range cn.Shared {
		shared[x] = true
	}
	people := map[uuid.UUID]bool{}
	for _, u := range cn.People {
		people[u] = true
	}
	if cn.List.ID() != l.ID() || len(cn.Shared) != 3 || !shared[tasks.Principal{Type: tasks.PrincipalUser, ID: bob}] ||
		!shared[tasks.Principal{Type: tasks.PrincipalUser, ID: carol}] || len(people) != 3 {
		t.Fatalf("concerned: %+v", cn)
	}

	// Place: the parent goes to another section, its subtasks with it.
	s2, _ := tasks.NewSection(c.orgID, l.ID(), "Doing", "k", now)
	if err := c.sections.Create(c.ctx, s2); err != nil {
		t.Fatal(err)
	}
	if err := parent.MoveTo(s2.ID(), "a", now); err != nil {
		t.Fatal(err)
	}
	if err := c.tasks.Place(c.ctx, parent, true); err != nil {
		t.Fatal(err)
	}
	for _, id := range []uuid.UUID{parent.ID(), sub.ID(), done.ID()} {
		if got, _ := c.tasks.Get(c.ctx, c.orgID, id); got.SectionID() != s2.ID() {
			t.Fatalf("%s after the move: section %s", got.Title(), got.SectionID())
		}
	}
	if got, _ := c.tasks.Get(c.ctx, c.orgID, parent.ID()); got.Rank() != "a" {
		t.Fatalf("the parent's rank: %q", got.Rank())
	}
	if err := other.MoveTo(s.ID(), "z", now); err != nil {
		t.Fatal(err)
	}
	if err := c.tasks.Place(c.ctx, other, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.tasks.Get(c.ctx, c.orgID, other.ID()); got.Rank() != "z" || got.Title() != "other" {
		t.Fatalf("other after the move: %+v", got.Record())
	}
}
