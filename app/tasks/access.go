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

// checker answers one actor's permission questions for one computation, remembering each
// answer: a page asks the same few questions (a permission at a scope) for each of its lists
// and tasks, and each answer is a walk of the policy.
type checker struct {
	z    authz.Authorizer
	a    authz.Actor
	seen map[checkKey]bool
}

type checkKey struct {
	perm  access.Permission
	scope string
}

// check returns a checker for the actor.
func (s *Service) check(a authz.Actor) *checker {
	return &checker{z: s.authz, a: a, seen: map[checkKey]bool{}}
}

// can is authz.Authorizer.Can, asked once per permission and scope.
func (c *checker) can(ctx context.Context, perm access.Permission, scope string) (bool, error) {
	k := checkKey{perm, scope}
	if ok, seen := c.seen[k]; seen {
		return ok, nil
	}
	ok, err := c.z.Can(ctx, c.a, perm, scope)
	if err != nil {
		return false, err
	}
	c.seen[k] = ok
	return ok, nil
}

// listLevel is what the actor may do with a list: its raw level, or manage with tasks.manage at
// its scope (never a person's list), capped by their permissions (see capped).
func (c *checker) listLevel(ctx context.Context, p Principals, l *tasks.List, scope string, shareRole tasks.Role) (Level, error) {
	if l.OwnerKind() != tasks.OwnerPerson {
		if ok, err := c.can(ctx, access.TasksManage, scope); err != nil || ok {
			return LevelManage, err
		}
	}
	return c.capped(ctx, scope, rawListLevel(p, l, shareRole))
}

// capped lowers a level to what the actor's permissions allow: tasks.write to write or manage,
// tasks.read to read. Manage that comes from data (owning, creating, a manager's share) needs a
// credential that lets tasks.manage through, so a narrowed token never reaches past its scopes.
func (c *checker) capped(ctx context.Context, scope string, l Level) (Level, error) {
	if l == LevelNone {
		return LevelNone, nil
	}
	if l == LevelManage && !c.a.ScopeAllows(access.TasksManage) {
		l = LevelWrite
	}
	if l >= LevelWrite {
		if ok, err := c.can(ctx, access.TasksWrite, scope); err != nil || ok {
			return l, err
		}
	}
	if ok, err := c.can(ctx, access.TasksRead, scope); err != nil || !ok {
		return LevelNone, err
	}
	return LevelRead, nil
}

// grantAccess is the access a list's grant gives the principals.
func (c *checker) grantAccess(ctx context.Context, p Principals, g ListGrant) (ListAccess, error) {
	lv, err := c.listLevel(ctx, p, g.List, g.Scope, g.ShareRole)
	if err != nil {
		return ListAccess{}, err
	}
	return ListAccess{List: g.List, Level: lv, Scope: g.Scope, p: p}, nil
}

// listAccess computes the actor's access to a list they have read (deleted or not).
func (s *Service) listAccess(ctx context.Context, a authz.Actor, p Principals, l *tasks.List) (ListAccess, error) {
	gs, err := s.lists.Grants(ctx, a.OrgID, []uuid.UUID{l.ID()}, p)
	if err != nil {
		return ListAccess{}, err
	}
	g := gs[l.ID()]
	g.List = l
	return s.check(a).grantAccess(ctx, p, g)
}

// listAccesses returns the access to lists: those of known as they are, the others computed
// from their grants, read at once. A list the organisation does not have is left out.
func (s *Service) listAccesses(ctx context.Context, c *checker, p Principals, ids []uuid.UUID, known map[uuid.UUID]ListAccess) (map[uuid.UUID]ListAccess, error) {
	out := make(map[uuid.UUID]ListAccess, len(ids))
	var missing []uuid.UUID
	for _, id := range dedupe(ids) {
		if la, ok := known[id]; ok {
			out[id] = la
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	gs, err := s.lists.Grants(ctx, c.a.OrgID, missing, p)
	if err != nil {
		return nil, err
	}
	for id, g := range gs {
		if out[id], err = c.grantAccess(ctx, p, g); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readList reads a live list of the actor's organisation and their access to it: NotFound
// when it is missing, deleted, or they may not read it.
func (s *Service) readList(ctx context.Context, a authz.Actor, id uuid.UUID) (ListAccess, error) {
	p, err := s.principals(ctx, a)
	if err != nil {
		return ListAccess{}, err
	}
	gs, err := s.lists.Grants(ctx, a.OrgID, []uuid.UUID{id}, p)
	if err != nil {
		return ListAccess{}, err
	}
	g, ok := gs[id]
	if !ok || g.List.Deleted() {
		return ListAccess{}, errs.NotFoundf("task list")
	}
	la, err := s.check(a).grantAccess(ctx, p, g)
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
func (c *checker) taskLevel(ctx context.Context, la ListAccess, r TaskReach) (Level, error) {
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
	capped, err := c.capped(ctx, la.Scope, tl)
	if err != nil {
		return LevelNone, err
	}
	return max(lv, capped), nil
}

// taskAccessIn is the access to a task of a list the actor has the access la to, given what
// reaches the task.
func (c *checker) taskAccessIn(ctx context.Context, la ListAccess, r TaskReach) (TaskAccess, error) {
	lv, err := c.taskLevel(ctx, la, r)
	if err != nil {
		return TaskAccess{}, err
	}
	return TaskAccess{Level: lv, List: la.List, ListLevel: la.Level, Scope: la.Scope, p: la.p}, nil
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
	return s.check(a).taskAccessIn(ctx, la, reach[t.ID()])
}

// readTask reads a live task of the actor's organisation and their access to it: NotFound
// unless they may read it (a missing, deleted or unreachable task alike). The task, its list's
// grant and what reaches the task come in one read. The collab part of the module calls it too.
func (s *Service) readTask(ctx context.Context, a authz.Actor, id uuid.UUID) (*tasks.Task, TaskAccess, error) {
	p, err := s.principals(ctx, a)
	if err != nil {
		return nil, TaskAccess{}, err
	}
	g, err := s.tasks.Grant(ctx, a.OrgID, id, p)
	if err != nil {
		return nil, TaskAccess{}, notFound(err, "task")
	}
	if g.Task.Deleted() || g.List.List.Deleted() {
		return nil, TaskAccess{}, errs.NotFoundf("task")
	}
	c := s.check(a)
	la, err := c.grantAccess(ctx, p, g.List)
	if err != nil {
		return nil, TaskAccess{}, err
	}
	ta, err := c.taskAccessIn(ctx, la, g.Reach)
	if err != nil {
		return nil, TaskAccess{}, err
	}
	if ta.Level == LevelNone {
		return nil, TaskAccess{}, errs.NotFoundf("task")
	}
	return g.Task, ta, nil
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
