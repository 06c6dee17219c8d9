// Package identity holds the PostgreSQL rows and repositories of the identity module: users,
// sessions, API tokens and the login attempt counters.
package identity

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/infra/postgres"
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
	// CreatedByOrgID, MustChangePassword and InstallationAdmin decide who manages the account
	// and what it may do (migration 00008).
	CreatedByOrgID     *uuid.UUID
	MustChangePassword bool
	InstallationAdmin  bool
	// CredentialVersion is what sessions and tokens are checked against (migration 00010).
	CredentialVersion int64
}

func (userRow) TableName() string { return "users" }

func (r *Users) toRow(u *identity.User) userRow {
	full, initials := r.keys(u.DisplayName())
	return userRow{u.ID(), u.Email(), u.DisplayName(), full, initials, string(u.Locale()), u.TimeZone(), string(u.Status()), u.PasswordHash(), u.CreatedAt(), u.UpdatedAt(),
		postgres.NullableID(u.CreatedByOrgID()), u.MustChangePassword(), u.InstallationAdmin(), u.CredentialVersion()}
}

func (r userRow) domain() *identity.User {
	rec := identity.UserRecord{ID: r.ID, Email: r.Email, DisplayName: r.DisplayName, Locale: identity.Locale(r.Locale), TimeZone: r.TimeZone,
		Status: identity.UserStatus(r.Status), PasswordHash: r.PasswordHash, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		MustChangePassword: r.MustChangePassword, InstallationAdmin: r.InstallationAdmin, CredentialVersion: r.CredentialVersion}
	if r.CreatedByOrgID != nil {
		rec.CreatedByOrgID = *r.CreatedByOrgID
	}
	return identity.RehydrateUser(rec)
}

// Users stores users, keeping the search keys of their names.
type Users struct {
	db   *gorm.DB
	keys postgres.SearchKeys
}

// NewUsers returns the user repository.
func NewUsers(db *gorm.DB, keys postgres.SearchKeys) *Users { return &Users{db, keys} }

// Create implements identity.UserRepository.
func (r *Users) Create(ctx context.Context, u *identity.User) error {
	row := r.toRow(u)
	return postgres.Translate(postgres.Conn(ctx, r.db).Create(&row).Error)
}

// Get implements identity.UserRepository.
func (r *Users) Get(ctx context.Context, id uuid.UUID) (*identity.User, error) {
	var row userRow
	if err := postgres.Conn(ctx, r.db).Take(&row, "id = ?", id).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	return row.domain(), nil
}

// GetForUpdate implements identity.UserRepository with SELECT … FOR UPDATE. Outside a
// transaction the lock would end with the statement, so it refuses to run there.
func (r *Users) GetForUpdate(ctx context.Context, id uuid.UUID) (*identity.User, error) {
	if !postgres.InTx(ctx) {
		return nil, errs.E(errs.Internal, "internal", "GetForUpdate needs a transaction")
	}
	var row userRow
	if err := postgres.Conn(ctx, r.db).Clauses(clause.Locking{Strength: "UPDATE"}).Take(&row, "id = ?", id).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	return row.domain(), nil
}

// GetByEmail implements identity.UserRepository.
func (r *Users) GetByEmail(ctx context.Context, email string) (*identity.User, error) {
	var row userRow
	if err := postgres.Conn(ctx, r.db).Take(&row, "lower(email) = lower(?)", email).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	return row.domain(), nil
}

// Update implements identity.UserRepository.
func (r *Users) Update(ctx context.Context, u *identity.User) error {
	row := r.toRow(u)
	return postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Model(&userRow{}).Where("id = ?", row.ID).Updates(map[string]any{
		"email": row.Email, "display_name": row.DisplayName, "name_pinyin": row.NamePinyin, "name_initials": row.NameInitials, "locale": row.Locale, "time_zone": row.TimeZone,
		"status": row.Status, "password_hash": row.PasswordHash, "updated_at": row.UpdatedAt,
		"must_change_password": row.MustChangePassword, "installation_admin": row.InstallationAdmin, "credential_version": row.CredentialVersion,
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
	// CredentialVersion is the user's when the session was made (migration 00010).
	CredentialVersion int64
}

func (sessionRow) TableName() string { return "sessions" }

// Sessions stores sessions.
type Sessions struct{ db *gorm.DB }

// NewSessions returns the session repository.
func NewSessions(db *gorm.DB) *Sessions { return &Sessions{db} }

// Create implements identity.SessionRepository.
func (r *Sessions) Create(ctx context.Context, s *identity.Session) error {
	row := sessionRow{s.ID, s.UserID, s.TokenHash, s.CSRFHash, s.IP, s.UserAgent, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.CredentialVersion}
	return postgres.Translate(postgres.Conn(ctx, r.db).Create(&row).Error)
}

// GetWithUser implements identity.SessionRepository.
func (r *Sessions) GetWithUser(ctx context.Context, hash []byte) (*identity.Session, *identity.User, error) {
	var rows []struct {
		User    userRow    `gorm:"embedded"`
		Session sessionRow `gorm:"embedded;embeddedPrefix:session_"`
	}
	err := postgres.Conn(ctx, r.db).Raw(`SELECT u.*, s.id AS session_id, s.user_id AS session_user_id, s.token_hash AS session_token_hash,
		s.csrf_hash AS session_csrf_hash, s.ip AS session_ip, s.user_agent AS session_user_agent, s.created_at AS session_created_at,
		s.last_seen_at AS session_last_seen_at, s.expires_at AS session_expires_at, s.credential_version AS session_credential_version
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, hash).Scan(&rows).Error
	if err != nil {
		return nil, nil, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return nil, nil, errs.NotFoundf("session")
	}
	row := rows[0].Session
	return &identity.Session{ID: row.ID, UserID: row.UserID, TokenHash: row.TokenHash, CSRFHash: row.CSRFHash,
		CreatedAt: row.CreatedAt, LastSeenAt: row.LastSeenAt, ExpiresAt: row.ExpiresAt, IP: row.IP, UserAgent: row.UserAgent,
		CredentialVersion: row.CredentialVersion}, rows[0].User.domain(), nil
}

// Touch implements identity.SessionRepository.
func (r *Sessions) Touch(ctx context.Context, id uuid.UUID, at time.Time) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Model(&sessionRow{}).Where("id = ?", id).Update("last_seen_at", at.UTC()).Error)
}

// Delete implements identity.SessionRepository.
func (r *Sessions) Delete(ctx context.Context, id uuid.UUID) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Delete(&sessionRow{}, "id = ?", id).Error)
}

// DeleteByUser implements identity.SessionRepository.
func (r *Sessions) DeleteByUser(ctx context.Context, userID, keep uuid.UUID) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Delete(&sessionRow{}, "user_id = ? AND id <> ?", userID, keep).Error)
}

// Restamp implements identity.SessionRepository.
func (r *Sessions) Restamp(ctx context.Context, id uuid.UUID, version int64) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Model(&sessionRow{}).Where("id = ?", id).Update("credential_version", version).Error)
}

// DeleteExpired removes sessions past their absolute expiry; the server runs it periodically.
func (r *Sessions) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	res := postgres.Conn(ctx, r.db).Delete(&sessionRow{}, "expires_at < ?", now.UTC())
	return res.RowsAffected, postgres.Translate(res.Error)
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
	// CredentialVersion is the user's when the token was made (migration 00010).
	CredentialVersion int64
}

func (tokenRow) TableName() string { return "api_tokens" }

func (r tokenRow) domain() *identity.APIToken {
	return identity.RehydrateAPIToken(r.ID, r.OrgID, r.UserID, r.CredentialVersion, r.Name, r.Scopes, r.TokenHash, r.ExpiresAt, r.LastUsedAt, r.RevokedAt, r.CreatedAt)
}

// Tokens stores API tokens.
type Tokens struct{ db *gorm.DB }

// NewTokens returns the API token repository.
func NewTokens(db *gorm.DB) *Tokens { return &Tokens{db} }

// Create implements identity.TokenRepository.
func (r *Tokens) Create(ctx context.Context, t *identity.APIToken) error {
	row := tokenRow{t.ID(), t.OrgID(), t.UserID(), t.Name(), t.Scopes(), t.Hash(), t.ExpiresAt(), t.LastUsedAt(), t.RevokedAt(), t.CreatedAt(), t.CredentialVersion()}
	return postgres.Translate(postgres.Conn(ctx, r.db).Create(&row).Error)
}

// GetByHash implements identity.TokenRepository.
func (r *Tokens) GetByHash(ctx context.Context, hash []byte) (*identity.APIToken, error) {
	var row tokenRow
	if err := postgres.Conn(ctx, r.db).Take(&row, "token_hash = ?", hash).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	return row.domain(), nil
}

// ListByMember implements identity.TokenRepository.
func (r *Tokens) ListByMember(ctx context.Context, orgID, userID uuid.UUID) ([]*identity.APIToken, error) {
	var rows []tokenRow
	if err := postgres.Conn(ctx, r.db).Where("org_id = ? AND user_id = ?", orgID, userID).Order("created_at DESC").Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*identity.APIToken, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// Revoke implements identity.TokenRepository.
func (r *Tokens) Revoke(ctx context.Context, orgID, userID, id uuid.UUID, at time.Time) error {
	res := postgres.Conn(ctx, r.db).Model(&tokenRow{}).
		Where("id = ? AND org_id = ? AND user_id = ?", id, orgID, userID).
		Update("revoked_at", gorm.Expr("COALESCE(revoked_at, ?)", at.UTC()))
	return postgres.NotFoundIfNone(res, "token")
}

// RevokeByMember implements identity.TokenRepository.
func (r *Tokens) RevokeByMember(ctx context.Context, orgID, userID uuid.UUID, at time.Time) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Model(&tokenRow{}).
		Where("org_id = ? AND user_id = ? AND revoked_at IS NULL", orgID, userID).
		Update("revoked_at", at.UTC()).Error)
}

// ListByOrg implements identity.TokenRepository.
func (r *Tokens) ListByOrg(ctx context.Context, orgID uuid.UUID, scope string) ([]*identity.APIToken, error) {
	var rows []tokenRow
	if err := postgres.Conn(ctx, r.db).Where("org_id = ? AND ? = ANY (scopes)", orgID, scope).Order("created_at DESC, id").Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]*identity.APIToken, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// RevokeInOrg implements identity.TokenRepository.
func (r *Tokens) RevokeInOrg(ctx context.Context, orgID uuid.UUID, scope string, id uuid.UUID, at time.Time) error {
	res := postgres.Conn(ctx, r.db).Model(&tokenRow{}).
		Where("id = ? AND org_id = ? AND ? = ANY (scopes)", id, orgID, scope).
		Update("revoked_at", gorm.Expr("COALESCE(revoked_at, ?)", at.UTC()))
	return postgres.NotFoundIfNone(res, "token")
}

// Touch implements identity.TokenRepository.
func (r *Tokens) Touch(ctx context.Context, id uuid.UUID, at time.Time) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Model(&tokenRow{}).Where("id = ?", id).Update("last_used_at", at.UTC()).Error)
}

// Restamp implements identity.TokenRepository.
func (r *Tokens) Restamp(ctx context.Context, userID uuid.UUID, from, to int64) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Model(&tokenRow{}).
		Where("user_id = ? AND credential_version = ?", userID, from).Update("credential_version", to).Error)
}

// AttemptLimiter counts attempts per key in PostgreSQL, so every replica sees the same counts.
type AttemptLimiter struct {
	db  *gorm.DB
	now func() time.Time
}

// NewAttemptLimiter returns the limiter.
func NewAttemptLimiter(db *gorm.DB, now func() time.Time) *AttemptLimiter {
	return &AttemptLimiter{db, now}
}

// Take implements identity.AttemptLimiter. The count and the check are one upsert: a new key,
// or one whose window has passed, starts a window at one attempt; an open window is counted up
// only while it is under the limit, and RETURNING says whether it was. PostgreSQL locks the row
// for the update and evaluates the condition on its latest version, so of concurrent attempts
// exactly the first limit ones get a row back.
func (l *AttemptLimiter) Take(ctx context.Context, key string, limit int, window time.Duration) (time.Duration, error) {
	now := l.now().UTC()
	var taken []time.Time
	err := postgres.Conn(ctx, l.db).Raw(`
		INSERT INTO attempt_counters AS c (key, window_start, failures) VALUES (?, ?, 1)
		ON CONFLICT (key) DO UPDATE SET
			failures     = CASE WHEN c.window_start <= ? THEN 1 ELSE c.failures + 1 END,
			window_start = CASE WHEN c.window_start <= ? THEN EXCLUDED.window_start ELSE c.window_start END
		WHERE c.window_start <= ? OR c.failures < ?
		RETURNING window_start`,
		key, now, now.Add(-window), now.Add(-window), now.Add(-window), limit).Scan(&taken).Error
	if err != nil {
		return 0, postgres.Translate(err)
	}
	if len(taken) == 1 {
		return 0, nil
	}
	// Refused: the wait is read apart from the decision, which is already made.
	var start []time.Time
	if err := postgres.Conn(ctx, l.db).Raw(`SELECT window_start FROM attempt_counters WHERE key = ?`, key).Scan(&start).Error; err != nil {
		return 0, postgres.Translate(err)
	}
	wait := time.Second
	if len(start) == 1 {
		wait = max(start[0].Add(window).Sub(now), time.Second)
	}
	return wait, nil
}

// Refund implements identity.AttemptLimiter.
func (l *AttemptLimiter) Refund(ctx context.Context, key string) error {
	return postgres.Translate(postgres.Conn(ctx, l.db).Exec(
		`UPDATE attempt_counters SET failures = failures - 1 WHERE key = ? AND failures > 0`, key).Error)
}

// Clear implements identity.AttemptLimiter.
func (l *AttemptLimiter) Clear(ctx context.Context, key string) error {
	return postgres.Translate(postgres.Conn(ctx, l.db).Exec(`DELETE FROM attempt_counters WHERE key = ?`, key).Error)
}
