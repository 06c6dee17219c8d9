package org

import (
	"context"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/org"
)

// The console's people table: members with their employee details and departments, filtered,
// sorted and paged by keyset over organisations of 100,000 people.

// PeopleSort is a column the people table sorts by.
type PeopleSort string

// The people table's sorts. By name is by the pinyin key of the name (so 张伟 sorts under Z),
// then the name itself.
const (
	SortName           PeopleSort = "name"
	SortEmployeeNumber PeopleSort = "employee_number"
	SortHireDate       PeopleSort = "hire_date"
	SortJoinedAt       PeopleSort = "joined_at"
)

// MaxPeoplePage is the most rows of one page.
const MaxPeoplePage = 200

// PeopleQuery narrows, sorts and pages the people table.
type PeopleQuery struct {
	// Department, when set, keeps the members of this department; with Subtree, of it and
	// every department below it.
	Department uuid.UUID
	Subtree    bool
	Role       org.Role
	Status     org.MemberStatus
	// Manager, when set, keeps those whose manager this member is.
	Manager uuid.UUID
	// Text matches the name (anywhere), its pinyin or pinyin initials (from the start), the
	// email (anywhere) and the employee number (from the start), case-insensitively.
	Text string
	Sort PeopleSort
	Desc bool
	// After is the keyset position to continue after: the sort key of the last row of the
	// page before, as the repository gave it (Person.Key); nil for the first page.
	After []string
	Limit int
}

// PersonDepartment is one of a person's departments.
type PersonDepartment struct {
	ID   uuid.UUID
	Name string
	// Path names the departments from the root down to this one, joined by " / ".
	Path    string
	Primary bool
}

// Person is a row of the people table.
type Person struct {
	Member
	Departments []PersonDepartment
	// Key is the row's position in the sort, for the cursor of the next page.
	Key []string
}

// PeoplePage is a page of the people table: its rows, how many people match in all, and the
// sort key after which the next page starts (nil on the last page).
type PeoplePage struct {
	Items []Person
	Total int
	Next  []string
}

// People reads the people table.
type People interface {
	// People returns a page of the organisation's members matching q, in q's order, and how
	// many match; Invalid invalid_cursor when q.After does not fit q.Sort.
	People(ctx context.Context, orgID uuid.UUID, q PeopleQuery) ([]Person, int, error)
	// DepartmentInOrg reports whether a department is the organisation's.
	DepartmentInOrg(ctx context.Context, orgID, departmentID uuid.UUID) (bool, error)
}

// ListPeople returns a page of the people table; members.manage only. A department or manager
// that is not the organisation's is NotFound.
func (s *Service) ListPeople(ctx context.Context, a authz.Actor, q PeopleQuery) (PeoplePage, error) {
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return PeoplePage{}, err
	}
	if q.Limit <= 0 || q.Limit > MaxPeoplePage {
		q.Limit = 50
	}
	switch q.Sort {
	case "":
		q.Sort = SortName
	case SortName, SortEmployeeNumber, SortHireDate, SortJoinedAt:
	default:
		return PeoplePage{}, errs.E(errs.Invalid, "invalid_sort", `sort must be "name", "employee_number", "hire_date" or "joined_at"`)
	}
	if q.Department != uuid.Nil {
		ok, err := s.people.DepartmentInOrg(ctx, a.OrgID, q.Department)
		if err != nil {
			return PeoplePage{}, err
		}
		if !ok {
			return PeoplePage{}, errs.NotFoundf("department")
		}
	}
	if q.Manager != uuid.Nil {
		if _, err := s.member(ctx, a, q.Manager); err != nil {
			return PeoplePage{}, err
		}
	}
	want := q.Limit
	q.Limit++
	rows, total, err := s.people.People(ctx, a.OrgID, q)
	if err != nil {
		return PeoplePage{}, err
	}
	page := PeoplePage{Items: rows, Total: total}
	if len(rows) > want {
		page.Items = rows[:want]
		page.Next = page.Items[want-1].Key
	}
	return page, nil
}

// mayReadPrivate reports whether the actor sees a member's mobile and hire date: the member
// themself, and holders of members.manage.
func (s *Service) mayReadPrivate(ctx context.Context, a authz.Actor) (bool, error) {
	return s.authz.Can(ctx, a, access.MembersManage, "")
}

// private blanks what only the member and those who manage members see.
func private(m Member) Member {
	m.Profile.Mobile, m.Profile.HireDate = "", nil
	return m
}
