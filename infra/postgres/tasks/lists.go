package tasks

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	apptasks "canopy/app/tasks"
	"canopy/domain/errs"
	"canopy/domain/tasks"
	"canopy/infra/postgres"
)

// Lists is the task list repository.
type Lists struct{ db *gorm.DB }

// NewLists returns it.
func NewLists(db *gorm.DB) *Lists { return &Lists{db} }

var _ apptasks.ListRepository = (*Lists)(nil)

type listRow struct {
	ID          uuid.UUID
	OrgID       uuid.UUID
	OwnerKind   string
	OwnerID     uuid.UUID
	Name        string
	Description string
	CreatedBy   uuid.UUID
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ArchivedAt  *time.Time
	DeletedAt   *time.Time
	DeletedBy   *uuid.UUID
}

func (listRow) TableName() string { return "task_lists" }

func (r listRow) domain() *tasks.List {
	return tasks.RehydrateList(r.ID, r.OrgID, tasks.OwnerKind(r.OwnerKind), r.OwnerID, r.Name, r.Description, r.CreatedBy, r.CreatedAt.UTC(),
		r.UpdatedAt.UTC(), postgres.TimeOrZero(r.ArchivedAt), postgres.TimeOrZero(r.DeletedAt), idOrNil(r.DeletedBy))
}

func toListRow(l *tasks.List) listRow {
	return listRow{ID: l.ID(), OrgID: l.OrgID(), OwnerKind: string(l.OwnerKind()), OwnerID: l.OwnerID(), Name: l.Name(), Description: l.Description(),
		CreatedBy: l.CreatedBy(), CreatedAt: l.CreatedAt(), UpdatedAt: l.UpdatedAt(), ArchivedAt: postgres.NullableTime(l.ArchivedAt()),
		DeletedAt: postgres.NullableTime(l.DeletedAt()), DeletedBy: postgres.NullableID(l.DeletedBy())}
}

// Create implements apptasks.ListRepository.
func (r *Lists) Create(ctx context.Context, l *tasks.List) error {
	row := toListRow(l)
	return postgres.Translate(postgres.Conn(ctx, r.db).Create(&row).Error)
}

// Get implements apptasks.ListRepository.
func (r *Lists) Get(ctx context.Context, orgID, id uuid.UUID) (*tasks.List, error) {
	return r.get(ctx, orgID, id, "")
}

// Lock implements apptasks.ListRepository.
func (r *Lists) Lock(ctx context.Context, orgID, id uuid.UUID) (*tasks.List, error) {
	if !postgres.InTx(ctx) {
		return nil, errs.Internalf("Lock outside a transaction")
	}
	return r.get(ctx, orgID, id, " FOR NO KEY UPDATE")
}

func (r *Lists) get(ctx context.Context, orgID, id uuid.UUID, lock string) (*tasks.List, error) {
	var rows []listRow
	if err := postgres.Conn(ctx, r.db).Raw(`SELECT * FROM task_lists WHERE org_id = ? AND id = ?`+lock, orgID, id).Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return nil, errs.NotFoundf("task list")
	}
	return rows[0].domain(), nil
}

// Update implements apptasks.ListRepository.
func (r *Lists) Update(ctx context.Context, l *tasks.List) error {
	row := toListRow(l)
	return postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Model(&listRow{}).Where("org_id = ? AND id = ?", row.OrgID, row.ID).Updates(map[string]any{
		"name": row.Name, "description": row.Description, "updated_at": row.UpdatedAt, "archived_at": row.ArchivedAt,
		"deleted_at": row.DeletedAt, "deleted_by": row.DeletedBy,
	}), "task list")
}

// visibleList is the condition that a list (alias l) is one the viewer may see: by its owner
// (not for guests), as its creator, by its shares with them, or by tasks.manage over it. The
// caller caps what it finds by the viewer's permissions.
const visibleList = `(
	(NOT @guest AND ((l.owner_kind = 'person' AND l.owner_id = @user)
		OR (l.owner_kind = 'group' AND l.owner_id = ANY(CAST(@groups AS uuid[])))
		OR (l.owner_kind = 'department' AND l.owner_id = ANY(CAST(@departments AS uuid[])))
		OR l.owner_kind = 'organisation'))
	OR l.created_by = @user
	OR EXISTS (SELECT 1 FROM task_list_shares s WHERE s.list_id = l.id AND s.principal_id = ANY(CAST(@principals AS uuid[])))
	OR (@manage_org AND l.owner_kind <> 'person')
	OR (l.owner_kind = 'department' AND EXISTS (SELECT 1 FROM departments d JOIN departments r ON r.org_id = d.org_id AND starts_with(d.path, r.path)
		WHERE d.org_id = l.org_id AND d.id = l.owner_id AND r.id = ANY(CAST(@manage_departments AS uuid[])))))`

// viewerArgs are the parameters of visibleList.
func viewerArgs(v apptasks.Viewer) map[string]any {
	p := v.Principal
	return map[string]any{"org": v.OrgID, "guest": p.Guest || !p.Member, "user": p.UserID, "groups": postgres.UUIDArray(p.Groups),
		"departments": postgres.UUIDArray(p.Departments), "principals": postgres.UUIDArray(principalIDs(p, true)), "manage_org": v.ManageOrg,
		"manage_departments": postgres.UUIDArray(v.ManageDepartments)}
}

// Query implements apptasks.ListRepository.
func (r *Lists) Query(ctx context.Context, q apptasks.ListQuery) ([]apptasks.ListRow, int, error) {
	args := viewerArgs(q.Viewer)
	where := `l.org_id = @org AND ` + visibleList
	if q.Deleted {
		where += ` AND l.deleted_at IS NOT NULL AND l.deleted_at > @deleted_after`
		args["deleted_after"] = q.DeletedAfter
	} else {
		where += ` AND l.deleted_at IS NULL`
		if q.Archived {
			where += ` AND l.archived_at IS NOT NULL`
		} else {
			where += ` AND l.archived_at IS NULL`
		}
	}
	if q.OwnerKind != "" {
		where += ` AND l.owner_kind = @owner_kind`
		args["owner_kind"] = string(q.OwnerKind)
	}
	if q.OwnerID != uuid.Nil {
		where += ` AND l.owner_id = @owner_id`
		args["owner_id"] = q.OwnerID
	}
	if s := strings.TrimSpace(q.Query); s != "" {
		where += ` AND lower(l.name) LIKE @q ESCAPE '\'`
		args["q"] = "%" + postgres.EscapeLike(strings.ToLower(s)) + "%"
	}
	db := postgres.Conn(ctx, r.db)
	var total int64
	if err := db.Raw(`SELECT count(*) FROM task_lists l WHERE `+where, args).Scan(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	args["limit"], args["offset"] = q.Limit, q.Offset
	var rows []struct {
		Row       listRow `gorm:"embedded"`
		ShareRole *string
	}
	err := db.Raw(`SELECT l.*, (SELECT s.role FROM task_list_shares s WHERE s.list_id = l.id AND s.principal_id = ANY(CAST(@principals AS uuid[]))
			ORDER BY CASE s.role WHEN 'manager' THEN 0 WHEN 'editor' THEN 1 ELSE 2 END LIMIT 1) AS share_role
		FROM task_lists l WHERE `+where+` ORDER BY lower(l.name), l.id LIMIT @limit OFFSET @offset`, args).Scan(&rows).Error
	if err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]apptasks.ListRow, len(rows))
	for i, row := range rows {
		out[i] = apptasks.ListRow{List: row.Row.domain()}
		if row.ShareRole != nil {
			out[i].ShareRole = tasks.Role(*row.ShareRole)
		}
	}
	return out, int(total), nil
}

// Counts implements apptasks.ListRepository.
func (r *Lists) Counts(ctx context.Context, orgID uuid.UUID, listIDs []uuid.UUID) (map[uuid.UUID][2]int, error) {
	var rows []struct {
		ListID     uuid.UUID
		Open, Done int
	}
	err := postgres.Conn(ctx, r.db).Raw(`SELECT list_id, count(*) FILTER (WHERE status = 'open') AS open, count(*) FILTER (WHERE status = 'done') AS done
		FROM tasks WHERE org_id = ? AND list_id = ANY(CAST(? AS uuid[])) AND parent_id IS NULL AND deleted_at IS NULL GROUP BY list_id`, orgID, postgres.UUIDArray(listIDs)).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make(map[uuid.UUID][2]int, len(rows))
	for _, row := range rows {
		out[row.ListID] = [2]int{row.Open, row.Done}
	}
	return out, nil
}
