package identity_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	appidentity "canopy/app/identity"
	"canopy/domain/errs"
	"canopy/domain/identity"
)

// Fakes for the service's ports: the app logic is tested here; the adapters have their own
// tests against PostgreSQL.

type fakeTx struct{}

func (fakeTx) Within(ctx context.Context, fn func(context.Context) error) error { return fn(ctx) }

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// plainHasher "hashes" by prefixing and counts hashes and verifications.
type plainHasher struct{ hashed, verified int }

func (h *plainHasher) Hash(p string) (string, error) {
	h.hashed++
	return "h:" + p, nil
}
func (h *plainHasher) Verify(p, enc string) (bool, error) {
	h.verified++
	return enc == "h:"+p, nil
}

// fakeLimiter keeps the outstanding attempts per key in fails and refuses past the limit;
// blocked refuses a key outright for the given time.
type fakeLimiter struct {
	fails   map[string]int
	blocked map[string]time.Duration
	cleared []string
}

func (l *fakeLimiter) Take(_ context.Context, key string, limit int, window time.Duration) (time.Duration, error) {
	if w := l.blocked[key]; w > 0 {
		return w, nil
	}
	if l.fails[key] >= limit {
		return window, nil
	}
	l.fails[key]++
	return 0, nil
}
func (l *fakeLimiter) Refund(_ context.Context, key string) error {
	if l.fails[key] > 0 {
		l.fails[key]--
	}
	return nil
}
func (l *fakeLimiter) Clear(_ context.Context, key string) error {
	delete(l.fails, key)
	l.cleared = append(l.cleared, key)
	return nil
}

type fakeUsers struct{ byEmail map[string]*identity.User }

func (r fakeUsers) Create(context.Context, *identity.User) error { return nil }
func (r fakeUsers) Get(_ context.Context, id uuid.UUID) (*identity.User, error) {
	for _, u := range r.byEmail {
		if u.ID() == id {
			return u, nil
		}
	}
	return nil, errs.NotFoundf("user")
}
func (r fakeUsers) GetForUpdate(ctx context.Context, id uuid.UUID) (*identity.User, error) {
	return r.Get(ctx, id)
}
func (r fakeUsers) GetByEmail(_ context.Context, e string) (*identity.User, error) {
	if u, ok := r.byEmail[e]; ok {
		return u, nil
	}
	return nil, errs.NotFoundf("user")
}
func (r fakeUsers) Update(context.Context, *identity.User) error { return nil }

type fakeSessions struct {
	created []*identity.Session
	users   fakeUsers
}

func (r *fakeSessions) Create(_ context.Context, s *identity.Session) error {
	r.created = append(r.created, s)
	return nil
}
func (r *fakeSessions) GetWithUser(ctx context.Context, hash []byte) (*identity.Session, *identity.User, error) {
	for _, s := range r.created {
		if bytes.Equal(s.TokenHash, hash) {
			u, err := r.users.Get(ctx, s.UserID)
			return s, u, err
		}
	}
	return nil, nil, errs.NotFoundf("session")
}
func (r *fakeSessions) Touch(context.Context, uuid.UUID, time.Time) error        { return nil }
func (r *fakeSessions) Delete(context.Context, uuid.UUID) error                  { return nil }
func (r *fakeSessions) DeleteByUser(context.Context, uuid.UUID, uuid.UUID) error { return nil }
func (r *fakeSessions) Restamp(context.Context, uuid.UUID, int64) error          { return nil }

type fixture struct {
	svc      *appidentity.Service
	hasher   *plainHasher
	limiter  *fakeLimiter
	sessions *fakeSessions
}

func newFixture(t *testing.T, users ...*identity.User) fixture {
	t.Helper()
	f := fixture{hasher: &plainHasher{}, limiter: &fakeLimiter{fails: map[string]int{}, blocked: map[string]time.Duration{}}, sessions: &fakeSessions{}}
	byEmail := map[string]*identity.User{}
	for _, u := range users {
		byEmail[u.Email()] = u
	}
	f.sessions.users = fakeUsers{byEmail}
	svc, err := appidentity.NewService(appidentity.Config{SessionTTL: time.Hour, SessionIdleTimeout: time.Hour, LoginAddressLimit: 50, LoginAccountAddressLimit: 5, LoginWindow: time.Minute},
		appidentity.Deps{Tx: fakeTx{}, Clock: fixedClock{time.Now()}, Hasher: f.hasher, Limiter: f.limiter, Users: f.sessions.users, Sessions: f.sessions})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	return f
}

func user(t *testing.T, email, pw string, status identity.UserStatus) *identity.User {
	t.Helper()
	return identity.RehydrateUser(identity.UserRecord{ID: uuid.New(), Email: email, DisplayName: "U", Locale: identity.LocaleEN, TimeZone: "UTC",
		Status: status, PasswordHash: "h:" + pw, CreatedAt: time.Now(), UpdatedAt: time.Now()})
}

func TestLoginSucceedsAndClearsAccountFailures(t *testing.T) {
	f := newFixture(t, user(t, "a@b.co", "right-one", identity.UserActive))
	ns, err := f.svc.Login(context.Background(), appidentity.LoginInput{Email: "A@B.co", Password: "right-one", IP: "10.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ns.Token) < 40 || len(ns.CSRFToken) < 40 || len(f.sessions.created) != 1 {
		t.Fatalf("session: %+v", ns)
	}
	// Only hashes are stored.
	if string(f.sessions.created[0].TokenHash) == ns.Token {
		t.Fatal("the session token is stored in clear")
	}
	// The account's count from this address is forgotten, and the address's reservation given
	// back: a right password is not a failure.
	if len(f.limiter.cleared) != 1 || f.limiter.cleared[0] != "login:account-address:a@b.co 10.0.0.1" {
		t.Fatalf("cleared %v", f.limiter.cleared)
	}
	if n := f.limiter.fails["login:address:10.0.0.1"]; n != 0 {
		t.Fatalf("the address still holds %d attempts after a success", n)
	}
}

func TestLoginFailuresLookAlikeAndAreCounted(t *testing.T) {
	f := newFixture(t, user(t, "a@b.co", "right-one", identity.UserActive), user(t, "gone@b.co", "right-one", identity.UserDeactivated))
	for _, in := range []appidentity.LoginInput{
		{Email: "a@b.co", Password: "wrong-one", IP: "1.2.3.4"},
		{Email: "nobody@b.co", Password: "wrong-one", IP: "1.2.3.4"},
		{Email: "gone@b.co", Password: "right-one", IP: "1.2.3.4"},
	} {
		before := f.hasher.verified
		_, err := f.svc.Login(context.Background(), in)
		if errs.CodeOf(err) != "invalid_credentials" {
			t.Fatalf("%s: %v", in.Email, err)
		}
		// An unknown account costs a hash check too, so timing does not tell accounts apart.
		if f.hasher.verified != before+1 {
			t.Fatalf("%s: no password verification", in.Email)
		}
	}
	if f.limiter.fails["login:address:1.2.3.4"] != 3 || f.limiter.fails["login:account-address:a@b.co 1.2.3.4"] != 1 {
		t.Fatalf("fails %v", f.limiter.fails)
	}
}

// TestLoginStrangerCannotLockOutTheOwner: wrong passwords from one address use up that
// address's allowance for the account, not the owner's, who signs in from theirs. The limit
// per account alone that let a stranger lock anyone out is gone.
func TestLoginStrangerCannotLockOutTheOwner(t *testing.T) {
	f := newFixture(t, user(t, "a@b.co", "right-one", identity.UserActive))
	ctx := context.Background()
	for i := range 8 {
		_, err := f.svc.Login(ctx, appidentity.LoginInput{Email: "a@b.co", Password: "guess", IP: "6.6.6.6"})
		want := "invalid_credentials"
		if i >= 5 {
			want = "too_many_attempts"
		}
		if errs.CodeOf(err) != want {
			t.Fatalf("guess %d: %v, want %s", i, err, want)
		}
	}
	// The refused guesses checked no password and did not count against the address.
	if f.hasher.verified != 5 || f.limiter.fails["login:address:6.6.6.6"] != 5 {
		t.Fatalf("verified %d, address count %d", f.hasher.verified, f.limiter.fails["login:address:6.6.6.6"])
	}
	if _, err := f.svc.Login(ctx, appidentity.LoginInput{Email: "a@b.co", Password: "right-one", IP: "10.0.0.1"}); err != nil {
		t.Fatalf("the owner is locked out: %v", err)
	}
	// Even the right password waits at the address that used up its allowance.
	if _, err := f.svc.Login(ctx, appidentity.LoginInput{Email: "a@b.co", Password: "right-one", IP: "6.6.6.6"}); !errs.Is(err, errs.TooManyRequests) {
		t.Fatalf("right password from the guessing address: %v", err)
	}
}

// TestLoginIPv6ClientIsOneAddress: the addresses of one IPv6 /64 share their counts, since one
// client usually holds the whole /64 and could otherwise rotate through it.
func TestLoginIPv6ClientIsOneAddress(t *testing.T) {
	f := newFixture(t, user(t, "a@b.co", "right-one", identity.UserActive))
	for i := range 6 {
		_, err := f.svc.Login(context.Background(), appidentity.LoginInput{Email: "a@b.co", Password: "guess", IP: fmt.Sprintf("2001:db8:1:2::%x", i+1)})
		if i == 5 && !errs.Is(err, errs.TooManyRequests) {
			t.Fatalf("the sixth guess from the same /64: %v", err)
		}
	}
}

// TestChangePasswordChecksAreThrottled: the checks of the current password are counted per
// user; past the limit the password is not even checked, and the right one waits too.
func TestChangePasswordChecksAreThrottled(t *testing.T) {
	u := user(t, "a@b.co", "right-one", identity.UserActive)
	f := newFixture(t, u)
	ctx := context.Background()
	p := appidentity.Principal{UserID: u.ID(), Method: appidentity.MethodSession, SessionID: uuid.New()}
	for i := range 5 {
		if err := f.svc.ChangePassword(ctx, p, "guess", "Another-Long-One-9"); errs.CodeOf(err) != "wrong_password" {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	verified, hashed := f.hasher.verified, f.hasher.hashed
	err := f.svc.ChangePassword(ctx, p, "right-one", "Another-Long-One-9")
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.TooManyRequests || e.RetryAfter <= 0 {
		t.Fatalf("past the limit: %v", err)
	}
	if f.hasher.verified != verified {
		t.Fatal("a refused change still checked the password")
	}
	// A refused attempt must cost nothing: not even hashing the new password.
	if f.hasher.hashed != hashed {
		t.Fatal("a refused change still hashed the new password")
	}
}

func TestLoginBlockedAnswersTooManyRequests(t *testing.T) {
	f := newFixture(t, user(t, "a@b.co", "right-one", identity.UserActive))
	f.limiter.blocked["login:address:9.9.9.9"] = 90 * time.Second
	_, err := f.svc.Login(context.Background(), appidentity.LoginInput{Email: "a@b.co", Password: "right-one", IP: "9.9.9.9"})
	var e *errs.Error
	if !errs.Is(err, errs.TooManyRequests) {
		t.Fatalf("got %v", err)
	}
	if e = err.(*errs.Error); e.RetryAfter != 90*time.Second {
		t.Fatalf("retry after %v", e.RetryAfter)
	}
	if f.hasher.verified != 0 {
		t.Fatal("a blocked attempt still checked the password")
	}
}

// TestCSRFAgainstTheStoredHash signs in through the real code path, so the session's CSRF hash
// is the one StartSession stored, and checks that exactly that session's token passes.
func TestCSRFAgainstTheStoredHash(t *testing.T) {
	f := newFixture(t, user(t, "a@b.co", "right-one", identity.UserActive))
	ctx := context.Background()
	mine, err := f.svc.Login(ctx, appidentity.LoginInput{Email: "a@b.co", Password: "right-one", IP: "10.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := f.svc.Login(ctx, appidentity.LoginInput{Email: "a@b.co", Password: "right-one", IP: "10.0.0.2"})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(f.sessions.created[0].CSRFHash, []byte(mine.CSRFToken)) || len(f.sessions.created[0].CSRFHash) == 0 {
		t.Fatal("the CSRF token is not stored as a hash")
	}
	p, err := f.svc.AuthenticateSession(ctx, mine.Token)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.VerifyCSRF(p, mine.CSRFToken); err != nil {
		t.Fatalf("the session's own CSRF token was refused: %v", err)
	}
	for name, token := range map[string]string{"empty": "", "wrong": "not-the-token", "another session's": other.CSRFToken, "the session token": mine.Token} {
		if err := f.svc.VerifyCSRF(p, token); errs.CodeOf(err) != "csrf_failed" {
			t.Errorf("%s CSRF token: got %v, want csrf_failed", name, err)
		}
	}
	if err := f.svc.VerifyCSRF(appidentity.Principal{Method: appidentity.MethodToken}, ""); err != nil {
		t.Fatalf("an API token needs no CSRF token: %v", err)
	}
}
