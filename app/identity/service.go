// Package identity holds the use cases of accounts and credentials: signing in and out,
// authenticating requests by session or API token, profiles, passwords and API tokens.
package identity

import (
	"context"
	"crypto/subtle"
	"net/netip"
	"strings"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/text"
)

// Config holds the identity settings.
type Config struct {
	SessionTTL         time.Duration
	SessionIdleTimeout time.Duration
	// LoginAddressLimit failed sign-ins per client address (generous: an office behind one
	// address shares it) and LoginAccountAddressLimit per account from one address (strict) are
	// allowed within LoginWindow. There is no limit per account alone, which would let anyone
	// lock its owner out. LoginAccountAddressLimit also bounds the checks of a user's current
	// password when they change it.
	LoginAddressLimit        int
	LoginAccountAddressLimit int
	LoginWindow              time.Duration
	// ActivationTTL is how long an activation link works; zero takes the default.
	ActivationTTL time.Duration
	// PasswordResetAddressLimit requests per client address and PasswordResetEmailLimit per
	// email address are allowed within LoginWindow (reset.go).
	PasswordResetAddressLimit int
	PasswordResetEmailLimit   int
	// PublicURL is where people reach Canopy: the links in email are built from it.
	PublicURL string
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
	// activations holds activation links (account.go).
	activations identity.ActivationRepository
	// resets holds password reset links, and mailer queues email (reset.go).
	resets identity.PasswordResetRepository
	mailer Mailer
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
	// Activations stores activation links.
	Activations identity.ActivationRepository
	// PasswordResets stores password reset links; Mailer queues email (nil: none is sent).
	PasswordResets identity.PasswordResetRepository
	Mailer         Mailer
}

// NewService builds the service.
func NewService(cfg Config, d Deps) (*Service, error) {
	dummy, err := d.Hasher.Hash("not-a-password-" + uuid.NewString())
	if err != nil {
		return nil, err
	}
	mailer := d.Mailer
	if mailer == nil {
		mailer = noMailer{}
	}
	return &Service{
		cfg: cfg, tx: d.Tx, clock: d.Clock, hasher: d.Hasher, common: d.Common, limiter: d.Limiter,
		users: d.Users, sessions: d.Sessions, tokens: d.Tokens, activations: d.Activations, dummyHash: dummy,
		resets: d.PasswordResets, mailer: mailer,
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
	IP string
	// MustChangePassword is set while the caller's password is an initial one an administrator
	// chose: until they replace it, they may only read who they are, change it, or sign out.
	MustChangePassword bool
	// CredentialVersion is the version of the account's credentials that the session or token
	// was made under, and which the account was still at when the request was authenticated. A
	// token the caller makes records it (CreateTokenInput), so that a token made by a request
	// that raced with a reset of the account's credentials does not outlive them.
	CredentialVersion int64
	// DisplayName is the account's name, read with the credential: what the caller writes
	// under their own name needs no other read of it.
	DisplayName string
	csrfHash    []byte
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

// addressKey is the part of a limiter key that names the client: the address itself, or for
// IPv6 its /64, which one client usually holds whole.
func addressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Unmap().Is4() {
		return ip
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// tooMany is the refusal of an attempt past a limit, saying how long to wait.
func tooMany(wait time.Duration, message string) error {
	e := errs.E(errs.TooManyRequests, "too_many_attempts", message)
	e.RetryAfter = wait
	return e
}

// Login checks a password and starts a session. Every attempt is reserved with the limiter
// before the password is checked, per client address and per account from that address, so
// parallel guesses cannot pass either limit; past one the caller gets TooManyRequests with the
// time to wait. A stranger elsewhere can therefore use up only their own allowance, never the
// owner's. A right password gives its reservations back.
func (s *Service) Login(ctx context.Context, in LoginInput) (NewSession, error) {
	email, err := identity.NormalizeEmail(in.Email)
	if err != nil {
		return NewSession{}, err
	}
	addr := addressKey(in.IP)
	addrKey, pairKey := "login:address:"+addr, "login:account-address:"+email+" "+addr
	wait, err := s.limiter.Take(ctx, addrKey, s.cfg.LoginAddressLimit, s.cfg.LoginWindow)
	if err != nil {
		return NewSession{}, err
	}
	if wait > 0 {
		return NewSession{}, tooMany(wait, "too many sign-in attempts; try again later")
	}
	wait, err = s.limiter.Take(ctx, pairKey, s.cfg.LoginAccountAddressLimit, s.cfg.LoginWindow)
	if err != nil {
		return NewSession{}, err
	}
	if wait > 0 {
		// No password is checked, so the address's reservation is given back: only failed
		// checks use up the allowance an office shares.
		if err := s.limiter.Refund(ctx, addrKey); err != nil {
			return NewSession{}, err
		}
		return NewSession{}, tooMany(wait, "too many sign-in attempts; try again later")
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
		return NewSession{}, errBadLogin
	}
	if err := s.limiter.Clear(ctx, pairKey); err != nil {
		return NewSession{}, err
	}
	if err := s.limiter.Refund(ctx, addrKey); err != nil {
		return NewSession{}, err
	}
	return s.StartSession(ctx, u, in.IP, in.UserAgent)
}

// StartSession signs a user in: it stores a new session and returns its secrets. The session
// records the credential version of u, the account as the caller read it (Login: the very read
// whose password hash it checked), so that if the account's credentials end after that read, the
// session never works, even when it is stored after they ended. The address and
// the User-Agent are whatever the client sent, kept for the person's list of sessions: what
// cannot be stored as text (a NUL, a byte that is not UTF-8) is written out as an escape
// (text.Printable), so that no header fails the sign-in.
func (s *Service) StartSession(ctx context.Context, u *identity.User, ip, userAgent string) (NewSession, error) {
	now := s.clock.Now().UTC()
	token, tokenHash := identity.NewSecret("")
	csrf, csrfHash := identity.NewSecret("")
	sess := &identity.Session{
		ID: uuid.New(), UserID: u.ID(), TokenHash: tokenHash, CSRFHash: csrfHash,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL),
		IP: truncate(text.Printable(ip), 100), UserAgent: truncate(text.Printable(userAgent), 400),
		CredentialVersion: u.CredentialVersion(),
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
	sess, u, err := s.sessions.GetWithUser(ctx, identity.HashSecret(token))
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
	if err := signedIn(u, sess.CredentialVersion); err != nil {
		// It can never work again.
		_ = s.sessions.Delete(ctx, sess.ID)
		return Principal{}, err
	}
	return Principal{UserID: sess.UserID, Method: MethodSession, SessionID: sess.ID, MustChangePassword: u.MustChangePassword(),
		CredentialVersion: sess.CredentialVersion, DisplayName: u.DisplayName(), csrfHash: sess.CSRFHash}, nil
}

// signedInUser returns the account a session or token made under credential version acts for.
// A disabled account's sessions and tokens are deleted or revoked when it is disabled, and so
// are those of an account whose credentials are reset; refusing an inactive account, and a
// credential whose version is no longer the account's, keeps that true for one made from a read
// of the account just before the change and stored just after it.
func (s *Service) signedInUser(ctx context.Context, id uuid.UUID, version int64) (*identity.User, error) {
	u, err := s.users.Get(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return nil, errNoAuth
	}
	if err != nil {
		return nil, err
	}
	if err := signedIn(u, version); err != nil {
		return nil, err
	}
	return u, nil
}

// signedIn refuses an inactive account, and a credential whose version is no longer the
// account's (see signedInUser).
func signedIn(u *identity.User, version int64) error {
	if !u.Active() || u.CredentialVersion() != version {
		return errNoAuth
	}
	return nil
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
	u, err := s.signedInUser(ctx, t.UserID(), t.CredentialVersion())
	if errs.Is(err, errs.Unauthenticated) {
		return Principal{}, errs.E(errs.Unauthenticated, "invalid_token", "the API token is not valid")
	}
	if err != nil {
		return Principal{}, err
	}
	return Principal{UserID: t.UserID(), Method: MethodToken, TokenID: t.ID(), TokenOrgID: t.OrgID(), Scopes: t.Scopes(),
		MustChangePassword: u.MustChangePassword(), CredentialVersion: t.CredentialVersion(), DisplayName: u.DisplayName()}, nil
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
		if u, err = s.users.GetForUpdate(ctx, p.UserID); err != nil {
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
// other session of the caller (ASVS 7.4.3): the account's credential version is counted up,
// the caller's session and the account's API tokens are moved to the new one, and the other
// sessions are deleted, so that a sign-in with the old password that was under way does not
// survive either. An account without a password (one whose credentials were reset in the
// meantime) answers as a wrong current password does.
func (s *Service) ChangePassword(ctx context.Context, p Principal, current, next string) error {
	if p.Method != MethodSession {
		return errs.E(errs.Forbidden, "session_required", "changing the password needs a session, not an API token")
	}
	if err := identity.CheckPassword(next, s.common); err != nil {
		return err
	}
	// A stolen session must not become a way to guess the password: each check of the current
	// one is reserved first, outside the transaction, which a wrong password rolls back. The
	// reservation comes before any hashing, so a refused attempt costs the server nothing.
	key := "password-change:user:" + p.UserID.String()
	wait, err := s.limiter.Take(ctx, key, s.cfg.LoginAccountAddressLimit, s.cfg.LoginWindow)
	if err != nil {
		return err
	}
	if wait > 0 {
		return tooMany(wait, "too many wrong passwords; try again later")
	}
	hash, err := s.hasher.Hash(next)
	if err != nil {
		return err
	}
	wrong := errs.E(errs.Invalid, "wrong_password", "the current password is wrong")
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		u, err := s.users.GetForUpdate(ctx, p.UserID)
		if err != nil {
			return err
		}
		if !u.HasPassword() {
			return wrong
		}
		ok, err := s.hasher.Verify(current, u.PasswordHash())
		if err != nil {
			return err
		}
		if !ok {
			return wrong
		}
		now, before := s.clock.Now(), u.CredentialVersion()
		u.SetPasswordHash(hash, now)
		u.EndCredentials(now)
		if err := s.users.Update(ctx, u); err != nil {
			return err
		}
		if err := s.sessions.DeleteByUser(ctx, u.ID(), p.SessionID); err != nil {
			return err
		}
		if err := s.sessions.Restamp(ctx, p.SessionID, u.CredentialVersion()); err != nil {
			return err
		}
		if err := s.tokens.Restamp(ctx, u.ID(), before, u.CredentialVersion()); err != nil {
			return err
		}
		return s.passwordChangedNotice(ctx, u)
	})
	if err != nil {
		return err
	}
	return s.limiter.Clear(ctx, key)
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

// Provision creates an account for IT (the admin API, SCIM, bulk import) of organisation orgID,
// which then manages it. A password is optional: without one the person activates the account
// with an activation link; with one, it is an initial password they must change at their first
// sign-in. It joins the caller's transaction, if any.
func (s *Service) Provision(ctx context.Context, orgID uuid.UUID, in RegisterInput) (*identity.User, error) {
	var hash string
	if in.Password != "" {
		if err := identity.CheckPassword(in.Password, s.common); err != nil {
			return nil, err
		}
		var err error
		if hash, err = s.hasher.Hash(in.Password); err != nil {
			return nil, err
		}
	}
	u, err := identity.NewUser(identity.NewUserInput{
		Email: in.Email, DisplayName: in.DisplayName, Locale: in.Locale, TimeZone: in.TimeZone,
		PasswordHash: hash, MustChangePassword: hash != "", CreatedByOrgID: orgID,
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
	var u *identity.User
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		var err error
		if u, err = s.users.GetForUpdate(ctx, userID); err != nil {
			return err
		}
		now, old := s.clock.Now(), u.Email()
		if email != nil {
			if err := u.ChangeEmail(*email, now); err != nil {
				return err
			}
		}
		if err := u.ChangeProfile(c, now); err != nil {
			return err
		}
		if err := s.users.Update(ctx, u); err != nil {
			if errs.Is(err, errs.Conflict) {
				return errs.E(errs.Conflict, "email_taken", "an account with this email already exists")
			}
			return err
		}
		if u.Email() != old {
			return s.emailChangedNotice(ctx, u, old)
		}
		return nil
	})
	if err != nil {
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
		u, err := s.users.GetForUpdate(ctx, userID)
		if err != nil {
			return err
		}
		u.SetPasswordHash(hash, s.clock.Now())
		if err := s.users.Update(ctx, u); err != nil {
			return err
		}
		return s.passwordChangedNotice(ctx, u)
	})
}

// CreateTokenInput is a new API token for a member.
type CreateTokenInput struct {
	OrgID  uuid.UUID
	UserID uuid.UUID
	Name   string
	Scopes []string
	TTL    time.Duration
	// CredentialVersion is the version of the member's credentials that the creator was
	// authenticated under (Principal.CredentialVersion; at the shell, the account's present
	// one): if the account's credentials ended since, the token never works.
	CredentialVersion int64
}

// CreateToken makes an API token and returns it with its secret, which is never shown again.
// The caller has checked that UserID is an active member of OrgID and may give the scopes: a
// member's own tokens go through the org module's CreateToken, which applies the grant rule and
// audits; only IT at the shell (`canopy admin create-token`) calls this directly.
func (s *Service) CreateToken(ctx context.Context, in CreateTokenInput) (*identity.APIToken, string, error) {
	t, secret, err := identity.NewAPIToken(in.OrgID, in.UserID, in.CredentialVersion, in.Name, in.Scopes, in.TTL, s.clock.Now())
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

// RevokeMemberCredentials revokes a member's API tokens in one organisation, in the caller's
// transaction. Deactivating a member calls it: their access there ends with it (ASVS 7.4.2),
// and since every request checks the membership, their sessions stop working there too, while
// their sessions and tokens in other organisations go on. Disabling the account ends everything
// (DisableAccount).
func (s *Service) RevokeMemberCredentials(ctx context.Context, orgID, userID uuid.UUID) error {
	return s.tokens.RevokeByMember(ctx, orgID, userID, s.clock.Now())
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
