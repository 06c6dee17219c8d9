package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"canopy/domain/errs"
	"canopy/domain/org"
	"canopy/infra/localenv/localtest"
	"canopy/infra/pinyin"
	"canopy/infra/postgres"
	pgidentity "canopy/infra/postgres/identity"
	pgorg "canopy/infra/postgres/org"
	"canopy/infra/postgres/pgtest"
)

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

func TestTransactionRollsBackEveryRepository(t *testing.T) {
	db := pgtest.MustDB(t)
	tx := postgres.NewTxManager(db)
	users := pgidentity.NewUsers(db, pinyin.Keys)
	owner := pgtest.MustUser(t, db, "owner@example.com")
	o, _ := org.New("Rolled back", "", time.Now())
	err := tx.Within(context.Background(), func(ctx context.Context) error {
		if err := pgorg.NewOrgs(db).Create(ctx, o); err != nil {
			return err
		}
		if err := pgorg.NewMemberships(db).Add(ctx, org.NewMembership(o.ID(), owner.ID(), org.RoleOwner, time.Now())); err != nil {
			return err
		}
		// A second owner row for the same user fails, and takes the organisation with it.
		return pgorg.NewMemberships(db).Add(ctx, org.NewMembership(o.ID(), owner.ID(), org.RoleOwner, time.Now()))
	})
	if !errs.Is(err, errs.Conflict) {
		t.Fatalf("want conflict, got %v", err)
	}
	if _, err := pgorg.NewOrgs(db).Get(context.Background(), o.ID()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("organisation survived the rollback: %v", err)
	}
	if _, err := users.Get(context.Background(), owner.ID()); err != nil {
		t.Fatal(err)
	}
}
