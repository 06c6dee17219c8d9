package tasks

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/errs"
	"canopy/domain/tasks"
)

func mustList(t *testing.T, kind tasks.OwnerKind, owner, creator uuid.UUID) *tasks.List {
	t.Helper()
	org := uuid.New()
	if kind == tasks.OwnerOrganisation {
		owner = org
	}
	l, err := tasks.NewList(org, kind, owner, "L", "", creator, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestRawListLevel(t *testing.T) {
	me, group, dept := uuid.New(), uuid.New(), uuid.New()
	member := Principals{UserID: me, Member: true, Groups: []uuid.UUID{group}, Departments: []uuid.UUID{dept}}
	owner := member
	owner.OwnedGroups = []uuid.UUID{group}
	guest := member
	guest.Guest = true
	someone := uuid.New()
	for _, tc := range []struct {
		name  string
		p     Principals
		list  *tasks.List
		share tasks.Role
		want  Level
	}{
		{"my own list", member, mustList(t, tasks.OwnerPerson, me, me), "", LevelManage},
		{"someone's list", member, mustList(t, tasks.OwnerPerson, someone, someone), "", LevelNone},
		{"someone's list shared as viewer", member, mustList(t, tasks.OwnerPerson, someone, someone), tasks.RoleViewer, LevelRead},
		{"my group's", member, mustList(t, tasks.OwnerGroup, group, someone), "", LevelWrite},
		{"the group I own", owner, mustList(t, tasks.OwnerGroup, group, someone), "", LevelManage},
		{"my department's (or one above mine)", member, mustList(t, tasks.OwnerDepartment, dept, someone), "", LevelWrite},
		{"another department's", member, mustList(t, tasks.OwnerDepartment, uuid.New(), someone), "", LevelNone},
		{"the organisation's", member, mustList(t, tasks.OwnerOrganisation, uuid.Nil, someone), "", LevelWrite},
		{"one I made", member, mustList(t, tasks.OwnerDepartment, uuid.New(), me), "", LevelManage},
		{"the organisation's, as a guest", guest, mustList(t, tasks.OwnerOrganisation, uuid.Nil, someone), "", LevelNone},
		{"my group's, as a guest", guest, mustList(t, tasks.OwnerGroup, group, someone), "", LevelNone},
		{"shared with a guest as editor", guest, mustList(t, tasks.OwnerGroup, group, someone), tasks.RoleEditor, LevelWrite},
		{"no longer a member", Principals{UserID: me}, mustList(t, tasks.OwnerPerson, me, me), "", LevelNone},
	} {
		if got := rawListLevel(tc.p, tc.list, tc.share); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMayShareTask(t *testing.T) {
	for _, tc := range []struct {
		level Level
		role  tasks.Role
		ok    bool
	}{
		{LevelManage, tasks.RoleEditor, true}, {LevelWrite, tasks.RoleEditor, true}, {LevelWrite, tasks.RoleViewer, true},
		{LevelRead, tasks.RoleViewer, false}, {LevelWrite, tasks.RoleManager, false},
	} {
		if err := mayShareTask(TaskAccess{Level: tc.level}, tc.role); (err == nil) != tc.ok {
			t.Errorf("level %v sharing as %s: %v", tc.level, tc.role, err)
		}
	}
}

func dueTask(t *testing.T, due time.Time, allDay bool, tz string) *tasks.Task {
	t.Helper()
	task, err := tasks.NewTask(tasks.NewTaskInput{OrgID: uuid.New(), ListID: uuid.New(), SectionID: uuid.New(), Title: "T", Rank: "V", Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if !due.IsZero() {
		if err := task.SetSchedule(tasks.Schedule{Due: due, AllDay: allDay, TZ: tz}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return task
}

// TestBuckets: the views group by due in the caller's zone: at 23:30 in Shanghai on 1 March
// (15:30 UTC), a task due at 00:30 Shanghai on 2 March is tomorrow (next_7_days) there but
// today in UTC; an all-day task is placed by its own date.
func TestBuckets(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 3, 1, 23, 30, 0, 0, sh)
	soon := time.Date(2026, 3, 2, 0, 30, 0, 0, sh)
	for _, tc := range []struct {
		name string
		task *tasks.Task
		loc  *time.Location
		want string
	}{
		{"no date", dueTask(t, time.Time{}, false, ""), sh, "no_date"},
		{"an hour ago", dueTask(t, now.Add(-time.Hour), false, "UTC"), sh, "overdue"},
		{"in ten minutes", dueTask(t, now.Add(10*time.Minute), false, "UTC"), sh, "today"},
		{"after midnight in Shanghai", dueTask(t, soon, false, "Asia/Shanghai"), sh, "next_7_days"},
		{"after midnight in Shanghai, seen in UTC", dueTask(t, soon, false, "Asia/Shanghai"), time.UTC, "today"},
		{"in a week", dueTask(t, now.Add(7*24*time.Hour), false, "UTC"), sh, "next_7_days"},
		{"in ten days", dueTask(t, now.Add(10*24*time.Hour), false, "UTC"), sh, "later"},
		{"all day today", dueTask(t, time.Date(2026, 3, 1, 0, 0, 0, 0, sh), true, "Asia/Shanghai"), sh, "today"},
		{"all day yesterday", dueTask(t, time.Date(2026, 2, 28, 0, 0, 0, 0, sh), true, "Asia/Shanghai"), sh, "overdue"},
	} {
		if got := bucket(tc.task, now, tc.loc); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestCheckIdempotencyKey(t *testing.T) {
	for k, ok := range map[string]bool{"abc-123": true, "": false, string(make([]byte, 256)): false, "a\nb": false, "ключ": false, "with space": true} {
		if err := CheckIdempotencyKey(k); (err == nil) != ok {
			t.Errorf("%q: %v", k, err)
		}
	}
}

// memIdempotency keeps idempotency records in memory.
type memIdempotency map[string]IdempotencyRecord

func (m memIdempotency) Lookup(_ context.Context, orgID, principalID uuid.UUID, scope, key string, since time.Time) (IdempotencyRecord, bool, error) {
	r, ok := m[orgID.String()+principalID.String()+scope+key]
	if !ok || !r.CreatedAt.After(since) {
		return IdempotencyRecord{}, false, nil
	}
	return r, true, nil
}

func (m memIdempotency) Save(_ context.Context, r IdempotencyRecord) error {
	m[r.OrgID.String()+r.PrincipalID.String()+r.Scope+r.Key] = r
	return nil
}

func (m memIdempotency) Prune(context.Context, time.Time) (int64, error) { return 0, nil }

type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

func TestIdempotent(t *testing.T) {
	clk := &fixedClock{time.Now()}
	s := &Service{idempotency: memIdempotency{}, clock: clk}
	a := authz.Actor{OrgID: uuid.New()}
	a.UserID = uuid.New()
	made := 0
	create := func(context.Context) (uuid.UUID, error) { made++; return uuid.New(), nil }
	key := &IdempotencyKey{Key: "k", Hash: []byte("body one")}
	first, replayed, err := s.idempotent(context.Background(), a, "scope", key, create)
	if err != nil || replayed {
		t.Fatal(err)
	}
	again, replayed, err := s.idempotent(context.Background(), a, "scope", key, create)
	if err != nil || !replayed || again != first || made != 1 {
		t.Fatalf("again: %v %v %v, made %d", again, replayed, err, made)
	}
	if _, _, err := s.idempotent(context.Background(), a, "scope", &IdempotencyKey{Key: "k", Hash: []byte("body two")}, create); errs.CodeOf(err) != "idempotency_mismatch" || errs.KindOf(err) != errs.Unprocessable {
		t.Fatalf("another body: %v", err)
	}
	if id, _, _ := s.idempotent(context.Background(), a, "another scope", key, create); id == first {
		t.Fatal("a key is per scope")
	}
	clk.t = clk.t.Add(IdempotencyTTL + time.Minute)
	if id, replayed, _ := s.idempotent(context.Background(), a, "scope", key, create); id == first || replayed {
		t.Fatal("a key past its day is forgotten")
	}
}
