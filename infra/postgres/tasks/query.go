package tasks

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	apptasks "canopy/app/tasks"
	"canopy/domain/tasks"
	"canopy/infra/postgres"
)

// Query implements apptasks.TaskRepository. A list's tasks come in their board order (sections
// by rank, then tasks by rank); a view's in due order (no date last), then by creation. Each is
// one query, its total counted by a window over the same rows.
func (r *Tasks) Query(ctx context.Context, q apptasks.TaskQuery) ([]*tasks.Task, int, error) {
	if q.View == "assigned" || q.View == "following" {
		return r.queryMine(ctx, q)
	}
	args := map[string]any{"org": q.OrgID}
	from := `tasks t JOIN task_lists l ON l.id = t.list_id AND l.deleted_at IS NULL`
	where := `t.org_id = @org AND t.deleted_at IS NULL`
	order := `t.due_at ASC NULLS LAST, t.created_at, t.id`
	if q.View != "" {
		// "created": what the user made and may still see.
		args["user"] = q.UserID
		where += ` AND t.created_by = @user`
		if q.Viewer != nil {
			for k, v := range viewerArgs(*q.Viewer) {
				args[k] = v
			}
			args["task_principals"] = postgres.UUIDArray(principalIDs(q.Viewer.Principal, false))
			where += ` AND (` + visibleList + `
					OR EXISTS (SELECT 1 FROM task_assignees a WHERE a.task_id = t.id AND a.user_id = @user)
					OR EXISTS (SELECT 1 FROM task_followers f WHERE f.task_id = t.id AND f.user_id = @user)
					OR EXISTS (SELECT 1 FROM task_shares s WHERE s.task_id = t.id AND s.principal_id = ANY(CAST(@task_principals AS uuid[]))))`
		}
		if q.ListID != uuid.Nil {
			where += ` AND t.list_id = @list`
			args["list"] = q.ListID
		}
	} else {
		where += ` AND t.list_id = @list`
		args["list"] = q.ListID
		if q.ParentID != uuid.Nil {
			where += ` AND t.parent_id = @parent`
			args["parent"] = q.ParentID
			order = `t.rank`
		} else {
			where += ` AND t.parent_id IS NULL`
			if q.SectionID != uuid.Nil {
				order = `t.rank`
			} else {
				from += ` JOIN task_sections sec ON sec.id = t.section_id`
				order = `sec.rank, t.rank`
			}
		}
		if q.SectionID != uuid.Nil {
			where += ` AND t.section_id = @section`
			args["section"] = q.SectionID
		}
	}
	if q.Status != "" {
		where += ` AND t.status = @status`
		args["status"] = string(q.Status)
	}
	if q.AssigneeID != uuid.Nil {
		where += ` AND EXISTS (SELECT 1 FROM task_assignees x WHERE x.task_id = t.id AND x.user_id = @assignee)`
		args["assignee"] = q.AssigneeID
	}
	if q.LabelID != uuid.Nil {
		where += ` AND EXISTS (SELECT 1 FROM task_label_links x WHERE x.task_id = t.id AND x.label_id = @label)`
		args["label"] = q.LabelID
	}
	if !q.DueFrom.IsZero() {
		where += ` AND t.due_at >= @due_from`
		args["due_from"] = q.DueFrom
	}
	if !q.DueTo.IsZero() {
		where += ` AND t.due_at < @due_to`
		args["due_to"] = q.DueTo
	}
	if s := strings.TrimSpace(q.Query); s != "" {
		compact := strings.ToLower(strings.Join(strings.Fields(s), ""))
		where += ` AND (t.search LIKE @q ESCAPE '\' OR t.search LIKE @qc ESCAPE '\')`
		args["q"] = "%" + postgres.EscapeLike(strings.ToLower(s)) + "%"
		args["qc"] = "%" + postgres.EscapeLike(compact) + "%"
	}
	args["limit"], args["offset"] = q.Limit, q.Offset
	db := postgres.Conn(ctx, r.db)
	out, total, err := scanPage(db, `SELECT `+taskCols+`, count(*) OVER () AS total FROM `+from+` WHERE `+where+` ORDER BY `+order+` LIMIT @limit OFFSET @offset`, args)
	if err != nil {
		return nil, 0, err
	}
	if len(out) > 0 {
		return out, total, nil
	}
	if q.Offset == 0 {
		return out, 0, nil
	}
	var count int64
	if err := db.Raw(`SELECT count(*) FROM `+from+` WHERE `+where, args).Scan(&count).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	return out, int(count), nil
}

// queryMine is Query for "assigned" and "following": the page and the total come from the
// person's rows of task_assignees (or task_followers), which repeat each task's status, due
// date, creation and liveness in one index in the view's order; only the page's tasks are then
// read.
func (r *Tasks) queryMine(ctx context.Context, q apptasks.TaskQuery) ([]*tasks.Task, int, error) {
	table := "task_assignees"
	if q.View == "following" {
		table = "task_followers"
	}
	args := map[string]any{"org": q.OrgID, "user": q.UserID, "limit": q.Limit, "offset": q.Offset}
	where := `p.org_id = @org AND p.user_id = @user AND p.live`
	if q.Status != "" {
		where += ` AND p.status = @status`
		args["status"] = string(q.Status)
	}
	if q.ListID != uuid.Nil {
		where += ` AND p.list_id = @list`
		args["list"] = q.ListID
	}
	if !q.DueFrom.IsZero() {
		where += ` AND p.due_at >= @due_from`
		args["due_from"] = q.DueFrom
	}
	if !q.DueTo.IsZero() {
		where += ` AND p.due_at < @due_to`
		args["due_to"] = q.DueTo
	}
	if q.LabelID != uuid.Nil {
		where += ` AND EXISTS (SELECT 1 FROM task_label_links x WHERE x.task_id = p.task_id AND x.label_id = @label)`
		args["label"] = q.LabelID
	}
	if s := strings.TrimSpace(q.Query); s != "" {
		compact := strings.ToLower(strings.Join(strings.Fields(s), ""))
		where += ` AND EXISTS (SELECT 1 FROM tasks x WHERE x.id = p.task_id AND (x.search LIKE @q ESCAPE '\' OR x.search LIKE @qc ESCAPE '\'))`
		args["q"] = "%" + postgres.EscapeLike(strings.ToLower(s)) + "%"
		args["qc"] = "%" + postgres.EscapeLike(compact) + "%"
	}
	// Rows of deleted lists go by an anti-join on the few deleted lists (their partial index)
	// rather than a look-up of every row's list, so the index-only scan of the person's rows is
	// the whole cost (docs/performance.md).
	where += ` AND NOT EXISTS (SELECT 1 FROM task_lists l WHERE l.id = p.list_id AND l.deleted_at IS NOT NULL)`
	from := table + ` p`
	const order = `due_at ASC NULLS LAST, task_created_at, task_id`
	db := postgres.Conn(ctx, r.db)
	out, total, err := scanPage(db, `SELECT `+taskCols+`, x.total FROM (SELECT p.task_id, p.due_at, p.task_created_at, count(*) OVER () AS total FROM `+from+`
			WHERE `+where+` ORDER BY p.`+order+` LIMIT @limit OFFSET @offset) x
		JOIN tasks t ON t.id = x.task_id ORDER BY x.`+order, args)
	if err != nil {
		return nil, 0, err
	}
	if len(out) > 0 || q.Offset == 0 {
		return out, total, nil
	}
	var count int64
	if err := db.Raw(`SELECT count(*) FROM `+from+` WHERE `+where, args).Scan(&count).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	return out, int(count), nil
}

// scanPage runs a page's query, whose rows are taskCols and the total, and returns its tasks
// and the total (0 when the page is empty).
func scanPage(db *gorm.DB, query string, args map[string]any) ([]*tasks.Task, int, error) {
	var rows []taskRow
	var total int64
	err := scanRows(db, func() []any {
		rows = append(rows, taskRow{})
		return append(rows[len(rows)-1].dest(), &total)
	}, query, args)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*tasks.Task, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, int(total), nil
}
