package messaging

import (
	"context"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"canopy/app/authz"
	appevents "canopy/app/events"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/messaging"
)

// SendInput is a new message. MentionIDs are the members its @names stand for (the client
// resolves them from the member picker); MentionAll, or "@all" in the body, mentions everyone.
type SendInput struct {
	ClientID      string
	Body          string
	ThreadRootID  uuid.UUID
	QuoteID       uuid.UUID
	AttachmentIDs []uuid.UUID
	MentionIDs    []uuid.UUID
	MentionAll    bool
}

// mentionAllPattern finds @all (or its Chinese form) as a word of a body.
var mentionAllPattern = regexp.MustCompile(`(^|\s)@(all|所有人)(\s|$)`)

// blocked is the error of a text the content rules refuse.
func blocked(phrase string) error {
	return errs.E(errs.Unprocessable, "content_blocked", "This message contains “"+phrase+"”, which your organisation does not allow.")
}

// Send stores a message in a chat the actor is a member of, with the chat's next sequence, and
// publishes it to the chat's members. Sending the same client_id again returns the first
// message, stored once (created false). A reply names its thread's root, whose reply count
// grows; a quote, attachments (files the sender may read: NotFound otherwise) and mentions of
// members of the chat (Invalid mention_not_member otherwise) come with it. @all is for the
// chat's owner and admins, or anyone in a chat under the configured size (Forbidden
// mention_all_forbidden). Text or an attachment's name the content rules block is Unprocessable
// content_blocked, and nothing is stored; what they flag is flagged (kind message or file_name).
func (s *Service) Send(ctx context.Context, a authz.Actor, chatID uuid.UUID, in SendInput) (MessageView, bool, error) {
	if err := messaging.CheckClientID(in.ClientID); err != nil {
		return MessageView{}, false, err
	}
	if err := messaging.CheckBody(in.Body, len(in.AttachmentIDs)); err != nil {
		return MessageView{}, false, err
	}
	in.MentionAll = in.MentionAll || mentionAllPattern.MatchString(in.Body)
	var verdict Verdict
	if s.filter != nil && strings.TrimSpace(in.Body) != "" {
		var err error
		if verdict, err = s.filter.Check(ctx, a.OrgID, in.Body); err != nil {
			return MessageView{}, false, err
		}
		if verdict.Blocked {
			// Still a member's only: a stranger learns nothing of the rules.
			if _, err := s.member(ctx, a, chatID); err != nil {
				return MessageView{}, false, err
			}
			return MessageView{}, false, blocked(verdict.Phrase)
		}
	}
	// Everything that only reads is done before the chat's row is locked: access, the client
	// id, the thread, quote, mentions, attachments and names. The lock is then held only for the
	// sequence, the message, the sender's read state and the outbox.
	ca, err := s.member(ctx, a, chatID)
	if err != nil {
		return MessageView{}, false, err
	}
	c := ca.chat
	if old, err := s.messages.ByClientID(ctx, a.OrgID, chatID, a.UserID, in.ClientID); err == nil {
		v, err := s.viewOne(ctx, a.OrgID, a.UserID, old)
		return v, false, err
	} else if !errs.Is(err, errs.NotFound) {
		return MessageView{}, false, err
	}
	if err := writable(c); err != nil {
		return MessageView{}, false, err
	}
	var root, quote *messaging.Message
	if in.ThreadRootID != uuid.Nil {
		if root, err = s.messages.Get(ctx, a.OrgID, chatID, in.ThreadRootID); err != nil {
			return MessageView{}, false, err
		}
		if root.ThreadRootID() != uuid.Nil {
			if root, err = s.messages.Get(ctx, a.OrgID, chatID, root.ThreadRootID()); err != nil {
				return MessageView{}, false, err
			}
		}
		in.ThreadRootID = root.ID()
	}
	if in.QuoteID != uuid.Nil {
		if quote, err = s.messages.Get(ctx, a.OrgID, chatID, in.QuoteID); err != nil {
			return MessageView{}, false, err
		}
	}
	mentions := dedupe(in.MentionIDs, a.UserID)
	if len(mentions) > 0 {
		in, err := s.members.Among(ctx, a.OrgID, chatID, mentions)
		if err != nil {
			return MessageView{}, false, err
		}
		if len(in) != len(mentions) {
			return MessageView{}, false, errs.E(errs.Invalid, "mention_not_member", "mention_ids: everyone mentioned must be a member of the chat")
		}
	}
	if in.MentionAll && !ca.admin() {
		limit, err := s.mentionAllMax(ctx, a.OrgID)
		if err != nil {
			return MessageView{}, false, err
		}
		n, err := s.members.Count(ctx, c)
		if err != nil {
			return MessageView{}, false, err
		}
		if n >= limit {
			return MessageView{}, false, errs.E(errs.Forbidden, "mention_all_forbidden", "only the chat's owner and admins may mention everyone in a chat this large")
		}
	}
	var nameHits []fileNameHits
	files := map[uuid.UUID]AttachedFile{}
	for _, f := range dedupe(in.AttachmentIDs, uuid.Nil) {
		af, err := s.files.Readable(ctx, a, f)
		if err != nil {
			return MessageView{}, false, err
		}
		files[f] = af
		hits, err := s.checkFileName(ctx, a.OrgID, af.Name)
		if err != nil {
			return MessageView{}, false, err
		}
		if len(hits) > 0 {
			nameHits = append(nameHits, fileNameHits{name: af.Name, hits: hits})
		}
	}
	names, err := s.senderNames(ctx, a, quote)
	if err != nil {
		return MessageView{}, false, err
	}
	var chatName string
	if len(mentions) > 0 {
		if chatName, err = s.mentionChatName(ctx, a, c, names); err != nil {
			return MessageView{}, false, err
		}
	}
	aud, err := s.audience(ctx, c)
	if err != nil {
		return MessageView{}, false, err
	}
	var v MessageView
	// The sequence is given by Append, the last statement: it locks the chat's row until the
	// commit (sequences follow the commits' order), so everything else is written first and the
	// row is held for that statement and the commit alone. A plain message writes nothing else,
	// so its Append runs as a transaction of its own, one round trip in which PostgreSQL holds
	// the row only while it runs; a reply, a mention or a flag adds writes that must commit with
	// it, in one transaction.
	inTx := len(verdict.Flags) > 0 || len(nameHits) > 0 || root != nil || len(mentions) > 0
	within := s.tx.Within
	if !inTx {
		within = func(ctx context.Context, fn func(ctx context.Context) error) error { return fn(ctx) }
	}
	err = within(ctx, func(ctx context.Context) error {
		now := s.now()
		m, err := messaging.NewMessage(messaging.MessageInput{OrgID: a.OrgID, ChatID: chatID, SenderID: a.UserID, ClientID: in.ClientID,
			Body: in.Body, ThreadRootID: in.ThreadRootID, QuoteID: in.QuoteID, Mentions: mentions, MentionAll: in.MentionAll,
			AttachmentIDs: in.AttachmentIDs}, now)
		if err != nil {
			return err
		}
		// The flags' reference to the message is checked at the commit.
		if len(verdict.Flags) > 0 {
			if err := s.filter.Flag(ctx, a.OrgID, verdict.Flags, chatID, m.ID(), a.UserID, "message", excerpt(m.Body())); err != nil {
				return err
			}
		}
		for _, n := range nameHits {
			if err := s.filter.Flag(ctx, a.OrgID, n.hits, chatID, m.ID(), a.UserID, "file_name", n.name); err != nil {
				return err
			}
		}
		if root != nil {
			r, err := s.messages.AddReply(ctx, a.OrgID, root.ID(), now)
			if err != nil {
				return err
			}
			if err := s.publish(ctx, a, c, EventMessageUpdated, &aud, map[string]any{"chat_id": c.ID(), "message_id": r.ID(), "seq": r.Seq(),
				"kind": "reply_count", "reply_count": r.ReplyCount(), "last_reply_at": r.LastReplyAt()}); err != nil {
				return err
			}
		}
		if err := s.mentioned(ctx, a, c, m, mentions, chatName, names[a.UserID]); err != nil {
			return err
		}
		// The view from what is known: a new message has no reactions and no pin. Its event
		// gets the sequence from Append.
		v = s.view(m, names[a.UserID])
		if quote != nil {
			v.Quote = &QuoteView{ID: quote.ID(), Seq: quote.Seq(), SenderName: names[quote.SenderID()], Excerpt: excerpt(quote.Body())}
		}
		for _, f := range m.AttachmentIDs() {
			if af, ok := files[f]; ok {
				v.Attachments = append(v.Attachments, withURLs(af, a.OrgID, chatID, m.ID()))
			}
		}
		var created *appevents.Event
		if s.events != nil {
			e, err := s.event(ctx, a, c, EventMessageCreated, &aud, createdPayload(v))
			if err != nil {
				return err
			}
			created = &e
		}
		if v.Seq, err = s.messages.Append(ctx, m, created); err != nil {
			return err
		}
		return nil
	})
	if errs.Is(err, errs.Conflict) && errs.CodeOf(err) == "conflict" {
		// The same client id sent at the same time: the other send stored it first.
		if old, gerr := s.messages.ByClientID(ctx, a.OrgID, chatID, a.UserID, in.ClientID); gerr == nil {
			v, err := s.viewOne(ctx, a.OrgID, a.UserID, old)
			return v, false, err
		}
	}
	return v, err == nil, err
}

// senderNames returns the names a new message shows: its sender's (read with their credential
// when it was) and its quote's sender's.
func (s *Service) senderNames(ctx context.Context, a authz.Actor, quote *messaging.Message) (map[uuid.UUID]string, error) {
	var people []uuid.UUID
	if a.DisplayName == "" {
		people = append(people, a.UserID)
	}
	if quote != nil {
		people = append(people, quote.SenderID())
	}
	names := map[uuid.UUID]string{}
	if len(people) > 0 {
		var err error
		if names, err = s.directory.Names(ctx, a.OrgID, people); err != nil {
			return nil, err
		}
	}
	if a.DisplayName != "" {
		names[a.UserID] = a.DisplayName
	}
	return names, nil
}

// mentionChatName is the chat's name as a mention's notification shows it: for a direct chat,
// or one without a name, the sender's (names holds the sender's name).
func (s *Service) mentionChatName(ctx context.Context, a authz.Actor, c *messaging.Chat, names map[uuid.UUID]string) (string, error) {
	chatName, err := s.chats.DisplayName(ctx, c, uuid.Nil)
	if err != nil {
		return "", err
	}
	if chatName == "" || c.Kind() == messaging.KindDirect {
		chatName = names[a.UserID]
	}
	return chatName, nil
}

// mentioned notifies the members a message mentions by name (messages.mentioned); @all tells
// no one beyond the message itself.
func (s *Service) mentioned(ctx context.Context, a authz.Actor, c *messaging.Chat, m *messaging.Message, users []uuid.UUID, chatName, actorName string) error {
	if len(users) == 0 {
		return nil
	}
	aud := audienceOf(users)
	return s.publish(ctx, a, c, EventMentioned, &aud, map[string]any{"chat_id": c.ID(), "message_id": m.ID(), "chat_name": chatName,
		"actor_name": actorName, "excerpt": excerpt(m.Body())})
}

// mentionAllMax is the chat size from which only admins may @all.
func (s *Service) mentionAllMax(ctx context.Context, orgID uuid.UUID) (int, error) {
	st, err := s.settings.Get(ctx, orgID)
	if err != nil {
		return 0, err
	}
	if st.MentionAllMax > 0 {
		return st.MentionAllMax, nil
	}
	return s.cfg.MentionAllMax, nil
}

// HistoryPage is a page of messages by sequence.
type HistoryPage struct {
	Items   []MessageView `json:"items"`
	HasMore bool          `json:"has_more"`
}

// History returns a page of a chat's messages (thread replies are in their threads): the newest
// limit, or those before before_seq, or after after_seq; oldest first within the page.
func (s *Service) History(ctx context.Context, a authz.Actor, chatID uuid.UUID, beforeSeq, afterSeq int64, limit int) (HistoryPage, error) {
	if _, err := s.member(ctx, a, chatID); err != nil {
		return HistoryPage{}, err
	}
	ms, more, err := s.messages.Page(ctx, PageQuery{OrgID: a.OrgID, ChatID: chatID, BeforeSeq: beforeSeq, AfterSeq: afterSeq, Limit: limit})
	if err != nil {
		return HistoryPage{}, err
	}
	vs, err := s.views(ctx, a.OrgID, a.UserID, ms)
	return HistoryPage{Items: vs, HasMore: more}, err
}

// ThreadPage is a thread's root with a page of its replies.
type ThreadPage struct {
	Root    MessageView   `json:"root"`
	Items   []MessageView `json:"items"`
	HasMore bool          `json:"has_more"`
}

// Thread returns a thread's root and its replies after after_seq, oldest first.
func (s *Service) Thread(ctx context.Context, a authz.Actor, chatID, rootID uuid.UUID, afterSeq int64, limit int) (ThreadPage, error) {
	if _, err := s.member(ctx, a, chatID); err != nil {
		return ThreadPage{}, err
	}
	root, err := s.messages.Get(ctx, a.OrgID, chatID, rootID)
	if err != nil {
		return ThreadPage{}, err
	}
	ms, more, err := s.messages.Thread(ctx, a.OrgID, root.ID(), afterSeq, limit)
	if err != nil {
		return ThreadPage{}, err
	}
	vs, err := s.views(ctx, a.OrgID, a.UserID, append([]*messaging.Message{root}, ms...))
	if err != nil {
		return ThreadPage{}, err
	}
	return ThreadPage{Root: vs[0], Items: vs[1:], HasMore: more}, nil
}

// message loads a message of a chat the actor is a member of, with the chat locked when lock.
func (s *Service) message(ctx context.Context, a authz.Actor, chatID, id uuid.UUID) (chatAccess, *messaging.Message, error) {
	ca, err := s.member(ctx, a, chatID)
	if err != nil {
		return ca, nil, err
	}
	m, err := s.messages.Get(ctx, a.OrgID, chatID, id)
	return ca, m, err
}

// Edit replaces a message's body by its sender's hand, keeping the earlier one in its history.
func (s *Service) Edit(ctx context.Context, a authz.Actor, chatID, id uuid.UUID, body string) (MessageView, error) {
	var v MessageView
	var verdict Verdict
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		ca, m, err := s.message(ctx, a, chatID, id)
		if err != nil {
			return err
		}
		if err := writable(ca.chat); err != nil {
			return err
		}
		if s.filter != nil && strings.TrimSpace(body) != "" {
			if verdict, err = s.filter.Check(ctx, a.OrgID, body); err != nil {
				return err
			}
			if verdict.Blocked {
				return blocked(verdict.Phrase)
			}
		}
		prev, err := m.Edit(a.UserID, body, s.now())
		if err != nil {
			return err
		}
		if err := s.messages.AddEdit(ctx, a.OrgID, m.ID(), prev, m.EditedAt()); err != nil {
			return err
		}
		if err := s.messages.Update(ctx, m); err != nil {
			return err
		}
		if len(verdict.Flags) > 0 {
			if err := s.filter.Flag(ctx, a.OrgID, verdict.Flags, chatID, m.ID(), a.UserID, "message", excerpt(m.Body())); err != nil {
				return err
			}
		}
		if v, err = s.viewOne(ctx, a.OrgID, a.UserID, m); err != nil {
			return err
		}
		fields := map[string]any{"body": v.Body, "body_html": v.BodyHTML, "edited_at": v.EditedAt}
		if len(v.Body) > maxPayload/3 {
			fields = map[string]any{"edited_at": v.EditedAt, "truncated": true}
		}
		return s.updated(ctx, a, ca.chat, m, "edited", fields)
	})
	return v, err
}

// EditHistory returns a message's earlier bodies, oldest first, to the chat's members.
func (s *Service) EditHistory(ctx context.Context, a authz.Actor, chatID, id uuid.UUID) ([]Edit, error) {
	_, m, err := s.message(ctx, a, chatID, id)
	if err != nil {
		return nil, err
	}
	if m.Gone() {
		return []Edit{}, nil
	}
	return s.messages.Edits(ctx, a.OrgID, m.ID())
}

// Recall withdraws a message by its sender within the recall window (Conflict
// recall_window_passed after it), leaving the placeholder.
func (s *Service) Recall(ctx context.Context, a authz.Actor, chatID, id uuid.UUID) (MessageView, error) {
	var v MessageView
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		ca, m, err := s.message(ctx, a, chatID, id)
		if err != nil {
			return err
		}
		if err := m.Recall(a.UserID, s.cfg.RecallWindow, s.now()); err != nil {
			return err
		}
		if err := s.messages.Update(ctx, m); err != nil {
			return err
		}
		if v, err = s.viewOne(ctx, a.OrgID, a.UserID, m); err != nil {
			return err
		}
		return s.updated(ctx, a, ca.chat, m, "recalled", map[string]any{"recalled": true})
	})
	return v, err
}

// Delete removes a message by the hand of the chat's owner or an admin of it, or chats.manage
// over it, leaving the placeholder; audited.
func (s *Service) Delete(ctx context.Context, a authz.Actor, chatID, id uuid.UUID) error {
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		ca, err := s.load(ctx, a, chatID, false)
		if err != nil {
			return access.AuditEntry{}, err
		}
		m, err := s.messages.Get(ctx, a.OrgID, chatID, id)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if !ca.admin() {
			return access.AuditEntry{}, errs.E(errs.Forbidden, "not_chat_admin", "only the chat's owner and admins may delete others' messages")
		}
		sender, body := m.SenderID(), m.Body()
		if err := m.Delete(a.UserID, s.now()); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.messages.Update(ctx, m); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.updated(ctx, a, ca.chat, m, "deleted", map[string]any{"deleted": true}); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("messages.message_deleted", "message", m.ID().String(),
			map[string]any{"chat_id": chatID, "sender_id": sender, "seq": m.Seq(), "excerpt": excerpt(body)}, nil), nil
	})
}

// React adds (on) or removes the actor's reaction to a message.
func (s *Service) React(ctx context.Context, a authz.Actor, chatID, id uuid.UUID, emoji string, on bool) error {
	if err := messaging.CheckEmoji(emoji); err != nil {
		return err
	}
	return s.tx.Within(ctx, func(ctx context.Context) error {
		ca, m, err := s.message(ctx, a, chatID, id)
		if err != nil {
			return err
		}
		if on {
			if m.Gone() {
				return errs.E(errs.Conflict, "message_gone", "the message was recalled or deleted")
			}
			err = s.messages.React(ctx, a.OrgID, m.ID(), a.UserID, emoji, s.now())
		} else {
			err = s.messages.Unreact(ctx, a.OrgID, m.ID(), a.UserID, emoji)
		}
		if err != nil {
			return err
		}
		rs, err := s.messages.Reactions(ctx, a.OrgID, []uuid.UUID{m.ID()}, uuid.Nil)
		if err != nil {
			return err
		}
		counts := rs[m.ID()]
		if counts == nil {
			counts = []Reaction{}
		}
		return s.updated(ctx, a, ca.chat, m, "reaction", map[string]any{"reactions": counts, "user_id": a.UserID, "emoji": emoji, "added": on})
	})
}

// Pin pins (on) or unpins a message in its chat; any member may.
func (s *Service) Pin(ctx context.Context, a authz.Actor, chatID, id uuid.UUID, on bool) error {
	return s.tx.Within(ctx, func(ctx context.Context) error {
		ca, m, err := s.message(ctx, a, chatID, id)
		if err != nil {
			return err
		}
		if on {
			if m.Gone() {
				return errs.E(errs.Conflict, "message_gone", "the message was recalled or deleted")
			}
			err = s.messages.Pin(ctx, m, a.UserID, s.now())
		} else {
			err = s.messages.Unpin(ctx, m)
		}
		if err != nil {
			return err
		}
		return s.updated(ctx, a, ca.chat, m, "pin", map[string]any{"pinned": on})
	})
}

// Pins returns a chat's pinned messages, latest pin first.
func (s *Service) Pins(ctx context.Context, a authz.Actor, chatID uuid.UUID) ([]MessageView, error) {
	if _, err := s.member(ctx, a, chatID); err != nil {
		return nil, err
	}
	ms, err := s.messages.Pins(ctx, a.OrgID, chatID)
	if err != nil {
		return nil, err
	}
	return s.views(ctx, a.OrgID, a.UserID, ms)
}
