package identity_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/infra/pinyin"
	pgidentity "canopy/infra/postgres/identity"
	"canopy/infra/postgres/pgtest"
)

// TestActivationLinks: a link is found by its hash, used once even by concurrent callers, never
// after it expires, and a new link for the account ends the older ones.
func TestActivationLinks(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	owner := pgtest.MustUser(t, db, "owner@act.example")
	o := pgtest.MustOrg(t, db, owner)
	u := pgtest.MustUser(t, db, "new@act.example")
	r := pgidentity.NewActivations(db)
	now := time.Now().UTC().Truncate(time.Microsecond)

	first, _, _ := identity.NewActivationToken(u.ID(), o.ID(), owner.ID(), time.Hour, now)
	if err := r.Replace(ctx, first); err != nil {
		t.Fatal(err)
	}
	got, err := r.GetByHash(ctx, first.Hash())
	if err != nil || got.ID() != first.ID() || got.OrgID() != o.ID() || got.CreatedBy() != owner.ID() || !got.Usable(now) {
		t.Fatalf("get: %v %+v", err, got)
	}
	second, _, _ := identity.NewActivationToken(u.ID(), o.ID(), uuid.Nil, time.Hour, now)
	if err := r.Replace(ctx, second); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.GetByHash(ctx, first.Hash()); got.Usable(now) {
		t.Fatal("a new link left the old one working")
	}
	if err := r.Consume(ctx, first.ID(), now); !errs.Is(err, errs.NotFound) {
		t.Fatalf("consuming the replaced link: %v", err)
	}
	if err := r.Consume(ctx, second.ID(), now.Add(time.Hour)); !errs.Is(err, errs.NotFound) {
		t.Fatalf("consuming an expired link: %v", err)
	}

	// Ten at once: exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.Consume(ctx, second.ID(), now); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if !errs.Is(err, errs.NotFound) {
				t.Errorf("consume: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d concurrent uses succeeded", wins)
	}
	if _, err := r.GetByHash(ctx, []byte("unknown")); !errs.Is(err, errs.NotFound) {
		t.Fatalf("unknown: %v", err)
	}
}

// TestUserAccountColumns: the columns that decide who manages an account and what it may do
// are stored and read back.
func TestUserAccountColumns(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	owner := pgtest.MustUser(t, db, "owner@cols.example")
	o := pgtest.MustOrg(t, db, owner)
	users := pgidentity.NewUsers(db, pinyin.Keys)
	u, _ := identity.NewUser(identity.NewUserInput{Email: "p@cols.example", DisplayName: "P", PasswordHash: "h", MustChangePassword: true, CreatedByOrgID: o.ID()}, time.Now())
	if err := users.Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	u.GrantInstallationAdmin(time.Now())
	if err := users.Update(ctx, u); err != nil {
		t.Fatal(err)
	}
	got, err := users.Get(ctx, u.ID())
	if err != nil || got.CreatedByOrgID() != o.ID() || !got.MustChangePassword() || !got.InstallationAdmin() {
		t.Fatalf("read back: %v %+v", err, got)
	}
	got.SetPasswordHash("h2", time.Now())
	if err := users.Update(ctx, got); err != nil {
		t.Fatal(err)
	}
	if again, _ := users.Get(ctx, u.ID()); again.MustChangePassword() {
		t.Fatal("must_change_password was not cleared")
	}
}
