package org_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	appidentity "canopy/app/identity"
	apporg "canopy/app/org"
	"canopy/domain/errs"
	"canopy/domain/org"
)

var ctx = context.Background()

// TestProvisioningAnOutsideAccountInvites: provisioning an email whose account another
// organisation created makes an invitation for that email, never a member, never a password,
// and gives back nothing about the account.
func TestProvisioningAnOutsideAccountInvites(t *testing.T) {
	e := newEnv(t, apporg.Config{})
	a, b := e.org(t, "Alpha"), e.org(t, "Beta")
	made := e.member(t, a, apporg.ProvisionInput{Email: "ada@alpha.example", DisplayName: "Ada Lovelace"})
	u := e.w.users[made.UserID]
	if u.CreatedByOrgID() != a.OrgID || !u.NeedsActivation() || !made.ActivationPending {
		t.Fatalf("a new account: created by %v, needs activation %v", u.CreatedByOrgID(), u.NeedsActivation())
	}
	// Beta provisions the same email, with a password and a name of its choosing.
	p, err := e.svc.ProvisionMember(ctx, b, apporg.ProvisionInput{Email: "ADA@alpha.example", DisplayName: "Not Ada", Password: "chosen by beta"})
	if err != nil || p.Invitation == nil || p.Member != (apporg.Member{}) {
		t.Fatalf("got %v %+v, want an invitation and no member", err, p)
	}
	if _, ok := e.w.members[[2]uuid.UUID{b.OrgID, u.ID()}]; ok {
		t.Fatal("beta attached alpha's account")
	}
	if u.HasPassword() || u.DisplayName() != "Ada Lovelace" {
		t.Fatalf("beta changed the account: password %v, name %q", u.HasPassword(), u.DisplayName())
	}
	last := e.w.invitations[len(e.w.invitations)-1]
	if last.OrgID() != b.OrgID || last.Email() != "ada@alpha.example" || last.MaxUses() != 1 {
		t.Fatalf("invitation: %+v", last)
	}
}

// TestProvisioningInTheOrganisationsDomainAttaches: an account in an email domain assigned to the
// organisation is made a member directly, whoever created it.
func TestProvisioningInTheOrganisationsDomainAttaches(t *testing.T) {
	e := newEnv(t, apporg.Config{})
	a, b := e.org(t, "Alpha"), e.org(t, "Beta")
	made := e.member(t, a, apporg.ProvisionInput{Email: "bob@beta.example", DisplayName: "Bob"})
	if _, err := e.svc.AssignDomain(ctx, authz.Shell(), b.OrgID, "Beta.Example"); err != nil {
		t.Fatal(err)
	}
	if got := e.member(t, b, apporg.ProvisionInput{Email: "bob@beta.example", DisplayName: "Bob B."}); got.UserID != made.UserID {
		t.Fatalf("attach in the domain: %+v", got)
	}
	// Beta manages the account now, and Alpha no longer does.
	if _, err := e.svc.UpdateMember(ctx, a, made.UserID, apporg.MemberChange{DisplayName: ptr("Renamed by Alpha")}); errs.CodeOf(err) != "account_not_managed" {
		t.Fatalf("alpha renames: %v", err)
	}
	if _, err := e.svc.UpdateMember(ctx, b, made.UserID, apporg.MemberChange{DisplayName: ptr("Renamed by Beta")}); err != nil {
		t.Fatalf("beta renames: %v", err)
	}
	if _, err := e.svc.AssignDomain(ctx, authz.Shell(), a.OrgID, "beta.example"); errs.CodeOf(err) != "domain_taken" {
		t.Fatalf("a domain assigned twice: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// member provisions someone who must become a member.
func (e *env) member(t *testing.T, a authz.Actor, in apporg.ProvisionInput) apporg.Member {
	t.Helper()
	p, err := e.svc.ProvisionMember(ctx, a, in)
	if err != nil || p.Invitation != nil {
		t.Fatalf("provision %s: %v %+v", in.Email, err, p)
	}
	return p.Member
}

// TestSharedAccountIsNobodysToManage: once the person of an account Alpha created joins Beta,
// neither renames it, sets its password, issues it a link or disables it.
func TestSharedAccountIsNobodysToManage(t *testing.T) {
	e := newEnv(t, apporg.Config{})
	a, b := e.org(t, "Alpha"), e.org(t, "Beta")
	made := e.member(t, a, apporg.ProvisionInput{Email: "cy@gmail.example", DisplayName: "Cy"})
	if _, err := e.svc.CreateActivationLink(ctx, a, made.UserID); err != nil {
		t.Fatalf("alpha manages the account it made: %v", err)
	}
	e.w.members[[2]uuid.UUID{b.OrgID, made.UserID}] = org.NewMembership(b.OrgID, made.UserID, org.RoleMember, e.w.now)
	for _, x := range []struct {
		name string
		err  error
	}{
		{"rename", second(e.svc.UpdateMember(ctx, a, made.UserID, apporg.MemberChange{DisplayName: ptr("X")}))},
		{"link", second(e.svc.CreateActivationLink(ctx, a, made.UserID))},
		{"disable", second(e.svc.DisableAccount(ctx, a, made.UserID))},
		{"beta link", second(e.svc.CreateActivationLink(ctx, b, made.UserID))},
	} {
		if errs.CodeOf(x.err) != "account_not_managed" {
			t.Errorf("%s: %v", x.name, x.err)
		}
	}
	// Deactivating them in Alpha is Alpha's own business.
	if _, err := e.svc.DeactivateMember(ctx, a, made.UserID); err != nil {
		t.Fatal(err)
	}
}

func second[T any](_ T, err error) error { return err }

// TestDeactivationIsPerOrganisation: deactivating a member revokes their tokens in that
// organisation only and keeps their sessions; disabling the account ends everything.
func TestDeactivationIsPerOrganisation(t *testing.T) {
	e := newEnv(t, apporg.Config{})
	a, b := e.org(t, "Alpha"), e.org(t, "Beta")
	if _, err := e.svc.AssignDomain(ctx, authz.Shell(), a.OrgID, "alpha.example"); err != nil {
		t.Fatal(err)
	}
	made := e.member(t, a, apporg.ProvisionInput{Email: "di@alpha.example", DisplayName: "Di", Password: "initial password"})
	e.w.members[[2]uuid.UUID{b.OrgID, made.UserID}] = org.NewMembership(b.OrgID, made.UserID, org.RoleMember, e.w.now)
	tokA, _, _ := e.ident.CreateToken(ctx, appidentity.CreateTokenInput{OrgID: a.OrgID, UserID: made.UserID, Name: "a"})
	tokB, _, _ := e.ident.CreateToken(ctx, appidentity.CreateTokenInput{OrgID: b.OrgID, UserID: made.UserID, Name: "b"})
	e.w.sessions[uuid.New()] = made.UserID
	if _, err := e.svc.DeactivateMember(ctx, a, made.UserID); err != nil {
		t.Fatal(err)
	}
	if !e.w.revoked[tokA.ID()] || e.w.revoked[tokB.ID()] || len(e.w.sessions) != 1 {
		t.Fatalf("after deactivation in alpha: token A revoked %v, token B revoked %v, sessions %d", e.w.revoked[tokA.ID()], e.w.revoked[tokB.ID()], len(e.w.sessions))
	}
	if _, err := e.svc.DisableAccount(ctx, a, made.UserID); err != nil {
		t.Fatal(err)
	}
	if !e.w.revoked[tokB.ID()] || len(e.w.sessions) != 0 || e.w.users[made.UserID].Active() {
		t.Fatal("disabling the account left something working")
	}
}

// TestOwnersAndAdminsAreProtected: nobody else changes an owner's account, and changing an
// admin's needs ownership.transfer, even where the organisation manages the account.
func TestOwnersAndAdminsAreProtected(t *testing.T) {
	e := newEnv(t, apporg.Config{})
	a := e.org(t, "Alpha")
	if _, err := e.svc.AssignDomain(ctx, authz.Shell(), a.OrgID, "alpha.example"); err != nil {
		t.Fatal(err)
	}
	admin1 := e.member(t, a, apporg.ProvisionInput{Email: "admin1@alpha.example", DisplayName: "A1", Role: org.RoleAdmin})
	admin2 := e.member(t, a, apporg.ProvisionInput{Email: "admin2@alpha.example", DisplayName: "A2", Role: org.RoleAdmin})
	asAdmin := e.actor(a.OrgID, admin1.UserID)
	if _, err := e.svc.UpdateMember(ctx, asAdmin, a.UserID, apporg.MemberChange{Email: ptr("owner2@alpha.example")}); errs.CodeOf(err) != "owner_protected" {
		t.Fatalf("an admin re-addresses the owner: %v", err)
	}
	if _, err := e.svc.UpdateMember(ctx, asAdmin, admin2.UserID, apporg.MemberChange{DisplayName: ptr("X")}); errs.CodeOf(err) != "admin_protected" {
		t.Fatalf("an admin renames another admin: %v", err)
	}
	if _, err := e.svc.CreateActivationLink(ctx, asAdmin, admin2.UserID); errs.CodeOf(err) != "admin_protected" {
		t.Fatalf("an admin takes another admin's activation link: %v", err)
	}
	if _, err := e.svc.UpdateMember(ctx, a, admin2.UserID, apporg.MemberChange{DisplayName: ptr("X")}); err != nil {
		t.Fatalf("the owner renames an admin: %v", err)
	}
	// An owner in the organisation's domain is still protected from the other owners.
	e.w.members[[2]uuid.UUID{a.OrgID, admin2.UserID}] = org.NewMembership(a.OrgID, admin2.UserID, org.RoleOwner, e.w.now)
	if _, err := e.svc.DisableAccount(ctx, a, admin2.UserID); errs.CodeOf(err) != "owner_protected" {
		t.Fatalf("an owner disables another owner's account: %v", err)
	}
}

// TestActivationLinks: a link previews its account, sets the first password once, and a new
// link ends the older one; an expired link answers like an unknown one.
func TestActivationLinks(t *testing.T) {
	e := newEnv(t, apporg.Config{})
	a := e.org(t, "Alpha")
	made := e.member(t, a, apporg.ProvisionInput{Email: "ed@alpha.example", DisplayName: "Ed"})
	first, err := e.svc.CreateActivationLink(ctx, a, made.UserID)
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.svc.CreateActivationLink(ctx, a, made.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.PreviewActivation(ctx, first.Token, "ip"); errs.CodeOf(err) != "activation_invalid" {
		t.Fatalf("the replaced link: %v", err)
	}
	p, err := e.svc.PreviewActivation(ctx, second.Token, "ip")
	if err != nil || p.Email != "ed@alpha.example" || p.DisplayName != "Ed" || p.OrgName != "Alpha" {
		t.Fatalf("preview: %v %+v", err, p)
	}
	if _, err := e.svc.Activate(ctx, second.Token, "short", "ip"); errs.CodeOf(err) != "password_too_short" {
		t.Fatalf("a weak password: %v", err)
	}
	if email, err := e.svc.Activate(ctx, second.Token, "a good long password", "ip"); err != nil || email != "ed@alpha.example" {
		t.Fatalf("activate: %v", err)
	}
	if _, err := e.svc.Activate(ctx, second.Token, "another long password", "ip"); errs.CodeOf(err) != "activation_invalid" {
		t.Fatalf("a second use: %v", err)
	}
	if u := e.w.users[made.UserID]; u.PasswordHash() != "h:a good long password" || u.MustChangePassword() {
		t.Fatal("the password is not the person's")
	}
	if _, err := e.svc.CreateActivationLink(ctx, a, made.UserID); errs.CodeOf(err) != "already_activated" {
		t.Fatalf("a link for an activated account: %v", err)
	}

	other := e.member(t, a, apporg.ProvisionInput{Email: "fay@alpha.example", DisplayName: "Fay"})
	l, _ := e.svc.CreateActivationLink(ctx, a, other.UserID)
	e.w.now = e.w.now.Add(73 * time.Hour)
	if _, err := e.svc.Activate(ctx, l.Token, "a good long password", "ip"); errs.CodeOf(err) != "activation_invalid" {
		t.Fatalf("an expired link: %v", err)
	}
	// Another organisation's id answers as a missing one.
	b := e.org(t, "Beta")
	if _, err := e.svc.CreateActivationLink(ctx, b, other.UserID); !errs.Is(err, errs.NotFound) {
		t.Fatalf("beta asks for alpha's member: %v", err)
	}
	links, skipped, err := e.svc.CreateActivationLinks(ctx, a, []uuid.UUID{other.UserID, made.UserID, b.UserID})
	if err != nil || len(links) != 1 || len(skipped) != 2 || skipped[0].Code != "already_activated" || skipped[1].Code != "not_found" || skipped[1].Email != "" {
		t.Fatalf("batch: %v %+v %+v", err, links, skipped)
	}
}

// TestOrgCreationSetting: only installation admins create organisations unless the
// installation allows everyone.
func TestOrgCreationSetting(t *testing.T) {
	for _, allow := range []bool{false, true} {
		e := newEnv(t, apporg.Config{AllowOrgCreation: allow})
		a := e.org(t, "Alpha")
		_, err := e.svc.CreateOrg(ctx, a.Principal, "Mine", "")
		if allow && err != nil || !allow && errs.CodeOf(err) != "org_creation_disabled" {
			t.Fatalf("allow %v: %v", allow, err)
		}
		if _, err := e.ident.GrantInstallationAdmin(ctx, a.UserID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateOrg(ctx, a.Principal, "Theirs", ""); err != nil {
			t.Fatalf("an installation admin: %v", err)
		}
	}
}

// TestBoundInvitation: an invitation that provisioning made is accepted only by the account of
// its email, its preview tells only that account's person that it must be activated first, and
// it waits for its person among their invitations.
func TestBoundInvitation(t *testing.T) {
	e := newEnv(t, apporg.Config{})
	a, b := e.org(t, "Alpha"), e.org(t, "Beta")
	made := e.member(t, a, apporg.ProvisionInput{Email: "gus@gmail.example", DisplayName: "Gus"})
	p, err := e.svc.ProvisionMember(ctx, b, apporg.ProvisionInput{Email: "gus@gmail.example", DisplayName: "Gus", Role: org.RoleAdmin})
	if err != nil || p.Invitation == nil {
		t.Fatalf("%v %+v", err, p)
	}
	// The state of the account is the person's business: whoever else holds the link (Beta
	// does) learns nothing about it.
	other := e.actor(a.OrgID, a.UserID).Principal
	gus := appidentity.Principal{UserID: made.UserID, Method: appidentity.MethodSession}
	for _, x := range []struct {
		viewer *appidentity.Principal
		want   apporg.AccountState
	}{{nil, apporg.AccountUnknown}, {&other, apporg.AccountUnknown}, {&gus, apporg.AccountNeedsActivation}} {
		pv, err := e.svc.PreviewInvitation(ctx, p.Invitation.Token, x.viewer)
		if err != nil || pv.AccountState != x.want || pv.Email != "gus@gmail.example" {
			t.Fatalf("preview for %v: %v %+v", x.viewer, err, pv)
		}
	}
	// Someone else, signed in, cannot use the link.
	if _, err := e.svc.AcceptInvitation(ctx, apporg.AcceptInput{Token: p.Invitation.Token, Principal: &other}); errs.CodeOf(err) != "invitation_for_another_account" {
		t.Fatalf("another account accepts: %v", err)
	}
	// Nor can a sign-up set the account's password through it.
	if _, err := e.svc.AcceptInvitation(ctx, apporg.AcceptInput{Token: p.Invitation.Token, Signup: &appidentity.RegisterInput{Email: "gus@gmail.example", DisplayName: "G", Password: "a long password"}}); errs.CodeOf(err) != "email_taken" {
		t.Fatalf("sign-up over the account: %v", err)
	}
	if e.w.users[made.UserID].HasPassword() {
		t.Fatal("the invitation set a password")
	}
	mine, err := e.svc.MyInvitations(ctx, gus)
	if err != nil || len(mine) != 1 || mine[0].OrgName != "Beta" {
		t.Fatalf("my invitations: %v %+v", err, mine)
	}
	if _, err := e.svc.AcceptMyInvitation(ctx, gus, mine[0].Invitation.ID()); err != nil {
		t.Fatal(err)
	}
	if m := e.w.members[[2]uuid.UUID{b.OrgID, made.UserID}]; m == nil || m.Role() != org.RoleAdmin {
		t.Fatalf("membership: %+v", m)
	}
}

// TestAccountsInAnotherOrganisationsDomain: an organisation makes no account in a domain
// assigned to another, by provisioning (it invites instead, and no account is made), by moving
// an account's email there, or through its invitation links; the domain's organisation makes
// them, and resets the credentials of one made before its domain was assigned.
func TestAccountsInAnotherOrganisationsDomain(t *testing.T) {
	e := newEnv(t, apporg.Config{})
	a, b := e.org(t, "Alpha"), e.org(t, "Beta")
	early := e.member(t, a, apporg.ProvisionInput{Email: "early@beta.example", DisplayName: "Early", Password: "chosen by alpha"})
	mine := e.member(t, a, apporg.ProvisionInput{Email: "mine@people.example", DisplayName: "Mine"})
	as, err := e.svc.AssignDomain(ctx, authz.Shell(), b.OrgID, "beta.example")
	if err != nil || as.Accounts != 2 || as.CreatedElsewhere != 2 { // early and Beta's owner, who signed up
		t.Fatalf("assigned: %v %+v", err, as)
	}

	users := len(e.w.users)
	p, err := e.svc.ProvisionMember(ctx, a, apporg.ProvisionInput{Email: "ceo@beta.example", DisplayName: "CEO", Password: "chosen by alpha"})
	if err != nil || p.Invitation == nil || p.Invitation.Invitation.Email() != "ceo@beta.example" {
		t.Fatalf("alpha provisions in beta's domain: %v %+v", err, p)
	}
	if len(e.w.users) != users {
		t.Fatal("an account was made in beta's domain for alpha")
	}
	if _, err := e.svc.UpdateMember(ctx, a, mine.UserID, apporg.MemberChange{Email: ptr("ceo@beta.example")}); errs.CodeOf(err) != "account_not_managed" {
		t.Fatalf("alpha moves an account into beta's domain: %v", err)
	}
	link, err := e.svc.CreateInvitation(ctx, a, apporg.CreateInvitationInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{link.Token, p.Invitation.Token} {
		_, err := e.svc.AcceptInvitation(ctx, apporg.AcceptInput{Token: tok, Signup: &appidentity.RegisterInput{Email: "ceo@beta.example", DisplayName: "CEO", Password: "a long password"}})
		if errs.CodeOf(err) != "domain_managed" {
			t.Fatalf("sign-up in beta's domain through alpha's invitation: %v", err)
		}
	}
	e.member(t, b, apporg.ProvisionInput{Email: "ceo@beta.example", DisplayName: "CEO"})

	// Beta takes the account Alpha made before the assignment, and resets it.
	if got := e.member(t, b, apporg.ProvisionInput{Email: "early@beta.example", DisplayName: "Early"}); got.UserID != early.UserID {
		t.Fatalf("attached %+v", got)
	}
	e.w.sessions[uuid.New()] = early.UserID
	tokA := uuid.New()
	e.w.tokens[tokA] = [2]uuid.UUID{a.OrgID, early.UserID}
	if _, err := e.svc.ResetCredentials(ctx, a, early.UserID); errs.CodeOf(err) != "account_not_managed" {
		t.Fatalf("alpha resets: %v", err)
	}
	l, err := e.svc.ResetCredentials(ctx, b, early.UserID)
	if err != nil || l.Token == "" || l.Email != "early@beta.example" {
		t.Fatalf("beta resets: %v %+v", err, l)
	}
	u := e.w.users[early.UserID]
	if u.HasPassword() || u.MustChangePassword() || !e.w.revoked[tokA] {
		t.Fatalf("after the reset: password %v, token revoked %v", u.HasPassword(), e.w.revoked[tokA])
	}
	for _, who := range e.w.sessions {
		if who == early.UserID {
			t.Fatal("a session of the account survived")
		}
	}
	if _, err := e.svc.ResetCredentials(ctx, b, b.UserID); errs.CodeOf(err) != "cannot_reset_self" {
		t.Fatalf("resetting oneself: %v", err)
	}
}
