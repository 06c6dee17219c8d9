// Package directory holds an organisation's structure: the department tree, department
// memberships with leaders, and sub-groups of up to 1000 members.
package directory

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/text"
)

// Hard limits; an organisation may set lower ones.
const (
	MaxDepth                = 25
	MaxGroupMembers         = 1000
	DefaultDeptsPerMember   = 50
	MaxExternalIDLength     = 200
	maxDepartmentNameLength = 100
)

// Department is a node of an organisation's department tree. Its path lists the ids from the
// root down to itself ("/root/…/self/"), so a whole subtree is one indexed prefix query.
type Department struct {
	id         uuid.UUID
	orgID      uuid.UUID
	parentID   uuid.UUID // uuid.Nil for the root
	path       string
	depth      int // the root is at depth 1
	name       string
	sortOrder  int
	externalID string
	createdAt  time.Time
	updatedAt  time.Time
}

// ParseDepartmentName normalises a name by the text rule for names that stand in paths
// (text.SegmentName: no ".", "..", "/" or ";", since bulk imports and SCIM write departments as
// paths) and checks its length.
func ParseDepartmentName(s string) (string, error) {
	return parseDepartmentName("name", s)
}

func parseDepartmentName(field, s string) (string, error) {
	s, err := text.SegmentName(field, s)
	if err != nil {
		return "", err
	}
	if n := utf8.RuneCountInString(s); n == 0 || n > maxDepartmentNameLength {
		return "", errs.E(errs.Invalid, "invalid_department_name", "name must be 1 to 100 characters")
	}
	return s, nil
}

// ParsePath splits a department path below the root, "Engineering/Backend", into its names, each
// checked as ParseDepartmentName checks a name: "Engineering/../Sales" and "./x" are refused
// rather than resolved. Every error is Invalid with the code invalid_department_path and a
// message that quotes the path and says what is wrong with it.
func ParsePath(path string) ([]string, error) {
	field := "department path " + strconv.Quote(path)
	parts := strings.Split(strings.Trim(strings.TrimSpace(path), "/"), "/")
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		name, err := parseDepartmentName(field, p)
		var e *errs.Error
		switch {
		case err == nil:
			out = append(out, name)
			continue
		case errors.As(err, &e) && e.Code == "invalid_department_name":
			return nil, errs.Wrap(errs.Invalid, "invalid_department_path", field+": each name must be 1 to 100 characters", err)
		case errors.As(err, &e):
			return nil, errs.Wrap(errs.Invalid, "invalid_department_path", e.Message, err)
		}
		return nil, err
	}
	return out, nil
}

// ParseExternalID checks an id from an outside system (an HR system, an identity provider): it
// is kept as written, trimmed, so only the rule for single-line text applies.
func ParseExternalID(s string) (string, error) {
	if err := text.Line("external_id", s); err != nil {
		return "", err
	}
	s = strings.TrimSpace(s)
	if len(s) > MaxExternalIDLength {
		return "", errs.E(errs.Invalid, "invalid_external_id", "external_id must be at most 200 characters")
	}
	return s, nil
}

// NewRoot returns the root department of a new organisation, named after it. The root never
// appears in a path, so separators in the organisation's name become spaces.
func NewRoot(orgID uuid.UUID, name string, now time.Time) (*Department, error) {
	n, err := ParseDepartmentName(strings.Map(func(r rune) rune {
		if strings.ContainsRune(text.PathSeparators, r) {
			return ' '
		}
		return r
	}, name))
	if err != nil {
		return nil, err
	}
	id := uuid.New()
	now = now.UTC()
	return &Department{id: id, orgID: orgID, path: "/" + id.String() + "/", depth: 1, name: n, createdAt: now, updatedAt: now}, nil
}

// NewDepartment returns a child of parent. maxDepth is the organisation's depth limit.
func NewDepartment(parent *Department, name, externalID string, maxDepth int, now time.Time) (*Department, error) {
	n, err := ParseDepartmentName(name)
	if err != nil {
		return nil, err
	}
	ext, err := ParseExternalID(externalID)
	if err != nil {
		return nil, err
	}
	if parent.depth+1 > maxDepth {
		return nil, errs.E(errs.Conflict, "too_deep", tooDeep(maxDepth))
	}
	id := uuid.New()
	now = now.UTC()
	return &Department{
		id: id, orgID: parent.orgID, parentID: parent.id, path: parent.path + id.String() + "/",
		depth: parent.depth + 1, name: n, externalID: ext, createdAt: now, updatedAt: now,
	}, nil
}

func tooDeep(max int) string {
	return "the department tree may be at most " + strconv.Itoa(max) + " levels deep"
}

// RehydrateDepartment rebuilds a stored department. It is for repository adapters only.
func RehydrateDepartment(id, orgID, parentID uuid.UUID, path string, depth int, name string, sortOrder int, externalID string, createdAt, updatedAt time.Time) *Department {
	return &Department{id, orgID, parentID, path, depth, name, sortOrder, externalID, createdAt, updatedAt}
}

// ID returns the department's id.
func (d *Department) ID() uuid.UUID { return d.id }

// OrgID returns the organisation.
func (d *Department) OrgID() uuid.UUID { return d.orgID }

// ParentID returns the parent's id, or uuid.Nil for the root.
func (d *Department) ParentID() uuid.UUID { return d.parentID }

// Path returns the ids from the root to this department, as "/id/…/id/".
func (d *Department) Path() string { return d.path }

// Depth returns the level: 1 for the root.
func (d *Department) Depth() int { return d.depth }

// Name returns the department's name.
func (d *Department) Name() string { return d.name }

// SortOrder returns the position among its siblings.
func (d *Department) SortOrder() int { return d.sortOrder }

// ExternalID returns the id in an outside system, or "".
func (d *Department) ExternalID() string { return d.externalID }

// CreatedAt returns when the department was made.
func (d *Department) CreatedAt() time.Time { return d.createdAt }

// UpdatedAt returns when it last changed.
func (d *Department) UpdatedAt() time.Time { return d.updatedAt }

// IsRoot reports whether this is the organisation's root.
func (d *Department) IsRoot() bool { return d.parentID == uuid.Nil }

// Contains reports whether other is this department or lies in its subtree.
func (d *Department) Contains(other *Department) bool {
	return strings.HasPrefix(other.path, d.path)
}

// AncestorIDs returns the ids from the root down to the parent.
func (d *Department) AncestorIDs() []uuid.UUID {
	parts := strings.Split(strings.Trim(d.path, "/"), "/")
	out := make([]uuid.UUID, 0, len(parts)-1)
	for _, p := range parts[:len(parts)-1] {
		if id, err := uuid.Parse(p); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// Rename changes the name.
func (d *Department) Rename(name string, now time.Time) error {
	n, err := ParseDepartmentName(name)
	if err != nil {
		return err
	}
	d.name, d.updatedAt = n, now.UTC()
	return nil
}

// SetExternalID changes the outside id.
func (d *Department) SetExternalID(ext string, now time.Time) error {
	e, err := ParseExternalID(ext)
	if err != nil {
		return err
	}
	d.externalID, d.updatedAt = e, now.UTC()
	return nil
}

// SetSortOrder places the department among its siblings.
func (d *Department) SetSortOrder(n int, now time.Time) {
	d.sortOrder, d.updatedAt = n, now.UTC()
}

// MoveUnder re-parents the department with its subtree. height is the number of levels of the
// subtree (1 for a leaf). A move into its own subtree would make a cycle, and a move that pushes
// the subtree past maxDepth is refused; both are conflicts.
func (d *Department) MoveUnder(parent *Department, height, maxDepth int, now time.Time) error {
	if d.IsRoot() {
		return errs.E(errs.Conflict, "root_immovable", "the root department cannot be moved")
	}
	if parent.orgID != d.orgID {
		return errs.NotFoundf("department")
	}
	if d.Contains(parent) {
		return errs.E(errs.Conflict, "cycle", "a department cannot move under itself or its own subtree")
	}
	if parent.depth+height > maxDepth {
		return errs.E(errs.Conflict, "too_deep", tooDeep(maxDepth))
	}
	d.parentID = parent.id
	d.path = parent.path + d.id.String() + "/"
	d.depth = parent.depth + 1
	d.updatedAt = now.UTC()
	return nil
}

// DepartmentRepository stores the department tree.
type DepartmentRepository interface {
	// LockTree serialises structural changes to one organisation's tree until the transaction
	// in ctx ends.
	LockTree(ctx context.Context, orgID uuid.UUID) error
	// Create stores a department; Conflict if a sibling has the same name or the external id is
	// taken.
	Create(ctx context.Context, d *Department) error
	// Get returns a department of the organisation; NotFound otherwise.
	Get(ctx context.Context, orgID, id uuid.UUID) (*Department, error)
	// Root returns the organisation's root.
	Root(ctx context.Context, orgID uuid.UUID) (*Department, error)
	// Children returns a department's children in sibling order.
	Children(ctx context.Context, orgID, parentID uuid.UUID) ([]*Department, error)
	// Height returns the number of levels of d's subtree, 1 for a leaf.
	Height(ctx context.Context, d *Department) (int, error)
	// Update stores a changed name, sort order or external id.
	Update(ctx context.Context, d *Department) error
	// Move stores d's new parent and rewrites the paths and depths of its whole subtree from
	// oldPath in one statement.
	Move(ctx context.Context, d *Department, oldPath string) error
	// Delete removes a department; Conflict while it has children, members or groups.
	Delete(ctx context.Context, orgID, id uuid.UUID) error
	// Count returns how many departments the organisation has.
	Count(ctx context.Context, orgID uuid.UUID) (int, error)
}
