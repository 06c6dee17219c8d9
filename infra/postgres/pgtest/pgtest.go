// Package pgtest holds the builders the PostgreSQL repository contract tests share: a fresh
// database and the users and organisations most tests start from, so that no test depends on
// fixture ids.
package pgtest

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"canopy/domain/identity"
	"canopy/domain/org"
	"canopy/infra/localenv/localtest"
	"canopy/infra/pinyin"
	"canopy/infra/postgres"
	pgidentity "canopy/infra/postgres/identity"
	pgorg "canopy/infra/postgres/org"
)

// MustDB opens a fresh, migrated database and closes it when the test ends.
func MustDB(tb testing.TB) *gorm.DB {
	tb.Helper()
	db, err := postgres.Open(localtest.MustDatabase(tb), postgres.Options{MaxOpenConns: 20})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = postgres.SQL(db).Close() })
	return db
}

// MustUser stores a user with the given email.
func MustUser(tb testing.TB, db *gorm.DB, email string) *identity.User {
	tb.Helper()
	u, err := identity.NewUser(identity.NewUserInput{Email: email, DisplayName: "U", PasswordHash: "$argon2id$x"}, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	if err := pgidentity.NewUsers(db, pinyin.Keys).Create(context.Background(), u); err != nil {
		tb.Fatal(err)
	}
	return u
}

// MustOrg stores an organisation with owner as its owner.
func MustOrg(tb testing.TB, db *gorm.DB, owner *identity.User) *org.Organisation {
	tb.Helper()
	o, err := org.New("Org", "", time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	if err := pgorg.NewOrgs(db).Create(ctx, o); err != nil {
		tb.Fatal(err)
	}
	if err := pgorg.NewMemberships(db).Add(ctx, org.NewMembership(o.ID(), owner.ID(), org.RoleOwner, time.Now())); err != nil {
		tb.Fatal(err)
	}
	return o
}
