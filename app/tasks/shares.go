package tasks

import (
	"context"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/tasks"
)

// ShareView is a share with the name of whom it is with.
type ShareView struct {
	Share tasks.Share
	Name  string
}

// principalName names a principal of the actor's organisation (a member only while active);
// NotFound when it has none (another organisation's alike).
func (s *Service) principalName(ctx context.Context, a authz.Actor, p tasks.Principal) (string, error) {
	switch p.Type {
	case tasks.PrincipalUser:
		// A deactivated member is as unknown as a missing one: a share given now would open
		// the list to them the day they came back, unseen by whoever reactivated them.
		if active, err := s.directory.ActiveMembers(ctx, a.OrgID, []uuid.UUID{p.ID}); err != nil {
			return "", err
		} else if len(active) == 0 {
			return "", errs.NotFoundf("member")
		}
		names, err := s.directory.Names(ctx, a.OrgID, []uuid.UUID{p.ID})
		if err != nil {
			return "", err
		}
		name, ok := names[p.ID]
		if !ok {
			return "", errs.NotFoundf("member")
		}
		return name, nil
	case tasks.PrincipalGroup:
		return s.directory.Group(ctx, a.OrgID, p.ID)
	default:
		d, err := s.directory.Department(ctx, a.OrgID, p.ID)
		return d.Name, err
	}
}

// shareViews names shares.
func (s *Service) shareViews(ctx context.Context, a authz.Actor, shs []tasks.Share) ([]ShareView, error) {
	var users, groups, depts []uuid.UUID
	for _, sh := range shs {
		switch sh.Principal.Type {
		case tasks.PrincipalUser:
			users = append(users, sh.Principal.ID)
		case tasks.PrincipalGroup:
			groups = append(groups, sh.Principal.ID)
		default:
			depts = append(depts, sh.Principal.ID)
		}
	}
	names, err := s.directory.Names(ctx, a.OrgID, users)
	if err != nil {
		return nil, err
	}
	gnames, err := s.directory.GroupNames(ctx, a.OrgID, groups)
	if err != nil {
		return nil, err
	}
	dmap, err := s.directory.Departments(ctx, a.OrgID, depts)
	if err != nil {
		return nil, err
	}
	out := make([]ShareView, len(shs))
	for i, sh := range shs {
		v := ShareView{Share: sh}
		switch sh.Principal.Type {
		case tasks.PrincipalUser:
			v.Name = names[sh.Principal.ID]
		case tasks.PrincipalGroup:
			v.Name = gnames[sh.Principal.ID]
		default:
			v.Name = dmap[sh.Principal.ID].Name
		}
		out[i] = v
	}
	return out, nil
}

func shareAudit(sh tasks.Share) map[string]any {
	return map[string]any{"principal_type": sh.Principal.Type, "principal_id": sh.Principal.ID, "role": sh.Role}
}

// ListShares returns a page of a list's shares; whoever may see the list may.
func (s *Service) ListShares(ctx context.Context, a authz.Actor, listID uuid.UUID, limit, offset int) ([]ShareView, int, error) {
	if _, err := s.readList(ctx, a, listID); err != nil {
		return nil, 0, err
	}
	shs, total, err := s.shares.Of(ctx, a.OrgID, listID, uuid.Nil, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	vs, err := s.shareViews(ctx, a, shs)
	return vs, total, err
}

// ShareList shares a list with a member, a group or a department (its subtree) as viewer,
// editor or manager, or changes the role of its share; only its managers may. Audited.
func (s *Service) ShareList(ctx context.Context, a authz.Actor, listID uuid.UUID, p tasks.Principal, role tasks.Role) (ShareView, error) {
	la, err := s.readList(ctx, a, listID)
	if err != nil {
		return ShareView{}, err
	}
	if err := la.need(LevelManage); err != nil {
		return ShareView{}, err
	}
	name, err := s.principalName(ctx, a, p)
	if err != nil {
		return ShareView{}, err
	}
	sh := tasks.Share{OrgID: a.OrgID, ListID: listID, Principal: p, Role: role, CreatedBy: a.UserID, CreatedAt: s.now()}
	err = s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.shares.Put(ctx, sh); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.listChanged(ctx, a, la.List, "list_updated"); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("tasks.list_share", "task_list", listID.String(), nil, shareAudit(sh)), nil
	})
	if err != nil {
		return ShareView{}, err
	}
	return ShareView{Share: sh, Name: name}, nil
}

// UnshareList removes a list's share; only its managers may. Audited.
func (s *Service) UnshareList(ctx context.Context, a authz.Actor, listID uuid.UUID, p tasks.Principal) error {
	la, err := s.readList(ctx, a, listID)
	if err != nil {
		return err
	}
	if err := la.need(LevelManage); err != nil {
		return err
	}
	sh, err := s.shares.Get(ctx, a.OrgID, listID, uuid.Nil, p)
	if err != nil {
		return err
	}
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.shares.Delete(ctx, a.OrgID, listID, uuid.Nil, p); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.listChanged(ctx, a, la.List, "list_updated"); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("tasks.list_unshare", "task_list", listID.String(), shareAudit(sh), nil), nil
	})
}

// TaskShares returns a page of a task's shares; whoever may read the task may.
func (s *Service) TaskShares(ctx context.Context, a authz.Actor, taskID uuid.UUID, limit, offset int) ([]ShareView, int, error) {
	if _, _, err := s.readTask(ctx, a, taskID); err != nil {
		return nil, 0, err
	}
	shs, total, err := s.shares.Of(ctx, a.OrgID, uuid.Nil, taskID, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	vs, err := s.shareViews(ctx, a, shs)
	return vs, total, err
}

// mayShareTask is nil when the actor may give (or take back) role on a task: its list's
// managers may; so may whoever may write the task, up to editor, since nobody grants more
// than they hold.
func mayShareTask(ta TaskAccess, role tasks.Role) error {
	if ta.Level >= LevelManage {
		return nil
	}
	if ta.Level < LevelWrite {
		return errs.E(errs.Forbidden, "forbidden", "you may only view this task, so you may not share it")
	}
	if roleLevel(role) > ta.Level {
		return errs.E(errs.Forbidden, "cannot_grant", "you cannot give a role above your own")
	}
	return nil
}

// ShareTask shares a single task (and its subtasks) with a member or a group, who then sees that
// task only, or changes the role of its share. Audited.
func (s *Service) ShareTask(ctx context.Context, a authz.Actor, taskID uuid.UUID, p tasks.Principal, role tasks.Role) (ShareView, error) {
	t, ta, err := s.readTask(ctx, a, taskID)
	if err != nil {
		return ShareView{}, err
	}
	if err := mayShareTask(ta, role); err != nil {
		return ShareView{}, err
	}
	if old, err := s.shares.Get(ctx, a.OrgID, uuid.Nil, taskID, p); err == nil {
		if err := mayShareTask(ta, old.Role); err != nil {
			return ShareView{}, err
		}
	} else if !errs.Is(err, errs.NotFound) {
		return ShareView{}, err
	}
	name, err := s.principalName(ctx, a, p)
	if err != nil {
		return ShareView{}, err
	}
	sh := tasks.Share{OrgID: a.OrgID, TaskID: taskID, Principal: p, Role: role, CreatedBy: a.UserID, CreatedAt: s.now()}
	err = s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.shares.Put(ctx, sh); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.activity(ctx, a, t, ActionShared, nil, shareAudit(sh)); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.boardChanged(ctx, a, t, "updated"); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("tasks.task_share", "task", taskID.String(), nil, shareAudit(sh)), nil
	})
	if err != nil {
		return ShareView{}, err
	}
	return ShareView{Share: sh, Name: name}, nil
}

// UnshareTask removes a task's share: its list's managers may, and so may whoever may write the
// task for a share no stronger than their own access. Audited.
func (s *Service) UnshareTask(ctx context.Context, a authz.Actor, taskID uuid.UUID, p tasks.Principal) error {
	t, ta, err := s.readTask(ctx, a, taskID)
	if err != nil {
		return err
	}
	sh, err := s.shares.Get(ctx, a.OrgID, uuid.Nil, taskID, p)
	if err != nil {
		return err
	}
	if err := mayShareTask(ta, sh.Role); err != nil {
		return err
	}
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.shares.Delete(ctx, a.OrgID, uuid.Nil, taskID, p); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.activity(ctx, a, t, ActionUnshared, shareAudit(sh), nil); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.boardChanged(ctx, a, t, "updated"); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("tasks.task_unshare", "task", taskID.String(), shareAudit(sh), nil), nil
	})
}
