package messaging

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/messaging"
)

// CreateInput is a new chat: ad-hoc (name, members), direct (the other member), a group's or a
// department's.
type CreateInput struct {
	Kind         string
	Name         string
	Description  string
	MemberIDs    []uuid.UUID
	UserID       uuid.UUID
	GroupID      uuid.UUID
	DepartmentID uuid.UUID
}

// CreateChat makes a chat and returns it, with whether it is new: a direct chat that exists
// already is returned as it is. An ad-hoc chat's members must be active members of the
// organisation (NotFound otherwise) and at most the organisation's group size (Unprocessable
// chat_full). A group's or department's chat needs chats.manage over it (or, for a group, to
// own it) and is Conflict chat_exists when it has one.
func (s *Service) CreateChat(ctx context.Context, a authz.Actor, in CreateInput) (ChatView, bool, error) {
	kind, err := messaging.ParseKind(in.Kind)
	if err != nil {
		return ChatView{}, false, err
	}
	now := s.now()
	c, err := messaging.NewChat(messaging.ChatInput{OrgID: a.OrgID, Kind: kind, CreatedBy: a.UserID, Peer: in.UserID, GroupID: in.GroupID,
		DepartmentID: in.DepartmentID, Name: in.Name, Description: in.Description}, now)
	if err != nil {
		return ChatView{}, false, err
	}
	created := true
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		switch kind {
		case messaging.KindDirect:
			if err := s.activeMembers(ctx, a.OrgID, []uuid.UUID{in.UserID}); err != nil {
				return err
			}
			if old, err := s.chats.Direct(ctx, a.OrgID, c.DirectKey()); err == nil {
				c, created = old, false
				return nil
			} else if !errs.Is(err, errs.NotFound) {
				return err
			}
			if err := s.chats.Create(ctx, c); err != nil {
				return err
			}
			_, err := s.members.Add(ctx, c, []uuid.UUID{a.UserID, in.UserID}, messaging.RoleMember, now)
			return err
		case messaging.KindAdhoc:
			ids := dedupe(in.MemberIDs, a.UserID)
			if err := s.activeMembers(ctx, a.OrgID, ids); err != nil {
				return err
			}
			if err := s.checkCap(ctx, a.OrgID, len(ids)+1); err != nil {
				return err
			}
			if err := s.chats.Create(ctx, c); err != nil {
				return err
			}
			if _, err := s.members.Add(ctx, c, []uuid.UUID{a.UserID}, messaging.RoleOwner, now); err != nil {
				return err
			}
			_, err := s.members.Add(ctx, c, ids, messaging.RoleMember, now)
			return err
		case messaging.KindGroup:
			if _, _, err := s.directory.Group(ctx, a.OrgID, in.GroupID); err != nil {
				return err
			}
		case messaging.KindDepartment:
			if _, _, err := s.directory.Department(ctx, a.OrgID, in.DepartmentID); err != nil {
				return err
			}
		}
		if err := s.mayCreate(ctx, a, c); err != nil {
			return err
		}
		if err := s.chats.Create(ctx, c); err != nil {
			if errs.Is(err, errs.Conflict) {
				return errs.E(errs.Conflict, "chat_exists", "it already has a chat")
			}
			return err
		}
		return s.members.SetRole(ctx, c, a.UserID, messaging.RoleOwner, now)
	})
	if errs.Is(err, errs.Conflict) && kind == messaging.KindDirect {
		// Both of a pair started their chat at once: the other's is theirs.
		if old, gerr := s.chats.Direct(ctx, a.OrgID, c.DirectKey()); gerr == nil {
			c, created, err = old, false, nil
		}
	}
	if err != nil {
		return ChatView{}, false, err
	}
	if created {
		if err := s.tx.Within(ctx, func(ctx context.Context) error { return s.chatUpdated(ctx, a, c) }); err != nil {
			return ChatView{}, false, err
		}
	}
	v, err := s.Chat(ctx, a, c.ID())
	return v, created, err
}

// mayCreate checks who may make a group's or a department's chat: chats.manage over it, or (a
// group's) its owner.
func (s *Service) mayCreate(ctx context.Context, a authz.Actor, c *messaging.Chat) error {
	ok, err := s.manages(ctx, a, c)
	if err != nil || ok {
		return err
	}
	if c.Kind() == messaging.KindGroup && a.ScopeAllows(access.MessagesWrite) {
		owner, err := s.directory.GroupOwner(ctx, a.OrgID, c.GroupID(), a.UserID)
		if err != nil || owner {
			return err
		}
	}
	return errs.E(errs.Forbidden, "forbidden", "you do not have the chats.manage permission here")
}

// activeMembers refuses ids that are not active members of the organisation: NotFound, as for
// a member who does not exist.
func (s *Service) activeMembers(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	got, err := s.directory.ActiveMembers(ctx, orgID, ids)
	if err != nil {
		return err
	}
	if len(got) != len(ids) {
		return errs.NotFoundf("member")
	}
	return nil
}

// checkCap refuses an ad-hoc chat of more than the organisation's group size.
func (s *Service) checkCap(ctx context.Context, orgID uuid.UUID, n int) error {
	limit, err := s.directory.MaxGroupMembers(ctx, orgID)
	if err != nil {
		return err
	}
	if n > limit {
		return errs.E(errs.Unprocessable, "chat_full", fmt.Sprintf("a chat has at most %d members: this would make %d, %d over", limit, n, n-limit))
	}
	return nil
}

func dedupe(ids []uuid.UUID, drop uuid.UUID) []uuid.UUID {
	seen := map[uuid.UUID]bool{drop: true, uuid.Nil: true}
	out := []uuid.UUID{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// row is a chat with the actor's state in it.
func (s *Service) row(ctx context.Context, a authz.Actor, ca chatAccess) (ChatRow, error) {
	c := ca.chat
	r := ChatRow{Chat: c}
	if ca.member {
		r.MyRole = ca.role
		st, err := s.reads.State(ctx, a.OrgID, c.ID(), a.UserID)
		if err != nil {
			return r, err
		}
		r.LastReadSeq, r.Muted, r.PinnedAt = st.LastReadSeq, st.Muted, st.PinnedAt
	}
	var err error
	if r.DisplayName, err = s.chats.DisplayName(ctx, c, a.UserID); err != nil {
		return r, err
	}
	r.MemberCount, err = s.members.Count(ctx, c)
	return r, err
}

// Chat returns a chat to a member, or to a manager of it.
func (s *Service) Chat(ctx context.Context, a authz.Actor, id uuid.UUID) (ChatView, error) {
	ca, err := s.load(ctx, a, id, false)
	if err != nil {
		return ChatView{}, err
	}
	return s.chatViewOf(ctx, a, ca)
}

func (s *Service) chatViewOf(ctx context.Context, a authz.Actor, ca chatAccess) (ChatView, error) {
	r, err := s.row(ctx, a, ca)
	if err != nil {
		return ChatView{}, err
	}
	vs := []ChatView{chatView(r, a.UserID)}
	if ca.member {
		if err := s.withLast(ctx, a.OrgID, vs); err != nil {
			return ChatView{}, err
		}
	}
	return vs[0], nil
}

// Page is a page of a listing with its total.
type Page[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

// MyChats returns a page of the chats the actor is a member of now: pinned first, then by last
// activity; with unread counts and the last message.
func (s *Service) MyChats(ctx context.Context, a authz.Actor, query string, limit, offset int) (Page[ChatView], error) {
	rows, total, err := s.chats.Mine(ctx, MineQuery{OrgID: a.OrgID, UserID: a.UserID, Guest: isGuest(a), Query: query, Limit: limit, Offset: offset})
	if err != nil {
		return Page[ChatView]{}, err
	}
	vs := make([]ChatView, len(rows))
	for i, r := range rows {
		vs[i] = chatView(r, a.UserID)
	}
	if err := s.withLast(ctx, a.OrgID, vs); err != nil {
		return Page[ChatView]{}, err
	}
	return Page[ChatView]{Items: vs, Total: total}, nil
}

// AdminChats returns a page of the chats the actor manages by chats.manage: of groups and
// departments in their subtrees, or every chat organisation-wide.
func (s *Service) AdminChats(ctx context.Context, a authz.Actor, kind, query string, limit, offset int) (Page[ChatView], error) {
	q := AdminQuery{OrgID: a.OrgID, Query: query, Limit: limit, Offset: offset}
	if kind != "" {
		k, err := messaging.ParseKind(kind)
		if err != nil {
			return Page[ChatView]{}, err
		}
		q.Kind = k
	}
	reach, err := s.authz.Reach(ctx, a, access.ChatsManage)
	if err != nil {
		return Page[ChatView]{}, err
	}
	if reach.None() {
		return Page[ChatView]{}, errs.E(errs.Forbidden, "forbidden", "you do not have the chats.manage permission")
	}
	q.Org, q.Departments = reach.Org, reach.Departments
	rows, total, err := s.chats.Admin(ctx, q)
	if err != nil {
		return Page[ChatView]{}, err
	}
	vs := make([]ChatView, len(rows))
	for i, r := range rows {
		vs[i] = chatView(r, a.UserID)
	}
	return Page[ChatView]{Items: vs, Total: total}, nil
}

// UpdateChat changes a chat's name, description, avatar or archive: its owner and admins, and
// chats.manage over it. An avatar must be a file the actor may read.
func (s *Service) UpdateChat(ctx context.Context, a authz.Actor, id uuid.UUID, p messaging.ChatPatch) (ChatView, error) {
	var ca chatAccess
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		var err error
		if ca, err = s.load(ctx, a, id, false); err != nil {
			return err
		}
		if !ca.admin() {
			return errs.E(errs.Forbidden, "not_chat_admin", "only the chat's owner and admins may change it")
		}
		if p.AvatarFileID != nil && *p.AvatarFileID != uuid.Nil {
			if _, err := s.files.Readable(ctx, a, *p.AvatarFileID); err != nil {
				return err
			}
		}
		if err := ca.chat.Update(p, s.now()); err != nil {
			return err
		}
		if err := s.chats.Update(ctx, ca.chat); err != nil {
			return err
		}
		return s.chatUpdated(ctx, a, ca.chat)
	})
	if err != nil {
		return ChatView{}, err
	}
	return s.chatViewOf(ctx, a, ca)
}

// Members returns a page of a chat's members now, to its members and managers.
func (s *Service) Members(ctx context.Context, a authz.Actor, id uuid.UUID, query string, limit, offset int) (Page[Person], error) {
	ca, err := s.load(ctx, a, id, false)
	if err != nil {
		return Page[Person]{}, err
	}
	ps, total, err := s.members.List(ctx, ca.chat, query, limit, offset)
	return Page[Person]{Items: ps, Total: total}, err
}

// AddMembers adds members to an ad-hoc chat (any member, or a manager, may): the chat's row is
// locked, so concurrent additions cannot pass the organisation's group size (Unprocessable
// chat_full, naming by how many). It returns how many were added.
func (s *Service) AddMembers(ctx context.Context, a authz.Actor, id uuid.UUID, users []uuid.UUID) (int, error) {
	var added int
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		c, err := s.chats.Lock(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		if _, err := s.accessTo(ctx, a, c, false); err != nil {
			return err
		}
		if c.Kind() != messaging.KindAdhoc {
			return errs.E(errs.Conflict, "not_adhoc", "members are added to ad-hoc chats only; the others follow their group or department")
		}
		if err := writable(c); err != nil {
			return err
		}
		ids := dedupe(users, uuid.Nil)
		if len(ids) == 0 {
			return errs.E(errs.Invalid, "missing_field", `field "user_ids" is required`)
		}
		if err := s.activeMembers(ctx, a.OrgID, ids); err != nil {
			return err
		}
		already, err := s.members.Among(ctx, a.OrgID, c.ID(), ids)
		if err != nil {
			return err
		}
		n, err := s.members.StoredCount(ctx, c)
		if err != nil {
			return err
		}
		if err := s.checkCap(ctx, a.OrgID, n+len(ids)-len(already)); err != nil {
			return err
		}
		if added, err = s.members.Add(ctx, c, ids, messaging.RoleMember, s.now()); err != nil {
			return err
		}
		return s.chatUpdated(ctx, a, c)
	})
	return added, err
}

// RemoveMember removes a member from an ad-hoc chat: themselves (leaving), or anyone by the
// chat's owner and admins and its managers; the owner cannot be removed by others.
func (s *Service) RemoveMember(ctx context.Context, a authz.Actor, id, userID uuid.UUID) error {
	return s.tx.Within(ctx, func(ctx context.Context) error {
		c, err := s.chats.Lock(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		ca, err := s.accessTo(ctx, a, c, false)
		if err != nil {
			return err
		}
		if c.Kind() != messaging.KindAdhoc {
			return errs.E(errs.Conflict, "not_adhoc", "members leave ad-hoc chats only; the others follow their group or department")
		}
		role, member, err := s.members.Role(ctx, c, userID)
		if err != nil {
			return err
		}
		if userID != a.UserID {
			if !ca.admin() {
				return errs.E(errs.Forbidden, "not_chat_admin", "only the chat's owner and admins may remove members")
			}
			if !member {
				return errs.NotFoundf("member")
			}
			if role == messaging.RoleOwner && !ca.manage {
				return errs.E(errs.Forbidden, "chat_owner", "the chat's owner cannot be removed")
			}
		}
		if err := s.members.Remove(ctx, c, userID); err != nil {
			return err
		}
		if role == messaging.RoleOwner {
			// As in WeChat and Feishu, an owner who leaves hands the chat on rather than leave it
			// with no one to run it.
			heir, err := s.members.Heir(ctx, c, userID)
			if err != nil {
				return err
			}
			if heir != uuid.Nil {
				if err := s.members.SetRole(ctx, c, heir, messaging.RoleOwner, s.now()); err != nil {
					return err
				}
			}
		}
		// The removed member is no longer in the audience: they receive nothing more.
		return s.chatUpdated(ctx, a, c)
	})
}

// Leave takes the actor out of an ad-hoc chat.
func (s *Service) Leave(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	if _, err := s.member(ctx, a, id); err != nil {
		return err
	}
	return s.RemoveMember(ctx, a, id, a.UserID)
}

// SetRole makes a member of a chat its admin or a plain member: the chat's owner, or chats.manage
// over it.
func (s *Service) SetRole(ctx context.Context, a authz.Actor, id, userID uuid.UUID, role string) error {
	r, err := messaging.ParseRole(role)
	if err != nil {
		return err
	}
	return s.tx.Within(ctx, func(ctx context.Context) error {
		ca, err := s.load(ctx, a, id, false)
		if err != nil {
			return err
		}
		if !(ca.member && ca.role == messaging.RoleOwner) && !ca.manage {
			return errs.E(errs.Forbidden, "not_chat_owner", "only the chat's owner may change roles")
		}
		cur, member, err := s.members.Role(ctx, ca.chat, userID)
		if err != nil {
			return err
		}
		if !member {
			return errs.NotFoundf("member")
		}
		if cur == messaging.RoleOwner {
			return errs.E(errs.Conflict, "chat_owner", "the owner's role cannot be changed")
		}
		if err := s.members.SetRole(ctx, ca.chat, userID, r, s.now()); err != nil {
			return err
		}
		return s.chatUpdated(ctx, a, ca.chat)
	})
}

// SettingsInput is a member's mute and pin of a chat.
type SettingsInput struct {
	Muted  *bool
	Pinned *bool
}

// ChatSettings sets the actor's mute and pin of a chat they are a member of.
func (s *Service) ChatSettings(ctx context.Context, a authz.Actor, id uuid.UUID, in SettingsInput) (ChatView, error) {
	ca, err := s.member(ctx, a, id)
	if err != nil {
		return ChatView{}, err
	}
	var pinned *time.Time
	if in.Pinned != nil {
		t := time.Time{}
		if *in.Pinned {
			t = s.now()
		}
		pinned = &t
	}
	if err := s.reads.Settings(ctx, a.OrgID, id, a.UserID, in.Muted, pinned); err != nil {
		return ChatView{}, err
	}
	return s.chatViewOf(ctx, a, ca)
}

// LegalHold places (on) or releases a legal hold on a chat, which suspends the purge of its
// messages: chats.manage organisation-wide, audited.
func (s *Service) LegalHold(ctx context.Context, a authz.Actor, id uuid.UUID, on bool) (ChatView, error) {
	var ca chatAccess
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		c, err := s.chats.Lock(ctx, a.OrgID, id)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if err := authz.Require(ctx, s.authz, a, access.ChatsManage, ""); err != nil {
			return access.AuditEntry{}, err
		}
		before := c.LegalHold()
		c.SetLegalHold(on, s.now())
		if err := s.chats.Update(ctx, c); err != nil {
			return access.AuditEntry{}, err
		}
		if ca, err = s.accessTo(ctx, a, c, false); err != nil {
			return access.AuditEntry{}, err
		}
		action := "messages.legal_hold_placed"
		if !on {
			action = "messages.legal_hold_released"
		}
		return a.Entry(action, "chat", c.ID().String(), map[string]any{"legal_hold": before}, map[string]any{"legal_hold": on}), nil
	})
	if err != nil {
		return ChatView{}, err
	}
	return s.chatViewOf(ctx, a, ca)
}

// UploadTarget returns the files space a member uploads a chat's attachments into: the group's
// or department's space for their chats (under its retention), the sender's own for the others.
func (s *Service) UploadTarget(ctx context.Context, a authz.Actor, id uuid.UUID) (uuid.UUID, error) {
	ca, err := s.member(ctx, a, id)
	if err != nil {
		return uuid.Nil, err
	}
	c := ca.chat
	switch c.Kind() {
	case messaging.KindGroup:
		return s.files.Space(ctx, a.OrgID, "group", c.GroupID())
	case messaging.KindDepartment:
		return s.files.Space(ctx, a.OrgID, "department", c.DepartmentID())
	}
	return s.files.Space(ctx, a.OrgID, "personal", a.UserID)
}
