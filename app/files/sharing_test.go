package files

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/files"
)

var testNow = time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)

type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

// fakeShares answers Strongest from a fixed role and records what it was asked.
type fakeShares struct {
	files.ShareRepository
	role       files.Role
	principals []files.Principal
	targets    []files.Target
	asked      bool
}

func (f *fakeShares) Strongest(_ context.Context, _ uuid.UUID, ps []files.Principal, ts []files.Target) (files.Role, bool, error) {
	f.asked, f.principals, f.targets = true, ps, ts
	return f.role, f.role != "", nil
}

// TestShareLevels: the access check asks for the file and every folder on its path, for the
// user, each of their groups and each of their departments with those above them; an editor
// share writes, a viewer share reads, none gives nothing, and nothing at all is asked when
// there is nothing to ask about.
func TestShareLevels(t *testing.T) {
	user, group := uuid.New(), uuid.New()
	dept, parent := uuid.New(), uuid.New()
	p := Principals{UserID: user, Groups: []uuid.UUID{group}, Departments: []Department{{ID: parent}, {ID: dept}}}
	file, f1, f2 := uuid.New(), uuid.New(), uuid.New()
	for _, c := range []struct {
		role files.Role
		want Level
	}{{files.RoleEditor, LevelWrite}, {files.RoleViewer, LevelRead}, {"", LevelNone}} {
		repo := &fakeShares{role: c.role}
		l, err := NewShareLevels(repo).Level(context.Background(), uuid.New(), p, file, []uuid.UUID{f1, f2})
		if err != nil || l != c.want {
			t.Fatalf("role %q: level %v, %v; want %v", c.role, l, err, c.want)
		}
		wantP := []files.Principal{{Type: files.PrincipalUser, ID: user}, {Type: files.PrincipalGroup, ID: group},
			{Type: files.PrincipalDepartment, ID: parent}, {Type: files.PrincipalDepartment, ID: dept}}
		wantT := []files.Target{{Type: files.TargetFile, ID: file}, {Type: files.TargetFolder, ID: f1}, {Type: files.TargetFolder, ID: f2}}
		if !equal(repo.principals, wantP) || !equal(repo.targets, wantT) {
			t.Fatalf("asked for %v on %v; want %v on %v", repo.principals, repo.targets, wantP, wantT)
		}
	}
	repo := &fakeShares{role: files.RoleEditor}
	if l, err := NewShareLevels(repo).Level(context.Background(), uuid.New(), p, uuid.Nil, nil); err != nil || l != LevelNone || repo.asked {
		t.Fatalf("a space's root: level %v, %v, asked %v; want none without asking", l, err, repo.asked)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// fakeLinks holds links in memory.
type fakeLinks struct {
	files.LinkRepository
	links  []*files.Link
	grants map[string]time.Time
}

func (f *fakeLinks) ByTokenHash(_ context.Context, h []byte) (*files.Link, error) {
	for _, l := range f.links {
		if bytes.Equal(l.TokenHash(), h) {
			return l, nil
		}
	}
	return nil, files.ErrLinkUnavailable()
}

func (f *fakeLinks) AddGrant(_ context.Context, _ *files.Link, h []byte, until time.Time) error {
	f.grants[string(h)] = until
	return nil
}

func (f *fakeLinks) HasGrant(_ context.Context, _ *files.Link, h []byte, now time.Time) (bool, error) {
	until, ok := f.grants[string(h)]
	return ok && now.Before(until), nil
}

// fakeLimiter counts attempts per key, as the PostgreSQL limiter does, in one window.
type fakeLimiter struct{ n map[string]int }

func (f *fakeLimiter) Take(_ context.Context, key string, limit int, _ time.Duration) (time.Duration, error) {
	if f.n[key] >= limit {
		return time.Minute, nil
	}
	f.n[key]++
	return 0, nil
}

func (f *fakeLimiter) Refund(_ context.Context, key string) error {
	if f.n[key] > 0 {
		f.n[key]--
	}
	return nil
}

// fakeHasher "hashes" in the clear, in the argon2id format's shape.
type fakeHasher struct{}

func (fakeHasher) Hash(p string) (string, error)      { return "$argon2id$" + p, nil }
func (fakeHasher) Verify(p, enc string) (bool, error) { return enc == "$argon2id$"+p, nil }

type unlockFixture struct {
	svc     *Service
	links   *fakeLinks
	limiter *fakeLimiter
	clock   *fixedClock
}

func newUnlockFixture(t *testing.T, cfg SharingConfig) *unlockFixture {
	t.Helper()
	fx := &unlockFixture{links: &fakeLinks{grants: map[string]time.Time{}}, limiter: &fakeLimiter{n: map[string]int{}}, clock: &fixedClock{testNow}}
	fx.svc = NewService(Deps{Clock: fx.clock, Sharing: SharingDeps{Links: fx.links, Hasher: fakeHasher{}, Limiter: fx.limiter, Config: cfg}})
	return fx
}

func (fx *unlockFixture) link(t *testing.T, password string, expires time.Time) string {
	t.Helper()
	terms, err := files.NewLinkTerms(expires, 0, password != "", files.DefaultPolicy(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	hash := ""
	if password != "" {
		hash, _ = fakeHasher{}.Hash(password)
	}
	l, token, err := files.NewLink(uuid.New(), files.Target{Type: files.TargetFile, ID: uuid.New()}, terms, hash, uuid.New(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	fx.links.links = append(fx.links.links, l)
	return token
}

func wantCode(t *testing.T, what string, err error, kind errs.Kind, code string) {
	t.Helper()
	if !errs.Is(err, kind) || errs.CodeOf(err) != code {
		t.Fatalf("%s: got %v, want %v %s", what, err, kind, code)
	}
}

// TestUnlockIsRateLimited: a wrong password is Forbidden wrong_password until the client's
// address has used up its allowance, then TooManyRequests with a time to wait, even with the
// right password; a right password before that costs nothing; and guesses from many addresses
// together stop at the link's own limit.
func TestUnlockIsRateLimited(t *testing.T) {
	ctx := context.Background()
	fx := newUnlockFixture(t, SharingConfig{UnlockAddressLimit: 3, UnlockLinkLimit: 5})
	token := fx.link(t, "s3cret-pass", time.Time{})
	for range 5 {
		if _, err := fx.svc.Unlock(ctx, Visit{Token: token, IP: "192.0.2.1"}, "s3cret-pass"); err != nil {
			t.Fatalf("the right password: %v", err)
		}
	}
	for i := range 3 {
		_, err := fx.svc.Unlock(ctx, Visit{Token: token, IP: "192.0.2.1"}, "guess")
		wantCode(t, "wrong password "+string(rune('1'+i)), err, errs.Forbidden, "wrong_password")
	}
	_, err := fx.svc.Unlock(ctx, Visit{Token: token, IP: "192.0.2.1"}, "guess")
	wantCode(t, "a fourth wrong password from one address", err, errs.TooManyRequests, "too_many_attempts")
	if e, ok := err.(*errs.Error); !ok || e.RetryAfter <= 0 {
		t.Fatalf("the refusal does not say how long to wait: %#v", err)
	}
	_, err = fx.svc.Unlock(ctx, Visit{Token: token, IP: "192.0.2.1"}, "s3cret-pass")
	wantCode(t, "the right password from a limited address", err, errs.TooManyRequests, "too_many_attempts")

	// The link's own limit (5) stops guesses spread over addresses: two more from others pass
	// it, and then even a fresh address is refused.
	for _, ip := range []string{"198.51.100.1", "198.51.100.2"} {
		_, err := fx.svc.Unlock(ctx, Visit{Token: token, IP: ip}, "guess")
		wantCode(t, "a wrong password from "+ip, err, errs.Forbidden, "wrong_password")
	}
	_, err = fx.svc.Unlock(ctx, Visit{Token: token, IP: "203.0.113.9"}, "guess")
	wantCode(t, "a guess past the link's limit", err, errs.TooManyRequests, "too_many_attempts")
	if fx.limiter.n["link-unlock:address:203.0.113.9"] != 0 {
		t.Fatal("a refusal by the link's limit used up the address's allowance")
	}
	// Another link is not affected by this one's guesses from elsewhere.
	other := fx.link(t, "other-pass", time.Time{})
	if _, err := fx.svc.Unlock(ctx, Visit{Token: other, IP: "203.0.113.9"}, "other-pass"); err != nil {
		t.Fatalf("another link: %v", err)
	}
}

// TestUnlockGrants: a right password gives a grant that unlocks the link until it expires (and
// never past the link's own expiry); a link without a password gives none; an unknown token
// and an expired link are both link_unavailable.
func TestUnlockGrants(t *testing.T) {
	ctx := context.Background()
	fx := newUnlockFixture(t, SharingConfig{GrantTTL: time.Hour})
	token := fx.link(t, "s3cret-pass", testNow.Add(30*time.Minute))
	g, err := fx.svc.Unlock(ctx, Visit{Token: token, IP: "192.0.2.1"}, "s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	if g.Secret == "" || !g.ExpiresAt.Equal(testNow.Add(30*time.Minute)) {
		t.Fatalf("grant %+v: want a secret until the link's expiry", g)
	}
	l, _ := fx.links.ByTokenHash(ctx, files.HashSecret(token))
	for _, c := range []struct {
		grant string
		want  bool
	}{{g.Secret, true}, {"", false}, {"forged", false}} {
		if ok, err := fx.svc.unlocked(ctx, l, c.grant); err != nil || ok != c.want {
			t.Fatalf("grant %q: unlocked %v, %v; want %v", c.grant, ok, err, c.want)
		}
	}
	open := fx.link(t, "", time.Time{})
	if g, err := fx.svc.Unlock(ctx, Visit{Token: open}, ""); err != nil || g.Secret != "" {
		t.Fatalf("a link without a password: %+v, %v; want no grant", g, err)
	}
	_, err = fx.svc.Unlock(ctx, Visit{Token: "no-such-token"}, "x")
	wantCode(t, "an unknown token", err, errs.NotFound, files.CodeLinkUnavailable)
	fx.clock.t = testNow.Add(31 * time.Minute)
	_, err = fx.svc.Unlock(ctx, Visit{Token: token, IP: "192.0.2.1"}, "s3cret-pass")
	wantCode(t, "an expired link", err, errs.NotFound, files.CodeLinkUnavailable)
}

// TestAddressKey: IPv6 clients are limited by their /64, IPv4 ones by their address.
func TestAddressKey(t *testing.T) {
	if addressKey("2001:db8:1:2:3:4:5:6") != addressKey("2001:db8:1:2:ffff::1") {
		t.Error("two addresses of one /64 are limited apart")
	}
	if addressKey("192.0.2.1") == addressKey("192.0.2.2") {
		t.Error("two IPv4 addresses share a limit")
	}
}
