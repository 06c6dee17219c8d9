// Package announcements holds what an organisation's admins publish to the organisation, a
// department subtree or a group: an announcement with a Markdown body that may ask each
// recipient to acknowledge it, and the acknowledgements. Recipients are never stored: they are
// whoever the scope covers at the moment they are asked for.
package announcements

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/text"
)

// Limits of an announcement.
const (
	// MaxTitleLength is the longest title, in characters.
	MaxTitleLength = 200
	// MaxBodyBytes is the largest body, in bytes of UTF-8.
	MaxBodyBytes = 16 << 10
	// RemindInterval is how long after a reminder the next one may be sent.
	RemindInterval = 10 * time.Minute
)

// Scope is whom an announcement is addressed to.
type Scope string

// The scopes.
const (
	// ScopeOrg: every active member of the organisation but its guests.
	ScopeOrg Scope = "org"
	// ScopeDepartment: every active member (but guests) of a department or any below it.
	ScopeDepartment Scope = "department"
	// ScopeGroup: every active member of a group, guests included, since a guest joins a group
	// only by being put in it.
	ScopeGroup Scope = "group"
)

// ParseScope accepts a scope, or Invalid (code invalid_scope).
func ParseScope(s string) (Scope, error) {
	switch Scope(s) {
	case ScopeOrg, ScopeDepartment, ScopeGroup:
		return Scope(s), nil
	}
	return "", errs.E(errs.Invalid, "invalid_scope", "scope: must be org, department or group")
}

// Announcement is one announcement. Its target is the organisation itself (ScopeOrg), a
// department or a group.
type Announcement struct {
	id             uuid.UUID
	orgID          uuid.UUID
	scope          Scope
	targetID       uuid.UUID
	title          string
	body           string
	bodyHTML       string
	requiresAck    bool
	publishedBy    uuid.UUID
	publishedAt    time.Time
	lastRemindedAt time.Time
	deletedAt      time.Time
	deletedBy      uuid.UUID
}

// NewInput is what a new announcement is made of. BodyHTML is the body rendered for display
// (sanitised); the entity does not render Markdown itself.
type NewInput struct {
	OrgID       uuid.UUID
	Scope       Scope
	TargetID    uuid.UUID // the department or group; ignored for ScopeOrg
	Title       string
	Body        string
	RequiresAck bool
	PublishedBy uuid.UUID
}

// CheckTitle checks and normalises a title: one line, 1 to MaxTitleLength characters.
func CheckTitle(s string) (string, error) {
	s, err := text.Name("title", s)
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", errs.E(errs.Invalid, "missing_field", "title: is required")
	}
	if utf8.RuneCountInString(s) > MaxTitleLength {
		return "", errs.E(errs.Invalid, "invalid_title", "title: must be at most 200 characters")
	}
	return s, nil
}

// CheckBody checks a body: Markdown of at most MaxBodyBytes without control characters. It may
// be empty: a title can say it all.
func CheckBody(s string) (string, error) {
	if len(s) > MaxBodyBytes {
		return "", errs.E(errs.Invalid, "body_too_long", "body: must be at most 16 KiB")
	}
	if err := text.MultiLine("body", s); err != nil {
		return "", err
	}
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	return s, nil
}

// New returns a new announcement published at now, or Invalid naming the field at fault.
func New(in NewInput, bodyHTML string, now time.Time) (*Announcement, error) {
	if in.OrgID == uuid.Nil || in.PublishedBy == uuid.Nil {
		return nil, errs.Internalf("announcements: an announcement needs an organisation and a publisher")
	}
	if _, err := ParseScope(string(in.Scope)); err != nil {
		return nil, err
	}
	target := in.TargetID
	if in.Scope == ScopeOrg {
		target = in.OrgID
	} else if target == uuid.Nil {
		return nil, errs.E(errs.Invalid, "missing_field", "target_id: is required for a department or a group")
	}
	title, err := CheckTitle(in.Title)
	if err != nil {
		return nil, err
	}
	body, err := CheckBody(in.Body)
	if err != nil {
		return nil, err
	}
	if body == "" {
		bodyHTML = ""
	}
	return &Announcement{id: uuid.New(), orgID: in.OrgID, scope: in.Scope, targetID: target, title: title, body: body, bodyHTML: bodyHTML,
		requiresAck: in.RequiresAck, publishedBy: in.PublishedBy, publishedAt: now.UTC()}, nil
}

// Stored is an announcement as a repository reads it back.
type Stored struct {
	ID, OrgID      uuid.UUID
	Scope          Scope
	TargetID       uuid.UUID
	Title, Body    string
	BodyHTML       string
	RequiresAck    bool
	PublishedBy    uuid.UUID
	PublishedAt    time.Time
	LastRemindedAt time.Time
	DeletedAt      time.Time
	DeletedBy      uuid.UUID
}

// Rehydrate rebuilds a stored announcement. It is for repository adapters only.
func Rehydrate(s Stored) *Announcement {
	return &Announcement{id: s.ID, orgID: s.OrgID, scope: s.Scope, targetID: s.TargetID, title: s.Title, body: s.Body, bodyHTML: s.BodyHTML,
		requiresAck: s.RequiresAck, publishedBy: s.PublishedBy, publishedAt: s.PublishedAt, lastRemindedAt: s.LastRemindedAt,
		deletedAt: s.DeletedAt, deletedBy: s.DeletedBy}
}

// Stored returns the announcement's fields, for repository adapters.
func (a *Announcement) Stored() Stored {
	return Stored{ID: a.id, OrgID: a.orgID, Scope: a.scope, TargetID: a.targetID, Title: a.title, Body: a.body, BodyHTML: a.bodyHTML,
		RequiresAck: a.requiresAck, PublishedBy: a.publishedBy, PublishedAt: a.publishedAt, LastRemindedAt: a.lastRemindedAt,
		DeletedAt: a.deletedAt, DeletedBy: a.deletedBy}
}

// ID returns its id.
func (a *Announcement) ID() uuid.UUID { return a.id }

// OrgID returns its organisation.
func (a *Announcement) OrgID() uuid.UUID { return a.orgID }

// Scope returns whom it is addressed to.
func (a *Announcement) Scope() Scope { return a.scope }

// TargetID returns the department or group it is addressed to (the organisation's id for
// ScopeOrg).
func (a *Announcement) TargetID() uuid.UUID { return a.targetID }

// Title returns its title.
func (a *Announcement) Title() string { return a.title }

// Body returns its Markdown body.
func (a *Announcement) Body() string { return a.body }

// BodyHTML returns its body rendered and sanitised.
func (a *Announcement) BodyHTML() string { return a.bodyHTML }

// RequiresAck reports whether each recipient is asked to acknowledge it.
func (a *Announcement) RequiresAck() bool { return a.requiresAck }

// PublishedBy returns who published it.
func (a *Announcement) PublishedBy() uuid.UUID { return a.publishedBy }

// PublishedAt returns when.
func (a *Announcement) PublishedAt() time.Time { return a.publishedAt }

// LastRemindedAt returns when its pending recipients were last reminded (zero: never).
func (a *Announcement) LastRemindedAt() time.Time { return a.lastRemindedAt }

// Deleted reports whether it was deleted.
func (a *Announcement) Deleted() bool { return !a.deletedAt.IsZero() }

// Remind records a reminder at now, or refuses it with TooManyRequests (code
// remind_too_soon, saying how long to wait) within RemindInterval of the last one, or with
// Conflict (code ack_not_required) when nobody is asked to acknowledge it.
func (a *Announcement) Remind(now time.Time) error {
	if !a.requiresAck {
		return errs.E(errs.Conflict, "ack_not_required", "this announcement does not ask for acknowledgement, so there is nobody to remind")
	}
	if !a.lastRemindedAt.IsZero() {
		if wait := a.lastRemindedAt.Add(RemindInterval).Sub(now); wait > 0 {
			e := errs.E(errs.TooManyRequests, "remind_too_soon", "a reminder was sent less than 10 minutes ago; try again later")
			e.RetryAfter = wait
			return e
		}
	}
	a.lastRemindedAt = now.UTC()
	return nil
}

// Delete marks it deleted by who at now; it is then NotFound to everyone.
func (a *Announcement) Delete(who uuid.UUID, now time.Time) {
	a.deletedAt, a.deletedBy = now.UTC(), who
}

// Recipient is one of an announcement's recipients with their acknowledgement.
type Recipient struct {
	UserID     uuid.UUID
	Name       string
	Department string    // their primary department's name, "" for none
	AckedAt    time.Time // zero while pending
}

// AckState filters recipients by acknowledgement.
type AckState string

// The states.
const (
	AckAll     AckState = ""
	AckAcked   AckState = "acked"
	AckPending AckState = "pending"
)

// ParseAckState accepts "", "acked" or "pending", or Invalid.
func ParseAckState(s string) (AckState, error) {
	switch AckState(s) {
	case AckAll, AckAcked, AckPending:
		return AckState(s), nil
	}
	return "", errs.Invalidf("query parameter %q must be acked or pending", "state")
}

// RecipientQuery asks for a page of an announcement's recipients.
type RecipientQuery struct {
	State         AckState
	Limit, Offset int
}

// RecipientPage is a page of recipients, how many match the state, and the counts of both.
type RecipientPage struct {
	Items        []Recipient
	Total        int
	AckedCount   int
	PendingCount int
}

// Mine is an announcement addressed to a member, with their acknowledgement (zero: none).
type Mine struct {
	Announcement *Announcement
	AckedAt      time.Time
}

// Pending reports whether the member is still asked to acknowledge it.
func (m Mine) Pending() bool { return m.Announcement.RequiresAck() && m.AckedAt.IsZero() }

// MineQuery asks for a page of a member's announcements: PendingOnly keeps those still
// awaiting their acknowledgement.
type MineQuery struct {
	OrgID, UserID uuid.UUID
	PendingOnly   bool
	Limit, Offset int
}

// Counted is an announcement with its current recipients and how many of them acknowledged.
type Counted struct {
	Announcement *Announcement
	Total, Acked int
}

// AdminQuery asks for a page of announcements an admin oversees: every one when Org, otherwise
// those they published and those addressed to a department below one of DepartmentPaths or to
// a group attached to one.
type AdminQuery struct {
	OrgID           uuid.UUID
	Publisher       uuid.UUID
	Org             bool
	DepartmentPaths []string
	Limit, Offset   int
}

// Repository stores announcements and acknowledgements, and resolves recipients live. Every
// method is scoped to one organisation: another's announcement is NotFound.
type Repository interface {
	// Create stores a new announcement.
	Create(ctx context.Context, a *Announcement) error
	// Get returns an announcement that is not deleted; NotFound otherwise.
	Get(ctx context.Context, orgID, id uuid.UUID) (*Announcement, error)
	// Lock is Get, locking the row until the transaction ends.
	Lock(ctx context.Context, orgID, id uuid.UUID) (*Announcement, error)
	// Update writes its reminder time and deletion.
	Update(ctx context.Context, a *Announcement) error
	// IsRecipient reports whether the user is one of its recipients now.
	IsRecipient(ctx context.Context, a *Announcement, userID uuid.UUID) (bool, error)
	// Recipients returns which of users are its recipients now; pendingOnly keeps those who have
	// not acknowledged it.
	Recipients(ctx context.Context, a *Announcement, users []uuid.UUID, pendingOnly bool) ([]uuid.UUID, error)
	// Pending returns every recipient who has not acknowledged it.
	Pending(ctx context.Context, a *Announcement) ([]uuid.UUID, error)
	// Page returns a page of its recipients with their acknowledgement, by name.
	Page(ctx context.Context, a *Announcement, q RecipientQuery) (RecipientPage, error)
	// Ack records the user's acknowledgement at at, keeping the first, and returns it.
	Ack(ctx context.Context, a *Announcement, userID uuid.UUID, at time.Time) (time.Time, error)
	// AckOf returns the user's acknowledgement (zero: none).
	AckOf(ctx context.Context, a *Announcement, userID uuid.UUID) (time.Time, error)
	// Mine returns a page of the announcements addressed to a member now, pending first, then
	// newest first, and their total.
	Mine(ctx context.Context, q MineQuery) ([]Mine, int, error)
	// Admin returns a page of the announcements an admin oversees, newest first, with their
	// counts, and their total.
	Admin(ctx context.Context, q AdminQuery) ([]Counted, int, error)
}
