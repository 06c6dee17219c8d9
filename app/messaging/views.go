package messaging

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/domain/messaging"
)

// LastMessage is the preview of a chat's last message in the chat list.
type LastMessage struct {
	Seq        int64  `json:"seq"`
	SenderName string `json:"sender_name"`
	// Excerpt is empty when the message was recalled or deleted (Recalled, Deleted) or is
	// attachments alone (Attachments).
	Excerpt     string    `json:"excerpt"`
	Recalled    bool      `json:"recalled"`
	Deleted     bool      `json:"deleted"`
	Attachments int       `json:"attachments"`
	CreatedAt   time.Time `json:"created_at"`
}

// ChatView is a chat as its viewer sees it.
type ChatView struct {
	ID           uuid.UUID  `json:"id"`
	Kind         string     `json:"kind"`
	Name         string     `json:"name"`
	Description  string     `json:"description"`
	AvatarFileID *uuid.UUID `json:"avatar_file_id"`
	GroupID      *uuid.UUID `json:"group_id"`
	DepartmentID *uuid.UUID `json:"department_id"`
	Archived     bool       `json:"archived"`
	LegalHold    bool       `json:"legal_hold"`
	LastSeq      int64      `json:"last_seq"`
	LastReadSeq  int64      `json:"last_read_seq"`
	Unread       int64      `json:"unread"`
	Muted        bool       `json:"muted"`
	Pinned       bool       `json:"pinned"`
	MemberCount  int        `json:"member_count"`
	MyRole       *string    `json:"my_role"`
	// PeerID is the other member of a direct chat, for one of its two members.
	PeerID      *uuid.UUID   `json:"peer_id"`
	LastMessage *LastMessage `json:"last_message"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

func optID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// chatView is a chat as viewer sees it.
func chatView(r ChatRow, viewer uuid.UUID) ChatView {
	c := r.Chat
	v := ChatView{ID: c.ID(), Kind: string(c.Kind()), Name: r.DisplayName, Description: c.Description(), AvatarFileID: optID(c.AvatarFileID()),
		GroupID: optID(c.GroupID()), DepartmentID: optID(c.DepartmentID()), Archived: c.Archived(), LegalHold: c.LegalHold(),
		LastSeq: c.LastSeq(), LastReadSeq: r.LastReadSeq, Muted: r.Muted, Pinned: !r.PinnedAt.IsZero(), MemberCount: r.MemberCount,
		PeerID: optID(c.DirectPeer(viewer)), CreatedAt: c.CreatedAt(), UpdatedAt: c.UpdatedAt()}
	if r.LastReadSeq < c.LastSeq() {
		v.Unread = c.LastSeq() - r.LastReadSeq
	}
	if r.MyRole != "" {
		role := string(r.MyRole)
		v.MyRole = &role
	}
	return v
}

// excerptRunes is how much of a message a preview, a quote or a notification shows.
const excerptRunes = 100

func excerpt(s string) string {
	if utf8.RuneCountInString(s) <= excerptRunes {
		return s
	}
	r := []rune(s)
	return string(r[:excerptRunes]) + "…"
}

// withLast adds the previews of the chats' last messages.
func (s *Service) withLast(ctx context.Context, orgID uuid.UUID, vs []ChatView) error {
	ids := make([]uuid.UUID, 0, len(vs))
	for _, v := range vs {
		if v.LastSeq > 0 {
			ids = append(ids, v.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	last, err := s.messages.Latest(ctx, orgID, ids)
	if err != nil {
		return err
	}
	var senders []uuid.UUID
	for _, m := range last {
		senders = append(senders, m.SenderID())
	}
	names, err := s.directory.Names(ctx, orgID, senders)
	if err != nil {
		return err
	}
	for i := range vs {
		if m, ok := last[vs[i].ID]; ok {
			vs[i].LastMessage = &LastMessage{Seq: m.Seq(), SenderName: names[m.SenderID()], Excerpt: excerpt(m.Body()),
				Recalled: !m.RecalledAt().IsZero(), Deleted: !m.DeletedAt().IsZero(), CreatedAt: m.CreatedAt()}
			if !m.Gone() {
				vs[i].LastMessage.Attachments = len(m.AttachmentIDs())
			}
		}
	}
	return nil
}

// QuoteView is the quoted message as a message shows it.
type QuoteView struct {
	ID         uuid.UUID `json:"id"`
	Seq        int64     `json:"seq"`
	SenderName string    `json:"sender_name"`
	Excerpt    string    `json:"excerpt"`
}

// MessageView is a message as the API and the events show it. A recalled or deleted message
// has an empty body: the clients show the placeholder.
type MessageView struct {
	ID           uuid.UUID      `json:"id"`
	ChatID       uuid.UUID      `json:"chat_id"`
	Seq          int64          `json:"seq"`
	SenderID     uuid.UUID      `json:"sender_id"`
	SenderName   string         `json:"sender_name"`
	ClientID     string         `json:"client_id"`
	Body         string         `json:"body"`
	BodyHTML     string         `json:"body_html"`
	ThreadRootID *uuid.UUID     `json:"thread_root_id"`
	ReplyCount   int            `json:"reply_count"`
	LastReplyAt  *time.Time     `json:"last_reply_at"`
	Quote        *QuoteView     `json:"quote"`
	Mentions     []uuid.UUID    `json:"mentions"`
	MentionAll   bool           `json:"mention_all"`
	Attachments  []AttachedFile `json:"attachments"`
	Reactions    []Reaction     `json:"reactions"`
	Pinned       bool           `json:"pinned"`
	Edited       bool           `json:"edited"`
	Recalled     bool           `json:"recalled"`
	Deleted      bool           `json:"deleted"`
	CreatedAt    time.Time      `json:"created_at"`
	EditedAt     *time.Time     `json:"edited_at"`
	// Truncated marks an event's payload whose body was cut to fit.
	Truncated bool `json:"truncated,omitempty"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// views shows messages to viewer: their senders' names, quotes, attachments, reactions and pins,
// each read once for the whole page.
func (s *Service) views(ctx context.Context, orgID, viewer uuid.UUID, ms []*messaging.Message) ([]MessageView, error) {
	out := make([]MessageView, len(ms))
	if len(ms) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(ms))
	var quoteIDs, fileIDs []uuid.UUID
	for i, m := range ms {
		ids[i] = m.ID()
		if m.QuoteID() != uuid.Nil {
			quoteIDs = append(quoteIDs, m.QuoteID())
		}
		if !m.Gone() {
			fileIDs = append(fileIDs, m.AttachmentIDs()...)
		}
	}
	quotes := map[uuid.UUID]*messaging.Message{}
	var err error
	if len(quoteIDs) > 0 {
		if quotes, err = s.messages.ByIDs(ctx, orgID, quoteIDs); err != nil {
			return nil, err
		}
	}
	people := make([]uuid.UUID, 0, len(ms)+len(quotes))
	for _, m := range ms {
		people = append(people, m.SenderID())
	}
	for _, q := range quotes {
		people = append(people, q.SenderID())
	}
	names, err := s.directory.Names(ctx, orgID, people)
	if err != nil {
		return nil, err
	}
	reactions, err := s.messages.Reactions(ctx, orgID, ids, viewer)
	if err != nil {
		return nil, err
	}
	pinned, err := s.messages.Pinned(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	files := map[uuid.UUID]AttachedFile{}
	if len(fileIDs) > 0 && s.files != nil {
		if files, err = s.files.Describe(ctx, orgID, fileIDs); err != nil {
			return nil, err
		}
	}
	for i, m := range ms {
		v := s.view(m, names[m.SenderID()])
		if q, ok := quotes[m.QuoteID()]; ok && q.ChatID() == m.ChatID() {
			v.Quote = &QuoteView{ID: q.ID(), Seq: q.Seq(), SenderName: names[q.SenderID()], Excerpt: excerpt(q.Body())}
		}
		if !m.Gone() {
			for _, f := range m.AttachmentIDs() {
				if af, ok := files[f]; ok {
					v.Attachments = append(v.Attachments, withURLs(af, orgID, m.ChatID(), m.ID()))
				}
			}
		}
		if r := reactions[m.ID()]; r != nil {
			v.Reactions = r
		}
		v.Pinned = pinned[m.ID()]
		out[i] = v
	}
	return out, nil
}

// view is a message without what views reads besides it.
func (s *Service) view(m *messaging.Message, senderName string) MessageView {
	mentions := m.Mentions()
	if mentions == nil {
		mentions = []uuid.UUID{}
	}
	return MessageView{ID: m.ID(), ChatID: m.ChatID(), Seq: m.Seq(), SenderID: m.SenderID(), SenderName: senderName, ClientID: m.ClientID(),
		Body: m.Body(), BodyHTML: s.html(m.Body()), ThreadRootID: optID(m.ThreadRootID()), ReplyCount: m.ReplyCount(),
		LastReplyAt: optTime(m.LastReplyAt()), Mentions: mentions, MentionAll: m.MentionAll(), Attachments: []AttachedFile{},
		Reactions: []Reaction{}, Edited: !m.EditedAt().IsZero(), Recalled: !m.RecalledAt().IsZero(), Deleted: !m.DeletedAt().IsZero(),
		CreatedAt: m.CreatedAt(), EditedAt: optTime(m.EditedAt())}
}

func (s *Service) viewOne(ctx context.Context, orgID, viewer uuid.UUID, m *messaging.Message) (MessageView, error) {
	vs, err := s.views(ctx, orgID, viewer, []*messaging.Message{m})
	if err != nil {
		return MessageView{}, err
	}
	return vs[0], nil
}
