package org

import (
	"context"
	"time"

	"github.com/google/uuid"

	"canopy/domain/identity"
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

// TreeRoots makes the root department of a new organisation, in the caller's transaction.
type TreeRoots interface {
	CreateRoot(ctx context.Context, orgID uuid.UUID, name string) error
}

// Member is a membership with the member's account details, as listed in the console.
type Member struct {
	UserID        uuid.UUID
	Email         string
	DisplayName   string
	Role          org.Role
	Status        org.MemberStatus
	JoinedAt      time.Time
	DeactivatedAt *time.Time
	ExternalID    string
	Locale        string
	TimeZone      string
	// ActivationPending is set while the account has no password and is not disabled: its
	// person is waiting for an activation link.
	ActivationPending bool
	// Profile holds the employee details; its Mobile and HireDate are blanked for readers who
	// may not see them (see GetMember).
	Profile org.Profile
	// ManagerName is the display name of Profile.ManagerID.
	ManagerName string
	// PrimaryDepartment is the member's primary department, which pickers show beside the
	// name; nil when they belong to none or the listing does not read it (the people table
	// reads all departments instead).
	PrimaryDepartment *DepartmentRef
}

// DepartmentRef names a department.
type DepartmentRef struct {
	ID   uuid.UUID
	Name string
}

// MemberFilter narrows a member listing.
type MemberFilter struct {
	// Query matches the display name or email (case-insensitively), the name's pinyin or its
	// initials from the start, or the employee number from the start (case-insensitively).
	Query  string
	Status org.MemberStatus
	// ExternalID, when set, matches exactly one member's id in an outside system.
	ExternalID string
	// Email, when set, matches the email exactly (case-insensitively).
	Email string
	// Subtrees, when set, keeps the members who belong to one of these departments or a
	// department below one of them: what a department-scoped directory.read reaches.
	Subtrees []uuid.UUID
	Limit    int
	Offset   int
}

// OrgMembership is one of a user's organisations with their role in it.
type OrgMembership struct {
	OrgID  uuid.UUID
	Name   string
	Role   org.Role
	Status org.MemberStatus
}

// Directory answers read-only questions about members across the user and membership tables.
type Directory interface {
	// ListMembers returns a page of an organisation's members, ordered by name (the pinyin key first, so Chinese names sort by their pinyin), and the total.
	ListMembers(ctx context.Context, orgID uuid.UUID, f MemberFilter) ([]Member, int, error)
	// GetMember returns one member; NotFound if the user is not a member of the organisation.
	GetMember(ctx context.Context, orgID, userID uuid.UUID) (Member, error)
	// InSubtrees reports whether a member belongs to one of the departments given, or to a
	// department below one of them.
	InSubtrees(ctx context.Context, orgID, userID uuid.UUID, departments []uuid.UUID) (bool, error)
	// CountOwners returns how many active owners an organisation has.
	CountOwners(ctx context.Context, orgID uuid.UUID) (int, error)
	// CountActiveMembers returns how many active members an organisation has.
	CountActiveMembers(ctx context.Context, orgID uuid.UUID) (int, error)
	// ListUserOrgs returns the organisations a user is a member of, by name.
	ListUserOrgs(ctx context.Context, userID uuid.UUID) ([]OrgMembership, error)
}

// Accounts reads the facts that decide which organisation manages an account
// (org.AccountTies), for many accounts at once, in the transaction in ctx if there is one.
type Accounts interface {
	// Ties returns the ties of each account given; an id without an account is left out.
	Ties(ctx context.Context, userIDs []uuid.UUID) (map[uuid.UUID]org.AccountTies, error)
	// InDomain counts the accounts whose email is in domain, and how many of them orgID did
	// not create (another organisation made them, or their people signed up themselves).
	InDomain(ctx context.Context, domain string, orgID uuid.UUID) (total, createdElsewhere int, err error)
	// List returns a page of the installation's accounts, by name, and how many match.
	List(ctx context.Context, f AccountFilter) ([]Account, int, error)
}

// Account is an account of the installation as its admins list it, to find the one to disable
// or enable: nothing about the organisations it works in.
type Account struct {
	ID                uuid.UUID
	Email             string
	DisplayName       string
	Status            identity.UserStatus
	InstallationAdmin bool
	CreatedAt         time.Time
}

// AccountFilter narrows a listing of the installation's accounts.
type AccountFilter struct {
	// Query matches the display name or email, case-insensitively; its characters are
	// literal (a "%" finds a "%", not everyone).
	Query  string
	Limit  int
	Offset int
}

// ImportedAccounts lists the accounts a bulk import created.
type ImportedAccounts interface {
	// Accounts returns the accounts an import of the organisation created; NotFound for an
	// import of another organisation.
	Accounts(ctx context.Context, orgID, importID uuid.UUID) ([]uuid.UUID, error)
}
