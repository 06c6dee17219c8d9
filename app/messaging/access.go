package messaging

import (
	"context"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/messaging"
	"canopy/domain/org"
)

// chatAccess is what an actor is to a chat: their role and membership now, and whether they
// manage it by chats.manage over its scope.
type chatAccess struct {
	chat   *messaging.Chat
	role   messaging.Role
	member bool
	manage bool
}

// admin reports whether the actor administers the chat: its owner or an admin of it, or
// chats.manage over it.
func (c chatAccess) admin() bool { return (c.member && c.role.Manages()) || c.manage }

func notFoundChat() error { return errs.NotFoundf("chat") }

// scopePath is the department path a chat's chats.manage is checked at: a department chat's
// department, a group chat's group's department; "" (the organisation) for the others.
func (s *Service) scopePath(ctx context.Context, c *messaging.Chat) (string, error) {
	switch c.Kind() {
	case messaging.KindGroup:
		_, p, err := s.directory.Group(ctx, c.OrgID(), c.GroupID())
		if errs.Is(err, errs.NotFound) {
			return "", nil
		}
		return p, err
	case messaging.KindDepartment:
		_, p, err := s.directory.Department(ctx, c.OrgID(), c.DepartmentID())
		if errs.Is(err, errs.NotFound) {
			return "", nil
		}
		return p, err
	}
	return "", nil
}

// manages reports whether the actor holds chats.manage over the chat. Most members hold it
// nowhere, and need no read of the chat's scope to say so.
func (s *Service) manages(ctx context.Context, a authz.Actor, c *messaging.Chat) (bool, error) {
	if ok, err := s.authz.CanAnywhere(ctx, a, access.ChatsManage); err != nil || !ok {
		return false, err
	}
	p, err := s.scopePath(ctx, c)
	if err != nil {
		return false, err
	}
	return s.authz.Can(ctx, a, access.ChatsManage, p)
}

// load returns the actor's access to a chat. A member always has it; with members false, so
// does a manager of the chat (the console's view). Anyone else gets NotFound, as for a chat
// that does not exist.
func (s *Service) load(ctx context.Context, a authz.Actor, chatID uuid.UUID, members bool) (chatAccess, error) {
	c, role, member, err := s.chats.GetAs(ctx, a.OrgID, chatID, a.UserID)
	if err != nil {
		return chatAccess{}, err
	}
	return s.access(ctx, a, chatAccess{chat: c, role: role, member: member}, members)
}

func (s *Service) accessTo(ctx context.Context, a authz.Actor, c *messaging.Chat, members bool) (chatAccess, error) {
	role, member, err := s.members.Role(ctx, c, a.UserID)
	if err != nil {
		return chatAccess{}, err
	}
	return s.access(ctx, a, chatAccess{chat: c, role: role, member: member}, members)
}

// access completes ca, the actor's role and membership in its chat, with chats.manage, and
// refuses as load does.
func (s *Service) access(ctx context.Context, a authz.Actor, ca chatAccess, members bool) (chatAccess, error) {
	var err error
	if ca.manage, err = s.manages(ctx, a, ca.chat); err != nil {
		return ca, err
	}
	if !ca.member && (members || !ca.manage) {
		return ca, notFoundChat()
	}
	return ca, nil
}

// member returns the actor's access to a chat they are a member of (NotFound otherwise).
func (s *Service) member(ctx context.Context, a authz.Actor, chatID uuid.UUID) (chatAccess, error) {
	return s.load(ctx, a, chatID, true)
}

// writable refuses to change an archived chat.
func writable(c *messaging.Chat) error {
	if c.Archived() {
		return errs.E(errs.Conflict, "chat_archived", "the chat is archived")
	}
	return nil
}

func isGuest(a authz.Actor) bool { return a.Membership != nil && a.Membership.Role() == org.RoleGuest }
