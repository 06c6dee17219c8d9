// Package moderation holds the PostgreSQL rows and repositories of content rules, their
// per-organisation version and the flags they raise.
package moderation

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"canopy/domain/errs"
	"canopy/domain/moderation"
	"canopy/infra/postgres"
)

type ruleRow struct {
	ID         uuid.UUID `gorm:"primaryKey"`
	OrgID      uuid.UUID
	Phrase     string
	Normalized string
	Action     string
	CreatedBy  *uuid.UUID
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (ruleRow) TableName() string { return "content_rules" }

func (r ruleRow) domain() *moderation.Rule {
	var by uuid.UUID
	if r.CreatedBy != nil {
		by = *r.CreatedBy
	}
	return moderation.RehydrateRule(r.ID, r.OrgID, r.Phrase, r.Normalized, moderation.Action(r.Action), by, r.CreatedAt.UTC(), r.UpdatedAt.UTC())
}

// Rules stores content rules.
type Rules struct{ db *gorm.DB }

// NewRules returns the rule repository.
func NewRules(db *gorm.DB) *Rules { return &Rules{db} }

// exists turns a unique violation into the rule's own Conflict.
func exists(err error) error {
	err = postgres.Translate(err)
	if errs.Is(err, errs.Conflict) {
		return errs.Wrap(errs.Conflict, "rule_exists", "phrase: the organisation already has a rule for this phrase", err)
	}
	return err
}

// Create implements moderation.RuleRepository.
func (r *Rules) Create(ctx context.Context, m *moderation.Rule) error {
	row := ruleRow{ID: m.ID(), OrgID: m.OrgID(), Phrase: m.Phrase(), Normalized: m.Normalized(), Action: string(m.Action()),
		CreatedBy: postgres.NullableID(m.CreatedBy()), CreatedAt: m.CreatedAt(), UpdatedAt: m.UpdatedAt()}
	return exists(postgres.Conn(ctx, r.db).Create(&row).Error)
}

// Get implements moderation.RuleRepository.
func (r *Rules) Get(ctx context.Context, orgID, id uuid.UUID) (*moderation.Rule, error) {
	var row ruleRow
	err := postgres.Conn(ctx, r.db).Where("org_id = ? AND id = ?", orgID, id).Take(&row).Error
	if err != nil {
		if errs.Is(postgres.Translate(err), errs.NotFound) {
			return nil, errs.NotFoundf("content rule")
		}
		return nil, postgres.Translate(err)
	}
	return row.domain(), nil
}

// Update implements moderation.RuleRepository.
func (r *Rules) Update(ctx context.Context, m *moderation.Rule) error {
	res := postgres.Conn(ctx, r.db).Model(&ruleRow{}).Where("org_id = ? AND id = ?", m.OrgID(), m.ID()).
		Updates(map[string]any{"phrase": m.Phrase(), "normalized": m.Normalized(), "action": string(m.Action()), "updated_at": m.UpdatedAt()})
	if res.Error != nil {
		return exists(res.Error)
	}
	return postgres.NotFoundIfNone(res, "content rule")
}

// Delete implements moderation.RuleRepository.
func (r *Rules) Delete(ctx context.Context, orgID, id uuid.UUID) error {
	res := postgres.Conn(ctx, r.db).Where("org_id = ? AND id = ?", orgID, id).Delete(&ruleRow{})
	return postgres.NotFoundIfNone(res, "content rule")
}

// List implements moderation.RuleRepository.
func (r *Rules) List(ctx context.Context, orgID uuid.UUID) ([]*moderation.Rule, error) {
	var rows []ruleRow
	if err := postgres.Conn(ctx, r.db).Where("org_id = ?", orgID).Order("created_at, id").Limit(moderation.MaxRules + 1).Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*moderation.Rule, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// Count implements moderation.RuleRepository.
func (r *Rules) Count(ctx context.Context, orgID uuid.UUID) (int, error) {
	var n int64
	err := postgres.Conn(ctx, r.db).Model(&ruleRow{}).Where("org_id = ?", orgID).Count(&n).Error
	return int(n), postgres.Translate(err)
}

// Bump implements moderation.RuleRepository: the upsert takes the version row's lock until the
// transaction ends.
func (r *Rules) Bump(ctx context.Context, orgID uuid.UUID) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Exec(`INSERT INTO content_rule_versions (org_id, version) VALUES (?, 1)
		ON CONFLICT (org_id) DO UPDATE SET version = content_rule_versions.version + 1`, orgID).Error)
}

// Version implements moderation.RuleRepository.
func (r *Rules) Version(ctx context.Context, orgID uuid.UUID) (int64, error) {
	var v []int64
	err := postgres.Conn(ctx, r.db).Raw(`SELECT version FROM content_rule_versions WHERE org_id = ?`, orgID).Scan(&v).Error
	if err != nil {
		return 0, postgres.Translate(err)
	}
	if len(v) == 0 {
		return 0, nil
	}
	return v[0], nil
}

type flagRow struct {
	ID         uuid.UUID `gorm:"primaryKey"`
	OrgID      uuid.UUID
	RuleID     *uuid.UUID
	Phrase     string
	ChatID     *uuid.UUID
	MessageID  *uuid.UUID
	SenderID   uuid.UUID
	Kind       string
	Excerpt    string
	CreatedAt  time.Time
	ReviewedAt *time.Time
	ReviewedBy *uuid.UUID
	Decision   *string
}

func (flagRow) TableName() string { return "content_flags" }

// flagView is a flag with its sender's name, as listings read it. The row is a named field:
// gorm cannot fill the fields of an unexported embedded struct.
type flagView struct {
	Flag       flagRow `gorm:"embedded"`
	SenderName string
}

func orNil(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

func (v flagView) domain() moderation.FlagRecord {
	r := v.Flag
	var d moderation.Decision
	if r.Decision != nil {
		d = moderation.Decision(*r.Decision)
	}
	var at *time.Time
	if r.ReviewedAt != nil {
		t := r.ReviewedAt.UTC()
		at = &t
	}
	return moderation.FlagRecord{ID: r.ID, OrgID: r.OrgID, RuleID: orNil(r.RuleID), Phrase: r.Phrase, ChatID: orNil(r.ChatID),
		MessageID: orNil(r.MessageID), SenderID: r.SenderID, SenderName: v.SenderName, Kind: moderation.Kind(r.Kind), Excerpt: r.Excerpt,
		CreatedAt: r.CreatedAt.UTC(), ReviewedAt: at, ReviewedBy: orNil(r.ReviewedBy), Decision: d}
}

// Flags stores content flags.
type Flags struct{ db *gorm.DB }

// NewFlags returns the flag repository.
func NewFlags(db *gorm.DB) *Flags { return &Flags{db} }

// Add implements moderation.FlagRepository.
func (r *Flags) Add(ctx context.Context, fs []moderation.FlagRecord) error {
	if len(fs) == 0 {
		return nil
	}
	rows := make([]flagRow, len(fs))
	for i, f := range fs {
		rows[i] = flagRow{ID: f.ID, OrgID: f.OrgID, RuleID: postgres.NullableID(f.RuleID), Phrase: f.Phrase, ChatID: postgres.NullableID(f.ChatID),
			MessageID: postgres.NullableID(f.MessageID), SenderID: f.SenderID, Kind: string(f.Kind), Excerpt: f.Excerpt, CreatedAt: f.CreatedAt}
	}
	return postgres.Translate(postgres.Conn(ctx, r.db).Create(&rows).Error)
}

const flagSelect = `SELECT f.*, COALESCE(u.display_name, '') AS sender_name FROM content_flags f LEFT JOIN users u ON u.id = f.sender_id`

// Get implements moderation.FlagRepository.
func (r *Flags) Get(ctx context.Context, orgID, id uuid.UUID) (moderation.FlagRecord, error) {
	var rows []flagView
	if err := postgres.Conn(ctx, r.db).Raw(flagSelect+` WHERE f.org_id = ? AND f.id = ?`, orgID, id).Scan(&rows).Error; err != nil {
		return moderation.FlagRecord{}, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return moderation.FlagRecord{}, errs.NotFoundf("content flag")
	}
	return rows[0].domain(), nil
}

// Review implements moderation.FlagRepository.
func (r *Flags) Review(ctx context.Context, f moderation.FlagRecord) error {
	res := postgres.Conn(ctx, r.db).Model(&flagRow{}).Where("org_id = ? AND id = ?", f.OrgID, f.ID).
		Updates(map[string]any{"reviewed_at": f.ReviewedAt, "reviewed_by": postgres.NullableID(f.ReviewedBy), "decision": string(f.Decision)})
	return postgres.NotFoundIfNone(res, "content flag")
}

// Query implements moderation.FlagRepository.
func (r *Flags) Query(ctx context.Context, q moderation.FlagQuery) ([]moderation.FlagRecord, int, error) {
	where, args := `f.org_id = ?`, []any{q.OrgID}
	if q.Reviewed != nil {
		if *q.Reviewed {
			where += ` AND f.reviewed_at IS NOT NULL`
		} else {
			where += ` AND f.reviewed_at IS NULL`
		}
	}
	conn := postgres.Conn(ctx, r.db)
	var total int64
	if err := conn.Raw(`SELECT count(*) FROM content_flags f WHERE `+where, args...).Scan(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	var rows []flagView
	err := conn.Raw(flagSelect+` WHERE `+where+` ORDER BY f.created_at DESC, f.id LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...).Scan(&rows).Error
	if err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]moderation.FlagRecord, len(rows))
	for i, v := range rows {
		out[i] = v.domain()
	}
	return out, int(total), nil
}
