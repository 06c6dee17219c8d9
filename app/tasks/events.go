package tasks

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"

	"canopy/app/authz"
	appevents "canopy/app/events"
	"canopy/domain/tasks"
)

// The event types the core of the module publishes.
const (
	// EventBoardChanged tells open boards and lists to refresh; not a notification.
	EventBoardChanged = "tasks.board_changed"
	// EventTaskAssigned tells new assignees.
	EventTaskAssigned = "tasks.task_assigned"
	// EventTaskCompleted tells a task's creator that someone completed it.
	EventTaskCompleted = "tasks.task_completed"
)

// The subjects of the module's events.
const (
	SubjectTask = "task"
	SubjectList = "task_list"
)

// publish writes events to the outbox in the transaction in ctx.
func (s *Service) publish(ctx context.Context, es ...appevents.Event) error {
	if s.events == nil || len(es) == 0 {
		return nil
	}
	return s.events.Publish(ctx, es...)
}

// listAudience is who a list's events concern: its owner (the person, the group's members, the
// department's subtree, the organisation), its creator and its shares.
func (s *Service) listAudience(ctx context.Context, l *tasks.List) (appevents.Audience, error) {
	aud := ownerAudience(l)
	shares, err := s.shares.AllOf(ctx, l.OrgID(), l.ID(), nil)
	if err != nil {
		return aud, err
	}
	for _, sh := range shares {
		addShared(&aud, sh.Principal)
	}
	return aud, nil
}

// ownerAudience is a list's owner (the person, the group's members, the department's subtree,
// the organisation) and its creator.
func ownerAudience(l *tasks.List) appevents.Audience {
	var aud appevents.Audience
	switch l.OwnerKind() {
	case tasks.OwnerPerson:
		aud.Users = append(aud.Users, l.OwnerID())
	case tasks.OwnerGroup:
		aud.Groups = append(aud.Groups, l.OwnerID())
	case tasks.OwnerDepartment:
		aud.Departments = append(aud.Departments, l.OwnerID())
	case tasks.OwnerOrganisation:
		aud.Org = true
	}
	aud.Users = append(aud.Users, l.CreatedBy())
	return aud
}

// addShared adds whom something is shared with to an audience.
func addShared(aud *appevents.Audience, p tasks.Principal) {
	switch p.Type {
	case tasks.PrincipalUser:
		aud.Users = append(aud.Users, p.ID)
	case tasks.PrincipalGroup:
		aud.Groups = append(aud.Groups, p.ID)
	case tasks.PrincipalDepartment:
		aud.Departments = append(aud.Departments, p.ID)
	}
}

// audience is who a task's events concern: its list's audience, the shares of the task and of
// the tasks above it, its assignees and followers (and those of the tasks above it) and its
// list's creator, read at once. The dispatcher's read check (Visibility) then drops whoever
// cannot see it.
func (s *Service) audience(ctx context.Context, t *tasks.Task) (appevents.Audience, error) {
	c, err := s.tasks.Concerned(ctx, t.OrgID(), t.ID())
	if err != nil {
		return appevents.Audience{}, err
	}
	aud := ownerAudience(c.List)
	for _, p := range c.Shared {
		addShared(&aud, p)
	}
	aud.Users = append(aud.Users, c.People...)
	aud.Users = dedupe(aud.Users)
	aud.Groups, aud.Departments = dedupe(aud.Groups), dedupe(aud.Departments)
	return aud, nil
}

// boardChanged publishes tasks.board_changed for a change of a task to its audience.
func (s *Service) boardChanged(ctx context.Context, a authz.Actor, t *tasks.Task, op string) error {
	if s.events == nil {
		return nil
	}
	aud, err := s.audience(ctx, t)
	if err != nil {
		return err
	}
	payload, _ := json.Marshal(map[string]any{"list_id": t.ListID(), "task_id": t.ID(), "op": op})
	return s.publish(ctx, appevents.Event{Type: EventBoardChanged, OrgID: t.OrgID(), ActorID: a.UserID, SubjectType: SubjectTask,
		SubjectID: t.ID(), Audience: aud, Payload: payload, CreatedAt: s.now()})
}

// listChanged publishes tasks.board_changed for a change of a list (no task_id) to its audience.
func (s *Service) listChanged(ctx context.Context, a authz.Actor, l *tasks.List, op string) error {
	if s.events == nil {
		return nil
	}
	aud, err := s.listAudience(ctx, l)
	if err != nil {
		return err
	}
	payload, _ := json.Marshal(map[string]any{"list_id": l.ID(), "op": op})
	return s.publish(ctx, appevents.Event{Type: EventBoardChanged, OrgID: l.OrgID(), ActorID: a.UserID, SubjectType: SubjectList,
		SubjectID: l.ID(), Audience: aud, Payload: payload, CreatedAt: s.now()})
}

// notify publishes a notification kind about a task to users.
func (s *Service) notify(ctx context.Context, a authz.Actor, typ string, t *tasks.Task, users []uuid.UUID) error {
	if s.events == nil || len(users) == 0 {
		return nil
	}
	users, err := s.reaching(ctx, t, users)
	if err != nil || len(users) == 0 {
		return err
	}
	name := ""
	if names, err := s.directory.Names(ctx, a.OrgID, []uuid.UUID{a.UserID}); err == nil {
		name = names[a.UserID]
	}
	payload, _ := json.Marshal(map[string]any{"task_id": t.ID(), "list_id": t.ListID(), "title": t.Title(), "actor_name": name})
	return s.publish(ctx, appevents.Event{Type: typ, OrgID: t.OrgID(), ActorID: a.UserID, SubjectType: SubjectTask, SubjectID: t.ID(),
		Audience: appevents.Audience{Users: users}, Payload: payload, CreatedAt: s.now()})
}

// dedupe drops repeated and nil ids, keeping the first of each.
func dedupe(ids []uuid.UUID) []uuid.UUID {
	if len(ids) == 0 {
		return ids
	}
	seen := make(map[uuid.UUID]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if id != uuid.Nil && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
