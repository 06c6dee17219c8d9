package messaging

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"

	"canopy/app/authz"
	appevents "canopy/app/events"
	"canopy/domain/messaging"
)

// The event types the module publishes.
const (
	// EventMessageCreated carries a new message to the chat's members (their other devices
	// included); not a notification.
	EventMessageCreated = "messages.message_created"
	// EventMessageUpdated carries an edit, recall, deletion, reaction, pin or new reply count.
	EventMessageUpdated = "messages.message_updated"
	// EventRead tells the reader's devices and the senders of what was read.
	EventRead = "messages.read"
	// EventTyping tells the chat's members someone is typing.
	EventTyping = "messages.typing"
	// EventChatUpdated tells the chat's members its members, name or archive changed.
	EventChatUpdated = "messages.chat_updated"
	// EventMentioned is the notification kind of a mention.
	EventMentioned = "messages.mentioned"
	// EventPresenceChanged tells the organisation someone is online or away.
	EventPresenceChanged = "presence.changed"
)

// The subjects of the module's events.
const (
	SubjectChat = "chat"
	SubjectUser = "user"
)

// maxPayload is the events backbone's limit on a payload.
const maxPayload = 4 << 10

// audience is who a chat's events concern: a group chat's group, a department chat's
// department, the stored members of the others. The Visibility keeps only those who are
// members when the event is dispatched.
func (s *Service) audience(ctx context.Context, c *messaging.Chat) (appevents.Audience, error) {
	switch c.Kind() {
	case messaging.KindGroup:
		return appevents.Audience{Groups: []uuid.UUID{c.GroupID()}}, nil
	case messaging.KindDepartment:
		return appevents.Audience{Departments: []uuid.UUID{c.DepartmentID()}}, nil
	}
	users, err := s.members.All(ctx, c)
	return appevents.Audience{Users: users}, err
}

// publish writes an event about a chat to the outbox in the transaction in ctx.
func (s *Service) publish(ctx context.Context, a authz.Actor, c *messaging.Chat, typ string, aud *appevents.Audience, payload any) error {
	if s.events == nil {
		return nil
	}
	e, err := s.event(ctx, a, c, typ, aud, payload)
	if err != nil {
		return err
	}
	return s.events.Publish(ctx, e)
}

// event is an event about a chat, to its members (the audience of the chat) or to aud.
func (s *Service) event(ctx context.Context, a authz.Actor, c *messaging.Chat, typ string, aud *appevents.Audience, payload any) (appevents.Event, error) {
	var au appevents.Audience
	if aud != nil {
		au = *aud
	} else {
		var err error
		if au, err = s.audience(ctx, c); err != nil {
			return appevents.Event{}, err
		}
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return appevents.Event{}, err
	}
	return appevents.Event{Type: typ, OrgID: c.OrgID(), ActorID: a.UserID, SubjectType: SubjectChat,
		SubjectID: c.ID(), Audience: au, Payload: b, CreatedAt: s.now()}, nil
}

// createdPayload is messages.message_created's payload: the message, without its HTML (and its
// body cut, marked truncated) when it would pass the backbone's limit.
func createdPayload(v MessageView) any {
	p := map[string]any{"chat_id": v.ChatID, "message": v}
	if b, _ := json.Marshal(p); len(b) <= maxPayload-64 {
		return p
	}
	v.BodyHTML = ""
	for {
		p["message"] = v
		b, _ := json.Marshal(p)
		if len(b) <= maxPayload-64 || v.Body == "" {
			return p
		}
		r := []rune(v.Body)
		v.Body, v.Truncated = string(r[:len(r)*2/3]), true
	}
}

// updated publishes messages.message_updated for a change of a message.
func (s *Service) updated(ctx context.Context, a authz.Actor, c *messaging.Chat, m *messaging.Message, kind string, fields map[string]any) error {
	p := map[string]any{"chat_id": c.ID(), "message_id": m.ID(), "seq": m.Seq(), "kind": kind}
	for k, v := range fields {
		p[k] = v
	}
	return s.publish(ctx, a, c, EventMessageUpdated, nil, p)
}

// chatUpdated publishes messages.chat_updated to the chat's members and, when members were
// removed, to them too (the Visibility drops them unless they are back).
func (s *Service) chatUpdated(ctx context.Context, a authz.Actor, c *messaging.Chat) error {
	return s.publish(ctx, a, c, EventChatUpdated, nil, map[string]any{"chat_id": c.ID()})
}

// Visibility is the dispatcher's read check for the module's events ("messages.*"): of the
// users an event's audience names, only those who are members of its chat when it is
// dispatched receive it, so whoever left or was removed gets nothing more.
func (s *Service) Visibility() appevents.Visibility { return visibility{s} }

type visibility struct{ s *Service }

// CanSee implements appevents.Visibility. It costs at most one small query: a group chat's
// events name its group, whose active members the dispatcher has just resolved and which are
// exactly the chat's members (its group never changes), so they pass as they are; a department
// chat's name its department, whose members are the chat's less the guests; any other audience
// (direct and ad-hoc chats, a read's senders) is checked against the chat's members now.
func (v visibility) CanSee(ctx context.Context, e appevents.Event, users []uuid.UUID) ([]uuid.UUID, error) {
	if e.SubjectType != SubjectChat {
		return nil, nil
	}
	au := e.Audience
	only := len(au.Users) == 0 && !au.Org
	switch {
	case only && len(au.Groups) == 1 && len(au.Departments) == 0:
		return users, nil
	case only && len(au.Groups) == 0 && len(au.Departments) == 1:
		guests, err := v.s.members.DepartmentGuests(ctx, e.OrgID, au.Departments)
		if err != nil {
			return nil, err
		}
		return keep(users, guests, false), nil
	}
	in, err := v.s.members.Current(ctx, e.OrgID, e.SubjectID)
	if err != nil {
		return nil, err
	}
	return keep(users, in, true), nil
}

// keep returns those of users who are in set (want true) or not in it (want false), in order.
func keep(users, set []uuid.UUID, want bool) []uuid.UUID {
	in := make(map[uuid.UUID]bool, len(set))
	for _, u := range set {
		in[u] = true
	}
	out := users[:0:0]
	for _, u := range users {
		if in[u] == want {
			out = append(out, u)
		}
	}
	return out
}
