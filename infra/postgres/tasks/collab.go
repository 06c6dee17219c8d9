package tasks

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"canopy/domain/errs"
	"canopy/domain/tasks"
	"canopy/infra/postgres"
)

// Comments is the repository of task comments and their mentions.
type Comments struct{ db *gorm.DB }

// NewComments returns it.
func NewComments(db *gorm.DB) *Comments { return &Comments{db: db} }

var _ tasks.CommentRepository = (*Comments)(nil)

type commentRow struct {
	ID        uuid.UUID
	OrgID     uuid.UUID
	TaskID    uuid.UUID
	AuthorID  uuid.UUID
	Body      string
	CreatedAt time.Time
	EditedAt  *time.Time
	DeletedAt *time.Time
}

func (commentRow) TableName() string { return "task_comments" }

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func timeOf(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

type mentionRow struct {
	OrgID     uuid.UUID
	CommentID uuid.UUID
	UserID    uuid.UUID
	Position  int
}

func (mentionRow) TableName() string { return "task_comment_mentions" }

// AddComment implements tasks.CommentRepository. A mention of someone who is not a member of
// the organisation fails its foreign key: NotFound.
func (r *Comments) AddComment(ctx context.Context, c *tasks.Comment) error {
	db := postgres.Conn(ctx, r.db)
	row := commentRow{ID: c.ID(), OrgID: c.OrgID(), TaskID: c.TaskID(), AuthorID: c.AuthorID(), Body: c.Body(),
		CreatedAt: c.CreatedAt(), EditedAt: timePtr(c.EditedAt()), DeletedAt: timePtr(c.DeletedAt())}
	if err := db.Create(&row).Error; err != nil {
		return postgres.Translate(err)
	}
	if len(c.Mentions()) == 0 {
		return nil
	}
	ms := make([]mentionRow, len(c.Mentions()))
	for i, u := range c.Mentions() {
		ms[i] = mentionRow{OrgID: c.OrgID(), CommentID: c.ID(), UserID: u, Position: i}
	}
	return postgres.Translate(db.Create(&ms).Error)
}

// Comment implements tasks.CommentRepository.
func (r *Comments) Comment(ctx context.Context, orgID, taskID, id uuid.UUID) (*tasks.Comment, error) {
	var rows []commentRow
	err := postgres.Conn(ctx, r.db).Where("org_id = ? AND task_id = ? AND id = ? AND deleted_at IS NULL", orgID, taskID, id).
		Limit(1).Find(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return nil, errs.NotFoundf("comment")
	}
	cs, err := r.withMentions(ctx, rows)
	if err != nil {
		return nil, err
	}
	return cs[0], nil
}

// UpdateComment implements tasks.CommentRepository.
func (r *Comments) UpdateComment(ctx context.Context, c *tasks.Comment) error {
	res := postgres.Conn(ctx, r.db).Model(&commentRow{}).Where("org_id = ? AND id = ?", c.OrgID(), c.ID()).Updates(map[string]any{
		"body": c.Body(), "edited_at": timePtr(c.EditedAt()), "deleted_at": timePtr(c.DeletedAt()),
	})
	return postgres.NotFoundIfNone(res, "comment")
}

// Comments implements tasks.CommentRepository.
func (r *Comments) Comments(ctx context.Context, orgID, taskID uuid.UUID, limit, offset int) ([]*tasks.Comment, int, error) {
	q := postgres.Conn(ctx, r.db).Model(&commentRow{}).Where("org_id = ? AND task_id = ? AND deleted_at IS NULL", orgID, taskID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	var rows []commentRow
	if err := q.Order("created_at, id").Limit(limit).Offset(offset).Find(&rows).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	cs, err := r.withMentions(ctx, rows)
	return cs, int(total), err
}

// withMentions builds the comments of rows with their mentions, in the order written.
func (r *Comments) withMentions(ctx context.Context, rows []commentRow) ([]*tasks.Comment, error) {
	out := make([]*tasks.Comment, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(rows))
	for i, c := range rows {
		ids[i] = c.ID
	}
	var ms []mentionRow
	err := postgres.Conn(ctx, r.db).Where("org_id = ? AND comment_id IN ?", rows[0].OrgID, ids).Order("comment_id, position").Find(&ms).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	by := make(map[uuid.UUID][]uuid.UUID, len(rows))
	for _, m := range ms {
		by[m.CommentID] = append(by[m.CommentID], m.UserID)
	}
	for _, c := range rows {
		out = append(out, tasks.RehydrateComment(c.ID, c.OrgID, c.TaskID, c.AuthorID, c.Body, by[c.ID], c.CreatedAt.UTC(),
			timeOf(c.EditedAt), timeOf(c.DeletedAt)))
	}
	return out, nil
}

// Attachments is the repository of files linked to tasks.
type Attachments struct{ db *gorm.DB }

// NewAttachments returns it.
func NewAttachments(db *gorm.DB) *Attachments { return &Attachments{db: db} }

var _ tasks.AttachmentRepository = (*Attachments)(nil)

type attachmentRow struct {
	OrgID   uuid.UUID
	TaskID  uuid.UUID
	FileID  uuid.UUID
	AddedBy uuid.UUID
	AddedAt time.Time
}

func (attachmentRow) TableName() string { return "task_attachments" }

// AddAttachment implements tasks.AttachmentRepository. A file of another organisation fails
// the composite foreign key: NotFound, as a missing one.
func (r *Attachments) AddAttachment(ctx context.Context, a *tasks.Attachment) error {
	row := attachmentRow{OrgID: a.OrgID(), TaskID: a.TaskID(), FileID: a.FileID(), AddedBy: a.AddedBy(), AddedAt: a.AddedAt()}
	err := postgres.Translate(postgres.Conn(ctx, r.db).Create(&row).Error)
	if errs.Is(err, errs.Conflict) {
		return errs.Wrap(errs.Conflict, "already_attached", "the file is attached to the task already", err)
	}
	if errs.Is(err, errs.NotFound) {
		return errs.Wrap(errs.NotFound, "not_found", "file not found", err)
	}
	return err
}

// RemoveAttachment implements tasks.AttachmentRepository.
func (r *Attachments) RemoveAttachment(ctx context.Context, orgID, taskID, fileID uuid.UUID) error {
	res := postgres.Conn(ctx, r.db).Where("org_id = ? AND task_id = ? AND file_id = ?", orgID, taskID, fileID).Delete(&attachmentRow{})
	return postgres.NotFoundIfNone(res, "attachment")
}

// Attachments implements tasks.AttachmentRepository.
func (r *Attachments) Attachments(ctx context.Context, orgID, taskID uuid.UUID) ([]*tasks.Attachment, error) {
	var rows []attachmentRow
	if err := postgres.Conn(ctx, r.db).Where("org_id = ? AND task_id = ?", orgID, taskID).Order("added_at, file_id").Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*tasks.Attachment, len(rows))
	for i, a := range rows {
		out[i] = tasks.RehydrateAttachment(a.OrgID, a.TaskID, a.FileID, a.AddedBy, a.AddedAt.UTC())
	}
	return out, nil
}
