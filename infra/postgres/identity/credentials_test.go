package identity_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/infra/pinyin"
	"canopy/infra/postgres"
	pgidentity "canopy/infra/postgres/identity"
	"canopy/infra/postgres/pgtest"
)

// TestLockedReadWaitsForAConcurrentReset: a change of a user (here a profile change) that reads it
// while a reset of its credentials is under way gets the row as the reset left it, so its
// whole-row write keeps the password cleared and the credential version counted up. The reset
// commits only once the other transaction has read the user or is waiting to: with an unlocked
// read, it reads the row from before the reset and writes the old password back.
func TestLockedReadWaitsForAConcurrentReset(t *testing.T) {
	db := pgtest.MustDB(t)
	users := pgidentity.NewUsers(db, pinyin.Keys)
	tm := postgres.NewTxManager(db)
	ctx := context.Background()
	u := pgtest.MustUser(t, db, "raced@example.com")
	if _, err := users.GetForUpdate(ctx, u.ID()); err == nil {
		t.Fatal("GetForUpdate ran outside a transaction, where its lock would end at once")
	}

	read := make(chan struct{}, 1)
	done := make(chan error, 1)
	err := tm.Within(ctx, func(txCtx context.Context) error {
		reset, err := users.GetForUpdate(txCtx, u.ID())
		if err != nil {
			return err
		}
		reset.ClearPassword(time.Now())
		if err := users.Update(txCtx, reset); err != nil {
			return err
		}
		go func() {
			done <- tm.Within(ctx, func(ctx context.Context) error {
				other, err := users.GetForUpdate(ctx, u.ID())
				if err != nil {
					return err
				}
				read <- struct{}{}
				name := "Renamed"
				if err := other.ChangeProfile(identity.ProfileChange{DisplayName: &name}, time.Now()); err != nil {
					return err
				}
				return users.Update(ctx, other)
			})
		}()
		return waitReadOrLockWait(t, db, read)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got, err := users.Get(ctx, u.ID())
	if err != nil {
		t.Fatal(err)
	}
	if got.HasPassword() || got.CredentialVersion() != 1 || got.DisplayName() != "Renamed" {
		t.Fatalf("after both: password %v, credential version %d, name %q; want no password, version 1, Renamed",
			got.HasPassword(), got.CredentialVersion(), got.DisplayName())
	}
}

// waitReadOrLockWait returns once read has a value, or a backend of the test's database waits for
// a lock. It polls for a state, it does not time anything.
func waitReadOrLockWait(t *testing.T, db *gorm.DB, read <-chan struct{}) error {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-read:
			return nil
		default:
		}
		var waiting int
		if err := db.Raw(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting).Error; err != nil {
			return err
		}
		if waiting > 0 {
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the other transaction neither read the user nor waited for its lock")
	return nil
}

// TestCredentialVersionsAreStored: users, sessions and tokens keep their credential versions, and
// Restamp moves a session, and those of a user's tokens at one version, to another.
func TestCredentialVersionsAreStored(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	users, sessions, tokens := pgidentity.NewUsers(db, pinyin.Keys), pgidentity.NewSessions(db), pgidentity.NewTokens(db)
	u := pgtest.MustUser(t, db, "versions@example.com")
	o := pgtest.MustOrg(t, db, u)
	err := postgres.NewTxManager(db).Within(ctx, func(ctx context.Context) error {
		got, err := users.GetForUpdate(ctx, u.ID())
		if err != nil {
			return err
		}
		got.EndCredentials(time.Now())
		return users.Update(ctx, got)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := users.Get(ctx, u.ID()); got.CredentialVersion() != 1 {
		t.Fatalf("user's version %d, want 1", got.CredentialVersion())
	}

	now := time.Now()
	_, hash := identity.NewSecret("")
	s := &identity.Session{ID: u.ID(), UserID: u.ID(), TokenHash: hash, CSRFHash: []byte("csrf-hash"), IP: "10.1.2.3", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), CredentialVersion: 1}
	if err := sessions.Create(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := sessions.Restamp(ctx, s.ID, 2); err != nil {
		t.Fatal(err)
	}
	got, owner, err := sessions.GetWithUser(ctx, hash)
	if err != nil || got.CredentialVersion != 2 || got.ID != s.ID || got.UserID != u.ID() || !bytes.Equal(got.CSRFHash, s.CSRFHash) ||
		got.IP != s.IP || !got.ExpiresAt.Equal(s.ExpiresAt.Truncate(time.Microsecond)) || !got.LastSeenAt.Equal(s.LastSeenAt.Truncate(time.Microsecond)) {
		t.Fatalf("session %+v (%v), want %+v at version 2", got, err, s)
	}
	// The user as it is now: its credentials ended once, above.
	if owner.ID() != u.ID() || owner.Email() != u.Email() || owner.Status() != identity.UserActive || owner.CredentialVersion() != 1 {
		t.Fatalf("session's user %+v, want %s at version 1", owner, u.Email())
	}
	if _, _, err := sessions.GetWithUser(ctx, []byte("no such hash")); !errs.Is(err, errs.NotFound) {
		t.Fatalf("an unknown session: %v", err)
	}

	at1, secret1, _ := identity.NewAPIToken(o.ID(), u.ID(), 1, "one", nil, 0, now)
	at0, secret0, _ := identity.NewAPIToken(o.ID(), u.ID(), 0, "zero", nil, 0, now)
	for _, tok := range []*identity.APIToken{at1, at0} {
		if err := tokens.Create(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if err := tokens.Restamp(ctx, u.ID(), 1, 2); err != nil {
		t.Fatal(err)
	}
	for secret, want := range map[string]int64{secret1: 2, secret0: 0} {
		got, err := tokens.GetByHash(ctx, identity.HashSecret(secret))
		if err != nil {
			t.Fatal(err)
		}
		if got.CredentialVersion() != want {
			t.Errorf("token %s: version %d, want %d", got.Name(), got.CredentialVersion(), want)
		}
	}
}
