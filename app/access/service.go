// Package access holds the use cases of roles: the permission catalogue, custom roles, role
// assignments at organisation or department scope, and reading the audit log.
package access

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/errs"
)

// TxManager runs fn in one database transaction carried by the context it is given.
type TxManager interface {
	Within(ctx context.Context, fn func(ctx context.Context) error) error
}

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// Departments finds the departments of assignments.
type Departments interface {
	// DepartmentPath returns a department's path; NotFound unless it is the organisation's.
	DepartmentPath(ctx context.Context, orgID, id uuid.UUID) (string, error)
	// DepartmentRefs returns the organisation's departments among ids, in path order; ids of
	// departments that are gone or not the organisation's are left out.
	DepartmentRefs(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]DepartmentRef, error)
}

// DepartmentRef names a department: its id, its path of ids ("/root/…/dept/") and its name.
type DepartmentRef struct {
	ID   uuid.UUID
	Path string
	Name string
}

// Members checks that a user is a member of the organisation.
type Members interface {
	// IsMember reports whether the user is a member (active or not) of the organisation.
	IsMember(ctx context.Context, orgID, userID uuid.UUID) (bool, error)
}

// Reloader applies an organisation's committed grants on this replica at once; the others
// follow the notice within a second.
type Reloader interface {
	Reload(ctx context.Context, orgID uuid.UUID) error
}

// Service holds the access use cases.
type Service struct {
	tx          TxManager
	clock       Clock
	authz       authz.Authorizer
	notify      authz.PolicyNotifier
	roles       access.RoleRepository
	assignments access.AssignmentRepository
	audit       access.AuditLog
	departments Departments
	members     Members
	reloader    Reloader
}

// Deps are the adapters the service needs.
type Deps struct {
	Tx          TxManager
	Clock       Clock
	Authorizer  authz.Authorizer
	Notifier    authz.PolicyNotifier
	Roles       access.RoleRepository
	Assignments access.AssignmentRepository
	Audit       access.AuditLog
	Departments Departments
	Members     Members
	Reloader    Reloader
}

// NewService builds the service.
func NewService(d Deps) *Service {
	return &Service{tx: d.Tx, clock: d.Clock, authz: d.Authorizer, notify: d.Notifier, roles: d.Roles,
		assignments: d.Assignments, audit: d.Audit, departments: d.Departments, members: d.Members, reloader: d.Reloader}
}

// RoleView is a role as the console lists it: built-in or custom.
type RoleView struct {
	ID          uuid.UUID
	Builtin     access.Builtin // "" for a custom role
	Name        string
	Description string
	Permissions []access.Permission
}

// Roles lists the built-in roles and the organisation's custom roles.
func (s *Service) Roles(ctx context.Context, a authz.Actor) ([]RoleView, error) {
	if err := authz.Require(ctx, s.authz, a, access.OrgRead, ""); err != nil {
		return nil, err
	}
	out := make([]RoleView, 0, len(access.BuiltinOrder))
	for _, b := range access.BuiltinOrder {
		out = append(out, RoleView{ID: access.BuiltinRoleID(a.OrgID, b), Builtin: b, Name: string(b), Permissions: access.Builtins[b]})
	}
	custom, err := s.roles.List(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	for _, r := range custom {
		out = append(out, customView(r))
	}
	return out, nil
}

func customView(r *access.Role) RoleView {
	return RoleView{ID: r.ID(), Name: r.Name(), Description: r.Description(), Permissions: r.Permissions()}
}

func roleState(r *access.Role) map[string]any {
	return map[string]any{"name": r.Name(), "description": r.Description(), "permissions": r.Permissions()}
}

// changed runs a change to grants: the change, its audit entry and the notice that makes every
// replica reload the organisation's grants all commit together.
func (s *Service) changed(ctx context.Context, a authz.Actor, fn func(ctx context.Context) (access.AuditEntry, error)) error {
	if err := authz.Require(ctx, s.authz, a, access.RolesManage, ""); err != nil {
		return err
	}
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		e, err := fn(ctx)
		if err != nil {
			return err
		}
		if err := s.audit.Append(ctx, e); err != nil {
			return err
		}
		return s.notify.PolicyChanged(ctx, a.OrgID)
	})
	if err != nil {
		return err
	}
	return s.reloader.Reload(ctx, a.OrgID)
}

// CreateRole makes a custom role.
func (s *Service) CreateRole(ctx context.Context, a authz.Actor, in access.RoleInput) (RoleView, error) {
	r, err := access.NewRole(a.OrgID, in, s.clock.Now())
	if err != nil {
		return RoleView{}, err
	}
	err = s.changed(ctx, a, func(ctx context.Context) (access.AuditEntry, error) {
		return a.Entry("role.create", "role", r.ID().String(), nil, roleState(r)), s.roles.Create(ctx, r)
	})
	return customView(r), err
}

// UpdateRole changes a custom role; built-in roles cannot change.
func (s *Service) UpdateRole(ctx context.Context, a authz.Actor, id uuid.UUID, in access.RoleInput) (RoleView, error) {
	if _, ok := access.BuiltinOf(a.OrgID, id); ok {
		return RoleView{}, errs.E(errs.Conflict, "builtin_role", "built-in roles cannot be changed")
	}
	var r *access.Role
	err := s.changed(ctx, a, func(ctx context.Context) (access.AuditEntry, error) {
		var err error
		if r, err = s.roles.Get(ctx, a.OrgID, id); err != nil {
			return access.AuditEntry{}, err
		}
		before := roleState(r)
		had := r.Permissions()
		if err := r.Update(in, s.clock.Now()); err != nil {
			return access.AuditEntry{}, err
		}
		// A permission added to a role goes to everyone who holds the role, organisation-wide
		// for some of them: the caller must hold it organisation-wide.
		if err := authz.RequireGrantable(ctx, s.authz, a, added(had, r.Permissions()), ""); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("role.update", "role", id.String(), before, roleState(r)), s.roles.Update(ctx, r)
	})
	if err != nil {
		return RoleView{}, err
	}
	return customView(r), nil
}

// added returns the permissions of next that were not in prev.
func added(prev, next []access.Permission) []access.Permission {
	var out []access.Permission
	for _, p := range next {
		if !slices.Contains(prev, p) {
			out = append(out, p)
		}
	}
	return out
}

// DeleteRole removes a custom role and every assignment of it.
func (s *Service) DeleteRole(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	if _, ok := access.BuiltinOf(a.OrgID, id); ok {
		return errs.E(errs.Conflict, "builtin_role", "built-in roles cannot be deleted")
	}
	return s.changed(ctx, a, func(ctx context.Context) (access.AuditEntry, error) {
		r, err := s.roles.Get(ctx, a.OrgID, id)
		if err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("role.delete", "role", id.String(), roleState(r), nil), s.roles.Delete(ctx, a.OrgID, id)
	})
}

// AssignInput grants a role to a member, for the organisation or one department's subtree.
type AssignInput struct {
	UserID       uuid.UUID
	RoleID       uuid.UUID
	DepartmentID uuid.UUID
}

// Assign grants a custom role, or the built-in department admin role, to a member. Base roles
// (owner, admin, member, guest) are changed on the membership instead. The caller must hold
// every permission of the role at the assignment's scope (authz.RequireGrantable).
func (s *Service) Assign(ctx context.Context, a authz.Actor, in AssignInput) (access.Assignment, error) {
	out := access.Assignment{ID: uuid.New(), OrgID: a.OrgID, UserID: in.UserID, RoleID: in.RoleID, DepartmentID: in.DepartmentID, CreatedAt: s.clock.Now().UTC()}
	err := s.changed(ctx, a, func(ctx context.Context) (access.AuditEntry, error) {
		var perms []access.Permission
		if b, ok := access.BuiltinOf(a.OrgID, in.RoleID); ok {
			if b != access.BuiltinDeptAdmin {
				return access.AuditEntry{}, errs.E(errs.Invalid, "base_role", "owner, admin, member and guest are changed on the member, not assigned")
			}
			if in.DepartmentID == uuid.Nil {
				return access.AuditEntry{}, errs.E(errs.Invalid, "department_required", "the department admin role needs a department")
			}
			perms = access.Builtins[b]
		} else {
			r, err := s.roles.Get(ctx, a.OrgID, in.RoleID)
			if err != nil {
				return access.AuditEntry{}, err
			}
			perms = r.Permissions()
		}
		scope := ""
		if in.DepartmentID != uuid.Nil {
			var err error
			if scope, err = s.departments.DepartmentPath(ctx, a.OrgID, in.DepartmentID); err != nil {
				return access.AuditEntry{}, err
			}
		}
		// The role's permissions are granted at the assignment's scope: the caller must hold
		// each of them there.
		if err := authz.RequireGrantable(ctx, s.authz, a, perms, scope); err != nil {
			return access.AuditEntry{}, err
		}
		ok, err := s.members.IsMember(ctx, a.OrgID, in.UserID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if !ok {
			return access.AuditEntry{}, errs.NotFoundf("member")
		}
		e := a.Entry("role.assign", "member", in.UserID.String(), nil, map[string]any{"role_id": in.RoleID, "department_id": access.OptionalID(in.DepartmentID)})
		return e, s.assignments.Add(ctx, out)
	})
	return out, err
}

// Unassign takes an assignment back; every replica stops allowing it within a second.
func (s *Service) Unassign(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	return s.changed(ctx, a, func(ctx context.Context) (access.AuditEntry, error) {
		as, err := s.assignments.Remove(ctx, a.OrgID, id)
		if err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("role.unassign", "member", as.UserID.String(), map[string]any{"role_id": as.RoleID, "department_id": access.OptionalID(as.DepartmentID)}, nil), nil
	})
}

// Assignments lists assignments, optionally of one member or one department.
func (s *Service) Assignments(ctx context.Context, a authz.Actor, userID, departmentID uuid.UUID) ([]access.Assignment, error) {
	if err := authz.Require(ctx, s.authz, a, access.RolesManage, ""); err != nil {
		return nil, err
	}
	return s.assignments.List(ctx, a.OrgID, userID, departmentID)
}

// Audit lists the audit log, newest first.
func (s *Service) Audit(ctx context.Context, a authz.Actor, f access.AuditFilter) ([]access.AuditEntry, error) {
	if err := authz.Require(ctx, s.authz, a, access.AuditRead, ""); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	return s.audit.List(ctx, a.OrgID, f)
}

// Held is one permission the caller holds and where: the whole organisation, or the subtrees
// of Departments.
type Held struct {
	Permission  access.Permission
	Org         bool
	Departments []DepartmentRef
}

// MyPermissions returns what the actor may do, in the catalogue's order: each permission they
// hold somewhere, with its scope. It is what the authorizer allows, so a token narrowed to
// permissions holds only those it names. Any active member may ask, guests too; it tells the
// app what to offer, while every route still checks for itself.
func (s *Service) MyPermissions(ctx context.Context, a authz.Actor) ([]Held, error) {
	var out []Held
	var reaches [][]uuid.UUID
	var depts []uuid.UUID
	for _, p := range access.Catalogue {
		r, err := s.authz.Reach(ctx, a, p)
		if err != nil {
			return nil, err
		}
		if r.None() {
			continue
		}
		out = append(out, Held{Permission: p, Org: r.Org})
		reaches = append(reaches, r.Departments)
		for _, id := range r.Departments {
			if !slices.Contains(depts, id) {
				depts = append(depts, id)
			}
		}
	}
	if len(depts) == 0 {
		return out, nil
	}
	refs, err := s.departments.DepartmentRefs(ctx, a.OrgID, depts)
	if err != nil {
		return nil, err
	}
	for i := range out {
		for _, ref := range refs {
			if slices.Contains(reaches[i], ref.ID) {
				out[i].Departments = append(out[i].Departments, ref)
			}
		}
	}
	// A grant on a department that has since gone leaves nothing held there.
	return slices.DeleteFunc(out, func(h Held) bool { return !h.Org && len(h.Departments) == 0 }), nil
}
