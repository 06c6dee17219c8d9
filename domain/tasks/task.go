package tasks

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/text"
)

// Limits of a task.
const (
	MaxTitleLength = 500
	// MaxDepth is the deepest a subtask may sit: a top-level task is at depth 0, its subtasks at
	// 1, and so on.
	MaxDepth = 8
	// MaxPriority is the highest priority: 0 none, 1 low, 2 medium, 3 high.
	MaxPriority = 3
	// MaxRRuleLength bounds the text of a recurrence rule.
	MaxRRuleLength = 500
)

// Status is whether a task is open or done.
type Status string

// The statuses.
const (
	StatusOpen Status = "open"
	StatusDone Status = "done"
)

// Schedule is a task's dates: a due date (and optionally a start) as instants, with the time
// zone they were set in. An all-day date is the date's midnight in TZ. Without dates TZ is "".
type Schedule struct {
	Start  time.Time
	Due    time.Time
	AllDay bool
	TZ     string
}

// Check validates a schedule: a time zone (an IANA name) with any date and none without, a due
// date not before the start.
func (s Schedule) Check() error {
	if s.Start.IsZero() && s.Due.IsZero() {
		if s.TZ != "" || s.AllDay {
			return errs.E(errs.Invalid, "invalid_schedule", "due_tz and all_day: only go with a date")
		}
		return nil
	}
	if s.TZ == "" {
		return errs.E(errs.Invalid, "missing_field", "due_tz: is required with a date")
	}
	if _, err := LoadZone(s.TZ); err != nil {
		return err
	}
	if !s.Start.IsZero() && !s.Due.IsZero() && s.Due.Before(s.Start) {
		return errs.E(errs.Invalid, "due_before_start", "due_at: must not be before start_at")
	}
	for _, t := range []time.Time{s.Start, s.Due} {
		if !t.IsZero() && (t.Year() < 1900 || t.Year() > 9999) {
			return errs.E(errs.Invalid, "invalid_date", "a date must be between the years 1900 and 9999")
		}
	}
	return nil
}

// LoadZone checks and loads an IANA time zone name; "Local" and the empty name are refused,
// since they mean the server's zone.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" || len(name) > 64 || text.Line("due_tz", name) != nil {
		return nil, errs.E(errs.Invalid, "invalid_time_zone", "due_tz: must be an IANA time zone such as Asia/Shanghai")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, errs.E(errs.Invalid, "invalid_time_zone", "due_tz: must be an IANA time zone such as Asia/Shanghai")
	}
	return loc, nil
}

// Task is a task of a list, or a subtask of another task of the same list.
type Task struct {
	id          uuid.UUID
	orgID       uuid.UUID
	listID      uuid.UUID
	sectionID   uuid.UUID
	parentID    uuid.UUID
	depth       int
	title       string
	description string
	priority    int
	status      Status
	completedBy uuid.UUID
	completedAt time.Time
	schedule    Schedule
	rrule       string
	seriesID    uuid.UUID
	recurStart  time.Time
	rank        string
	createdBy   uuid.UUID
	createdAt   time.Time
	updatedAt   time.Time
	deletedAt   time.Time
	deletedBy   uuid.UUID
}

// NewTaskInput is what a new task starts with.
type NewTaskInput struct {
	OrgID     uuid.UUID
	ListID    uuid.UUID
	SectionID uuid.UUID
	// Parent is the task it is a subtask of, or nil for a top-level task.
	Parent      *Task
	Title       string
	Description string
	Priority    int
	Rank        string
	CreatedBy   uuid.UUID
	Now         time.Time
}

// NewTask returns an open task. A subtask sits in its parent's list and section, one level
// below it, to MaxDepth (Invalid too_deep past it).
func NewTask(in NewTaskInput) (*Task, error) {
	if in.OrgID == uuid.Nil || in.ListID == uuid.Nil || in.SectionID == uuid.Nil {
		return nil, errs.E(errs.Invalid, "invalid_task", "a task needs its organisation, list and section")
	}
	now := in.Now.UTC()
	t := &Task{id: uuid.New(), orgID: in.OrgID, listID: in.ListID, sectionID: in.SectionID, status: StatusOpen,
		createdBy: in.CreatedBy, createdAt: now, updatedAt: now}
	if p := in.Parent; p != nil {
		if p.orgID != in.OrgID || p.listID != in.ListID {
			return nil, errs.E(errs.Invalid, "invalid_parent", "parent_id: must be a task of the same list")
		}
		if p.depth+1 > MaxDepth {
			return nil, errs.E(errs.Invalid, "too_deep", "parent_id: subtasks may be nested at most "+itoa(MaxDepth)+" levels deep")
		}
		t.parentID, t.depth, t.sectionID = p.id, p.depth+1, p.sectionID
	}
	if err := t.SetTitle(in.Title, now); err != nil {
		return nil, err
	}
	if err := t.SetDescription(in.Description, now); err != nil {
		return nil, err
	}
	if err := t.SetPriority(in.Priority, now); err != nil {
		return nil, err
	}
	if err := t.SetRank(in.Rank); err != nil {
		return nil, err
	}
	return t, nil
}

// TaskRecord is a stored task's fields, for RehydrateTask.
type TaskRecord struct {
	ID, OrgID, ListID, SectionID, ParentID uuid.UUID
	Depth                                  int
	Title, Description                     string
	Priority                               int
	Status                                 Status
	CompletedBy                            uuid.UUID
	CompletedAt                            time.Time
	Schedule                               Schedule
	RRule                                  string
	SeriesID                               uuid.UUID
	RecurStart                             time.Time
	Rank                                   string
	CreatedBy                              uuid.UUID
	CreatedAt, UpdatedAt, DeletedAt        time.Time
	DeletedBy                              uuid.UUID
}

// RehydrateTask rebuilds a stored task. It is for repository adapters only.
func RehydrateTask(r TaskRecord) *Task {
	return &Task{id: r.ID, orgID: r.OrgID, listID: r.ListID, sectionID: r.SectionID, parentID: r.ParentID, depth: r.Depth,
		title: r.Title, description: r.Description, priority: r.Priority, status: r.Status, completedBy: r.CompletedBy,
		completedAt: r.CompletedAt, schedule: r.Schedule, rrule: r.RRule, seriesID: r.SeriesID, recurStart: r.RecurStart,
		rank: r.Rank, createdBy: r.CreatedBy, createdAt: r.CreatedAt, updatedAt: r.UpdatedAt, deletedAt: r.DeletedAt, deletedBy: r.DeletedBy}
}

// Record returns the task's fields, for repository adapters.
func (t *Task) Record() TaskRecord {
	return TaskRecord{ID: t.id, OrgID: t.orgID, ListID: t.listID, SectionID: t.sectionID, ParentID: t.parentID, Depth: t.depth,
		Title: t.title, Description: t.description, Priority: t.priority, Status: t.status, CompletedBy: t.completedBy,
		CompletedAt: t.completedAt, Schedule: t.schedule, RRule: t.rrule, SeriesID: t.seriesID, RecurStart: t.recurStart,
		Rank: t.rank, CreatedBy: t.createdBy, CreatedAt: t.createdAt, UpdatedAt: t.updatedAt, DeletedAt: t.deletedAt, DeletedBy: t.deletedBy}
}

// ID returns the task's id.
func (t *Task) ID() uuid.UUID { return t.id }

// OrgID returns the organisation.
func (t *Task) OrgID() uuid.UUID { return t.orgID }

// ListID returns its list.
func (t *Task) ListID() uuid.UUID { return t.listID }

// SectionID returns its section (a subtask's is its parent's).
func (t *Task) SectionID() uuid.UUID { return t.sectionID }

// ParentID returns the task it is a subtask of, or uuid.Nil.
func (t *Task) ParentID() uuid.UUID { return t.parentID }

// Depth returns how deep it is nested: 0 for a top-level task.
func (t *Task) Depth() int { return t.depth }

// Title returns its title.
func (t *Task) Title() string { return t.title }

// Description returns its description (Markdown).
func (t *Task) Description() string { return t.description }

// Priority returns its priority, 0 (none) to 3 (high).
func (t *Task) Priority() int { return t.priority }

// Status returns whether it is open or done.
func (t *Task) Status() Status { return t.status }

// Done reports whether it is done.
func (t *Task) Done() bool { return t.status == StatusDone }

// CompletedBy returns who completed it.
func (t *Task) CompletedBy() uuid.UUID { return t.completedBy }

// CompletedAt returns when it was completed, or the zero time.
func (t *Task) CompletedAt() time.Time { return t.completedAt }

// Schedule returns its dates.
func (t *Task) Schedule() Schedule { return t.schedule }

// RRule returns its recurrence rule (an RRULE value without "RRULE:"), or "".
func (t *Task) RRule() string { return t.rrule }

// SeriesID returns the series of occurrences it belongs to, or uuid.Nil.
func (t *Task) SeriesID() uuid.UUID { return t.seriesID }

// RecurStart returns the first due date of its series, from which occurrences are counted.
func (t *Task) RecurStart() time.Time { return t.recurStart }

// Rank returns its place among its siblings.
func (t *Task) Rank() string { return t.rank }

// CreatedBy returns who made it.
func (t *Task) CreatedBy() uuid.UUID { return t.createdBy }

// CreatedAt returns when it was made.
func (t *Task) CreatedAt() time.Time { return t.createdAt }

// UpdatedAt returns when it last changed.
func (t *Task) UpdatedAt() time.Time { return t.updatedAt }

// DeletedAt returns when it was deleted, or the zero time.
func (t *Task) DeletedAt() time.Time { return t.deletedAt }

// DeletedBy returns who deleted it.
func (t *Task) DeletedBy() uuid.UUID { return t.deletedBy }

// Deleted reports whether it is deleted.
func (t *Task) Deleted() bool { return !t.deletedAt.IsZero() }

// SetTitle sets its title: one line of at most MaxTitleLength characters.
func (t *Task) SetTitle(s string, now time.Time) error {
	s, err := text.Name("title", s)
	if err != nil {
		return err
	}
	if s == "" {
		return errs.E(errs.Invalid, "missing_field", "title: is required")
	}
	if utf8.RuneCountInString(s) > MaxTitleLength {
		return errs.E(errs.Invalid, "invalid_title", "title: must be at most 500 characters")
	}
	t.title, t.updatedAt = s, now.UTC()
	return nil
}

// SetDescription sets its description (Markdown, at most 64 KiB).
func (t *Task) SetDescription(s string, now time.Time) error {
	if err := description("description", s); err != nil {
		return err
	}
	t.description, t.updatedAt = s, now.UTC()
	return nil
}

// SetPriority sets its priority, 0 to MaxPriority.
func (t *Task) SetPriority(p int, now time.Time) error {
	if p < 0 || p > MaxPriority {
		return errs.E(errs.Invalid, "invalid_priority", "priority: must be 0 (none) to 3 (high)")
	}
	t.priority, t.updatedAt = p, now.UTC()
	return nil
}

// SetSchedule sets its dates (Schedule.Check). A recurring task keeps needing a due date, and
// its series now counts from the new one.
func (t *Task) SetSchedule(s Schedule, now time.Time) error {
	if err := s.Check(); err != nil {
		return err
	}
	if t.rrule != "" && s.Due.IsZero() {
		return errs.E(errs.Invalid, "rrule_needs_due", "rrule: a repeating task needs a due date")
	}
	s.Start, s.Due = utc(s.Start), utc(s.Due)
	if t.rrule != "" && !s.Due.Equal(t.schedule.Due) {
		t.recurStart = s.Due
	}
	t.schedule, t.updatedAt = s, now.UTC()
	return nil
}

// SetRRule sets its recurrence rule (checked by the app's recurrence adapter first), or clears
// it with "". The series then counts from the current due date, which it needs.
func (t *Task) SetRRule(rule string, now time.Time) error {
	rule = strings.TrimPrefix(strings.TrimSpace(rule), "RRULE:")
	if rule == t.rrule {
		return nil
	}
	if rule == "" {
		t.rrule, t.recurStart, t.updatedAt = "", time.Time{}, now.UTC()
		return nil
	}
	if err := text.Line("rrule", rule); err != nil {
		return err
	}
	if len(rule) > MaxRRuleLength {
		return errs.E(errs.Invalid, "invalid_rrule", "rrule: is too long")
	}
	if t.schedule.Due.IsZero() {
		return errs.E(errs.Invalid, "rrule_needs_due", "rrule: a repeating task needs a due date")
	}
	if t.seriesID == uuid.Nil {
		t.seriesID = t.id
	}
	t.rrule, t.recurStart, t.updatedAt = rule, t.schedule.Due, now.UTC()
	return nil
}

// SetRank places it among its siblings.
func (t *Task) SetRank(r string) error {
	if !ValidRank(r) {
		return errs.E(errs.Invalid, "invalid_rank", "rank: is not a rank key")
	}
	t.rank = r
	return nil
}

// MoveTo puts it in another section of its list at rank. Subtasks follow their parent, so only a
// top-level task moves between sections.
func (t *Task) MoveTo(sectionID uuid.UUID, rank string, now time.Time) error {
	if sectionID != t.sectionID && t.parentID != uuid.Nil {
		return errs.E(errs.Invalid, "invalid_move", "section_id: a subtask stays in its parent's section")
	}
	if err := t.SetRank(rank); err != nil {
		return err
	}
	t.sectionID, t.updatedAt = sectionID, now.UTC()
	return nil
}

// FollowParent puts a subtask in the section its parent moved to.
func (t *Task) FollowParent(sectionID uuid.UUID) { t.sectionID = sectionID }

// Complete marks it done by who.
func (t *Task) Complete(who uuid.UUID, now time.Time) {
	t.status, t.completedBy, t.completedAt, t.updatedAt = StatusDone, who, now.UTC(), now.UTC()
}

// Reopen marks it open again.
func (t *Task) Reopen(now time.Time) {
	t.status, t.completedBy, t.completedAt, t.updatedAt = StatusOpen, uuid.Nil, time.Time{}, now.UTC()
}

// Delete marks it deleted by who.
func (t *Task) Delete(who uuid.UUID, now time.Time) {
	t.deletedAt, t.deletedBy, t.updatedAt = now.UTC(), who, now.UTC()
}

// Restore undoes Delete within RestoreDays; after that it is Conflict restore_expired.
func (t *Task) Restore(now time.Time) error {
	if !t.Deleted() {
		return nil
	}
	if err := restorable(t.deletedAt, now); err != nil {
		return err
	}
	t.deletedAt, t.deletedBy, t.updatedAt = time.Time{}, uuid.Nil, now.UTC()
	return nil
}

// NextOccurrence returns the open task that follows this one in its series, due at due: the
// same list, section, title, description, priority and rule, its start as far before its due
// as this one's was, placed at rank. Its creator stays the series' creator (who is told when an
// occurrence is completed), not whoever completed the last one.
func (t *Task) NextOccurrence(due time.Time, rank string, now time.Time) (*Task, error) {
	if t.rrule == "" {
		return nil, errs.E(errs.Invalid, "not_recurring", "the task does not repeat")
	}
	n := *t
	n.id, n.status, n.completedBy, n.completedAt = uuid.New(), StatusOpen, uuid.Nil, time.Time{}
	n.createdAt, n.updatedAt, n.deletedAt, n.deletedBy = now.UTC(), now.UTC(), time.Time{}, uuid.Nil
	s := t.schedule
	if !s.Start.IsZero() {
		s.Start = due.Add(-s.Due.Sub(s.Start))
	}
	s.Due = due
	if err := s.Check(); err != nil {
		return nil, err
	}
	n.schedule = Schedule{Start: utc(s.Start), Due: utc(s.Due), AllDay: s.AllDay, TZ: s.TZ}
	if err := n.SetRank(rank); err != nil {
		return nil, err
	}
	return &n, nil
}

// CopyUnder returns an open copy of a subtask under parent (a new occurrence of its series),
// at the same rank, made by the same person.
func (t *Task) CopyUnder(parent *Task, now time.Time) *Task {
	n := *t
	n.id, n.parentID, n.listID, n.sectionID, n.depth = uuid.New(), parent.id, parent.listID, parent.sectionID, parent.depth+1
	n.status, n.completedBy, n.completedAt = StatusOpen, uuid.Nil, time.Time{}
	n.createdAt, n.updatedAt, n.deletedAt, n.deletedBy = now.UTC(), now.UTC(), time.Time{}, uuid.Nil
	return &n
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func itoa(n int) string { return strconv.Itoa(n) }
