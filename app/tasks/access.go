package tasks

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/tasks"
)

// Level is what someone may do with a list or a task.
type Level int

// The levels, each including those before it.
const (
	LevelNone Level = iota
	LevelRead
	LevelWrite
	LevelManage
)

// String names a level for the API: "read", "write", "manage" (or "none").
func (l Level) String() string {
	switch l {
	case LevelRead:
		return "read"
	case LevelWrite:
		return "write"
	case LevelManage:
		return "manage"
	}
	return "none"
}

// roleLevel is the level a share's role gives.
func roleLevel(r tasks.Role) Level {
	switch r {
	case tasks.RoleViewer:
		return LevelRead
	case tasks.RoleEditor:
		return LevelWrite
	case tasks.RoleManager:
		return LevelManage
	}
	return LevelNone
}

// forbidden is the error for a level that is there but too low.
func forbidden(l Level) error {
	if l >= LevelManage {
		return errs.E(errs.Forbidden, "forbidden", "only a manager of the list may do this")
	}
	return errs.E(errs.Forbidden, "forbidden", "you may only view this")
}

// ListAccess is a list and what the actor may do with it.
type ListAccess struct {
	List  *tasks.List
	Level Level
	// Scope is the department path permissions are checked at ("" the organisation).
	Scope string
	p     Principals
}

// need is Forbidden unless the access allows l.
func (la ListAccess) need(l Level) error {
	if la.Level >= l {
		return nil
	}
	return forbidden(l)
}

// TaskAccess is what the actor may do with a task, and its list. A person who reaches the task
// only by a share, an assignment or a follow has ListLevel LevelNone: the list is not theirs to
// see.
type TaskAccess struct {
	Level     Level
	List      *tasks.List
	ListLevel Level
	Scope     string
	p         Principals
}

// need is Forbidden unless the access allows l.
func (ta TaskAccess) need(l Level) error {
	if ta.Level >= l {
		return nil
	}
	return forbidden(l)
}

// principals returns who the actor is for access.
func (s *Service) principals(ctx context.Context, a authz.Actor) (Principals, error) {
	return s.directory.Principals(ctx, a.OrgID, a.UserID)
}

// scopeOf returns the department path a list's permissions are checked at: its department's
// for a department list, the organisation's ("") otherwise.
func (s *Service) scopeOf(ctx context.Context, l *tasks.List) (string, error) {
	if l.OwnerKind() != tasks.OwnerDepartment {
		return "", nil
	}
	d, err := s.directory.Department(ctx, l.OrgID(), l.OwnerID())
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return "", nil
		}
		return "", err
	}
	return d.Path, nil
}

// ownerLevel is what membership of a list's owner gives (never to guests): a person's list is
// theirs to manage, a group's owners manage and its members write, a department's subtree and
// the organisation's members write.
func ownerLevel(p Principals, l *tasks.List) Level {
	if p.Guest || !p.Member {
		return LevelNone
	}
	switch l.OwnerKind() {
	case tasks.OwnerPerson:
		if l.OwnerID() == p.UserID {
			return LevelManage
		}
	case tasks.OwnerGroup:
		if slices.Contains(p.OwnedGroups, l.OwnerID()) {
			return LevelManage
		}
		if slices.Contains(p.Groups, l.OwnerID()) {
			return LevelWrite
		}
	case tasks.OwnerDepartment:
		if slices.Contains(p.Departments, l.OwnerID()) {
			return LevelWrite
		}
	case tasks.OwnerOrganisation:
		return LevelWrite
	}
	return LevelNone
}

// rawListLevel is what a list gives the principals before their permissions cap it: the owner
// membership, being its creator (manage), its shares.
func rawListLevel(p Principals, l *tasks.List, shareRole tasks.Role) Level {
	lv := max(ownerLevel(p, l), roleLevel(shareRole))
	if p.Member && l.CreatedBy() == p.UserID {
		lv = LevelManage
	}
	return lv
}

// listLevel is what the actor may do with a list: its raw level, or manage with tasks.manage at
// its scope (never a person's list), capped by their permissions (see capped).
func (s *Service) listLevel(ctx context.Context, a authz.Actor, p Principals, l *tasks.List, scope string, shareRole tasks.Role) (Level, error) {
	if l.OwnerKind() != tasks.OwnerPerson {
		if ok, err := s.authz.Can(ctx, a, access.TasksManage, scope); err != nil || ok {
			return LevelManage, err
		}
	}
	return s.capped(ctx, a, scope, rawListLevel(p, l, shareRole))
}

// capped lowers a level to what the actor's permissions allow: tasks.write to write or manage,
// tasks.read to read. Manage that comes from data (owning, creating, a manager's share) needs a
// credential that lets tasks.manage through, so a narrowed token never reaches past its scopes.
func (s *Service) capped(ctx context.Context, a authz.Actor, scope string, l Level) (Level, error) {
	if l == LevelNone {
		return LevelNone, nil
	}
	if l == LevelManage && !a.ScopeAllows(access.TasksManage) {
		l = LevelWrite
	}
	if l >= LevelWrite {
		if ok, err := s.authz.Can(ctx, a, access.TasksWrite, scope); err != nil || ok {
			return l, err
		}
	}
	if ok, err := s.authz.Can(ctx, a, access.TasksRead, scope); err != nil || !ok {
		return LevelNone, err
	}
	return LevelRead, nil
}

// listAccess computes the actor's access to a list they have read (deleted or not).
func (s *Service) listAccess(ctx context.Context, a authz.Actor, p Principals, l *tasks.List) (ListAccess, error) {
	scope, err := s.scopeOf(ctx, l)
	if err != nil {
		return ListAccess{}, err
	}
	roles, err := s.shares.ListRoles(ctx, a.OrgID, []uuid.UUID{l.ID()}, p)
	if err != nil {
		return ListAccess{}, err
	}
	lv, err := s.listLevel(ctx, a, p, l, scope, roles[l.ID()])
	if err != nil {
		return ListAccess{}, err
	}
	return ListAccess{List: l, Level: lv, Scope: scope, p: p}, nil
}

// readList reads a live list of the actor's organisation and their access to it: NotFound
// when it is missing, deleted, or they may not read it.
func (s *Service) readList(ctx context.Context, a authz.Actor, id uuid.UUID) (ListAccess, error) {
	l, err := s.lists.Get(ctx, a.OrgID, id)
	if err != nil {
		return ListAccess{}, notFound(err, "task list")
	}
	if l.Deleted() {
		return ListAccess{}, errs.NotFoundf("task list")
	}
	p, err := s.principals(ctx, a)
	if err != nil {
		return ListAccess{}, err
	}
	la, err := s.listAccess(ctx, a, p, l)
	if err != nil {
		return ListAccess{}, err
	}
	if la.Level == LevelNone {
		return ListAccess{}, errs.NotFoundf("task list")
	}
	return la, nil
}

// taskLevel is what the actor may do with a task of a list they have the access la to: the
// list's level, raised by the task's reach (its shares and those of the tasks above it, being
// assigned (write) or following (read)), capped by their permissions.
func (s *Service) taskLevel(ctx context.Context, a authz.Actor, la ListAccess, r TaskReach) (Level, error) {
	lv := la.Level
	if lv >= LevelWrite {
		return lv, nil
	}
	tl := min(roleLevel(r.ShareRole), LevelWrite)
	if r.Assignee {
		tl = LevelWrite
	}
	if r.Follower {
		tl = max(tl, LevelRead)
	}
	if tl <= lv {
		return lv, nil
	}
	capped, err := s.capped(ctx, a, la.Scope, tl)
	if err != nil {
		return LevelNone, err
	}
	return max(lv, capped), nil
}

// taskAccess computes the actor's access to a task and its list.
func (s *Service) taskAccess(ctx context.Context, a authz.Actor, p Principals, t *tasks.Task, l *tasks.List) (TaskAccess, error) {
	la, err := s.listAccess(ctx, a, p, l)
	if err != nil {
		return TaskAccess{}, err
	}
	reach, err := s.tasks.Reach(ctx, a.OrgID, []uuid.UUID{t.ID()}, p)
	if err != nil {
		return TaskAccess{}, err
	}
	lv, err := s.taskLevel(ctx, a, la, reach[t.ID()])
	if err != nil {
		return TaskAccess{}, err
	}
	return TaskAccess{Level: lv, List: l, ListLevel: la.Level, Scope: la.Scope, p: p}, nil
}

// readTask reads a live task of the actor's organisation and their access to it: NotFound
// unless they may read it (a missing, deleted or unreachable task alike). The collab part of
// the module calls it too.
func (s *Service) readTask(ctx context.Context, a authz.Actor, id uuid.UUID) (*tasks.Task, TaskAccess, error) {
	t, l, err := s.liveTask(ctx, a.OrgID, id)
	if err != nil {
		return nil, TaskAccess{}, err
	}
	p, err := s.principals(ctx, a)
	if err != nil {
		return nil, TaskAccess{}, err
	}
	ta, err := s.taskAccess(ctx, a, p, t, l)
	if err != nil {
		return nil, TaskAccess{}, err
	}
	if ta.Level == LevelNone {
		return nil, TaskAccess{}, errs.NotFoundf("task")
	}
	return t, ta, nil
}

// liveTask reads a task that is not deleted, in a list that is not deleted.
func (s *Service) liveTask(ctx context.Context, orgID, id uuid.UUID) (*tasks.Task, *tasks.List, error) {
	t, err := s.tasks.Get(ctx, orgID, id)
	if err != nil {
		return nil, nil, notFound(err, "task")
	}
	if t.Deleted() {
		return nil, nil, errs.NotFoundf("task")
	}
	l, err := s.lists.Get(ctx, orgID, t.ListID())
	if err != nil {
		return nil, nil, notFound(err, "task")
	}
	if l.Deleted() {
		return nil, nil, errs.NotFoundf("task")
	}
	return t, l, nil
}

// viewer returns who the actor is for listings.
func (s *Service) viewer(ctx context.Context, a authz.Actor, p Principals) (Viewer, error) {
	v := Viewer{OrgID: a.OrgID, Principal: p}
	r, err := s.authz.Reach(ctx, a, access.TasksManage)
	if err != nil {
		return v, err
	}
	v.ManageOrg, v.ManageDepartments = r.Org, r.Departments
	return v, nil
}

// reaches reports whether a member has any path to a task: its list's owner membership, the
// list's creator or shares, the task's (or a task above it's) shares, being assigned to or
// following it, or having created it; their permissions are not asked. The collab part asks it
// for mentions.
func (s *Service) reaches(ctx context.Context, orgID, userID uuid.UUID, t *tasks.Task) (bool, error) {
	p, err := s.directory.Principals(ctx, orgID, userID)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return false, nil
		}
		return false, err
	}
	if !p.Member {
		return false, nil
	}
	l, err := s.lists.Get(ctx, orgID, t.ListID())
	if err != nil {
		return false, notFound(err, "task")
	}
	roles, err := s.shares.ListRoles(ctx, orgID, []uuid.UUID{l.ID()}, p)
	if err != nil {
		return false, err
	}
	if rawListLevel(p, l, roles[l.ID()]) > LevelNone {
		return true, nil
	}
	r, err := s.tasks.Reach(ctx, orgID, []uuid.UUID{t.ID()}, p)
	if err != nil {
		return false, err
	}
	x := r[t.ID()]
	return x.ShareRole != "" || x.Assignee || x.Follower, nil
}

// reaching keeps of users those who reach the task (see reaches): a notification names the task,
// so someone who has lost it (left the group, was unassigned) is no longer told of it, whatever
// part they once had in it, its creator's included.
func (s *Service) reaching(ctx context.Context, t *tasks.Task, users []uuid.UUID) ([]uuid.UUID, error) {
	var out []uuid.UUID
	for _, u := range dedupe(users) {
		ok, err := s.reaches(ctx, t.OrgID(), u, t)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, u)
		}
	}
	return out, nil
}

// notFound turns a missing row into NotFound naming what.
func notFound(err error, what string) error {
	if errs.Is(err, errs.NotFound) {
		return errs.NotFoundf(what)
	}
	return err
}
