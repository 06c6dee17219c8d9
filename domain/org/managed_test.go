package org_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/org"
)

func TestManager(t *testing.T) {
	a, b, user := uuid.New(), uuid.New(), uuid.New()
	cases := []struct {
		name string
		ties org.AccountTies
		want uuid.UUID
	}{
		{"signed up by themselves", org.AccountTies{UserID: user, Memberships: []org.Tie{{OrgID: a, Role: org.RoleMember}}}, uuid.Nil},
		{"created by A, only in A", org.AccountTies{UserID: user, CreatedByOrgID: a, Memberships: []org.Tie{{OrgID: a, Role: org.RoleMember}}}, a},
		{"created by A, in no organisation yet", org.AccountTies{UserID: user, CreatedByOrgID: a}, a},
		{"created by A, also in B", org.AccountTies{UserID: user, CreatedByOrgID: a, Memberships: []org.Tie{{OrgID: a}, {OrgID: b}}}, uuid.Nil},
		{"created by A, deactivated in B still counts", org.AccountTies{UserID: user, CreatedByOrgID: a, Memberships: []org.Tie{{OrgID: a, Active: true}, {OrgID: b}}}, uuid.Nil},
		{"domain of B, created by A", org.AccountTies{UserID: user, DomainOrgID: b, CreatedByOrgID: a, Memberships: []org.Tie{{OrgID: a}}}, b},
		{"domain of B, in A and B", org.AccountTies{UserID: user, DomainOrgID: b, Memberships: []org.Tie{{OrgID: a}, {OrgID: b}}}, b},
	}
	for _, c := range cases {
		if got := c.ties.Manager(); got != c.want {
			t.Errorf("%s: manager %v, want %v", c.name, got, c.want)
		}
		if c.ties.ManagedBy(uuid.Nil) {
			t.Errorf("%s: managed by the nil organisation", c.name)
		}
	}
}

func TestCheckChange(t *testing.T) {
	a, b, user, actor := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	managed := func(roles ...org.Role) org.AccountTies {
		t := org.AccountTies{UserID: user, DomainOrgID: a}
		for i, r := range roles {
			id := a
			if i > 0 {
				id = b
			}
			t.Memberships = append(t.Memberships, org.Tie{OrgID: id, Role: r, Active: true})
		}
		return t
	}
	cases := []struct {
		name     string
		ties     org.AccountTies
		org      uuid.UUID
		actor    uuid.UUID
		transfer bool
		code     string
	}{
		{"member, managed", managed(org.RoleMember), a, actor, false, ""},
		{"member, other organisation", managed(org.RoleMember), b, actor, true, "account_not_managed"},
		{"not managed at all", org.AccountTies{UserID: user, Memberships: []org.Tie{{OrgID: a}}}, a, actor, true, "account_not_managed"},
		{"owner, even with ownership.transfer", managed(org.RoleOwner), a, actor, true, "owner_protected"},
		{"owner elsewhere", managed(org.RoleMember, org.RoleOwner), a, actor, true, "owner_protected"},
		{"owner, themselves", managed(org.RoleOwner), a, user, false, ""},
		{"admin, without ownership.transfer", managed(org.RoleAdmin), a, actor, false, "admin_protected"},
		{"admin, with ownership.transfer", managed(org.RoleAdmin), a, actor, true, ""},
		{"admin, themselves", managed(org.RoleAdmin), a, user, false, ""},
	}
	for _, c := range cases {
		err := c.ties.CheckChange(c.org, c.actor, c.transfer)
		if c.code == "" && err != nil || c.code != "" && (errs.CodeOf(err) != c.code || !errs.Is(err, errs.Forbidden)) {
			t.Errorf("%s: %v, want %q", c.name, err, c.code)
		}
	}
}

func TestParseEmailDomain(t *testing.T) {
	good := map[string]string{"acme.com": "acme.com", " ACME.com. ": "acme.com", "xn--fiqs8s.cn": "xn--fiqs8s.cn", "a-b.c0.io": "a-b.c0.io"}
	for in, want := range good {
		if got, err := org.ParseEmailDomain(in); err != nil || got != want {
			t.Errorf("ParseEmailDomain(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "com", "acme..com", "-acme.com", "acme-.com", "ac me.com", "acme.com/x", "a@acme.com", "10.0.0.1", "中国.cn", "acme.com\x00", "*.acme.com"} {
		if _, err := org.ParseEmailDomain(bad); errs.CodeOf(err) != "invalid_domain" {
			t.Errorf("ParseEmailDomain(%q) = %v, want invalid_domain", bad, err)
		}
	}
	if _, err := org.NewEmailDomain(uuid.New(), "acme.com", time.Now()); err != nil {
		t.Fatal(err)
	}
}

func TestEmailInvitation(t *testing.T) {
	inv, err := org.NewEmailInvitation(uuid.New(), uuid.New(), org.RoleMember, "ada@acme.com", []byte("h"), time.Now())
	if err != nil || inv.MaxUses() != 1 || inv.Email() != "ada@acme.com" {
		t.Fatalf("%v %+v", err, inv)
	}
	if err := inv.CheckAccount("ADA@acme.com"); err != nil {
		t.Fatal(err)
	}
	if err := inv.CheckAccount("eve@acme.com"); errs.CodeOf(err) != "invitation_for_another_account" {
		t.Fatalf("another account: %v", err)
	}
	open, _ := org.NewInvitation(uuid.New(), uuid.New(), org.RoleMember, 0, 0, []byte("h"), time.Now())
	if err := open.CheckAccount("anyone@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := org.NewEmailInvitation(uuid.New(), uuid.New(), org.RoleOwner, "ada@acme.com", []byte("h"), time.Now()); err == nil {
		t.Fatal("an invitation made an owner")
	}
}

// TestCheckNewAccount: an account in an assigned domain is made only by its organisation, by
// provisioning or by signing up through one of its invitations.
func TestCheckNewAccount(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	for _, c := range []struct {
		name      string
		org, dom  uuid.UUID
		new, sign string
	}{
		{"no domain", a, uuid.Nil, "", ""},
		{"its own domain", a, a, "", ""},
		{"another's domain", a, b, "account_not_managed", "domain_managed"},
	} {
		code := func(err error) string {
			if err == nil {
				return ""
			}
			return errs.CodeOf(err)
		}
		if got := code(org.CheckNewAccount(c.org, c.dom)); got != c.new {
			t.Errorf("%s: CheckNewAccount %q, want %q", c.name, got, c.new)
		}
		if got := code(org.CheckSignup(c.org, c.dom)); got != c.sign {
			t.Errorf("%s: CheckSignup %q, want %q", c.name, got, c.sign)
		}
	}
}
