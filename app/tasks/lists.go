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

// Limits of a list.
const (
	// MaxSections bounds the sections of a list.
	MaxSections = 100
	// DefaultSectionName names the one section of a list made without any.
	DefaultSectionName = "Tasks"
)

var errNotFoundTask = errs.NotFoundf("task")

// ListView is a list with what the API shows beside it.
type ListView struct {
	List        *tasks.List
	Level       Level
	OwnerName   string
	CreatorName string
	Sections    []*tasks.Section
	Labels      []*tasks.Label
	OpenCount   int
	DoneCount   int
}

// CreateListInput asks for a new list.
type CreateListInput struct {
	Name        string
	Description string
	OwnerKind   tasks.OwnerKind
	// OwnerID is the person, group or department; uuid.Nil for oneself (a person's list) or
	// the organisation.
	OwnerID uuid.UUID
	// Sections names the sections to start with, in order; one named DefaultSectionName when none.
	Sections    []string
	Idempotency *IdempotencyKey
}

// CreateList makes a list: a person's for oneself only; a group's by its members (tasks.write)
// or with tasks.manage; a department's with tasks.manage over it; the organisation's with
// tasks.manage organisation-wide. Audited. With an Idempotency-Key, the same request again
// returns the list it made.
func (s *Service) CreateList(ctx context.Context, a authz.Actor, in CreateListInput) (ListView, error) {
	kind, err := tasks.ParseOwnerKind(string(in.OwnerKind))
	if err != nil {
		return ListView{}, err
	}
	if len(in.Sections) > MaxSections {
		return ListView{}, errs.E(errs.Invalid, "too_many_sections", "sections: at most 100")
	}
	owner, err := s.mayCreateList(ctx, a, kind, in.OwnerID)
	if err != nil {
		return ListView{}, err
	}
	names := in.Sections
	if len(names) == 0 {
		names = []string{DefaultSectionName}
	}
	now := s.now()
	l, err := tasks.NewList(a.OrgID, kind, owner, in.Name, in.Description, a.UserID, now)
	if err != nil {
		return ListView{}, err
	}
	ranks := tasks.Spread(len(names))
	sections := make([]*tasks.Section, len(names))
	for i, n := range names {
		if sections[i], err = tasks.NewSection(a.OrgID, l.ID(), n, ranks[i], now); err != nil {
			return ListView{}, err
		}
	}
	var id uuid.UUID
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		var err error
		id, _, err = s.idempotent(ctx, a, "tasks.create_list", in.Idempotency, func(ctx context.Context) (uuid.UUID, error) {
			if err := s.lists.Create(ctx, l); err != nil {
				return uuid.Nil, err
			}
			for _, sec := range sections {
				if err := s.sections.Create(ctx, sec); err != nil {
					return uuid.Nil, err
				}
			}
			if err := s.audit.Append(ctx, a.Entry("tasks.list_create", "task_list", l.ID().String(), nil, listAudit(l))); err != nil {
				return uuid.Nil, err
			}
			return l.ID(), s.listChanged(ctx, a, l, "list_updated")
		})
		return err
	})
	if err != nil {
		return ListView{}, err
	}
	return s.List(ctx, a, id)
}

// mayCreateList checks who may make a list of a kind for an owner, and returns the owner's id.
func (s *Service) mayCreateList(ctx context.Context, a authz.Actor, kind tasks.OwnerKind, owner uuid.UUID) (uuid.UUID, error) {
	switch kind {
	case tasks.OwnerPerson:
		if owner == uuid.Nil {
			owner = a.UserID
		}
		if owner != a.UserID {
			return uuid.Nil, errs.E(errs.Forbidden, "forbidden", "a person's list can only be made by that person")
		}
		return owner, authz.Require(ctx, s.authz, a, access.TasksWrite, "")
	case tasks.OwnerGroup:
		if owner == uuid.Nil {
			return uuid.Nil, errs.E(errs.Invalid, "missing_field", "owner_id: is required")
		}
		if _, err := s.directory.Group(ctx, a.OrgID, owner); err != nil {
			return uuid.Nil, err
		}
		if ok, err := s.authz.Can(ctx, a, access.TasksManage, ""); err != nil || ok {
			return owner, err
		}
		p, err := s.principals(ctx, a)
		if err != nil {
			return uuid.Nil, err
		}
		if !slices.Contains(p.Groups, owner) || p.Guest {
			return uuid.Nil, errs.E(errs.Forbidden, "forbidden", "only the group's members may make its lists")
		}
		return owner, authz.Require(ctx, s.authz, a, access.TasksWrite, "")
	case tasks.OwnerDepartment:
		if owner == uuid.Nil {
			return uuid.Nil, errs.E(errs.Invalid, "missing_field", "owner_id: is required")
		}
		d, err := s.directory.Department(ctx, a.OrgID, owner)
		if err != nil {
			return uuid.Nil, err
		}
		return owner, authz.Require(ctx, s.authz, a, access.TasksManage, d.Path)
	default:
		if owner != uuid.Nil && owner != a.OrgID {
			return uuid.Nil, errs.NotFoundf("organisation")
		}
		return a.OrgID, authz.Require(ctx, s.authz, a, access.TasksManage, "")
	}
}

func listAudit(l *tasks.List) map[string]any {
	return map[string]any{"name": l.Name(), "owner_kind": l.OwnerKind(), "owner_id": l.OwnerID(), "archived": l.Archived()}
}

// List returns a list the actor may read.
func (s *Service) List(ctx context.Context, a authz.Actor, id uuid.UUID) (ListView, error) {
	la, err := s.readList(ctx, a, id)
	if err != nil {
		return ListView{}, err
	}
	vs, err := s.listViews(ctx, a, []*tasks.List{la.List}, map[uuid.UUID]Level{id: la.Level})
	if err != nil {
		return ListView{}, err
	}
	return vs[0], nil
}

// ListsQuery asks for a page of the lists the actor may see.
type ListsQuery struct {
	Query     string
	OwnerKind tasks.OwnerKind
	OwnerID   uuid.UUID
	Archived  bool
	// Deleted asks for the lists deleted in the last RestoreDays that the actor manages.
	Deleted bool
	Limit   int
	Offset  int
}

// Lists returns a page of the lists the actor may see.
func (s *Service) Lists(ctx context.Context, a authz.Actor, q ListsQuery) ([]ListView, int, error) {
	if q.OwnerKind != "" {
		if _, err := tasks.ParseOwnerKind(string(q.OwnerKind)); err != nil {
			return nil, 0, err
		}
	}
	p, err := s.principals(ctx, a)
	if err != nil {
		return nil, 0, err
	}
	v, err := s.viewer(ctx, a, p)
	if err != nil {
		return nil, 0, err
	}
	lq := ListQuery{Viewer: v, Query: q.Query, OwnerKind: q.OwnerKind, OwnerID: q.OwnerID, Archived: q.Archived, Limit: q.Limit, Offset: q.Offset}
	if q.Deleted {
		// Only the ones they manage: read every candidate of the window, then page.
		lq.Deleted, lq.DeletedAfter, lq.Limit, lq.Offset = true, s.now().AddDate(0, 0, -tasks.RestoreDays), 1000, 0
	}
	rows, total, err := s.lists.Query(ctx, lq)
	if err != nil {
		return nil, 0, err
	}
	var deptIDs []uuid.UUID
	for _, r := range rows {
		if r.List.OwnerKind() == tasks.OwnerDepartment {
			deptIDs = append(deptIDs, r.List.OwnerID())
		}
	}
	depts, err := s.directory.Departments(ctx, a.OrgID, dedupe(deptIDs))
	if err != nil {
		return nil, 0, err
	}
	levels := map[uuid.UUID]Level{}
	var kept []*tasks.List
	c := s.check(a)
	for _, r := range rows {
		scope := ""
		if r.List.OwnerKind() == tasks.OwnerDepartment {
			scope = depts[r.List.OwnerID()].Path
		}
		lv, err := c.listLevel(ctx, p, r.List, scope, r.ShareRole)
		if err != nil {
			return nil, 0, err
		}
		if lv == LevelNone || (q.Deleted && lv < LevelManage) {
			total--
			continue
		}
		levels[r.List.ID()] = lv
		kept = append(kept, r.List)
	}
	if q.Deleted {
		total = len(kept)
		kept = kept[min(q.Offset, len(kept)):min(q.Offset+q.Limit, len(kept))]
	}
	vs, err := s.listViews(ctx, a, kept, levels)
	return vs, max(total, 0), err
}

// listViews builds the views of lists, with their sections, labels, counts and names.
func (s *Service) listViews(ctx context.Context, a authz.Actor, ls []*tasks.List, levels map[uuid.UUID]Level) ([]ListView, error) {
	out := make([]ListView, 0, len(ls))
	if len(ls) == 0 {
		return out, nil
	}
	var ids, users, groups, depts []uuid.UUID
	for _, l := range ls {
		ids, users = append(ids, l.ID()), append(users, l.CreatedBy())
		switch l.OwnerKind() {
		case tasks.OwnerPerson:
			users = append(users, l.OwnerID())
		case tasks.OwnerGroup:
			groups = append(groups, l.OwnerID())
		case tasks.OwnerDepartment:
			depts = append(depts, l.OwnerID())
		}
	}
	sections, err := s.sections.OfLists(ctx, a.OrgID, ids)
	if err != nil {
		return nil, err
	}
	labels, err := s.labels.OfLists(ctx, a.OrgID, ids)
	if err != nil {
		return nil, err
	}
	counts, err := s.lists.Counts(ctx, a.OrgID, ids)
	if err != nil {
		return nil, err
	}
	names, err := s.directory.Names(ctx, a.OrgID, dedupe(users))
	if err != nil {
		return nil, err
	}
	groupNames, err := s.directory.GroupNames(ctx, a.OrgID, dedupe(groups))
	if err != nil {
		return nil, err
	}
	deptMap, err := s.directory.Departments(ctx, a.OrgID, dedupe(depts))
	if err != nil {
		return nil, err
	}
	orgName := ""
	for _, l := range ls {
		var owner string
		switch l.OwnerKind() {
		case tasks.OwnerPerson:
			owner = names[l.OwnerID()]
		case tasks.OwnerGroup:
			owner = groupNames[l.OwnerID()]
		case tasks.OwnerDepartment:
			owner = deptMap[l.OwnerID()].Name
		case tasks.OwnerOrganisation:
			if orgName == "" {
				if orgName, err = s.directory.OrgName(ctx, a.OrgID); err != nil {
					return nil, err
				}
			}
			owner = orgName
		}
		c := counts[l.ID()]
		secs, labs := sections[l.ID()], labels[l.ID()]
		if secs == nil {
			secs = []*tasks.Section{}
		}
		if labs == nil {
			labs = []*tasks.Label{}
		}
		out = append(out, ListView{List: l, Level: levels[l.ID()], OwnerName: owner, CreatorName: names[l.CreatedBy()], Sections: secs,
			Labels: labs, OpenCount: c[0], DoneCount: c[1]})
	}
	return out, nil
}

// ListChange changes a list's name, description or archive state; nil fields stay.
type ListChange struct {
	Name        *string
	Description *string
	Archived    *bool
}

// UpdateList changes a list; only its managers may. Audited.
func (s *Service) UpdateList(ctx context.Context, a authz.Actor, id uuid.UUID, c ListChange) (ListView, error) {
	la, err := s.readList(ctx, a, id)
	if err != nil {
		return ListView{}, err
	}
	if err := la.need(LevelManage); err != nil {
		return ListView{}, err
	}
	l, now := la.List, s.now()
	before := listAudit(l)
	if c.Name != nil {
		if err := l.Rename(*c.Name, now); err != nil {
			return ListView{}, err
		}
	}
	if c.Description != nil {
		if err := l.SetDescription(*c.Description, now); err != nil {
			return ListView{}, err
		}
	}
	if c.Archived != nil {
		l.SetArchived(*c.Archived, now)
	}
	err = s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.lists.Update(ctx, l); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.listChanged(ctx, a, l, "list_updated"); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("tasks.list_update", "task_list", l.ID().String(), before, listAudit(l)), nil
	})
	if err != nil {
		return ListView{}, err
	}
	return s.List(ctx, a, id)
}

// DeleteList deletes a list (its managers only); a manager can restore it for RestoreDays.
// Audited.
func (s *Service) DeleteList(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	la, err := s.readList(ctx, a, id)
	if err != nil {
		return err
	}
	if err := la.need(LevelManage); err != nil {
		return err
	}
	l := la.List
	l.Delete(a.UserID, s.now())
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.lists.Update(ctx, l); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.listChanged(ctx, a, l, "deleted"); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("tasks.list_delete", "task_list", l.ID().String(), listAudit(l), nil), nil
	})
}

// RestoreList restores a deleted list. Only its managers see it: anyone else gets NotFound, and
// after RestoreDays it is Conflict restore_expired. Audited.
func (s *Service) RestoreList(ctx context.Context, a authz.Actor, id uuid.UUID) (ListView, error) {
	l, err := s.lists.Get(ctx, a.OrgID, id)
	if err != nil {
		return ListView{}, notFound(err, "task list")
	}
	p, err := s.principals(ctx, a)
	if err != nil {
		return ListView{}, err
	}
	la, err := s.listAccess(ctx, a, p, l)
	if err != nil {
		return ListView{}, err
	}
	if la.Level == LevelNone || (l.Deleted() && la.Level < LevelManage) {
		return ListView{}, errs.NotFoundf("task list")
	}
	if !l.Deleted() {
		return s.List(ctx, a, id)
	}
	if err := l.Restore(s.now()); err != nil {
		return ListView{}, err
	}
	err = s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.lists.Update(ctx, l); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.listChanged(ctx, a, l, "restored"); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("tasks.list_restore", "task_list", l.ID().String(), nil, listAudit(l)), nil
	})
	if err != nil {
		return ListView{}, err
	}
	return s.List(ctx, a, id)
}
