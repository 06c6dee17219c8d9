package tasks

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	apptasks "canopy/app/tasks"
	"canopy/domain/errs"
	"canopy/domain/tasks"
	"canopy/infra/postgres"
)

// Shares is the repository of the shares of lists and of single tasks.
type Shares struct{ db *gorm.DB }

// NewShares returns it.
func NewShares(db *gorm.DB) *Shares { return &Shares{db} }

var _ apptasks.ShareRepository = (*Shares)(nil)

type shareRow struct {
	OrgID         uuid.UUID
	ListID        uuid.UUID
	TaskID        uuid.UUID
	PrincipalType string
	PrincipalID   uuid.UUID
	Role          string
	CreatedBy     uuid.UUID
	CreatedAt     time.Time
}

func (r shareRow) domain() tasks.Share {
	return tasks.Share{OrgID: r.OrgID, ListID: r.ListID, TaskID: r.TaskID, Principal: tasks.Principal{Type: tasks.PrincipalType(r.PrincipalType), ID: r.PrincipalID},
		Role: tasks.Role(r.Role), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
}

// target returns the table, the column naming the target and its id.
func target(listID, taskID uuid.UUID) (table, col string, id uuid.UUID) {
	if taskID != uuid.Nil {
		return "task_shares", "task_id", taskID
	}
	return "task_list_shares", "list_id", listID
}

// principalColumn names the column a principal's id is stored in.
func principalColumn(t tasks.PrincipalType) string {
	switch t {
	case tasks.PrincipalGroup:
		return "group_id"
	case tasks.PrincipalDepartment:
		return "department_id"
	}
	return "user_id"
}

// Put implements apptasks.ShareRepository. A principal of another organisation is NotFound.
func (r *Shares) Put(ctx context.Context, s tasks.Share) error {
	table, col, id := target(s.ListID, s.TaskID)
	pcol := principalColumn(s.Principal.Type)
	err := postgres.Conn(ctx, r.db).Exec(`INSERT INTO `+table+` (org_id, `+col+`, principal_type, `+pcol+`, role, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (`+col+`, principal_type, principal_id) DO UPDATE SET role = excluded.role`,
		s.OrgID, id, string(s.Principal.Type), s.Principal.ID, string(s.Role), s.CreatedBy, s.CreatedAt).Error
	err = postgres.Translate(err)
	if errs.Is(err, errs.NotFound) {
		return errs.NotFoundf(string(s.Principal.Type))
	}
	return err
}

const shareCols = `org_id, principal_type, principal_id, role, created_by, created_at`

// Get implements apptasks.ShareRepository.
func (r *Shares) Get(ctx context.Context, orgID, listID, taskID uuid.UUID, p tasks.Principal) (tasks.Share, error) {
	table, col, id := target(listID, taskID)
	var rows []shareRow
	if err := postgres.Conn(ctx, r.db).Raw(`SELECT `+shareCols+`, `+col+` FROM `+table+` WHERE org_id = ? AND `+col+` = ? AND principal_type = ? AND principal_id = ?`,
		orgID, id, string(p.Type), p.ID).Scan(&rows).Error; err != nil {
		return tasks.Share{}, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return tasks.Share{}, errs.NotFoundf("share")
	}
	return rows[0].domain(), nil
}

// Delete implements apptasks.ShareRepository.
func (r *Shares) Delete(ctx context.Context, orgID, listID, taskID uuid.UUID, p tasks.Principal) error {
	table, col, id := target(listID, taskID)
	return postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Exec(`DELETE FROM `+table+` WHERE org_id = ? AND `+col+` = ? AND principal_type = ? AND principal_id = ?`,
		orgID, id, string(p.Type), p.ID), "share")
}

// Of implements apptasks.ShareRepository.
func (r *Shares) Of(ctx context.Context, orgID, listID, taskID uuid.UUID, limit, offset int) ([]tasks.Share, int, error) {
	table, col, id := target(listID, taskID)
	db := postgres.Conn(ctx, r.db)
	var total int64
	if err := db.Raw(`SELECT count(*) FROM `+table+` WHERE org_id = ? AND `+col+` = ?`, orgID, id).Scan(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	var rows []shareRow
	if err := db.Raw(`SELECT `+shareCols+`, `+col+` FROM `+table+` WHERE org_id = ? AND `+col+` = ? ORDER BY created_at, principal_id LIMIT ? OFFSET ?`,
		orgID, id, limit, offset).Scan(&rows).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]tasks.Share, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, int(total), nil
}

// ListRoles implements apptasks.ShareRepository.
func (r *Shares) ListRoles(ctx context.Context, orgID uuid.UUID, listIDs []uuid.UUID, p apptasks.Principals) (map[uuid.UUID]tasks.Role, error) {
	var rows []struct {
		ListID uuid.UUID
		Rank   int
	}
	err := postgres.Conn(ctx, r.db).Raw(`SELECT list_id, max(CASE role WHEN 'manager' THEN 3 WHEN 'editor' THEN 2 ELSE 1 END) AS rank
		FROM task_list_shares WHERE org_id = ? AND list_id = ANY(CAST(? AS uuid[])) AND principal_id = ANY(CAST(? AS uuid[])) GROUP BY list_id`,
		orgID, postgres.UUIDArray(listIDs), postgres.UUIDArray(principalIDs(p, true))).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make(map[uuid.UUID]tasks.Role, len(rows))
	for _, row := range rows {
		out[row.ListID] = [...]tasks.Role{"", tasks.RoleViewer, tasks.RoleEditor, tasks.RoleManager}[row.Rank]
	}
	return out, nil
}

// AllOf implements apptasks.ShareRepository.
func (r *Shares) AllOf(ctx context.Context, orgID, listID uuid.UUID, taskIDs []uuid.UUID) ([]tasks.Share, error) {
	var rows []shareRow
	db := postgres.Conn(ctx, r.db)
	if listID != uuid.Nil {
		if err := db.Raw(`SELECT `+shareCols+`, list_id FROM task_list_shares WHERE org_id = ? AND list_id = ?`, orgID, listID).Scan(&rows).Error; err != nil {
			return nil, postgres.Translate(err)
		}
	}
	if len(taskIDs) > 0 {
		var more []shareRow
		if err := db.Raw(`SELECT `+shareCols+`, task_id FROM task_shares WHERE org_id = ? AND task_id = ANY(CAST(? AS uuid[]))`, orgID, postgres.UUIDArray(taskIDs)).Scan(&more).Error; err != nil {
			return nil, postgres.Translate(err)
		}
		rows = append(rows, more...)
	}
	out := make([]tasks.Share, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}
