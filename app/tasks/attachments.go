package tasks

import (
	"context"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/errs"
	"canopy/domain/tasks"
)

// AttachmentView is a file linked to a task, as it is now in the files module.
type AttachmentView struct {
	File    AttachedFile
	AddedBy Person
	AddedAt time.Time
}

// AttachmentPage is a page of a task's attachments, how many there are, and the space of the
// list's owner that new ones are uploaded into.
type AttachmentPage struct {
	Items   []AttachmentView
	Total   int
	SpaceID uuid.UUID
}

// Attachments returns a page of a task's attachments, oldest first, to anyone who may read the
// task. A file trashed or purged in the files module is not listed (a restored one is again);
// opening a listed file is the files module's, with its own access check.
func (s *Service) Attachments(ctx context.Context, a authz.Actor, taskID uuid.UUID, limit, offset int) (AttachmentPage, error) {
	if err := s.collabReady(s.collab.Attachments != nil && s.collab.Files != nil); err != nil {
		return AttachmentPage{}, err
	}
	_, ta, err := s.readTask(ctx, a, taskID)
	if err != nil {
		return AttachmentPage{}, err
	}
	links, err := s.collab.Attachments.Attachments(ctx, a.OrgID, taskID)
	if err != nil {
		return AttachmentPage{}, err
	}
	ids := make([]uuid.UUID, len(links))
	for i, l := range links {
		ids[i] = l.FileID()
	}
	files, err := s.collab.Files.Describe(ctx, a.OrgID, ids)
	if err != nil {
		return AttachmentPage{}, err
	}
	var live []*tasks.Attachment
	var who []uuid.UUID
	for _, l := range links {
		if _, ok := files[l.FileID()]; ok {
			live, who = append(live, l), append(who, l.AddedBy())
		}
	}
	people, err := s.people(ctx, a.OrgID, who)
	if err != nil {
		return AttachmentPage{}, err
	}
	page := AttachmentPage{Total: len(live), Items: []AttachmentView{}}
	for i := offset; i < len(live) && i < offset+limit; i++ {
		l := live[i]
		page.Items = append(page.Items, AttachmentView{File: files[l.FileID()], AddedBy: people[l.AddedBy()], AddedAt: l.AddedAt()})
	}
	l := ta.List
	page.SpaceID, err = s.collab.Files.OwnerSpace(ctx, a.OrgID, l.OwnerKind(), l.OwnerID())
	return page, err
}

// Attach links a file to a task. The actor must be able to write the task and to read the
// file: a file they cannot read is NotFound, exactly as a missing one, and nothing is linked.
// Conflict already_attached when the task links it already, too_many_attachments past
// tasks.MaxAttachments.
func (s *Service) Attach(ctx context.Context, a authz.Actor, taskID, fileID uuid.UUID) (AttachmentView, error) {
	if err := s.collabReady(s.collab.Attachments != nil && s.collab.Files != nil); err != nil {
		return AttachmentView{}, err
	}
	var v AttachmentView
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		t, ta, err := s.readTask(ctx, a, taskID)
		if err != nil {
			return err
		}
		if err := ta.need(LevelWrite); err != nil {
			return err
		}
		att, err := tasks.NewAttachment(a.OrgID, t.ID(), fileID, a.UserID, s.now())
		if err != nil {
			return err
		}
		f, err := s.collab.Files.Readable(ctx, a, fileID)
		if err != nil {
			return notFound(err, "file")
		}
		existing, err := s.collab.Attachments.Attachments(ctx, a.OrgID, t.ID())
		if err != nil {
			return err
		}
		if len(existing) >= tasks.MaxAttachments {
			return errs.E(errs.Conflict, "too_many_attachments", "a task may have at most 100 attachments")
		}
		if err := s.collab.Attachments.AddAttachment(ctx, att); err != nil {
			return err
		}
		if err := s.activity(ctx, a, t, ActionAttachmentAdded, nil, map[string]any{"file_id": f.ID, "name": f.Name}); err != nil {
			return err
		}
		people, err := s.people(ctx, a.OrgID, []uuid.UUID{a.UserID})
		if err != nil {
			return err
		}
		v = AttachmentView{File: f, AddedBy: people[a.UserID], AddedAt: att.AddedAt()}
		return s.boardChanged(ctx, a, t, "updated")
	})
	return v, err
}

// Detach removes a file's link from a task the actor may write; the file stays in the files
// module. NotFound when the task does not link it.
func (s *Service) Detach(ctx context.Context, a authz.Actor, taskID, fileID uuid.UUID) error {
	if err := s.collabReady(s.collab.Attachments != nil && s.collab.Files != nil); err != nil {
		return err
	}
	return s.tx.Within(ctx, func(ctx context.Context) error {
		t, ta, err := s.readTask(ctx, a, taskID)
		if err != nil {
			return err
		}
		if err := ta.need(LevelWrite); err != nil {
			return err
		}
		if err := s.collab.Attachments.RemoveAttachment(ctx, a.OrgID, t.ID(), fileID); err != nil {
			return err
		}
		before := map[string]any{"file_id": fileID}
		if fs, err := s.collab.Files.Describe(ctx, a.OrgID, []uuid.UUID{fileID}); err == nil {
			if f, ok := fs[fileID]; ok {
				before["name"] = f.Name
			}
		}
		if err := s.activity(ctx, a, t, ActionAttachmentRemoved, before, nil); err != nil {
			return err
		}
		return s.boardChanged(ctx, a, t, "updated")
	})
}
