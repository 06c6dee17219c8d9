// Package access holds who may do what: the permission catalogue, built-in and custom roles,
// role assignments at organisation or department scope, and the audit log.
package access

import (
	"context"
	"crypto/sha1"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/text"
)

// Permission is one thing a role may allow.
type Permission string

// The permission catalogue. Modules add theirs as they arrive.
const (
	OrgRead           Permission = "org.read"
	DirectoryRead     Permission = "directory.read"
	DirectoryManage   Permission = "directory.manage"
	GroupsManage      Permission = "groups.manage"
	MembersManage     Permission = "members.manage"
	RolesManage       Permission = "roles.manage"
	AuditRead         Permission = "audit.read"
	TokensManage      Permission = "tokens.manage"
	SettingsManage    Permission = "settings.manage"
	OwnershipTransfer Permission = "ownership.transfer"

	// The files module's: read and write files in the spaces one is a member of (and what is
	// shared with one), share them, manage every space in scope (its trash, its policy), place
	// and release legal holds, and set the organisation's files policies.
	FilesRead      Permission = "files.read"
	FilesWrite     Permission = "files.write"
	FilesShare     Permission = "files.share"
	FilesManage    Permission = "files.manage"
	FilesLegalHold Permission = "files.legal_hold"
	FilesPolicy    Permission = "files.policy"

	// The tasks module's: read and work on the task lists one is a member of (and the lists and
	// tasks shared with one), and manage every list in scope (the organisation, or a department's
	// subtree: its lists' shares, deletion and restore).
	TasksRead   Permission = "tasks.read"
	TasksWrite  Permission = "tasks.write"
	TasksManage Permission = "tasks.manage"

	// WebhooksManage lets one subscribe the organisation's URLs to its events, and read and
	// redeliver their deliveries: organisation-wide, since a webhook sees every event of its types.
	WebhooksManage Permission = "webhooks.manage"

	// The messaging module's: read and send messages in the chats one is a member of; manage the
	// chats in scope (the organisation, or a department's subtree: its departments' and groups'
	// chats); publish announcements in scope; export a chat's history and manage the content
	// rules, both organisation-wide.
	MessagesRead         Permission = "messages.read"
	MessagesWrite        Permission = "messages.write"
	ChatsManage          Permission = "chats.manage"
	AnnouncementsPublish Permission = "announcements.publish"
	MessagesExport       Permission = "messages.export"
	ContentRulesManage   Permission = "content_rules.manage"
)

// Catalogue lists every permission, in the order the console shows them.
var Catalogue = []Permission{OrgRead, DirectoryRead, DirectoryManage, GroupsManage, MembersManage, RolesManage, AuditRead, TokensManage, SettingsManage, OwnershipTransfer,
	FilesRead, FilesWrite, FilesShare, FilesManage, FilesLegalHold, FilesPolicy, TasksRead, TasksWrite, TasksManage, WebhooksManage,
	MessagesRead, MessagesWrite, ChatsManage, AnnouncementsPublish, MessagesExport, ContentRulesManage}

// Scoped reports whether a grant of the permission at department scope means anything: it then
// covers that department's subtree. The others are organisation-wide.
func (p Permission) Scoped() bool {
	switch p {
	case DirectoryManage, GroupsManage, DirectoryRead, FilesRead, FilesWrite, FilesShare, FilesManage, TasksRead, TasksWrite, TasksManage,
		MessagesRead, MessagesWrite, ChatsManage, AnnouncementsPublish:
		return true
	}
	return false
}

// ParsePermission accepts a permission of the catalogue.
func ParsePermission(s string) (Permission, error) {
	for _, p := range Catalogue {
		if string(p) == s {
			return p, nil
		}
	}
	return "", errs.E(errs.Invalid, "invalid_permission", "unknown permission "+strconv.Quote(s))
}

// Builtin names a built-in role.
type Builtin string

// The built-in roles. Owner, admin, member and guest are a member's base role in the
// organisation; department admin is granted per department; group ownership is data on the group.
const (
	BuiltinOwner     Builtin = "owner"
	BuiltinAdmin     Builtin = "admin"
	BuiltinDeptAdmin Builtin = "department_admin"
	BuiltinMember    Builtin = "member"
	BuiltinGuest     Builtin = "guest"
)

// Builtins lists the built-in roles with their permissions.
var Builtins = map[Builtin][]Permission{
	BuiltinOwner:     Catalogue,
	BuiltinAdmin:     without(Catalogue, OwnershipTransfer),
	BuiltinDeptAdmin: {DirectoryRead, DirectoryManage, GroupsManage, FilesRead, FilesWrite, FilesShare, FilesManage, TasksRead, TasksWrite, TasksManage, MessagesRead, MessagesWrite, ChatsManage, AnnouncementsPublish},
	BuiltinMember:    {OrgRead, DirectoryRead, FilesRead, FilesWrite, FilesShare, TasksRead, TasksWrite, MessagesRead, MessagesWrite},
	BuiltinGuest:     {OrgRead, FilesRead, TasksRead, TasksWrite, MessagesRead, MessagesWrite},
}

// BuiltinOrder is the order the console lists built-in roles in.
var BuiltinOrder = []Builtin{BuiltinOwner, BuiltinAdmin, BuiltinDeptAdmin, BuiltinMember, BuiltinGuest}

func without(ps []Permission, drop Permission) []Permission {
	out := make([]Permission, 0, len(ps))
	for _, p := range ps {
		if p != drop {
			out = append(out, p)
		}
	}
	return out
}

var roleNamespace = uuid.MustParse("6b1d3c1e-94b4-4f5e-9d1a-3f1a2b7c9e10")

// BuiltinRoleID returns the id of a built-in role in an organisation. It is derived, not stored,
// so every organisation's built-in roles are distinct ids without rows of their own.
func BuiltinRoleID(orgID uuid.UUID, b Builtin) uuid.UUID {
	return uuid.NewHash(sha1.New(), roleNamespace, []byte(orgID.String()+"/"+string(b)), 5)
}

// BuiltinOf returns which built-in role an id is in an organisation, if any.
func BuiltinOf(orgID, roleID uuid.UUID) (Builtin, bool) {
	for _, b := range BuiltinOrder {
		if BuiltinRoleID(orgID, b) == roleID {
			return b, true
		}
	}
	return "", false
}

// Role is a custom role: a named set of permissions an organisation composes.
type Role struct {
	id          uuid.UUID
	orgID       uuid.UUID
	name        string
	description string
	permissions []Permission
	createdAt   time.Time
	updatedAt   time.Time
}

// RoleInput holds a custom role's fields.
type RoleInput struct {
	Name        string
	Description string
	Permissions []string
}

func parseRole(in RoleInput) (string, string, []Permission, error) {
	name, err := text.Name("name", in.Name)
	if err != nil {
		return "", "", nil, err
	}
	if n := utf8.RuneCountInString(name); n == 0 || n > 100 {
		return "", "", nil, errs.E(errs.Invalid, "invalid_role_name", "name must be 1 to 100 characters")
	}
	if err := text.MultiLine("description", in.Description); err != nil {
		return "", "", nil, err
	}
	desc := strings.TrimSpace(in.Description)
	if utf8.RuneCountInString(desc) > 500 {
		return "", "", nil, errs.E(errs.Invalid, "invalid_description", "description must be at most 500 characters")
	}
	if len(in.Permissions) == 0 {
		return "", "", nil, errs.E(errs.Invalid, "invalid_permission", "a role needs at least one permission")
	}
	seen := map[Permission]bool{}
	var perms []Permission
	for _, s := range in.Permissions {
		p, err := ParsePermission(s)
		if err != nil {
			return "", "", nil, err
		}
		if p == OwnershipTransfer {
			return "", "", nil, errs.E(errs.Invalid, "invalid_permission", "ownership can only be transferred by an owner, never through a custom role")
		}
		if !seen[p] {
			seen[p] = true
			perms = append(perms, p)
		}
	}
	return name, desc, perms, nil
}

// NewRole validates and returns a custom role.
func NewRole(orgID uuid.UUID, in RoleInput, now time.Time) (*Role, error) {
	name, desc, perms, err := parseRole(in)
	if err != nil {
		return nil, err
	}
	now = now.UTC()
	return &Role{id: uuid.New(), orgID: orgID, name: name, description: desc, permissions: perms, createdAt: now, updatedAt: now}, nil
}

// RehydrateRole rebuilds a stored role. It is for repository adapters only.
func RehydrateRole(id, orgID uuid.UUID, name, description string, perms []Permission, createdAt, updatedAt time.Time) *Role {
	return &Role{id, orgID, name, description, perms, createdAt, updatedAt}
}

// Update replaces the role's fields; on error nothing changes.
func (r *Role) Update(in RoleInput, now time.Time) error {
	name, desc, perms, err := parseRole(in)
	if err != nil {
		return err
	}
	r.name, r.description, r.permissions, r.updatedAt = name, desc, perms, now.UTC()
	return nil
}

// ID returns the role's id.
func (r *Role) ID() uuid.UUID { return r.id }

// OrgID returns the organisation.
func (r *Role) OrgID() uuid.UUID { return r.orgID }

// Name returns the name.
func (r *Role) Name() string { return r.name }

// Description returns the description.
func (r *Role) Description() string { return r.description }

// Permissions returns what the role allows.
func (r *Role) Permissions() []Permission { return r.permissions }

// CreatedAt returns when it was made.
func (r *Role) CreatedAt() time.Time { return r.createdAt }

// UpdatedAt returns when it last changed.
func (r *Role) UpdatedAt() time.Time { return r.updatedAt }

// Assignment grants a role to a member, for the whole organisation (DepartmentID uuid.Nil) or
// for one department's subtree.
type Assignment struct {
	ID           uuid.UUID
	OrgID        uuid.UUID
	UserID       uuid.UUID
	RoleID       uuid.UUID
	DepartmentID uuid.UUID
	CreatedAt    time.Time
}

// RoleRepository stores custom roles.
type RoleRepository interface {
	// Create stores a role; Conflict if the organisation has a role of that name.
	Create(ctx context.Context, r *Role) error
	// Get returns a role of the organisation; NotFound otherwise.
	Get(ctx context.Context, orgID, id uuid.UUID) (*Role, error)
	// List returns the organisation's custom roles by name.
	List(ctx context.Context, orgID uuid.UUID) ([]*Role, error)
	// Update stores changed fields.
	Update(ctx context.Context, r *Role) error
	// Delete removes a role with its assignments.
	Delete(ctx context.Context, orgID, id uuid.UUID) error
}

// AssignmentRepository stores role assignments.
type AssignmentRepository interface {
	// Add stores an assignment; Conflict if the member already has the role at that scope.
	Add(ctx context.Context, a Assignment) error
	// Remove deletes an assignment of the organisation; NotFound otherwise.
	Remove(ctx context.Context, orgID, id uuid.UUID) (Assignment, error)
	// List returns the organisation's assignments, optionally of one user or one department.
	List(ctx context.Context, orgID uuid.UUID, userID, departmentID uuid.UUID) ([]Assignment, error)
}
