package importer

import (
	"context"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	appdir "canopy/app/directory"
	"canopy/domain/directory"
	"canopy/domain/importer"
	"canopy/domain/org"
)

// TxManager runs fn in one database transaction carried by the context it is given, and runs
// parts of it in savepoints.
type TxManager interface {
	Within(ctx context.Context, fn func(ctx context.Context) error) error
	// Savepoint runs fn in a savepoint of the transaction in ctx: when fn fails, what it did is
	// undone and the transaction goes on.
	Savepoint(ctx context.Context, fn func(ctx context.Context) error) error
}

// Clock tells the time; tests give a fixed one.
type Clock interface {
	Now() time.Time
}

// Claim is a job a worker holds while its lease lasts.
type Claim struct {
	Job *importer.Job
	// Token tells this claim from earlier ones of the same job: a worker whose lease ran out
	// and whose job was claimed again can no longer record progress.
	Token uuid.UUID
	// Attempt counts the claims of the job that did not end in a hand-back.
	Attempt int
	Payload []byte
}

// Queue hands jobs to workers on any replica.
type Queue interface {
	// Claim takes the oldest job that is queued, or running with a lapsed lease, and whose
	// organisation has no other job running; NotFound when there is none. A job whose lease
	// lapsed maxAttempts times is failed instead.
	Claim(ctx context.Context, lease time.Duration, maxAttempts int) (Claim, error)
	// Renew extends the lease; NotFound when the claim was lost.
	Renew(ctx context.Context, c Claim, lease time.Duration) error
	// Progress records the counts so far and new report lines, in the transaction in ctx, and
	// extends the lease; NotFound when the claim was lost.
	Progress(ctx context.Context, c Claim, counts importer.Counts, issues []importer.Issue, lease time.Duration) error
	// Finish ends the job (done, or failed with a code and message) and drops its request;
	// NotFound when the claim was lost.
	Finish(ctx context.Context, c Claim, status importer.Status, code, message string) error
	// Release hands back a job its worker stops before the end (the replica shuts down): it is
	// queued again, resumes after its last recorded chunk, and the stop does not count as an
	// attempt. NotFound when the claim was lost.
	Release(ctx context.Context, c Claim) error
}

// Account is a user account as the import sees it.
type Account struct {
	UserID      uuid.UUID
	Email       string
	DisplayName string
	Locale      string
	TimeZone    string
}

// Member is a member of the organisation with their account and departments.
type Member struct {
	Account
	Membership  *org.Membership
	Departments []directory.Assignment
	// Profile is the member's employee details.
	Profile org.Profile
}

// Snapshot is what the organisation holds when a job starts.
type Snapshot struct {
	// Departments is the whole tree, the root included.
	Departments []*directory.Department
	Members     []Member
	// Accounts are the accounts with an email of the request whose owners are not members.
	Accounts []Account
	// Ties are what decides who manages each account of Members and Accounts
	// (org.AccountTies), by user id.
	Ties map[uuid.UUID]org.AccountTies
	// DomainOrgs are the organisations that the email domains of the request are assigned
	// to, by domain; a domain assigned to none is left out.
	DomainOrgs map[string]uuid.UUID
}

// NewDepartment is a department to create: the store derives its path and depth from the
// parent as the database holds it.
type NewDepartment struct {
	ID         uuid.UUID
	ParentID   uuid.UUID
	Name       string
	ExternalID string
	SortOrder  int
}

// DepartmentUpdate renames, re-ids or moves an existing department.
type DepartmentUpdate struct {
	ID         uuid.UUID
	Name       string
	ExternalID string
	// NewParentID moves the department with its subtree; uuid.Nil leaves it where it is.
	NewParentID uuid.UUID
}

// MemberChange is what one user row changes.
type MemberChange struct {
	UserID uuid.UUID
	// Account is set when the account is new (NewAccount) or one of its fields changes.
	Account    *Account
	NewAccount bool
	// Membership is set when the membership is new (NewMembership) or changes.
	Membership    *org.Membership
	NewMembership bool
	// Departments replaces the member's departments when SetDepartments is set.
	Departments    []directory.Assignment
	SetDepartments bool
	// Revoke ends the member's sessions and API tokens: they were deactivated.
	Revoke bool
	// Profile, when set, is the member's employee details as they are to be stored whole;
	// ManagerChanged says that it names another manager, which the store checks again (an
	// active member, no cycle) under the lock of the organisation's manager graph.
	Profile        *org.Profile
	ManagerChanged bool
}

// Store reads the organisation and applies batches of rows with set-based statements, each in
// the transaction in ctx.
type Store interface {
	// Snapshot reads the organisation's tree and members, and the accounts of emails.
	Snapshot(ctx context.Context, orgID uuid.UUID, emails []string) (Snapshot, error)
	// LockTree serialises with other changes to the organisation's tree until the transaction
	// ends.
	LockTree(ctx context.Context, orgID uuid.UUID) error
	// CreateDepartments creates departments; a parent comes before its children. NotFound when
	// a parent is gone, Conflict (department_exists) for a taken name or external id.
	CreateDepartments(ctx context.Context, orgID uuid.UUID, ds []NewDepartment, now time.Time) error
	// UpdateDepartments applies renames and moves in order. NotFound when a department is gone,
	// Conflict (department_exists, cycle) when the change cannot be made.
	UpdateDepartments(ctx context.Context, orgID uuid.UUID, us []DepartmentUpdate, now time.Time) error
	// ApplyMembers creates and updates accounts, memberships, their profiles and department
	// memberships. Conflict (email_taken, external_id_taken, already_member,
	// employee_number_taken), Invalid (invalid_manager: not an active member, or a cycle) or
	// NotFound (department) when a change cannot be made.
	ApplyMembers(ctx context.Context, orgID uuid.UUID, cs []MemberChange, now time.Time) error
	// RecordAccounts remembers the accounts an import created, for their activation links.
	RecordAccounts(ctx context.Context, orgID, jobID uuid.UUID, userIDs []uuid.UUID) error
}

// CredentialRevoker ends a member's access to the organisation (their API tokens there), in the
// transaction in ctx.
type CredentialRevoker interface {
	RevokeMemberCredentials(ctx context.Context, orgID, userID uuid.UUID) error
}

// Inviter invites the one person with an email to the actor's organisation, in the transaction
// in ctx, and records it in the audit log: what a row becomes whose email has an account that
// the organisation does not manage. The caller has checked that the actor may.
type Inviter interface {
	InviteEmail(ctx context.Context, a authz.Actor, email string) error
}

// LimitsSource reads an organisation's directory limits.
type LimitsSource = appdir.LimitsSource
