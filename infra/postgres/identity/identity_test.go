package identity_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/org"
	"canopy/infra/pinyin"
	pgidentity "canopy/infra/postgres/identity"
	pgorg "canopy/infra/postgres/org"
	"canopy/infra/postgres/pgtest"
)

func TestUsersEmailIsUniqueIgnoringCase(t *testing.T) {
	db := pgtest.MustDB(t)
	pgtest.MustUser(t, db, "same@example.com")
	u, _ := identity.NewUser(identity.NewUserInput{Email: "SAME@example.com", DisplayName: "U", PasswordHash: "h"}, time.Now())
	err := pgidentity.NewUsers(db, pinyin.Keys).Create(context.Background(), u)
	if !errs.Is(err, errs.Conflict) {
		t.Fatalf("duplicate email: %v", err)
	}
	if _, err := pgidentity.NewUsers(db, pinyin.Keys).Get(context.Background(), uuid.New()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("missing user: %v", err)
	}
}

func TestAttemptLimiterWindows(t *testing.T) {
	db := pgtest.MustDB(t)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	l := pgidentity.NewAttemptLimiter(db, func() time.Time { return now })
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if wait, err := l.Take(ctx, "k", 3, time.Minute); err != nil || wait != 0 {
			t.Fatalf("attempt %d within the limit: %v %v", i, wait, err)
		}
	}
	now = now.Add(20 * time.Second)
	wait, err := l.Take(ctx, "k", 3, time.Minute)
	if err != nil || wait != 40*time.Second {
		t.Fatalf("past the limit: %v %v", wait, err)
	}
	// A refused attempt is not counted: a refund makes room for exactly one more.
	if err := l.Refund(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if wait, _ := l.Take(ctx, "k", 3, time.Minute); wait != 0 {
		t.Fatalf("after a refund: blocked %v", wait)
	}
	if wait, _ := l.Take(ctx, "k", 3, time.Minute); wait == 0 {
		t.Fatal("past the limit again but allowed")
	}
	// Another key has its own count.
	if wait, _ := l.Take(ctx, "other", 3, time.Minute); wait != 0 {
		t.Fatalf("another key blocked %v", wait)
	}
	// Once the window has passed, a new one starts at one attempt.
	now = now.Add(41 * time.Second)
	for i := 0; i < 3; i++ {
		if wait, _ := l.Take(ctx, "k", 3, time.Minute); wait != 0 {
			t.Fatalf("new window, attempt %d: blocked %v", i, wait)
		}
	}
	if wait, _ := l.Take(ctx, "k", 3, time.Minute); wait != time.Minute {
		t.Fatalf("new window past the limit: %v", wait)
	}
	if err := l.Clear(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if wait, _ := l.Take(ctx, "k", 3, time.Minute); wait != 0 {
		t.Fatalf("after clear: blocked %v", wait)
	}
}

// TestAttemptLimiterCannotBeRaced takes 50 attempts at once against a limit of 5: the count and
// the check are one statement, so exactly 5 are allowed. Checking first and counting after, as
// the limiter once did, lets most of them through.
func TestAttemptLimiterCannotBeRaced(t *testing.T) {
	db := pgtest.MustDB(t)
	l := pgidentity.NewAttemptLimiter(db, time.Now)
	const tries, limit = 50, 5
	var allowed atomic.Int32
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range tries {
		wg.Go(func() {
			<-start
			wait, err := l.Take(context.Background(), "raced", limit, time.Hour)
			if err != nil {
				t.Error(err)
				return
			}
			if wait == 0 {
				allowed.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if n := allowed.Load(); n != limit {
		t.Fatalf("%d of %d concurrent attempts allowed, want exactly %d", n, tries, limit)
	}
}

func TestTokensRevokeByMember(t *testing.T) {
	db := pgtest.MustDB(t)
	u := pgtest.MustUser(t, db, "t@example.com")
	o := pgtest.MustOrg(t, db, u)
	repo := pgidentity.NewTokens(db)
	ctx := context.Background()
	tok, secret, err := identity.NewAPIToken(o.ID(), u.ID(), 0, "ci", nil, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Create(ctx, tok); err != nil {
		t.Fatal(err)
	}
	got, err := repo.GetByHash(ctx, identity.HashSecret(secret))
	if err != nil || got.ID() != tok.ID() || !got.HasScope(identity.ScopeAPI) {
		t.Fatalf("get: %v %v", got, err)
	}
	if err := repo.RevokeByMember(ctx, o.ID(), u.ID(), time.Now()); err != nil {
		t.Fatal(err)
	}
	got, _ = repo.GetByHash(ctx, identity.HashSecret(secret))
	if got.Usable(time.Now()) {
		t.Fatal("token usable after revocation")
	}
}

func TestTokensListByOrgAndRevokeInOrg(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	a, b := pgtest.MustUser(t, db, "a@tokens.example"), pgtest.MustUser(t, db, "b@tokens.example")
	o, other := pgtest.MustOrg(t, db, a), pgtest.MustOrg(t, db, b)
	if err := pgorg.NewMemberships(db).Add(ctx, org.NewMembership(o.ID(), b.ID(), org.RoleAdmin, time.Now())); err != nil {
		t.Fatal(err)
	}
	repo := pgidentity.NewTokens(db)
	mk := func(orgID, userID uuid.UUID, scope string) *identity.APIToken {
		tok, _, err := identity.NewAPIToken(orgID, userID, 0, scope+" token", []string{scope}, 0, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := repo.Create(ctx, tok); err != nil {
			t.Fatal(err)
		}
		return tok
	}
	s1, s2 := mk(o.ID(), a.ID(), identity.ScopeSCIM), mk(o.ID(), b.ID(), identity.ScopeSCIM)
	api := mk(o.ID(), a.ID(), identity.ScopeAPI)
	foreign := mk(other.ID(), b.ID(), identity.ScopeSCIM)

	got, err := repo.ListByOrg(ctx, o.ID(), identity.ScopeSCIM)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[uuid.UUID]bool{}
	for _, tok := range got {
		ids[tok.ID()] = true
	}
	if len(got) != 2 || !ids[s1.ID()] || !ids[s2.ID()] {
		t.Fatalf("SCIM tokens of the organisation: %v", ids)
	}
	// Only a token of the organisation with the scope can be revoked here.
	for _, id := range []uuid.UUID{api.ID(), foreign.ID(), uuid.New()} {
		if err := repo.RevokeInOrg(ctx, o.ID(), identity.ScopeSCIM, id, time.Now()); !errs.Is(err, errs.NotFound) {
			t.Fatalf("revoke %s: %v", id, err)
		}
	}
	if err := repo.RevokeInOrg(ctx, o.ID(), identity.ScopeSCIM, s2.ID(), time.Now()); err != nil {
		t.Fatal(err)
	}
	got, _ = repo.ListByOrg(ctx, o.ID(), identity.ScopeSCIM)
	for _, tok := range got {
		if (tok.ID() == s2.ID()) == tok.Usable(time.Now()) {
			t.Fatalf("token %s usable=%v after revoking s2", tok.Name(), tok.Usable(time.Now()))
		}
	}
}
