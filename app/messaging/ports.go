package messaging

import (
	"context"
	"io"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	appevents "canopy/app/events"
	"canopy/domain/messaging"
)

// TxManager runs fn in one database transaction carried by the context it is given.
type TxManager interface {
	Within(ctx context.Context, fn func(ctx context.Context) error) error
}

// Clock tells the time; tests give one they can move.
type Clock interface {
	Now() time.Time
}

// Markdown renders a message for display: GitHub-flavoured Markdown, then sanitised, so that
// no raw HTML ever passes (infra/markdown).
type Markdown interface {
	HTML(src string) string
}

// TextSearch is the tokenizer of message search (infra/textsearch): Chinese as n-grams, other
// words normalised.
type TextSearch interface {
	// Query returns a tsquery literal for what someone typed, false when it has no term.
	Query(q string) (string, bool)
	// Highlight returns the rune ranges of text that match q.
	Highlight(text, q string) [][2]int
}

// Person is a member as messaging shows them.
type Person struct {
	ID         uuid.UUID `json:"user_id"`
	Name       string    `json:"name"`
	Role       string    `json:"role,omitempty"`
	Department string    `json:"department,omitempty"`
}

// Directory answers what messaging asks of the organisation's structure.
type Directory interface {
	// Names returns the display names of those of ids who are members of the organisation
	// (active or not); the others are left out.
	Names(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]string, error)
	// ActiveMembers returns those of ids who are active members of the organisation.
	ActiveMembers(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]uuid.UUID, error)
	// Group returns a group's name and the path of its department ("" for none); NotFound when
	// the organisation has no such group.
	Group(ctx context.Context, orgID, id uuid.UUID) (name, deptPath string, err error)
	// Department returns a department's name and path; NotFound when missing.
	Department(ctx context.Context, orgID, id uuid.UUID) (name, path string, err error)
	// GroupOwner reports whether the user owns the group.
	GroupOwner(ctx context.Context, orgID, groupID, userID uuid.UUID) (bool, error)
	// MaxGroupMembers returns the organisation's cap on the size of groups (and ad-hoc chats).
	MaxGroupMembers(ctx context.Context, orgID uuid.UUID) (int, error)
	// PresenceWatchers returns, by organisation the user is an active member of (all of them,
	// or orgID's alone when it is set), the other active members of their direct chats: those
	// who are shown whether they are online.
	PresenceWatchers(ctx context.Context, userID, orgID uuid.UUID) (map[uuid.UUID][]uuid.UUID, error)
}

// ChatRow is a chat in a listing, with the viewer's state in it.
type ChatRow struct {
	Chat        *messaging.Chat
	DisplayName string
	LastReadSeq int64
	Muted       bool
	PinnedAt    time.Time
	MemberCount int
	MyRole      messaging.Role // "" when the viewer is not a member
}

// MineQuery asks for a page of a member's chats.
type MineQuery struct {
	OrgID  uuid.UUID
	UserID uuid.UUID
	Guest  bool
	Query  string
	Limit  int
	Offset int
}

// AdminQuery asks for a page of the chats of groups and departments (and, organisation-wide,
// all chats) an administrator manages.
type AdminQuery struct {
	OrgID       uuid.UUID
	Org         bool        // chats.manage organisation-wide
	Departments []uuid.UUID // else the roots of the subtrees they manage
	Kind        messaging.Kind
	Query       string
	Limit       int
	Offset      int
}

// ChatRepository stores chats.
type ChatRepository interface {
	// Create stores a chat; Conflict when the group, department or pair already has one.
	Create(ctx context.Context, c *messaging.Chat) error
	// Get returns a chat of the organisation; NotFound otherwise.
	Get(ctx context.Context, orgID, id uuid.UUID) (*messaging.Chat, error)
	// GetAs returns a chat of the organisation with the user's role in it and whether they are
	// a member of it now (as MemberRepository.Role), in one read; NotFound when there is no chat.
	GetAs(ctx context.Context, orgID, id, userID uuid.UUID) (*messaging.Chat, messaging.Role, bool, error)
	// Lock returns the chat locked until the transaction ends: sending and adding members
	// take it first, so sequences and the member cap hold under concurrency.
	Lock(ctx context.Context, orgID, id uuid.UUID) (*messaging.Chat, error)
	// Direct returns the direct chat of a pair; NotFound when there is none.
	Direct(ctx context.Context, orgID uuid.UUID, key string) (*messaging.Chat, error)
	// Update writes its name, description, avatar, archive and hold (never its sequence).
	Update(ctx context.Context, c *messaging.Chat) error
	// Mine returns a page of the chats the user is a member of now, pinned first, then by last
	// activity, and their total.
	Mine(ctx context.Context, q MineQuery) ([]ChatRow, int, error)
	// Admin returns a page of the chats an administrator manages, and their total.
	Admin(ctx context.Context, q AdminQuery) ([]ChatRow, int, error)
	// DisplayName returns the name a viewer sees: a direct chat's other member, a group's or
	// department's chat's group or department unless it has its own.
	DisplayName(ctx context.Context, c *messaging.Chat, viewer uuid.UUID) (string, error)
	// DisplayNames returns the names a viewer sees of the organisation's chats among ids, by id.
	DisplayNames(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID, viewer uuid.UUID) (map[uuid.UUID]string, error)
}

// MemberRepository answers who is in a chat, and stores the members of direct and ad-hoc chats
// and the explicit roles of the others.
type MemberRepository interface {
	// Role returns the user's role in the chat and whether they are a member of it now.
	Role(ctx context.Context, c *messaging.Chat, userID uuid.UUID) (messaging.Role, bool, error)
	// Count returns how many members the chat has now.
	Count(ctx context.Context, c *messaging.Chat) (int, error)
	// Among returns those of users who are members of the chat now.
	Among(ctx context.Context, orgID, chatID uuid.UUID, users []uuid.UUID) ([]uuid.UUID, error)
	// All returns the chat's members now.
	All(ctx context.Context, c *messaging.Chat) ([]uuid.UUID, error)
	// Current returns the members now of the chat with that id (for the events' read check,
	// which has the id, not the chat).
	Current(ctx context.Context, orgID, chatID uuid.UUID) ([]uuid.UUID, error)
	// DepartmentGuests returns the active guests who are members of the departments' subtrees:
	// a department's members who are not members of its chat.
	DepartmentGuests(ctx context.Context, orgID uuid.UUID, departments []uuid.UUID) ([]uuid.UUID, error)
	// List returns a page of the members (name contains query, or its pinyin), with role and
	// primary department, by name, and their total.
	List(ctx context.Context, c *messaging.Chat, query string, limit, offset int) ([]Person, int, error)
	// Add stores members with a role (for ad-hoc and direct chats, in the chat's transaction);
	// those already stored are left as they are. It returns how many were added.
	Add(ctx context.Context, c *messaging.Chat, users []uuid.UUID, role messaging.Role, at time.Time) (int, error)
	// StoredCount returns how many members a direct or ad-hoc chat stores.
	StoredCount(ctx context.Context, c *messaging.Chat) (int, error)
	// Remove deletes a stored member; NotFound when they are not one.
	Remove(ctx context.Context, c *messaging.Chat, userID uuid.UUID) error
	// Heir returns who takes over an ad-hoc chat whose owner leaves: its longest-standing active
	// admin, else its longest-standing active member other than leaving, never a guest;
	// uuid.Nil when none.
	Heir(ctx context.Context, c *messaging.Chat, leaving uuid.UUID) (uuid.UUID, error)
	// SetRole stores a member's role (an explicit row for group and department chats).
	SetRole(ctx context.Context, c *messaging.Chat, userID uuid.UUID, role messaging.Role, at time.Time) error
}

// ReadState is a member's state in a chat.
type ReadState struct {
	LastReadSeq int64
	Muted       bool
	PinnedAt    time.Time
}

// ReadRepository stores each member's read state: one row per member per chat.
type ReadRepository interface {
	// MarkRead moves the user's last read sequence up to seq (never back) and returns the
	// previous and the new one.
	MarkRead(ctx context.Context, orgID, chatID, userID uuid.UUID, seq int64) (prev, now int64, err error)
	// Settings sets the user's mute and pin of the chat (nil leaves one as it is).
	Settings(ctx context.Context, orgID, chatID, userID uuid.UUID, muted *bool, pinnedAt *time.Time) error
	// State returns the user's state in the chat (zero when none is stored).
	State(ctx context.Context, orgID, chatID, userID uuid.UUID) (ReadState, error)
	// Readers returns, of the chat's members now other than except, those who have read seq
	// and those who have not, by name; with honour set, those who chose not to send read
	// receipts are counted in hidden and named in neither.
	Readers(ctx context.Context, c *messaging.Chat, seq int64, except uuid.UUID, honour bool) (read, unread []Person, hidden int, err error)
}

// Reaction is the count of one emoji on a message.
type Reaction struct {
	Emoji string `json:"emoji"`
	Count int    `json:"count"`
	Mine  bool   `json:"mine"`
}

// Edit is a message's body before one of its edits.
type Edit struct {
	Body     string    `json:"body"`
	EditedAt time.Time `json:"edited_at"`
}

// PageQuery asks for a page of a chat's messages (thread replies left out) by sequence.
type PageQuery struct {
	OrgID, ChatID       uuid.UUID
	BeforeSeq, AfterSeq int64 // 0: none
	Limit               int
}

// SearchQuery asks for a page of the messages a member may search.
type SearchQuery struct {
	OrgID    uuid.UUID
	UserID   uuid.UUID
	Guest    bool
	TSQuery  string
	ChatID   uuid.UUID
	SenderID uuid.UUID
	From, To time.Time
	Limit    int
	Offset   int
	// Cap is the most matches the total counts (SearchTotalCap when 0).
	Cap int
}

// SearchTotalCap is how many matches a search counts at most: beyond it the total is reported
// as capped.
const SearchTotalCap = 1000

// MessageRepository stores messages, their edits, reactions and pins.
type MessageRepository interface {
	// Append stores a new message at its chat's next sequence, which it returns, with the
	// sender's read state at it and, when e is not nil, e in the events outbox with the
	// sequence set at "message"."seq" of its payload (a pg_notify wakes the dispatchers at the
	// commit), all in one statement. That statement locks the chat's row until the commit, so
	// sequences follow the commits' order; as it is the transaction's last, the row is held for
	// it and the commit alone. NotFound when the chat is gone, Conflict chat_archived when it
	// is archived, Conflict when the sender's client id was used.
	Append(ctx context.Context, m *messaging.Message, e *appevents.Event) (int64, error)
	// Get returns a message of a chat; NotFound otherwise.
	Get(ctx context.Context, orgID, chatID, id uuid.UUID) (*messaging.Message, error)
	// ByClientID returns the sender's message of that client id; NotFound when none.
	ByClientID(ctx context.Context, orgID, chatID, senderID uuid.UUID, clientID string) (*messaging.Message, error)
	// ByIDs returns messages of the organisation by id.
	ByIDs(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]*messaging.Message, error)
	// Update writes its body (and search vector), edit, recall and deletion.
	Update(ctx context.Context, m *messaging.Message) error
	// AddReply counts a reply on a thread's root.
	AddReply(ctx context.Context, orgID, rootID uuid.UUID, at time.Time) (*messaging.Message, error)
	// AddEdit keeps a body a message had before an edit.
	AddEdit(ctx context.Context, orgID, messageID uuid.UUID, body string, at time.Time) error
	// Edits returns a message's earlier bodies, oldest first.
	Edits(ctx context.Context, orgID, messageID uuid.UUID) ([]Edit, error)
	// Page returns messages of a chat by sequence, oldest first, and whether there are more in
	// the direction asked.
	Page(ctx context.Context, q PageQuery) ([]*messaging.Message, bool, error)
	// Thread returns the replies of a root after a sequence, oldest first.
	Thread(ctx context.Context, orgID, rootID uuid.UUID, afterSeq int64, limit int) ([]*messaging.Message, bool, error)
	// Reactions returns the reactions of messages, with whether viewer made them.
	Reactions(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID, viewer uuid.UUID) (map[uuid.UUID][]Reaction, error)
	// React adds a reaction (again: no change); Unreact removes one (NotFound when absent).
	React(ctx context.Context, orgID, messageID, userID uuid.UUID, emoji string, at time.Time) error
	Unreact(ctx context.Context, orgID, messageID, userID uuid.UUID, emoji string) error
	// Pin pins a message in its chat (again: no change); Unpin unpins it (NotFound when not).
	Pin(ctx context.Context, m *messaging.Message, by uuid.UUID, at time.Time) error
	Unpin(ctx context.Context, m *messaging.Message) error
	// Pinned returns which of ids are pinned.
	Pinned(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]bool, error)
	// Pins returns the pinned messages of a chat, latest pin first.
	Pins(ctx context.Context, orgID, chatID uuid.UUID) ([]*messaging.Message, error)
	// Senders returns the distinct senders of a chat's messages with sequence in (from, to],
	// at most limit.
	Senders(ctx context.Context, orgID, chatID uuid.UUID, from, to int64, limit int) ([]uuid.UUID, error)
	// Search returns a page of the live messages of the chats the user is a member of now that
	// match the query, newest first, and their total.
	Search(ctx context.Context, q SearchQuery) (ms []*messaging.Message, total int, capped bool, err error)
	// Latest returns the last top-level message of each chat, by chat.
	Latest(ctx context.Context, orgID uuid.UUID, chatIDs []uuid.UUID) (map[uuid.UUID]*messaging.Message, error)
	// All returns every message of a chat, oldest first (an export).
	All(ctx context.Context, orgID, chatID uuid.UUID) ([]*messaging.Message, error)
	// Purge deletes up to limit messages older than each organisation's retention, of chats
	// without a legal hold (a thread's root stays while its replies do), and returns how many.
	Purge(ctx context.Context, now time.Time, limit int) (int64, error)
}

// SettingsRepository stores the organisation's messaging settings and members' receipts choice.
type SettingsRepository interface {
	// Get returns an organisation's settings (the defaults when none are stored).
	Get(ctx context.Context, orgID uuid.UUID) (messaging.Settings, error)
	// Put stores them.
	Put(ctx context.Context, orgID uuid.UUID, s messaging.Settings, at time.Time) error
	// Receipts returns whether the user sends read receipts.
	Receipts(ctx context.Context, userID uuid.UUID) (bool, error)
	// SetReceipts stores the user's choice.
	SetReceipts(ctx context.Context, userID uuid.UUID, on bool) error
}

// AttachedFile is a file as a message shows it. URL and ThumbnailURL are the chat's routes to
// its bytes (every member of the chat may read them there, whatever the files module lets them
// read); Image marks a file the files module makes thumbnails of.
type AttachedFile struct {
	ID           uuid.UUID `json:"id"`
	Name         string    `json:"name"`
	Size         int64     `json:"size"`
	ContentType  string    `json:"content_type"`
	URL          string    `json:"url,omitempty"`
	ThumbnailURL string    `json:"thumbnail_url,omitempty"`
	Image        bool      `json:"-"`
}

// Content is an attachment's bytes opened for reading, with what serving them needs. Body is
// the caller's to close.
type Content struct {
	Name        string
	ContentType string
	SHA256      string // "" for a thumbnail
	Version     int    // the version's number; 0 for a thumbnail
	Modified    time.Time
	Body        io.ReadSeekCloser
}

// Files is the files module as attachments need it (cmd/canopy adapts app/files). The file,
// its access and its retention stay the files module's: a message only names it.
type Files interface {
	// Readable returns a live file the actor may read: NotFound otherwise.
	Readable(ctx context.Context, a authz.Actor, id uuid.UUID) (AttachedFile, error)
	// Describe returns the live files of the organisation among ids, by id (no access check).
	Describe(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]AttachedFile, error)
	// Space returns the files space of an owner ("personal", "group", "department"), created on
	// first use.
	Space(ctx context.Context, orgID uuid.UUID, kind string, ownerID uuid.UUID) (uuid.UUID, error)
	// Open opens the current version of a live file of the organisation with no access check of
	// the files module's (messaging has checked the chat); NotFound when it is trashed or purged.
	Open(ctx context.Context, orgID, id uuid.UUID) (Content, error)
	// Thumbnail opens the thumbnail of a live file's current version likewise; NotFound when it
	// has none (yet).
	Thumbnail(ctx context.Context, orgID, id uuid.UUID) (Content, error)
}
