package tasks

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/text"
)

// Limits of comments.
const (
	// MaxCommentBytes is the largest comment body, in bytes of UTF-8.
	MaxCommentBytes = 16 << 10
	// MaxMentions is how many members one comment may mention.
	MaxMentions = 50
)

// Comment is a Markdown note on a task by a member, with the members it mentions. A deleted
// comment is kept (deleted_at) but no longer listed.
type Comment struct {
	id        uuid.UUID
	orgID     uuid.UUID
	taskID    uuid.UUID
	authorID  uuid.UUID
	body      string
	mentions  []uuid.UUID
	createdAt time.Time
	editedAt  time.Time
	deletedAt time.Time
}

// commentBody checks a body: not blank, at most MaxCommentBytes, no control characters.
func commentBody(body string) (string, error) {
	if strings.TrimSpace(body) == "" {
		return "", errs.E(errs.Invalid, "missing_field", "body: is required")
	}
	if len(body) > MaxCommentBytes {
		return "", errs.E(errs.Invalid, "comment_too_long", "body: must be at most 16 KiB")
	}
	if err := text.MultiLine("body", body); err != nil {
		return "", err
	}
	return body, nil
}

// NewComment returns a comment by author on a task, mentioning members (each once, never the
// author, who need not be told of their own comment).
func NewComment(orgID, taskID, authorID uuid.UUID, body string, mentions []uuid.UUID, now time.Time) (*Comment, error) {
	if orgID == uuid.Nil || taskID == uuid.Nil || authorID == uuid.Nil {
		return nil, errs.Internalf("tasks: a comment needs an organisation, a task and an author")
	}
	b, err := commentBody(body)
	if err != nil {
		return nil, err
	}
	seen := map[uuid.UUID]bool{authorID: true}
	var ms []uuid.UUID
	for _, m := range mentions {
		if m == uuid.Nil {
			return nil, errs.E(errs.Invalid, "unknown_member", "mention_ids: not a member of the organisation")
		}
		if !seen[m] {
			seen[m] = true
			ms = append(ms, m)
		}
	}
	if len(ms) > MaxMentions {
		return nil, errs.E(errs.Invalid, "too_many_mentions", "mention_ids: at most 50 members")
	}
	return &Comment{id: uuid.New(), orgID: orgID, taskID: taskID, authorID: authorID, body: b, mentions: ms, createdAt: now.UTC()}, nil
}

// RehydrateComment rebuilds a stored comment. It is for repository adapters only.
func RehydrateComment(id, orgID, taskID, authorID uuid.UUID, body string, mentions []uuid.UUID, createdAt, editedAt, deletedAt time.Time) *Comment {
	return &Comment{id, orgID, taskID, authorID, body, mentions, createdAt, editedAt, deletedAt}
}

// ID returns the comment's id.
func (c *Comment) ID() uuid.UUID { return c.id }

// OrgID returns the organisation it belongs to.
func (c *Comment) OrgID() uuid.UUID { return c.orgID }

// TaskID returns the task it is on.
func (c *Comment) TaskID() uuid.UUID { return c.taskID }

// AuthorID returns who wrote it.
func (c *Comment) AuthorID() uuid.UUID { return c.authorID }

// Body returns its Markdown source.
func (c *Comment) Body() string { return c.body }

// Mentions returns the members it mentions, in the order written.
func (c *Comment) Mentions() []uuid.UUID { return c.mentions }

// CreatedAt returns when it was written.
func (c *Comment) CreatedAt() time.Time { return c.createdAt }

// EditedAt returns when it was last edited, zero if never.
func (c *Comment) EditedAt() time.Time { return c.editedAt }

// DeletedAt returns when it was deleted, zero while it is not.
func (c *Comment) DeletedAt() time.Time { return c.deletedAt }

// Deleted reports whether it was deleted.
func (c *Comment) Deleted() bool { return !c.deletedAt.IsZero() }

// Edit replaces the body. Only its author may (the service checks); mentions stay as they were,
// since those mentioned were told already.
func (c *Comment) Edit(body string, now time.Time) error {
	b, err := commentBody(body)
	if err != nil {
		return err
	}
	c.body, c.editedAt = b, now.UTC()
	return nil
}

// Delete marks the comment deleted.
func (c *Comment) Delete(now time.Time) { c.deletedAt = now.UTC() }

// CommentRepository stores comments. Every method is scoped to one organisation: another
// organisation's comment or task is NotFound, exactly as a missing one.
type CommentRepository interface {
	// AddComment stores a new comment with its mentions.
	AddComment(ctx context.Context, c *Comment) error
	// Comment returns a live (not deleted) comment of a task; NotFound otherwise.
	Comment(ctx context.Context, orgID, taskID, id uuid.UUID) (*Comment, error)
	// UpdateComment stores a comment's new body, edited_at and deleted_at; NotFound if it is gone.
	UpdateComment(ctx context.Context, c *Comment) error
	// Comments returns a page of a task's live comments, oldest first, and how many there are.
	Comments(ctx context.Context, orgID, taskID uuid.UUID, limit, offset int) ([]*Comment, int, error)
}
