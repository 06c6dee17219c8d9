package org_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	apporg "canopy/app/org"
	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/org"
	"canopy/infra/pinyin"
	pgidentity "canopy/infra/postgres/identity"
	pgorg "canopy/infra/postgres/org"
	"canopy/infra/postgres/pgtest"
)

// TestAccountTies: the reader returns the facts the domain decides from: the creating
// organisation, the organisation of the email's domain and every membership.
func TestAccountTies(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	a := pgtest.MustOrg(t, db, pgtest.MustUser(t, db, "owner@a.example"))
	b := pgtest.MustOrg(t, db, pgtest.MustUser(t, db, "owner@b.example"))
	u, _ := identity.NewUser(identity.NewUserInput{Email: "p@Acme.example", DisplayName: "P", CreatedByOrgID: a.ID()}, time.Now())
	if err := pgidentity.NewUsers(db, pinyin.Keys).Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	ms := pgorg.NewMemberships(db)
	if err := ms.Add(ctx, org.NewMembership(a.ID(), u.ID(), org.RoleAdmin, time.Now())); err != nil {
		t.Fatal(err)
	}
	r := pgorg.NewAccounts(db)
	ties, err := r.Ties(ctx, []uuid.UUID{u.ID(), uuid.New()})
	if err != nil || len(ties) != 1 {
		t.Fatalf("%v %v", err, ties)
	}
	got := ties[u.ID()]
	if got.CreatedByOrgID != a.ID() || got.DomainOrgID != uuid.Nil || len(got.Memberships) != 1 || got.Memberships[0].Role != org.RoleAdmin || !got.ManagedBy(a.ID()) {
		t.Fatalf("ties: %+v", got)
	}
	ds := pgorg.NewDomains(db)
	d, _ := org.NewEmailDomain(b.ID(), "acme.example", time.Now())
	if err := ds.Assign(ctx, d); err != nil {
		t.Fatal(err)
	}
	ties, _ = r.Ties(ctx, []uuid.UUID{u.ID()})
	if got := ties[u.ID()]; got.DomainOrgID != b.ID() || !got.ManagedBy(b.ID()) || got.ManagedBy(a.ID()) {
		t.Fatalf("with the domain assigned: %+v", got)
	}
	// The accounts in the domain: p, made by A, so not by B.
	pgtest.MustUser(t, db, "q@acme.example.org") // another domain
	if total, elsewhere, err := r.InDomain(ctx, "acme.example", b.ID()); err != nil || total != 1 || elsewhere != 1 {
		t.Fatalf("in the domain, for b: %d %d %v", total, elsewhere, err)
	}
	if total, elsewhere, err := r.InDomain(ctx, "ACME.example", a.ID()); err != nil || total != 1 || elsewhere != 0 {
		t.Fatalf("in the domain, for a: %d %d %v", total, elsewhere, err)
	}
}

// TestDomains: a domain belongs to one organisation; it is listed, and unassigned only by its own.
func TestDomains(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	a := pgtest.MustOrg(t, db, pgtest.MustUser(t, db, "owner@a.example"))
	b := pgtest.MustOrg(t, db, pgtest.MustUser(t, db, "owner@b.example"))
	r := pgorg.NewDomains(db)
	d, _ := org.NewEmailDomain(a.ID(), "a.example", time.Now())
	if err := r.Assign(ctx, d); err != nil {
		t.Fatal(err)
	}
	again, _ := org.NewEmailDomain(b.ID(), "A.example", time.Now())
	if err := r.Assign(ctx, again); errs.CodeOf(err) != "domain_taken" {
		t.Fatalf("assigned twice: %v", err)
	}
	if err := r.Unassign(ctx, b.ID(), "a.example"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another organisation unassigns it: %v", err)
	}
	if got, _ := r.ListByOrg(ctx, a.ID()); len(got) != 1 || got[0].Domain() != "a.example" {
		t.Fatalf("list: %v", got)
	}
	if all, _ := r.ListAll(ctx); len(all) != 1 {
		t.Fatalf("all: %v", all)
	}
	for dom, want := range map[string]uuid.UUID{"a.example": a.ID(), "A.Example": a.ID(), "b.example": uuid.Nil, "sub.a.example": uuid.Nil} {
		if got, err := r.OrgOf(ctx, dom); err != nil || got != want {
			t.Errorf("OrgOf(%s): %v %v, want %v", dom, got, err, want)
		}
	}
	if err := r.Unassign(ctx, a.ID(), "a.example"); err != nil {
		t.Fatal(err)
	}
}

// TestEmailInvitations: an invitation for one email is stored with it, listed for that email
// while usable, and revoked with the organisation's others for the same email.
func TestEmailInvitations(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	owner := pgtest.MustUser(t, db, "owner@inv.example")
	o := pgtest.MustOrg(t, db, owner)
	r := pgorg.NewInvitations(db)
	now := time.Now()
	inv, _ := org.NewEmailInvitation(o.ID(), owner.ID(), org.RoleMember, "p@people.example", []byte("hash-1"), now)
	if err := r.Create(ctx, inv); err != nil {
		t.Fatal(err)
	}
	got, err := r.GetByTokenHash(ctx, []byte("hash-1"))
	if err != nil || got.Email() != "p@people.example" || got.MaxUses() != 1 {
		t.Fatalf("read back: %v %+v", err, got)
	}
	if l, _ := r.ListForEmail(ctx, "p@people.example", now); len(l) != 1 {
		t.Fatalf("list for the email: %v", l)
	}
	if _, err := r.GetForEmail(ctx, inv.ID(), "other@people.example"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another email: %v", err)
	}
	if err := r.RevokeForEmail(ctx, o.ID(), "p@people.example", now); err != nil {
		t.Fatal(err)
	}
	if l, _ := r.ListForEmail(ctx, "p@people.example", now); len(l) != 0 {
		t.Fatalf("after revoking: %v", l)
	}
}

// TestListAccounts: the installation's accounts are listed by name, paged, and searched by name
// or email case-insensitively with the LIKE wildcards taken literally.
func TestListAccounts(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	users := pgidentity.NewUsers(db, pinyin.Keys)
	for _, p := range []struct{ email, name string }{
		{"zoe@a.example", "Zoë"}, {"100pct@a.example", "Per 100% Cent"}, {"ada@b.example", "Ada"}, {"under_score@b.example", "Bob"},
	} {
		u, err := identity.NewUser(identity.NewUserInput{Email: p.email, DisplayName: p.name}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := users.Create(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	r := pgorg.NewAccounts(db)
	names := func(q string, limit, offset int) ([]string, int) {
		t.Helper()
		as, total, err := r.List(ctx, apporg.AccountFilter{Query: q, Limit: limit, Offset: offset})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range as {
			if a.Status != identity.UserActive || a.CreatedAt.IsZero() || a.Email == "" {
				t.Fatalf("account %+v", a)
			}
			out = append(out, a.DisplayName)
		}
		return out, total
	}
	if got, total := names("", 2, 0); total != 4 || strings.Join(got, ",") != "Ada,Bob" {
		t.Fatalf("first page: %v of %d", got, total)
	}
	if got, total := names("", 2, 2); total != 4 || strings.Join(got, ",") != "Per 100% Cent,Zoë" {
		t.Fatalf("second page: %v of %d", got, total)
	}
	for q, want := range map[string]string{"ZOE@": "Zoë", "%": "Per 100% Cent", "_": "Bob", "b.EXAMPLE": "Ada,Bob", "a%e": ""} {
		if got, total := names(q, 50, 0); strings.Join(got, ",") != want || total != len(got) {
			t.Errorf("q=%q: %v of %d, want %q", q, got, total, want)
		}
	}
}
