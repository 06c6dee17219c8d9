package tasks

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/tasks"
)

// CollabDeps are what comments, attachments and reminders need. Left zero, the collab use cases
// answer Unavailable; the core of the module works without them.
type CollabDeps struct {
	Comments    tasks.CommentRepository
	Attachments tasks.AttachmentRepository
	Reminders   tasks.ReminderRepository
	Files       Files
}

// AttachedFile is a file as a task's attachment shows it.
type AttachedFile struct {
	ID          uuid.UUID
	Name        string
	Size        int64
	ContentType string
}

// Files is the files module as attachments need it (cmd/canopy adapts app/files). The file, its
// access and its retention stay the files module's: an attachment is only a link.
type Files interface {
	// Readable returns a live file the actor may read: NotFound otherwise, also for another
	// organisation's or a trashed file.
	Readable(ctx context.Context, a authz.Actor, id uuid.UUID) (AttachedFile, error)
	// Describe returns the live files of the organisation among ids, by id; trashed and purged
	// ones are left out. It checks no access: it shows what a task links.
	Describe(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]AttachedFile, error)
	// OwnerSpace returns the files space of a list's owner (created on first use), which
	// attachments are uploaded into.
	OwnerSpace(ctx context.Context, orgID uuid.UUID, kind tasks.OwnerKind, ownerID uuid.UUID) (uuid.UUID, error)
}

// The actions of a task's history that the collab part records.
const (
	ActionCommented         = "commented"
	ActionAttachmentAdded   = "attachment_added"
	ActionAttachmentRemoved = "attachment_removed"
)

// The notification kinds the collab part publishes.
const (
	// EventTaskDueSoon tells whoever set a reminder that it came due.
	EventTaskDueSoon = "tasks.task_due_soon"
	// EventTaskOverdue tells the assignees (the creator when there are none) that a task passed
	// its due time open.
	EventTaskOverdue = "tasks.task_overdue"
	// EventCommentAdded tells assignees, followers and the creator of a comment.
	EventCommentAdded = "tasks.comment_added"
	// EventMentioned tells the members a comment mentions.
	EventMentioned = "tasks.mentioned"
)

// excerptRunes is how much of a comment a notification quotes.
const excerptRunes = 140

// excerpt is the start of a comment as one line, for a notification: runs of white space
// become one space, and a cut is marked with an ellipsis.
func excerpt(body string) string {
	s := strings.Join(strings.FieldsFunc(body, unicode.IsSpace), " ")
	if utf8.RuneCountInString(s) <= excerptRunes {
		return s
	}
	r := []rune(s)
	return strings.TrimRightFunc(string(r[:excerptRunes]), unicode.IsSpace) + "…"
}

// people names users, in order; one who is no longer a member keeps an empty name.
func (s *Service) people(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]Person, error) {
	names, err := s.directory.Names(ctx, orgID, dedupe(append([]uuid.UUID(nil), ids...)))
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]Person, len(ids))
	for _, id := range ids {
		out[id] = Person{ID: id, Name: names[id]}
	}
	return out, nil
}
