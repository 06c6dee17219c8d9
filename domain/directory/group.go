package directory

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/text"
)

// Group is a sub-group for a business unit, attached to a department or to the whole
// organisation, with at most MaxGroupMembers members.
type Group struct {
	id           uuid.UUID
	orgID        uuid.UUID
	departmentID uuid.UUID // uuid.Nil: the whole organisation
	name         string
	description  string
	externalID   string
	memberCap    int
	memberCount  int
	createdAt    time.Time
	updatedAt    time.Time
}

// GroupInput holds a group's editable fields.
type GroupInput struct {
	DepartmentID uuid.UUID
	Name         string
	Description  string
	ExternalID   string
	// MemberCap 0 means the hard cap.
	MemberCap int
}

// ParseMemberCap checks a group's member cap against the hard cap.
func ParseMemberCap(n int) (int, error) {
	if n == 0 {
		return MaxGroupMembers, nil
	}
	if n < 1 || n > MaxGroupMembers {
		return 0, errs.E(errs.Invalid, "invalid_member_cap", "member_cap must be between 1 and "+strconv.Itoa(MaxGroupMembers))
	}
	return n, nil
}

// parseGroupFields applies the text rule: a group's name is one that could stand in a path, like
// a department's (groups are provisioned by SCIM and may be named after departments), and its
// description may run over several lines.
func parseGroupFields(in GroupInput) (name, desc, ext string, cap int, err error) {
	if name, err = text.SegmentName("name", in.Name); err != nil {
		return "", "", "", 0, err
	}
	if n := utf8.RuneCountInString(name); n == 0 || n > 100 {
		return "", "", "", 0, errs.E(errs.Invalid, "invalid_group_name", "name must be 1 to 100 characters")
	}
	if err = text.MultiLine("description", in.Description); err != nil {
		return "", "", "", 0, err
	}
	desc = strings.TrimSpace(in.Description)
	if utf8.RuneCountInString(desc) > 2000 {
		return "", "", "", 0, errs.E(errs.Invalid, "invalid_description", "description must be at most 2000 characters")
	}
	if ext, err = ParseExternalID(in.ExternalID); err != nil {
		return "", "", "", 0, err
	}
	cap, err = ParseMemberCap(in.MemberCap)
	return name, desc, ext, cap, err
}

// NewGroup validates and returns a group.
func NewGroup(orgID uuid.UUID, in GroupInput, now time.Time) (*Group, error) {
	name, desc, ext, cap, err := parseGroupFields(in)
	if err != nil {
		return nil, err
	}
	now = now.UTC()
	return &Group{id: uuid.New(), orgID: orgID, departmentID: in.DepartmentID, name: name, description: desc,
		externalID: ext, memberCap: cap, createdAt: now, updatedAt: now}, nil
}

// RehydrateGroup rebuilds a stored group. It is for repository adapters only.
func RehydrateGroup(id, orgID, departmentID uuid.UUID, name, description, externalID string, memberCap, memberCount int, createdAt, updatedAt time.Time) *Group {
	return &Group{id, orgID, departmentID, name, description, externalID, memberCap, memberCount, createdAt, updatedAt}
}

// Update replaces the editable fields; on error nothing changes. A cap below the current member
// count is refused: members are never removed by lowering it.
func (g *Group) Update(in GroupInput, now time.Time) error {
	name, desc, ext, cap, err := parseGroupFields(in)
	if err != nil {
		return err
	}
	if cap < g.memberCount {
		return errs.E(errs.Conflict, "cap_below_members", "member_cap cannot be lower than the group's "+strconv.Itoa(g.memberCount)+" members")
	}
	g.departmentID, g.name, g.description, g.externalID, g.memberCap, g.updatedAt = in.DepartmentID, name, desc, ext, cap, now.UTC()
	return nil
}

// GroupPatch holds the fields of a group to change; nil leaves one as it is.
type GroupPatch struct {
	DepartmentID *uuid.UUID
	Name         *string
	Description  *string
	ExternalID   *string
	MemberCap    *int
}

// Patched returns the group's fields with the patch applied, to give to Update.
func (g *Group) Patched(p GroupPatch) GroupInput {
	in := GroupInput{DepartmentID: g.departmentID, Name: g.name, Description: g.description, ExternalID: g.externalID, MemberCap: g.memberCap}
	if p.DepartmentID != nil {
		in.DepartmentID = *p.DepartmentID
	}
	if p.Name != nil {
		in.Name = *p.Name
	}
	if p.Description != nil {
		in.Description = *p.Description
	}
	if p.ExternalID != nil {
		in.ExternalID = *p.ExternalID
	}
	if p.MemberCap != nil {
		in.MemberCap = *p.MemberCap
	}
	return in
}

// ID returns the group's id.
func (g *Group) ID() uuid.UUID { return g.id }

// OrgID returns the organisation.
func (g *Group) OrgID() uuid.UUID { return g.orgID }

// DepartmentID returns the department it belongs to, or uuid.Nil for the whole organisation.
func (g *Group) DepartmentID() uuid.UUID { return g.departmentID }

// Name returns the name.
func (g *Group) Name() string { return g.name }

// Description returns the description.
func (g *Group) Description() string { return g.description }

// ExternalID returns the id in an outside system, or "".
func (g *Group) ExternalID() string { return g.externalID }

// MemberCap returns the group's own cap; the organisation's cap may be lower.
func (g *Group) MemberCap() int { return g.memberCap }

// MemberCount returns how many members it has.
func (g *Group) MemberCount() int { return g.memberCount }

// CreatedAt returns when it was made.
func (g *Group) CreatedAt() time.Time { return g.createdAt }

// UpdatedAt returns when it last changed.
func (g *Group) UpdatedAt() time.Time { return g.updatedAt }

// GroupRole is a member's role in a group.
type GroupRole string

// The group roles.
const (
	GroupOwner  GroupRole = "owner"
	GroupMember GroupRole = "member"
)

// ParseGroupRole accepts "owner" and "member"; empty means member.
func ParseGroupRole(s string) (GroupRole, error) {
	switch GroupRole(s) {
	case "":
		return GroupMember, nil
	case GroupOwner, GroupMember:
		return GroupRole(s), nil
	}
	return "", errs.E(errs.Invalid, "invalid_role", `role must be "owner" or "member"`)
}

// ErrGroupFull is the conflict when a group is at its cap; the message names the cap.
func ErrGroupFull(cap int) error {
	return errs.E(errs.Conflict, "group_full", "the group is full: it may have at most "+strconv.Itoa(cap)+" members")
}

// ErrGroupCapPassed is the conflict when adding several members at once would take a group past
// its cap; the message names how many would be added, how many it holds and the cap.
func ErrGroupCapPassed(adding, holds, cap int) error {
	return errs.E(errs.Conflict, "group_full", "adding "+strconv.Itoa(adding)+" members would pass the group's cap: it holds "+
		strconv.Itoa(holds)+" of at most "+strconv.Itoa(cap)+" members, so at most "+strconv.Itoa(max(cap-holds, 0))+" more fit; nothing was added")
}

// MaxBulkAdd is how many emails or user ids one bulk addition may name: a group never holds more.
const MaxBulkAdd = MaxGroupMembers

// GroupFilter narrows a group listing.
type GroupFilter struct {
	Query        string
	DepartmentID uuid.UUID
	// MemberID, when set, keeps only the groups this user is in.
	MemberID uuid.UUID
	Limit    int
	Offset   int
}

// GroupRepository stores groups and their members.
type GroupRepository interface {
	// Create stores a group; Conflict if the external id is taken.
	Create(ctx context.Context, g *Group) error
	// Get returns a group of the organisation; NotFound otherwise.
	Get(ctx context.Context, orgID, id uuid.UUID) (*Group, error)
	// Update stores changed fields.
	Update(ctx context.Context, g *Group) error
	// Delete removes a group with its memberships.
	Delete(ctx context.Context, orgID, id uuid.UUID) error
	// List returns a page of groups and the total.
	List(ctx context.Context, orgID uuid.UUID, f GroupFilter) ([]*Group, int, error)
	// AddMember adds a member of the organisation, active or deactivated (identity providers
	// keep disabled users in their groups; the place grants nothing while they are inactive).
	// The count check and the insert are one atomic step in PostgreSQL, so the cap (the lower
	// of the group's and the organisation's) holds under concurrent adds; ErrGroupFull past it,
	// Conflict (already_in_group) for a member already in it, NotFound for a user who is not a
	// member of the organisation.
	AddMember(ctx context.Context, orgID, groupID, userID uuid.UUID, role GroupRole, now time.Time) error
	// AddMembers adds members of the organisation as plain members, all or none, under the
	// group's row lock (the lock AddMember's update takes), so concurrent additions queue and
	// the cap holds. Those already in the group are left as they are and not counted. It
	// returns the ids it added and the group's member count after it; ErrGroupCapPassed when
	// they would not all fit, NotFound when the group is not the organisation's.
	AddMembers(ctx context.Context, orgID, groupID uuid.UUID, userIDs []uuid.UUID, now time.Time) (added []uuid.UUID, count int, err error)
	// RemoveMember removes a member; NotFound if they are not in the group.
	RemoveMember(ctx context.Context, orgID, groupID, userID uuid.UUID) error
	// SetMemberRole changes a member's role; NotFound if they are not in the group.
	SetMemberRole(ctx context.Context, orgID, groupID, userID uuid.UUID, role GroupRole) error
}
