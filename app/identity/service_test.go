package identity_test

import (
	"context"
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

// plainHasher "hashes" by prefixing and counts verifications.
type plainHasher struct{ verified int }

func (h *plainHasher) Hash(p string) (string, error) { return "h:" + p, nil }
func (h *plainHasher) Verify(p, enc string) (bool, error) {
	h.verified++
	return enc == "h:"+p, nil
}

type fakeLimiter struct {
	fails   map[string]int
	blocked map[string]time.Duration
	cleared []string
}

func (l *fakeLimiter) Blocked(_ context.Context, key string, _ int, _ time.Duration) (time.Duration, error) {
	return l.blocked[key], nil
}
func (l *fakeLimiter) Fail(_ context.Context, key string, _ time.Duration) error {
	l.fails[key]++
	return nil
}
func (l *fakeLimiter) Clear(_ context.Context, key string) error {
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
func (r fakeUsers) GetByEmail(_ context.Context, e string) (*identity.User, error) {
	if u, ok := r.byEmail[e]; ok {
		return u, nil
	}
	return nil, errs.NotFoundf("user")
}
func (r fakeUsers) Update(context.Context, *identity.User) error { return nil }

type fakeSessions struct{ created []*identity.Session }

func (r *fakeSessions) Create(_ context.Context, s *identity.Session) error {
	r.created = append(r.created, s)
	return nil
}
func (r *fakeSessions) GetByTokenHash(context.Context, []byte) (*identity.Session, error) {
	return nil, errs.NotFoundf("session")
}
func (r *fakeSessions) Touch(context.Context, uuid.UUID, time.Time) error        { return nil }
func (r *fakeSessions) Delete(context.Context, uuid.UUID) error                  { return nil }
func (r *fakeSessions) DeleteByUser(context.Context, uuid.UUID, uuid.UUID) error { return nil }

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
	svc, err := appidentity.NewService(appidentity.Config{SessionTTL: time.Hour, SessionIdleTimeout: time.Hour, LoginAccountLimit: 5, LoginAddressLimit: 50, LoginWindow: time.Minute},
		appidentity.Deps{Tx: fakeTx{}, Clock: fixedClock{time.Now()}, Hasher: f.hasher, Limiter: f.limiter, Users: fakeUsers{byEmail}, Sessions: f.sessions})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	return f
}

func user(t *testing.T, email, pw string, status identity.UserStatus) *identity.User {
	t.Helper()
	return identity.RehydrateUser(uuid.New(), email, "U", identity.LocaleEN, "UTC", status, "h:"+pw, time.Now(), time.Now())
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
	if len(f.limiter.cleared) != 1 || f.limiter.cleared[0] != "login:account:a@b.co" {
		t.Fatalf("cleared %v", f.limiter.cleared)
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
	if f.limiter.fails["login:address:1.2.3.4"] != 3 || f.limiter.fails["login:account:a@b.co"] != 1 {
		t.Fatalf("fails %v", f.limiter.fails)
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

func TestCSRFOnlyForSessions(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.VerifyCSRF(appidentity.Principal{Method: appidentity.MethodToken}, ""); err != nil {
		t.Fatalf("token needs no CSRF: %v", err)
	}
	if err := f.svc.VerifyCSRF(appidentity.Principal{Method: appidentity.MethodSession}, "anything"); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("session without the right token: %v", err)
	}
}
