package scim

import (
	"context"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/directory"
	"canopy/domain/errs"
)

// GroupMember is a member of a group as an identity provider sees them.
type GroupMember struct {
	UserID      uuid.UUID
	DisplayName string
}

// Group is a sub-group with its members; Members is nil when they were not asked for.
type Group struct {
	*directory.Group
	Members []GroupMember
}

// GroupInput is a group an identity provider creates, or the whole of one it replaces.
type GroupInput struct {
	Name       string
	ExternalID string
	Members    []uuid.UUID
}

// MemberOp says what a MemberEdit does.
type MemberOp int

// The member edits.
const (
	// AddMembers adds the users; those already in the group keep their place and role.
	AddMembers MemberOp = iota + 1
	// RemoveMembers removes the users, or everyone when All is set; users not in the group are
	// skipped, so a provider may repeat a removal.
	RemoveMembers
	// ReplaceMembers makes the users exactly the group's members.
	ReplaceMembers
)

// MemberEdit is one change to a group's members.
type MemberEdit struct {
	Op      MemberOp
	UserIDs []uuid.UUID
	All     bool
}

// GroupPatch is what an identity provider changes about a group: nil leaves a field as it is,
// and the member edits apply in order.
type GroupPatch struct {
	Name       *string
	ExternalID *string
	Members    []MemberEdit
}

// Groups returns a page of the organisation's groups that match f (nil: all) and how many
// match, with their members when asked.
func (s *Service) Groups(ctx context.Context, a authz.Actor, f Expr, limit, offset int, withMembers bool) ([]Group, int, error) {
	if err := s.requireProvisioner(ctx, a); err != nil {
		return nil, 0, err
	}
	limit, offset = clampPage(limit, offset)
	gs, total, err := s.read.Groups(ctx, a.OrgID, f, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Group, len(gs))
	ids := make([]uuid.UUID, len(gs))
	for i, g := range gs {
		out[i], ids[i] = Group{Group: g}, g.ID()
	}
	if withMembers && len(gs) > 0 {
		ms, err := s.read.GroupMembers(ctx, a.OrgID, ids)
		if err != nil {
			return nil, 0, err
		}
		for i := range out {
			out[i].Members = append([]GroupMember{}, ms[out[i].ID()]...)
		}
	}
	return out, total, nil
}

// Group returns one group, with all its members when asked; NotFound for any id that is not one
// of the organisation's groups.
func (s *Service) Group(ctx context.Context, a authz.Actor, id uuid.UUID, withMembers bool) (Group, error) {
	if err := s.requireProvisioner(ctx, a); err != nil {
		return Group{}, err
	}
	g, err := s.dir.Group(ctx, a, id)
	if err != nil {
		return Group{}, err
	}
	out := Group{Group: g}
	if !withMembers {
		return out, nil
	}
	// A group has at most 1000 members, so one read holds them all.
	ms, err := s.read.GroupMembers(ctx, a.OrgID, []uuid.UUID{id})
	if err != nil {
		return Group{}, err
	}
	out.Members = append([]GroupMember{}, ms[id]...)
	return out, nil
}

// CreateGroup makes an organisation-wide group with its members, in one transaction. A member
// past the group's cap is a conflict (group_full) and nothing is made.
func (s *Service) CreateGroup(ctx context.Context, a authz.Actor, in GroupInput) (Group, error) {
	if err := s.requireProvisioner(ctx, a); err != nil {
		return Group{}, err
	}
	var id uuid.UUID
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		g, err := s.dir.CreateGroup(ctx, a, directory.GroupInput{Name: in.Name, ExternalID: in.ExternalID})
		if err != nil {
			return err
		}
		id = g.ID()
		return s.editMembers(ctx, a, id, []MemberEdit{{Op: AddMembers, UserIDs: in.Members}})
	})
	if err != nil {
		return Group{}, err
	}
	return s.Group(ctx, a, id, true)
}

// ReplaceGroup sets a group's name, external id and members; its department, description and
// cap, which SCIM does not know, stay as they are.
func (s *Service) ReplaceGroup(ctx context.Context, a authz.Actor, id uuid.UUID, in GroupInput) (Group, error) {
	return s.PatchGroup(ctx, a, id, GroupPatch{Name: &in.Name, ExternalID: &in.ExternalID,
		Members: []MemberEdit{{Op: ReplaceMembers, UserIDs: in.Members}}})
}

// PatchGroup changes a group in one transaction: if one step fails, none happens.
func (s *Service) PatchGroup(ctx context.Context, a authz.Actor, id uuid.UUID, p GroupPatch) (Group, error) {
	if err := s.requireProvisioner(ctx, a); err != nil {
		return Group{}, err
	}
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		g, err := s.dir.Group(ctx, a, id)
		if err != nil {
			return err
		}
		if (p.Name != nil && *p.Name != g.Name()) || (p.ExternalID != nil && *p.ExternalID != g.ExternalID()) {
			in := directory.GroupInput{DepartmentID: g.DepartmentID(), Name: g.Name(), Description: g.Description(),
				ExternalID: g.ExternalID(), MemberCap: g.MemberCap()}
			if p.Name != nil {
				in.Name = *p.Name
			}
			if p.ExternalID != nil {
				in.ExternalID = *p.ExternalID
			}
			if _, err := s.dir.UpdateGroup(ctx, a, id, in); err != nil {
				return err
			}
		}
		return s.editMembers(ctx, a, id, p.Members)
	})
	if err != nil {
		return Group{}, err
	}
	return s.Group(ctx, a, id, true)
}

// DeleteGroup removes a group and its memberships.
func (s *Service) DeleteGroup(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	if err := s.requireProvisioner(ctx, a); err != nil {
		return err
	}
	return s.dir.DeleteGroup(ctx, a, id)
}

func (s *Service) editMembers(ctx context.Context, a authz.Actor, groupID uuid.UUID, edits []MemberEdit) error {
	if len(edits) == 0 {
		return nil
	}
	cur, err := s.read.GroupMembers(ctx, a.OrgID, []uuid.UUID{groupID})
	if err != nil {
		return err
	}
	in := map[uuid.UUID]bool{}
	for _, m := range cur[groupID] {
		in[m.UserID] = true
	}
	// A deactivated member may be added: identity providers keep disabled users in their
	// groups, and the place grants nothing while they are inactive. A user who is not a member,
	// or whom the provider deleted, is not a user it can add.
	add := func(id uuid.UUID) error {
		if in[id] {
			return nil
		}
		_, err := s.read.User(ctx, a.OrgID, id)
		if err == nil {
			err = s.dir.AddGroupMember(ctx, a, groupID, id, directory.GroupMember)
		}
		if errs.Is(err, errs.NotFound) {
			return errs.Wrap(errs.Invalid, "invalid_member", "user "+id.String()+" is not a member of the organisation", err)
		}
		if err != nil {
			return err
		}
		in[id] = true
		return nil
	}
	remove := func(id uuid.UUID) error {
		if !in[id] {
			return nil
		}
		if err := s.dir.RemoveGroupMember(ctx, a, groupID, id); err != nil {
			return err
		}
		delete(in, id)
		return nil
	}
	for _, e := range edits {
		switch e.Op {
		case AddMembers:
			for _, id := range e.UserIDs {
				if err := add(id); err != nil {
					return err
				}
			}
		case RemoveMembers:
			ids := e.UserIDs
			if e.All {
				ids = keys(in)
			}
			for _, id := range ids {
				if err := remove(id); err != nil {
					return err
				}
			}
		case ReplaceMembers:
			want := map[uuid.UUID]bool{}
			for _, id := range e.UserIDs {
				want[id] = true
			}
			// Removals first, so a full group has room for its new members.
			for _, id := range keys(in) {
				if !want[id] {
					if err := remove(id); err != nil {
						return err
					}
				}
			}
			for _, id := range e.UserIDs {
				if err := add(id); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func keys(m map[uuid.UUID]bool) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	return out
}
