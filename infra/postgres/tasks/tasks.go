// Package tasks holds the PostgreSQL rows and repositories of the tasks module: lists, their
// sections, labels and shares, tasks with what hangs off them, the history, idempotency keys
// and the sweeper's purge.
package tasks

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	apptasks "canopy/app/tasks"
	"canopy/domain/errs"
	"canopy/domain/tasks"
	"canopy/infra/postgres"
)

// constraintOf returns the name of the constraint a driver error violated, or "".
func constraintOf(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.ConstraintName
	}
	return ""
}

// notFound turns a missing row into NotFound naming what.
func notFound(err error, what string) error {
	err = postgres.Translate(err)
	if errs.Is(err, errs.NotFound) {
		return errs.NotFoundf(what)
	}
	return err
}

func idOrNil(p *uuid.UUID) uuid.UUID {
	if p == nil {
		return uuid.Nil
	}
	return *p
}

// Tasks is the task repository.
type Tasks struct {
	db   *gorm.DB
	keys postgres.SearchKeys
}

// NewTasks returns it; keys makes the pinyin search keys of titles.
func NewTasks(db *gorm.DB, keys postgres.SearchKeys) *Tasks { return &Tasks{db: db, keys: keys} }

var _ apptasks.TaskRepository = (*Tasks)(nil)

type taskRow struct {
	ID                 uuid.UUID
	OrgID              uuid.UUID
	ListID             uuid.UUID
	SectionID          uuid.UUID
	ParentID           *uuid.UUID
	Depth              int
	Title              string
	Description        string
	Priority           int
	Status             string
	CompletedBy        *uuid.UUID
	CompletedAt        *time.Time
	StartAt            *time.Time
	DueAt              *time.Time
	AllDay             bool
	DueTz              string
	Rrule              string
	SeriesID           *uuid.UUID
	RecurStart         *time.Time
	Rank               string
	Search             string
	OverdueNotifiedFor *time.Time
	CreatedBy          uuid.UUID
	CreatedAt          time.Time
	UpdatedAt          time.Time
	DeletedAt          *time.Time
	DeletedBy          *uuid.UUID
}

func (taskRow) TableName() string { return "tasks" }

func (r taskRow) domain() *tasks.Task {
	return tasks.RehydrateTask(tasks.TaskRecord{ID: r.ID, OrgID: r.OrgID, ListID: r.ListID, SectionID: r.SectionID, ParentID: idOrNil(r.ParentID),
		Depth: r.Depth, Title: r.Title, Description: r.Description, Priority: r.Priority, Status: tasks.Status(r.Status),
		CompletedBy: idOrNil(r.CompletedBy), CompletedAt: postgres.TimeOrZero(r.CompletedAt),
		Schedule: tasks.Schedule{Start: postgres.TimeOrZero(r.StartAt), Due: postgres.TimeOrZero(r.DueAt), AllDay: r.AllDay, TZ: r.DueTz},
		RRule:    r.Rrule, SeriesID: idOrNil(r.SeriesID), RecurStart: postgres.TimeOrZero(r.RecurStart), Rank: r.Rank,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), DeletedAt: postgres.TimeOrZero(r.DeletedAt),
		DeletedBy: idOrNil(r.DeletedBy)})
}

// taskCols selects a task (alias t) in the order taskRow.dest reads it. The hot reads (pages,
// a task with its access) scan rows by hand: gorm's reflection per column and row cost more
// than the query itself for a page of 50.
const taskCols = `t.id, t.org_id, t.list_id, t.section_id, t.parent_id, t.depth, t.title, t.description, t.priority, t.status,
	t.completed_by, t.completed_at, t.start_at, t.due_at, t.all_day, t.due_tz, t.rrule, t.series_id, t.recur_start, t.rank,
	t.created_by, t.created_at, t.updated_at, t.deleted_at, t.deleted_by`

// dest is where a row of taskCols is scanned to.
func (r *taskRow) dest() []any {
	return []any{&r.ID, &r.OrgID, &r.ListID, &r.SectionID, &r.ParentID, &r.Depth, &r.Title, &r.Description, &r.Priority, &r.Status,
		&r.CompletedBy, &r.CompletedAt, &r.StartAt, &r.DueAt, &r.AllDay, &r.DueTz, &r.Rrule, &r.SeriesID, &r.RecurStart, &r.Rank,
		&r.CreatedBy, &r.CreatedAt, &r.UpdatedAt, &r.DeletedAt, &r.DeletedBy}
}

// scanRows runs a query and calls row for each row it returns, to scan it into the destinations
// row gives.
func scanRows(db *gorm.DB, row func() []any, query string, args ...any) error {
	rows, err := db.Raw(query, args...).Rows()
	if err != nil {
		return postgres.Translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(row()...); err != nil {
			return postgres.Translate(err)
		}
	}
	return postgres.Translate(rows.Err())
}

// search returns a title's search text: itself and its pinyin keys, lower-case.
func (r *Tasks) search(title string) string {
	full, initials := "", ""
	if r.keys != nil {
		full, initials = r.keys(title)
	}
	return strings.ToLower(title) + " " + full + " " + initials
}

func (r *Tasks) row(t *tasks.Task) taskRow {
	x := t.Record()
	return taskRow{ID: x.ID, OrgID: x.OrgID, ListID: x.ListID, SectionID: x.SectionID, ParentID: postgres.NullableID(x.ParentID), Depth: x.Depth,
		Title: x.Title, Description: x.Description, Priority: x.Priority, Status: string(x.Status), CompletedBy: postgres.NullableID(x.CompletedBy),
		CompletedAt: postgres.NullableTime(x.CompletedAt), StartAt: postgres.NullableTime(x.Schedule.Start), DueAt: postgres.NullableTime(x.Schedule.Due),
		AllDay: x.Schedule.AllDay, DueTz: x.Schedule.TZ, Rrule: x.RRule, SeriesID: postgres.NullableID(x.SeriesID),
		RecurStart: postgres.NullableTime(x.RecurStart), Rank: x.Rank, Search: r.search(x.Title), CreatedBy: x.CreatedBy, CreatedAt: x.CreatedAt,
		UpdatedAt: x.UpdatedAt, DeletedAt: postgres.NullableTime(x.DeletedAt), DeletedBy: postgres.NullableID(x.DeletedBy)}
}

// rankConflict names a violation of a rank's uniqueness.
func rankConflict(err error) error {
	err = postgres.Translate(err)
	switch constraintOf(err) {
	case "tasks_section_rank_key", "tasks_subtask_rank_key":
		return errs.Wrap(errs.Conflict, "rank_taken", "another task took that place; try again", err)
	}
	return err
}

// Create implements apptasks.TaskRepository.
func (r *Tasks) Create(ctx context.Context, t *tasks.Task) error {
	row := r.row(t)
	return rankConflict(postgres.Conn(ctx, r.db).Omit("OverdueNotifiedFor").Create(&row).Error)
}

// Get implements apptasks.TaskRepository.
func (r *Tasks) Get(ctx context.Context, orgID, id uuid.UUID) (*tasks.Task, error) {
	var row taskRow
	found := false
	if err := scanRows(postgres.Conn(ctx, r.db), func() []any { found = true; return row.dest() },
		`SELECT `+taskCols+` FROM tasks t WHERE t.org_id = ? AND t.id = ?`, orgID, id); err != nil {
		return nil, err
	}
	if !found {
		return nil, errs.NotFoundf("task")
	}
	return row.domain(), nil
}

// Update implements apptasks.TaskRepository. A changed due date clears the overdue notice
// sent for the old one.
func (r *Tasks) Update(ctx context.Context, t *tasks.Task) error {
	row := r.row(t)
	res := postgres.Conn(ctx, r.db).Model(&taskRow{}).Where("org_id = ? AND id = ?", row.OrgID, row.ID).Updates(map[string]any{
		"section_id": row.SectionID, "title": row.Title, "description": row.Description, "priority": row.Priority, "status": row.Status,
		"completed_by": row.CompletedBy, "completed_at": row.CompletedAt, "start_at": row.StartAt, "due_at": row.DueAt, "all_day": row.AllDay,
		"due_tz": row.DueTz, "rrule": row.Rrule, "series_id": row.SeriesID, "recur_start": row.RecurStart, "rank": row.Rank,
		"search": row.Search, "updated_at": row.UpdatedAt, "deleted_at": row.DeletedAt, "deleted_by": row.DeletedBy,
		"overdue_notified_for": gorm.Expr("CASE WHEN due_at IS NOT DISTINCT FROM ? THEN overdue_notified_for END", row.DueAt),
	})
	if res.Error != nil {
		return rankConflict(res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.NotFoundf("task")
	}
	return nil
}

// Descendants implements apptasks.TaskRepository.
func (r *Tasks) Descendants(ctx context.Context, orgID, id uuid.UUID) ([]*tasks.Task, error) {
	var rows []taskRow
	err := postgres.Conn(ctx, r.db).Raw(`WITH RECURSIVE down AS (
			SELECT t.* FROM tasks t WHERE t.org_id = ? AND t.parent_id = ? AND t.deleted_at IS NULL
			UNION ALL SELECT t.* FROM tasks t JOIN down ON t.parent_id = down.id WHERE t.deleted_at IS NULL)
		SELECT * FROM down ORDER BY depth, rank`, orgID, id).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*tasks.Task, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// SetSection implements apptasks.TaskRepository.
func (r *Tasks) SetSection(ctx context.Context, orgID, parentID, sectionID uuid.UUID) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Exec(`WITH RECURSIVE down (id) AS (
			SELECT id FROM tasks WHERE org_id = ? AND parent_id = ?
			UNION ALL SELECT t.id FROM tasks t JOIN down ON t.parent_id = down.id)
		UPDATE tasks SET section_id = ? WHERE id IN (SELECT id FROM down)`, orgID, parentID, sectionID).Error)
}

// siblings returns the condition selecting a set of live siblings.
func siblings(s apptasks.Siblings) (string, []any) {
	if s.ParentID != uuid.Nil {
		return "parent_id = ? AND deleted_at IS NULL AND org_id = ?", []any{s.ParentID, s.OrgID}
	}
	return "list_id = ? AND section_id = ? AND parent_id IS NULL AND deleted_at IS NULL AND org_id = ?", []any{s.ListID, s.SectionID, s.OrgID}
}

// Gap implements apptasks.TaskRepository: the rank of after, then the next rank after it by
// one index range scan (LIMIT 1), and whether the section is the list's, in one statement.
func (r *Tasks) Gap(ctx context.Context, s apptasks.Siblings, after, except uuid.UUID) (apptasks.Gap, error) {
	cond, args := siblings(s)
	all := append([]any{after}, args...)
	all = append(all, args...)
	all = append(all, except, s.OrgID, s.ListID, s.SectionID)
	var rows []struct {
		Lo, Hi       *string
		SectionFound bool
	}
	err := postgres.Conn(ctx, r.db).Raw(`WITH lo AS (SELECT (SELECT rank FROM tasks WHERE id = ? AND `+cond+`) AS rank)
		SELECT lo.rank AS lo,
			(SELECT rank FROM tasks WHERE `+cond+` AND rank > coalesce(lo.rank, '') AND id <> ? ORDER BY rank LIMIT 1) AS hi,
			EXISTS (SELECT 1 FROM task_sections WHERE org_id = ? AND list_id = ? AND id = ?) AS section_found
		FROM lo`, all...).Scan(&rows).Error
	if err != nil {
		return apptasks.Gap{}, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return apptasks.Gap{}, errs.Internalf("tasks: no gap row")
	}
	row := rows[0]
	g := apptasks.Gap{AfterFound: after == uuid.Nil || row.Lo != nil, SectionFound: row.SectionFound}
	if row.Lo != nil {
		g.Lo = *row.Lo
	}
	if row.Hi != nil {
		g.Hi = *row.Hi
	}
	return g, nil
}

// Place implements apptasks.TaskRepository: only the place is written, so a move neither
// recomputes the search text nor overwrites a field changed meanwhile outside the list's lock.
func (r *Tasks) Place(ctx context.Context, t *tasks.Task, sectionChanged bool) error {
	db := postgres.Conn(ctx, r.db)
	const set = `UPDATE tasks SET section_id = ?, rank = ?, updated_at = ? WHERE org_id = ? AND id = ?`
	args := []any{t.SectionID(), t.Rank(), t.UpdatedAt(), t.OrgID(), t.ID()}
	var res *gorm.DB
	if sectionChanged {
		// The tasks below it follow it into the section, in the same statement.
		res = db.Exec(`WITH RECURSIVE down (id) AS (
				SELECT id FROM tasks WHERE org_id = ? AND parent_id = ?
				UNION ALL SELECT x.id FROM tasks x JOIN down ON x.parent_id = down.id),
			below AS (UPDATE tasks SET section_id = ? WHERE id IN (SELECT id FROM down))
			`+set, append([]any{t.OrgID(), t.ID(), t.SectionID()}, args...)...)
	} else {
		res = db.Exec(set, args...)
	}
	if res.Error != nil {
		return rankConflict(res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.NotFoundf("task")
	}
	return nil
}

// LastRank implements apptasks.TaskRepository.
func (r *Tasks) LastRank(ctx context.Context, s apptasks.Siblings) (string, error) {
	cond, args := siblings(s)
	var ranks []string
	err := postgres.Conn(ctx, r.db).Raw(`SELECT rank FROM tasks WHERE `+cond+` ORDER BY rank DESC LIMIT 1`, args...).Scan(&ranks).Error
	if err != nil || len(ranks) == 0 {
		return "", postgres.Translate(err)
	}
	return ranks[0], nil
}

// Ranks implements apptasks.TaskRepository.
func (r *Tasks) Ranks(ctx context.Context, s apptasks.Siblings) ([]apptasks.RankedID, error) {
	cond, args := siblings(s)
	var out []apptasks.RankedID
	err := postgres.Conn(ctx, r.db).Raw(`SELECT id, rank FROM tasks WHERE `+cond+` ORDER BY rank`, args...).Scan(&out).Error
	return out, postgres.Translate(err)
}

// Respace implements apptasks.TaskRepository in two statements: every sibling's rank first
// takes a temporary value that no key can equal (its old rank with "~", outside the key
// alphabet), then its new one, so the unique index never sees two equal ranks on the way.
func (r *Tasks) Respace(ctx context.Context, s apptasks.Siblings, ranks []apptasks.RankedID) error {
	if len(ranks) == 0 {
		return nil
	}
	cond, args := siblings(s)
	db := postgres.Conn(ctx, r.db)
	if err := db.Exec(`UPDATE tasks SET rank = rank || '~' WHERE `+cond, args...).Error; err != nil {
		return rankConflict(err)
	}
	idv, rankv := make([]uuid.UUID, len(ranks)), make([]string, len(ranks))
	for i, x := range ranks {
		idv[i], rankv[i] = x.ID, x.Rank
	}
	return rankConflict(db.Exec(`UPDATE tasks t SET rank = v.rank FROM unnest(?::uuid[], ?::text[]) AS v(id, rank) WHERE t.org_id = ? AND t.id = v.id`,
		postgres.UUIDArray(idv), postgres.TextArray(rankv), s.OrgID).Error)
}

// DeleteTree implements apptasks.TaskRepository.
func (r *Tasks) DeleteTree(ctx context.Context, t *tasks.Task) error {
	if err := r.Update(ctx, t); err != nil {
		return err
	}
	return postgres.Translate(postgres.Conn(ctx, r.db).Exec(`WITH RECURSIVE down (id) AS (
			SELECT id FROM tasks WHERE org_id = ? AND parent_id = ? AND deleted_at IS NULL
			UNION ALL SELECT x.id FROM tasks x JOIN down ON x.parent_id = down.id WHERE x.deleted_at IS NULL)
		UPDATE tasks SET deleted_at = ?, deleted_by = ? WHERE id IN (SELECT id FROM down)`,
		t.OrgID(), t.ID(), t.DeletedAt(), postgres.NullableID(t.DeletedBy())).Error)
}

// RestoreTree implements apptasks.TaskRepository.
func (r *Tasks) RestoreTree(ctx context.Context, orgID, id uuid.UUID, deletedAt time.Time) error {
	return rankConflict(postgres.Conn(ctx, r.db).Exec(`WITH RECURSIVE down (id) AS (
			SELECT id FROM tasks WHERE org_id = ? AND parent_id = ? AND deleted_at = ?
			UNION ALL SELECT x.id FROM tasks x JOIN down ON x.parent_id = down.id WHERE x.deleted_at = ?)
		UPDATE tasks SET deleted_at = NULL, deleted_by = NULL WHERE id IN (SELECT id FROM down)`, orgID, id, deletedAt, deletedAt).Error)
}

// OccurrenceExists implements apptasks.TaskRepository.
func (r *Tasks) OccurrenceExists(ctx context.Context, orgID, seriesID uuid.UUID, due time.Time) (bool, error) {
	var found bool
	err := postgres.Conn(ctx, r.db).Raw(`SELECT EXISTS (SELECT 1 FROM tasks WHERE org_id = ? AND series_id = ? AND due_at = ? AND deleted_at IS NULL)`,
		orgID, seriesID, due).Scan(&found).Error
	return found, postgres.Translate(err)
}

// RankTaken implements apptasks.TaskRepository.
func (r *Tasks) RankTaken(ctx context.Context, s apptasks.Siblings, rank string) (bool, error) {
	cond, args := siblings(s)
	var n int64
	err := postgres.Conn(ctx, r.db).Raw(`SELECT count(*) FROM tasks WHERE `+cond+` AND rank = ?`, append(args, rank)...).Scan(&n).Error
	return n > 0, postgres.Translate(err)
}

// MoveSection implements apptasks.TaskRepository. The live top-level tasks take the new ranks
// in their order; deleted ones keep theirs (a restore re-places one whose rank is taken).
func (r *Tasks) MoveSection(ctx context.Context, orgID, listID, from, to uuid.UUID, ranks []string) error {
	db := postgres.Conn(ctx, r.db)
	var top []uuid.UUID
	if err := db.Raw(`SELECT id FROM tasks WHERE org_id = ? AND list_id = ? AND section_id = ? AND parent_id IS NULL AND deleted_at IS NULL ORDER BY rank`,
		orgID, listID, from).Scan(&top).Error; err != nil {
		return postgres.Translate(err)
	}
	if len(top) != len(ranks) {
		return errs.E(errs.Conflict, "section_changed", "the section changed meanwhile; try again")
	}
	if len(top) > 0 {
		if err := db.Exec(`UPDATE tasks t SET section_id = ?, rank = v.rank FROM unnest(?::uuid[], ?::text[]) AS v(id, rank)
			WHERE t.org_id = ? AND t.id = v.id`, to, postgres.UUIDArray(top), postgres.TextArray(ranks), orgID).Error; err != nil {
			return rankConflict(err)
		}
	}
	return postgres.Translate(db.Exec(`UPDATE tasks SET section_id = ? WHERE org_id = ? AND list_id = ? AND section_id = ?`, to, orgID, listID, from).Error)
}

// CountSection implements apptasks.TaskRepository.
func (r *Tasks) CountSection(ctx context.Context, orgID, listID, sectionID uuid.UUID) (int, error) {
	var n int64
	err := postgres.Conn(ctx, r.db).Raw(`SELECT count(*) FROM tasks WHERE org_id = ? AND list_id = ? AND section_id = ? AND parent_id IS NULL AND deleted_at IS NULL`,
		orgID, listID, sectionID).Scan(&n).Error
	return int(n), postgres.Translate(err)
}

// peopleTable names the table of a kind of people.
func peopleTable(kind string) (string, error) {
	switch kind {
	case "assignees":
		return "task_assignees", nil
	case "followers":
		return "task_followers", nil
	}
	return "", errs.Internalf("unknown people kind %q", kind)
}

// People implements apptasks.TaskRepository.
func (r *Tasks) People(ctx context.Context, orgID uuid.UUID, kind string, taskIDs []uuid.UUID) (map[uuid.UUID][]uuid.UUID, error) {
	table, err := peopleTable(kind)
	if err != nil {
		return nil, err
	}
	var rows []struct{ TaskID, UserID uuid.UUID }
	if err := postgres.Conn(ctx, r.db).Raw(`SELECT task_id, user_id FROM `+table+` WHERE org_id = ? AND task_id = ANY(CAST(? AS uuid[])) ORDER BY task_id, user_id`,
		orgID, postgres.UUIDArray(taskIDs)).Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := map[uuid.UUID][]uuid.UUID{}
	for _, row := range rows {
		out[row.TaskID] = append(out[row.TaskID], row.UserID)
	}
	return out, nil
}

// SetPeople implements apptasks.TaskRepository. A user who is not a member of the organisation
// is NotFound (the foreign key to memberships).
func (r *Tasks) SetPeople(ctx context.Context, orgID, taskID uuid.UUID, kind string, users []uuid.UUID) error {
	table, err := peopleTable(kind)
	if err != nil {
		return err
	}
	db := postgres.Conn(ctx, r.db)
	if err := db.Exec(`DELETE FROM `+table+` WHERE org_id = ? AND task_id = ? AND user_id <> ALL(CAST(? AS uuid[]))`, orgID, taskID, postgres.UUIDArray(users)).Error; err != nil {
		return postgres.Translate(err)
	}
	if len(users) == 0 {
		return nil
	}
	err = db.Exec(`INSERT INTO `+table+` (org_id, task_id, user_id) SELECT ?, ?, u FROM unnest(?::uuid[]) AS u ON CONFLICT DO NOTHING`,
		orgID, taskID, postgres.UUIDArray(users)).Error
	if errs.Is(postgres.Translate(err), errs.NotFound) {
		return errs.E(errs.Invalid, "unknown_member", kind+": not a member of the organisation")
	}
	return postgres.Translate(err)
}

// Labels implements apptasks.TaskRepository.
func (r *Tasks) Labels(ctx context.Context, orgID uuid.UUID, taskIDs []uuid.UUID) (map[uuid.UUID][]uuid.UUID, error) {
	var rows []struct{ TaskID, LabelID uuid.UUID }
	if err := postgres.Conn(ctx, r.db).Raw(`SELECT k.task_id, k.label_id FROM task_label_links k JOIN task_labels l ON l.id = k.label_id
		WHERE k.org_id = ? AND k.task_id = ANY(CAST(? AS uuid[])) ORDER BY k.task_id, lower(l.name)`, orgID, postgres.UUIDArray(taskIDs)).Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := map[uuid.UUID][]uuid.UUID{}
	for _, row := range rows {
		out[row.TaskID] = append(out[row.TaskID], row.LabelID)
	}
	return out, nil
}

// SetLabels implements apptasks.TaskRepository. A label of another list is refused by the
// composite key (Invalid unknown_label).
func (r *Tasks) SetLabels(ctx context.Context, orgID, taskID uuid.UUID, labels []uuid.UUID) error {
	db := postgres.Conn(ctx, r.db)
	if err := db.Exec(`DELETE FROM task_label_links WHERE org_id = ? AND task_id = ? AND label_id <> ALL(CAST(? AS uuid[]))`, orgID, taskID, postgres.UUIDArray(labels)).Error; err != nil {
		return postgres.Translate(err)
	}
	if len(labels) == 0 {
		return nil
	}
	err := db.Exec(`INSERT INTO task_label_links (org_id, list_id, task_id, label_id)
		SELECT t.org_id, t.list_id, t.id, l FROM tasks t, unnest(?::uuid[]) AS l WHERE t.org_id = ? AND t.id = ? ON CONFLICT DO NOTHING`,
		postgres.UUIDArray(labels), orgID, taskID).Error
	if errs.Is(postgres.Translate(err), errs.NotFound) {
		return errs.E(errs.Invalid, "unknown_label", "label_ids: not a label of the task's list")
	}
	return postgres.Translate(err)
}

// principalIDs lists who the principals are for shares: the user, their groups and (for list
// shares) their departments with those above them.
func principalIDs(p apptasks.Principals, departments bool) []uuid.UUID {
	out := append([]uuid.UUID{p.UserID}, p.Groups...)
	if departments {
		out = append(out, p.Departments...)
	}
	return out
}

// Reach implements apptasks.TaskRepository in one query over each task and those above it.
func (r *Tasks) Reach(ctx context.Context, orgID uuid.UUID, taskIDs []uuid.UUID, p apptasks.Principals) (map[uuid.UUID]apptasks.TaskReach, error) {
	var rows []struct {
		TaskID    uuid.UUID
		ShareRank *int
		Assignee  *bool
		Follower  *bool
	}
	args := accessArgs(orgID, p)
	err := postgres.Conn(ctx, r.db).Raw(`WITH RECURSIVE `+upFrom(`SELECT id, parent_id FROM tasks WHERE org_id = @org AND `+anyOf("id", "ids", taskIDs, args))+` `+reachOfUp, args).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make(map[uuid.UUID]apptasks.TaskReach, len(rows))
	for _, row := range rows {
		out[row.TaskID] = apptasks.TaskReach{ShareRole: taskRole(row.ShareRank), Assignee: row.Assignee != nil && *row.Assignee,
			Follower: row.Follower != nil && *row.Follower}
	}
	return out, nil
}

// LockDependencies implements apptasks.TaskRepository: a transaction-scoped advisory lock on
// the organisation's dependency graph.
func (r *Tasks) LockDependencies(ctx context.Context, orgID uuid.UUID) error {
	if !postgres.InTx(ctx) {
		return errs.Internalf("LockDependencies outside a transaction")
	}
	return postgres.Translate(postgres.Conn(ctx, r.db).Exec(`SELECT pg_advisory_xact_lock(hashtextextended('task_dependencies:' || ?::text, 0))`, orgID).Error)
}

// AddDependency implements apptasks.TaskRepository.
func (r *Tasks) AddDependency(ctx context.Context, orgID, taskID, blockerID uuid.UUID) error {
	err := postgres.Translate(postgres.Conn(ctx, r.db).Exec(`INSERT INTO task_dependencies (org_id, task_id, blocked_by_id, created_at) VALUES (?, ?, ?, now())`,
		orgID, taskID, blockerID).Error)
	if errs.Is(err, errs.Conflict) {
		return errs.Wrap(errs.Conflict, "dependency_exists", "the task is already blocked by that one", err)
	}
	return err
}

// RemoveDependency implements apptasks.TaskRepository.
func (r *Tasks) RemoveDependency(ctx context.Context, orgID, taskID, blockerID uuid.UUID) error {
	return postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Exec(`DELETE FROM task_dependencies WHERE org_id = ? AND task_id = ? AND blocked_by_id = ?`,
		orgID, taskID, blockerID), "dependency")
}

// BlockedByChain implements apptasks.TaskRepository.
func (r *Tasks) BlockedByChain(ctx context.Context, orgID, from, to uuid.UUID) (bool, error) {
	var found bool
	err := postgres.Conn(ctx, r.db).Raw(`WITH RECURSIVE chain (id) AS (
			SELECT blocked_by_id FROM task_dependencies WHERE org_id = ? AND task_id = ?
			UNION SELECT d.blocked_by_id FROM task_dependencies d JOIN chain ON d.task_id = chain.id)
		SELECT EXISTS (SELECT 1 FROM chain WHERE id = ?)`, orgID, from, to).Scan(&found).Error
	return found, postgres.Translate(err)
}

// Blockers implements apptasks.TaskRepository.
func (r *Tasks) Blockers(ctx context.Context, orgID uuid.UUID, taskIDs []uuid.UUID) (map[uuid.UUID][]apptasks.Ref, error) {
	var rows []struct {
		TaskID uuid.UUID
		ID     uuid.UUID
		Title  string
		Status string
	}
	if err := postgres.Conn(ctx, r.db).Raw(`SELECT d.task_id, b.id, b.title, b.status FROM task_dependencies d
		JOIN tasks b ON b.id = d.blocked_by_id JOIN task_lists l ON l.id = b.list_id
		WHERE d.org_id = ? AND d.task_id = ANY(CAST(? AS uuid[])) AND b.deleted_at IS NULL AND l.deleted_at IS NULL ORDER BY d.task_id, d.created_at, b.id`,
		orgID, postgres.UUIDArray(taskIDs)).Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := map[uuid.UUID][]apptasks.Ref{}
	for _, row := range rows {
		out[row.TaskID] = append(out[row.TaskID], apptasks.Ref{ID: row.ID, Title: row.Title, Status: tasks.Status(row.Status)})
	}
	return out, nil
}

// Blocking implements apptasks.TaskRepository.
func (r *Tasks) Blocking(ctx context.Context, orgID, id uuid.UUID, limit, offset int) ([]apptasks.Ref, int, error) {
	db := postgres.Conn(ctx, r.db)
	const from = ` FROM task_dependencies d JOIN tasks t ON t.id = d.task_id JOIN task_lists l ON l.id = t.list_id
		WHERE d.org_id = ? AND d.blocked_by_id = ? AND t.deleted_at IS NULL AND l.deleted_at IS NULL`
	var total int64
	if err := db.Raw(`SELECT count(*)`+from, orgID, id).Scan(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	var rows []struct {
		ID     uuid.UUID
		Title  string
		Status string
	}
	if err := db.Raw(`SELECT t.id, t.title, t.status`+from+` ORDER BY d.created_at, t.id LIMIT ? OFFSET ?`, orgID, id, limit, offset).Scan(&rows).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]apptasks.Ref, len(rows))
	for i, row := range rows {
		out[i] = apptasks.Ref{ID: row.ID, Title: row.Title, Status: tasks.Status(row.Status)}
	}
	return out, int(total), nil
}
