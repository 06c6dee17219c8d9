package tasks

import (
	"context"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

// MaxAttachments is how many files one task may link.
const MaxAttachments = 100

// Attachment links a file of the files module to a task. The file, its access and its retention
// stay the files module's: when the file is purged, the link goes with it.
type Attachment struct {
	orgID   uuid.UUID
	taskID  uuid.UUID
	fileID  uuid.UUID
	addedBy uuid.UUID
	addedAt time.Time
}

// NewAttachment links fileID to a task.
func NewAttachment(orgID, taskID, fileID, addedBy uuid.UUID, now time.Time) (*Attachment, error) {
	if fileID == uuid.Nil {
		return nil, errs.E(errs.Invalid, "missing_field", "file_id: is required")
	}
	if orgID == uuid.Nil || taskID == uuid.Nil || addedBy == uuid.Nil {
		return nil, errs.Internalf("tasks: an attachment needs an organisation, a task and who added it")
	}
	return &Attachment{orgID: orgID, taskID: taskID, fileID: fileID, addedBy: addedBy, addedAt: now.UTC()}, nil
}

// RehydrateAttachment rebuilds a stored attachment. It is for repository adapters only.
func RehydrateAttachment(orgID, taskID, fileID, addedBy uuid.UUID, addedAt time.Time) *Attachment {
	return &Attachment{orgID, taskID, fileID, addedBy, addedAt}
}

// OrgID returns the organisation it belongs to.
func (a *Attachment) OrgID() uuid.UUID { return a.orgID }

// TaskID returns the task it is on.
func (a *Attachment) TaskID() uuid.UUID { return a.taskID }

// FileID returns the linked file.
func (a *Attachment) FileID() uuid.UUID { return a.fileID }

// AddedBy returns who linked it.
func (a *Attachment) AddedBy() uuid.UUID { return a.addedBy }

// AddedAt returns when it was linked.
func (a *Attachment) AddedAt() time.Time { return a.addedAt }

// AttachmentRepository stores attachments, scoped to one organisation.
type AttachmentRepository interface {
	// AddAttachment stores a link; Conflict already_attached if the task links the file already.
	AddAttachment(ctx context.Context, a *Attachment) error
	// RemoveAttachment removes a link; NotFound if there is none.
	RemoveAttachment(ctx context.Context, orgID, taskID, fileID uuid.UUID) error
	// Attachments returns all of a task's links, oldest first (a task has at most
	// MaxAttachments).
	Attachments(ctx context.Context, orgID, taskID uuid.UUID) ([]*Attachment, error)
}
