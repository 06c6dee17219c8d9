package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/org"
	"canopy/infra/localenv/localtest"
	"canopy/infra/pinyin"
	"canopy/infra/postgres"
)

func mustDB(tb testing.TB) *gorm.DB {
	tb.Helper()
	db, err := postgres.Open(localtest.MustDatabase(tb), postgres.Options{MaxOpenConns: 20})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = postgres.SQL(db).Close() })
	return db
}

func mustUser(tb testing.TB, db *gorm.DB, email string) *identity.User {
	tb.Helper()
	u, err := identity.NewUser(identity.NewUserInput{Email: email, DisplayName: "U", PasswordHash: "$argon2id$x"}, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	if err := postgres.NewUsers(db, pinyin.Keys).Create(context.Background(), u); err != nil {
		tb.Fatal(err)
	}
	return u
}

func mustOrg(tb testing.TB, db *gorm.DB, owner *identity.User) *org.Organisation {
	tb.Helper()
	o, err := org.New("Org", "", time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	if err := postgres.NewOrgs(db).Create(ctx, o); err != nil {
		tb.Fatal(err)
	}
	if err := postgres.NewMemberships(db).Add(ctx, org.NewMembership(o.ID(), owner.ID(), org.RoleOwner, time.Now())); err != nil {
		tb.Fatal(err)
	}
	return o
}

// TestMigrateConcurrently starts migrations from several "replicas" at once on an empty database:
// the advisory lock lets exactly one apply each migration and the others find nothing to do.
func TestMigrateConcurrently(t *testing.T) {
	url := localtest.MustEmptyDatabase(t)
	var wg sync.WaitGroup
	applied := make(chan int, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := postgres.Open(url, postgres.Options{MaxOpenConns: 2})
			if err != nil {
				t.Error(err)
				return
			}
			defer postgres.SQL(db).Close()
			got, err := postgres.Migrate(context.Background(), db)
			if err != nil {
				t.Error(err)
				return
			}
			applied <- len(got)
		}()
	}
	wg.Wait()
	close(applied)
	total, winners := 0, 0
	for n := range applied {
		total += n
		if n > 0 {
			winners++
		}
	}
	if winners != 1 || total < 2 {
		t.Fatalf("%d replicas applied %d migrations; want one replica to apply them all", winners, total)
	}
}

func TestUsersEmailIsUniqueIgnoringCase(t *testing.T) {
	db := mustDB(t)
	mustUser(t, db, "same@example.com")
	u, _ := identity.NewUser(identity.NewUserInput{Email: "SAME@example.com", DisplayName: "U", PasswordHash: "h"}, time.Now())
	err := postgres.NewUsers(db, pinyin.Keys).Create(context.Background(), u)
	if !errs.Is(err, errs.Conflict) {
		t.Fatalf("duplicate email: %v", err)
	}
	if _, err := postgres.NewUsers(db, pinyin.Keys).Get(context.Background(), uuid.New()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("missing user: %v", err)
	}
}

func TestTransactionRollsBackEveryRepository(t *testing.T) {
	db := mustDB(t)
	tx := postgres.NewTxManager(db)
	users := postgres.NewUsers(db, pinyin.Keys)
	owner := mustUser(t, db, "owner@example.com")
	o, _ := org.New("Rolled back", "", time.Now())
	err := tx.Within(context.Background(), func(ctx context.Context) error {
		if err := postgres.NewOrgs(db).Create(ctx, o); err != nil {
			return err
		}
		if err := postgres.NewMemberships(db).Add(ctx, org.NewMembership(o.ID(), owner.ID(), org.RoleOwner, time.Now())); err != nil {
			return err
		}
		// A second owner row for the same user fails, and takes the organisation with it.
		return postgres.NewMemberships(db).Add(ctx, org.NewMembership(o.ID(), owner.ID(), org.RoleOwner, time.Now()))
	})
	if !errs.Is(err, errs.Conflict) {
		t.Fatalf("want conflict, got %v", err)
	}
	if _, err := postgres.NewOrgs(db).Get(context.Background(), o.ID()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("organisation survived the rollback: %v", err)
	}
	if _, err := users.Get(context.Background(), owner.ID()); err != nil {
		t.Fatal(err)
	}
}

func TestInvitationUseNeverPassesMaxUses(t *testing.T) {
	db := mustDB(t)
	owner := mustUser(t, db, "o@example.com")
	o := mustOrg(t, db, owner)
	repo := postgres.NewInvitations(db)
	_, hash := identity.NewSecret("")
	inv, err := org.NewInvitation(o.ID(), owner.ID(), org.RoleMember, 5, 0, hash, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := repo.Create(ctx, inv); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, usedUp := 0, 0
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := repo.Use(ctx, inv.ID(), time.Now())
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errs.CodeOf(err) == "invitation_used_up":
				usedUp++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok != 5 || usedUp != 15 {
		t.Fatalf("ok=%d usedUp=%d", ok, usedUp)
	}
	if err := repo.Use(ctx, inv.ID(), time.Now().Add(8*24*time.Hour)); errs.CodeOf(err) != "invitation_expired" && errs.CodeOf(err) != "invitation_used_up" {
		t.Fatalf("late use: %v", err)
	}
	// Another organisation's id cannot revoke it.
	if err := repo.Revoke(ctx, uuid.New(), inv.ID(), time.Now()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("foreign revoke: %v", err)
	}
}

func TestAttemptLimiterWindows(t *testing.T) {
	db := mustDB(t)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	l := postgres.NewAttemptLimiter(db, func() time.Time { return now })
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if err := l.Fail(ctx, "k", time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	wait, err := l.Blocked(ctx, "k", 3, time.Minute)
	if err != nil || wait != time.Minute {
		t.Fatalf("blocked: %v %v", wait, err)
	}
	if wait, _ := l.Blocked(ctx, "k", 4, time.Minute); wait != 0 {
		t.Fatalf("under the limit but blocked %v", wait)
	}
	now = now.Add(61 * time.Second)
	if wait, _ := l.Blocked(ctx, "k", 3, time.Minute); wait != 0 {
		t.Fatalf("window passed but blocked %v", wait)
	}
	// A failure after the window starts a new count.
	if err := l.Fail(ctx, "k", time.Minute); err != nil {
		t.Fatal(err)
	}
	if wait, _ := l.Blocked(ctx, "k", 2, time.Minute); wait != 0 {
		t.Fatalf("new window counted old failures")
	}
	if err := l.Clear(ctx, "k"); err != nil {
		t.Fatal(err)
	}
}

func TestTokensRevokeByMember(t *testing.T) {
	db := mustDB(t)
	u := mustUser(t, db, "t@example.com")
	o := mustOrg(t, db, u)
	repo := postgres.NewTokens(db)
	ctx := context.Background()
	tok, secret, err := identity.NewAPIToken(o.ID(), u.ID(), "ci", nil, time.Hour, time.Now())
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
