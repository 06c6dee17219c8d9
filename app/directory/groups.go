package directory

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/directory"
	"canopy/domain/errs"
)

// scopeOf returns the path a group's grants are checked at: its department's, or the
// organisation's for a group of the whole organisation.
func (s *Service) scopeOf(ctx context.Context, orgID, departmentID uuid.UUID) (string, error) {
	if departmentID == uuid.Nil {
		return "", nil
	}
	d, err := s.departments.Get(ctx, orgID, departmentID)
	if err != nil {
		return "", err
	}
	return d.Path(), nil
}

// requireGroupManager allows those with groups.manage over the group's department (or the
// organisation) and the group's own owners: group ownership is data on the group, not a grant.
// An owner's power is managing the group, so an API token narrowed to permissions uses it only
// when it carries groups.manage, as every other check respects the token's scopes.
func (s *Service) requireGroupManager(ctx context.Context, a authz.Actor, g *directory.Group) error {
	scope, err := s.scopeOf(ctx, a.OrgID, g.DepartmentID())
	if err != nil {
		return err
	}
	ok, err := s.authz.Can(ctx, a, access.GroupsManage, scope)
	if err != nil || ok {
		return err
	}
	if !a.ScopeAllows(access.GroupsManage) {
		return errs.E(errs.Forbidden, "token_scope", "this token's scopes do not include "+string(access.GroupsManage)+", which managing a group needs, even as its owner")
	}
	role, err := s.read.GroupRole(ctx, a.OrgID, g.ID(), a.UserID)
	if err == nil && role == directory.GroupOwner {
		return nil
	}
	if err != nil && !errs.Is(err, errs.NotFound) {
		return err
	}
	return errs.E(errs.Forbidden, "forbidden", "only the group's owners and those who manage its department's groups can change it")
}

// canSee reports whether the actor may see a group: with directory.read, or as one of its
// members (guests see only the groups they are in).
func (s *Service) canSee(ctx context.Context, a authz.Actor, groupID uuid.UUID) error {
	ok, err := s.authz.Can(ctx, a, access.DirectoryRead, "")
	if err != nil || ok {
		return err
	}
	if _, err := s.read.GroupRole(ctx, a.OrgID, groupID, a.UserID); err != nil {
		if errs.Is(err, errs.NotFound) {
			return errs.NotFoundf("group")
		}
		return err
	}
	return nil
}

func groupState(g *directory.Group) map[string]any {
	return map[string]any{"name": g.Name(), "description": g.Description(), "department_id": access.OptionalID(g.DepartmentID()),
		"external_id": g.ExternalID(), "member_cap": g.MemberCap()}
}

// CreateGroup makes a group; owners and admins add its owners and members afterwards.
func (s *Service) CreateGroup(ctx context.Context, a authz.Actor, in directory.GroupInput) (*directory.Group, error) {
	g, err := directory.NewGroup(a.OrgID, in, s.clock.Now())
	if err != nil {
		return nil, err
	}
	err = s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		scope, err := s.scopeOf(ctx, a.OrgID, in.DepartmentID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.require(ctx, a, access.GroupsManage, scope); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("group.create", "group", g.ID().String(), nil, groupState(g)), s.groups.Create(ctx, g)
	})
	return g, err
}

// Group returns one group.
func (s *Service) Group(ctx context.Context, a authz.Actor, id uuid.UUID) (*directory.Group, error) {
	g, err := s.groups.Get(ctx, a.OrgID, id)
	if err != nil {
		return nil, err
	}
	return g, s.canSee(ctx, a, id)
}

// Groups lists the organisation's groups; without directory.read, only the caller's own.
func (s *Service) Groups(ctx context.Context, a authz.Actor, f directory.GroupFilter) ([]*directory.Group, int, error) {
	f.Limit, f.Offset = clampPage(f.Limit, f.Offset)
	ok, err := s.authz.Can(ctx, a, access.DirectoryRead, "")
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		f.MemberID = a.UserID
	}
	return s.groups.List(ctx, a.OrgID, f)
}

// UpdateGroup replaces a group's fields. Raising the cap above 1000 is refused.
func (s *Service) UpdateGroup(ctx context.Context, a authz.Actor, id uuid.UUID, in directory.GroupInput) (*directory.Group, error) {
	return s.updateGroup(ctx, a, id, func(*directory.Group) directory.GroupInput { return in })
}

// PatchGroup changes the fields the patch names and keeps the others.
func (s *Service) PatchGroup(ctx context.Context, a authz.Actor, id uuid.UUID, p directory.GroupPatch) (*directory.Group, error) {
	return s.updateGroup(ctx, a, id, func(g *directory.Group) directory.GroupInput { return g.Patched(p) })
}

func (s *Service) updateGroup(ctx context.Context, a authz.Actor, id uuid.UUID, change func(*directory.Group) directory.GroupInput) (*directory.Group, error) {
	var g *directory.Group
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		var err error
		if g, err = s.groups.Get(ctx, a.OrgID, id); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.requireGroupManager(ctx, a, g); err != nil {
			return access.AuditEntry{}, err
		}
		in := change(g)
		if in.DepartmentID != g.DepartmentID() {
			// Moving a group needs the right over where it goes too.
			scope, err := s.scopeOf(ctx, a.OrgID, in.DepartmentID)
			if err != nil {
				return access.AuditEntry{}, err
			}
			if err := s.require(ctx, a, access.GroupsManage, scope); err != nil {
				return access.AuditEntry{}, err
			}
		}
		before := groupState(g)
		if err := g.Update(in, s.clock.Now()); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("group.update", "group", id.String(), before, groupState(g)), s.groups.Update(ctx, g)
	})
	return g, err
}

// DeleteGroup removes a group and its memberships.
func (s *Service) DeleteGroup(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		g, err := s.groups.Get(ctx, a.OrgID, id)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.requireGroupManager(ctx, a, g); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("group.delete", "group", id.String(), groupState(g), nil), s.groups.Delete(ctx, a.OrgID, id)
	})
}

// GroupMembers lists a group's members.
func (s *Service) GroupMembers(ctx context.Context, a authz.Actor, groupID uuid.UUID, limit, offset int) ([]GroupMember, int, error) {
	if _, err := s.Group(ctx, a, groupID); err != nil {
		return nil, 0, err
	}
	limit, offset = clampPage(limit, offset)
	return s.read.GroupMembers(ctx, a.OrgID, groupID, limit, offset)
}

// AddGroupMember adds a member to a group, or changes their role when they are already in it.
// Past the cap it is a conflict that names the cap.
func (s *Service) AddGroupMember(ctx context.Context, a authz.Actor, groupID, userID uuid.UUID, role directory.GroupRole) error {
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		g, err := s.groups.Get(ctx, a.OrgID, groupID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.requireGroupManager(ctx, a, g); err != nil {
			return access.AuditEntry{}, err
		}
		e := a.Entry("group.member.add", "group", groupID.String(), nil, map[string]any{"user_id": userID, "role": role})
		err = s.groups.AddMember(ctx, a.OrgID, groupID, userID, role, s.clock.Now())
		var de *errs.Error
		if errors.As(err, &de) && de.Code == "already_in_group" {
			e.Action = "group.member.role"
			return e, s.groups.SetMemberRole(ctx, a.OrgID, groupID, userID, role)
		}
		return e, err
	})
}

// RemoveGroupMember takes a member out of a group.
func (s *Service) RemoveGroupMember(ctx context.Context, a authz.Actor, groupID, userID uuid.UUID) error {
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		g, err := s.groups.Get(ctx, a.OrgID, groupID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.requireGroupManager(ctx, a, g); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("group.member.remove", "group", groupID.String(), map[string]any{"user_id": userID}, nil),
			s.groups.RemoveMember(ctx, a.OrgID, groupID, userID)
	})
}

// BulkSelection names the members a bulk addition to a group adds: a department (with its
// subtree or not), a list of emails, or a list of user ids.
type BulkSelection struct {
	DepartmentID uuid.UUID
	Subtree      bool
	Emails       []string
	UserIDs      []uuid.UUID
}

// BulkResult is what a bulk addition did.
type BulkResult struct {
	// Added are the members it added.
	Added []uuid.UUID
	// AlreadyIn counts the active members it named who were in the group already.
	AlreadyIn int
	// SkippedDeactivated and SkippedGuests count those it named but does not add.
	SkippedDeactivated int
	SkippedGuests      int
	// MemberCount is the group's count after it.
	MemberCount int
}

// AddGroupMembers adds every active member the selection names who is not in the group yet,
// as plain members, all or nothing: past the group's cap it is the conflict ErrGroupCapPassed
// names, an email or user id that is not a member of the organisation is Invalid and lists them,
// and nothing is added. Deactivated members and guests are counted and left out. It needs what
// adding one member needs (requireGroupManager), and a department must be one the actor may
// read (NotFound otherwise, like one of another organisation).
func (s *Service) AddGroupMembers(ctx context.Context, a authz.Actor, groupID uuid.UUID, sel BulkSelection) (BulkResult, error) {
	var res BulkResult
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		g, err := s.groups.Get(ctx, a.OrgID, groupID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.requireGroupManager(ctx, a, g); err != nil {
			return access.AuditEntry{}, err
		}
		cands, source, err := s.candidates(ctx, a, sel)
		if err != nil {
			return access.AuditEntry{}, err
		}
		eligible := make([]uuid.UUID, 0, len(cands))
		seen := make(map[uuid.UUID]bool, len(cands))
		for _, c := range cands {
			switch {
			case seen[c.UserID]:
				continue
			case !c.Active:
				res.SkippedDeactivated++
			case c.Guest:
				res.SkippedGuests++
			default:
				eligible = append(eligible, c.UserID)
			}
			seen[c.UserID] = true
		}
		if res.Added, res.MemberCount, err = s.groups.AddMembers(ctx, a.OrgID, groupID, eligible, s.clock.Now()); err != nil {
			return access.AuditEntry{}, err
		}
		res.AlreadyIn = len(eligible) - len(res.Added)
		if res.Added == nil {
			res.Added = []uuid.UUID{}
		}
		return a.Entry("group.member.bulk_add", "group", groupID.String(), nil,
			map[string]any{"source": source, "count": len(res.Added), "user_ids": res.Added}), nil
	})
	return res, err
}

// requireWholeDirectory refuses a list of emails or ids to someone who may not read the whole
// directory (a guest who owns a group, a department-scoped reader): which addresses are members,
// and their ids, is what the answer tells.
func (s *Service) requireWholeDirectory(ctx context.Context, a authz.Actor) error {
	return authz.Require(ctx, s.authz, a, access.DirectoryRead, "")
}

// candidates resolves a selection to the members it names, and says what named them for the audit.
func (s *Service) candidates(ctx context.Context, a authz.Actor, sel BulkSelection) ([]Candidate, map[string]any, error) {
	switch {
	case sel.DepartmentID != uuid.Nil:
		d, err := s.departments.Get(ctx, a.OrgID, sel.DepartmentID)
		if err != nil {
			return nil, nil, err
		}
		if err := s.requireRead(ctx, a, d); err != nil {
			return nil, nil, err
		}
		cs, err := s.read.DepartmentCandidates(ctx, d, sel.Subtree)
		return cs, map[string]any{"department_id": d.ID(), "include_subtree": sel.Subtree}, err
	case len(sel.Emails) > 0:
		if err := s.requireWholeDirectory(ctx, a); err != nil {
			return nil, nil, err
		}
		cs, err := s.read.CandidatesByEmail(ctx, a.OrgID, sel.Emails)
		if err != nil {
			return nil, nil, err
		}
		known := make(map[string]bool, len(cs))
		for _, c := range cs {
			known[strings.ToLower(c.Email)] = true
		}
		var unknown []string
		for _, e := range sel.Emails {
			if !known[strings.ToLower(e)] {
				unknown = append(unknown, e)
				known[strings.ToLower(e)] = true // listed once
			}
		}
		if len(unknown) > 0 {
			return nil, nil, errs.E(errs.Invalid, "unknown_emails", listed("these emails are not members of the organisation, so nothing was added", unknown))
		}
		return cs, map[string]any{"emails": len(sel.Emails)}, nil
	default:
		if err := s.requireWholeDirectory(ctx, a); err != nil {
			return nil, nil, err
		}
		cs, err := s.read.CandidatesByID(ctx, a.OrgID, sel.UserIDs)
		if err != nil {
			return nil, nil, err
		}
		known := make(map[uuid.UUID]bool, len(cs))
		for _, c := range cs {
			known[c.UserID] = true
		}
		var unknown []string
		for _, id := range sel.UserIDs {
			if !known[id] {
				unknown = append(unknown, id.String())
				known[id] = true
			}
		}
		if len(unknown) > 0 {
			return nil, nil, errs.E(errs.Invalid, "unknown_members", listed("these users are not members of the organisation, so nothing was added", unknown))
		}
		return cs, map[string]any{"user_ids": len(sel.UserIDs)}, nil
	}
}

// listed ends a message with how many items it is about and up to 50 of them:
// "... (2): a, b".
func listed(what string, items []string) string {
	shown, more := items, ""
	if len(items) > 50 {
		shown, more = items[:50], ", and "+strconv.Itoa(len(items)-50)+" more"
	}
	return what + " (" + strconv.Itoa(len(items)) + "): " + strings.Join(shown, ", ") + more
}
