// Package messaging holds the messaging module's use cases: chats (direct, ad-hoc, a group's,
// a department's) whose members follow the directory live, messages with per-chat sequence
// numbers, threads, quotes, mentions, reactions, pins, edits, recall and deletion, each
// member's read state and the read list of a message, typing and presence, search over the
// chats one is in, and retention with legal holds and export.
package messaging

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	appevents "canopy/app/events"
	"canopy/domain/access"
)

// Config holds the module's settings.
type Config struct {
	// RecallWindow is how long after sending a message its sender may recall it.
	RecallWindow time.Duration
	// MentionAllMax is the chat size under which anyone may mention everyone, unless the
	// organisation sets its own.
	MentionAllMax int
	// TypingInterval is the least time between two typing events of a member in a chat.
	TypingInterval time.Duration
}

// RuleHit is a content rule a text matched.
type RuleHit struct {
	RuleID uuid.UUID
	Phrase string
}

// Verdict is what the content rules say of a text: blocked (naming the phrase), or flagged
// by some rules, or neither.
type Verdict struct {
	Blocked bool
	Phrase  string
	Flags   []RuleHit
}

// ContentFilter applies the organisation's content rules (app/moderation, adapted in
// cmd/canopy).
type ContentFilter interface {
	// Check returns what the rules say of text.
	Check(ctx context.Context, orgID uuid.UUID, text string) (Verdict, error)
	// Flag records the rules a stored message (kind "message") or file name matched, in the
	// transaction in ctx.
	Flag(ctx context.Context, orgID uuid.UUID, hits []RuleHit, chatID, messageID, senderID uuid.UUID, kind, excerpt string) error
}

// Service holds the messaging use cases.
type Service struct {
	cfg       Config
	tx        TxManager
	clock     Clock
	chats     ChatRepository
	members   MemberRepository
	reads     ReadRepository
	messages  MessageRepository
	settings  SettingsRepository
	directory Directory
	files     Files
	markdown  Markdown
	search    TextSearch
	filter    ContentFilter
	events    appevents.Publisher
	authz     authz.Authorizer
	audit     authz.Auditor

	typingMu sync.Mutex
	typing   map[[2]uuid.UUID]time.Time
}

// Deps are the adapters the service needs.
type Deps struct {
	Config     Config
	Tx         TxManager
	Clock      Clock
	Chats      ChatRepository
	Members    MemberRepository
	Reads      ReadRepository
	Messages   MessageRepository
	Settings   SettingsRepository
	Directory  Directory
	Files      Files
	Markdown   Markdown
	Search     TextSearch
	Filter     ContentFilter       // nil: no content rules
	Events     appevents.Publisher // nil: nothing is published
	Authorizer authz.Authorizer
	Audit      authz.Auditor
}

// NewService builds the service.
func NewService(d Deps) *Service {
	cfg := d.Config
	if cfg.RecallWindow <= 0 {
		cfg.RecallWindow = 2 * time.Minute
	}
	if cfg.MentionAllMax <= 0 {
		cfg.MentionAllMax = 50
	}
	if cfg.TypingInterval <= 0 {
		cfg.TypingInterval = 3 * time.Second
	}
	return &Service{cfg: cfg, tx: d.Tx, clock: d.Clock, chats: d.Chats, members: d.Members, reads: d.Reads, messages: d.Messages,
		settings: d.Settings, directory: d.Directory, files: d.Files, markdown: d.Markdown, search: d.Search, filter: d.Filter,
		events: d.Events, authz: d.Authorizer, audit: d.Audit, typing: map[[2]uuid.UUID]time.Time{}}
}

// SetContentFilter sets the content rules, which are built after the service.
func (s *Service) SetContentFilter(f ContentFilter) { s.filter = f }

// SetClock replaces the service's clock; tests move time with it (a recall after the window).
func (s *Service) SetClock(c Clock) { s.clock = c }

// now is the service's clock in UTC.
func (s *Service) now() time.Time { return s.clock.Now().UTC() }

// recorded runs fn in a transaction and appends the audit entry it returns in the same one.
func (s *Service) recorded(ctx context.Context, fn func(ctx context.Context) (access.AuditEntry, error)) error {
	return s.tx.Within(ctx, func(ctx context.Context) error {
		e, err := fn(ctx)
		if err != nil {
			return err
		}
		if e.Action == "" {
			return nil
		}
		return s.audit.Append(ctx, e)
	})
}

// html renders Markdown for display, sanitised.
func (s *Service) html(src string) string {
	if s.markdown == nil || src == "" {
		return ""
	}
	return s.markdown.HTML(src)
}
