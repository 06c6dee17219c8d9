package directory

import (
	"context"
	"time"

	"github.com/google/uuid"

	"canopy/domain/directory"
	"canopy/domain/org"
)

// TxManager runs fn in one database transaction carried by the context it is given.
type TxManager interface {
	Within(ctx context.Context, fn func(ctx context.Context) error) error
}

// Clock tells the time; tests give a fixed one.
type Clock interface {
	Now() time.Time
}

// LimitsSource reads an organisation's limits.
type LimitsSource interface {
	Limits(ctx context.Context, orgID uuid.UUID) (org.Limits, error)
}

// Person is a member as the directory lists them.
type Person struct {
	UserID      uuid.UUID
	DisplayName string
	Email       string
	Status      string
	ExternalID  string
}

// Node is a department with its counts, for browsing the tree.
type Node struct {
	Department  *directory.Department
	MemberCount int // direct members
	ChildCount  int
}

// GroupMember is a member of a group.
type GroupMember struct {
	Person
	Role    directory.GroupRole
	AddedAt time.Time
}

// PersonDepartment is one of a person's departments, with the names from the root down.
type PersonDepartment struct {
	Department *directory.Department
	PathNames  []string
	Primary    bool
	Leader     bool
}

// PersonGroup is one of a person's groups.
type PersonGroup struct {
	GroupID uuid.UUID
	Name    string
	Role    directory.GroupRole
}

// PersonCard is what the directory shows about a person.
type PersonCard struct {
	Person
	Role        string
	Departments []PersonDepartment
	Groups      []PersonGroup
	// Leaders lead the person's primary department.
	Leaders []Person
}

// SearchResult holds the matches of a directory search.
type SearchResult struct {
	People      []Person
	Departments []*directory.Department
	Groups      []*directory.Group
}

// SearchScope narrows a search to what a reader with directory.read at departments only may
// see. The zero value narrows nothing.
type SearchScope struct {
	// Subtrees, when not nil, keeps the people who belong to one of these departments or to one
	// below it, and the departments within those subtrees.
	Subtrees []uuid.UUID
	// MemberID, when set, keeps only the groups this user is a member of.
	MemberID uuid.UUID
}

// Candidate is a member a bulk addition to a group names, with what decides whether they are
// added: only active members who are not guests are.
type Candidate struct {
	UserID uuid.UUID
	Email  string
	Active bool
	Guest  bool
}

// Reader answers the directory's read-only questions, each in one query.
type Reader interface {
	// Nodes returns a department's children with their counts, in sibling order.
	Nodes(ctx context.Context, orgID, parentID uuid.UUID) ([]Node, error)
	// Members returns a page of the members of a department, or of its whole subtree, by name.
	Members(ctx context.Context, d *directory.Department, subtree bool, query string, limit, offset int) ([]Person, int, error)
	// Leaders returns a department's leaders.
	Leaders(ctx context.Context, orgID, departmentID uuid.UUID) ([]Person, error)
	// GroupMembers returns a page of a group's members.
	GroupMembers(ctx context.Context, orgID, groupID uuid.UUID, limit, offset int) ([]GroupMember, int, error)
	// GroupRole returns a user's role in a group; NotFound when they are not in it.
	GroupRole(ctx context.Context, orgID, groupID, userID uuid.UUID) (directory.GroupRole, error)
	// Search finds people by name, email or the pinyin of their name (full or initials), and
	// departments and groups by name or pinyin, within scope.
	Search(ctx context.Context, orgID uuid.UUID, query string, scope SearchScope, limit int) (SearchResult, error)
	// Person returns a person's card; NotFound unless they are a member of the organisation.
	Person(ctx context.Context, orgID, userID uuid.UUID) (PersonCard, error)
	// DepartmentCandidates returns the members of a department, or of its whole subtree, each once.
	DepartmentCandidates(ctx context.Context, d *directory.Department, subtree bool) ([]Candidate, error)
	// CandidatesByEmail returns the members of the organisation whose email is one of these,
	// compared without case.
	CandidatesByEmail(ctx context.Context, orgID uuid.UUID, emails []string) ([]Candidate, error)
	// CandidatesByID returns the members of the organisation among these users.
	CandidatesByID(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]Candidate, error)
	// DepartmentMemberIDs returns the users directly in a department.
	DepartmentMemberIDs(ctx context.Context, orgID, departmentID uuid.UUID) ([]uuid.UUID, error)
}
