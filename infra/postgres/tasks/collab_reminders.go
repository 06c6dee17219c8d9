package tasks

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"canopy/domain/errs"
	"canopy/domain/tasks"
	"canopy/infra/postgres"
)

// Reminders is the repository of people's reminders on tasks, and of the claims of the
// reminder and overdue workers.
type Reminders struct{ db *gorm.DB }

// NewReminders returns it.
func NewReminders(db *gorm.DB) *Reminders { return &Reminders{db: db} }

var _ tasks.ReminderRepository = (*Reminders)(nil)

// ReminderOffsets implements tasks.ReminderRepository.
func (r *Reminders) ReminderOffsets(ctx context.Context, orgID, taskID, userID uuid.UUID) ([]int, error) {
	out := []int{}
	err := postgres.Conn(ctx, r.db).Raw(`SELECT offset_minutes FROM task_reminders WHERE org_id = ? AND task_id = ? AND user_id = ?
		ORDER BY offset_minutes`, orgID, taskID, userID).Scan(&out).Error
	return out, postgres.Translate(err)
}

// SetReminderOffsets implements tasks.ReminderRepository.
func (r *Reminders) SetReminderOffsets(ctx context.Context, orgID, taskID, userID uuid.UUID, offsets []int) error {
	db := postgres.Conn(ctx, r.db)
	keep := append([]int{-1}, offsets...) // "NOT IN ()" is not SQL; -1 is no offset
	err := db.Exec(`DELETE FROM task_reminders WHERE org_id = ? AND task_id = ? AND user_id = ? AND offset_minutes NOT IN ?`,
		orgID, taskID, userID, keep).Error
	if err != nil {
		return postgres.Translate(err)
	}
	for _, o := range offsets {
		err := db.Exec(`INSERT INTO task_reminders (org_id, task_id, user_id, offset_minutes) VALUES (?, ?, ?, ?)
			ON CONFLICT (task_id, user_id, offset_minutes) DO NOTHING`, orgID, taskID, userID, o).Error
		if err != nil {
			return postgres.Translate(err)
		}
	}
	return nil
}

// CopyReminders implements tasks.ReminderRepository.
func (r *Reminders) CopyReminders(ctx context.Context, orgID, from, to uuid.UUID) error {
	err := postgres.Conn(ctx, r.db).Exec(`INSERT INTO task_reminders (org_id, task_id, user_id, offset_minutes)
		SELECT org_id, ?, user_id, offset_minutes FROM task_reminders WHERE org_id = ? AND task_id = ?
		ON CONFLICT (task_id, user_id, offset_minutes) DO NOTHING`, to, orgID, from).Error
	return postgres.Translate(err)
}

type noticeRow struct {
	OrgID     uuid.UUID
	TaskID    uuid.UUID
	ListID    uuid.UUID
	Title     string
	DueAt     time.Time
	UserID    uuid.UUID
	CreatedBy uuid.UUID
}

func (n noticeRow) notice() tasks.DueNotice {
	return tasks.DueNotice{OrgID: n.OrgID, TaskID: n.TaskID, ListID: n.ListID, Title: n.Title, DueAt: n.DueAt.UTC(), UserID: n.UserID}
}

// ClaimReminders implements tasks.ReminderRepository. It claims whole tasks: a task's row is
// locked (FOR NO KEY UPDATE SKIP LOCKED, which leaves other workers to skip it and lets rows that
// merely reference it be written) and every reminder of it that came due is marked at once, so
// two reminders of one person coming due together are never split between two workers. The
// UPDATE re-checks sent_for on each reminder's latest version, so a worker whose snapshot
// predates another's commit claims nothing twice. The due-time window lets the scan start from
// the open tasks' due index.
func (r *Reminders) ClaimReminders(ctx context.Context, now time.Time, limit int) ([]tasks.DueNotice, error) {
	if !postgres.InTx(ctx) {
		return nil, errs.Internalf("tasks: claiming reminders needs a transaction")
	}
	var rows []noticeRow
	err := postgres.Conn(ctx, r.db).Raw(`
WITH due AS (
    SELECT t.org_id, t.id
    FROM tasks t
    JOIN task_lists l ON l.org_id = t.org_id AND l.id = t.list_id
    WHERE t.status = 'open' AND t.deleted_at IS NULL AND l.deleted_at IS NULL
      AND t.due_at > CAST(@now AS timestamptz) - @late * interval '1 second'
      AND t.due_at <= CAST(@now AS timestamptz) + @max * interval '1 minute'
      AND EXISTS (
          SELECT 1 FROM task_reminders r
          WHERE r.org_id = t.org_id AND r.task_id = t.id
            AND t.due_at - r.offset_minutes * interval '1 minute' <= CAST(@now AS timestamptz)
            AND r.sent_for IS DISTINCT FROM t.due_at)
    ORDER BY t.due_at, t.id
    LIMIT @limit
    FOR NO KEY UPDATE OF t SKIP LOCKED
)
UPDATE task_reminders r SET sent_for = t.due_at
FROM due JOIN tasks t ON t.org_id = due.org_id AND t.id = due.id
WHERE r.org_id = t.org_id AND r.task_id = t.id
  AND t.due_at - r.offset_minutes * interval '1 minute' <= CAST(@now AS timestamptz)
  AND r.sent_for IS DISTINCT FROM t.due_at
RETURNING r.org_id, r.task_id, t.list_id, t.title, t.due_at, r.user_id`,
		sql.Named("now", now.UTC()), sql.Named("late", int64(tasks.ReminderLateness/time.Second)),
		sql.Named("max", tasks.MaxReminderOffset), sql.Named("limit", limit)).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]tasks.DueNotice, len(rows))
	for i, n := range rows {
		out[i] = n.notice()
	}
	return out, nil
}

// ClaimOverdue implements tasks.ReminderRepository. An all-day task is overdue once its day
// has passed (a day after its due midnight). Tasks of archived lists are left alone.
func (r *Reminders) ClaimOverdue(ctx context.Context, now time.Time, limit int) ([]tasks.DueNotice, error) {
	if !postgres.InTx(ctx) {
		return nil, errs.Internalf("tasks: claiming overdue tasks needs a transaction")
	}
	db := postgres.Conn(ctx, r.db)
	var rows []noticeRow
	err := db.Raw(`
WITH due AS (
    SELECT t.org_id, t.id
    FROM tasks t
    JOIN task_lists l ON l.org_id = t.org_id AND l.id = t.list_id
    WHERE t.status = 'open' AND t.deleted_at IS NULL AND l.deleted_at IS NULL AND l.archived_at IS NULL
      AND t.due_at <= CAST(@now AS timestamptz)
      AND t.due_at > CAST(@now AS timestamptz) - @late * interval '1 second' - interval '1 day'
      AND t.due_at + CASE WHEN t.all_day THEN interval '1 day' ELSE interval '0' END <= CAST(@now AS timestamptz)
      AND t.due_at + CASE WHEN t.all_day THEN interval '1 day' ELSE interval '0' END > CAST(@now AS timestamptz) - @late * interval '1 second'
      AND t.overdue_notified_for IS DISTINCT FROM t.due_at
    ORDER BY t.due_at, t.id
    LIMIT @limit
    FOR UPDATE OF t SKIP LOCKED
)
UPDATE tasks t SET overdue_notified_for = t.due_at
FROM due
WHERE t.org_id = due.org_id AND t.id = due.id AND t.overdue_notified_for IS DISTINCT FROM t.due_at
RETURNING t.org_id, t.id AS task_id, t.list_id, t.title, t.due_at, t.created_by`,
		sql.Named("now", now.UTC()), sql.Named("late", int64(tasks.OverdueLateness/time.Second)), sql.Named("limit", limit)).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	taskIDs := make([]uuid.UUID, len(rows))
	for i, n := range rows {
		taskIDs[i] = n.TaskID
	}
	var as []struct {
		TaskID uuid.UUID
		UserID uuid.UUID
	}
	if err := db.Raw(`SELECT task_id, user_id FROM task_assignees WHERE task_id IN ? ORDER BY task_id, user_id`, taskIDs).Scan(&as).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	assignees := make(map[uuid.UUID][]uuid.UUID, len(rows))
	for _, a := range as {
		assignees[a.TaskID] = append(assignees[a.TaskID], a.UserID)
	}
	out := make([]tasks.DueNotice, len(rows))
	for i, n := range rows {
		out[i] = n.notice()
		out[i].Recipients = assignees[n.TaskID]
		if len(out[i].Recipients) == 0 {
			out[i].Recipients = []uuid.UUID{n.CreatedBy}
		}
	}
	return out, nil
}
