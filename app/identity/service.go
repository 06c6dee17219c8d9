// Package identity holds the use cases of accounts and credentials: signing in and out,
// authenticating requests by session or API token, profiles, passwords and API tokens.
package identity

import (
	"context"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/identity"
)

// Config holds the identity settings.
type Config struct {
	SessionTTL         time.Duration
	SessionIdleTimeout time.Duration
	// LoginAccountLimit failed sign-ins per account and LoginAddressLimit per address are allowed
	// within LoginWindow.
	LoginAccountLimit int
	LoginAddressLimit int
	LoginWindow       time.Duration
}

// Service holds the identity use cases.
type Service struct {
	cfg      Config
	tx       TxManager
	clock    Clock
	hasher   PasswordHasher
	common   identity.CommonPasswords
	limiter  AttemptLimiter
	users    identity.UserRepository
	sessions identity.SessionRepository
	tokens   identity.TokenRepository
	// dummyHash is verified when an account does not exist, so that a wrong email takes as long
	// as a wrong password and does not reveal which accounts exist.
	dummyHash string
}

// Deps are the adapters the service needs.
type Deps struct {
	Tx       TxManager
	Clock    Clock
	Hasher   PasswordHasher
	Common   identity.CommonPasswords
	Limiter  AttemptLimiter
	Users    identity.UserRepository
	Sessions identity.SessionRepository
	Tokens   identity.TokenRepository
}

// NewService builds the service.
func NewService(cfg Config, d Deps) (*Service, error) {
	dummy, err := d.Hasher.Hash("not-a-password-" + uuid.NewString())
	if err != nil {
		return nil, err
	}
	return &Service{
		cfg: cfg, tx: d.Tx, clock: d.Clock, hasher: d.Hasher, common: d.Common, limiter: d.Limiter,
		users: d.Users, sessions: d.Sessions, tokens: d.Tokens, dummyHash: dummy,
	}, nil
}

// Method says how a request was authenticated.
type Method string

// The authentication methods.
const (
	MethodSession Method = "session"
	MethodToken   Method = "token"
)

// Principal is the authenticated caller of one request.
type Principal struct {
	UserID uuid.UUID
	Method Method
	// SessionID is set for a session.
	SessionID uuid.UUID
	// TokenID, TokenOrgID and Scopes are set for an API token, which acts only within its
	// organisation.
	TokenID    uuid.UUID
	TokenOrgID uuid.UUID
	Scopes     []string
	// IP is the client's address, for rate limits and the audit log.
	IP       string
	csrfHash []byte
}

// HasScope reports whether the caller may act in a scope. A session may act in all of them.
func (p Principal) HasScope(scope string) bool {
	if p.Method != MethodToken {
		return true
	}
	for _, s := range p.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// IsToken reports whether the caller used an API token.
func (p Principal) IsToken() bool { return p.Method == MethodToken }

// LoginInput is a sign-in attempt.
type LoginInput struct {
	Email     string
	Password  string
	IP        string
	UserAgent string
}

// NewSession is a session just made; its secrets are returned once, to be set as cookies.
type NewSession struct {
	User      *identity.User
	Token     string
	CSRFToken string
	ExpiresAt time.Time
}

var errBadLogin = errs.E(errs.Unauthenticated, "invalid_credentials", "the email or password is wrong")

// Login checks a password and starts a session. Failures are counted per account and per
// address; past either limit the caller gets TooManyRequests with the time to wait.
func (s *Service) Login(ctx context.Context, in LoginInput) (NewSession, error) {
	email, err := identity.NormalizeEmail(in.Email)
	if err != nil {
		return NewSession{}, err
	}
	keys := []struct {
		key   string
		limit int
	}{{"login:account:" + email, s.cfg.LoginAccountLimit}, {"login:address:" + in.IP, s.cfg.LoginAddressLimit}}
	for _, k := range keys {
		wait, err := s.limiter.Blocked(ctx, k.key, k.limit, s.cfg.LoginWindow)
		if err != nil {
			return NewSession{}, err
		}
		if wait > 0 {
			e := errs.E(errs.TooManyRequests, "too_many_attempts", "too many sign-in attempts; try again later")
			e.RetryAfter = wait
			return NewSession{}, e
		}
	}
	u, err := s.users.GetByEmail(ctx, email)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return NewSession{}, err
	}
	hash := s.dummyHash
	if u != nil && u.HasPassword() {
		hash = u.PasswordHash()
	}
	ok, err := s.hasher.Verify(in.Password, hash)
	if err != nil {
		return NewSession{}, err
	}
	if !ok || u == nil || !u.HasPassword() || !u.Active() {
		for _, k := range keys {
			if err := s.limiter.Fail(ctx, k.key, s.cfg.LoginWindow); err != nil {
				return NewSession{}, err
			}
		}
		return NewSession{}, errBadLogin
	}
	if err := s.limiter.Clear(ctx, keys[0].key); err != nil {
		return NewSession{}, err
	}
	return s.StartSession(ctx, u, in.IP, in.UserAgent)
}

// StartSession signs a user in: it stores a new session and returns its secrets.
func (s *Service) StartSession(ctx context.Context, u *identity.User, ip, userAgent string) (NewSession, error) {
	now := s.clock.Now().UTC()
	token, tokenHash := identity.NewSecret("")
	csrf, csrfHash := identity.NewSecret("")
	sess := &identity.Session{
		ID: uuid.New(), UserID: u.ID(), TokenHash: tokenHash, CSRFHash: csrfHash,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL),
		IP: ip, UserAgent: truncate(userAgent, 400),
	}
	if err := s.sessions.Create(ctx, sess); err != nil {
		return NewSession{}, err
	}
	return NewSession{User: u, Token: token, CSRFToken: csrf, ExpiresAt: sess.ExpiresAt}, nil
}

// Logout ends the caller's session.
func (s *Service) Logout(ctx context.Context, p Principal) error {
	if p.Method != MethodSession {
		return errs.E(errs.Forbidden, "session_required", "sign out needs a session, not an API token")
	}
	return s.sessions.Delete(ctx, p.SessionID)
}

var errNoAuth = errs.E(errs.Unauthenticated, "unauthenticated", "sign in to continue")

// AuthenticateSession resolves a session cookie to its principal.
func (s *Service) AuthenticateSession(ctx context.Context, token string) (Principal, error) {
	if token == "" || len(token) > 128 {
		return Principal{}, errNoAuth
	}
	sess, err := s.sessions.GetByTokenHash(ctx, identity.HashSecret(token))
	if errs.Is(err, errs.NotFound) {
		return Principal{}, errNoAuth
	}
	if err != nil {
		return Principal{}, err
	}
	now := s.clock.Now()
	if !sess.Valid(now, s.cfg.SessionIdleTimeout) {
		_ = s.sessions.Delete(ctx, sess.ID)
		return Principal{}, errs.E(errs.Unauthenticated, "session_expired", "your session has expired; sign in again")
	}
	// Recording activity once a minute is enough for the idle timeout and spares a write per
	// request.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.sessions.Touch(ctx, sess.ID, now); err != nil {
			return Principal{}, err
		}
	}
	return Principal{UserID: sess.UserID, Method: MethodSession, SessionID: sess.ID, csrfHash: sess.CSRFHash}, nil
}

// AuthenticateToken resolves an API token to its principal. A revoked, expired or unknown token
// and a token of a deactivated member are all refused alike.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, "cnp_") || len(secret) > 128 {
		return Principal{}, errs.E(errs.Unauthenticated, "invalid_token", "the API token is not valid")
	}
	t, err := s.tokens.GetByHash(ctx, identity.HashSecret(secret))
	if errs.Is(err, errs.NotFound) {
		return Principal{}, errs.E(errs.Unauthenticated, "invalid_token", "the API token is not valid")
	}
	if err != nil {
		return Principal{}, err
	}
	now := s.clock.Now()
	if !t.Usable(now) {
		return Principal{}, errs.E(errs.Unauthenticated, "invalid_token", "the API token is revoked or expired")
	}
	if t.LastUsedAt() == nil || now.Sub(*t.LastUsedAt()) > time.Minute {
		if err := s.tokens.Touch(ctx, t.ID(), now); err != nil {
			return Principal{}, err
		}
	}
	return Principal{UserID: t.UserID(), Method: MethodToken, TokenID: t.ID(), TokenOrgID: t.OrgID(), Scopes: t.Scopes()}, nil
}

// VerifyCSRF checks the CSRF token that a cookie-authenticated write must carry. API tokens are
// not sent by browsers on their own, so they need none.
func (s *Service) VerifyCSRF(p Principal, token string) error {
	if p.Method != MethodSession {
		return nil
	}
	if token == "" || subtle.ConstantTimeCompare(identity.HashSecret(token), p.csrfHash) != 1 {
		return errs.E(errs.Forbidden, "csrf_failed", "missing or wrong X-CSRF-Token header")
	}
	return nil
}

// User returns the caller's account.
func (s *Service) User(ctx context.Context, p Principal) (*identity.User, error) {
	return s.users.Get(ctx, p.UserID)
}

// UpdateProfile changes the caller's display name, language or time zone.
func (s *Service) UpdateProfile(ctx context.Context, p Principal, c identity.ProfileChange) (*identity.User, error) {
	var u *identity.User
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		var err error
		if u, err = s.users.Get(ctx, p.UserID); err != nil {
			return err
		}
		if err := u.ChangeProfile(c, s.clock.Now()); err != nil {
			return err
		}
		return s.users.Update(ctx, u)
	})
	return u, err
}

// ChangePassword checks the current password, applies the policy to the new one, and ends every
// other session of the caller (ASVS 7.4.3).
func (s *Service) ChangePassword(ctx context.Context, p Principal, current, next string) error {
	if p.Method != MethodSession {
		return errs.E(errs.Forbidden, "session_required", "changing the password needs a session, not an API token")
	}
	if err := identity.CheckPassword(next, s.common); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(next)
	if err != nil {
		return err
	}
	return s.tx.Within(ctx, func(ctx context.Context) error {
		u, err := s.users.Get(ctx, p.UserID)
		if err != nil {
			return err
		}
		ok, err := s.hasher.Verify(current, u.PasswordHash())
		if err != nil {
			return err
		}
		if !ok {
			return errs.E(errs.Invalid, "wrong_password", "the current password is wrong")
		}
		u.SetPasswordHash(hash, s.clock.Now())
		if err := s.users.Update(ctx, u); err != nil {
			return err
		}
		return s.sessions.DeleteByUser(ctx, u.ID(), p.SessionID)
	})
}

// RegisterInput is a new account.
type RegisterInput struct {
	Email       string
	DisplayName string
	Password    string
	Locale      string
	TimeZone    string
}

// Register creates an account after applying the password policy. It joins the caller's
// transaction, if any.
func (s *Service) Register(ctx context.Context, in RegisterInput) (*identity.User, error) {
	if err := identity.CheckPassword(in.Password, s.common); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		return nil, err
	}
	u, err := identity.NewUser(identity.NewUserInput{
		Email: in.Email, DisplayName: in.DisplayName, Locale: in.Locale, TimeZone: in.TimeZone, PasswordHash: hash,
	}, s.clock.Now())
	if err != nil {
		return nil, err
	}
	if err := s.users.Create(ctx, u); err != nil {
		if errs.Is(err, errs.Conflict) {
			return nil, errs.E(errs.Conflict, "email_taken", "an account with this email already exists; sign in first")
		}
		return nil, err
	}
	return u, nil
}

// Provision creates an account for IT (the admin API, SCIM, bulk import). A password is optional:
// without one the account cannot sign in with a password until one is set.
func (s *Service) Provision(ctx context.Context, in RegisterInput) (*identity.User, error) {
	if in.Password != "" {
		return s.Register(ctx, in)
	}
	u, err := identity.NewUser(identity.NewUserInput{
		Email: in.Email, DisplayName: in.DisplayName, Locale: in.Locale, TimeZone: in.TimeZone,
	}, s.clock.Now())
	if err != nil {
		return nil, err
	}
	if err := s.users.Create(ctx, u); err != nil {
		if errs.Is(err, errs.Conflict) {
			return nil, errs.E(errs.Conflict, "email_taken", "an account with this email already exists")
		}
		return nil, err
	}
	return u, nil
}

// ChangeAccount changes an account's email and profile for IT. A taken email is a conflict.
func (s *Service) ChangeAccount(ctx context.Context, userID uuid.UUID, email *string, c identity.ProfileChange) (*identity.User, error) {
	u, err := s.users.Get(ctx, userID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if email != nil {
		if err := u.ChangeEmail(*email, now); err != nil {
			return nil, err
		}
	}
	if err := u.ChangeProfile(c, now); err != nil {
		return nil, err
	}
	if err := s.users.Update(ctx, u); err != nil {
		if errs.Is(err, errs.Conflict) {
			return nil, errs.E(errs.Conflict, "email_taken", "an account with this email already exists")
		}
		return nil, err
	}
	return u, nil
}

// FindUserByEmail returns an account by email; NotFound if there is none.
func (s *Service) FindUserByEmail(ctx context.Context, email string) (*identity.User, error) {
	e, err := identity.NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	return s.users.GetByEmail(ctx, e)
}

// SetPassword replaces an account's password, applying the policy. It is for IT at the shell.
func (s *Service) SetPassword(ctx context.Context, userID uuid.UUID, password string) error {
	if err := identity.CheckPassword(password, s.common); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return err
	}
	return s.tx.Within(ctx, func(ctx context.Context) error {
		u, err := s.users.Get(ctx, userID)
		if err != nil {
			return err
		}
		u.SetPasswordHash(hash, s.clock.Now())
		return s.users.Update(ctx, u)
	})
}

// CreateTokenInput is a new API token for a member.
type CreateTokenInput struct {
	OrgID  uuid.UUID
	UserID uuid.UUID
	Name   string
	Scopes []string
	TTL    time.Duration
}

// CreateToken makes an API token and returns it with its secret, which is never shown again.
// The caller has checked that UserID is an active member of OrgID.
func (s *Service) CreateToken(ctx context.Context, in CreateTokenInput) (*identity.APIToken, string, error) {
	t, secret, err := identity.NewAPIToken(in.OrgID, in.UserID, in.Name, in.Scopes, in.TTL, s.clock.Now())
	if err != nil {
		return nil, "", err
	}
	if err := s.tokens.Create(ctx, t); err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// ListTokens returns a member's tokens in an organisation.
func (s *Service) ListTokens(ctx context.Context, orgID, userID uuid.UUID) ([]*identity.APIToken, error) {
	return s.tokens.ListByMember(ctx, orgID, userID)
}

// RevokeToken revokes one of a member's tokens.
func (s *Service) RevokeToken(ctx context.Context, orgID, userID, tokenID uuid.UUID) error {
	return s.tokens.Revoke(ctx, orgID, userID, tokenID, s.clock.Now())
}

// RevokeMemberCredentials ends every session of a user and revokes their API tokens in an
// organisation, in the caller's transaction. Deactivating a member calls it (ASVS 7.4.2).
func (s *Service) RevokeMemberCredentials(ctx context.Context, orgID, userID uuid.UUID) error {
	if err := s.sessions.DeleteByUser(ctx, userID, uuid.Nil); err != nil {
		return err
	}
	return s.tokens.RevokeByMember(ctx, orgID, userID, s.clock.Now())
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
