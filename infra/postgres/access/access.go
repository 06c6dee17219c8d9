// Package access holds the PostgreSQL rows and repositories of the access module: custom roles,
// role assignments, the audit log, the policy change notice and the grants the authorizer loads.
package access

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	appaccess "canopy/app/access"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/infra/postgres"
)

type roleRow struct {
	ID          uuid.UUID `gorm:"primaryKey"`
	OrgID       uuid.UUID
	Name        string
	Description string
	Permissions pq.StringArray `gorm:"type:text[]"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (roleRow) TableName() string { return "roles" }

func (r roleRow) domain() *access.Role {
	perms := make([]access.Permission, len(r.Permissions))
	for i, p := range r.Permissions {
		perms[i] = access.Permission(p)
	}
	return access.RehydrateRole(r.ID, r.OrgID, r.Name, r.Description, perms, r.CreatedAt, r.UpdatedAt)
}

func toRoleRow(r *access.Role) roleRow {
	perms := make(pq.StringArray, len(r.Permissions()))
	for i, p := range r.Permissions() {
		perms[i] = string(p)
	}
	return roleRow{r.ID(), r.OrgID(), r.Name(), r.Description(), perms, r.CreatedAt(), r.UpdatedAt()}
}

// Roles stores custom roles.
type Roles struct{ db *gorm.DB }

// NewRoles returns the role repository.
func NewRoles(db *gorm.DB) *Roles { return &Roles{db} }

func roleConflict(err error) error {
	if errs.Is(err, errs.Conflict) {
		return errs.Wrap(errs.Conflict, "role_exists", "a role with this name exists", err)
	}
	return err
}

// Create implements access.RoleRepository.
func (r *Roles) Create(ctx context.Context, role *access.Role) error {
	row := toRoleRow(role)
	return roleConflict(postgres.Translate(postgres.Conn(ctx, r.db).Create(&row).Error))
}

// Get implements access.RoleRepository.
func (r *Roles) Get(ctx context.Context, orgID, id uuid.UUID) (*access.Role, error) {
	var row roleRow
	if err := postgres.Conn(ctx, r.db).Where("org_id = ? AND id = ?", orgID, id).Take(&row).Error; err != nil {
		if errs.Is(postgres.Translate(err), errs.NotFound) {
			return nil, errs.NotFoundf("role")
		}
		return nil, postgres.Translate(err)
	}
	return row.domain(), nil
}

// List implements access.RoleRepository.
func (r *Roles) List(ctx context.Context, orgID uuid.UUID) ([]*access.Role, error) {
	var rows []roleRow
	if err := postgres.Conn(ctx, r.db).Where("org_id = ?", orgID).Order("lower(name)").Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*access.Role, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// Update implements access.RoleRepository.
func (r *Roles) Update(ctx context.Context, role *access.Role) error {
	row := toRoleRow(role)
	return roleConflict(postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Model(&roleRow{}).Where("org_id = ? AND id = ?", row.OrgID, row.ID).Updates(map[string]any{
		"name": row.Name, "description": row.Description, "permissions": row.Permissions, "updated_at": row.UpdatedAt,
	}), "role"))
}

// Delete implements access.RoleRepository.
func (r *Roles) Delete(ctx context.Context, orgID, id uuid.UUID) error {
	c := postgres.Conn(ctx, r.db)
	if err := c.Exec(`DELETE FROM role_assignments WHERE org_id = ? AND role_id = ?`, orgID, id).Error; err != nil {
		return postgres.Translate(err)
	}
	return postgres.NotFoundIfNone(c.Where("org_id = ? AND id = ?", orgID, id).Delete(&roleRow{}), "role")
}

type roleAssignmentRow struct {
	ID           uuid.UUID `gorm:"primaryKey"`
	OrgID        uuid.UUID
	UserID       uuid.UUID
	RoleID       uuid.UUID
	DepartmentID *uuid.UUID
	CreatedAt    time.Time
}

func (roleAssignmentRow) TableName() string { return "role_assignments" }

func (r roleAssignmentRow) domain() access.Assignment {
	a := access.Assignment{ID: r.ID, OrgID: r.OrgID, UserID: r.UserID, RoleID: r.RoleID, CreatedAt: r.CreatedAt}
	if r.DepartmentID != nil {
		a.DepartmentID = *r.DepartmentID
	}
	return a
}

// RoleAssignments stores role assignments.
type RoleAssignments struct{ db *gorm.DB }

// NewRoleAssignments returns the assignment repository.
func NewRoleAssignments(db *gorm.DB) *RoleAssignments { return &RoleAssignments{db} }

// Add implements access.AssignmentRepository.
func (r *RoleAssignments) Add(ctx context.Context, a access.Assignment) error {
	row := roleAssignmentRow{a.ID, a.OrgID, a.UserID, a.RoleID, postgres.NullableID(a.DepartmentID), a.CreatedAt}
	err := postgres.Translate(postgres.Conn(ctx, r.db).Create(&row).Error)
	if errs.Is(err, errs.Conflict) {
		return errs.Wrap(errs.Conflict, "already_assigned", "the member already has this role here", err)
	}
	return err
}

// Remove implements access.AssignmentRepository.
func (r *RoleAssignments) Remove(ctx context.Context, orgID, id uuid.UUID) (access.Assignment, error) {
	var rows []roleAssignmentRow
	if err := postgres.Conn(ctx, r.db).Raw(`DELETE FROM role_assignments WHERE org_id = ? AND id = ? RETURNING *`, orgID, id).Scan(&rows).Error; err != nil {
		return access.Assignment{}, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return access.Assignment{}, errs.NotFoundf("assignment")
	}
	return rows[0].domain(), nil
}

// List implements access.AssignmentRepository.
func (r *RoleAssignments) List(ctx context.Context, orgID, userID, departmentID uuid.UUID) ([]access.Assignment, error) {
	q := postgres.Conn(ctx, r.db).Where("org_id = ?", orgID)
	if userID != uuid.Nil {
		q = q.Where("user_id = ?", userID)
	}
	if departmentID != uuid.Nil {
		q = q.Where("department_id = ?", departmentID)
	}
	var rows []roleAssignmentRow
	if err := q.Order("created_at").Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]access.Assignment, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// AuditLog appends to and reads the audit log.
type AuditLog struct{ db *gorm.DB }

// NewAuditLog returns the audit log.
func NewAuditLog(db *gorm.DB) *AuditLog { return &AuditLog{db} }

func jsonOrNull(v any) any {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return nil
	}
	return string(b)
}

// Append implements access.AuditLog.
func (l *AuditLog) Append(ctx context.Context, e access.AuditEntry) error {
	return postgres.Translate(postgres.Conn(ctx, l.db).Exec(`INSERT INTO audit_log (org_id, at, actor_id, token_id, ip, action, target_type, target_id, before, after)
		VALUES (?, now(), ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)`,
		e.OrgID, postgres.NullableID(e.ActorID), postgres.NullableID(e.TokenID), e.IP, e.Action, e.TargetType, e.TargetID, jsonOrNull(e.Before), jsonOrNull(e.After)).Error)
}

// List implements access.AuditLog.
func (l *AuditLog) List(ctx context.Context, orgID uuid.UUID, f access.AuditFilter) ([]access.AuditEntry, error) {
	where := []string{"a.org_id = @org"}
	args := map[string]any{"org": orgID, "limit": f.Limit}
	if f.ActorID != uuid.Nil {
		where, args["actor"] = append(where, "a.actor_id = @actor"), f.ActorID
	}
	if f.Action != "" {
		where, args["action"] = append(where, `a.action LIKE @action ESCAPE '\'`), postgres.EscapeLike(f.Action)+"%"
	}
	if f.TargetType != "" {
		where, args["tt"] = append(where, "a.target_type = @tt"), f.TargetType
	}
	if f.TargetID != "" {
		where, args["tid"] = append(where, "a.target_id = @tid"), f.TargetID
	}
	if !f.From.IsZero() {
		where, args["from"] = append(where, "a.at >= @from"), f.From
	}
	if !f.To.IsZero() {
		where, args["to"] = append(where, "a.at < @to"), f.To
	}
	if f.BeforeID > 0 {
		where, args["before_id"] = append(where, "a.id < @before_id"), f.BeforeID
	}
	var rows []struct {
		ID         int64
		OrgID      uuid.UUID
		At         time.Time
		ActorID    *uuid.UUID
		ActorName  *string
		TokenID    *uuid.UUID
		IP         string
		Action     string
		TargetType string
		TargetID   string
		Before     *string
		After      *string
	}
	err := postgres.Conn(ctx, l.db).Raw(`SELECT a.id, a.org_id, a.at, a.actor_id, u.display_name AS actor_name, a.token_id, a.ip, a.action,
			a.target_type, a.target_id, a.before::text AS before, a.after::text AS after
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY a.id DESC LIMIT @limit`, args).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]access.AuditEntry, len(rows))
	for i, r := range rows {
		e := access.AuditEntry{ID: r.ID, OrgID: r.OrgID, At: r.At, IP: r.IP, Action: r.Action, TargetType: r.TargetType, TargetID: r.TargetID}
		if r.ActorID != nil {
			e.ActorID = *r.ActorID
		}
		if r.ActorName != nil {
			e.ActorName = *r.ActorName
		}
		if r.TokenID != nil {
			e.TokenID = *r.TokenID
		}
		if r.Before != nil {
			e.Before = json.RawMessage(*r.Before)
		}
		if r.After != nil {
			e.After = json.RawMessage(*r.After)
		}
		out[i] = e
	}
	return out, nil
}

// PolicyChannel is the PostgreSQL channel that carries "an organisation's grants changed".
const PolicyChannel = "canopy_policy"

// PolicyNotifier sends the change notice with pg_notify, which PostgreSQL delivers only when
// the transaction commits.
type PolicyNotifier struct{ db *gorm.DB }

// NewPolicyNotifier returns the notifier.
func NewPolicyNotifier(db *gorm.DB) *PolicyNotifier { return &PolicyNotifier{db} }

// PolicyChanged implements authz.PolicyNotifier.
func (n *PolicyNotifier) PolicyChanged(ctx context.Context, orgID uuid.UUID) error {
	return postgres.Translate(postgres.Conn(ctx, n.db).Exec(`SELECT pg_notify(?, ?)`, PolicyChannel, orgID.String()).Error)
}

// Lookups answers the access service's small questions about departments and members.
type Lookups struct{ db *gorm.DB }

// NewLookups returns the lookups.
func NewLookups(db *gorm.DB) *Lookups { return &Lookups{db} }

// DepartmentPath implements appaccess.Departments.
func (l *Lookups) DepartmentPath(ctx context.Context, orgID, id uuid.UUID) (string, error) {
	var paths []string
	if err := postgres.Conn(ctx, l.db).Raw(`SELECT path FROM departments WHERE org_id = ? AND id = ?`, orgID, id).Scan(&paths).Error; err != nil {
		return "", postgres.Translate(err)
	}
	if len(paths) == 0 {
		return "", errs.NotFoundf("department")
	}
	return paths[0], nil
}

// DepartmentRefs implements appaccess.Departments.
func (l *Lookups) DepartmentRefs(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]appaccess.DepartmentRef, error) {
	var rows []struct {
		ID   uuid.UUID
		Path string
		Name string
	}
	err := postgres.Conn(ctx, l.db).Raw(`SELECT id, path, name FROM departments WHERE org_id = @org AND id = ANY(CAST(@ids AS uuid[])) ORDER BY path`,
		map[string]any{"org": orgID, "ids": postgres.UUIDArray(ids)}).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]appaccess.DepartmentRef, len(rows))
	for i, r := range rows {
		out[i] = appaccess.DepartmentRef(r)
	}
	return out, nil
}

// IsMember implements appaccess.Members.
func (l *Lookups) IsMember(ctx context.Context, orgID, userID uuid.UUID) (bool, error) {
	var n int64
	err := postgres.Conn(ctx, l.db).Table("memberships").Where("org_id = ? AND user_id = ?", orgID, userID).Count(&n).Error
	return n > 0, postgres.Translate(err)
}

// Grant is one assignment as the authorizer loads it: a role's permissions for a member at a
// scope.
type Grant struct {
	UserID      uuid.UUID
	RoleID      uuid.UUID
	DeptID      *uuid.UUID
	DeptPath    *string
	Permissions pq.StringArray `gorm:"type:text[]"`
}

// Grants returns every assignment of an organisation with the permissions of its role: custom
// roles' from the roles table, department admins' from the catalogue.
func (l *Lookups) Grants(ctx context.Context, orgID uuid.UUID) ([]Grant, error) {
	var rows []Grant
	err := postgres.Conn(ctx, l.db).Raw(`SELECT a.user_id, a.role_id, a.department_id AS dept_id, d.path AS dept_path, r.permissions
		FROM role_assignments a
		LEFT JOIN roles r ON r.id = a.role_id AND r.org_id = a.org_id
		LEFT JOIN departments d ON d.id = a.department_id
		WHERE a.org_id = ?`, orgID).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	deptAdmin := access.BuiltinRoleID(orgID, access.BuiltinDeptAdmin)
	for i := range rows {
		if rows[i].RoleID == deptAdmin {
			for _, p := range access.Builtins[access.BuiltinDeptAdmin] {
				rows[i].Permissions = append(rows[i].Permissions, string(p))
			}
		}
	}
	return rows, nil
}
