package directory

import (
	"context"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
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

// DepartmentMembers lists a department's members, or its whole subtree's, in one query. A
// department outside the actor's reach is NotFound (requireRead).
func (s *Service) DepartmentMembers(ctx context.Context, a authz.Actor, q MemberQuery) ([]Person, int, error) {
	d, err := s.department(ctx, a.OrgID, q.DepartmentID)
	if err != nil {
		return nil, 0, err
	}
	if err := s.requireRead(ctx, a, d); err != nil {
		return nil, 0, err
	}
	limit, offset := clampPage(q.Limit, q.Offset)
	return s.read.Members(ctx, d, q.Subtree, q.Query, limit, offset)
}

// SetAssignments sets exactly which departments a member belongs to.
func (s *Service) SetAssignments(ctx context.Context, a authz.Actor, userID uuid.UUID, as []directory.Assignment) error {
	return s.editAssignments(ctx, a, userID, func([]directory.Assignment) ([]directory.Assignment, error) { return as, nil })
}

// AddToDepartment adds a member to a department, or changes whether they lead it.
func (s *Service) AddToDepartment(ctx context.Context, a authz.Actor, departmentID, userID uuid.UUID, leader bool) error {
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
func (s *Service) RemoveFromDepartment(ctx context.Context, a authz.Actor, departmentID, userID uuid.UUID) error {
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

// editAssignments changes a member's departments. The actor needs directory.manage over every
// department the change touches, so a department admin moves people only within their subtree.
func (s *Service) editAssignments(ctx context.Context, a authz.Actor, userID uuid.UUID, edit func([]directory.Assignment) ([]directory.Assignment, error)) error {
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		as, err := s.assignments.Assignments(ctx, a.OrgID, userID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		before := append([]directory.Assignment(nil), as...)
		next, err := edit(as)
		if err != nil {
			return access.AuditEntry{}, err
		}
		lim, err := s.limits.Limits(ctx, a.OrgID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		norm, err := directory.NormalizeAssignments(next, lim.MaxDeptsPerMember)
		if err != nil {
			return access.AuditEntry{}, err
		}
		for id := range touched(before, norm) {
			d, err := s.departments.Get(ctx, a.OrgID, id)
			if err != nil {
				return access.AuditEntry{}, err
			}
			if err := s.require(ctx, a, access.DirectoryManage, d.Path()); err != nil {
				return access.AuditEntry{}, err
			}
		}
		e := a.Entry("member.departments.set", "member", userID.String(), before, norm)
		return e, s.assignments.Replace(ctx, a.OrgID, userID, norm)
	})
}

// touched returns the departments whose assignment differs between before and after.
func touched(before, after []directory.Assignment) map[uuid.UUID]bool {
	out := map[uuid.UUID]bool{}
	old := map[uuid.UUID]directory.Assignment{}
	for _, x := range before {
		old[x.DepartmentID] = x
	}
	for _, x := range after {
		if o, ok := old[x.DepartmentID]; !ok || o != x {
			out[x.DepartmentID] = true
		}
		delete(old, x.DepartmentID)
	}
	for id := range old {
		out[id] = true
	}
	return out
}

// Person returns a member's directory card: the actor's own, or one within reach of their
// directory.read. With directory.read at departments only, a person outside those subtrees is
// NotFound, exactly like someone who is not a member.
func (s *Service) Person(ctx context.Context, a authz.Actor, userID uuid.UUID) (PersonCard, error) {
	if userID != a.UserID {
		r, err := s.authz.Reach(ctx, a, access.DirectoryRead)
		if err != nil {
			return PersonCard{}, err
		}
		if r.None() {
			return PersonCard{}, errs.E(errs.Forbidden, "forbidden", "you do not have the "+string(access.DirectoryRead)+" permission here")
		}
		if !r.Org {
			in, err := s.inSubtrees(ctx, a.OrgID, userID, r.Departments)
			if err != nil {
				return PersonCard{}, err
			}
			if !in {
				return PersonCard{}, errs.NotFoundf("member")
			}
		}
	}
	return s.read.Person(ctx, a.OrgID, userID)
}

// inSubtrees reports whether a user belongs to one of the departments given or to one below
// them. A member has a handful of departments and a reader a grant or two, so reading each is
// cheaper than it looks.
func (s *Service) inSubtrees(ctx context.Context, orgID, userID uuid.UUID, roots []uuid.UUID) (bool, error) {
	as, err := s.assignments.Assignments(ctx, orgID, userID)
	if err != nil || len(as) == 0 {
		return false, err
	}
	var within []*directory.Department
	for _, id := range roots {
		d, err := s.departments.Get(ctx, orgID, id)
		if errs.Is(err, errs.NotFound) {
			continue // deleted since the grant was loaded
		}
		if err != nil {
			return false, err
		}
		within = append(within, d)
	}
	for _, x := range as {
		d, err := s.departments.Get(ctx, orgID, x.DepartmentID)
		if err != nil {
			return false, err
		}
		for _, root := range within {
			if root.Contains(d) {
				return true, nil
			}
		}
	}
	return false, nil
}

// Search finds people, departments and groups; pinyin finds Chinese names ("zhangwei" and "zw"
// both find 张伟). It finds only what the actor may read: with directory.read at departments
// only, the people and departments of those subtrees, and the groups they are in themselves
// (as Groups lists them), the same reach as ListMembers and Person.
func (s *Service) Search(ctx context.Context, a authz.Actor, query string, limit int) (SearchResult, error) {
	if len([]rune(query)) > 100 {
		return SearchResult{}, errs.Invalidf("q must be at most 100 characters")
	}
	if limit <= 0 || limit > 50 {
		limit = 20
	}
	r, err := s.authz.Reach(ctx, a, access.DirectoryRead)
	if err != nil {
		return SearchResult{}, err
	}
	if r.None() {
		return SearchResult{}, errs.E(errs.Forbidden, "forbidden", "you do not have the "+string(access.DirectoryRead)+" permission")
	}
	var scope SearchScope
	if !r.Org {
		scope = SearchScope{Subtrees: r.Departments, MemberID: a.UserID}
	}
	return s.read.Search(ctx, a.OrgID, query, scope, limit)
}
