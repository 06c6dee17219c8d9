package tasks_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/tasks"
)

func code(err error) string { return errs.CodeOf(err) }

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newTask(t *testing.T, parent *tasks.Task) *tasks.Task {
	t.Helper()
	org, list, sec := uuid.New(), uuid.New(), uuid.New()
	if parent != nil {
		org, list, sec = parent.OrgID(), parent.ListID(), parent.SectionID()
	}
	task, err := tasks.NewTask(tasks.NewTaskInput{OrgID: org, ListID: list, SectionID: sec, Parent: parent, Title: "T", Rank: "V", CreatedBy: uuid.New(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func TestNewListChecksItsOwnerAndName(t *testing.T) {
	org := uuid.New()
	for _, tc := range []struct {
		kind  tasks.OwnerKind
		owner uuid.UUID
		name  string
		code  string
	}{
		{"team", uuid.New(), "x", "invalid_owner_kind"},
		{tasks.OwnerOrganisation, uuid.New(), "x", "invalid_owner"},
		{tasks.OwnerGroup, uuid.Nil, "x", "missing_field"},
		{tasks.OwnerPerson, uuid.New(), "   ", "invalid_name"},
		{tasks.OwnerPerson, uuid.New(), strings.Repeat("n", 201), "invalid_name"},
		{tasks.OwnerPerson, uuid.New(), "a\u202eb", "bidi_control"},
	} {
		if _, err := tasks.NewList(org, tc.kind, tc.owner, tc.name, "", uuid.New(), now); code(err) != tc.code {
			t.Errorf("%v: %v, want %s", tc, err, tc.code)
		}
	}
	l, err := tasks.NewList(org, tasks.OwnerOrganisation, org, "  Launch  ", "", uuid.New(), now)
	if err != nil || l.Name() != "Launch" {
		t.Fatalf("%v %v", l, err)
	}
}

func TestTaskLimits(t *testing.T) {
	task := newTask(t, nil)
	if err := task.SetTitle(strings.Repeat("t", 501), now); code(err) != "invalid_title" {
		t.Errorf("a long title: %v", err)
	}
	if err := task.SetTitle(strings.Repeat("题", 500), now); err != nil {
		t.Errorf("500 characters: %v", err)
	}
	if err := task.SetDescription(strings.Repeat("d", 64<<10+1), now); code(err) != "invalid_description" {
		t.Errorf("a long description: %v", err)
	}
	if err := task.SetDescription("a\x00b", now); code(err) != "control_character" {
		t.Errorf("a NUL: %v", err)
	}
	for _, p := range []int{-1, 4} {
		if err := task.SetPriority(p, now); code(err) != "invalid_priority" {
			t.Errorf("priority %d: %v", p, err)
		}
	}
}

func TestSubtasksNestToTheCap(t *testing.T) {
	task := newTask(t, nil)
	for depth := 1; depth <= tasks.MaxDepth; depth++ {
		task = newTask(t, task)
		if task.Depth() != depth {
			t.Fatalf("depth %d, want %d", task.Depth(), depth)
		}
	}
	_, err := tasks.NewTask(tasks.NewTaskInput{OrgID: task.OrgID(), ListID: task.ListID(), SectionID: task.SectionID(), Parent: task, Title: "deep", Rank: "V", Now: now})
	if code(err) != "too_deep" {
		t.Fatalf("past the cap: %v", err)
	}
	_, err = tasks.NewTask(tasks.NewTaskInput{OrgID: task.OrgID(), ListID: uuid.New(), SectionID: task.SectionID(), Parent: task, Title: "x", Rank: "V", Now: now})
	if code(err) != "invalid_parent" {
		t.Fatalf("a parent of another list: %v", err)
	}
}

func TestScheduleRules(t *testing.T) {
	start := now
	for _, tc := range []struct {
		s    tasks.Schedule
		code string
	}{
		{tasks.Schedule{Start: start, Due: start.Add(-time.Minute), TZ: "UTC"}, "due_before_start"},
		{tasks.Schedule{Due: start}, "missing_field"},
		{tasks.Schedule{Due: start, TZ: "Local"}, "invalid_time_zone"},
		{tasks.Schedule{Due: start, TZ: "Europe/Atlantis"}, "invalid_time_zone"},
		{tasks.Schedule{TZ: "UTC"}, "invalid_schedule"},
		{tasks.Schedule{Due: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), TZ: "UTC"}, "invalid_date"},
	} {
		if err := tc.s.Check(); code(err) != tc.code {
			t.Errorf("%+v: %v, want %s", tc.s, err, tc.code)
		}
	}
	if err := (tasks.Schedule{Start: start, Due: start, AllDay: true, TZ: "Asia/Shanghai"}).Check(); err != nil {
		t.Fatal(err)
	}
}

func TestRecurrenceNeedsADueDateAndCountsFromIt(t *testing.T) {
	task := newTask(t, nil)
	if err := task.SetRRule("FREQ=DAILY", now); code(err) != "rrule_needs_due" {
		t.Fatalf("a rule without a due date: %v", err)
	}
	due := now.Add(48 * time.Hour)
	if err := task.SetSchedule(tasks.Schedule{Start: due.Add(-time.Hour), Due: due, TZ: "Europe/Berlin"}, now); err != nil {
		t.Fatal(err)
	}
	if err := task.SetRRule("RRULE:FREQ=DAILY", now); err != nil {
		t.Fatal(err)
	}
	if task.RRule() != "FREQ=DAILY" || !task.RecurStart().Equal(due) || task.SeriesID() != task.ID() {
		t.Fatalf("rule %q start %v series %v", task.RRule(), task.RecurStart(), task.SeriesID())
	}
	if err := task.SetSchedule(tasks.Schedule{}, now); code(err) != "rrule_needs_due" {
		t.Fatalf("clearing the due date of a repeating task: %v", err)
	}
	next, err := task.NextOccurrence(due.Add(24*time.Hour), "W", now)
	if err != nil {
		t.Fatal(err)
	}
	if next.ID() == task.ID() || next.SeriesID() != task.SeriesID() || !next.Schedule().Due.Equal(due.Add(24*time.Hour)) ||
		!next.Schedule().Start.Equal(due.Add(23*time.Hour)) || next.Done() || next.RRule() != task.RRule() {
		t.Fatalf("next occurrence: %+v", next.Record())
	}
}

func TestDeleteAndRestoreWithin30Days(t *testing.T) {
	task := newTask(t, nil)
	who := uuid.New()
	task.Delete(who, now)
	if !task.Deleted() || task.DeletedBy() != who {
		t.Fatal("not deleted")
	}
	if err := task.Restore(now.Add(31 * 24 * time.Hour)); code(err) != "restore_expired" {
		t.Fatalf("after 31 days: %v", err)
	}
	if err := task.Restore(now.Add(29 * 24 * time.Hour)); err != nil || task.Deleted() {
		t.Fatalf("within 30 days: %v", err)
	}
}

func TestSubtasksStayInTheirParentsSection(t *testing.T) {
	sub := newTask(t, newTask(t, nil))
	if err := sub.MoveTo(uuid.New(), "W", now); code(err) != "invalid_move" {
		t.Fatalf("moving a subtask to another section: %v", err)
	}
	if err := sub.MoveTo(sub.SectionID(), "W", now); err != nil || sub.Rank() != "W" {
		t.Fatalf("reordering a subtask: %v", err)
	}
	if err := sub.SetRank("bad~"); code(err) != "invalid_rank" {
		t.Fatalf("a bad rank: %v", err)
	}
}

func TestSharesAndLabels(t *testing.T) {
	if _, err := tasks.ParsePrincipal("department", uuid.New(), true); code(err) != "invalid_principal" {
		t.Errorf("a task shared with a department: %v", err)
	}
	if _, err := tasks.ParsePrincipal("department", uuid.New(), false); err != nil {
		t.Errorf("a list shared with a department: %v", err)
	}
	if _, err := tasks.ParseRole("manager", true); code(err) != "invalid_role" {
		t.Errorf("a task shared as manager: %v", err)
	}
	if _, err := tasks.NewLabel(uuid.New(), uuid.New(), "Urgent", "javascript:x"); code(err) != "invalid_color" {
		t.Errorf("a bad color: %v", err)
	}
	for _, c := range []string{"#fff", "#1677ff", "blue", "geek-blue"} {
		if _, err := tasks.NewLabel(uuid.New(), uuid.New(), "Urgent", c); err != nil {
			t.Errorf("color %q: %v", c, err)
		}
	}
}
