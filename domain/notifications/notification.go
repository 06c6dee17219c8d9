// Package notifications holds what a person is told in the app about changes that concern them:
// their notifications, and their preferences for each kind (in the app, by email, or not at
// all) with the quiet hours during which nothing is mailed.
package notifications

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

// Kind is what a notification is about: the type of the event that caused it
// ("files.file_shared"), so that a preference and the event name the same thing.
type Kind string

// The kinds that notify. An event of another type makes no notification.
const (
	// KindFileShared: a file or folder was shared with the person.
	KindFileShared Kind = "files.file_shared"
	// KindWebhookPaused: a webhook subscription of the organisation kept failing and was
	// paused (its admins are told).
	KindWebhookPaused Kind = "webhooks.subscription_paused"
	// KindTaskAssigned: the person was made an assignee of a task.
	KindTaskAssigned Kind = "tasks.task_assigned"
	// KindTaskCompleted: a task the person created was completed.
	KindTaskCompleted Kind = "tasks.task_completed"
	// KindTaskDueSoon: a reminder the person set on a task came due.
	KindTaskDueSoon Kind = "tasks.task_due_soon"
	// KindTaskOverdue: a task assigned to the person (or created by them, when it has no
	// assignee) passed its due time open.
	KindTaskOverdue Kind = "tasks.task_overdue"
	// KindTaskCommentAdded: someone commented on a task the person is assigned to, follows or
	// created.
	KindTaskCommentAdded Kind = "tasks.comment_added"
	// KindTaskMentioned: someone mentioned the person in a comment on a task.
	KindTaskMentioned Kind = "tasks.mentioned"
	// KindMessageMentioned: someone mentioned the person by name in a chat message.
	KindMessageMentioned Kind = "messages.mentioned"
	// KindAnnouncementPublished: an announcement was published to the person (to the
	// organisation, a department above them or a group of theirs).
	KindAnnouncementPublished Kind = "announcements.published"
	// KindAnnouncementReminder: the publisher of an announcement the person has not acknowledged
	// reminded them of it.
	KindAnnouncementReminder Kind = "announcements.reminder"
)

// Kinds are the kinds that notify, in the order the preferences list them.
var Kinds = []Kind{KindFileShared, KindTaskAssigned, KindTaskMentioned, KindTaskCommentAdded, KindTaskDueSoon,
	KindTaskOverdue, KindTaskCompleted, KindMessageMentioned, KindAnnouncementPublished, KindAnnouncementReminder, KindWebhookPaused}

// ParseKind returns the kind named s, or Invalid (code unknown_kind).
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", errs.E(errs.Invalid, "unknown_kind", "kind: unknown notification kind")
}

// Notifies reports whether an event of type eventType makes notifications.
func Notifies(eventType string) bool {
	_, err := ParseKind(eventType)
	return err == nil
}

// Notification is one thing a person is told about, in one organisation. It copies what the
// event said (its subject, its actor and its small payload), so the list needs no other read.
type Notification struct {
	id          uuid.UUID
	orgID       uuid.UUID
	userID      uuid.UUID
	eventID     int64
	kind        Kind
	subjectType string
	subjectID   uuid.UUID
	actorID     uuid.UUID
	payload     json.RawMessage
	createdAt   time.Time
	readAt      *time.Time
}

// NewInput is what a new notification is made of.
type NewInput struct {
	OrgID       uuid.UUID
	UserID      uuid.UUID
	EventID     int64
	Kind        Kind
	SubjectType string
	SubjectID   uuid.UUID
	ActorID     uuid.UUID // uuid.Nil for the system
	Payload     json.RawMessage
}

// New makes an unread notification. A notification is made from a dispatched event, never from
// a request, so a missing organisation, user or kind is a bug (Internal), not bad input.
func New(in NewInput, now time.Time) (*Notification, error) {
	if in.OrgID == uuid.Nil || in.UserID == uuid.Nil || in.SubjectID == uuid.Nil || in.SubjectType == "" {
		return nil, errs.Internalf("notifications: a notification needs an organisation, a user and a subject")
	}
	if _, err := ParseKind(string(in.Kind)); err != nil {
		return nil, errs.Internalf("notifications: kind %q does not notify", in.Kind)
	}
	p := in.Payload
	if len(p) == 0 {
		p = json.RawMessage(`{}`)
	}
	if !json.Valid(p) {
		return nil, errs.Internalf("notifications: payload is not JSON")
	}
	return &Notification{id: uuid.New(), orgID: in.OrgID, userID: in.UserID, eventID: in.EventID, kind: in.Kind,
		subjectType: in.SubjectType, subjectID: in.SubjectID, actorID: in.ActorID, payload: p, createdAt: now.UTC()}, nil
}

// Rehydrate rebuilds a stored notification; for adapters only.
func Rehydrate(id, orgID, userID uuid.UUID, eventID int64, kind Kind, subjectType string, subjectID, actorID uuid.UUID,
	payload json.RawMessage, createdAt time.Time, readAt *time.Time) *Notification {
	return &Notification{id: id, orgID: orgID, userID: userID, eventID: eventID, kind: kind, subjectType: subjectType,
		subjectID: subjectID, actorID: actorID, payload: payload, createdAt: createdAt, readAt: readAt}
}

// ID returns the notification's id.
func (n *Notification) ID() uuid.UUID { return n.id }

// OrgID returns the organisation it belongs to.
func (n *Notification) OrgID() uuid.UUID { return n.orgID }

// UserID returns the person it is for.
func (n *Notification) UserID() uuid.UUID { return n.userID }

// EventID returns the event that caused it.
func (n *Notification) EventID() int64 { return n.eventID }

// Kind returns what it is about.
func (n *Notification) Kind() Kind { return n.kind }

// SubjectType returns the type of the thing that changed ("file", "folder").
func (n *Notification) SubjectType() string { return n.subjectType }

// SubjectID returns the thing that changed.
func (n *Notification) SubjectID() uuid.UUID { return n.subjectID }

// ActorID returns who made the change, uuid.Nil for the system.
func (n *Notification) ActorID() uuid.UUID { return n.actorID }

// Payload returns the event's small JSON object.
func (n *Notification) Payload() json.RawMessage { return n.payload }

// CreatedAt returns when it was made.
func (n *Notification) CreatedAt() time.Time { return n.createdAt }

// ReadAt returns when the person read it, nil while unread.
func (n *Notification) ReadAt() *time.Time { return n.readAt }

// ListFilter selects a page of a person's notifications, newest first.
type ListFilter struct {
	UnreadOnly bool
	Limit      int
	Offset     int
}

// Repository stores notifications. Every method is scoped to one person in one organisation:
// another's notification is NotFound, exactly as a missing one.
type Repository interface {
	// Add stores new notifications.
	Add(ctx context.Context, ns []*Notification) error
	// List returns a page of the person's notifications and how many match the filter.
	List(ctx context.Context, orgID, userID uuid.UUID, f ListFilter) ([]*Notification, int, error)
	// UnreadCount returns how many of the person's notifications are unread.
	UnreadCount(ctx context.Context, orgID, userID uuid.UUID) (int, error)
	// MarkRead marks one of the person's notifications read at at (a read one stays as it
	// was); NotFound when it is not theirs.
	MarkRead(ctx context.Context, orgID, userID, id uuid.UUID, at time.Time) error
	// MarkAllRead marks every unread notification of the person read and returns how many.
	MarkAllRead(ctx context.Context, orgID, userID uuid.UUID, at time.Time) (int, error)
}
