package directory

import (
	"context"
	"errors"

	"github.com/google/uuid"

	apporg "canopy/app/org"
	"canopy/domain/directory"
	"canopy/domain/errs"
)

// requireGroupManager allows owners and admins of the organisation and owners of the group.
func (s *Service) requireGroupManager(ctx context.Context, a apporg.Actor, groupID uuid.UUID) error {
	if a.Membership.CanManageMembers() {
		return nil
	}
	role, err := s.read.GroupRole(ctx, a.OrgID, groupID, a.UserID)
	if err == nil && role == directory.GroupOwner {
		return nil
	}
	if err != nil && !errs.Is(err, errs.NotFound) {
		return err
	}
	return errs.E(errs.Forbidden, "forbidden", "only the group's owners and the organisation's admins can change it")
}

func (s *Service) checkDepartment(ctx context.Context, orgID, id uuid.UUID) error {
	if id == uuid.Nil {
		return nil
	}
	_, err := s.departments.Get(ctx, orgID, id)
	return err
}

// CreateGroup makes a group; owners and admins add its owners and members afterwards.
func (s *Service) CreateGroup(ctx context.Context, a apporg.Actor, in directory.GroupInput) (*directory.Group, error) {
	if err := requireManager(a); err != nil {
		return nil, err
	}
	g, err := directory.NewGroup(a.OrgID, in, s.clock.Now())
	if err != nil {
		return nil, err
	}
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		if err := s.checkDepartment(ctx, a.OrgID, in.DepartmentID); err != nil {
			return err
		}
		return s.groups.Create(ctx, g)
	})
	return g, err
}

// Group returns one group.
func (s *Service) Group(ctx context.Context, a apporg.Actor, id uuid.UUID) (*directory.Group, error) {
	return s.groups.Get(ctx, a.OrgID, id)
}

// Groups lists the organisation's groups.
func (s *Service) Groups(ctx context.Context, a apporg.Actor, f directory.GroupFilter) ([]*directory.Group, int, error) {
	f.Limit, f.Offset = clampPage(f.Limit, f.Offset)
	return s.groups.List(ctx, a.OrgID, f)
}

// UpdateGroup replaces a group's fields. Raising the cap above 1000 is refused.
func (s *Service) UpdateGroup(ctx context.Context, a apporg.Actor, id uuid.UUID, in directory.GroupInput) (*directory.Group, error) {
	var g *directory.Group
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		var err error
		if g, err = s.groups.Get(ctx, a.OrgID, id); err != nil {
			return err
		}
		if err := s.requireGroupManager(ctx, a, id); err != nil {
			return err
		}
		if err := s.checkDepartment(ctx, a.OrgID, in.DepartmentID); err != nil {
			return err
		}
		if err := g.Update(in, s.clock.Now()); err != nil {
			return err
		}
		return s.groups.Update(ctx, g)
	})
	return g, err
}

// DeleteGroup removes a group and its memberships.
func (s *Service) DeleteGroup(ctx context.Context, a apporg.Actor, id uuid.UUID) error {
	if _, err := s.groups.Get(ctx, a.OrgID, id); err != nil {
		return err
	}
	if err := s.requireGroupManager(ctx, a, id); err != nil {
		return err
	}
	return s.groups.Delete(ctx, a.OrgID, id)
}

// GroupMembers lists a group's members.
func (s *Service) GroupMembers(ctx context.Context, a apporg.Actor, groupID uuid.UUID, limit, offset int) ([]GroupMember, int, error) {
	if _, err := s.groups.Get(ctx, a.OrgID, groupID); err != nil {
		return nil, 0, err
	}
	limit, offset = clampPage(limit, offset)
	return s.read.GroupMembers(ctx, a.OrgID, groupID, limit, offset)
}

// AddGroupMember adds a member to a group, or changes their role when they are already in it.
// Past the cap it is a conflict that names the cap.
func (s *Service) AddGroupMember(ctx context.Context, a apporg.Actor, groupID, userID uuid.UUID, role directory.GroupRole) error {
	if _, err := s.groups.Get(ctx, a.OrgID, groupID); err != nil {
		return err
	}
	if err := s.requireGroupManager(ctx, a, groupID); err != nil {
		return err
	}
	err := s.groups.AddMember(ctx, a.OrgID, groupID, userID, role, s.clock.Now())
	var e *errs.Error
	if errors.As(err, &e) && e.Code == "already_in_group" {
		return s.groups.SetMemberRole(ctx, a.OrgID, groupID, userID, role)
	}
	return err
}

// RemoveGroupMember takes a member out of a group.
func (s *Service) RemoveGroupMember(ctx context.Context, a apporg.Actor, groupID, userID uuid.UUID) error {
	if _, err := s.groups.Get(ctx, a.OrgID, groupID); err != nil {
		return err
	}
	if err := s.requireGroupManager(ctx, a, groupID); err != nil {
		return err
	}
	return s.groups.RemoveMember(ctx, a.OrgID, groupID, userID)
}
