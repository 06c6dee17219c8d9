// Package directory holds the use cases of an organisation's structure: browsing and editing the
// department tree, assigning members to departments, sub-groups, people cards and search.
package directory

import (
	"context"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/directory"
	"canopy/domain/errs"
)

// Service holds the directory use cases.
type Service struct {
	tx          TxManager
	clock       Clock
	limits      LimitsSource
	departments directory.DepartmentRepository
	assignments directory.AssignmentRepository
	groups      directory.GroupRepository
	read        Reader
	paths       PathResolver
	authz       authz.Authorizer
	audit       authz.Auditor
}

// Deps are the adapters the service needs.
type Deps struct {
	Tx          TxManager
	Clock       Clock
	Limits      LimitsSource
	Departments directory.DepartmentRepository
	Assignments directory.AssignmentRepository
	Groups      directory.GroupRepository
	Reader      Reader
	Paths       PathResolver
	Authorizer  authz.Authorizer
	Audit       authz.Auditor
}

// NewService builds the service.
func NewService(d Deps) *Service {
	return &Service{tx: d.Tx, clock: d.Clock, limits: d.Limits, departments: d.Departments, assignments: d.Assignments, groups: d.Groups, read: d.Reader, paths: d.Paths, authz: d.Authorizer, audit: d.Audit}
}

// require checks a permission at a department's scope ("" for the organisation).
func (s *Service) require(ctx context.Context, a authz.Actor, perm access.Permission, deptPath string) error {
	return authz.Require(ctx, s.authz, a, perm, deptPath)
}

// requireRead lets the actor read a department: they need directory.read over it. One outside
// their reach is NotFound, exactly like a department that does not exist, when they hold
// directory.read elsewhere: a reader scoped to Engineering must not learn which other
// departments exist by their ids, as they learn nothing of the people outside it. Without
// directory.read anywhere it is Forbidden, as the route's own gate says.
func (s *Service) requireRead(ctx context.Context, a authz.Actor, d *directory.Department) error {
	ok, err := s.authz.Can(ctx, a, access.DirectoryRead, d.Path())
	if err != nil || ok {
		return err
	}
	if ok, err = s.authz.CanAnywhere(ctx, a, access.DirectoryRead); err != nil {
		return err
	}
	if ok {
		return errs.NotFoundf("department")
	}
	return errs.E(errs.Forbidden, "forbidden", "you do not have the "+string(access.DirectoryRead)+" permission")
}

// recorded runs fn in a transaction and appends the audit entry it returns in the same one.
func (s *Service) recorded(ctx context.Context, fn func(ctx context.Context) (access.AuditEntry, error)) error {
	return s.tx.Within(ctx, func(ctx context.Context) error {
		e, err := fn(ctx)
		if err != nil {
			return err
		}
		return s.audit.Append(ctx, e)
	})
}

func deptState(d *directory.Department) map[string]any {
	return map[string]any{"name": d.Name(), "parent_id": access.OptionalID(d.ParentID()), "external_id": d.ExternalID(), "sort_order": d.SortOrder()}
}

// CreateRoot makes a new organisation's root department, named after it. Organisation creation
// calls it in its transaction.
func (s *Service) CreateRoot(ctx context.Context, orgID uuid.UUID, name string) error {
	root, err := directory.NewRoot(orgID, name, s.clock.Now())
	if err != nil {
		return err
	}
	return s.departments.Create(ctx, root)
}

// DepartmentView is a department with where it sits and its counts.
type DepartmentView struct {
	Node
	Ancestors []*directory.Department
	Leaders   []Person
}

// Department returns one department; id uuid.Nil means the root. One outside the actor's
// reach is NotFound (requireRead).
func (s *Service) Department(ctx context.Context, a authz.Actor, id uuid.UUID) (DepartmentView, error) {
	d, err := s.department(ctx, a.OrgID, id)
	if err != nil {
		return DepartmentView{}, err
	}
	if err := s.requireRead(ctx, a, d); err != nil {
		return DepartmentView{}, err
	}
	return s.view(ctx, d)
}

func (s *Service) department(ctx context.Context, orgID, id uuid.UUID) (*directory.Department, error) {
	if id == uuid.Nil {
		return s.departments.Root(ctx, orgID)
	}
	return s.departments.Get(ctx, orgID, id)
}

func (s *Service) view(ctx context.Context, d *directory.Department) (DepartmentView, error) {
	v := DepartmentView{Node: Node{Department: d}}
	for _, id := range d.AncestorIDs() {
		anc, err := s.departments.Get(ctx, d.OrgID(), id)
		if err != nil {
			return DepartmentView{}, err
		}
		v.Ancestors = append(v.Ancestors, anc)
	}
	var parent uuid.UUID
	if !d.IsRoot() {
		parent = d.ParentID()
	}
	if parent != uuid.Nil {
		siblings, err := s.read.Nodes(ctx, d.OrgID(), parent)
		if err != nil {
			return DepartmentView{}, err
		}
		for _, n := range siblings {
			if n.Department.ID() == d.ID() {
				v.Node = n
			}
		}
	} else {
		children, err := s.read.Nodes(ctx, d.OrgID(), d.ID())
		if err != nil {
			return DepartmentView{}, err
		}
		v.ChildCount = len(children)
		ids, err := s.read.DepartmentMemberIDs(ctx, d.OrgID(), d.ID())
		if err != nil {
			return DepartmentView{}, err
		}
		v.MemberCount = len(ids)
	}
	leaders, err := s.read.Leaders(ctx, d.OrgID(), d.ID())
	v.Leaders = leaders
	return v, err
}

// Children returns a department's children with their counts; parentID uuid.Nil means the root.
// A parent outside the actor's reach is NotFound (requireRead).
func (s *Service) Children(ctx context.Context, a authz.Actor, parentID uuid.UUID) ([]Node, error) {
	d, err := s.department(ctx, a.OrgID, parentID)
	if err != nil {
		return nil, err
	}
	if err := s.requireRead(ctx, a, d); err != nil {
		return nil, err
	}
	return s.read.Nodes(ctx, a.OrgID, d.ID())
}

// CreateDepartmentInput is a new department.
type CreateDepartmentInput struct {
	ParentID   uuid.UUID // uuid.Nil: under the root
	Name       string
	ExternalID string
}

// CreateDepartment adds a department at the end of its parent's children.
func (s *Service) CreateDepartment(ctx context.Context, a authz.Actor, in CreateDepartmentInput) (DepartmentView, error) {
	var d *directory.Department
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.departments.LockTree(ctx, a.OrgID); err != nil {
			return access.AuditEntry{}, err
		}
		parent, err := s.department(ctx, a.OrgID, in.ParentID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.require(ctx, a, access.DirectoryManage, parent.Path()); err != nil {
			return access.AuditEntry{}, err
		}
		lim, err := s.limits.Limits(ctx, a.OrgID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if d, err = directory.NewDepartment(parent, in.Name, in.ExternalID, lim.MaxDepartmentDepth, s.clock.Now()); err != nil {
			return access.AuditEntry{}, err
		}
		siblings, err := s.departments.Children(ctx, a.OrgID, parent.ID())
		if err != nil {
			return access.AuditEntry{}, err
		}
		d.SetSortOrder(len(siblings), s.clock.Now())
		return a.Entry("department.create", "department", d.ID().String(), nil, deptState(d)), s.departments.Create(ctx, d)
	})
	if err != nil {
		return DepartmentView{}, err
	}
	return s.view(ctx, d)
}

// DepartmentChange holds the changes to a department; nil leaves a field as it is. ParentID
// moves it with its subtree; Position places it among its (new) siblings, 0 being first.
type DepartmentChange struct {
	Name       *string
	ExternalID *string
	ParentID   *uuid.UUID
	Position   *int
}

// UpdateDepartment renames, re-ids, moves or reorders a department, all in one transaction with
// the organisation's tree locked, so concurrent moves cannot build a cycle between them.
func (s *Service) UpdateDepartment(ctx context.Context, a authz.Actor, id uuid.UUID, c DepartmentChange) (DepartmentView, error) {
	var d *directory.Department
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		before, err := s.updateDepartment(ctx, a, id, c, &d)
		if err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("department.update", "department", id.String(), before, deptState(d)), nil
	})
	if err != nil {
		return DepartmentView{}, err
	}
	return s.view(ctx, d)
}

// updateDepartment applies c to department id under the tree lock and returns its state before.
func (s *Service) updateDepartment(ctx context.Context, a authz.Actor, id uuid.UUID, c DepartmentChange, out **directory.Department) (map[string]any, error) {
	if err := s.departments.LockTree(ctx, a.OrgID); err != nil {
		return nil, err
	}
	d, err := s.departments.Get(ctx, a.OrgID, id)
	if err != nil {
		return nil, err
	}
	*out = d
	before := deptState(d)
	if err := s.require(ctx, a, access.DirectoryManage, d.Path()); err != nil {
		return nil, err
	}
	return before, s.applyDepartmentChange(ctx, a, d, c)
}

func (s *Service) applyDepartmentChange(ctx context.Context, a authz.Actor, d *directory.Department, c DepartmentChange) error {
	now := s.clock.Now()
	if c.Name != nil {
		if err := d.Rename(*c.Name, now); err != nil {
			return err
		}
	}
	if c.ExternalID != nil {
		if err := d.SetExternalID(*c.ExternalID, now); err != nil {
			return err
		}
	}
	if err := s.departments.Update(ctx, d); err != nil {
		return err
	}
	if c.ParentID != nil && *c.ParentID != d.ParentID() {
		if err := s.move(ctx, a, d, *c.ParentID); err != nil {
			return err
		}
	}
	if c.Position != nil || (c.ParentID != nil) {
		pos := -1
		if c.Position != nil {
			pos = *c.Position
		}
		return s.place(ctx, d, pos)
	}
	return nil
}

func (s *Service) move(ctx context.Context, a authz.Actor, d *directory.Department, parentID uuid.UUID) error {
	orgID := a.OrgID
	parent, err := s.departments.Get(ctx, orgID, parentID)
	if err != nil {
		return err
	}
	if err := s.require(ctx, a, access.DirectoryManage, parent.Path()); err != nil {
		return err
	}
	height, err := s.departments.Height(ctx, d)
	if err != nil {
		return err
	}
	lim, err := s.limits.Limits(ctx, orgID)
	if err != nil {
		return err
	}
	oldPath := d.Path()
	if err := d.MoveUnder(parent, height, lim.MaxDepartmentDepth, s.clock.Now()); err != nil {
		return err
	}
	return s.departments.Move(ctx, d, oldPath)
}

// place puts d at position among its siblings (at the end when position is negative or past
// the end) and renumbers them.
func (s *Service) place(ctx context.Context, d *directory.Department, position int) error {
	if d.IsRoot() {
		return nil
	}
	siblings, err := s.departments.Children(ctx, d.OrgID(), d.ParentID())
	if err != nil {
		return err
	}
	others := make([]*directory.Department, 0, len(siblings))
	for _, sib := range siblings {
		if sib.ID() != d.ID() {
			others = append(others, sib)
		}
	}
	if position < 0 || position > len(others) {
		position = len(others)
	}
	ordered := append(append(append([]*directory.Department{}, others[:position]...), d), others[position:]...)
	now := s.clock.Now()
	for i, sib := range ordered {
		if sib.SortOrder() == i && sib.ID() != d.ID() {
			continue
		}
		sib.SetSortOrder(i, now)
		if err := s.departments.Update(ctx, sib); err != nil {
			return err
		}
	}
	return nil
}

// DeleteOptions say where a department's children and members go when it is deleted; without
// them, a department that has either is not deleted.
type DeleteOptions struct {
	MoveChildrenTo uuid.UUID
	MoveMembersTo  uuid.UUID
}

// DeleteDepartment removes a department. Its children and members move first, in the same
// transaction, when the options say where.
func (s *Service) DeleteDepartment(ctx context.Context, a authz.Actor, id uuid.UUID, o DeleteOptions) error {
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.departments.LockTree(ctx, a.OrgID); err != nil {
			return access.AuditEntry{}, err
		}
		d, err := s.departments.Get(ctx, a.OrgID, id)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.require(ctx, a, access.DirectoryManage, d.Path()); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("department.delete", "department", id.String(), deptState(d), o), s.deleteDepartment(ctx, a, d, o)
	})
}

func (s *Service) deleteDepartment(ctx context.Context, a authz.Actor, d *directory.Department, o DeleteOptions) error {
	if d.IsRoot() {
		return errs.E(errs.Conflict, "root_undeletable", "the root department cannot be deleted")
	}
	if o.MoveChildrenTo != uuid.Nil {
		children, err := s.departments.Children(ctx, a.OrgID, d.ID())
		if err != nil {
			return err
		}
		for _, child := range children {
			if err := s.move(ctx, a, child, o.MoveChildrenTo); err != nil {
				return err
			}
			if err := s.place(ctx, child, -1); err != nil {
				return err
			}
		}
	}
	if o.MoveMembersTo != uuid.Nil {
		if o.MoveMembersTo == d.ID() {
			return errs.E(errs.Invalid, "invalid_request", "members cannot move to the department being deleted")
		}
		target, err := s.departments.Get(ctx, a.OrgID, o.MoveMembersTo)
		if err != nil {
			return err
		}
		if err := s.require(ctx, a, access.DirectoryManage, target.Path()); err != nil {
			return err
		}
		if err := s.reassignMembers(ctx, a.OrgID, d.ID(), o.MoveMembersTo); err != nil {
			return err
		}
	}
	return s.departments.Delete(ctx, a.OrgID, d.ID())
}

func (s *Service) reassignMembers(ctx context.Context, orgID, from, to uuid.UUID) error {
	ids, err := s.read.DepartmentMemberIDs(ctx, orgID, from)
	if err != nil {
		return err
	}
	for _, uid := range ids {
		as, err := s.assignments.Assignments(ctx, orgID, uid)
		if err != nil {
			return err
		}
		if err := s.assignments.Replace(ctx, orgID, uid, directory.MoveAssignment(as, from, to)); err != nil {
			return err
		}
	}
	return nil
}
