package messaging

import (
	"context"

	"github.com/google/uuid"

	"canopy/app/authz"
	appevents "canopy/app/events"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/messaging"
)

func audienceOf(users []uuid.UUID) appevents.Audience {
	return appevents.Audience{Users: dedupe(users, uuid.Nil)}
}

// maxReadSenders bounds how many senders one read event tells.
const maxReadSenders = 100

// MarkRead moves the actor's last read sequence in a chat up to seq (never back; past the chat's
// last message it stops there) and returns it. When it moved, messages.read tells the actor's
// other devices and the senders of what was just read.
func (s *Service) MarkRead(ctx context.Context, a authz.Actor, chatID uuid.UUID, seq int64) (int64, error) {
	if seq < 0 {
		return 0, errs.E(errs.Invalid, "invalid_seq", "seq: must not be negative")
	}
	var now int64
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		ca, err := s.member(ctx, a, chatID)
		if err != nil {
			return err
		}
		if seq > ca.chat.LastSeq() {
			seq = ca.chat.LastSeq()
		}
		prev, n, err := s.reads.MarkRead(ctx, a.OrgID, chatID, a.UserID, seq)
		if err != nil {
			return err
		}
		now = n
		if n <= prev {
			return nil
		}
		senders, err := s.messages.Senders(ctx, a.OrgID, chatID, prev, n, maxReadSenders)
		if err != nil {
			return err
		}
		if honour, err := s.honoursOptOut(ctx, a.OrgID); err != nil {
			return err
		} else if honour {
			on, err := s.settings.Receipts(ctx, a.UserID)
			if err != nil {
				return err
			}
			if !on {
				senders = nil // only the reader's own devices learn of it
			}
		}
		aud := audienceOf(append([]uuid.UUID{a.UserID}, senders...))
		return s.publish(ctx, a, ca.chat, EventRead, &aud, map[string]any{"chat_id": chatID, "user_id": a.UserID, "seq": n})
	})
	return now, err
}

// honoursOptOut reports whether the organisation lets members stop sending read receipts.
func (s *Service) honoursOptOut(ctx context.Context, orgID uuid.UUID) (bool, error) {
	st, err := s.settings.Get(ctx, orgID)
	return st.AllowReceiptOptOut, err
}

// ReadList is who has read a message and who has not.
type ReadList struct {
	Read        []Person `json:"read"`
	Unread      []Person `json:"unread"`
	ReadCount   int      `json:"read_count"`
	UnreadCount int      `json:"unread_count"`
	HiddenCount int      `json:"hidden_count"`
}

// Reads returns the read list of a message: of the chat's members now other than its sender,
// those whose last read sequence reaches it and those whose does not; those who chose not to
// send receipts (where the organisation allows it) are only counted. For the sender, the
// chat's owner and admins and its managers; other members get Forbidden.
func (s *Service) Reads(ctx context.Context, a authz.Actor, chatID, id uuid.UUID) (ReadList, error) {
	// As load(…, false), but chats.manage (a scope's queries) is asked only when membership
	// does not settle it: a member who sent the message, or owns or administers the chat, needs
	// no more.
	c, role, member, err := s.chats.GetAs(ctx, a.OrgID, chatID, a.UserID)
	if err != nil {
		return ReadList{}, err
	}
	ca := chatAccess{chat: c, role: role, member: member}
	askManage := func() error {
		var err error
		ca.manage, err = s.manages(ctx, a, c)
		return err
	}
	if !member {
		if err := askManage(); err != nil {
			return ReadList{}, err
		}
		if !ca.manage {
			return ReadList{}, notFoundChat()
		}
	}
	m, err := s.messages.Get(ctx, a.OrgID, chatID, id)
	if err != nil {
		return ReadList{}, err
	}
	if m.SenderID() != a.UserID && !ca.admin() {
		if member {
			if err := askManage(); err != nil {
				return ReadList{}, err
			}
		}
		if !ca.admin() {
			return ReadList{}, errs.E(errs.Forbidden, "not_sender", "only the sender and the chat's admins see who read a message")
		}
	}
	honour, err := s.honoursOptOut(ctx, a.OrgID)
	if err != nil {
		return ReadList{}, err
	}
	read, unread, hidden, err := s.reads.Readers(ctx, ca.chat, m.Seq(), m.SenderID(), honour)
	if err != nil {
		return ReadList{}, err
	}
	if read == nil {
		read = []Person{}
	}
	if unread == nil {
		unread = []Person{}
	}
	return ReadList{Read: read, Unread: unread, ReadCount: len(read), UnreadCount: len(unread), HiddenCount: hidden}, nil
}

// Typing tells a chat's members the actor is typing, at most once per TypingInterval per
// member per chat (more often is accepted and dropped).
func (s *Service) Typing(ctx context.Context, a authz.Actor, chatID uuid.UUID) error {
	ca, err := s.member(ctx, a, chatID)
	if err != nil {
		return err
	}
	if err := writable(ca.chat); err != nil {
		return err
	}
	now := s.now()
	key := [2]uuid.UUID{chatID, a.UserID}
	s.typingMu.Lock()
	last, seen := s.typing[key]
	fresh := !seen || now.Sub(last) >= s.cfg.TypingInterval
	if fresh {
		s.typing[key] = now
		if len(s.typing) > 100_000 {
			for k, t := range s.typing {
				if now.Sub(t) >= s.cfg.TypingInterval {
					delete(s.typing, k)
				}
			}
		}
	}
	s.typingMu.Unlock()
	if !fresh {
		return nil
	}
	names, err := s.directory.Names(ctx, a.OrgID, []uuid.UUID{a.UserID})
	if err != nil {
		return err
	}
	return s.tx.Within(ctx, func(ctx context.Context) error {
		return s.publish(ctx, a, ca.chat, EventTyping, nil, map[string]any{"chat_id": chatID, "user_id": a.UserID, "name": names[a.UserID]})
	})
}

// Presence publishes the actor's presence (online, away or offline) to those who have a direct
// chat with them in the organisation.
func (s *Service) Presence(ctx context.Context, a authz.Actor, status string) error {
	if status != "online" && status != "away" && status != "offline" {
		return errs.E(errs.Invalid, "invalid_status", "status: must be online, away or offline")
	}
	return s.announcePresence(ctx, a.UserID, a.OrgID, status)
}

// SettingsView is an organisation's messaging settings as the API shows them.
type SettingsView struct {
	RetentionDays      *int `json:"retention_days"`
	AllowReceiptOptOut bool `json:"allow_receipt_opt_out"`
	MentionAllMax      int  `json:"mention_all_max"`
}

func (s *Service) settingsView(st messaging.Settings) SettingsView {
	v := SettingsView{AllowReceiptOptOut: st.AllowReceiptOptOut, MentionAllMax: st.MentionAllMax}
	if st.RetentionDays > 0 {
		d := st.RetentionDays
		v.RetentionDays = &d
	}
	if v.MentionAllMax == 0 {
		v.MentionAllMax = s.cfg.MentionAllMax
	}
	return v
}

// Settings returns the organisation's messaging settings (settings.manage).
func (s *Service) Settings(ctx context.Context, a authz.Actor) (SettingsView, error) {
	if err := authz.Require(ctx, s.authz, a, access.SettingsManage, ""); err != nil {
		return SettingsView{}, err
	}
	st, err := s.settings.Get(ctx, a.OrgID)
	return s.settingsView(st), err
}

// PutSettings changes the organisation's messaging settings (settings.manage), audited.
func (s *Service) PutSettings(ctx context.Context, a authz.Actor, st messaging.Settings) (SettingsView, error) {
	if err := st.Validate(); err != nil {
		return SettingsView{}, err
	}
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := authz.Require(ctx, s.authz, a, access.SettingsManage, ""); err != nil {
			return access.AuditEntry{}, err
		}
		before, err := s.settings.Get(ctx, a.OrgID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.settings.Put(ctx, a.OrgID, st, s.now()); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("messages.settings_changed", "organisation", a.OrgID.String(), s.settingsView(before), s.settingsView(st)), nil
	})
	return s.settingsView(st), err
}

// MyMessaging is a member's own messaging preferences.
type MyMessaging struct {
	SendReadReceipts   bool `json:"send_read_receipts"`
	AllowReceiptOptOut bool `json:"allow_receipt_opt_out"`
}

// Mine returns the actor's messaging preferences.
func (s *Service) Mine(ctx context.Context, a authz.Actor) (MyMessaging, error) {
	allow, err := s.honoursOptOut(ctx, a.OrgID)
	if err != nil {
		return MyMessaging{}, err
	}
	on, err := s.settings.Receipts(ctx, a.UserID)
	return MyMessaging{SendReadReceipts: on, AllowReceiptOptOut: allow}, err
}

// SetReceipts sets whether the actor sends read receipts: turning them off is Unprocessable
// receipts_opt_out_not_allowed where the organisation does not allow it.
func (s *Service) SetReceipts(ctx context.Context, a authz.Actor, on bool) (MyMessaging, error) {
	allow, err := s.honoursOptOut(ctx, a.OrgID)
	if err != nil {
		return MyMessaging{}, err
	}
	if !on && !allow {
		return MyMessaging{}, errs.E(errs.Unprocessable, "receipts_opt_out_not_allowed", "your organisation does not let members turn off read receipts")
	}
	if err := s.settings.SetReceipts(ctx, a.UserID, on); err != nil {
		return MyMessaging{}, err
	}
	return MyMessaging{SendReadReceipts: on, AllowReceiptOptOut: allow}, nil
}
