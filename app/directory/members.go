package directory

import (
	"context"

	"github.com/google/uuid"

	apporg "canopy/app/org"
	"canopy/domain/directory"
	"canopy/domain/errs"
)

// MemberQuery pages through a department's members.
type MemberQuery struct {
	DepartmentID uuid.UUID // uuid.Nil: the root
	Subtree      bool
	Query        string
	Limit        int
	Offset       int
}

func clampPage(limit, offset int) (int, int) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	if offset < 0 {
		offset = 0
	}
	return limit, offset
}

// DepartmentMembers lists a department's members, or its whole subtree's, in one query.
func (s *Service) DepartmentMembers(ctx context.Context, a apporg.Actor, q MemberQuery) ([]Person, int, error) {
	d, err := s.department(ctx, a.OrgID, q.DepartmentID)
	if err != nil {
		return nil, 0, err
	}
	limit, offset := clampPage(q.Limit, q.Offset)
	return s.read.Members(ctx, d, q.Subtree, q.Query, limit, offset)
}

// SetAssignments sets exactly which departments a member belongs to.
func (s *Service) SetAssignments(ctx context.Context, a apporg.Actor, userID uuid.UUID, as []directory.Assignment) error {
	if err := requireManager(a); err != nil {
		return err
	}
	return s.tx.Within(ctx, func(ctx context.Context) error {
		lim, err := s.limits.Limits(ctx, a.OrgID)
		if err != nil {
			return err
		}
		norm, err := directory.NormalizeAssignments(as, lim.MaxDeptsPerMember)
		if err != nil {
			return err
		}
		return s.assignments.Replace(ctx, a.OrgID, userID, norm)
	})
}

// AddToDepartment adds a member to a department, or changes whether they lead it.
func (s *Service) AddToDepartment(ctx context.Context, a apporg.Actor, departmentID, userID uuid.UUID, leader bool) error {
	return s.editAssignments(ctx, a, userID, func(as []directory.Assignment) ([]directory.Assignment, error) {
		for i := range as {
			if as[i].DepartmentID == departmentID {
				as[i].Leader = leader
				return as, nil
			}
		}
		return append(as, directory.Assignment{DepartmentID: departmentID, Leader: leader}), nil
	})
}

// RemoveFromDepartment takes a member out of a department; NotFound when they are not in it.
func (s *Service) RemoveFromDepartment(ctx context.Context, a apporg.Actor, departmentID, userID uuid.UUID) error {
	return s.editAssignments(ctx, a, userID, func(as []directory.Assignment) ([]directory.Assignment, error) {
		out := as[:0]
		found, wasPrimary := false, false
		for _, x := range as {
			if x.DepartmentID == departmentID {
				found, wasPrimary = true, x.Primary
				continue
			}
			out = append(out, x)
		}
		if !found {
			return nil, errs.NotFoundf("department member")
		}
		if wasPrimary && len(out) > 0 {
			out[0].Primary = true
		}
		return out, nil
	})
}

func (s *Service) editAssignments(ctx context.Context, a apporg.Actor, userID uuid.UUID, edit func([]directory.Assignment) ([]directory.Assignment, error)) error {
	if err := requireManager(a); err != nil {
		return err
	}
	return s.tx.Within(ctx, func(ctx context.Context) error {
		as, err := s.assignments.Assignments(ctx, a.OrgID, userID)
		if err != nil {
			return err
		}
		next, err := edit(as)
		if err != nil {
			return err
		}
		lim, err := s.limits.Limits(ctx, a.OrgID)
		if err != nil {
			return err
		}
		norm, err := directory.NormalizeAssignments(next, lim.MaxDeptsPerMember)
		if err != nil {
			return err
		}
		return s.assignments.Replace(ctx, a.OrgID, userID, norm)
	})
}

// Person returns a member's directory card.
func (s *Service) Person(ctx context.Context, a apporg.Actor, userID uuid.UUID) (PersonCard, error) {
	return s.read.Person(ctx, a.OrgID, userID)
}

// Search finds people, departments and groups; pinyin finds Chinese names ("zhangwei" and "zw"
// both find 张伟).
func (s *Service) Search(ctx context.Context, a apporg.Actor, query string, limit int) (SearchResult, error) {
	if len([]rune(query)) > 100 {
		return SearchResult{}, errs.Invalidf("q must be at most 100 characters")
	}
	if limit <= 0 || limit > 50 {
		limit = 20
	}
	return s.read.Search(ctx, a.OrgID, query, limit)
}
