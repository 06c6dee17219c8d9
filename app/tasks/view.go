package tasks

import (
	"context"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/tasks"
)

// Person is a member as a task names them.
type Person struct {
	ID   uuid.UUID
	Name string
}

// TaskView is a task with what the API shows beside it.
type TaskView struct {
	Task  *tasks.Task
	Level Level
	// ListName is nil when the caller may not see the list.
	ListName        *string
	DescriptionHTML string
	Creator         Person
	CompletedBy     *Person
	Assignees       []Person
	Followers       []Person
	Labels          []*tasks.Label
	SubtaskTotal    int
	SubtaskDone     int
	BlockedBy       []Ref
	// Bucket is set in the views: overdue, today, next_7_days, later or no_date.
	Bucket string
}

// levels computes the actor's access to tasks in as few queries as the lists they span.
func (s *Service) levels(ctx context.Context, a authz.Actor, p Principals, ts []*tasks.Task) (map[uuid.UUID]TaskAccess, error) {
	var listIDs, taskIDs []uuid.UUID
	for _, t := range ts {
		listIDs, taskIDs = append(listIDs, t.ListID()), append(taskIDs, t.ID())
	}
	listIDs = dedupe(listIDs)
	lists, err := s.lists.GetMany(ctx, a.OrgID, listIDs)
	if err != nil {
		return nil, err
	}
	roles, err := s.shares.ListRoles(ctx, a.OrgID, listIDs, p)
	if err != nil {
		return nil, err
	}
	var deptIDs []uuid.UUID
	for _, l := range lists {
		if l.OwnerKind() == tasks.OwnerDepartment {
			deptIDs = append(deptIDs, l.OwnerID())
		}
	}
	depts := map[uuid.UUID]Department{}
	if len(deptIDs) > 0 {
		if depts, err = s.directory.Departments(ctx, a.OrgID, deptIDs); err != nil {
			return nil, err
		}
	}
	access := make(map[uuid.UUID]ListAccess, len(lists))
	for id, l := range lists {
		scope := ""
		if l.OwnerKind() == tasks.OwnerDepartment {
			scope = depts[l.OwnerID()].Path
		}
		lv, err := s.listLevel(ctx, a, p, l, scope, roles[id])
		if err != nil {
			return nil, err
		}
		access[id] = ListAccess{List: l, Level: lv, Scope: scope, p: p}
	}
	reach, err := s.tasks.Reach(ctx, a.OrgID, taskIDs, p)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]TaskAccess, len(ts))
	for _, t := range ts {
		la, ok := access[t.ListID()]
		if !ok || la.List.Deleted() {
			continue
		}
		lv, err := s.taskLevel(ctx, a, la, reach[t.ID()])
		if err != nil {
			return nil, err
		}
		out[t.ID()] = TaskAccess{Level: lv, List: la.List, ListLevel: la.Level, Scope: la.Scope, p: p}
	}
	return out, nil
}

// views builds the views of tasks the actor may read, given their access; the others are left
// out.
func (s *Service) views(ctx context.Context, a authz.Actor, ts []*tasks.Task, acc map[uuid.UUID]TaskAccess) ([]TaskView, error) {
	var ids, listIDs []uuid.UUID
	for _, t := range ts {
		if acc[t.ID()].Level > LevelNone {
			ids, listIDs = append(ids, t.ID()), append(listIDs, t.ListID())
		}
	}
	if len(ids) == 0 {
		return []TaskView{}, nil
	}
	assignees, err := s.tasks.People(ctx, a.OrgID, peopleAssignees, ids)
	if err != nil {
		return nil, err
	}
	followers, err := s.tasks.People(ctx, a.OrgID, peopleFollowers, ids)
	if err != nil {
		return nil, err
	}
	labelLinks, err := s.tasks.Labels(ctx, a.OrgID, ids)
	if err != nil {
		return nil, err
	}
	labels := map[uuid.UUID]*tasks.Label{}
	if len(labelLinks) > 0 {
		byList, err := s.labels.OfLists(ctx, a.OrgID, dedupe(listIDs))
		if err != nil {
			return nil, err
		}
		for _, ls := range byList {
			for _, l := range ls {
				labels[l.ID()] = l
			}
		}
	}
	progress, err := s.tasks.Progress(ctx, a.OrgID, ids)
	if err != nil {
		return nil, err
	}
	blockers, err := s.visibleBlockers(ctx, a, ids, acc)
	if err != nil {
		return nil, err
	}
	var people []uuid.UUID
	for _, t := range ts {
		people = append(people, t.CreatedBy(), t.CompletedBy())
	}
	for _, m := range []map[uuid.UUID][]uuid.UUID{assignees, followers} {
		for _, us := range m {
			people = append(people, us...)
		}
	}
	names, err := s.directory.Names(ctx, a.OrgID, dedupe(people))
	if err != nil {
		return nil, err
	}
	persons := func(us []uuid.UUID) []Person {
		out := make([]Person, len(us))
		for i, u := range us {
			out[i] = Person{ID: u, Name: names[u]}
		}
		return out
	}
	out := make([]TaskView, 0, len(ids))
	for _, t := range ts {
		ta := acc[t.ID()]
		if ta.Level == LevelNone {
			continue
		}
		v := TaskView{Task: t, Level: ta.Level, DescriptionHTML: s.HTML(t.Description()), Creator: Person{ID: t.CreatedBy(), Name: names[t.CreatedBy()]},
			Assignees: persons(assignees[t.ID()]), Followers: persons(followers[t.ID()]), BlockedBy: blockers[t.ID()]}
		if ta.ListLevel > LevelNone {
			name := ta.List.Name()
			v.ListName = &name
		}
		if t.CompletedBy() != uuid.Nil {
			v.CompletedBy = &Person{ID: t.CompletedBy(), Name: names[t.CompletedBy()]}
		}
		for _, id := range labelLinks[t.ID()] {
			if l := labels[id]; l != nil {
				v.Labels = append(v.Labels, l)
			}
		}
		pr := progress[t.ID()]
		v.SubtaskTotal, v.SubtaskDone = pr[0], pr[1]
		if v.BlockedBy == nil {
			v.BlockedBy = []Ref{}
		}
		out = append(out, v)
	}
	return out, nil
}

// visibleBlockers returns the blockers of tasks, leaving out those the actor may not read
// (a blocker in another list they cannot see is not theirs to know of).
func (s *Service) visibleBlockers(ctx context.Context, a authz.Actor, ids []uuid.UUID, acc map[uuid.UUID]TaskAccess) (map[uuid.UUID][]Ref, error) {
	all, err := s.tasks.Blockers(ctx, a.OrgID, ids)
	if err != nil || len(all) == 0 {
		return all, err
	}
	var unknown []uuid.UUID
	for _, refs := range all {
		for _, r := range refs {
			if _, ok := acc[r.ID]; !ok {
				unknown = append(unknown, r.ID)
			}
		}
	}
	if len(unknown) > 0 {
		var p Principals
		for _, ta := range acc {
			p = ta.p
			break
		}
		var ts []*tasks.Task
		for _, id := range dedupe(unknown) {
			t, err := s.tasks.Get(ctx, a.OrgID, id)
			if err != nil {
				return nil, err
			}
			ts = append(ts, t)
		}
		more, err := s.levels(ctx, a, p, ts)
		if err != nil {
			return nil, err
		}
		for id, ta := range more {
			acc[id] = ta
		}
	}
	out := make(map[uuid.UUID][]Ref, len(all))
	for id, refs := range all {
		for _, r := range refs {
			if acc[r.ID].Level > LevelNone {
				out[id] = append(out[id], r)
			}
		}
	}
	return out, nil
}

// view builds one task's view for an actor with the access ta.
func (s *Service) view(ctx context.Context, a authz.Actor, t *tasks.Task, ta TaskAccess) (TaskView, error) {
	vs, err := s.views(ctx, a, []*tasks.Task{t}, map[uuid.UUID]TaskAccess{t.ID(): ta})
	if err != nil {
		return TaskView{}, err
	}
	if len(vs) == 0 {
		return TaskView{}, errNotFoundTask
	}
	return vs[0], nil
}

// bucket groups a task by its due date for the views, in loc (the caller's time zone): an
// all-day task by its date, a timed one by its instant.
func bucket(t *tasks.Task, now time.Time, loc *time.Location) string {
	due := t.Schedule().Due
	if due.IsZero() {
		return "no_date"
	}
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	tomorrow := today.AddDate(0, 0, 1)
	week := today.AddDate(0, 0, 8)
	if t.Schedule().AllDay {
		// The date as set in its own zone, placed on the caller's calendar.
		dz := time.UTC
		if z, err := tasks.LoadZone(t.Schedule().TZ); err == nil {
			dz = z
		}
		d := due.In(dz)
		date := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
		switch {
		case date.Before(today):
			return "overdue"
		case date.Before(tomorrow):
			return "today"
		case date.Before(week):
			return "next_7_days"
		}
		return "later"
	}
	switch {
	case due.Before(now):
		return "overdue"
	case due.Before(tomorrow):
		return "today"
	case due.Before(week):
		return "next_7_days"
	}
	return "later"
}
