package org_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/org"
	pgorg "canopy/infra/postgres/org"
	"canopy/infra/postgres/pgtest"
)

func TestInvitationUseNeverPassesMaxUses(t *testing.T) {
	db := pgtest.MustDB(t)
	owner := pgtest.MustUser(t, db, "o@example.com")
	o := pgtest.MustOrg(t, db, owner)
	repo := pgorg.NewInvitations(db)
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
