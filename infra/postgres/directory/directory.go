// Package directory holds the PostgreSQL rows and repositories of the directory module: the
// department tree, department memberships, groups, and the reader that answers the directory's
// read-only questions in one query each.
package directory

import (
	"context"
	"hash/fnv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"canopy/domain/directory"
	"canopy/domain/errs"
	"canopy/infra/postgres"
)

type departmentRow struct {
	ID           uuid.UUID `gorm:"primaryKey"`
	OrgID        uuid.UUID
	ParentID     *uuid.UUID
	Path         string
	Depth        int
	Name         string
	NamePinyin   string
	NameInitials string
	SortOrder    int
	ExternalID   *string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (departmentRow) TableName() string { return "departments" }

func (r departmentRow) domain() *directory.Department {
	var parent uuid.UUID
	if r.ParentID != nil {
		parent = *r.ParentID
	}
	var ext string
	if r.ExternalID != nil {
		ext = *r.ExternalID
	}
	return directory.RehydrateDepartment(r.ID, r.OrgID, parent, r.Path, r.Depth, r.Name, r.SortOrder, ext, r.CreatedAt, r.UpdatedAt)
}

// Departments stores the department tree.
type Departments struct {
	db   *gorm.DB
	keys postgres.SearchKeys
}

// NewDepartments returns the department repository.
func NewDepartments(db *gorm.DB, keys postgres.SearchKeys) *Departments {
	return &Departments{db, keys}
}

func (r *Departments) row(d *directory.Department) departmentRow {
	full, ini := r.keys(d.Name())
	return departmentRow{d.ID(), d.OrgID(), postgres.NullableID(d.ParentID()), d.Path(), d.Depth(), d.Name(), full, ini, d.SortOrder(), postgres.Nullable(d.ExternalID()), d.CreatedAt(), d.UpdatedAt()}
}

// LockTree implements directory.DepartmentRepository with a transaction-scoped advisory lock
// keyed by the organisation.
func (r *Departments) LockTree(ctx context.Context, orgID uuid.UUID) error {
	h := fnv.New64a()
	h.Write([]byte("departments:" + orgID.String()))
	return postgres.Translate(postgres.Conn(ctx, r.db).Exec(`SELECT pg_advisory_xact_lock(?)`, int64(h.Sum64())).Error)
}

// DepartmentConflict names a department write's conflict; the bulk import, which writes
// departments in bulk, reports it the same way.
func DepartmentConflict(err error) error {
	if errs.Is(err, errs.Conflict) {
		return errs.Wrap(errs.Conflict, "department_exists", "a sibling department has this name, or the external id is taken", err)
	}
	return err
}

// Create implements directory.DepartmentRepository.
func (r *Departments) Create(ctx context.Context, d *directory.Department) error {
	row := r.row(d)
	return DepartmentConflict(postgres.Translate(postgres.Conn(ctx, r.db).Create(&row).Error))
}

func (r *Departments) one(ctx context.Context, where string, args ...any) (*directory.Department, error) {
	var row departmentRow
	if err := postgres.Conn(ctx, r.db).Where(where, args...).Take(&row).Error; err != nil {
		if errs.Is(postgres.Translate(err), errs.NotFound) {
			return nil, errs.NotFoundf("department")
		}
		return nil, postgres.Translate(err)
	}
	return row.domain(), nil
}

// Get implements directory.DepartmentRepository.
func (r *Departments) Get(ctx context.Context, orgID, id uuid.UUID) (*directory.Department, error) {
	return r.one(ctx, "org_id = ? AND id = ?", orgID, id)
}

// GetByExternalID returns a department by its external id; NotFound if there is none.
func (r *Departments) GetByExternalID(ctx context.Context, orgID uuid.UUID, ext string) (*directory.Department, error) {
	return r.one(ctx, "org_id = ? AND external_id = ?", orgID, ext)
}

// ChildByName implements appdir.PathResolver.
func (r *Departments) ChildByName(ctx context.Context, orgID, parentID uuid.UUID, name string) (*directory.Department, error) {
	return r.one(ctx, "org_id = ? AND parent_id = ? AND lower(name) = lower(?)", orgID, parentID, name)
}

// Root implements directory.DepartmentRepository.
func (r *Departments) Root(ctx context.Context, orgID uuid.UUID) (*directory.Department, error) {
	return r.one(ctx, "org_id = ? AND parent_id IS NULL", orgID)
}

// Children implements directory.DepartmentRepository.
func (r *Departments) Children(ctx context.Context, orgID, parentID uuid.UUID) ([]*directory.Department, error) {
	var rows []departmentRow
	if err := postgres.Conn(ctx, r.db).Where("org_id = ? AND parent_id = ?", orgID, parentID).Order("sort_order, lower(name), id").Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*directory.Department, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// All returns every department of the organisation, by path; the bulk import resolves paths
// against it.
func (r *Departments) All(ctx context.Context, orgID uuid.UUID) ([]*directory.Department, error) {
	var rows []departmentRow
	if err := postgres.Conn(ctx, r.db).Where("org_id = ?", orgID).Order("depth, sort_order").Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*directory.Department, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// subtreeRange returns the bounds of the paths in a subtree: every path that starts with p sorts
// at or after p and before p with its final "/" raised to "0". A range, unlike LIKE with a
// parameter, lets even a prepared statement's generic plan use the text_pattern_ops index.
func subtreeRange(p string) (lo, hi string) {
	return p, p[:len(p)-1] + "0"
}

// Height implements directory.DepartmentRepository.
func (r *Departments) Height(ctx context.Context, d *directory.Department) (int, error) {
	var max int
	lo, hi := subtreeRange(d.Path())
	err := postgres.Conn(ctx, r.db).Raw(`SELECT COALESCE(max(depth), 0) FROM departments WHERE org_id = ? AND path ~>=~ ? AND path ~<~ ?`, d.OrgID(), lo, hi).Scan(&max).Error
	if err != nil {
		return 0, postgres.Translate(err)
	}
	return max - d.Depth() + 1, nil
}

// Update implements directory.DepartmentRepository.
func (r *Departments) Update(ctx context.Context, d *directory.Department) error {
	row := r.row(d)
	res := postgres.Conn(ctx, r.db).Model(&departmentRow{}).Where("org_id = ? AND id = ?", row.OrgID, row.ID).Updates(map[string]any{
		"name": row.Name, "name_pinyin": row.NamePinyin, "name_initials": row.NameInitials,
		"sort_order": row.SortOrder, "external_id": row.ExternalID, "updated_at": row.UpdatedAt,
	})
	return DepartmentConflict(postgres.NotFoundIfNone(res, "department"))
}

// Move implements directory.DepartmentRepository: one UPDATE re-roots the whole subtree.
func (r *Departments) Move(ctx context.Context, d *directory.Department, oldPath string) error {
	c := postgres.Conn(ctx, r.db)
	oldDepth := strings.Count(strings.Trim(oldPath, "/"), "/") + 1
	lo, hi := subtreeRange(oldPath)
	res := c.Exec(`UPDATE departments SET path = ? || substr(path, ?), depth = depth + ?, updated_at = ?
		WHERE org_id = ? AND path ~>=~ ? AND path ~<~ ?`,
		d.Path(), len(oldPath)+1, d.Depth()-oldDepth, d.UpdatedAt(), d.OrgID(), lo, hi)
	if err := postgres.NotFoundIfNone(res, "department"); err != nil {
		return err
	}
	return DepartmentConflict(postgres.Translate(c.Exec(`UPDATE departments SET parent_id = ? WHERE org_id = ? AND id = ?`, d.ParentID(), d.OrgID(), d.ID()).Error))
}

// Delete implements directory.DepartmentRepository.
func (r *Departments) Delete(ctx context.Context, orgID, id uuid.UUID) error {
	c := postgres.Conn(ctx, r.db)
	var blockers struct{ Children, Members, Groups int }
	err := c.Raw(`SELECT
		(SELECT count(*) FROM departments WHERE parent_id = ?) AS children,
		(SELECT count(*) FROM department_members WHERE department_id = ?) AS members,
		(SELECT count(*) FROM groups WHERE department_id = ?) AS groups`, id, id, id).Scan(&blockers).Error
	if err != nil {
		return postgres.Translate(err)
	}
	switch {
	case blockers.Children > 0:
		return errs.E(errs.Conflict, "department_has_children", "the department has sub-departments; move them first or say where they go")
	case blockers.Members > 0:
		return errs.E(errs.Conflict, "department_has_members", "the department has members; move them first or say where they go")
	case blockers.Groups > 0:
		return errs.E(errs.Conflict, "department_has_groups", "groups belong to the department; move or delete them first")
	}
	return postgres.NotFoundIfNone(c.Where("org_id = ? AND id = ? AND parent_id IS NOT NULL", orgID, id).Delete(&departmentRow{}), "department")
}

// Count implements directory.DepartmentRepository.
func (r *Departments) Count(ctx context.Context, orgID uuid.UUID) (int, error) {
	var n int64
	err := postgres.Conn(ctx, r.db).Model(&departmentRow{}).Where("org_id = ?", orgID).Count(&n).Error
	return int(n), postgres.Translate(err)
}

// Assignments stores department memberships.
type Assignments struct{ db *gorm.DB }

// NewAssignments returns the assignment repository.
func NewAssignments(db *gorm.DB) *Assignments { return &Assignments{db} }

type assignmentRow struct {
	OrgID        uuid.UUID
	DepartmentID uuid.UUID
	UserID       uuid.UUID
	IsPrimary    bool
	IsLeader     bool
	AddedAt      time.Time
}

func (assignmentRow) TableName() string { return "department_members" }

// Assignments implements directory.AssignmentRepository.
func (r *Assignments) Assignments(ctx context.Context, orgID, userID uuid.UUID) ([]directory.Assignment, error) {
	var rows []assignmentRow
	if err := postgres.Conn(ctx, r.db).Where("org_id = ? AND user_id = ?", orgID, userID).Order("is_primary DESC, added_at").Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]directory.Assignment, len(rows))
	for i, row := range rows {
		out[i] = directory.Assignment{DepartmentID: row.DepartmentID, Primary: row.IsPrimary, Leader: row.IsLeader}
	}
	return out, nil
}

// Replace implements directory.AssignmentRepository. It keeps added_at for departments the
// member stays in.
func (r *Assignments) Replace(ctx context.Context, orgID, userID uuid.UUID, as []directory.Assignment) error {
	c := postgres.Conn(ctx, r.db)
	var active int64
	if err := c.Table("memberships").Where("org_id = ? AND user_id = ?", orgID, userID).Count(&active).Error; err != nil {
		return postgres.Translate(err)
	}
	if active == 0 {
		return errs.NotFoundf("member")
	}
	ids := make([]uuid.UUID, len(as))
	for i, a := range as {
		ids[i] = a.DepartmentID
	}
	if len(ids) > 0 {
		var found int64
		if err := c.Model(&departmentRow{}).Where("org_id = ? AND id IN ?", orgID, ids).Count(&found).Error; err != nil {
			return postgres.Translate(err)
		}
		if int(found) != len(ids) {
			return errs.NotFoundf("department")
		}
	}
	var kept []assignmentRow
	if err := c.Where("org_id = ? AND user_id = ?", orgID, userID).Find(&kept).Error; err != nil {
		return postgres.Translate(err)
	}
	since := map[uuid.UUID]time.Time{}
	for _, k := range kept {
		since[k.DepartmentID] = k.AddedAt
	}
	if err := c.Where("org_id = ? AND user_id = ?", orgID, userID).Delete(&assignmentRow{}).Error; err != nil {
		return postgres.Translate(err)
	}
	if len(as) == 0 {
		return nil
	}
	now := time.Now().UTC()
	rows := make([]assignmentRow, len(as))
	for i, a := range as {
		at, ok := since[a.DepartmentID]
		if !ok {
			at = now
		}
		rows[i] = assignmentRow{orgID, a.DepartmentID, userID, a.Primary, a.Leader, at}
	}
	return postgres.Translate(c.Create(&rows).Error)
}

// GroupRow is a group as stored. SCIM scans its own filtered group queries into it.
type GroupRow struct {
	ID           uuid.UUID `gorm:"primaryKey"`
	OrgID        uuid.UUID
	DepartmentID *uuid.UUID
	Name         string
	NamePinyin   string
	NameInitials string
	Description  string
	ExternalID   *string
	MemberCap    int
	MemberCount  int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName names the table for gorm.
func (GroupRow) TableName() string { return "groups" }

// Domain rehydrates the group.
func (r GroupRow) Domain() *directory.Group {
	var dept uuid.UUID
	if r.DepartmentID != nil {
		dept = *r.DepartmentID
	}
	var ext string
	if r.ExternalID != nil {
		ext = *r.ExternalID
	}
	return directory.RehydrateGroup(r.ID, r.OrgID, dept, r.Name, r.Description, ext, r.MemberCap, r.MemberCount, r.CreatedAt, r.UpdatedAt)
}

// Groups stores groups and their members.
type Groups struct {
	db   *gorm.DB
	keys postgres.SearchKeys
}

// NewGroups returns the group repository.
func NewGroups(db *gorm.DB, keys postgres.SearchKeys) *Groups { return &Groups{db, keys} }

func (r *Groups) row(g *directory.Group) GroupRow {
	full, ini := r.keys(g.Name())
	return GroupRow{g.ID(), g.OrgID(), postgres.NullableID(g.DepartmentID()), g.Name(), full, ini, g.Description(), postgres.Nullable(g.ExternalID()), g.MemberCap(), g.MemberCount(), g.CreatedAt(), g.UpdatedAt()}
}

func groupConflict(err error) error {
	if errs.Is(err, errs.Conflict) && errs.CodeOf(err) == "conflict" {
		return errs.Wrap(errs.Conflict, "external_id_taken", "another group has this external id", err)
	}
	return err
}

// Create implements directory.GroupRepository.
func (r *Groups) Create(ctx context.Context, g *directory.Group) error {
	row := r.row(g)
	return groupConflict(postgres.Translate(postgres.Conn(ctx, r.db).Create(&row).Error))
}

// Get implements directory.GroupRepository.
func (r *Groups) Get(ctx context.Context, orgID, id uuid.UUID) (*directory.Group, error) {
	return r.one(ctx, "org_id = ? AND id = ?", orgID, id)
}

// GetByExternalID returns a group by its external id; NotFound if there is none.
func (r *Groups) GetByExternalID(ctx context.Context, orgID uuid.UUID, ext string) (*directory.Group, error) {
	return r.one(ctx, "org_id = ? AND external_id = ?", orgID, ext)
}

func (r *Groups) one(ctx context.Context, where string, args ...any) (*directory.Group, error) {
	var row GroupRow
	if err := postgres.Conn(ctx, r.db).Where(where, args...).Take(&row).Error; err != nil {
		if errs.Is(postgres.Translate(err), errs.NotFound) {
			return nil, errs.NotFoundf("group")
		}
		return nil, postgres.Translate(err)
	}
	return row.Domain(), nil
}

// Update implements directory.GroupRepository.
func (r *Groups) Update(ctx context.Context, g *directory.Group) error {
	row := r.row(g)
	return groupConflict(postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Model(&GroupRow{}).Where("org_id = ? AND id = ?", row.OrgID, row.ID).Updates(map[string]any{
		"department_id": row.DepartmentID, "name": row.Name, "name_pinyin": row.NamePinyin, "name_initials": row.NameInitials,
		"description": row.Description, "external_id": row.ExternalID, "member_cap": row.MemberCap, "updated_at": row.UpdatedAt,
	}), "group"))
}

// Delete implements directory.GroupRepository.
func (r *Groups) Delete(ctx context.Context, orgID, id uuid.UUID) error {
	return postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Where("org_id = ? AND id = ?", orgID, id).Delete(&GroupRow{}), "group")
}

// List implements directory.GroupRepository.
func (r *Groups) List(ctx context.Context, orgID uuid.UUID, f directory.GroupFilter) ([]*directory.Group, int, error) {
	q := postgres.Conn(ctx, r.db).Model(&GroupRow{}).Where("org_id = ?", orgID)
	if f.DepartmentID != uuid.Nil {
		q = q.Where("department_id = ?", f.DepartmentID)
	}
	if f.MemberID != uuid.Nil {
		q = q.Where("id IN (SELECT group_id FROM group_members WHERE org_id = ? AND user_id = ?)", orgID, f.MemberID)
	}
	if f.Query != "" {
		like := "%" + postgres.EscapeLike(strings.ToLower(f.Query)) + "%"
		q = q.Where(`lower(name) LIKE ? ESCAPE '\'`, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	var rows []GroupRow
	if err := q.Order("lower(name), id").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]*directory.Group, len(rows))
	for i, row := range rows {
		out[i] = row.Domain()
	}
	return out, int(total), nil
}

// AddMember implements directory.GroupRepository. The conditional UPDATE takes the group's row
// lock, so concurrent adds queue on it and each sees the count the previous one left. A
// deactivated member may be added: identity providers keep disabled users in their groups.
func (r *Groups) AddMember(ctx context.Context, orgID, groupID, userID uuid.UUID, role directory.GroupRole, now time.Time) error {
	return postgres.NewTxManager(r.db).Within(ctx, func(ctx context.Context) error {
		c := postgres.Conn(ctx, r.db)
		var member int64
		if err := c.Table("memberships").Where("org_id = ? AND user_id = ?", orgID, userID).Count(&member).Error; err != nil {
			return postgres.Translate(err)
		}
		if member == 0 {
			return errs.NotFoundf("member")
		}
		var cap []int
		err := c.Raw(`UPDATE groups g SET member_count = g.member_count + 1
			FROM organisations o
			WHERE g.id = ? AND g.org_id = ? AND o.id = g.org_id AND g.member_count < LEAST(g.member_cap, o.max_group_members)
			  AND NOT EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id AND m.user_id = ?)
			RETURNING LEAST(g.member_cap, o.max_group_members)`, groupID, orgID, userID).Scan(&cap).Error
		if err != nil {
			return postgres.Translate(err)
		}
		if len(cap) == 0 {
			return r.whyNotAdded(ctx, orgID, groupID, userID)
		}
		return postgres.Translate(c.Exec(`INSERT INTO group_members (org_id, group_id, user_id, role, added_at) VALUES (?, ?, ?, ?, ?)`,
			orgID, groupID, userID, string(role), now.UTC()).Error)
	})
}

func (r *Groups) whyNotAdded(ctx context.Context, orgID, groupID, userID uuid.UUID) error {
	var st []struct {
		Cap    int
		Member bool
	}
	err := postgres.Conn(ctx, r.db).Raw(`SELECT LEAST(g.member_cap, o.max_group_members) AS cap,
			EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id AND m.user_id = ?) AS member
		FROM groups g JOIN organisations o ON o.id = g.org_id WHERE g.id = ? AND g.org_id = ?`, userID, groupID, orgID).Scan(&st).Error
	if err != nil {
		return postgres.Translate(err)
	}
	switch {
	case len(st) == 0:
		return errs.NotFoundf("group")
	case st[0].Member:
		return errs.E(errs.Conflict, "already_in_group", "already a member of the group")
	}
	return directory.ErrGroupFull(st[0].Cap)
}

// AddMembers implements directory.GroupRepository. SELECT ... FOR UPDATE takes the same row lock
// as AddMember's conditional UPDATE, so single and bulk additions queue on the group and each
// sees the count the previous one left. The new members are found, counted against the cap and
// inserted in one statement each, whatever their number.
func (r *Groups) AddMembers(ctx context.Context, orgID, groupID uuid.UUID, userIDs []uuid.UUID, now time.Time) ([]uuid.UUID, int, error) {
	var added []uuid.UUID
	var count int
	err := postgres.NewTxManager(r.db).Within(ctx, func(ctx context.Context) error {
		c := postgres.Conn(ctx, r.db)
		var st []struct{ Count, Cap int }
		err := c.Raw(`SELECT g.member_count AS count, LEAST(g.member_cap, o.max_group_members) AS cap
			FROM groups g JOIN organisations o ON o.id = g.org_id WHERE g.id = ? AND g.org_id = ? FOR UPDATE OF g`, groupID, orgID).Scan(&st).Error
		if err != nil {
			return postgres.Translate(err)
		}
		if len(st) == 0 {
			return errs.NotFoundf("group")
		}
		ids := pq.Array(uuidStrings(userIDs))
		var fresh []uuid.UUID
		err = c.Raw(`SELECT DISTINCT u.id FROM unnest(CAST(? AS uuid[])) AS u(id)
			WHERE NOT EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = ? AND m.user_id = u.id)`, ids, groupID).Scan(&fresh).Error
		if err != nil {
			return postgres.Translate(err)
		}
		if st[0].Count+len(fresh) > st[0].Cap {
			return directory.ErrGroupCapPassed(len(fresh), st[0].Count, st[0].Cap)
		}
		count = st[0].Count + len(fresh)
		if len(fresh) == 0 {
			return nil
		}
		err = c.Exec(`INSERT INTO group_members (org_id, group_id, user_id, role, added_at)
			SELECT ?, ?, u.id, 'member', ? FROM unnest(CAST(? AS uuid[])) AS u(id)`, orgID, groupID, now.UTC(), pq.Array(uuidStrings(fresh))).Error
		if err != nil {
			return postgres.Translate(err)
		}
		added = fresh
		return postgres.Translate(c.Exec(`UPDATE groups SET member_count = member_count + ? WHERE id = ?`, len(fresh), groupID).Error)
	})
	return added, count, err
}

func uuidStrings(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

// RemoveMember implements directory.GroupRepository.
func (r *Groups) RemoveMember(ctx context.Context, orgID, groupID, userID uuid.UUID) error {
	return postgres.NewTxManager(r.db).Within(ctx, func(ctx context.Context) error {
		c := postgres.Conn(ctx, r.db)
		if err := postgres.NotFoundIfNone(c.Exec(`DELETE FROM group_members WHERE org_id = ? AND group_id = ? AND user_id = ?`, orgID, groupID, userID), "group member"); err != nil {
			return err
		}
		return postgres.Translate(c.Exec(`UPDATE groups SET member_count = member_count - 1 WHERE id = ?`, groupID).Error)
	})
}

// SetMemberRole implements directory.GroupRepository.
func (r *Groups) SetMemberRole(ctx context.Context, orgID, groupID, userID uuid.UUID, role directory.GroupRole) error {
	return postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Exec(`UPDATE group_members SET role = ? WHERE org_id = ? AND group_id = ? AND user_id = ?`,
		string(role), orgID, groupID, userID), "group member")
}
