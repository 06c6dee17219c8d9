package announcements

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	appannouncements "canopy/app/announcements"
	"canopy/domain/errs"
	"canopy/infra/postgres"
	pgorg "canopy/infra/postgres/org"
)

// Directory answers the announcements module's questions about the organisation's structure.
type Directory struct{ db *gorm.DB }

// NewDirectory returns it.
func NewDirectory(db *gorm.DB) *Directory { return &Directory{db: db} }

var _ appannouncements.Directory = (*Directory)(nil)

func errsNotFound(what string) error { return errs.NotFoundf(what) }

// Department implements appannouncements.Directory.
func (d *Directory) Department(ctx context.Context, orgID, id uuid.UUID) (appannouncements.Target, error) {
	var ts []appannouncements.Target
	if err := postgres.Conn(ctx, d.db).Raw(`SELECT name, path FROM departments WHERE org_id = ? AND id = ?`, orgID, id).Scan(&ts).Error; err != nil {
		return appannouncements.Target{}, postgres.Translate(err)
	}
	if len(ts) == 0 {
		return appannouncements.Target{}, errs.NotFoundf("department")
	}
	return ts[0], nil
}

// Group implements appannouncements.Directory.
func (d *Directory) Group(ctx context.Context, orgID, id uuid.UUID) (appannouncements.Target, error) {
	var ts []struct {
		Name string
		Path *string
	}
	if err := postgres.Conn(ctx, d.db).Raw(`SELECT g.name, d.path FROM groups g
		LEFT JOIN departments d ON d.org_id = g.org_id AND d.id = g.department_id
		WHERE g.org_id = ? AND g.id = ?`, orgID, id).Scan(&ts).Error; err != nil {
		return appannouncements.Target{}, postgres.Translate(err)
	}
	if len(ts) == 0 {
		return appannouncements.Target{}, errs.NotFoundf("group")
	}
	t := appannouncements.Target{Name: ts[0].Name}
	if ts[0].Path != nil {
		t.Path = *ts[0].Path
	}
	return t, nil
}

// DepartmentPaths implements appannouncements.Directory.
func (d *Directory) DepartmentPaths(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]string, error) {
	var out []string
	err := postgres.Conn(ctx, d.db).Raw(`SELECT path FROM departments WHERE org_id = ? AND id = ANY (CAST(? AS uuid[]))`, orgID, postgres.UUIDArray(ids)).Scan(&out).Error
	return out, postgres.Translate(err)
}

// Names implements appannouncements.Directory.
func (d *Directory) Names(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	return pgorg.MemberNames(ctx, d.db, orgID, ids)
}

// TargetNames implements appannouncements.Directory.
func (d *Directory) TargetNames(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := map[uuid.UUID]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   uuid.UUID
		Name string
	}
	if err := postgres.Conn(ctx, d.db).Raw(`SELECT id, name FROM departments WHERE org_id = @org AND id = ANY (CAST(@ids AS uuid[]))
		UNION ALL SELECT id, name FROM groups WHERE org_id = @org AND id = ANY (CAST(@ids AS uuid[]))`,
		map[string]any{"org": orgID, "ids": postgres.UUIDArray(ids)}).Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// OrgName implements appannouncements.Directory.
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
