package tasks

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/google/uuid"

	apptasks "canopy/app/tasks"
	"canopy/domain/errs"
	"canopy/domain/tasks"
	"canopy/infra/postgres"
)

// The reads behind access checks, views and event audiences, each one round trip: a page of
// tasks would otherwise make one query per kind of side data, one after the other.

// listCols selects a list (alias l) in the order listRow.dest reads it.
const listCols = `l.id, l.org_id, l.owner_kind, l.owner_id, l.name, l.description, l.created_by, l.created_at, l.updated_at,
	l.archived_at, l.deleted_at, l.deleted_by`

// dest is where a row of listCols is scanned to.
func (r *listRow) dest() []any {
	return []any{&r.ID, &r.OrgID, &r.OwnerKind, &r.OwnerID, &r.Name, &r.Description, &r.CreatedBy, &r.CreatedAt, &r.UpdatedAt,
		&r.ArchivedAt, &r.DeletedAt, &r.DeletedBy}
}

// listShareRank is the strongest role of a list's (alias l) shares with @list_principals, as 3
// (manager), 2 (editor), 1 (viewer) or NULL.
const listShareRank = `(SELECT max(CASE s.role WHEN 'manager' THEN 3 WHEN 'editor' THEN 2 ELSE 1 END) FROM task_list_shares s
	WHERE s.list_id = l.id AND s.principal_id = ANY(CAST(@list_principals AS uuid[])))`

// listScope is the department path a list's (alias l) permissions are checked at, joined as d.
const listScope = `LEFT JOIN departments d ON l.owner_kind = 'department' AND d.org_id = l.org_id AND d.id = l.owner_id`

// listRole turns listShareRank back into a role.
func listRole(rank *int) tasks.Role {
	if rank == nil || *rank < 1 || *rank > 3 {
		return ""
	}
	return [...]tasks.Role{"", tasks.RoleViewer, tasks.RoleEditor, tasks.RoleManager}[*rank]
}

// taskRole turns a task share's rank (2 editor, 1 viewer, NULL none) back into a role.
func taskRole(rank *int) tasks.Role {
	switch {
	case rank == nil:
		return ""
	case *rank == 2:
		return tasks.RoleEditor
	}
	return tasks.RoleViewer
}

// Grants implements apptasks.ListRepository.
func (r *Lists) Grants(ctx context.Context, orgID uuid.UUID, listIDs []uuid.UUID, p apptasks.Principals) (map[uuid.UUID]apptasks.ListGrant, error) {
	type grantRow struct {
		list  listRow
		rank  *int
		scope string
	}
	rows := make([]grantRow, 0, len(listIDs))
	args := map[string]any{"org": orgID, "list_principals": postgres.UUIDArray(principalIDs(p, true))}
	scan := func() []any {
		rows = append(rows, grantRow{})
		x := &rows[len(rows)-1]
		return append(x.list.dest(), &x.rank, &x.scope)
	}
	// The lists are joined to the ids rather than filtered by "= ANY": for a page's few dozen
	// lists the planner would rather scan the organisation's thousands and compare each with
	// every id.
	from, where := `task_lists l`, `l.org_id = @org AND l.id = @ids`
	if len(listIDs) == 1 {
		args["ids"] = listIDs[0]
	} else {
		from, where = `unnest(CAST(@ids AS uuid[])) AS want (id) JOIN task_lists l ON l.id = want.id`, `l.org_id = @org`
		args["ids"] = postgres.UUIDArray(listIDs)
	}
	err := scanRows(postgres.Conn(ctx, r.db), scan, `SELECT `+listCols+`, `+listShareRank+`, coalesce(d.path, '')
		FROM `+from+` `+listScope+` WHERE `+where, args)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]apptasks.ListGrant, len(rows))
	for _, x := range rows {
		out[x.list.ID] = apptasks.ListGrant{List: x.list.domain(), ShareRole: listRole(x.rank), Scope: x.scope}
	}
	return out, nil
}

// upFrom walks from the tasks of a set (a query giving their id and parent_id) up to the top,
// as up (task_id, id, parent_id, n): each task of the set with itself and every task above it.
// Each step looks the parent up by its key (the subquery is kept apart from the join with
// OFFSET 0): a join would be planned, for a page, as a pass over every task of a small
// organisation to find the few parents there are.
func upFrom(set string) string {
	return `up (task_id, id, parent_id, n) AS (
		SELECT s.id, s.id, s.parent_id, 0 FROM (` + set + `) s
		UNION ALL SELECT up.task_id, x.id, x.parent_id, up.n + 1 FROM up
			CROSS JOIN LATERAL (SELECT t.id, t.parent_id FROM tasks t WHERE t.id = up.parent_id OFFSET 0) x WHERE up.n < 16)`
}

// reachOfUp is what reaches each task_id of up for @user and @principals (their groups): the
// strongest role of the task shares on the way up (2 editor, 1 viewer), and whether they are
// assigned to or follow a task on the way (true, or NULL for no). Each is looked up by the task
// in a scalar subquery: an EXISTS or a join is planned, for the rows up is guessed to have, as a
// pass over all of the user's rows (thousands for someone with many tasks) or over the whole
// table of a small organisation. The principals are matched outside the index condition, so
// that a task's few shares are read in one descent rather than one per principal.
const reachOfUp = `SELECT up.task_id,
		max((SELECT max(CASE WHEN s.principal_id = ANY(CAST(@principals AS uuid[])) THEN CASE s.role WHEN 'editor' THEN 2 WHEN 'viewer' THEN 1 END END)
			FROM task_shares s WHERE s.task_id = up.id)) AS share_rank,
		bool_or((SELECT true FROM task_assignees a WHERE a.task_id = up.id AND a.user_id = @user)) AS assignee,
		bool_or((SELECT true FROM task_followers f WHERE f.task_id = up.id AND f.user_id = @user)) AS follower
	FROM up GROUP BY up.task_id`

// accessArgs are the parameters of the access parts of the reads for the principals.
func accessArgs(orgID uuid.UUID, p apptasks.Principals) map[string]any {
	return map[string]any{"org": orgID, "user": p.UserID, "principals": postgres.UUIDArray(principalIDs(p, false)),
		"list_principals": postgres.UUIDArray(principalIDs(p, true))}
}

// Grant implements apptasks.TaskRepository.
func (r *Tasks) Grant(ctx context.Context, orgID, id uuid.UUID, p apptasks.Principals) (apptasks.TaskGrant, error) {
	var task taskRow
	var list listRow
	var listRank, shareRank *int
	var scope string
	var assignee, follower bool
	found := false
	args := accessArgs(orgID, p)
	args["id"] = id
	scan := func() []any {
		found = true
		return append(append(task.dest(), list.dest()...), &listRank, &scope, &shareRank, &assignee, &follower)
	}
	err := scanRows(postgres.Conn(ctx, r.db), scan, `WITH RECURSIVE `+upFrom(`SELECT id, parent_id FROM tasks WHERE org_id = @org AND id = @id`)+`,
			reach AS (`+reachOfUp+`)
		SELECT `+taskCols+`, `+listCols+`, `+listShareRank+`, coalesce(d.path, ''),
			r.share_rank, coalesce(r.assignee, false), coalesce(r.follower, false)
		FROM tasks t JOIN task_lists l ON l.id = t.list_id `+listScope+` LEFT JOIN reach r ON r.task_id = t.id
		WHERE t.org_id = @org AND t.id = @id`, args)
	if err != nil {
		return apptasks.TaskGrant{}, err
	}
	if !found {
		return apptasks.TaskGrant{}, errs.NotFoundf("task")
	}
	return apptasks.TaskGrant{Task: task.domain(),
		List:  apptasks.ListGrant{List: list.domain(), ShareRole: listRole(listRank), Scope: scope},
		Reach: apptasks.TaskReach{ShareRole: taskRole(shareRank), Assignee: assignee, Follower: follower}}, nil
}

// memberName is the display name of a member of the organisation @org, by user id.
func memberName(user string) string {
	return `(SELECT u.display_name FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = @org AND m.user_id = ` + user + `)`
}

// peopleJSON aggregates a task's (alias p) assignees or followers with their names, in user order.
func peopleJSON(table string) string {
	return `(SELECT json_agg(json_build_object('id', x.user_id, 'name', ` + memberName(`x.user_id`) + `) ORDER BY x.user_id)
		FROM ` + table + ` x WHERE x.task_id = p.id)`
}

// Sides implements apptasks.TaskRepository: the page's tasks, their blockers and what reaches
// each, then for each task its people with their names, its labels, its progress and its
// blockers, aggregated as JSON.
func (r *Tasks) Sides(ctx context.Context, orgID uuid.UUID, taskIDs []uuid.UUID, p apptasks.Principals) (map[uuid.UUID]apptasks.TaskSide, error) {
	if len(taskIDs) == 0 {
		return map[uuid.UUID]apptasks.TaskSide{}, nil
	}
	type sideRow struct {
		ID            uuid.UUID
		ShareRank     *int
		Assignee      bool
		Follower      bool
		CreatorName   *string
		CompleterName *string
		Assignees     *string
		Followers     *string
		Labels        *string
		SubtaskTotal  int
		SubtaskDone   int
		BlockedBy     *string
	}
	rows := make([]sideRow, 0, len(taskIDs))
	args := accessArgs(orgID, p)
	scan := func() []any {
		rows = append(rows, sideRow{})
		x := &rows[len(rows)-1]
		return []any{&x.ID, &x.ShareRank, &x.Assignee, &x.Follower, &x.CreatorName, &x.CompleterName, &x.Assignees, &x.Followers, &x.Labels,
			&x.SubtaskTotal, &x.SubtaskDone, &x.BlockedBy}
	}
	err := scanRows(postgres.Conn(ctx, r.db), scan, `WITH RECURSIVE page AS (
			SELECT t.id, t.parent_id, t.created_by, t.completed_by FROM tasks t WHERE t.org_id = @org AND `+anyOf("t.id", "ids", taskIDs, args)+`),
		blk AS (
			SELECT d.task_id, b.id, b.parent_id, b.title, b.status, b.list_id, d.created_at FROM task_dependencies d
			JOIN tasks b ON b.id = d.blocked_by_id JOIN task_lists l ON l.id = b.list_id
			WHERE d.org_id = @org AND `+anyOf("d.task_id", "ids", taskIDs, args)+` AND b.deleted_at IS NULL AND l.deleted_at IS NULL),
		`+upFrom(`SELECT id, parent_id FROM page UNION SELECT id, parent_id FROM blk`)+`,
		reach AS (`+reachOfUp+`)
		SELECT p.id, r.share_rank, coalesce(r.assignee, false) AS assignee, coalesce(r.follower, false) AS follower,
			`+memberName(`p.created_by`)+` AS creator_name, `+memberName(`p.completed_by`)+` AS completer_name,
			`+peopleJSON("task_assignees")+` AS assignees, `+peopleJSON("task_followers")+` AS followers,
			(SELECT json_agg(json_build_object('id', l.id, 'list_id', l.list_id, 'name', l.name, 'color', l.color) ORDER BY lower(l.name), l.id)
				FROM task_label_links k CROSS JOIN LATERAL (SELECT l.id, l.list_id, l.name, l.color FROM task_labels l WHERE l.id = k.label_id OFFSET 0) l
				WHERE k.task_id = p.id) AS labels,
			pr.total AS subtask_total, pr.done AS subtask_done,
			(SELECT json_agg(json_build_object('id', b.id, 'title', b.title, 'status', b.status, 'list_id', b.list_id,
					'share_rank', br.share_rank, 'assignee', coalesce(br.assignee, false), 'follower', coalesce(br.follower, false))
					ORDER BY b.created_at, b.id)
				FROM blk b LEFT JOIN reach br ON br.task_id = b.id WHERE b.task_id = p.id) AS blocked_by
		FROM page p LEFT JOIN reach r ON r.task_id = p.id
		CROSS JOIN LATERAL (SELECT count(*) AS total, count(*) FILTER (WHERE c.status = 'done') AS done FROM tasks c
			WHERE c.org_id = @org AND c.parent_id = p.id AND c.deleted_at IS NULL) pr`, args)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]apptasks.TaskSide, len(rows))
	for _, row := range rows {
		side := apptasks.TaskSide{Reach: apptasks.TaskReach{ShareRole: taskRole(row.ShareRank), Assignee: row.Assignee, Follower: row.Follower},
			CreatorName: trimmed(row.CreatorName), CompleterName: trimmed(row.CompleterName), SubtaskTotal: row.SubtaskTotal, SubtaskDone: row.SubtaskDone}
		if side.Assignees, err = people(row.Assignees); err != nil {
			return nil, err
		}
		if side.Followers, err = people(row.Followers); err != nil {
			return nil, err
		}
		var labels []struct {
			ID          uuid.UUID
			ListID      uuid.UUID `json:"list_id"`
			Name, Color string
		}
		if err := decode(row.Labels, &labels); err != nil {
			return nil, err
		}
		for _, l := range labels {
			side.Labels = append(side.Labels, tasks.RehydrateLabel(l.ID, orgID, l.ListID, l.Name, l.Color))
		}
		var blockers []struct {
			ID        uuid.UUID
			Title     string
			Status    string
			ListID    uuid.UUID `json:"list_id"`
			ShareRank *int      `json:"share_rank"`
			Assignee  bool
			Follower  bool
		}
		if err := decode(row.BlockedBy, &blockers); err != nil {
			return nil, err
		}
		for _, b := range blockers {
			side.BlockedBy = append(side.BlockedBy, apptasks.Blocker{Ref: apptasks.Ref{ID: b.ID, Title: b.Title, Status: tasks.Status(b.Status)},
				ListID: b.ListID, Reach: apptasks.TaskReach{ShareRole: taskRole(b.ShareRank), Assignee: b.Assignee, Follower: b.Follower}})
		}
		out[row.ID] = side
	}
	return out, nil
}

// decode reads an aggregate of JSON (NULL when there was nothing to aggregate).
func decode(src *string, dst any) error {
	if src == nil {
		return nil
	}
	if err := json.Unmarshal([]byte(*src), dst); err != nil {
		return errs.Internalf("tasks: reading an aggregate: %v", err)
	}
	return nil
}

// people reads an aggregate of people: never nil, as a view shows none as an empty list.
func people(src *string) ([]apptasks.Person, error) {
	var ps []struct {
		ID   uuid.UUID
		Name *string
	}
	if err := decode(src, &ps); err != nil {
		return nil, err
	}
	out := make([]apptasks.Person, len(ps))
	for i, x := range ps {
		out[i] = apptasks.Person{ID: x.ID, Name: trimmed(x.Name)}
	}
	return out, nil
}

// trimmed is a display name as the directory gives it ("" for none).
func trimmed(s *string) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(*s)
}

// Concerned implements apptasks.TaskRepository. The rows of the tasks on the way up are looked
// up by their keys (OFFSET 0 keeps each subquery apart), as in upFrom.
func (r *Tasks) Concerned(ctx context.Context, orgID, id uuid.UUID) (apptasks.Concerned, error) {
	var list listRow
	var listShares, taskShares, assignees, followers *string
	found := false
	scan := func() []any {
		found = true
		return append(list.dest(), &listShares, &taskShares, &assignees, &followers)
	}
	err := scanRows(postgres.Conn(ctx, r.db), scan, `WITH RECURSIVE `+upFrom(`SELECT id, parent_id FROM tasks WHERE org_id = @org AND id = @id`)+`
		SELECT `+listCols+`,
			(SELECT json_agg(json_build_object('type', s.principal_type, 'id', s.principal_id)) FROM task_list_shares s
				WHERE s.list_id = l.id) AS list_shares,
			(SELECT json_agg(json_build_object('type', s.principal_type, 'id', s.principal_id) ORDER BY up.n) FROM up
				CROSS JOIN LATERAL (SELECT principal_type, principal_id FROM task_shares WHERE task_id = up.id OFFSET 0) s) AS task_shares,
			(SELECT json_agg(x.user_id ORDER BY up.n, x.user_id) FROM up
				CROSS JOIN LATERAL (SELECT user_id FROM task_assignees WHERE task_id = up.id OFFSET 0) x) AS assignees,
			(SELECT json_agg(x.user_id ORDER BY up.n, x.user_id) FROM up
				CROSS JOIN LATERAL (SELECT user_id FROM task_followers WHERE task_id = up.id OFFSET 0) x) AS followers
		FROM tasks t JOIN task_lists l ON l.id = t.list_id WHERE t.org_id = @org AND t.id = @id`,
		map[string]any{"org": orgID, "id": id})
	if err != nil {
		return apptasks.Concerned{}, err
	}
	if !found {
		return apptasks.Concerned{}, errs.NotFoundf("task")
	}
	out := apptasks.Concerned{List: list.domain()}
	for _, src := range []*string{listShares, taskShares} {
		var shared []struct {
			Type string
			ID   uuid.UUID
		}
		if err := decode(src, &shared); err != nil {
			return apptasks.Concerned{}, err
		}
		for _, x := range shared {
			out.Shared = append(out.Shared, tasks.Principal{Type: tasks.PrincipalType(x.Type), ID: x.ID})
		}
	}
	for _, src := range []*string{assignees, followers} {
		var users []uuid.UUID
		if err := decode(src, &users); err != nil {
			return apptasks.Concerned{}, err
		}
		out.People = append(out.People, users...)
	}
	return out, nil
}
