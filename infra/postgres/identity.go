package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"canopy/domain/identity"
)

type userRow struct {
	ID           uuid.UUID `gorm:"primaryKey"`
	Email        string
	DisplayName  string
	NamePinyin   string
	NameInitials string
	Locale       string
	TimeZone     string
	Status       string
	PasswordHash string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

func (r *Users) toRow(u *identity.User) userRow {
	full, initials := r.keys(u.DisplayName())
	return userRow{u.ID(), u.Email(), u.DisplayName(), full, initials, string(u.Locale()), u.TimeZone(), string(u.Status()), u.PasswordHash(), u.CreatedAt(), u.UpdatedAt()}
}

func (r userRow) domain() *identity.User {
	return identity.RehydrateUser(r.ID, r.Email, r.DisplayName, identity.Locale(r.Locale), r.TimeZone, identity.UserStatus(r.Status), r.PasswordHash, r.CreatedAt, r.UpdatedAt)
}

// SearchKeys returns the search keys of a name: its full pinyin and its initials.
type SearchKeys func(name string) (full, initials string)

// Users stores users, keeping the search keys of their names.
type Users struct {
	db   *gorm.DB
	keys SearchKeys
}

// NewUsers returns the user repository.
func NewUsers(db *gorm.DB, keys SearchKeys) *Users { return &Users{db, keys} }

// Create implements identity.UserRepository.
func (r *Users) Create(ctx context.Context, u *identity.User) error {
	row := r.toRow(u)
	return translate(conn(ctx, r.db).Create(&row).Error)
}

// Get implements identity.UserRepository.
func (r *Users) Get(ctx context.Context, id uuid.UUID) (*identity.User, error) {
	var row userRow
	if err := conn(ctx, r.db).Take(&row, "id = ?", id).Error; err != nil {
		return nil, translate(err)
	}
	return row.domain(), nil
}

// GetByEmail implements identity.UserRepository.
func (r *Users) GetByEmail(ctx context.Context, email string) (*identity.User, error) {
	var row userRow
	if err := conn(ctx, r.db).Take(&row, "lower(email) = lower(?)", email).Error; err != nil {
		return nil, translate(err)
	}
	return row.domain(), nil
}

// Update implements identity.UserRepository.
func (r *Users) Update(ctx context.Context, u *identity.User) error {
	row := r.toRow(u)
	return notFoundIfNone(conn(ctx, r.db).Model(&userRow{}).Where("id = ?", row.ID).Updates(map[string]any{
		"email": row.Email, "display_name": row.DisplayName, "name_pinyin": row.NamePinyin, "name_initials": row.NameInitials, "locale": row.Locale, "time_zone": row.TimeZone,
		"status": row.Status, "password_hash": row.PasswordHash, "updated_at": row.UpdatedAt,
	}), "user")
}

type sessionRow struct {
	ID         uuid.UUID `gorm:"primaryKey"`
	UserID     uuid.UUID
	TokenHash  []byte
	CSRFHash   []byte `gorm:"column:csrf_hash"`
	IP         string `gorm:"column:ip"`
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

func (sessionRow) TableName() string { return "sessions" }

// Sessions stores sessions.
type Sessions struct{ db *gorm.DB }

// NewSessions returns the session repository.
func NewSessions(db *gorm.DB) *Sessions { return &Sessions{db} }

// Create implements identity.SessionRepository.
func (r *Sessions) Create(ctx context.Context, s *identity.Session) error {
	row := sessionRow{s.ID, s.UserID, s.TokenHash, s.CSRFHash, s.IP, s.UserAgent, s.CreatedAt, s.LastSeenAt, s.ExpiresAt}
	return translate(conn(ctx, r.db).Create(&row).Error)
}

// GetByTokenHash implements identity.SessionRepository.
func (r *Sessions) GetByTokenHash(ctx context.Context, hash []byte) (*identity.Session, error) {
	var row sessionRow
	if err := conn(ctx, r.db).Take(&row, "token_hash = ?", hash).Error; err != nil {
		return nil, translate(err)
	}
	return &identity.Session{ID: row.ID, UserID: row.UserID, TokenHash: row.TokenHash, CSRFHash: row.CSRFHash,
		CreatedAt: row.CreatedAt, LastSeenAt: row.LastSeenAt, ExpiresAt: row.ExpiresAt, IP: row.IP, UserAgent: row.UserAgent}, nil
}

// Touch implements identity.SessionRepository.
func (r *Sessions) Touch(ctx context.Context, id uuid.UUID, at time.Time) error {
	return translate(conn(ctx, r.db).Model(&sessionRow{}).Where("id = ?", id).Update("last_seen_at", at.UTC()).Error)
}

// Delete implements identity.SessionRepository.
func (r *Sessions) Delete(ctx context.Context, id uuid.UUID) error {
	return translate(conn(ctx, r.db).Delete(&sessionRow{}, "id = ?", id).Error)
}

// DeleteByUser implements identity.SessionRepository.
func (r *Sessions) DeleteByUser(ctx context.Context, userID, keep uuid.UUID) error {
	return translate(conn(ctx, r.db).Delete(&sessionRow{}, "user_id = ? AND id <> ?", userID, keep).Error)
}

// DeleteExpired removes sessions past their absolute expiry; the server runs it periodically.
func (r *Sessions) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	res := conn(ctx, r.db).Delete(&sessionRow{}, "expires_at < ?", now.UTC())
	return res.RowsAffected, translate(res.Error)
}

type tokenRow struct {
	ID         uuid.UUID `gorm:"primaryKey"`
	OrgID      uuid.UUID
	UserID     uuid.UUID
	Name       string
	Scopes     pq.StringArray `gorm:"type:text[]"`
	TokenHash  []byte
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	CreatedAt  time.Time
}

func (tokenRow) TableName() string { return "api_tokens" }

func (r tokenRow) domain() *identity.APIToken {
	return identity.RehydrateAPIToken(r.ID, r.OrgID, r.UserID, r.Name, r.Scopes, r.TokenHash, r.ExpiresAt, r.LastUsedAt, r.RevokedAt, r.CreatedAt)
}

// Tokens stores API tokens.
type Tokens struct{ db *gorm.DB }

// NewTokens returns the API token repository.
func NewTokens(db *gorm.DB) *Tokens { return &Tokens{db} }

// Create implements identity.TokenRepository.
func (r *Tokens) Create(ctx context.Context, t *identity.APIToken) error {
	row := tokenRow{t.ID(), t.OrgID(), t.UserID(), t.Name(), t.Scopes(), t.Hash(), t.ExpiresAt(), t.LastUsedAt(), t.RevokedAt(), t.CreatedAt()}
	return translate(conn(ctx, r.db).Create(&row).Error)
}

// GetByHash implements identity.TokenRepository.
func (r *Tokens) GetByHash(ctx context.Context, hash []byte) (*identity.APIToken, error) {
	var row tokenRow
	if err := conn(ctx, r.db).Take(&row, "token_hash = ?", hash).Error; err != nil {
		return nil, translate(err)
	}
	return row.domain(), nil
}

// ListByMember implements identity.TokenRepository.
func (r *Tokens) ListByMember(ctx context.Context, orgID, userID uuid.UUID) ([]*identity.APIToken, error) {
	var rows []tokenRow
	if err := conn(ctx, r.db).Where("org_id = ? AND user_id = ?", orgID, userID).Order("created_at DESC").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]*identity.APIToken, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// Revoke implements identity.TokenRepository.
func (r *Tokens) Revoke(ctx context.Context, orgID, userID, id uuid.UUID, at time.Time) error {
	res := conn(ctx, r.db).Model(&tokenRow{}).
		Where("id = ? AND org_id = ? AND user_id = ?", id, orgID, userID).
		Update("revoked_at", gorm.Expr("COALESCE(revoked_at, ?)", at.UTC()))
	return notFoundIfNone(res, "token")
}

// RevokeByMember implements identity.TokenRepository.
func (r *Tokens) RevokeByMember(ctx context.Context, orgID, userID uuid.UUID, at time.Time) error {
	return translate(conn(ctx, r.db).Model(&tokenRow{}).
		Where("org_id = ? AND user_id = ? AND revoked_at IS NULL", orgID, userID).
		Update("revoked_at", at.UTC()).Error)
}

// ListByOrg implements identity.TokenRepository.
func (r *Tokens) ListByOrg(ctx context.Context, orgID uuid.UUID, scope string) ([]*identity.APIToken, error) {
	var rows []tokenRow
	if err := conn(ctx, r.db).Where("org_id = ? AND ? = ANY (scopes)", orgID, scope).Order("created_at DESC, id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]*identity.APIToken, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// RevokeInOrg implements identity.TokenRepository.
func (r *Tokens) RevokeInOrg(ctx context.Context, orgID uuid.UUID, scope string, id uuid.UUID, at time.Time) error {
	res := conn(ctx, r.db).Model(&tokenRow{}).
		Where("id = ? AND org_id = ? AND ? = ANY (scopes)", id, orgID, scope).
		Update("revoked_at", gorm.Expr("COALESCE(revoked_at, ?)", at.UTC()))
	return notFoundIfNone(res, "token")
}

// Touch implements identity.TokenRepository.
func (r *Tokens) Touch(ctx context.Context, id uuid.UUID, at time.Time) error {
	return translate(conn(ctx, r.db).Model(&tokenRow{}).Where("id = ?", id).Update("last_used_at", at.UTC()).Error)
}

// AttemptLimiter counts failures per key in PostgreSQL, so every replica sees the same counts.
type AttemptLimiter struct {
	db  *gorm.DB
	now func() time.Time
}

// NewAttemptLimiter returns the limiter.
func NewAttemptLimiter(db *gorm.DB, now func() time.Time) *AttemptLimiter {
	return &AttemptLimiter{db, now}
}

// Blocked implements identity.AttemptLimiter.
func (l *AttemptLimiter) Blocked(ctx context.Context, key string, limit int, window time.Duration) (time.Duration, error) {
	var row struct {
		WindowStart time.Time
		Failures    int
	}
	res := conn(ctx, l.db).Raw(`SELECT window_start, failures FROM attempt_counters WHERE key = ?`, key).Scan(&row)
	if res.Error != nil {
		return 0, translate(res.Error)
	}
	if res.RowsAffected == 0 || row.Failures < limit {
		return 0, nil
	}
	wait := row.WindowStart.Add(window).Sub(l.now())
	if wait <= 0 {
		return 0, nil
	}
	return wait, nil
}

// Fail implements identity.AttemptLimiter. One statement starts a new window when the old one has
// passed, so concurrent failures are all counted.
func (l *AttemptLimiter) Fail(ctx context.Context, key string, window time.Duration) error {
	now := l.now().UTC()
	return translate(conn(ctx, l.db).Exec(`
		INSERT INTO attempt_counters (key, window_start, failures) VALUES (?, ?, 1)
		ON CONFLICT (key) DO UPDATE SET
			failures     = CASE WHEN attempt_counters.window_start < ? THEN 1 ELSE attempt_counters.failures + 1 END,
			window_start = CASE WHEN attempt_counters.window_start < ? THEN EXCLUDED.window_start ELSE attempt_counters.window_start END`,
		key, now, now.Add(-window), now.Add(-window)).Error)
}

// Clear implements identity.AttemptLimiter.
func (l *AttemptLimiter) Clear(ctx context.Context, key string) error {
	return translate(conn(ctx, l.db).Exec(`DELETE FROM attempt_counters WHERE key = ?`, key).Error)
}
