package tasks

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/tasks"
)

// Limits of what a task carries.
const (
	MaxAssignees = 50
	MaxFollowers = 100
	MaxLabels    = 20
)

// TaskInput asks for a new task in a list.
type TaskInput struct {
	Title       string
	Description string
	// SectionID is the section (uuid.Nil: the list's first, or the parent's).
	SectionID uuid.UUID
	// ParentID makes it a subtask of a task of the list.
	ParentID    uuid.UUID
	AssigneeIDs []uuid.UUID
	FollowerIDs []uuid.UUID
	LabelIDs    []uuid.UUID
	Priority    int
	Schedule    tasks.Schedule
	RRule       string
	// AfterID places it right after a sibling; nil puts it last.
	AfterID     *uuid.UUID
	Idempotency *IdempotencyKey
}

// checkPeople refuses too many people, and anyone who is not an active member of the
// organisation (Invalid unknown_member, naming the field): another organisation's user is as
// unknown as a missing one.
func (s *Service) checkPeople(ctx context.Context, a authz.Actor, field string, ids []uuid.UUID, limit int) ([]uuid.UUID, error) {
	ids = dedupe(slices.Clone(ids))
	if len(ids) > limit {
		return nil, errs.Invalidf("%s: at most %d", field, limit)
	}
	if len(ids) == 0 {
		return ids, nil
	}
	found, err := s.directory.ActiveMembers(ctx, a.OrgID, ids)
	if err != nil {
		return nil, err
	}
	if len(found) != len(ids) {
		return nil, errs.E(errs.Invalid, "unknown_member", field+": not a member of the organisation")
	}
	return ids, nil
}

// checkLabels refuses too many labels, or one that is not the list's.
func (s *Service) checkLabels(ctx context.Context, a authz.Actor, listID uuid.UUID, ids []uuid.UUID) ([]uuid.UUID, error) {
	ids = dedupe(slices.Clone(ids))
	if len(ids) > MaxLabels {
		return nil, errs.Invalidf("label_ids: at most %d", MaxLabels)
	}
	if len(ids) == 0 {
		return ids, nil
	}
	n, err := s.labels.Count(ctx, a.OrgID, listID, ids)
	if err != nil {
		return nil, err
	}
	if n != len(ids) {
		return nil, errs.E(errs.Invalid, "unknown_label", "label_ids: not a label of this list")
	}
	return ids, nil
}

// checkRule checks a recurrence rule with the recurrence adapter.
func (s *Service) checkRule(rule string) error {
	rule = strings.TrimPrefix(strings.TrimSpace(rule), "RRULE:")
	if rule == "" {
		return nil
	}
	if s.recurrence == nil {
		return errs.E(errs.Invalid, "invalid_rrule", "rrule: repeating tasks are not available")
	}
	return s.recurrence.Validate(rule)
}

// place returns the rank for a task placed right after a sibling (after; uuid.Nil for the
// top), leaving self out of its siblings. A key past tasks.MaxRankLength respaces the siblings
// (in the transaction in ctx, which holds the list's lock) and returns self's place among them.
func (s *Service) place(ctx context.Context, sib Siblings, after, self uuid.UUID) (string, error) {
	g, err := s.tasks.Gap(ctx, sib, after, self)
	if err != nil {
		return "", err
	}
	return s.placeIn(ctx, sib, g, after, self)
}

// placeIn is place in the gap g, read already.
func (s *Service) placeIn(ctx context.Context, sib Siblings, g Gap, after, self uuid.UUID) (string, error) {
	if !g.AfterFound {
		return "", errs.E(errs.Invalid, "unknown_task", "after_id: not a task of that section (or subtask of that task)")
	}
	rank := tasks.Between(g.Lo, g.Hi)
	if len(rank) <= tasks.MaxRankLength {
		return rank, nil
	}
	return s.respace(ctx, sib, after, self)
}

// placeLast returns the rank after the last sibling.
func (s *Service) placeLast(ctx context.Context, sib Siblings) (string, error) {
	last, err := s.tasks.LastRank(ctx, sib)
	if err != nil {
		return "", err
	}
	rank := tasks.Between(last, "")
	if len(rank) <= tasks.MaxRankLength {
		return rank, nil
	}
	return s.respace(ctx, sib, lastID, uuid.Nil)
}

// lastID asks respace for the place after every sibling.
var lastID = uuid.Max

// respace rewrites the ranks of the siblings evenly, with a free place for self right after
// after (uuid.Nil: first; lastID: last), and returns that place's rank.
func (s *Service) respace(ctx context.Context, sib Siblings, after, self uuid.UUID) (string, error) {
	cur, err := s.tasks.Ranks(ctx, sib)
	if err != nil {
		return "", err
	}
	order := make([]uuid.UUID, 0, len(cur)+1)
	if after == uuid.Nil {
		order = append(order, self)
	}
	for _, r := range cur {
		if r.ID == self {
			continue
		}
		order = append(order, r.ID)
		if r.ID == after {
			order = append(order, self)
		}
	}
	if after == lastID {
		order = append(order, self)
	}
	keys := tasks.Spread(len(order))
	// self is written by the caller when it is not a sibling yet (a new task, or one coming
	// from another section).
	stored := slices.ContainsFunc(cur, func(r RankedID) bool { return r.ID == self })
	var ranks []RankedID
	mine := ""
	for i, id := range order {
		if id == self {
			mine = keys[i]
			if !stored {
				continue
			}
		}
		ranks = append(ranks, RankedID{ID: id, Rank: keys[i]})
	}
	return mine, s.tasks.Respace(ctx, sib, ranks)
}

// CreateTask adds a task to a list the actor may write, or a subtask under a task they may
// write (someone a single task is shared with as editor may add its subtasks). Assignees are
// told. With an Idempotency-Key, the same request again returns the task it made. A task made
// by an API token is audited.
func (s *Service) CreateTask(ctx context.Context, a authz.Actor, listID uuid.UUID, in TaskInput) (TaskView, error) {
	if err := in.Schedule.Check(); err != nil {
		return TaskView{}, err
	}
	if err := s.checkRule(in.RRule); err != nil {
		return TaskView{}, err
	}
	var parent *tasks.Task
	var l *tasks.List
	if in.ParentID != uuid.Nil {
		p, pa, err := s.readTask(ctx, a, in.ParentID)
		if err != nil {
			return TaskView{}, err
		}
		if p.ListID() != listID {
			return TaskView{}, errs.NotFoundf("task")
		}
		if err := pa.need(LevelWrite); err != nil {
			return TaskView{}, err
		}
		parent, l = p, pa.List
	} else {
		la, err := s.readList(ctx, a, listID)
		if err != nil {
			return TaskView{}, err
		}
		if err := la.need(LevelWrite); err != nil {
			return TaskView{}, err
		}
		l = la.List
	}
	assignees, err := s.checkPeople(ctx, a, "assignee_ids", in.AssigneeIDs, MaxAssignees)
	if err != nil {
		return TaskView{}, err
	}
	followers, err := s.checkPeople(ctx, a, "follower_ids", in.FollowerIDs, MaxFollowers)
	if err != nil {
		return TaskView{}, err
	}
	labels, err := s.checkLabels(ctx, a, listID, in.LabelIDs)
	if err != nil {
		return TaskView{}, err
	}
	var id uuid.UUID
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		var err error
		id, _, err = s.idempotent(ctx, a, "tasks.create_task:"+listID.String(), in.Idempotency, func(ctx context.Context) (uuid.UUID, error) {
			t, err := s.createTask(ctx, a, l, parent, in, assignees, followers, labels)
			if err != nil {
				return uuid.Nil, err
			}
			return t.ID(), nil
		})
		return err
	})
	if err != nil {
		return TaskView{}, err
	}
	return s.Task(ctx, a, id)
}

// createTask stores a new task under the list's lock, in the transaction in ctx.
func (s *Service) createTask(ctx context.Context, a authz.Actor, l *tasks.List, parent *tasks.Task, in TaskInput, assignees, followers, labels []uuid.UUID) (*tasks.Task, error) {
	if _, err := s.lists.Lock(ctx, a.OrgID, l.ID()); err != nil {
		return nil, err
	}
	section := in.SectionID
	if parent != nil {
		section = parent.SectionID()
	} else if section == uuid.Nil {
		all, err := s.sections.OfLists(ctx, a.OrgID, []uuid.UUID{l.ID()})
		if err != nil {
			return nil, err
		}
		if len(all[l.ID()]) == 0 {
			return nil, errs.E(errs.Conflict, "no_section", "the list has no section")
		}
		section = all[l.ID()][0].ID()
	} else if _, err := s.sections.Get(ctx, a.OrgID, l.ID(), section); err != nil {
		return nil, errs.E(errs.Invalid, "unknown_section", "section_id: not a section of this list")
	}
	now := s.now()
	// A placeholder rank: the real one is computed once the task exists as a sibling.
	t, err := tasks.NewTask(tasks.NewTaskInput{OrgID: a.OrgID, ListID: l.ID(), SectionID: section, Parent: parent, Title: in.Title,
		Description: in.Description, Priority: in.Priority, Rank: "V", CreatedBy: a.UserID, Now: now})
	if err != nil {
		return nil, err
	}
	if err := t.SetSchedule(in.Schedule, now); err != nil {
		return nil, err
	}
	if err := t.SetRRule(in.RRule, now); err != nil {
		return nil, err
	}
	sib := SiblingsOf(t)
	var rank string
	if in.AfterID != nil {
		rank, err = s.place(ctx, sib, *in.AfterID, t.ID())
	} else {
		rank, err = s.placeLast(ctx, sib)
	}
	if err != nil {
		return nil, err
	}
	if err := t.SetRank(rank); err != nil {
		return nil, err
	}
	if err := s.tasks.Create(ctx, t); err != nil {
		return nil, err
	}
	if err := s.tasks.SetPeople(ctx, a.OrgID, t.ID(), peopleAssignees, assignees); err != nil {
		return nil, err
	}
	if err := s.tasks.SetPeople(ctx, a.OrgID, t.ID(), peopleFollowers, followers); err != nil {
		return nil, err
	}
	if err := s.tasks.SetLabels(ctx, a.OrgID, t.ID(), labels); err != nil {
		return nil, err
	}
	if err := s.activity(ctx, a, t, ActionCreated, nil, map[string]any{"title": t.Title(), "section_id": t.SectionID(), "parent_id": nilID(t.ParentID())}); err != nil {
		return nil, err
	}
	if len(assignees) > 0 {
		if err := s.activity(ctx, a, t, ActionAssigned, nil, map[string]any{"assignee_ids": assignees}); err != nil {
			return nil, err
		}
		if err := s.notify(ctx, a, EventTaskAssigned, t, assignees); err != nil {
			return nil, err
		}
	}
	if a.IsToken() {
		if err := s.audit.Append(ctx, a.Entry("tasks.task_create", "task", t.ID().String(), nil, map[string]any{"list_id": l.ID(), "title": t.Title()})); err != nil {
			return nil, err
		}
	}
	return t, s.boardChanged(ctx, a, t, "created")
}

func nilID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id
}

// Task returns a task the actor may read.
func (s *Service) Task(ctx context.Context, a authz.Actor, id uuid.UUID) (TaskView, error) {
	t, ta, err := s.readTask(ctx, a, id)
	if err != nil {
		return TaskView{}, err
	}
	return s.view(ctx, a, t, ta)
}

// TasksQuery asks for a page of a list's tasks (the top-level ones, or a task's subtasks).
type TasksQuery struct {
	SectionID  uuid.UUID
	ParentID   uuid.UUID
	Status     tasks.Status
	AssigneeID uuid.UUID
	LabelID    uuid.UUID
	DueFrom    time.Time
	DueTo      time.Time
	Query      string
	Limit      int
	Offset     int
}

// ListTasks returns a page of a list's tasks in board order; only who may see the list may.
func (s *Service) ListTasks(ctx context.Context, a authz.Actor, listID uuid.UUID, q TasksQuery) ([]TaskView, int, error) {
	la, err := s.readList(ctx, a, listID)
	if err != nil {
		return nil, 0, err
	}
	if q.ParentID != uuid.Nil {
		p, err := s.tasks.Get(ctx, a.OrgID, q.ParentID)
		if err != nil || p.ListID() != listID || p.Deleted() {
			return nil, 0, errs.NotFoundf("task")
		}
	}
	ts, total, err := s.tasks.Query(ctx, TaskQuery{OrgID: a.OrgID, ListID: listID, SectionID: q.SectionID, ParentID: q.ParentID, Status: q.Status,
		AssigneeID: q.AssigneeID, LabelID: q.LabelID, DueFrom: q.DueFrom, DueTo: q.DueTo, Query: q.Query, Limit: q.Limit, Offset: q.Offset})
	if err != nil {
		return nil, 0, err
	}
	vs, err := s.pageViews(ctx, a, la.p, ts, map[uuid.UUID]ListAccess{la.List.ID(): la}, nil)
	return vs, total, err
}

// Subtasks returns a page of a task's subtasks; whoever may read the task may.
func (s *Service) Subtasks(ctx context.Context, a authz.Actor, id uuid.UUID, limit, offset int) ([]TaskView, int, error) {
	t, ta, err := s.readTask(ctx, a, id)
	if err != nil {
		return nil, 0, err
	}
	ts, total, err := s.tasks.Query(ctx, TaskQuery{OrgID: a.OrgID, ListID: t.ListID(), ParentID: t.ID(), Limit: limit, Offset: offset})
	if err != nil {
		return nil, 0, err
	}
	known := map[uuid.UUID]ListAccess{ta.List.ID(): {List: ta.List, Level: ta.ListLevel, Scope: ta.Scope, p: ta.p}}
	vs, err := s.pageViews(ctx, a, ta.p, ts, known, nil)
	return vs, total, err
}

// OptionalTime is a date in a change: Set says it was given, and the zero Value clears it.
type OptionalTime struct {
	Set   bool
	Value time.Time
}

// TaskChange changes a task; nil (or unset) fields stay.
type TaskChange struct {
	Title       *string
	Description *string
	SectionID   *uuid.UUID
	AssigneeIDs *[]uuid.UUID
	FollowerIDs *[]uuid.UUID
	LabelIDs    *[]uuid.UUID
	Priority    *int
	StartAt     OptionalTime
	DueAt       OptionalTime
	AllDay      *bool
	DueTZ       *string
	RRule       *string
}

// UpdateTask changes a task the actor may write. Its history records the fields that changed,
// before and after; new assignees are told.
func (s *Service) UpdateTask(ctx context.Context, a authz.Actor, id uuid.UUID, c TaskChange) (TaskView, error) {
	if _, ta, err := s.readTask(ctx, a, id); err != nil {
		return TaskView{}, err
	} else if err := ta.need(LevelWrite); err != nil {
		return TaskView{}, err
	}
	if c.RRule != nil {
		if err := s.checkRule(*c.RRule); err != nil {
			return TaskView{}, err
		}
	}
	var assignees, followers, labels []uuid.UUID
	var err error
	if c.AssigneeIDs != nil {
		if assignees, err = s.checkPeople(ctx, a, "assignee_ids", *c.AssigneeIDs, MaxAssignees); err != nil {
			return TaskView{}, err
		}
	}
	if c.FollowerIDs != nil {
		if followers, err = s.checkPeople(ctx, a, "follower_ids", *c.FollowerIDs, MaxFollowers); err != nil {
			return TaskView{}, err
		}
	}
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		if _, err := s.lockTaskList(ctx, a, id); err != nil {
			return err
		}
		t, err := s.tasks.Get(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		if c.LabelIDs != nil {
			if labels, err = s.checkLabels(ctx, a, t.ListID(), *c.LabelIDs); err != nil {
				return err
			}
		}
		return s.applyChange(ctx, a, t, c, assignees, followers, labels)
	})
	if err != nil {
		return TaskView{}, err
	}
	return s.Task(ctx, a, id)
}

// lockTaskList locks the list of a live task, so that its order and fields change one at a time.
func (s *Service) lockTaskList(ctx context.Context, a authz.Actor, taskID uuid.UUID) (*tasks.List, error) {
	t, err := s.tasks.Get(ctx, a.OrgID, taskID)
	if err != nil {
		return nil, notFound(err, "task")
	}
	l, err := s.lists.Lock(ctx, a.OrgID, t.ListID())
	if err != nil {
		return nil, err
	}
	if l.Deleted() {
		return nil, errs.NotFoundf("task")
	}
	return l, nil
}

// applyChange writes a change of a task, in the transaction in ctx holding its list's lock.
func (s *Service) applyChange(ctx context.Context, a authz.Actor, t *tasks.Task, c TaskChange, assignees, followers, labels []uuid.UUID) error {
	if t.Deleted() {
		return errs.NotFoundf("task")
	}
	now := s.now()
	before, after := map[string]any{}, map[string]any{}
	changed := func(field string, old, new any) {
		before[field], after[field] = old, new
	}
	if c.Title != nil && *c.Title != t.Title() {
		old := t.Title()
		if err := t.SetTitle(*c.Title, now); err != nil {
			return err
		}
		if t.Title() != old {
			changed("title", old, t.Title())
		}
	}
	if c.Description != nil && *c.Description != t.Description() {
		old := t.Description()
		if err := t.SetDescription(*c.Description, now); err != nil {
			return err
		}
		changed("description", old, t.Description())
	}
	if c.Priority != nil && *c.Priority != t.Priority() {
		old := t.Priority()
		if err := t.SetPriority(*c.Priority, now); err != nil {
			return err
		}
		changed("priority", old, t.Priority())
	}
	if c.StartAt.Set || c.DueAt.Set || c.AllDay != nil || c.DueTZ != nil {
		old := t.Schedule()
		sc := old
		if c.StartAt.Set {
			sc.Start = c.StartAt.Value
		}
		if c.DueAt.Set {
			sc.Due = c.DueAt.Value
		}
		if c.AllDay != nil {
			sc.AllDay = *c.AllDay
		}
		if c.DueTZ != nil {
			sc.TZ = *c.DueTZ
		}
		if sc.Start.IsZero() && sc.Due.IsZero() {
			sc.TZ, sc.AllDay = "", false
		}
		if c.RRule != nil && *c.RRule == "" {
			// Clearing the rule with the dates: clear it first.
			if err := t.SetRRule("", now); err != nil {
				return err
			}
		}
		if err := t.SetSchedule(sc, now); err != nil {
			return err
		}
		if nw := t.Schedule(); !nw.Start.Equal(old.Start) || !nw.Due.Equal(old.Due) || nw.AllDay != old.AllDay || nw.TZ != old.TZ {
			changed("schedule", scheduleJSON(old), scheduleJSON(nw))
		}
	}
	if c.RRule != nil {
		old := t.RRule()
		if err := t.SetRRule(*c.RRule, now); err != nil {
			return err
		}
		if t.RRule() != old {
			changed("rrule", old, t.RRule())
		}
	}
	if c.SectionID != nil && *c.SectionID != t.SectionID() {
		if t.ParentID() != uuid.Nil {
			return errs.E(errs.Invalid, "invalid_move", "section_id: a subtask stays in its parent's section")
		}
		if _, err := s.sections.Get(ctx, a.OrgID, t.ListID(), *c.SectionID); err != nil {
			return errs.E(errs.Invalid, "unknown_section", "section_id: not a section of this list")
		}
		old := t.SectionID()
		rank, err := s.placeLast(ctx, Siblings{OrgID: a.OrgID, ListID: t.ListID(), SectionID: *c.SectionID})
		if err != nil {
			return err
		}
		if err := t.MoveTo(*c.SectionID, rank, now); err != nil {
			return err
		}
		if err := s.tasks.SetSection(ctx, a.OrgID, t.ID(), t.SectionID()); err != nil {
			return err
		}
		changed("section_id", old, t.SectionID())
	}
	if len(before) > 0 {
		if err := s.tasks.Update(ctx, t); err != nil {
			return err
		}
		if err := s.activity(ctx, a, t, ActionUpdated, before, after); err != nil {
			return err
		}
	}
	if c.AssigneeIDs != nil {
		if err := s.setAssignees(ctx, a, t, assignees); err != nil {
			return err
		}
	}
	if c.FollowerIDs != nil {
		old, err := s.tasks.People(ctx, a.OrgID, peopleFollowers, []uuid.UUID{t.ID()})
		if err != nil {
			return err
		}
		if !sameSet(old[t.ID()], followers) {
			if err := s.tasks.SetPeople(ctx, a.OrgID, t.ID(), peopleFollowers, followers); err != nil {
				return err
			}
			if err := s.activity(ctx, a, t, ActionUpdated, map[string]any{"follower_ids": orEmpty(old[t.ID()])}, map[string]any{"follower_ids": followers}); err != nil {
				return err
			}
		}
	}
	if c.LabelIDs != nil {
		old, err := s.tasks.Labels(ctx, a.OrgID, []uuid.UUID{t.ID()})
		if err != nil {
			return err
		}
		if !sameSet(old[t.ID()], labels) {
			if err := s.tasks.SetLabels(ctx, a.OrgID, t.ID(), labels); err != nil {
				return err
			}
			if err := s.activity(ctx, a, t, ActionUpdated, map[string]any{"label_ids": orEmpty(old[t.ID()])}, map[string]any{"label_ids": labels}); err != nil {
				return err
			}
		}
	}
	return s.boardChanged(ctx, a, t, "updated")
}

// setAssignees replaces a task's assignees, records who was added and removed, and tells the
// new ones.
func (s *Service) setAssignees(ctx context.Context, a authz.Actor, t *tasks.Task, users []uuid.UUID) error {
	old, err := s.tasks.People(ctx, a.OrgID, peopleAssignees, []uuid.UUID{t.ID()})
	if err != nil {
		return err
	}
	var added, removed []uuid.UUID
	for _, u := range users {
		if !slices.Contains(old[t.ID()], u) {
			added = append(added, u)
		}
	}
	for _, u := range old[t.ID()] {
		if !slices.Contains(users, u) {
			removed = append(removed, u)
		}
	}
	if len(added) == 0 && len(removed) == 0 {
		return nil
	}
	if err := s.tasks.SetPeople(ctx, a.OrgID, t.ID(), peopleAssignees, users); err != nil {
		return err
	}
	if len(added) > 0 {
		if err := s.activity(ctx, a, t, ActionAssigned, nil, map[string]any{"assignee_ids": added}); err != nil {
			return err
		}
		if err := s.notify(ctx, a, EventTaskAssigned, t, added); err != nil {
			return err
		}
	}
	if len(removed) > 0 {
		return s.activity(ctx, a, t, ActionUnassigned, map[string]any{"assignee_ids": removed}, nil)
	}
	return nil
}

func sameSet(a, b []uuid.UUID) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

func orEmpty(v []uuid.UUID) []uuid.UUID {
	if v == nil {
		return []uuid.UUID{}
	}
	return v
}

func scheduleJSON(s tasks.Schedule) map[string]any {
	opt := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UTC()
	}
	return map[string]any{"start_at": opt(s.Start), "due_at": opt(s.Due), "all_day": s.AllDay, "due_tz": s.TZ}
}

// MoveInput asks to move a task.
type MoveInput struct {
	// SectionID is the section to move a top-level task to; uuid.Nil keeps its own.
	SectionID uuid.UUID
	// AfterID is the sibling to place it right after; uuid.Nil puts it first.
	AfterID uuid.UUID
}

// MoveTask places a task right after a sibling as it is at that moment (first without one), in
// its section or another. Moves of one list take its lock, so concurrent moves run one after
// the other and the order they leave is the one they would leave in that sequence. Under the
// lock it reads the task again, then the neighbours' ranks (and whether the section is the
// list's) in one statement, and writes the task's place (rarely, when a key grows too long, the
// section's ranks are respaced).
func (s *Service) MoveTask(ctx context.Context, a authz.Actor, id uuid.UUID, in MoveInput) (TaskView, error) {
	_, ta, err := s.readTask(ctx, a, id)
	if err != nil {
		return TaskView{}, err
	}
	if err := ta.need(LevelWrite); err != nil {
		return TaskView{}, err
	}
	if in.AfterID == id {
		return TaskView{}, errs.E(errs.Invalid, "invalid_move", "after_id: a task cannot go after itself")
	}
	var moved *tasks.Task
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		// A task stays in its list, so the list read with it is the one to lock.
		l, err := s.lists.Lock(ctx, a.OrgID, ta.List.ID())
		if err != nil {
			return err
		}
		if l.Deleted() {
			return errs.NotFoundf("task")
		}
		// Read again under the lock: a move committed meanwhile may have changed its section.
		t, err := s.tasks.Get(ctx, a.OrgID, id)
		if err != nil {
			return notFound(err, "task")
		}
		if t.Deleted() {
			return errs.NotFoundf("task")
		}
		section := t.SectionID()
		cross := in.SectionID != uuid.Nil && in.SectionID != section
		if cross {
			if t.ParentID() != uuid.Nil {
				return errs.E(errs.Invalid, "invalid_move", "section_id: a subtask stays in its parent's section")
			}
			section = in.SectionID
		}
		sib := SiblingsOf(t)
		if sib.ParentID == uuid.Nil {
			sib.SectionID = section
		}
		g, err := s.tasks.Gap(ctx, sib, in.AfterID, t.ID())
		if err != nil {
			return err
		}
		if cross && !g.SectionFound {
			return errs.E(errs.Invalid, "unknown_section", "section_id: not a section of this list")
		}
		rank, err := s.placeIn(ctx, sib, g, in.AfterID, t.ID())
		if err != nil {
			return err
		}
		before := map[string]any{"section_id": t.SectionID(), "rank": t.Rank()}
		if err := t.MoveTo(section, rank, s.now()); err != nil {
			return err
		}
		if err := s.tasks.Place(ctx, t, cross); err != nil {
			return err
		}
		if err := s.activity(ctx, a, t, ActionMoved, before, map[string]any{"section_id": section, "rank": rank, "after_id": nilID(in.AfterID)}); err != nil {
			return err
		}
		moved = t
		return s.boardChanged(ctx, a, t, "moved")
	})
	if err != nil {
		return TaskView{}, err
	}
	// A move changes nobody's access: the view reuses the check made before it.
	return s.view(ctx, a, moved, ta)
}

// Completion is a completed task and, for a repeating one, its next occurrence.
type Completion struct {
	Task TaskView
	Next *TaskView
}

// CompleteTask marks a task done. While tasks that block it are open it is Conflict
// task_blocked (naming them), unless force. A repeating task's next occurrence is made: due at
// the rule's next date after this one's, with its subtasks copied open. Its creator is told.
func (s *Service) CompleteTask(ctx context.Context, a authz.Actor, id uuid.UUID, force bool) (Completion, error) {
	if _, ta, err := s.readTask(ctx, a, id); err != nil {
		return Completion{}, err
	} else if err := ta.need(LevelWrite); err != nil {
		return Completion{}, err
	}
	var next uuid.UUID
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		l, err := s.lockTaskList(ctx, a, id)
		if err != nil {
			return err
		}
		t, err := s.tasks.Get(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		if t.Deleted() {
			return errs.NotFoundf("task")
		}
		if t.Done() {
			return nil
		}
		if !force {
			if err := s.checkBlockers(ctx, a, id); err != nil {
				return err
			}
		}
		t.Complete(a.UserID, s.now())
		if err := s.tasks.Update(ctx, t); err != nil {
			return err
		}
		if err := s.activity(ctx, a, t, ActionCompleted, map[string]any{"status": tasks.StatusOpen}, map[string]any{"status": tasks.StatusDone}); err != nil {
			return err
		}
		if err := s.boardChanged(ctx, a, t, "completed"); err != nil {
			return err
		}
		if t.CreatedBy() != a.UserID {
			if err := s.notify(ctx, a, EventTaskCompleted, t, []uuid.UUID{t.CreatedBy()}); err != nil {
				return err
			}
		}
		if t.RRule() == "" {
			return nil
		}
		n, err := s.nextOccurrence(ctx, a, l, t)
		if n != nil {
			next = n.ID()
		}
		return err
	})
	if err != nil {
		return Completion{}, err
	}
	v, err := s.Task(ctx, a, id)
	if err != nil {
		return Completion{}, err
	}
	out := Completion{Task: v}
	if next != uuid.Nil {
		// The completion is done: an occurrence the actor cannot see is left out, not a 404.
		nv, err := s.Task(ctx, a, next)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return Completion{}, err
		}
		if err == nil {
			out.Next = &nv
		}
	}
	return out, nil
}

// checkBlockers is Conflict task_blocked while tasks that block a task are open. The message
// names the blockers the actor may read, and only counts the others: a blocker in a list they
// cannot see is not theirs to know the title of.
func (s *Service) checkBlockers(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	bs, err := s.tasks.Blockers(ctx, a.OrgID, []uuid.UUID{id})
	if err != nil {
		return err
	}
	var open []*tasks.Task
	for _, b := range bs[id] {
		if b.Status != tasks.StatusOpen {
			continue
		}
		t, err := s.tasks.Get(ctx, a.OrgID, b.ID)
		if err != nil {
			return err
		}
		open = append(open, t)
	}
	if len(open) == 0 {
		return nil
	}
	p, err := s.principals(ctx, a)
	if err != nil {
		return err
	}
	acc, err := s.levels(ctx, a, p, open)
	if err != nil {
		return err
	}
	var named []string
	for _, t := range open {
		if acc[t.ID()].Level > LevelNone {
			named = append(named, "\""+t.Title()+"\"")
		}
	}
	if hidden := len(open) - len(named); hidden == 1 {
		named = append(named, "1 task you cannot see")
	} else if hidden > 1 {
		named = append(named, strconv.Itoa(hidden)+" tasks you cannot see")
	}
	return errs.E(errs.Conflict, "task_blocked", "the task is blocked by open tasks: "+strings.Join(named, ", ")+"; complete them first, or force it")
}

// nextOccurrence makes the occurrence after t (none when the rule has ended or it exists
// already), right after t, with t's assignees, followers and labels and its subtasks copied
// open.
func (s *Service) nextOccurrence(ctx context.Context, a authz.Actor, l *tasks.List, t *tasks.Task) (*tasks.Task, error) {
	sc := t.Schedule()
	loc, err := tasks.LoadZone(sc.TZ)
	if err != nil {
		return nil, err
	}
	due, ok, err := s.recurrence.Next(t.RRule(), t.RecurStart().In(loc), sc.Due.In(loc))
	if err != nil || !ok {
		return nil, err
	}
	if exists, err := s.tasks.OccurrenceExists(ctx, a.OrgID, t.SeriesID(), due); err != nil || exists {
		return nil, err
	}
	sib := SiblingsOf(t)
	rank, err := s.place(ctx, sib, t.ID(), uuid.Nil)
	if err != nil {
		return nil, err
	}
	now := s.now()
	n, err := t.NextOccurrence(due, rank, now)
	if err != nil {
		return nil, err
	}
	if err := s.tasks.Create(ctx, n); err != nil {
		return nil, err
	}
	for _, kind := range []string{peopleAssignees, peopleFollowers} {
		m, err := s.tasks.People(ctx, a.OrgID, kind, []uuid.UUID{t.ID()})
		if err != nil {
			return nil, err
		}
		active, err := s.directory.ActiveMembers(ctx, a.OrgID, m[t.ID()])
		if err != nil {
			return nil, err
		}
		if err := s.tasks.SetPeople(ctx, a.OrgID, n.ID(), kind, active); err != nil {
			return nil, err
		}
	}
	ls, err := s.tasks.Labels(ctx, a.OrgID, []uuid.UUID{t.ID()})
	if err != nil {
		return nil, err
	}
	if err := s.tasks.SetLabels(ctx, a.OrgID, n.ID(), ls[t.ID()]); err != nil {
		return nil, err
	}
	// Its shares too: whoever the series was shared with keeps working on it.
	shares, err := s.shares.AllOf(ctx, a.OrgID, uuid.Nil, []uuid.UUID{t.ID()})
	if err != nil {
		return nil, err
	}
	for _, sh := range shares {
		sh.TaskID, sh.CreatedAt = n.ID(), now
		if err := s.shares.Put(ctx, sh); err != nil {
			return nil, err
		}
	}
	if err := s.carryReminders(ctx, a.OrgID, t.ID(), n.ID()); err != nil {
		return nil, err
	}
	subs, err := s.tasks.Descendants(ctx, a.OrgID, t.ID())
	if err != nil {
		return nil, err
	}
	copies := map[uuid.UUID]*tasks.Task{t.ID(): n}
	for _, sub := range subs {
		parent := copies[sub.ParentID()]
		if parent == nil {
			continue
		}
		c := sub.CopyUnder(parent, now)
		if err := s.tasks.Create(ctx, c); err != nil {
			return nil, err
		}
		copies[sub.ID()] = c
	}
	if err := s.activity(ctx, a, n, ActionCreated, nil, map[string]any{"title": n.Title(), "recurrence_of": t.ID(), "due_at": due.UTC()}); err != nil {
		return nil, err
	}
	return n, s.boardChanged(ctx, a, n, "created")
}

// ReopenTask marks a done task open again.
func (s *Service) ReopenTask(ctx context.Context, a authz.Actor, id uuid.UUID) (TaskView, error) {
	if _, ta, err := s.readTask(ctx, a, id); err != nil {
		return TaskView{}, err
	} else if err := ta.need(LevelWrite); err != nil {
		return TaskView{}, err
	}
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		if _, err := s.lockTaskList(ctx, a, id); err != nil {
			return err
		}
		t, err := s.tasks.Get(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		if !t.Done() || t.Deleted() {
			return nil
		}
		t.Reopen(s.now())
		if err := s.tasks.Update(ctx, t); err != nil {
			return err
		}
		if err := s.activity(ctx, a, t, ActionReopened, map[string]any{"status": tasks.StatusDone}, map[string]any{"status": tasks.StatusOpen}); err != nil {
			return err
		}
		return s.boardChanged(ctx, a, t, "reopened")
	})
	if err != nil {
		return TaskView{}, err
	}
	return s.Task(ctx, a, id)
}

// DeleteTask deletes a task and its subtasks: a manager of its list may, and so may its
// creator while they may write it. A manager can restore it for RestoreDays. Audited.
func (s *Service) DeleteTask(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	t, ta, err := s.readTask(ctx, a, id)
	if err != nil {
		return err
	}
	if ta.Level < LevelManage && !(t.CreatedBy() == a.UserID && ta.Level >= LevelWrite) {
		return errs.E(errs.Forbidden, "forbidden", "only a manager of the list, or who made the task, may delete it")
	}
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if _, err := s.lockTaskList(ctx, a, id); err != nil {
			return access.AuditEntry{}, err
		}
		t, err := s.tasks.Get(ctx, a.OrgID, id)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if t.Deleted() {
			return access.AuditEntry{}, errs.NotFoundf("task")
		}
		t.Delete(a.UserID, s.now())
		if err := s.tasks.DeleteTree(ctx, t); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.activity(ctx, a, t, ActionDeleted, nil, nil); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.boardChanged(ctx, a, t, "deleted"); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("tasks.task_delete", "task", t.ID().String(), map[string]any{"list_id": t.ListID(), "title": t.Title()}, nil), nil
	})
}

// RestoreTask restores a deleted task with the subtasks deleted with it. Only a manager of its
// list may: anyone else gets NotFound, as they would for a task they cannot see. After
// RestoreDays it is Conflict restore_expired; under a parent still deleted, Conflict
// parent_deleted. Audited.
func (s *Service) RestoreTask(ctx context.Context, a authz.Actor, id uuid.UUID) (TaskView, error) {
	t, err := s.tasks.Get(ctx, a.OrgID, id)
	if err != nil {
		return TaskView{}, notFound(err, "task")
	}
	l, err := s.lists.Get(ctx, a.OrgID, t.ListID())
	if err != nil || l.Deleted() {
		return TaskView{}, errs.NotFoundf("task")
	}
	p, err := s.principals(ctx, a)
	if err != nil {
		return TaskView{}, err
	}
	ta, err := s.taskAccess(ctx, a, p, t, l)
	if err != nil {
		return TaskView{}, err
	}
	if ta.Level == LevelNone || (t.Deleted() && ta.Level < LevelManage) {
		return TaskView{}, errs.NotFoundf("task")
	}
	if !t.Deleted() {
		return s.view(ctx, a, t, ta)
	}
	err = s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if _, err := s.lists.Lock(ctx, a.OrgID, l.ID()); err != nil {
			return access.AuditEntry{}, err
		}
		t, err := s.tasks.Get(ctx, a.OrgID, id)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if !t.Deleted() {
			return access.AuditEntry{}, nil
		}
		if t.ParentID() != uuid.Nil {
			parent, err := s.tasks.Get(ctx, a.OrgID, t.ParentID())
			if err != nil {
				return access.AuditEntry{}, err
			}
			if parent.Deleted() {
				return access.AuditEntry{}, errs.E(errs.Conflict, "parent_deleted", "the task it is a subtask of is deleted; restore that one")
			}
		}
		deletedAt := t.DeletedAt()
		if err := t.Restore(s.now()); err != nil {
			return access.AuditEntry{}, err
		}
		// Its place may have been taken meanwhile: then it goes last.
		if taken, err := s.tasks.RankTaken(ctx, SiblingsOf(t), t.Rank()); err != nil {
			return access.AuditEntry{}, err
		} else if taken {
			rank, err := s.placeLast(ctx, SiblingsOf(t))
			if err != nil {
				return access.AuditEntry{}, err
			}
			if err := t.SetRank(rank); err != nil {
				return access.AuditEntry{}, err
			}
		}
		if err := s.tasks.Update(ctx, t); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.tasks.RestoreTree(ctx, a.OrgID, t.ID(), deletedAt); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.activity(ctx, a, t, ActionRestored, nil, nil); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.boardChanged(ctx, a, t, "restored"); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("tasks.task_restore", "task", t.ID().String(), nil, map[string]any{"list_id": t.ListID(), "title": t.Title()}), nil
	})
	if err != nil {
		return TaskView{}, err
	}
	return s.Task(ctx, a, id)
}

// AddDependency records that a task the actor may write is blocked by another task of the
// organisation they may read (NotFound otherwise). A cycle, direct or through other tasks, is
// Conflict dependency_cycle; the check and the write hold the organisation's dependency lock,
// so two concurrent additions cannot close a cycle together.
func (s *Service) AddDependency(ctx context.Context, a authz.Actor, id, blockerID uuid.UUID) (Ref, error) {
	t, ta, err := s.readTask(ctx, a, id)
	if err != nil {
		return Ref{}, err
	}
	if err := ta.need(LevelWrite); err != nil {
		return Ref{}, err
	}
	b, _, err := s.readTask(ctx, a, blockerID)
	if err != nil {
		return Ref{}, err
	}
	if b.ID() == t.ID() {
		return Ref{}, errs.E(errs.Conflict, "dependency_cycle", "a task cannot be blocked by itself")
	}
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		if err := s.tasks.LockDependencies(ctx, a.OrgID); err != nil {
			return err
		}
		cycle, err := s.tasks.BlockedByChain(ctx, a.OrgID, b.ID(), t.ID())
		if err != nil {
			return err
		}
		if cycle {
			return errs.E(errs.Conflict, "dependency_cycle", "that task is already blocked by this one, directly or through others; the dependency would make a cycle")
		}
		if err := s.tasks.AddDependency(ctx, a.OrgID, t.ID(), b.ID()); err != nil {
			return err
		}
		// No title: whoever reads this task's history may not be able to read the blocker.
		if err := s.activity(ctx, a, t, ActionDependencyAdded, nil, map[string]any{"blocked_by_id": b.ID()}); err != nil {
			return err
		}
		return s.boardChanged(ctx, a, t, "updated")
	})
	if err != nil {
		return Ref{}, err
	}
	return Ref{ID: b.ID(), Title: b.Title(), Status: b.Status()}, nil
}

// RemoveDependency removes that a task is blocked by another.
func (s *Service) RemoveDependency(ctx context.Context, a authz.Actor, id, blockerID uuid.UUID) error {
	t, ta, err := s.readTask(ctx, a, id)
	if err != nil {
		return err
	}
	if err := ta.need(LevelWrite); err != nil {
		return err
	}
	return s.tx.Within(ctx, func(ctx context.Context) error {
		if err := s.tasks.RemoveDependency(ctx, a.OrgID, t.ID(), blockerID); err != nil {
			return err
		}
		if err := s.activity(ctx, a, t, ActionDependencyRemoved, map[string]any{"blocked_by_id": blockerID}, nil); err != nil {
			return err
		}
		return s.boardChanged(ctx, a, t, "updated")
	})
}

// maxBlocking bounds how many tasks one task's "blocking" listing considers.
const maxBlocking = 1000

// Blocking returns a page of the tasks a task blocks that the actor may read. The page and its
// total are taken after leaving out those they may not read, so the total tells nothing of them.
func (s *Service) Blocking(ctx context.Context, a authz.Actor, id uuid.UUID, limit, offset int) ([]Ref, int, error) {
	_, ta, err := s.readTask(ctx, a, id)
	if err != nil {
		return nil, 0, err
	}
	refs, _, err := s.tasks.Blocking(ctx, a.OrgID, id, maxBlocking, 0)
	if err != nil || len(refs) == 0 {
		return refs, 0, err
	}
	var ts []*tasks.Task
	for _, r := range refs {
		t, err := s.tasks.Get(ctx, a.OrgID, r.ID)
		if err != nil {
			return nil, 0, err
		}
		ts = append(ts, t)
	}
	acc, err := s.levels(ctx, a, ta.p, ts)
	if err != nil {
		return nil, 0, err
	}
	readable := make([]Ref, 0, len(refs))
	for _, r := range refs {
		if acc[r.ID].Level > LevelNone {
			readable = append(readable, r)
		}
	}
	total := len(readable)
	if offset >= total {
		return []Ref{}, total, nil
	}
	return readable[offset:min(total, offset+limit)], total, nil
}
