// Package moderation holds the use cases of content rules: an organisation's admins keep
// phrases that block or flag messages and file names, and review what was flagged; the
// messaging module asks Check of every message it is about to store and records the flags in
// its own transaction with Flag.
//
// Checking is on the path of every message, so it costs no query in the common case: each
// replica keeps every organisation's rules compiled into one automaton (domain/moderation.
// Matcher), with the version of the rules it was built from. A change of the rules increments
// the organisation's version in its transaction and drops the replica's own copy when it
// commits; other replicas compare their copy's version with the stored one (one primary-key
// read) once it is older than CacheTTL, and rebuild it only when the version moved. So a change
// takes effect at once on the replica that made it and within CacheTTL (3 seconds by default)
// everywhere else. A version beats a bare TTL because an unchanged rule set, the usual case, is
// never read again in full; it beats LISTEN/NOTIFY because nothing is lost when a replica's
// listening connection drops.
package moderation

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/moderation"
)

// TxManager runs fn in one database transaction carried by the context it is given.
type TxManager interface {
	Within(ctx context.Context, fn func(ctx context.Context) error) error
}

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// Config tunes the service.
type Config struct {
	// CacheTTL is how long a replica trusts its compiled rules of an organisation before it
	// compares their version with the stored one.
	CacheTTL time.Duration
	// MaxCachedOrgs bounds how many organisations' rules a replica keeps compiled.
	MaxCachedOrgs int
}

// DefaultConfig is the configuration of a development install.
var DefaultConfig = Config{CacheTTL: 3 * time.Second, MaxCachedOrgs: 10000}

// Deps are the adapters the service needs.
type Deps struct {
	Tx         TxManager
	Clock      Clock
	Authorizer authz.Authorizer
	Audit      authz.Auditor
	Rules      moderation.RuleRepository
	Flags      moderation.FlagRepository
}

// Service holds the content rules use cases and the checker.
type Service struct {
	d     Deps
	cfg   Config
	mu    sync.Mutex
	cache map[uuid.UUID]compiled
}

// compiled is an organisation's matcher, the version of the rules it was built from and when
// that version was last confirmed.
type compiled struct {
	version int64
	checked time.Time
	matcher *moderation.Matcher
}

// NewService builds the service.
func NewService(cfg Config, d Deps) *Service {
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = DefaultConfig.CacheTTL
	}
	if cfg.MaxCachedOrgs <= 0 {
		cfg.MaxCachedOrgs = DefaultConfig.MaxCachedOrgs
	}
	return &Service{d: d, cfg: cfg, cache: map[uuid.UUID]compiled{}}
}

// Check returns what the organisation's rules say of text (a message's body or a file's name):
// Blocked with the phrase of a block rule it contains, and the flag rules it contains. It
// checks no permission: the caller is the messaging service, on behalf of a sender.
func (s *Service) Check(ctx context.Context, orgID uuid.UUID, text string) (moderation.Verdict, error) {
	m, err := s.matcher(ctx, orgID)
	if err != nil {
		return moderation.Verdict{}, err
	}
	return m.Check(text), nil
}

// matcher returns the organisation's compiled rules, from the cache when it is fresh or its
// version has not moved.
func (s *Service) matcher(ctx context.Context, orgID uuid.UUID) (*moderation.Matcher, error) {
	now := s.d.Clock.Now()
	s.mu.Lock()
	c, ok := s.cache[orgID]
	s.mu.Unlock()
	if ok && now.Sub(c.checked) < s.cfg.CacheTTL && !now.Before(c.checked) {
		return c.matcher, nil
	}
	// The version is read before the rules, so the rules are at least as new as the version
	// kept with them: a change in between only makes the next look rebuild once more.
	v, err := s.d.Rules.Version(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if !ok || c.version != v {
		rules, err := s.d.Rules.List(ctx, orgID)
		if err != nil {
			return nil, err
		}
		c = compiled{version: v, matcher: moderation.Compile(rules)}
	}
	c.checked = now
	s.mu.Lock()
	if _, had := s.cache[orgID]; !had && len(s.cache) >= s.cfg.MaxCachedOrgs {
		for k := range s.cache { // drop any one: it is rebuilt on its next message
			delete(s.cache, k)
			break
		}
	}
	s.cache[orgID] = c
	s.mu.Unlock()
	return c.matcher, nil
}

// invalidate drops the replica's compiled rules of an organisation after a change committed.
func (s *Service) invalidate(orgID uuid.UUID) {
	s.mu.Lock()
	delete(s.cache, orgID)
	s.mu.Unlock()
}

// FlagInput is what was flagged: the chat and message (uuid.Nil when there is none yet, as for
// a file name checked before its message), who sent it, and an excerpt of it.
type FlagInput struct {
	ChatID    uuid.UUID
	MessageID uuid.UUID
	SenderID  uuid.UUID
	Kind      moderation.Kind
	Excerpt   string
}

// Flag records a flag for each hit, in the caller's transaction (the one that stores the
// message), so that a message that is not stored raises none.
func (s *Service) Flag(ctx context.Context, orgID uuid.UUID, hits []moderation.Hit, in FlagInput) error {
	if len(hits) == 0 {
		return nil
	}
	if in.Kind != moderation.KindMessage && in.Kind != moderation.KindFileName {
		return errs.Internalf("moderation: unknown flag kind %q", in.Kind)
	}
	now := s.d.Clock.Now().UTC()
	excerpt := moderation.Excerpt(in.Excerpt)
	fs := make([]moderation.FlagRecord, len(hits))
	for i, h := range hits {
		fs[i] = moderation.FlagRecord{ID: uuid.New(), OrgID: orgID, RuleID: h.RuleID, Phrase: h.Phrase, ChatID: in.ChatID,
			MessageID: in.MessageID, SenderID: in.SenderID, Kind: in.Kind, Excerpt: excerpt, CreatedAt: now}
	}
	return s.d.Flags.Add(ctx, fs)
}

// RuleInput is a new rule: its phrase and action (block or flag).
type RuleInput struct {
	Phrase string
	Action string
}

func (s *Service) require(ctx context.Context, a authz.Actor) error {
	return authz.Require(ctx, s.d.Authorizer, a, access.ContentRulesManage, "")
}

// Rules returns the organisation's rules, oldest first. Forbidden without content_rules.manage.
func (s *Service) Rules(ctx context.Context, a authz.Actor) ([]*moderation.Rule, error) {
	if err := s.require(ctx, a); err != nil {
		return nil, err
	}
	return s.d.Rules.List(ctx, a.OrgID)
}

// CreateRule adds a rule, audited. Invalid for a bad phrase or action, Conflict (rule_exists)
// for a phrase the organisation already has (as normalized), Unprocessable (too_many_rules)
// beyond MaxRules.
func (s *Service) CreateRule(ctx context.Context, a authz.Actor, in RuleInput) (*moderation.Rule, error) {
	if err := s.require(ctx, a); err != nil {
		return nil, err
	}
	r, err := moderation.NewRule(a.OrgID, a.UserID, in.Phrase, in.Action, s.d.Clock.Now())
	if err != nil {
		return nil, err
	}
	err = s.d.Tx.Within(ctx, func(ctx context.Context) error {
		// The version row is taken first: it serialises the organisation's rule changes, so
		// the count below cannot be overtaken by a concurrent creation.
		if err := s.d.Rules.Bump(ctx, a.OrgID); err != nil {
			return err
		}
		n, err := s.d.Rules.Count(ctx, a.OrgID)
		if err != nil {
			return err
		}
		if n >= moderation.MaxRules {
			return errs.E(errs.Unprocessable, "too_many_rules", "an organisation can have at most 1000 content rules")
		}
		if err := s.d.Rules.Create(ctx, r); err != nil {
			return err
		}
		return s.d.Audit.Append(ctx, a.Entry("content_rule.create", "content_rule", r.ID().String(), nil, r.State()))
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(a.OrgID)
	return r, nil
}

// UpdateRule changes a rule's phrase or action, audited. NotFound for another organisation's
// rule; otherwise as CreateRule.
func (s *Service) UpdateRule(ctx context.Context, a authz.Actor, id uuid.UUID, c moderation.RuleChange) (*moderation.Rule, error) {
	if err := s.require(ctx, a); err != nil {
		return nil, err
	}
	var r *moderation.Rule
	err := s.d.Tx.Within(ctx, func(ctx context.Context) error {
		var err error
		if r, err = s.d.Rules.Get(ctx, a.OrgID, id); err != nil {
			return err
		}
		before := r.State()
		if err := r.Update(c, s.d.Clock.Now()); err != nil {
			return err
		}
		if err := s.d.Rules.Bump(ctx, a.OrgID); err != nil {
			return err
		}
		if err := s.d.Rules.Update(ctx, r); err != nil {
			return err
		}
		return s.d.Audit.Append(ctx, a.Entry("content_rule.update", "content_rule", id.String(), before, r.State()))
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(a.OrgID)
	return r, nil
}

// DeleteRule removes a rule, audited; its flags stay, naming its phrase. NotFound for another
// organisation's rule.
func (s *Service) DeleteRule(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	if err := s.require(ctx, a); err != nil {
		return err
	}
	err := s.d.Tx.Within(ctx, func(ctx context.Context) error {
		r, err := s.d.Rules.Get(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		if err := s.d.Rules.Bump(ctx, a.OrgID); err != nil {
			return err
		}
		if err := s.d.Rules.Delete(ctx, a.OrgID, id); err != nil {
			return err
		}
		return s.d.Audit.Append(ctx, a.Entry("content_rule.delete", "content_rule", id.String(), r.State(), nil))
	})
	if err != nil {
		return err
	}
	s.invalidate(a.OrgID)
	return nil
}

// Flags returns a page of the organisation's flags, newest first (reviewed nil: all; true: the
// reviewed ones; false: those awaiting review), and their total.
func (s *Service) Flags(ctx context.Context, a authz.Actor, reviewed *bool, limit, offset int) ([]moderation.FlagRecord, int, error) {
	if err := s.require(ctx, a); err != nil {
		return nil, 0, err
	}
	return s.d.Flags.Query(ctx, moderation.FlagQuery{OrgID: a.OrgID, Reviewed: reviewed, Limit: limit, Offset: offset})
}

// Review records an admin's decision on a flag (dismissed or upheld), audited; a flag may be
// reviewed again, which replaces the decision. NotFound for another organisation's flag,
// Invalid (invalid_decision) for another decision.
func (s *Service) Review(ctx context.Context, a authz.Actor, id uuid.UUID, decision string) (moderation.FlagRecord, error) {
	if err := s.require(ctx, a); err != nil {
		return moderation.FlagRecord{}, err
	}
	d, err := moderation.ParseDecision(decision)
	if err != nil {
		return moderation.FlagRecord{}, err
	}
	var f moderation.FlagRecord
	err = s.d.Tx.Within(ctx, func(ctx context.Context) error {
		var err error
		if f, err = s.d.Flags.Get(ctx, a.OrgID, id); err != nil {
			return err
		}
		before := map[string]any{"decision": nilIfEmpty(string(f.Decision))}
		now := s.d.Clock.Now().UTC()
		f.ReviewedAt, f.ReviewedBy, f.Decision = &now, a.UserID, d
		if err := s.d.Flags.Review(ctx, f); err != nil {
			return err
		}
		return s.d.Audit.Append(ctx, a.Entry("content_flag.review", "content_flag", id.String(), before,
			map[string]any{"decision": string(d), "phrase": f.Phrase}))
	})
	return f, err
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
