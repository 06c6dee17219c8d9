package importer

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/importer"
	"canopy/domain/org"
)

// TestRowsRespectWhoManagesAccounts: an import attaches and changes only accounts the
// organisation manages; an outside account's row becomes an invitation (reported "invited")
// and is never attached or renamed, and a member's account that the organisation does not
// manage is not renamed.
func TestRowsRespectWhoManagesAccounts(t *testing.T) {
	store, orgID, ownerID := newFixture(t)
	other := uuid.New()
	outside := Account{UserID: uuid.New(), Email: "outside@elsewhere.example", DisplayName: "Their Own Name", Locale: "en", TimeZone: "UTC"}
	inDomain := Account{UserID: uuid.New(), Email: "staff@acme.example", DisplayName: "Staff", Locale: "en", TimeZone: "UTC"}
	joined := Member{Account: Account{UserID: uuid.New(), Email: "joined@gmail.example", DisplayName: "Joined", Locale: "en", TimeZone: "UTC"},
		Membership: org.NewMembership(orgID, uuid.Nil, org.RoleMember, time.Now())}
	_ = joined.Membership.SetExternalID("J1")
	store.snap.Accounts = []Account{outside, inDomain}
	store.snap.Members = append(store.snap.Members, joined)
	store.snap.Ties = map[uuid.UUID]org.AccountTies{
		outside.UserID:  {UserID: outside.UserID, CreatedByOrgID: other, Memberships: []org.Tie{{OrgID: other, Role: org.RoleMember}}},
		inDomain.UserID: {UserID: inDomain.UserID, DomainOrgID: orgID, Memberships: []org.Tie{{OrgID: other, Role: org.RoleMember}}},
		joined.UserID:   {UserID: joined.UserID, Memberships: []org.Tie{{OrgID: orgID, Role: org.RoleMember}}},
		ownerID:         {UserID: ownerID, Memberships: []org.Tie{{OrgID: orgID, Role: org.RoleOwner}}},
	}
	req := Request{Users: []UserRow{
		{Row: 1, ExternalID: "O1", Email: "Outside@elsewhere.example", DisplayName: "Renamed By Acme"},
		{Row: 2, ExternalID: "S1", Email: "staff@acme.example", DisplayName: "Staff Renamed"},
		{Row: 3, ExternalID: "J1", Email: "joined@gmail.example", DisplayName: "Joined Renamed"},
		{Row: 4, ExternalID: "N1", Email: "new@acme.example", DisplayName: "New"},
	}}
	q := run(t, store, orgID, ownerID, req, 100)
	if got := report(q); got != "user 1 invited; user 3 account_not_managed" {
		t.Fatalf("report: %s", got)
	}
	if q.counts != (importer.Counts{Processed: 4, Applied: 3, Failed: 1, Created: 2, Invited: 1}) {
		t.Fatalf("counts: %+v", q.counts)
	}
	if len(store.st.invited) != 1 || store.st.invited[0] != "outside@elsewhere.example" {
		t.Fatalf("invited: %v", store.st.invited)
	}
	if _, ok := store.st.members[outside.UserID]; ok {
		t.Fatal("the outside account was attached")
	}
	if c, ok := store.st.members[inDomain.UserID]; !ok || !c.NewMembership || c.Account == nil || c.Account.DisplayName != "Staff Renamed" {
		t.Fatalf("the account in the organisation's domain: %+v", c)
	}
	if _, ok := store.st.members[joined.UserID]; ok {
		t.Fatal("a member's account the organisation does not manage was renamed")
	}
}

// TestRowsMakeNoAccountInAnotherOrganisationsDomain: a row whose email has no account but is in
// another organisation's domain becomes an invitation, and no account is made; the
// organisation's own domain, or one assigned to nobody, gets new accounts.
func TestRowsMakeNoAccountInAnotherOrganisationsDomain(t *testing.T) {
	store, orgID, ownerID := newFixture(t)
	store.snap.Ties = map[uuid.UUID]org.AccountTies{ownerID: {UserID: ownerID, Memberships: []org.Tie{{OrgID: orgID, Role: org.RoleOwner}}}}
	store.snap.DomainOrgs = map[string]uuid.UUID{"beta.example": uuid.New(), "acme.example": orgID}
	q := run(t, store, orgID, ownerID, Request{Users: []UserRow{
		{Row: 1, ExternalID: "B1", Email: "CEO@beta.example", DisplayName: "CEO"},
		{Row: 2, ExternalID: "A1", Email: "ann@acme.example", DisplayName: "Ann"},
		{Row: 3, ExternalID: "G1", Email: "gil@gmail.example", DisplayName: "Gil"},
	}}, 100)
	if got := report(q); got != "user 1 invited" {
		t.Fatalf("report: %s", got)
	}
	if q.counts != (importer.Counts{Processed: 3, Applied: 3, Created: 2, Invited: 1}) {
		t.Fatalf("counts: %+v", q.counts)
	}
	if len(store.st.invited) != 1 || store.st.invited[0] != "ceo@beta.example" {
		t.Fatalf("invited: %v", store.st.invited)
	}
	for _, c := range store.st.members {
		if c.Account != nil && c.Account.Email == "ceo@beta.example" {
			t.Fatal("an account was made in another organisation's domain")
		}
	}
}
