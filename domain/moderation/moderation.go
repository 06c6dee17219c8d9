// Package moderation holds an organisation's content rules (keywords and phrases that block or
// flag a message or a file name) and the flags they raise for admins to review, with the one
// rule of how text is compared: Normalize.
package moderation

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/text"
)

// Limits of rules.
const (
	// MaxPhraseRunes bounds a rule's phrase.
	MaxPhraseRunes = 200
	// MaxRules bounds an organisation's rules, so that checking a message stays cheap.
	MaxRules = 1000
	// MaxExcerptRunes bounds the excerpt a flag keeps of what raised it.
	MaxExcerptRunes = 280
)

// Action is what a rule does to a message that contains its phrase.
type Action string

// The actions of a rule: block refuses the message (nothing is stored); flag lets it through
// and records a flag for admins to review.
const (
	Block Action = "block"
	Flag  Action = "flag"
)

// ParseAction accepts block or flag; Invalid (invalid_action) otherwise.
func ParseAction(s string) (Action, error) {
	switch Action(s) {
	case Block, Flag:
		return Action(s), nil
	}
	return "", errs.E(errs.Invalid, "invalid_action", `action: must be "block" or "flag"`)
}

// Normalize returns the form text is compared in (text.MatchKey): NFKC, case folded,
// invisible format characters removed and white space collapsed, so that "ＳＥＣＲＥＴ plan"
// holds "secret" and 这是机\u200b密文件 holds 机密.
func Normalize(s string) string { return text.MatchKey(s) }

// Rule is a phrase an organisation blocks or flags.
type Rule struct {
	id         uuid.UUID
	orgID      uuid.UUID
	phrase     string
	normalized string
	action     Action
	createdBy  uuid.UUID
	createdAt  time.Time
	updatedAt  time.Time
}

// checkPhrase validates a phrase and returns it trimmed, with its normalized form.
func checkPhrase(phrase string) (string, string, error) {
	p, err := text.Name("phrase", phrase)
	if err != nil {
		return "", "", err
	}
	if p == "" {
		return "", "", errs.E(errs.Invalid, "invalid_phrase", "phrase: must not be empty")
	}
	if utf8.RuneCountInString(p) > MaxPhraseRunes {
		return "", "", errs.E(errs.Invalid, "invalid_phrase", "phrase: must be at most 200 characters")
	}
	n := Normalize(p)
	if n == "" {
		return "", "", errs.E(errs.Invalid, "invalid_phrase", "phrase: must contain a visible character")
	}
	return p, n, nil
}

// NewRule builds a rule. Invalid (invalid_phrase, invalid_action, or a text error naming
// phrase) for an empty phrase, one over 200 characters, or an unknown action.
func NewRule(orgID, createdBy uuid.UUID, phrase, action string, now time.Time) (*Rule, error) {
	p, n, err := checkPhrase(phrase)
	if err != nil {
		return nil, err
	}
	a, err := ParseAction(action)
	if err != nil {
		return nil, err
	}
	now = now.UTC()
	return &Rule{id: uuid.New(), orgID: orgID, phrase: p, normalized: n, action: a, createdBy: createdBy, createdAt: now, updatedAt: now}, nil
}

// RehydrateRule rebuilds a stored rule; for adapters only.
func RehydrateRule(id, orgID uuid.UUID, phrase, normalized string, action Action, createdBy uuid.UUID, createdAt, updatedAt time.Time) *Rule {
	return &Rule{id: id, orgID: orgID, phrase: phrase, normalized: normalized, action: action, createdBy: createdBy, createdAt: createdAt, updatedAt: updatedAt}
}

// RuleChange is a change of a rule; nil fields stay as they are.
type RuleChange struct {
	Phrase *string
	Action *string
}

// Update applies a change, with NewRule's validation.
func (r *Rule) Update(c RuleChange, now time.Time) error {
	phrase, normalized, action := r.phrase, r.normalized, r.action
	if c.Phrase != nil {
		var err error
		if phrase, normalized, err = checkPhrase(*c.Phrase); err != nil {
			return err
		}
	}
	if c.Action != nil {
		var err error
		if action, err = ParseAction(*c.Action); err != nil {
			return err
		}
	}
	r.phrase, r.normalized, r.action, r.updatedAt = phrase, normalized, action, now.UTC()
	return nil
}

// ID returns the rule's id.
func (r *Rule) ID() uuid.UUID { return r.id }

// OrgID returns the rule's organisation.
func (r *Rule) OrgID() uuid.UUID { return r.orgID }

// Phrase returns the phrase as the admin wrote it (trimmed).
func (r *Rule) Phrase() string { return r.phrase }

// Normalized returns the phrase as it is matched (Normalize).
func (r *Rule) Normalized() string { return r.normalized }

// Action returns what the rule does.
func (r *Rule) Action() Action { return r.action }

// CreatedBy returns who made the rule.
func (r *Rule) CreatedBy() uuid.UUID { return r.createdBy }

// CreatedAt returns when the rule was made.
func (r *Rule) CreatedAt() time.Time { return r.createdAt }

// UpdatedAt returns when the rule last changed.
func (r *Rule) UpdatedAt() time.Time { return r.updatedAt }

// State is the rule as an audit entry records it.
func (r *Rule) State() map[string]any {
	return map[string]any{"phrase": r.phrase, "action": string(r.action)}
}

// Kind is what a flag was raised on.
type Kind string

// The kinds of flagged content.
const (
	KindMessage  Kind = "message"
	KindFileName Kind = "file_name"
)

// Decision is an admin's verdict on a flag.
type Decision string

// The decisions of a review: dismissed (nothing wrong) or upheld (the content broke the rule).
const (
	Dismissed Decision = "dismissed"
	Upheld    Decision = "upheld"
)

// ParseDecision accepts dismissed or upheld; Invalid (invalid_decision) otherwise.
func ParseDecision(s string) (Decision, error) {
	switch Decision(s) {
	case Dismissed, Upheld:
		return Decision(s), nil
	}
	return "", errs.E(errs.Invalid, "invalid_decision", `decision: must be "dismissed" or "upheld"`)
}

// FlagRecord is a message or a file name that matched a flag rule. RuleID is uuid.Nil once
// the rule was deleted; Phrase keeps what it matched.
type FlagRecord struct {
	ID         uuid.UUID
	OrgID      uuid.UUID
	RuleID     uuid.UUID
	Phrase     string
	ChatID     uuid.UUID
	MessageID  uuid.UUID
	SenderID   uuid.UUID
	SenderName string // filled by listings
	Kind       Kind
	Excerpt    string
	CreatedAt  time.Time
	ReviewedAt *time.Time
	ReviewedBy uuid.UUID
	Decision   Decision
}

// Excerpt cuts s to MaxExcerptRunes runes, marking the cut with an ellipsis.
func Excerpt(s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= MaxExcerptRunes {
		return s
	}
	return string([]rune(s)[:MaxExcerptRunes-1]) + "…"
}

// Blocked is the error a sender gets for content that a block rule refuses: Unprocessable,
// code content_blocked, naming the phrase in words a sender understands.
func Blocked(phrase string) *errs.Error {
	return errs.E(errs.Unprocessable, "content_blocked",
		"This message contains “"+phrase+"”, which your organisation does not allow.")
}

// RuleRepository stores rules. Get, Update and Delete return NotFound for an id the
// organisation does not have.
type RuleRepository interface {
	// Create stores a rule; Conflict (rule_exists) when the organisation has a rule of the
	// same normalized phrase.
	Create(ctx context.Context, r *Rule) error
	Get(ctx context.Context, orgID, id uuid.UUID) (*Rule, error)
	// Update writes phrase and action; Conflict (rule_exists) as Create.
	Update(ctx context.Context, r *Rule) error
	Delete(ctx context.Context, orgID, id uuid.UUID) error
	// List returns the organisation's rules, oldest first.
	List(ctx context.Context, orgID uuid.UUID) ([]*Rule, error)
	// Count returns how many rules the organisation has.
	Count(ctx context.Context, orgID uuid.UUID) (int, error)
	// Bump increments the organisation's rules version, in the transaction of a change.
	Bump(ctx context.Context, orgID uuid.UUID) error
	// Version returns the organisation's rules version (0 before any change).
	Version(ctx context.Context, orgID uuid.UUID) (int64, error)
}

// FlagQuery asks for a page of flags.
type FlagQuery struct {
	OrgID    uuid.UUID
	Reviewed *bool // nil: all
	Limit    int
	Offset   int
}

// FlagRepository stores flags.
type FlagRepository interface {
	// Add stores flags in the transaction in ctx.
	Add(ctx context.Context, fs []FlagRecord) error
	// Get returns a flag; NotFound for an id the organisation does not have.
	Get(ctx context.Context, orgID, id uuid.UUID) (FlagRecord, error)
	// Review records a decision on a flag.
	Review(ctx context.Context, f FlagRecord) error
	// Query returns a page of flags, newest first, with their senders' names, and the total.
	Query(ctx context.Context, q FlagQuery) ([]FlagRecord, int, error)
}
