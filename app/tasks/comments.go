package tasks

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/google/uuid"

	"canopy/app/authz"
	appevents "canopy/app/events"
	"canopy/domain/errs"
	"canopy/domain/tasks"
)

// CommentView is a comment with its author and mentions named and its body rendered.
type CommentView struct {
	Comment  *tasks.Comment
	Author   Person
	BodyHTML string
	Mentions []Person
}

// commentViews names and renders comments.
func (s *Service) commentViews(ctx context.Context, orgID uuid.UUID, cs []*tasks.Comment) ([]CommentView, error) {
	var ids []uuid.UUID
	for _, c := range cs {
		ids = append(ids, c.AuthorID())
		ids = append(ids, c.Mentions()...)
	}
	people, err := s.people(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]CommentView, len(cs))
	for i, c := range cs {
		v := CommentView{Comment: c, Author: people[c.AuthorID()], BodyHTML: s.HTML(c.Body()), Mentions: make([]Person, 0, len(c.Mentions()))}
		for _, m := range c.Mentions() {
			v.Mentions = append(v.Mentions, people[m])
		}
		out[i] = v
	}
	return out, nil
}

// Comments returns a page of a task's comments, oldest first, to anyone who may read the task.
func (s *Service) Comments(ctx context.Context, a authz.Actor, taskID uuid.UUID, limit, offset int) ([]CommentView, int, error) {
	if err := s.collabReady(s.collab.Comments != nil); err != nil {
		return nil, 0, err
	}
	if _, _, err := s.readTask(ctx, a, taskID); err != nil {
		return nil, 0, err
	}
	cs, total, err := s.collab.Comments.Comments(ctx, a.OrgID, taskID, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	vs, err := s.commentViews(ctx, a.OrgID, cs)
	return vs, total, err
}

// CommentInput is a new comment.
type CommentInput struct {
	Body       string
	MentionIDs []uuid.UUID
}

// AddComment comments on a task the actor may read; the route asks tasks.write. Each mentioned
// member must be an active member of the organisation (Invalid unknown_member otherwise, also
// for another organisation's user, so nothing is learnt of them) and have some path to the
// task (Invalid mention_no_access): a mention never shows a task to someone who cannot open it.
// The mentioned are told (tasks.mentioned), and the task's assignees, followers and creator
// but them (tasks.comment_added); the actor is never told of their own comment.
func (s *Service) AddComment(ctx context.Context, a authz.Actor, taskID uuid.UUID, in CommentInput) (CommentView, error) {
	if err := s.collabReady(s.collab.Comments != nil); err != nil {
		return CommentView{}, err
	}
	var c *tasks.Comment
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		t, _, err := s.readTask(ctx, a, taskID)
		if err != nil {
			return err
		}
		if c, err = tasks.NewComment(a.OrgID, t.ID(), a.UserID, in.Body, in.MentionIDs, s.now()); err != nil {
			return err
		}
		if err := s.checkMentions(ctx, t, c.Mentions()); err != nil {
			return err
		}
		if err := s.collab.Comments.AddComment(ctx, c); err != nil {
			return err
		}
		ex := excerpt(c.Body())
		if err := s.activity(ctx, a, t, ActionCommented, nil, map[string]any{"comment_id": c.ID(), "excerpt": ex}); err != nil {
			return err
		}
		if err := s.boardChanged(ctx, a, t, "commented"); err != nil {
			return err
		}
		return s.publishComment(ctx, a, t, c, ex)
	})
	if err != nil {
		return CommentView{}, err
	}
	vs, err := s.commentViews(ctx, a.OrgID, []*tasks.Comment{c})
	if err != nil {
		return CommentView{}, err
	}
	return vs[0], nil
}

// checkMentions refuses mentions of anyone who is not an active member, or who has no path to
// the task.
func (s *Service) checkMentions(ctx context.Context, t *tasks.Task, mentions []uuid.UUID) error {
	if len(mentions) == 0 {
		return nil
	}
	active, err := s.directory.ActiveMembers(ctx, t.OrgID(), mentions)
	if err != nil {
		return err
	}
	for _, m := range mentions {
		if !slices.Contains(active, m) {
			return errs.E(errs.Invalid, "unknown_member", "mention_ids: "+m.String()+" is not a member of the organisation")
		}
	}
	for _, m := range mentions {
		ok, err := s.reaches(ctx, t.OrgID(), m, t)
		if err != nil {
			return err
		}
		if !ok {
			return errs.E(errs.Invalid, "mention_no_access", "mention_ids: "+m.String()+" cannot see this task; share it with them first")
		}
	}
	return nil
}

// publishComment tells the mentioned, and the task's people but them, of a new comment.
func (s *Service) publishComment(ctx context.Context, a authz.Actor, t *tasks.Task, c *tasks.Comment, ex string) error {
	if s.events == nil {
		return nil
	}
	names, err := s.directory.Names(ctx, a.OrgID, []uuid.UUID{a.UserID})
	if err != nil {
		return err
	}
	payload, _ := json.Marshal(map[string]any{"task_id": t.ID(), "list_id": t.ListID(), "title": t.Title(),
		"actor_name": names[a.UserID], "excerpt": ex})
	event := func(typ string, users []uuid.UUID) appevents.Event {
		return appevents.Event{Type: typ, OrgID: t.OrgID(), ActorID: a.UserID, SubjectType: SubjectTask, SubjectID: t.ID(),
			Audience: appevents.Audience{Users: users}, Payload: payload, CreatedAt: s.now()}
	}
	var es []appevents.Event
	if len(c.Mentions()) > 0 {
		es = append(es, event(EventMentioned, c.Mentions()))
	}
	people, err := s.tasks.People(ctx, t.OrgID(), peopleAssignees, []uuid.UUID{t.ID()})
	if err != nil {
		return err
	}
	followers, err := s.tasks.People(ctx, t.OrgID(), peopleFollowers, []uuid.UUID{t.ID()})
	if err != nil {
		return err
	}
	concerned, err := s.reaching(ctx, t, append(append(people[t.ID()], followers[t.ID()]...), t.CreatedBy()))
	if err != nil {
		return err
	}
	var told []uuid.UUID
	for _, u := range concerned {
		if u != a.UserID && !slices.Contains(c.Mentions(), u) {
			told = append(told, u)
		}
	}
	if len(told) > 0 {
		es = append(es, event(EventCommentAdded, told))
	}
	return s.publish(ctx, es...)
}

// EditComment replaces the body of the actor's own comment (Forbidden for anyone else's).
func (s *Service) EditComment(ctx context.Context, a authz.Actor, taskID, commentID uuid.UUID, body string) (CommentView, error) {
	if err := s.collabReady(s.collab.Comments != nil); err != nil {
		return CommentView{}, err
	}
	var c *tasks.Comment
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		t, _, err := s.readTask(ctx, a, taskID)
		if err != nil {
			return err
		}
		if c, err = s.collab.Comments.Comment(ctx, a.OrgID, t.ID(), commentID); err != nil {
			return err
		}
		if c.AuthorID() != a.UserID {
			return errs.E(errs.Forbidden, "forbidden", "only its author may edit a comment")
		}
		if err := c.Edit(body, s.now()); err != nil {
			return err
		}
		if err := s.collab.Comments.UpdateComment(ctx, c); err != nil {
			return err
		}
		return s.boardChanged(ctx, a, t, "commented")
	})
	if err != nil {
		return CommentView{}, err
	}
	vs, err := s.commentViews(ctx, a.OrgID, []*tasks.Comment{c})
	if err != nil {
		return CommentView{}, err
	}
	return vs[0], nil
}

// DeleteComment deletes a comment: its author's, or any by a manager of the task's list.
func (s *Service) DeleteComment(ctx context.Context, a authz.Actor, taskID, commentID uuid.UUID) error {
	if err := s.collabReady(s.collab.Comments != nil); err != nil {
		return err
	}
	return s.tx.Within(ctx, func(ctx context.Context) error {
		t, ta, err := s.readTask(ctx, a, taskID)
		if err != nil {
			return err
		}
		c, err := s.collab.Comments.Comment(ctx, a.OrgID, t.ID(), commentID)
		if err != nil {
			return err
		}
		if c.AuthorID() != a.UserID && ta.Level < LevelManage {
			return errs.E(errs.Forbidden, "forbidden", "only its author or a manager of the list may delete a comment")
		}
		c.Delete(s.now())
		if err := s.collab.Comments.UpdateComment(ctx, c); err != nil {
			return err
		}
		return s.boardChanged(ctx, a, t, "commented")
	})
}

// collabReady is Unavailable when the collab part was not wired.
func (s *Service) collabReady(ok bool) error {
	if !ok {
		return errs.E(errs.Unavailable, "unavailable", "comments, attachments and reminders are not set up")
	}
	return nil
}
