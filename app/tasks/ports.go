package tasks

import (
	"context"
	"time"

	"github.com/google/uuid"

	"canopy/domain/tasks"
)

// TxManager runs fn in one database transaction carried by the context it is given.
type TxManager interface {
	Within(ctx context.Context, fn func(ctx context.Context) error) error
}

// Clock tells the time; tests give a fixed one.
type Clock interface {
	Now() time.Time
}

// Markdown renders a description or a comment for display: GitHub-flavoured Markdown, then
// sanitised, so that no raw HTML ever passes (infra/markdown).
type Markdown interface {
	HTML(src string) string
}

// Recurrence reads RFC 5545 recurrence rules (infra/recurrence). A rule is an RRULE value
// without its "RRULE:" prefix, such as "FREQ=WEEKLY;BYDAY=MO".
type Recurrence interface {
	// Validate refuses a rule with Invalid: invalid_rrule, rrule_too_frequent (more often than
	// daily), rrule_count_too_large, rrule_dtstart (the series start is the task's due).
	Validate(rule string) error
	// Next returns the first occurrence strictly after after of the series that starts at start
	// (whose Location is the due time zone), and false when the rule has ended.
	Next(rule string, start, after time.Time) (time.Time, bool, error)
}

// Principals are who a user is in an organisation for access to lists and tasks: themselves,
// their groups (and which of them they own) and their departments with every one above them.
type Principals struct {
	UserID      uuid.UUID
	Groups      []uuid.UUID
	OwnedGroups []uuid.UUID
	Departments []uuid.UUID // the departments they are in, and all above them
	Guest       bool
	Member      bool // an active member of the organisation
}

// Department is a department as the tasks module needs it.
type Department struct {
	ID   uuid.UUID
	Path string
	Name string
}

// Directory answers what the tasks module asks of the organisation's structure.
type Directory interface {
	// Principals returns who the user is for access to lists and tasks.
	Principals(ctx context.Context, orgID, userID uuid.UUID) (Principals, error)
	// Department returns a department; NotFound when the organisation has none with that id.
	Department(ctx context.Context, orgID, id uuid.UUID) (Department, error)
	// Departments returns departments by id (those of the organisation only).
	Departments(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]Department, error)
	// Group returns a group's name; NotFound when missing.
	Group(ctx context.Context, orgID, groupID uuid.UUID) (string, error)
	// Names returns the display names of those of ids who are members of the organisation
	// (active or not); the others are left out.
	Names(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]string, error)
	// ActiveMembers returns those of ids who are active members of the organisation.
	ActiveMembers(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]uuid.UUID, error)
	// GroupNames returns the names of groups of the organisation by id.
	GroupNames(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]string, error)
	// Guests returns those of ids who are guests of the organisation.
	Guests(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]uuid.UUID, error)
	// OrgName returns the organisation's name.
	OrgName(ctx context.Context, orgID uuid.UUID) (string, error)
}

// Viewer is who asks for a listing, for the repositories to select only what they may see: by
// the list's owner (not for guests), its creator, its shares, the tasks' shares, assignees and
// followers, and tasks.manage over the organisation or department subtrees.
type Viewer struct {
	OrgID     uuid.UUID
	Principal Principals
	// ManageOrg: tasks.manage organisation-wide (every list but people's). ManageDepartments:
	// the roots of the subtrees whose department lists they manage.
	ManageOrg         bool
	ManageDepartments []uuid.UUID
}

// ListQuery asks for a page of the lists a viewer may see.
type ListQuery struct {
	Viewer    Viewer
	Query     string // name contains
	OwnerKind tasks.OwnerKind
	OwnerID   uuid.UUID
	Archived  bool
	// Deleted asks for the deleted lists (within RestoreDays of DeletedAfter) instead.
	Deleted      bool
	DeletedAfter time.Time
	Limit        int
	Offset       int
}

// ListRow is a list in a listing, with the strongest role its shares give the viewer.
type ListRow struct {
	List      *tasks.List
	ShareRole tasks.Role // "" for none
}

// ListGrant is a list with what decides someone's access to it besides who they are: the
// strongest role its shares give them ("" for none) and the department path its permissions
// are checked at (a department list's department's; "" for the others, and for a department
// that is gone).
type ListGrant struct {
	List      *tasks.List
	ShareRole tasks.Role
	Scope     string
}

// ListRepository stores task lists.
type ListRepository interface {
	// Create stores a new list.
	Create(ctx context.Context, l *tasks.List) error
	// Get returns a list of the organisation, deleted or not; NotFound when missing.
	Get(ctx context.Context, orgID, id uuid.UUID) (*tasks.List, error)
	// Grants returns the lists of ids that the organisation has (deleted or not), each with the
	// strongest role its shares give the principals and the scope its permissions are checked
	// at, in one round trip.
	Grants(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID, p Principals) (map[uuid.UUID]ListGrant, error)
	// Lock returns the list, locked until the transaction ends: every change of the order of
	// its sections or tasks takes it first, so concurrent moves serialise.
	Lock(ctx context.Context, orgID, id uuid.UUID) (*tasks.List, error)
	// Update writes a list's name, description, archive and deletion.
	Update(ctx context.Context, l *tasks.List) error
	// Query returns a page of the lists the viewer may see, and their total.
	Query(ctx context.Context, q ListQuery) ([]ListRow, int, error)
	// Counts returns the open and done top-level tasks of lists.
	Counts(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID][2]int, error)
}

// SectionRepository stores the sections of lists.
type SectionRepository interface {
	// Create stores a section; Conflict when its rank is taken.
	Create(ctx context.Context, s *tasks.Section) error
	// Get returns a section of a list; NotFound when the list has none with that id.
	Get(ctx context.Context, orgID, listID, id uuid.UUID) (*tasks.Section, error)
	// Update writes its name and rank.
	Update(ctx context.Context, s *tasks.Section) error
	// Delete removes it (its tasks must be elsewhere first).
	Delete(ctx context.Context, s *tasks.Section) error
	// OfLists returns the sections of lists, in order.
	OfLists(ctx context.Context, orgID uuid.UUID, listIDs []uuid.UUID) (map[uuid.UUID][]*tasks.Section, error)
	// RankAfter returns the rank of the section after rank in its list ("" when none).
	RankAfter(ctx context.Context, orgID, listID uuid.UUID, rank string, except uuid.UUID) (string, error)
}

// LabelRepository stores the labels of lists.
type LabelRepository interface {
	Create(ctx context.Context, l *tasks.Label) error
	// Get returns a label of a list; NotFound when the list has none with that id.
	Get(ctx context.Context, orgID, listID, id uuid.UUID) (*tasks.Label, error)
	Update(ctx context.Context, l *tasks.Label) error
	Delete(ctx context.Context, l *tasks.Label) error
	// OfLists returns the labels of lists, by name.
	OfLists(ctx context.Context, orgID uuid.UUID, listIDs []uuid.UUID) (map[uuid.UUID][]*tasks.Label, error)
	// Count returns how many of ids are labels of the list.
	Count(ctx context.Context, orgID, listID uuid.UUID, ids []uuid.UUID) (int, error)
}

// Siblings names the tasks ordered together: the top-level tasks of a section, or the subtasks
// of a task.
type Siblings struct {
	OrgID     uuid.UUID
	ListID    uuid.UUID
	SectionID uuid.UUID // for top-level tasks
	ParentID  uuid.UUID // uuid.Nil for top-level tasks
}

// SiblingsOf returns the siblings t is ordered among.
func SiblingsOf(t *tasks.Task) Siblings {
	s := Siblings{OrgID: t.OrgID(), ListID: t.ListID(), ParentID: t.ParentID()}
	if s.ParentID == uuid.Nil {
		s.SectionID = t.SectionID()
	}
	return s
}

// RankedID is a task's id and rank.
type RankedID struct {
	ID   uuid.UUID
	Rank string
}

// TaskQuery asks for a page of tasks. Exactly one of ListID (a list's tasks) or View (one of a
// viewer's views across lists) is set.
type TaskQuery struct {
	OrgID     uuid.UUID
	ListID    uuid.UUID
	SectionID uuid.UUID
	ParentID  uuid.UUID // uuid.Nil: the top-level tasks
	// View is "assigned", "following" or "created": the tasks of UserID across the lists
	// Viewer may see (deleted lists left out).
	View       string
	UserID     uuid.UUID
	Viewer     *Viewer
	Status     tasks.Status // "" for all
	AssigneeID uuid.UUID
	LabelID    uuid.UUID
	DueFrom    time.Time
	DueTo      time.Time
	Query      string // the title contains it, or its pinyin does
	Limit      int
	Offset     int
}

// Ref is a task's id, title and status, as a dependency shows it.
type Ref struct {
	ID     uuid.UUID
	Title  string
	Status tasks.Status
}

// TaskReach is what reaches a task for a user beside its list: the strongest role of the
// shares of it or of a task above it with them or their groups, and whether they are assigned
// to or follow it or a task above it.
type TaskReach struct {
	ShareRole tasks.Role
	Assignee  bool
	Follower  bool
}

// TaskGrant is a task with its list's grant and what reaches the task, as one read gives them.
type TaskGrant struct {
	Task  *tasks.Task
	List  ListGrant
	Reach TaskReach
}

// Gap is the place between two siblings a task is put into: Lo is the rank of the sibling it
// goes after ("" for the start), Hi the rank of the first live sibling after Lo ("" for the
// end). AfterFound is false when the sibling asked for is not one of them; SectionFound tells
// whether the siblings' section is one of the list's.
type Gap struct {
	Lo, Hi       string
	AfterFound   bool
	SectionFound bool
}

// Blocker is a live task that blocks another, with its list and what reaches it for the
// principals asked about (to tell whether they may know of it).
type Blocker struct {
	Ref
	ListID uuid.UUID
	Reach  TaskReach
}

// TaskSide is what a task's view shows beside the task itself, and what reaches the task for
// the principals asked about.
type TaskSide struct {
	Reach         TaskReach
	CreatorName   string
	CompleterName string
	Assignees     []Person
	Followers     []Person
	Labels        []*tasks.Label
	SubtaskTotal  int
	SubtaskDone   int
	BlockedBy     []Blocker
}

// Concerned is who a task's events concern as the rows tell: its list (its owner and
// creator), whom the list, the task and the tasks above it are shared with, and the assignees
// and followers of the task and of the tasks above it.
type Concerned struct {
	List   *tasks.List
	Shared []tasks.Principal
	People []uuid.UUID
}

// TaskRepository stores tasks and what hangs off them.
type TaskRepository interface {
	// Create stores a new task; Conflict when its rank is taken among its siblings.
	Create(ctx context.Context, t *tasks.Task) error
	// Get returns a task of the organisation, deleted or not; NotFound when missing.
	Get(ctx context.Context, orgID, id uuid.UUID) (*tasks.Task, error)
	// Grant returns a task of the organisation (deleted or not) with its list's grant and what
	// reaches it for the principals, in one round trip; NotFound when missing.
	Grant(ctx context.Context, orgID, id uuid.UUID, p Principals) (TaskGrant, error)
	// Update writes every field of a task.
	Update(ctx context.Context, t *tasks.Task) error
	// Query returns a page of tasks and their total.
	Query(ctx context.Context, q TaskQuery) ([]*tasks.Task, int, error)
	// Descendants returns the live tasks below one, parents before their children.
	Descendants(ctx context.Context, orgID, id uuid.UUID) ([]*tasks.Task, error)
	// DeleteTree marks a task and the live tasks below it deleted, all at the same time.
	DeleteTree(ctx context.Context, t *tasks.Task) error
	// RestoreTree restores the tasks below one that were deleted with it (at deletedAt).
	RestoreTree(ctx context.Context, orgID, id uuid.UUID, deletedAt time.Time) error
	// OccurrenceExists reports whether a live task of a series is due at due.
	OccurrenceExists(ctx context.Context, orgID, seriesID uuid.UUID, due time.Time) (bool, error)
	// SetSection moves the live tasks below one into a section.
	SetSection(ctx context.Context, orgID, parentID, sectionID uuid.UUID) error

	// Place writes a task's section, rank and update time, and with sectionChanged moves the
	// tasks below it into its section too.
	Place(ctx context.Context, t *tasks.Task, sectionChanged bool) error
	// Gap returns the ranks around the place right after the live sibling after (uuid.Nil: the
	// start), leaving out except, in one round trip.
	Gap(ctx context.Context, s Siblings, after, except uuid.UUID) (Gap, error)
	// LastRank returns the highest rank of the live siblings, "" when there are none.
	LastRank(ctx context.Context, s Siblings) (string, error)
	// Ranks returns every live sibling's id and rank, in order.
	Ranks(ctx context.Context, s Siblings) ([]RankedID, error)
	// Respace writes new ranks for siblings at once (no two ever equal on the way).
	Respace(ctx context.Context, s Siblings, ranks []RankedID) error
	// RankTaken reports whether a live sibling has the rank.
	RankTaken(ctx context.Context, s Siblings, rank string) (bool, error)
	// MoveSection puts the live top-level tasks of one section, and the tasks below them, into
	// another, with the ranks given in their order.
	MoveSection(ctx context.Context, orgID, listID, from, to uuid.UUID, ranks []string) error
	// CountSection returns how many live top-level tasks a section has.
	CountSection(ctx context.Context, orgID, listID, sectionID uuid.UUID) (int, error)

	// People returns the assignees or followers ("assignees", "followers") of tasks.
	People(ctx context.Context, orgID uuid.UUID, kind string, ids []uuid.UUID) (map[uuid.UUID][]uuid.UUID, error)
	// SetPeople replaces a task's assignees or followers.
	SetPeople(ctx context.Context, orgID, taskID uuid.UUID, kind string, users []uuid.UUID) error
	// Labels returns the labels of tasks.
	Labels(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID][]uuid.UUID, error)
	// SetLabels replaces a task's labels.
	SetLabels(ctx context.Context, orgID, taskID uuid.UUID, labels []uuid.UUID) error

	// Sides returns, for tasks, what their views show beside them and what reaches each (and
	// each of their blockers) for the principals, in one round trip.
	Sides(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID, p Principals) (map[uuid.UUID]TaskSide, error)
	// Concerned returns who a task's events concern, in one round trip; NotFound when missing.
	Concerned(ctx context.Context, orgID, id uuid.UUID) (Concerned, error)

	// Reach returns what reaches each task (or a task above it) for the principals.
	Reach(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID, p Principals) (map[uuid.UUID]TaskReach, error)

	// LockDependencies takes the organisation's dependency lock until the transaction ends, so
	// that two additions cannot together close a cycle.
	LockDependencies(ctx context.Context, orgID uuid.UUID) error
	// AddDependency records that taskID is blocked by blockerID; Conflict when it is already.
	AddDependency(ctx context.Context, orgID, taskID, blockerID uuid.UUID) error
	// RemoveDependency removes it; NotFound when there is none.
	RemoveDependency(ctx context.Context, orgID, taskID, blockerID uuid.UUID) error
	// BlockedByChain reports whether from is blocked by to, directly or through others.
	BlockedByChain(ctx context.Context, orgID, from, to uuid.UUID) (bool, error)
	// Blockers returns the live tasks that block each of ids.
	Blockers(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID][]Ref, error)
	// Blocking returns a page of the live tasks a task blocks.
	Blocking(ctx context.Context, orgID, id uuid.UUID, limit, offset int) ([]Ref, int, error)
}

// ShareRepository stores the shares of lists and of single tasks.
type ShareRepository interface {
	// Put creates or changes a share (of a list when TaskID is uuid.Nil, else of a task).
	Put(ctx context.Context, s tasks.Share) error
	// Get returns the share with a principal; NotFound when there is none.
	Get(ctx context.Context, orgID, listID, taskID uuid.UUID, p tasks.Principal) (tasks.Share, error)
	// Delete removes it; NotFound when there is none.
	Delete(ctx context.Context, orgID, listID, taskID uuid.UUID, p tasks.Principal) error
	// Of returns a page of the shares of a list (taskID uuid.Nil) or a task, and their total.
	Of(ctx context.Context, orgID, listID, taskID uuid.UUID, limit, offset int) ([]tasks.Share, int, error)
	// ListRoles returns the strongest role each list's shares give the principals (lists
	// without one are left out).
	ListRoles(ctx context.Context, orgID uuid.UUID, listIDs []uuid.UUID, p Principals) (map[uuid.UUID]tasks.Role, error)
	// AllOf returns every share of a list and of its tasks' ids given (for an audience).
	AllOf(ctx context.Context, orgID, listID uuid.UUID, taskIDs []uuid.UUID) ([]tasks.Share, error)
}

// Activity is one entry of a task's history.
type Activity struct {
	ID        int64
	OrgID     uuid.UUID
	TaskID    uuid.UUID
	ListID    uuid.UUID
	ActorID   uuid.UUID
	Action    string
	Before    any // JSON-encodable; read back as json.RawMessage
	After     any
	CreatedAt time.Time
}

// ActivityRepository stores task histories.
type ActivityRepository interface {
	Append(ctx context.Context, a Activity) error
	// Of returns a page of a task's history, newest first.
	Of(ctx context.Context, orgID, taskID uuid.UUID, limit, offset int) ([]Activity, int, error)
}

// IdempotencyRecord is a request made with an Idempotency-Key and what it created.
type IdempotencyRecord struct {
	OrgID       uuid.UUID
	PrincipalID uuid.UUID
	Scope       string
	Key         string
	RequestHash []byte
	ResultID    uuid.UUID
	CreatedAt   time.Time
}

// IdempotencyRepository remembers requests made with an Idempotency-Key.
type IdempotencyRepository interface {
	// Lookup takes a lock on the key until the transaction ends (so a concurrent request with
	// it waits for the first to commit) and returns its record when there is one younger than
	// since.
	Lookup(ctx context.Context, orgID, principalID uuid.UUID, scope, key string, since time.Time) (IdempotencyRecord, bool, error)
	// Save records a key's result, replacing an expired record of it.
	Save(ctx context.Context, r IdempotencyRecord) error
	// Prune removes the records older than before.
	Prune(ctx context.Context, before time.Time) (int64, error)
}

// Sweeper is what the sweeper asks of the database.
type Sweeper interface {
	// PurgeDeleted removes up to limit lists and tasks deleted before before (a list with all
	// its tasks), and returns how many rows went. Replicas skip each other's rows.
	PurgeDeleted(ctx context.Context, before time.Time, limit int) (int, error)
}
