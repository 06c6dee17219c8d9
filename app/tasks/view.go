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

// levels computes the actor's access to tasks in two reads: what reaches each task, and the
// grants of the lists they span.
func (s *Service) levels(ctx context.Context, a authz.Actor, p Principals, ts []*tasks.Task) (map[uuid.UUID]TaskAccess, error) {
	if len(ts) == 0 {
		return map[uuid.UUID]TaskAccess{}, nil
	}
	var listIDs, taskIDs []uuid.UUID
	for _, t := range ts {
		listIDs, taskIDs = append(listIDs, t.ListID()), append(taskIDs, t.ID())
	}
	reach, err := s.tasks.Reach(ctx, a.OrgID, taskIDs, p)
	if err != nil {
		return nil, err
	}
	c := s.check(a)
	lists, err := s.listAccesses(ctx, c, p, listIDs, nil)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]TaskAccess, len(ts))
	for _, t := range ts {
		la, ok := lists[t.ListID()]
		if !ok || la.List.Deleted() {
			continue
		}
		if out[t.ID()], err = c.taskAccessIn(ctx, la, reach[t.ID()]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pageViews builds the views of those of ts the actor (with the principals p) may read; the
// others are left out. The page's side data and what reaches each task and each of their
// blockers come in one read, and the grants of the lists they span in one more, but for the
// lists whose access is known already (known). fixed holds the access to tasks already
// computed, which is used as it is.
func (s *Service) pageViews(ctx context.Context, a authz.Actor, p Principals, ts []*tasks.Task, known map[uuid.UUID]ListAccess,
	fixed map[uuid.UUID]TaskAccess) ([]TaskView, error) {
	if len(ts) == 0 {
		return []TaskView{}, nil
	}
	ids := make([]uuid.UUID, len(ts))
	for i, t := range ts {
		ids[i] = t.ID()
	}
	sides, err := s.tasks.Sides(ctx, a.OrgID, ids, p)
	if err != nil {
		return nil, err
	}
	var listIDs []uuid.UUID
	for _, t := range ts {
		if _, ok := fixed[t.ID()]; !ok {
			listIDs = append(listIDs, t.ListID())
		}
	}
	for _, side := range sides {
		for _, b := range side.BlockedBy {
			listIDs = append(listIDs, b.ListID)
		}
	}
	c := s.check(a)
	lists, err := s.listAccesses(ctx, c, p, listIDs, known)
	if err != nil {
		return nil, err
	}
	// level is the access to a task of a list, given what reaches it (none in a list that is
	// not the organisation's, or deleted).
	level := func(listID uuid.UUID, r TaskReach) (TaskAccess, error) {
		la, ok := lists[listID]
		if !ok || la.List.Deleted() {
			return TaskAccess{}, nil
		}
		return c.taskAccessIn(ctx, la, r)
	}
	acc := make(map[uuid.UUID]TaskAccess, len(ts))
	for _, t := range ts {
		ta, ok := fixed[t.ID()]
		if !ok {
			if ta, err = level(t.ListID(), sides[t.ID()].Reach); err != nil {
				return nil, err
			}
		}
		acc[t.ID()] = ta
	}
	out := make([]TaskView, 0, len(ts))
	for _, t := range ts {
		ta := acc[t.ID()]
		if ta.Level == LevelNone {
			continue
		}
		side := sides[t.ID()]
		v := TaskView{Task: t, Level: ta.Level, DescriptionHTML: s.HTML(t.Description()), Creator: Person{ID: t.CreatedBy(), Name: side.CreatorName},
			Assignees: side.Assignees, Followers: side.Followers, Labels: side.Labels, SubtaskTotal: side.SubtaskTotal, SubtaskDone: side.SubtaskDone,
			BlockedBy: []Ref{}}
		if v.Assignees == nil {
			v.Assignees = []Person{}
		}
		if v.Followers == nil {
			v.Followers = []Person{}
		}
		if ta.ListLevel > LevelNone {
			name := ta.List.Name()
			v.ListName = &name
		}
		if t.CompletedBy() != uuid.Nil {
			v.CompletedBy = &Person{ID: t.CompletedBy(), Name: side.CompleterName}
		}
		// A blocker the actor may not read is not theirs to know of (one in a list they cannot
		// see, say).
		for _, b := range side.BlockedBy {
			ba, ok := acc[b.ID]
			if !ok {
				if ba, err = level(b.ListID, b.Reach); err != nil {
					return nil, err
				}
				acc[b.ID] = ba
			}
			if ba.Level > LevelNone {
				v.BlockedBy = append(v.BlockedBy, b.Ref)
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// view builds one task's view for an actor with the access ta.
func (s *Service) view(ctx context.Context, a authz.Actor, t *tasks.Task, ta TaskAccess) (TaskView, error) {
	known := map[uuid.UUID]ListAccess{ta.List.ID(): {List: ta.List, Level: ta.ListLevel, Scope: ta.Scope, p: ta.p}}
	vs, err := s.pageViews(ctx, a, ta.p, []*tasks.Task{t}, known, map[uuid.UUID]TaskAccess{t.ID(): ta})
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
