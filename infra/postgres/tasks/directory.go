package tasks

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	apptasks "canopy/app/tasks"
	"canopy/domain/errs"
	"canopy/infra/postgres"
	pgorg "canopy/infra/postgres/org"
)

// Directory answers the tasks module's questions about the organisation's structure.
type Directory struct{ db *gorm.DB }

// NewDirectory returns it.
func NewDirectory(db *gorm.DB) *Directory { return &Directory{db} }

var _ apptasks.Directory = (*Directory)(nil)

// Principals implements apptasks.Directory: whether the user is an active member and a guest,
// their groups (and those they own), and their departments with every one above them.
func (d *Directory) Principals(ctx context.Context, orgID, userID uuid.UUID) (apptasks.Principals, error) {
	p := apptasks.Principals{UserID: userID}
	// One round trip: every access check starts here.
	var rows []struct {
		Role, Status string
		Groups       string
		Owned        string
		Departments  string
	}
	err := postgres.Conn(ctx, d.db).Raw(`SELECT m.role, m.status,
			(SELECT coalesce(string_agg(g.group_id::text, ','), '') FROM group_members g WHERE g.org_id = m.org_id AND g.user_id = m.user_id) AS groups,
			(SELECT coalesce(string_agg(g.group_id::text, ','), '') FROM group_members g WHERE g.org_id = m.org_id AND g.user_id = m.user_id AND g.role = 'owner') AS owned,
			(SELECT coalesce(string_agg(DISTINCT a.id::text, ','), '') FROM department_members dm
				JOIN departments x ON x.org_id = dm.org_id AND x.id = dm.department_id
				JOIN departments a ON a.org_id = x.org_id AND starts_with(x.path, a.path)
				WHERE dm.org_id = m.org_id AND dm.user_id = m.user_id) AS departments
		FROM memberships m WHERE m.org_id = ? AND m.user_id = ?`, orgID, userID).Scan(&rows).Error
	if err != nil {
		return p, postgres.Translate(err)
	}
	if len(rows) == 0 || rows[0].Status != "active" {
		return p, nil
	}
	r := rows[0]
	p.Member, p.Guest = true, r.Role == "guest"
	p.Groups, p.OwnedGroups, p.Departments = splitIDs(r.Groups), splitIDs(r.Owned), splitIDs(r.Departments)
	return p, nil
}

// splitIDs parses a comma-separated list of ids.
func splitIDs(s string) []uuid.UUID {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := make([]uuid.UUID, 0, len(parts))
	for _, x := range parts {
		if id, err := uuid.Parse(x); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// Department implements apptasks.Directory.
func (d *Directory) Department(ctx context.Context, orgID, id uuid.UUID) (apptasks.Department, error) {
	m, err := d.Departments(ctx, orgID, []uuid.UUID{id})
	if err != nil {
		return apptasks.Department{}, err
	}
	dep, ok := m[id]
	if !ok {
		return apptasks.Department{}, errs.NotFoundf("department")
	}
	return dep, nil
}

// Departments implements apptasks.Directory.
func (d *Directory) Departments(ctx context.Context, orgID uuid.UUID, deptIDs []uuid.UUID) (map[uuid.UUID]apptasks.Department, error) {
	var rows []apptasks.Department
	if err := postgres.Conn(ctx, d.db).Raw(`SELECT id, path, name FROM departments WHERE org_id = ? AND id = ANY(CAST(? AS uuid[]))`, orgID, postgres.UUIDArray(deptIDs)).Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make(map[uuid.UUID]apptasks.Department, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// Group implements apptasks.Directory.
func (d *Directory) Group(ctx context.Context, orgID, groupID uuid.UUID) (string, error) {
	m, err := d.GroupNames(ctx, orgID, []uuid.UUID{groupID})
	if err != nil {
		return "", err
	}
	name, ok := m[groupID]
	if !ok {
		return "", errs.NotFoundf("group")
	}
	return name, nil
}

// GroupNames implements apptasks.Directory.
func (d *Directory) GroupNames(ctx context.Context, orgID uuid.UUID, groupIDs []uuid.UUID) (map[uuid.UUID]string, error) {
	var rows []struct {
		ID   uuid.UUID
		Name string
	}
	if err := postgres.Conn(ctx, d.db).Raw(`SELECT id, name FROM groups WHERE org_id = ? AND id = ANY(CAST(? AS uuid[]))`, orgID, postgres.UUIDArray(groupIDs)).Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make(map[uuid.UUID]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// Names implements apptasks.Directory.
func (d *Directory) Names(ctx context.Context, orgID uuid.UUID, userIDs []uuid.UUID) (map[uuid.UUID]string, error) {
	return pgorg.MemberNames(ctx, d.db, orgID, userIDs)
}

// ActiveMembers implements apptasks.Directory.
func (d *Directory) ActiveMembers(ctx context.Context, orgID uuid.UUID, userIDs []uuid.UUID) ([]uuid.UUID, error) {
	var out []uuid.UUID
	err := postgres.Conn(ctx, d.db).Raw(`SELECT user_id FROM memberships WHERE org_id = ? AND user_id = ANY(CAST(? AS uuid[])) AND status = 'active'`, orgID, postgres.UUIDArray(userIDs)).Scan(&out).Error
	return out, postgres.Translate(err)
}

// Guests implements apptasks.Directory.
func (d *Directory) Guests(ctx context.Context, orgID uuid.UUID, userIDs []uuid.UUID) ([]uuid.UUID, error) {
	var out []uuid.UUID
	err := postgres.Conn(ctx, d.db).Raw(`SELECT user_id FROM memberships WHERE org_id = ? AND user_id = ANY(CAST(? AS uuid[])) AND role = 'guest'`, orgID, postgres.UUIDArray(userIDs)).Scan(&out).Error
	return out, postgres.Translate(err)
}

// OrgName implements apptasks.Directory.
func (d *Directory) OrgName(ctx context.Context, orgID uuid.UUID) (string, error) {
	var names []string
	if err := postgres.Conn(ctx, d.db).Raw(`SELECT name FROM organisations WHERE id = ?`, orgID).Scan(&names).Error; err != nil {
		return "", postgres.Translate(err)
	}
	if len(names) == 0 {
		return "", errs.NotFoundf("organisation")
	}
	return names[0], nil
}
