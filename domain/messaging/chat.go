// Package messaging holds the messaging module's entities: chats (direct, ad-hoc, one per
// group, one per department) and their messages with per-chat sequence numbers, threads,
// quotes, mentions, attachments, edits, recall and deletion, and the organisation's messaging
// settings.
package messaging

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/text"
)

// Kind is what a chat is.
type Kind string

// The kinds of chat.
const (
	// KindDirect is between exactly two members; a pair has one.
	KindDirect Kind = "direct"
	// KindAdhoc is a group chat of chosen members (at most the organisation's group size).
	KindAdhoc Kind = "adhoc"
	// KindGroup is a group's chat: its members are the group's, live.
	KindGroup Kind = "group"
	// KindDepartment is a department's chat: its members are the active members of the
	// department's subtree, live (guests never).
	KindDepartment Kind = "department"
)

// ParseKind accepts a kind of chat.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case KindDirect, KindAdhoc, KindGroup, KindDepartment:
		return k, nil
	}
	return "", errs.E(errs.Invalid, "invalid_kind", "kind: must be direct, adhoc, group or department")
}

// Explicit reports whether the chat's members are stored (direct and ad-hoc chats) rather than
// computed from a group or department.
func (k Kind) Explicit() bool { return k == KindDirect || k == KindAdhoc }

// Role is a member's role in a chat.
type Role string

// The roles.
const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
)

// ParseRole accepts a role that can be given (admin or member; a chat has one owner, its maker).
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAdmin, RoleMember:
		return r, nil
	}
	return "", errs.E(errs.Invalid, "invalid_role", "role: must be admin or member")
}

// Manages reports whether the role administers the chat.
func (r Role) Manages() bool { return r == RoleOwner || r == RoleAdmin }

// Limits of chats.
const (
	MaxNameRunes        = 100
	MaxDescriptionRunes = 1000
)

// Chat is a conversation of an organisation.
type Chat struct {
	id            uuid.UUID
	orgID         uuid.UUID
	kind          Kind
	groupID       uuid.UUID
	departmentID  uuid.UUID
	directKey     string
	name          string
	description   string
	avatarFileID  uuid.UUID
	createdBy     uuid.UUID
	archivedAt    time.Time
	lastSeq       int64
	lastMessageAt time.Time
	legalHold     bool
	createdAt     time.Time
	updatedAt     time.Time
}

// ChatInput holds what a new chat needs. A direct chat names the other member (Peer); a group
// chat its group, a department chat its department.
type ChatInput struct {
	OrgID        uuid.UUID
	Kind         Kind
	CreatedBy    uuid.UUID
	Peer         uuid.UUID
	GroupID      uuid.UUID
	DepartmentID uuid.UUID
	Name         string
	Description  string
}

// DirectKey is the key of the direct chat of a pair: the same whichever of them starts it.
func DirectKey(a, b uuid.UUID) string {
	x, y := a.String(), b.String()
	if y < x {
		x, y = y, x
	}
	return x + ":" + y
}

// DirectPeer returns the other member of a direct chat for one of its two members, and
// uuid.Nil for anyone else or any other kind of chat.
func (c *Chat) DirectPeer(of uuid.UUID) uuid.UUID {
	if c.kind != KindDirect {
		return uuid.Nil
	}
	x, y, ok := strings.Cut(c.directKey, ":")
	if !ok {
		return uuid.Nil
	}
	switch of.String() {
	case x:
		id, _ := uuid.Parse(y)
		return id
	case y:
		id, _ := uuid.Parse(x)
		return id
	}
	return uuid.Nil
}

func chatName(s string) (string, error) {
	n, err := text.Name("name", s)
	if err != nil {
		return "", err
	}
	if utf8.RuneCountInString(n) > MaxNameRunes {
		return "", errs.E(errs.Invalid, "invalid_name", "name: must be at most 100 characters")
	}
	return n, nil
}

func chatDescription(s string) (string, error) {
	if err := text.MultiLine("description", s); err != nil {
		return "", err
	}
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > MaxDescriptionRunes {
		return "", errs.E(errs.Invalid, "invalid_description", "description: must be at most 1000 characters")
	}
	return s, nil
}

// NewChat validates and returns a chat. An ad-hoc chat needs a name; a group's or department's
// chat takes its name from it unless one is given; a direct chat has none.
func NewChat(in ChatInput, now time.Time) (*Chat, error) {
	if in.OrgID == uuid.Nil || in.CreatedBy == uuid.Nil {
		return nil, errs.Internalf("messaging: a chat needs an organisation and a maker")
	}
	if _, err := ParseKind(string(in.Kind)); err != nil {
		return nil, err
	}
	name, err := chatName(in.Name)
	if err != nil {
		return nil, err
	}
	desc, err := chatDescription(in.Description)
	if err != nil {
		return nil, err
	}
	c := &Chat{id: uuid.New(), orgID: in.OrgID, kind: in.Kind, name: name, description: desc, createdBy: in.CreatedBy,
		createdAt: now.UTC(), updatedAt: now.UTC()}
	switch in.Kind {
	case KindDirect:
		if in.Peer == uuid.Nil {
			return nil, errs.E(errs.Invalid, "missing_field", `field "user_id" is required`)
		}
		if in.Peer == in.CreatedBy {
			return nil, errs.E(errs.Invalid, "invalid_member", "user_id: a direct chat is with someone else")
		}
		c.directKey, c.name, c.description = DirectKey(in.CreatedBy, in.Peer), "", ""
	case KindAdhoc:
		if name == "" {
			return nil, errs.E(errs.Invalid, "missing_field", `field "name" is required`)
		}
	case KindGroup:
		if in.GroupID == uuid.Nil {
			return nil, errs.E(errs.Invalid, "missing_field", `field "group_id" is required`)
		}
		c.groupID = in.GroupID
	case KindDepartment:
		if in.DepartmentID == uuid.Nil {
			return nil, errs.E(errs.Invalid, "missing_field", `field "department_id" is required`)
		}
		c.departmentID = in.DepartmentID
	}
	return c, nil
}

// ChatRecord is a stored chat, for repository adapters only.
type ChatRecord struct {
	ID, OrgID               uuid.UUID
	Kind                    Kind
	GroupID, DepartmentID   uuid.UUID
	DirectKey               string
	Name, Description       string
	AvatarFileID, CreatedBy uuid.UUID
	ArchivedAt              time.Time
	LastSeq                 int64
	LastMessageAt           time.Time
	LegalHold               bool
	CreatedAt, UpdatedAt    time.Time
}

// RehydrateChat rebuilds a stored chat. It is for repository adapters only.
func RehydrateChat(r ChatRecord) *Chat {
	return &Chat{id: r.ID, orgID: r.OrgID, kind: r.Kind, groupID: r.GroupID, departmentID: r.DepartmentID, directKey: r.DirectKey,
		name: r.Name, description: r.Description, avatarFileID: r.AvatarFileID, createdBy: r.CreatedBy, archivedAt: r.ArchivedAt,
		lastSeq: r.LastSeq, lastMessageAt: r.LastMessageAt, legalHold: r.LegalHold, createdAt: r.CreatedAt, updatedAt: r.UpdatedAt}
}

// ChatPatch changes a chat's fields; nil leaves one as it is.
type ChatPatch struct {
	Name         *string
	Description  *string
	AvatarFileID *uuid.UUID // uuid.Nil clears it
	Archived     *bool
}

// Update applies a patch; on error nothing changes. A direct chat has no name, description or
// avatar of its own.
func (c *Chat) Update(p ChatPatch, now time.Time) error {
	name, desc, avatar, archivedAt := c.name, c.description, c.avatarFileID, c.archivedAt
	if c.kind == KindDirect && (p.Name != nil || p.Description != nil || p.AvatarFileID != nil) {
		return errs.E(errs.Invalid, "direct_chat", "a direct chat has no name, description or avatar")
	}
	if p.Name != nil {
		n, err := chatName(*p.Name)
		if err != nil {
			return err
		}
		if n == "" && c.kind == KindAdhoc {
			return errs.E(errs.Invalid, "invalid_name", "name: must not be empty")
		}
		name = n
	}
	if p.Description != nil {
		d, err := chatDescription(*p.Description)
		if err != nil {
			return err
		}
		desc = d
	}
	if p.AvatarFileID != nil {
		avatar = *p.AvatarFileID
	}
	if p.Archived != nil {
		switch {
		case *p.Archived && archivedAt.IsZero():
			archivedAt = now.UTC()
		case !*p.Archived:
			archivedAt = time.Time{}
		}
	}
	c.name, c.description, c.avatarFileID, c.archivedAt, c.updatedAt = name, desc, avatar, archivedAt, now.UTC()
	return nil
}

// SetLegalHold places or releases a legal hold, which suspends the purge of old messages.
func (c *Chat) SetLegalHold(on bool, now time.Time) { c.legalHold, c.updatedAt = on, now.UTC() }

// ID returns the chat's id.
func (c *Chat) ID() uuid.UUID { return c.id }

// OrgID returns the organisation.
func (c *Chat) OrgID() uuid.UUID { return c.orgID }

// Kind returns what it is.
func (c *Chat) Kind() Kind { return c.kind }

// GroupID returns the group of a group chat (uuid.Nil otherwise).
func (c *Chat) GroupID() uuid.UUID { return c.groupID }

// DepartmentID returns the department of a department chat (uuid.Nil otherwise).
func (c *Chat) DepartmentID() uuid.UUID { return c.departmentID }

// DirectKey returns the pair's key of a direct chat ("" otherwise).
func (c *Chat) DirectKey() string { return c.directKey }

// Name returns its own name ("" for a direct chat, and for a group's or department's that
// takes the group's or department's).
func (c *Chat) Name() string { return c.name }

// Description returns the description.
func (c *Chat) Description() string { return c.description }

// AvatarFileID returns the avatar's file (uuid.Nil for none).
func (c *Chat) AvatarFileID() uuid.UUID { return c.avatarFileID }

// CreatedBy returns who made it.
func (c *Chat) CreatedBy() uuid.UUID { return c.createdBy }

// ArchivedAt returns when it was archived (zero if not).
func (c *Chat) ArchivedAt() time.Time { return c.archivedAt }

// Archived reports whether it is archived: read-only.
func (c *Chat) Archived() bool { return !c.archivedAt.IsZero() }

// LastSeq returns the sequence of its last message (0 for none).
func (c *Chat) LastSeq() int64 { return c.lastSeq }

// LastMessageAt returns when its last message was sent (zero for none).
func (c *Chat) LastMessageAt() time.Time { return c.lastMessageAt }

// LegalHold reports whether a legal hold suspends the purge of its messages.
func (c *Chat) LegalHold() bool { return c.legalHold }

// CreatedAt returns when it was made.
func (c *Chat) CreatedAt() time.Time { return c.createdAt }

// UpdatedAt returns when it last changed.
func (c *Chat) UpdatedAt() time.Time { return c.updatedAt }
