package files

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	appfiles "canopy/app/files"
	"canopy/domain/errs"
	"canopy/infra/postgres"
)

// Directory answers the files module's questions about the organisation's structure, each in
// one query.
type Directory struct{ db *gorm.DB }

// NewDirectory returns it.
func NewDirectory(db *gorm.DB) *Directory { return &Directory{db} }

var _ appfiles.Directory = (*Directory)(nil)

// Principals implements appfiles.Directory: the user's groups, and their departments with every
// department above them (read from the departments' materialised paths).
func (d *Directory) Principals(ctx context.Context, orgID, userID uuid.UUID) (appfiles.Principals, error) {
	db := postgres.Conn(ctx, d.db)
	p := appfiles.Principals{UserID: userID}
	var role string
	if err := db.Raw(`SELECT role FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, userID).Scan(&role).Error; err != nil {
		return p, postgres.Translate(err)
	}
	p.Guest = role == "guest"
	if err := db.Raw(`SELECT group_id FROM group_members WHERE org_id = ? AND user_id = ? ORDER BY group_id`, orgID, userID).Scan(&p.Groups).Error; err != nil {
		return p, postgres.Translate(err)
	}
	var rows []appfiles.Department
	err := db.Raw(`SELECT DISTINCT a.id, a.path, a.name FROM department_members m
		JOIN departments d ON d.org_id = m.org_id AND d.id = m.department_id
		JOIN departments a ON a.org_id = d.org_id AND starts_with(d.path, a.path)
		WHERE m.org_id = ? AND m.user_id = ? ORDER BY a.path`, orgID, userID).Scan(&rows).Error
	if err != nil {
		return p, postgres.Translate(err)
	}
	p.Departments = rows
	return p, nil
}

// Department implements appfiles.Directory.
func (d *Directory) Department(ctx context.Context, orgID, id uuid.UUID) (appfiles.Department, error) {
	var rows []appfiles.Department
	if err := postgres.Conn(ctx, d.db).Raw(`SELECT id, path, name FROM departments WHERE org_id = ? AND id = ?`, orgID, id).Scan(&rows).Error; err != nil {
		return appfiles.Department{}, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return appfiles.Department{}, errs.NotFoundf("department")
	}
	return rows[0], nil
}

// Group implements appfiles.Directory.
func (d *Directory) Group(ctx context.Context, orgID, groupID, userID uuid.UUID) (string, bool, error) {
	var rows []struct {
		Name  string
		Owner bool
	}
	err := postgres.Conn(ctx, d.db).Raw(`SELECT g.name, EXISTS (SELECT 1 FROM group_members m WHERE m.org_id = g.org_id AND m.group_id = g.id
		AND m.user_id = ? AND m.role = 'owner') AS owner FROM groups g WHERE g.org_id = ? AND g.id = ?`, userID, orgID, groupID).Scan(&rows).Error
	if err != nil {
		return "", false, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return "", false, errs.NotFoundf("group")
	}
	return rows[0].Name, rows[0].Owner, nil
}

// UserName implements appfiles.Directory.
func (d *Directory) UserName(ctx context.Context, orgID, userID uuid.UUID) (string, error) {
	var names []string
	err := postgres.Conn(ctx, d.db).Raw(`SELECT u.display_name FROM users u JOIN memberships m ON m.user_id = u.id
		WHERE m.org_id = ? AND u.id = ?`, orgID, userID).Scan(&names).Error
	if err != nil {
		return "", postgres.Translate(err)
	}
	if len(names) == 0 {
		return "", errs.NotFoundf("member")
	}
	return strings.TrimSpace(names[0]), nil
}

// OrgName implements appfiles.Directory.
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
