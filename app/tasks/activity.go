package tasks

import (
	"context"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/tasks"
)

// The actions of a task's history.
const (
	ActionCreated           = "created"
	ActionUpdated           = "updated"
	ActionMoved             = "moved"
	ActionCompleted         = "completed"
	ActionReopened          = "reopened"
	ActionDeleted           = "deleted"
	ActionRestored          = "restored"
	ActionAssigned          = "assigned"
	ActionUnassigned        = "unassigned"
	ActionDependencyAdded   = "dependency_added"
	ActionDependencyRemoved = "dependency_removed"
	ActionShared            = "shared"
	ActionUnshared          = "unshared"
)

// activity appends an entry to a task's history, in the transaction in ctx: who did what, and
// the fields it changed before and after (nil where there is nothing to show). The collab part
// records its comments and attachments through it.
func (s *Service) activity(ctx context.Context, a authz.Actor, t *tasks.Task, action string, before, after any) error {
	return s.history.Append(ctx, Activity{OrgID: t.OrgID(), TaskID: t.ID(), ListID: t.ListID(), ActorID: a.UserID, Action: action,
		Before: before, After: after, CreatedAt: s.now()})
}

// ActivityView is an entry of a task's history with its actor's name.
type ActivityView struct {
	Activity
	ActorName string
}

// History returns a page of a task's history, newest first.
func (s *Service) History(ctx context.Context, a authz.Actor, taskID uuid.UUID, limit, offset int) ([]ActivityView, int, error) {
	if _, _, err := s.readTask(ctx, a, taskID); err != nil {
		return nil, 0, err
	}
	items, total, err := s.history.Of(ctx, a.OrgID, taskID, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]uuid.UUID, len(items))
	for i, it := range items {
		ids[i] = it.ActorID
	}
	names, err := s.directory.Names(ctx, a.OrgID, ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]ActivityView, len(items))
	for i, it := range items {
		out[i] = ActivityView{Activity: it, ActorName: names[it.ActorID]}
	}
	return out, total, nil
}
