package importer

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	appimport "canopy/app/importer"
	"canopy/domain/errs"
	"canopy/infra/postgres"
)

// Exports reads what the people and department exports write, a page at a time.
type Exports struct{ db *gorm.DB }

// NewExports returns the export source.
func NewExports(db *gorm.DB) *Exports { return &Exports{db} }

var _ appimport.ExportSource = (*Exports)(nil)

// deptNames is a department's names below the root, "Engineering/Backend", from its path of ids.
const deptNames = `(SELECT string_agg(a.name, '/' ORDER BY a.depth) FROM departments a
	WHERE a.org_id = d.org_id AND a.id = ANY (string_to_array(trim(both '/' from d.path), '/')::uuid[]) AND a.depth > 1)`

// DepartmentPaths implements appimport.ExportSource: one walk down the tree.
func (e *Exports) DepartmentPaths(ctx context.Context, orgID uuid.UUID) (map[uuid.UUID]string, error) {
	var rows []struct {
		ID    uuid.UUID
		Names string
	}
	err := postgres.Conn(ctx, e.db).Raw(`
		WITH RECURSIVE t AS (
			SELECT d.id, ''::text AS names FROM departments d WHERE d.org_id = @org AND d.parent_id IS NULL
			UNION ALL
			SELECT d.id, CASE WHEN t.names = '' THEN d.name ELSE t.names || '/' || d.name END
			FROM departments d JOIN t ON d.parent_id = t.id)
		SELECT id, names FROM t`, map[string]any{"org": orgID}).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make(map[uuid.UUID]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Names
	}
	return out, nil
}

// People implements appimport.ExportSource.
func (e *Exports) People(ctx context.Context, orgID, after uuid.UUID, limit int) ([]appimport.ExportedPerson, error) {
	var rows []struct {
		UserID      uuid.UUID
		ExternalID  *string
		Email       string
		DisplayName string
		Locale      string
		TimeZone    string
		Status      string
		// The member's employee details; Manager is the manager's email, as the import reads it.
		EmployeeNumber string
		JobTitle       string
		Mobile         string
		WorkLocation   string
		Manager        string
		HireDate       string
		DeptIDs        pq.StringArray `gorm:"column:dept_ids;type:text[]"`
		Primaries      pq.BoolArray   `gorm:"type:boolean[]"`
		Leaders        pq.BoolArray   `gorm:"type:boolean[]"`
	}
	err := postgres.Conn(ctx, e.db).Raw(`
		SELECT p.user_id, p.external_id, u.email, u.display_name, u.locale, u.time_zone, p.status,
			COALESCE(p.employee_number, '') AS employee_number, p.job_title, COALESCE(p.mobile, '') AS mobile, p.work_location,
			COALESCE(mu.email, '') AS manager, COALESCE(to_char(p.hire_date, 'YYYY-MM-DD'), '') AS hire_date,
			x.dept_ids, x.primaries, x.leaders
		FROM (SELECT ms.org_id, ms.user_id, ms.external_id, ms.status, ms.employee_number, ms.job_title, ms.mobile,
				ms.work_location, ms.manager_id, ms.hire_date FROM memberships ms
			WHERE ms.org_id = @org AND ms.user_id > @after ORDER BY ms.user_id LIMIT @limit) p
		JOIN users u ON u.id = p.user_id
		LEFT JOIN users mu ON mu.id = p.manager_id
		LEFT JOIN LATERAL (
			SELECT array_agg(dm.department_id::text) AS dept_ids, array_agg(dm.is_primary) AS primaries, array_agg(dm.is_leader) AS leaders
			FROM department_members dm WHERE dm.org_id = p.org_id AND dm.user_id = p.user_id) x ON true
		ORDER BY p.user_id`,
		map[string]any{"org": orgID, "after": after, "limit": limit}).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]appimport.ExportedPerson, len(rows))
	for i, r := range rows {
		active := r.Status == "active"
		p := appimport.ExportedPerson{UserID: r.UserID, Row: appimport.UserRow{Email: r.Email, DisplayName: r.DisplayName,
			Locale: r.Locale, TimeZone: r.TimeZone, Active: &active, EmployeeNumber: r.EmployeeNumber, JobTitle: r.JobTitle,
			Mobile: r.Mobile, WorkLocation: r.WorkLocation, Manager: r.Manager, HireDate: r.HireDate}}
		if r.ExternalID != nil {
			p.Row.ExternalID = *r.ExternalID
		}
		if len(r.Primaries) != len(r.DeptIDs) || len(r.Leaders) != len(r.DeptIDs) {
			return nil, errs.Internalf("export: department arrays of %s differ in length", r.UserID)
		}
		for j, id := range r.DeptIDs {
			d, err := uuid.Parse(id)
			if err != nil {
				return nil, errs.Internalf("export: department id %q: %w", id, err)
			}
			p.Departments = append(p.Departments, appimport.ExportedMembership{DepartmentID: d, Primary: r.Primaries[j], Leader: r.Leaders[j]})
		}
		out[i] = p
	}
	return out, nil
}

// Departments implements appimport.ExportSource. The key is the department's path of ids,
// which sorts a parent before its children.
func (e *Exports) Departments(ctx context.Context, orgID uuid.UUID, after string, limit int) ([]appimport.ExportedDepartment, error) {
	var rows []struct {
		Path       string
		Names      string
		Name       string
		ExternalID *string
		Depth      int
		Members    int
	}
	err := postgres.Conn(ctx, e.db).Raw(`
		SELECT d.path, `+deptNames+` AS names, d.name, d.external_id, d.depth,
			(SELECT count(*) FROM department_members dm WHERE dm.department_id = d.id) AS members
		FROM departments d WHERE d.org_id = @org AND d.depth > 1 AND d.path > @after
		ORDER BY d.path LIMIT @limit`,
		map[string]any{"org": orgID, "after": after, "limit": limit}).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]appimport.ExportedDepartment, len(rows))
	for i, r := range rows {
		d := appimport.ExportedDepartment{Key: r.Path, Path: r.Names, Name: r.Name, Members: r.Members}
		if r.ExternalID != nil {
			d.ExternalID = *r.ExternalID
		}
		if j := strings.LastIndex(r.Names, "/"); j >= 0 {
			d.Parent = r.Names[:j]
		}
		out[i] = d
	}
	return out, nil
}
