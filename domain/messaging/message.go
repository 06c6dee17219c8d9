package messaging

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/text"
)

// Limits of messages.
const (
	// MaxBodyBytes is the largest message body, in bytes of UTF-8.
	MaxBodyBytes = 16 << 10
	// MaxClientIDRunes bounds the client's message id.
	MaxClientIDRunes = 100
	// MaxMentions is how many members one message may mention by name.
	MaxMentions = 100
	// MaxAttachments is how many files one message may carry.
	MaxAttachments = 20
	// MaxEmojiRunes bounds a reaction.
	MaxEmojiRunes = 32
)

// Message is one message of a chat, with its place in the chat's sequence. A recalled or
// deleted message keeps its place with its body cleared: the placeholder.
type Message struct {
	id            uuid.UUID
	orgID         uuid.UUID
	chatID        uuid.UUID
	seq           int64
	senderID      uuid.UUID
	clientID      string
	body          string
	threadRootID  uuid.UUID
	replyCount    int
	lastReplyAt   time.Time
	quoteID       uuid.UUID
	mentions      []uuid.UUID
	mentionAll    bool
	attachmentIDs []uuid.UUID
	createdAt     time.Time
	editedAt      time.Time
	recalledAt    time.Time
	deletedAt     time.Time
	deletedBy     uuid.UUID
}

// MessageInput holds what a new message needs. Seq is its place in the chat's sequence, or 0
// when storing it gives it one (Place).
type MessageInput struct {
	OrgID, ChatID, SenderID uuid.UUID
	Seq                     int64
	ClientID                string
	Body                    string
	ThreadRootID            uuid.UUID
	QuoteID                 uuid.UUID
	Mentions                []uuid.UUID
	MentionAll              bool
	AttachmentIDs           []uuid.UUID
}

// CheckBody checks a message body: at most MaxBodyBytes, text (no control characters but line
// breaks and tabs). It may be blank only when the message carries files (attachments).
func CheckBody(body string, attachments int) error {
	if len(body) > MaxBodyBytes {
		return errs.E(errs.Invalid, "message_too_long", "body: must be at most 16 KiB")
	}
	if err := text.MultiLine("body", body); err != nil {
		return err
	}
	if strings.TrimSpace(body) == "" && attachments == 0 {
		return errs.E(errs.Invalid, "missing_field", `field "body" is required`)
	}
	return nil
}

// CheckClientID checks the client's id of a message, which makes a resend idempotent.
func CheckClientID(id string) error {
	if id == "" {
		return errs.E(errs.Invalid, "missing_field", `field "client_id" is required`)
	}
	if err := text.Line("client_id", id); err != nil {
		return err
	}
	if utf8.RuneCountInString(id) > MaxClientIDRunes {
		return errs.E(errs.Invalid, "invalid_client_id", "client_id: must be at most 100 characters")
	}
	return nil
}

func uniqueIDs(ids []uuid.UUID, drop uuid.UUID) []uuid.UUID {
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

// NewMessage validates and returns a message. Mentions are each kept once, never the sender's.
func NewMessage(in MessageInput, now time.Time) (*Message, error) {
	if in.OrgID == uuid.Nil || in.ChatID == uuid.Nil || in.SenderID == uuid.Nil || in.Seq < 0 {
		return nil, errs.Internalf("messaging: a message needs an organisation, a chat and a sender")
	}
	if err := CheckClientID(in.ClientID); err != nil {
		return nil, err
	}
	atts := uniqueIDs(in.AttachmentIDs, uuid.Nil)
	if len(atts) > MaxAttachments {
		return nil, errs.E(errs.Invalid, "too_many_attachments", "attachment_ids: at most 20 files")
	}
	if err := CheckBody(in.Body, len(atts)); err != nil {
		return nil, err
	}
	ms := uniqueIDs(in.Mentions, in.SenderID)
	if len(ms) > MaxMentions {
		return nil, errs.E(errs.Invalid, "too_many_mentions", "mention_ids: at most 100 members")
	}
	return &Message{id: uuid.New(), orgID: in.OrgID, chatID: in.ChatID, seq: in.Seq, senderID: in.SenderID, clientID: in.ClientID,
		body: in.Body, threadRootID: in.ThreadRootID, quoteID: in.QuoteID, mentions: ms, mentionAll: in.MentionAll,
		attachmentIDs: atts, createdAt: now.UTC()}, nil
}

// MessageRecord is a stored message, for repository adapters only.
type MessageRecord struct {
	ID, OrgID, ChatID   uuid.UUID
	Seq                 int64
	SenderID            uuid.UUID
	ClientID, Body      string
	ThreadRootID        uuid.UUID
	ReplyCount          int
	LastReplyAt         time.Time
	QuoteID             uuid.UUID
	Mentions            []uuid.UUID
	MentionAll          bool
	AttachmentIDs       []uuid.UUID
	CreatedAt, EditedAt time.Time
	RecalledAt          time.Time
	DeletedAt           time.Time
	DeletedBy           uuid.UUID
}

// RehydrateMessage rebuilds a stored message. It is for repository adapters only.
func RehydrateMessage(r MessageRecord) *Message {
	return &Message{id: r.ID, orgID: r.OrgID, chatID: r.ChatID, seq: r.Seq, senderID: r.SenderID, clientID: r.ClientID, body: r.Body,
		threadRootID: r.ThreadRootID, replyCount: r.ReplyCount, lastReplyAt: r.LastReplyAt, quoteID: r.QuoteID, mentions: r.Mentions,
		mentionAll: r.MentionAll, attachmentIDs: r.AttachmentIDs, createdAt: r.CreatedAt, editedAt: r.EditedAt, recalledAt: r.RecalledAt,
		deletedAt: r.DeletedAt, deletedBy: r.DeletedBy}
}

// Gone reports whether the message was recalled or deleted: a placeholder.
func (m *Message) Gone() bool { return !m.recalledAt.IsZero() || !m.deletedAt.IsZero() }

// Edit replaces the body by its sender's hand and returns the previous one for the history.
// A recalled or deleted message cannot be edited (Conflict message_gone).
func (m *Message) Edit(by uuid.UUID, body string, now time.Time) (string, error) {
	if by != m.senderID {
		return "", errs.E(errs.Forbidden, "not_sender", "only the sender may edit a message")
	}
	if m.Gone() {
		return "", errs.E(errs.Conflict, "message_gone", "the message was recalled or deleted")
	}
	if err := CheckBody(body, len(m.attachmentIDs)); err != nil {
		return "", err
	}
	prev := m.body
	m.body, m.editedAt = body, now.UTC()
	return prev, nil
}

// Recall withdraws the message by its sender within window of sending: Conflict
// recall_window_passed after it.
func (m *Message) Recall(by uuid.UUID, window time.Duration, now time.Time) error {
	if by != m.senderID {
		return errs.E(errs.Forbidden, "not_sender", "only the sender may recall a message")
	}
	if m.Gone() {
		return errs.E(errs.Conflict, "message_gone", "the message was recalled or deleted")
	}
	if now.Sub(m.createdAt) > window {
		return errs.E(errs.Conflict, "recall_window_passed", "a message can be recalled only within "+window.String()+" of sending it")
	}
	m.body, m.recalledAt = "", now.UTC()
	return nil
}

// Delete removes the message by an administrator's hand, leaving the placeholder.
func (m *Message) Delete(by uuid.UUID, now time.Time) error {
	if m.Gone() {
		return errs.E(errs.Conflict, "message_gone", "the message was recalled or deleted")
	}
	m.body, m.deletedAt, m.deletedBy = "", now.UTC(), by
	return nil
}

// CheckEmoji checks a reaction: a short single line.
func CheckEmoji(e string) error {
	if e == "" || utf8.RuneCountInString(e) > MaxEmojiRunes || strings.TrimSpace(e) != e {
		return errs.E(errs.Invalid, "invalid_emoji", "emoji: must be 1 to 32 characters without spaces")
	}
	return text.Line("emoji", e)
}

// ID returns the message's id.
func (m *Message) ID() uuid.UUID { return m.id }

// OrgID returns the organisation.
func (m *Message) OrgID() uuid.UUID { return m.orgID }

// ChatID returns its chat.
func (m *Message) ChatID() uuid.UUID { return m.chatID }

// Seq returns its place in the chat's sequence (0 until it is stored).
func (m *Message) Seq() int64 { return m.seq }

// Place records the place storing a new message gave it in the chat's sequence.
func (m *Message) Place(seq int64) { m.seq = seq }

// SenderID returns who sent it.
func (m *Message) SenderID() uuid.UUID { return m.senderID }

// ClientID returns the client's id of it.
func (m *Message) ClientID() string { return m.clientID }

// Body returns its Markdown ("" once recalled or deleted).
func (m *Message) Body() string { return m.body }

// ThreadRootID returns the root of the thread it replies in (uuid.Nil for none).
func (m *Message) ThreadRootID() uuid.UUID { return m.threadRootID }

// ReplyCount returns how many replies a thread's root has.
func (m *Message) ReplyCount() int { return m.replyCount }

// LastReplyAt returns when a thread's root was last replied to.
func (m *Message) LastReplyAt() time.Time { return m.lastReplyAt }

// QuoteID returns the message it quotes (uuid.Nil for none).
func (m *Message) QuoteID() uuid.UUID { return m.quoteID }

// Mentions returns the members it mentions.
func (m *Message) Mentions() []uuid.UUID { return m.mentions }

// MentionAll reports whether it mentions everyone (@all).
func (m *Message) MentionAll() bool { return m.mentionAll }

// AttachmentIDs returns the files it carries.
func (m *Message) AttachmentIDs() []uuid.UUID { return m.attachmentIDs }

// CreatedAt returns when it was sent.
func (m *Message) CreatedAt() time.Time { return m.createdAt }

// EditedAt returns when it was last edited (zero if never).
func (m *Message) EditedAt() time.Time { return m.editedAt }

// RecalledAt returns when its sender recalled it (zero if not).
func (m *Message) RecalledAt() time.Time { return m.recalledAt }

// DeletedAt returns when an administrator deleted it (zero if not).
func (m *Message) DeletedAt() time.Time { return m.deletedAt }

// DeletedBy returns who deleted it.
func (m *Message) DeletedBy() uuid.UUID { return m.deletedBy }

// Settings are an organisation's messaging settings.
type Settings struct {
	// RetentionDays is how long messages are kept; 0 keeps them forever.
	RetentionDays int
	// AllowReceiptOptOut lets members stop sending read receipts.
	AllowReceiptOptOut bool
	// MentionAllMax is the chat size under which anyone may @all; 0 takes the configured one.
	MentionAllMax int
}

// Validate checks settings.
func (s Settings) Validate() error {
	if s.RetentionDays < 0 || s.RetentionDays > 36500 {
		return errs.E(errs.Invalid, "invalid_retention", "retention_days: must be from 1 to 36500, or null to keep messages forever")
	}
	if s.MentionAllMax != 0 && (s.MentionAllMax < 2 || s.MentionAllMax > 1000) {
		return errs.E(errs.Invalid, "invalid_mention_all_max", "mention_all_max: must be from 2 to 1000")
	}
	return nil
}
