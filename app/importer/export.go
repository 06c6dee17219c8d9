package importer

import (
	"context"
	"io"
	"sort"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/errs"
)

// ExportedPerson is a member as the people export reads them: an import row, so the file
// re-imports unchanged, with their departments by id; the export names them (Departments,
// PrimaryDepartment, LeaderOf) from the paths it read once.
type ExportedPerson struct {
	UserID      uuid.UUID
	Row         UserRow
	Departments []ExportedMembership
}

// ExportedMembership is one department of a member.
type ExportedMembership struct {
	DepartmentID    uuid.UUID
	Primary, Leader bool
}

// ExportedDepartment is a department as the department export writes it.
type ExportedDepartment struct {
	// Key orders the departments, parents before children; the next page starts after it.
	Key string
	// Path is the department's names below the root, "研发部/后端"; Parent is its parent's
	// ("" under the root).
	Path, Name, ExternalID, Parent string
	// Members counts the department's own members, not those of its sub-departments.
	Members int
}

// ExportSource reads what the exports write, a page at a time, so an organisation of 100,000
// people is never held in memory.
type ExportSource interface {
	// DepartmentPaths returns the path of every department of the organisation by id: its
	// names below the root, "研发部/后端" ("" for the root). It is read once per export; an
	// organisation has far fewer departments than people.
	DepartmentPaths(ctx context.Context, orgID uuid.UUID) (map[uuid.UUID]string, error)
	// People returns up to limit members of the organisation, by user id, after the one with
	// user id after (uuid.Nil: from the start).
	People(ctx context.Context, orgID, after uuid.UUID, limit int) ([]ExportedPerson, error)
	// Departments returns up to limit departments below the root, parents first, after the
	// one with key after ("": from the start).
	Departments(ctx context.Context, orgID uuid.UUID, after string, limit int) ([]ExportedDepartment, error)
}

// exportPage is how many rows an export reads at a time.
const exportPage = 1000

// departmentColumns are the columns of the department export.
var departmentColumns = []string{"path", "name", "external_id", "parent", "members"}

// ExportPeople returns the organisation's people as a workbook or CSV file ("xlsx", "csv") with
// the import's columns. It needs what the import needs to read (requireManager); Forbidden
// otherwise, Invalid for another format. The rows are read while the file is written. (The
// API's people export is PeopleExport's, which writes these rows too, of everyone or a
// selection, and records each export.)
func (s *Service) ExportPeople(ctx context.Context, a authz.Actor, format string) (Download, error) {
	if err := requireManager(ctx, s.authz, a); err != nil {
		return Download{}, err
	}
	return s.download("people", "People", format, s.peopleRows(ctx, a.OrgID, nil))
}

// peopleRows writes the people export's rows: the header, then every member, or only those
// keep keeps when it is not nil, a page at a time.
func (s *Service) peopleRows(ctx context.Context, orgID uuid.UUID, keep func(uuid.UUID) bool) func(emit func([]string) error) error {
	return func(emit func([]string) error) error {
		if err := emit(ColumnNames()); err != nil {
			return err
		}
		paths, err := s.export.DepartmentPaths(ctx, orgID)
		if err != nil {
			return err
		}
		after := uuid.Nil
		for {
			page, err := s.export.People(ctx, orgID, after, exportPage)
			if err != nil {
				return err
			}
			for _, p := range page {
				if keep != nil && !keep(p.UserID) {
					continue
				}
				if err := emit(p.withPaths(paths).Cells()); err != nil {
					return err
				}
			}
			if len(page) < exportPage {
				return nil
			}
			after = page[len(page)-1].UserID
		}
	}
}

// ExportDepartments returns the organisation's departments, parents first, with their path,
// name, external id, parent and number of members. It needs directory.manage over the whole
// organisation; Forbidden otherwise, Invalid for another format.
func (s *Service) ExportDepartments(ctx context.Context, a authz.Actor, format string) (Download, error) {
	if err := authz.Require(ctx, s.authz, a, access.DirectoryManage, ""); err != nil {
		return Download{}, err
	}
	rows := func(emit func([]string) error) error {
		if err := emit(departmentColumns); err != nil {
			return err
		}
		after := ""
		for {
			page, err := s.export.Departments(ctx, a.OrgID, after, exportPage)
			if err != nil {
				return err
			}
			for _, d := range page {
				if err := emit([]string{d.Path, d.Name, d.ExternalID, d.Parent, itoa(d.Members)}); err != nil {
					return err
				}
			}
			if len(page) < exportPage {
				return nil
			}
			after = page[len(page)-1].Key
		}
	}
	return s.download("departments", "Departments", format, rows)
}

func (s *Service) download(file, sheet, format string, rows func(emit func([]string) error) error) (Download, error) {
	if s.export == nil {
		return Download{}, errs.Internalf("import: no export source")
	}
	name := file + "-" + s.clock.Now().UTC().Format("20060102-150405")
	switch format {
	case "csv":
		return Download{Name: name + ".csv", ContentType: MediaCSV, Write: func(w io.Writer) error { return writeCSV(w, rows) }}, nil
	case "xlsx":
		if s.sheets == nil {
			return Download{}, errs.Invalidf("Excel workbooks are not available here")
		}
		return Download{Name: name + ".xlsx", ContentType: MediaXLSX, Write: func(w io.Writer) error {
			return s.sheets.Write(w, []Sheet{{Name: sheet, Rows: rows}})
		}}, nil
	}
	return Download{}, errs.Invalidf("format must be \"xlsx\" or \"csv\"")
}

// withPaths returns the person's import row with their departments named by path: the primary
// first, then the others by path, as the import reads them back.
func (p ExportedPerson) withPaths(paths map[uuid.UUID]string) UserRow {
	u := p.Row
	u.Departments, u.PrimaryDepartment, u.LeaderOf = nil, "", nil
	var others []string
	for _, m := range p.Departments {
		path, ok := paths[m.DepartmentID]
		if !ok || path == "" {
			continue // made since the paths were read, or the root
		}
		if m.Primary {
			u.PrimaryDepartment = path
		} else {
			others = append(others, path)
		}
		if m.Leader {
			u.LeaderOf = append(u.LeaderOf, path)
		}
	}
	sort.Strings(others)
	sort.Strings(u.LeaderOf)
	if u.PrimaryDepartment != "" {
		u.Departments = append(u.Departments, u.PrimaryDepartment)
	}
	u.Departments = append(u.Departments, others...)
	return u
}
