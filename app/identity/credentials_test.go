package identity_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	appidentity "canopy/app/identity"
	"canopy/domain/errs"
	"canopy/domain/identity"
)

// The fakes here keep rows as PostgreSQL does: every read returns a copy, so a use case that
// holds a user it read earlier sees the row as it was then, which is what the races below are
// about. Their order is set by a hasher that holds a password check until the test has made its
// change: no timing is involved.

// memStore holds users, sessions and tokens.
type memStore struct {
	mu       sync.Mutex
	users    map[uuid.UUID]identity.UserRecord
	sessions map[uuid.UUID]identity.Session
	tokens   map[uuid.UUID]*identity.APIToken
	// locked holds the users read with GetForUpdate, per transaction.
	locked map[txLock]bool
}

type txLock struct {
	tx *int
	id uuid.UUID
}

type txKey struct{}

// memTx marks the context of a transaction; it rolls nothing back, which these tests do not need.
type memTx struct{}

func (memTx) Within(ctx context.Context, fn func(context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*int); ok {
		return fn(ctx)
	}
	return fn(context.WithValue(ctx, txKey{}, new(int)))
}

func recordOf(u *identity.User) identity.UserRecord {
	return identity.UserRecord{ID: u.ID(), Email: u.Email(), DisplayName: u.DisplayName(), Locale: u.Locale(), TimeZone: u.TimeZone(),
		Status: u.Status(), PasswordHash: u.PasswordHash(), CreatedAt: u.CreatedAt(), UpdatedAt: u.UpdatedAt(), CreatedByOrgID: u.CreatedByOrgID(),
		MustChangePassword: u.MustChangePassword(), InstallationAdmin: u.InstallationAdmin(), CredentialVersion: u.CredentialVersion()}
}

type memUsers struct{ *memStore }

func (r memUsers) Create(_ context.Context, u *identity.User) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.users[u.ID()] = recordOf(u)
	return nil
}
func (r memUsers) Get(_ context.Context, id uuid.UUID) (*identity.User, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec, ok := r.users[id]
	if !ok {
		return nil, errs.NotFoundf("user")
	}
	return identity.RehydrateUser(rec), nil
}

// GetForUpdate is Get that records the lock its transaction holds; outside one it fails, as the
// adapter does.
func (r memUsers) GetForUpdate(ctx context.Context, id uuid.UUID) (*identity.User, error) {
	tx, ok := ctx.Value(txKey{}).(*int)
	if !ok {
		return nil, errors.New("GetForUpdate outside a transaction")
	}
	u, err := r.Get(ctx, id)
	if err == nil {
		r.mu.Lock()
		r.locked[txLock{tx, id}] = true
		r.mu.Unlock()
	}
	return u, err
}
func (r memUsers) GetByEmail(_ context.Context, email string) (*identity.User, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range r.users {
		if rec.Email == email {
			return identity.RehydrateUser(rec), nil
		}
	}
	return nil, errs.NotFoundf("user")
}

// Update refuses a user that its transaction did not read with GetForUpdate: a write of the whole
// row from an unlocked read can put back what a concurrent change replaced.
func (r memUsers) Update(ctx context.Context, u *identity.User) error {
	tx, _ := ctx.Value(txKey{}).(*int)
	r.mu.Lock()
	defer r.mu.Unlock()
	if tx == nil || !r.locked[txLock{tx, u.ID()}] {
		return errors.New("Update of a user not read with GetForUpdate in the transaction")
	}
	r.users[u.ID()] = recordOf(u)
	return nil
}

type memSessions struct{ *memStore }

func (r memSessions) Create(_ context.Context, s *identity.Session) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sessions[s.ID] = *s
	return nil
}
func (r memSessions) GetWithUser(_ context.Context, hash []byte) (*identity.Session, *identity.User, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.sessions {
		if bytes.Equal(s.TokenHash, hash) {
			return &s, identity.RehydrateUser(r.users[s.UserID]), nil
		}
	}
	return nil, nil, errs.NotFoundf("session")
}
func (r memSessions) Touch(context.Context, uuid.UUID, time.Time) error { return nil }
func (r memSessions) Delete(_ context.Context, id uuid.UUID) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.sessions, id)
	return nil
}
func (r memSessions) DeleteByUser(_ context.Context, userID, keep uuid.UUID) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, s := range r.sessions {
		if s.UserID == userID && id != keep {
			delete(r.sessions, id)
		}
	}
	return nil
}
func (r memSessions) Restamp(_ context.Context, id uuid.UUID, version int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.sessions[id]; ok {
		s.CredentialVersion = version
		r.sessions[id] = s
	}
	return nil
}

type memTokens struct{ *memStore }

func (r memTokens) Create(_ context.Context, t *identity.APIToken) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tokens[t.ID()] = t
	return nil
}
func (r memTokens) GetByHash(_ context.Context, hash []byte) (*identity.APIToken, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range r.tokens {
		if bytes.Equal(t.Hash(), hash) {
			return t, nil
		}
	}
	return nil, errs.NotFoundf("token")
}
func (r memTokens) ListByMember(context.Context, uuid.UUID, uuid.UUID) ([]*identity.APIToken, error) {
	return nil, nil
}
func (r memTokens) Revoke(context.Context, uuid.UUID, uuid.UUID, uuid.UUID, time.Time) error {
	return nil
}
func (r memTokens) RevokeByMember(context.Context, uuid.UUID, uuid.UUID, time.Time) error { return nil }
func (r memTokens) ListByOrg(context.Context, uuid.UUID, string) ([]*identity.APIToken, error) {
	return nil, nil
}
func (r memTokens) RevokeInOrg(context.Context, uuid.UUID, string, uuid.UUID, time.Time) error {
	return nil
}
func (r memTokens) Touch(context.Context, uuid.UUID, time.Time) error { return nil }
func (r memTokens) Restamp(_ context.Context, userID uuid.UUID, from, to int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, t := range r.tokens {
		if t.UserID() == userID && t.CredentialVersion() == from {
			r.tokens[id] = identity.RehydrateAPIToken(t.ID(), t.OrgID(), t.UserID(), to, t.Name(), t.Scopes(), t.Hash(), t.ExpiresAt(), t.LastUsedAt(), t.RevokedAt(), t.CreatedAt())
		}
	}
	return nil
}

// usableActivations lets every link be used once it exists.
type usableActivations struct{ noActivations }

func (usableActivations) Consume(context.Context, uuid.UUID, time.Time) error { return nil }

// gateHasher "hashes" as plainHasher does, refuses to check against anything that is not such a
// hash (as argon2id refuses an empty one), and can hold the next check until released.
type gateHasher struct {
	mu   sync.Mutex
	gate *gate
}

type gate struct{ entered, release chan struct{} }

// holdNext makes the next Verify wait: entered is closed when it starts, and it goes on once
// release is closed.
func (h *gateHasher) holdNext() *gate {
	g := &gate{make(chan struct{}), make(chan struct{})}
	h.mu.Lock()
	h.gate = g
	h.mu.Unlock()
	return g
}

func (h *gateHasher) Hash(p string) (string, error) { return "h:" + p, nil }
func (h *gateHasher) Verify(p, enc string) (bool, error) {
	h.mu.Lock()
	g := h.gate
	h.gate = nil
	h.mu.Unlock()
	if g != nil {
		close(g.entered)
		<-g.release
	}
	if !strings.HasPrefix(enc, "h:") {
		return false, errors.New("not a password hash")
	}
	return enc == "h:"+p, nil
}

type credFixture struct {
	svc    *appidentity.Service
	store  *memStore
	hasher *gateHasher
	user   *identity.User
}

// newCredFixture serves one active account, a@b.co, whose password is "Old-Password-1".
func newCredFixture(t *testing.T, passwordHash string) credFixture {
	t.Helper()
	st := &memStore{users: map[uuid.UUID]identity.UserRecord{}, sessions: map[uuid.UUID]identity.Session{},
		tokens: map[uuid.UUID]*identity.APIToken{}, locked: map[txLock]bool{}}
	h := &gateHasher{}
	svc, err := appidentity.NewService(appidentity.Config{SessionTTL: time.Hour, SessionIdleTimeout: time.Hour, LoginAddressLimit: 50, LoginAccountAddressLimit: 5, LoginWindow: time.Minute},
		appidentity.Deps{Tx: memTx{}, Clock: fixedClock{time.Now()}, Hasher: h, Limiter: &fakeLimiter{fails: map[string]int{}, blocked: map[string]time.Duration{}},
			Users: memUsers{st}, Sessions: memSessions{st}, Tokens: memTokens{st}, Activations: usableActivations{}})
	if err != nil {
		t.Fatal(err)
	}
	u := identity.RehydrateUser(identity.UserRecord{ID: uuid.New(), Email: "a@b.co", DisplayName: "A", Locale: identity.LocaleEN, TimeZone: "UTC",
		Status: identity.UserActive, PasswordHash: passwordHash, CreatedAt: time.Now(), UpdatedAt: time.Now()})
	st.users[u.ID()] = recordOf(u)
	return credFixture{svc: svc, store: st, hasher: h, user: u}
}

func (f credFixture) login(t *testing.T, pw string) appidentity.NewSession {
	t.Helper()
	ns, err := f.svc.Login(context.Background(), appidentity.LoginInput{Email: "a@b.co", Password: pw, IP: "10.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// loginDuring signs in with pw and makes change while the password is being checked: after the
// account was read, before the session is stored. It returns what the sign-in returned.
func (f credFixture) loginDuring(t *testing.T, pw string, change func()) (appidentity.NewSession, error) {
	t.Helper()
	g := f.hasher.holdNext()
	type result struct {
		ns  appidentity.NewSession
		err error
	}
	done := make(chan result)
	go func() {
		ns, err := f.svc.Login(context.Background(), appidentity.LoginInput{Email: "a@b.co", Password: pw, IP: "10.0.0.9"})
		done <- result{ns, err}
	}()
	<-g.entered
	change()
	close(g.release)
	r := <-done
	return r.ns, r.err
}

func (f credFixture) refused(t *testing.T, what string, ns appidentity.NewSession) {
	t.Helper()
	if _, err := f.svc.AuthenticateSession(context.Background(), ns.Token); !errs.Is(err, errs.Unauthenticated) {
		t.Fatalf("%s: got %v, want Unauthenticated", what, err)
	}
}

// TestSignInRacingAResetDoesNotSurviveIt: a sign-in that read the account and was checking its
// password when the account's credentials were reset stores its session after the reset deleted
// the account's sessions; the session must not work.
func TestSignInRacingAResetDoesNotSurviveIt(t *testing.T) {
	f := newCredFixture(t, "h:Old-Password-1")
	ctx := context.Background()
	earlier := f.login(t, "Old-Password-1")
	raced, err := f.loginDuring(t, "Old-Password-1", func() {
		if _, _, _, err := f.svc.ResetCredentials(ctx, f.user.ID(), uuid.New(), uuid.New()); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatalf("the sign-in checked the password it read: %v", err)
	}
	f.refused(t, "the session of a sign-in that raced the reset", raced)
	f.refused(t, "a session from before the reset", earlier)
}

// TestSignInRacingADisableDoesNotSurviveIt: the same for disabling the account; once it is enabled
// again, the raced session must still not work.
func TestSignInRacingADisableDoesNotSurviveIt(t *testing.T) {
	f := newCredFixture(t, "h:Old-Password-1")
	ctx := context.Background()
	raced, err := f.loginDuring(t, "Old-Password-1", func() {
		if _, err := f.svc.DisableAccount(ctx, f.user.ID()); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	f.refused(t, "while disabled", raced)
	if _, err := f.svc.EnableAccount(ctx, f.user.ID()); err != nil {
		t.Fatal(err)
	}
	f.refused(t, "once enabled again", raced)
	f.login(t, "Old-Password-1")
}

// TestTokensDoNotOutliveAReset: a token made by a request authenticated before the reset, and
// stored after it, does not work, and neither does a token from before the reset that nobody
// revoked.
func TestTokensDoNotOutliveAReset(t *testing.T) {
	f := newCredFixture(t, "h:Old-Password-1")
	ctx := context.Background()
	p, err := f.svc.AuthenticateSession(ctx, f.login(t, "Old-Password-1").Token)
	if err != nil {
		t.Fatal(err)
	}
	orgID := uuid.New()
	_, before, err := f.svc.CreateToken(ctx, appidentity.CreateTokenInput{OrgID: orgID, UserID: p.UserID, Name: "before", CredentialVersion: p.CredentialVersion})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AuthenticateToken(ctx, before); err != nil {
		t.Fatalf("a token of the present version: %v", err)
	}
	if _, _, _, err := f.svc.ResetCredentials(ctx, f.user.ID(), orgID, uuid.New()); err != nil {
		t.Fatal(err)
	}
	_, raced, err := f.svc.CreateToken(ctx, appidentity.CreateTokenInput{OrgID: orgID, UserID: p.UserID, Name: "raced", CredentialVersion: p.CredentialVersion})
	if err != nil {
		t.Fatal(err)
	}
	for name, secret := range map[string]string{"made before the reset": before, "made by a request authenticated before it": raced} {
		if _, err := f.svc.AuthenticateToken(ctx, secret); errs.CodeOf(err) != "invalid_token" {
			t.Errorf("a token %s: got %v, want invalid_token", name, err)
		}
	}
}

// TestChangePasswordEndsTheOtherSessions: changing one's password keeps the session it is made
// in and the account's tokens, and ends the other sessions, including one whose sign-in with the
// old password was under way.
func TestChangePasswordEndsTheOtherSessions(t *testing.T) {
	f := newCredFixture(t, "h:Old-Password-1")
	ctx := context.Background()
	mine, other := f.login(t, "Old-Password-1"), f.login(t, "Old-Password-1")
	p, err := f.svc.AuthenticateSession(ctx, mine.Token)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := f.svc.CreateToken(ctx, appidentity.CreateTokenInput{OrgID: uuid.New(), UserID: p.UserID, Name: "ci", CredentialVersion: p.CredentialVersion})
	if err != nil {
		t.Fatal(err)
	}
	raced, err := f.loginDuring(t, "Old-Password-1", func() {
		if err := f.svc.ChangePassword(ctx, p, "Old-Password-1", "New-Password-2"); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	f.refused(t, "a sign-in with the old password that raced the change", raced)
	f.refused(t, "another session", other)
	if _, err := f.svc.AuthenticateSession(ctx, mine.Token); err != nil {
		t.Fatalf("the session the password was changed in: %v", err)
	}
	if _, err := f.svc.AuthenticateToken(ctx, token); err != nil {
		t.Fatalf("a token of the account: %v", err)
	}
	f.login(t, "New-Password-2")
}

// TestChangePasswordOfAnAccountWithoutOne: an account without a password (its credentials were
// reset while the caller was signed in) answers as a wrong current password, not with an error
// of the hasher.
func TestChangePasswordOfAnAccountWithoutOne(t *testing.T) {
	f := newCredFixture(t, "")
	p := appidentity.Principal{UserID: f.user.ID(), Method: appidentity.MethodSession, SessionID: uuid.New()}
	err := f.svc.ChangePassword(context.Background(), p, "Any-Password-1", "New-Password-2")
	if !errs.Is(err, errs.Invalid) || errs.CodeOf(err) != "wrong_password" {
		t.Fatalf("got %v, want Invalid wrong_password", err)
	}
}

// TestUserChangesReadTheRowLocked: every use case that changes a user reads it with
// GetForUpdate in its transaction (the fake's Update refuses anything else), so a slow step
// between the read and the write cannot put back what a concurrent change replaced.
func TestUserChangesReadTheRowLocked(t *testing.T) {
	ctx := context.Background()
	name := "B"
	for what, change := range map[string]func(f credFixture, p appidentity.Principal) error{
		"UpdateProfile": func(f credFixture, p appidentity.Principal) error {
			_, err := f.svc.UpdateProfile(ctx, p, identity.ProfileChange{DisplayName: &name})
			return err
		},
		"ChangePassword": func(f credFixture, p appidentity.Principal) error {
			return f.svc.ChangePassword(ctx, p, "Old-Password-1", "New-Password-2")
		},
		"ChangeAccount": func(f credFixture, p appidentity.Principal) error {
			_, err := f.svc.ChangeAccount(ctx, p.UserID, nil, identity.ProfileChange{DisplayName: &name})
			return err
		},
		"SetPassword": func(f credFixture, p appidentity.Principal) error {
			return f.svc.SetPassword(ctx, p.UserID, "New-Password-2")
		},
		"ResetCredentials": func(f credFixture, p appidentity.Principal) error {
			_, _, _, err := f.svc.ResetCredentials(ctx, p.UserID, uuid.New(), uuid.New())
			return err
		},
		"ResetCredentials, SetInitialPassword": func(f credFixture, p appidentity.Principal) error {
			if _, _, _, err := f.svc.ResetCredentials(ctx, p.UserID, uuid.New(), uuid.New()); err != nil {
				return err
			}
			return f.svc.SetInitialPassword(ctx, p.UserID, "Initial-Password-3")
		},
		"ResetCredentials, Activate": func(f credFixture, p appidentity.Principal) error {
			t, _, _, err := f.svc.ResetCredentials(ctx, p.UserID, uuid.New(), uuid.New())
			if err != nil {
				return err
			}
			_, err = f.svc.Activate(ctx, t, "Own-Password-3")
			return err
		},
		"DisableAccount, EnableAccount": func(f credFixture, p appidentity.Principal) error {
			if _, err := f.svc.DisableAccount(ctx, p.UserID); err != nil {
				return err
			}
			_, err := f.svc.EnableAccount(ctx, p.UserID)
			return err
		},
		"GrantInstallationAdmin": func(f credFixture, p appidentity.Principal) error {
			_, err := f.svc.GrantInstallationAdmin(ctx, p.UserID)
			return err
		},
	} {
		f := newCredFixture(t, "h:Old-Password-1")
		p := appidentity.Principal{UserID: f.user.ID(), Method: appidentity.MethodSession, SessionID: uuid.New()}
		if err := change(f, p); err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
}
