package main

import (
	"context"
	"testing"

	"github.com/google/uuid"

	appidentity "canopy/app/identity"
	apporg "canopy/app/org"
)

// Credentials that race the end of an account's credentials, and the initial-password gate on
// every route that takes a caller. See docs/accounts.md.

// withSession is a client that sends the session cookie token.
func withSession(c *client, token string) func(method, path string) response {
	return func(method, path string) response {
		c.t.Helper()
		return c.rawWith(method, path, "", nil, map[string]string{"Cookie": "canopy_session=" + token})
	}
}

// racedCredentials reads bob's account and authenticates one of his sessions as a request does,
// then lets end run (which ends his credentials), and then makes what a sign-in or a request
// under way since before would make: a session from the account as it was read, and a token made
// by the request authenticated before. Both must be refused.
func racedCredentials(t *testing.T, e *testEnv, b dir, email, pw string, end func(userID string)) {
	t.Helper()
	ctx := context.Background()
	stale, err := e.stack.identity.FindUserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := e.stack.identity.Login(ctx, appidentity.LoginInput{Email: email, Password: pw, IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.stack.identity.AuthenticateSession(ctx, ns.Token)
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.stack.orgs.ResolveActor(ctx, p, uuid.MustParse(b.orgID))
	if err != nil {
		t.Fatal(err)
	}

	end(stale.ID().String())

	late, err := e.stack.identity.StartSession(ctx, stale, "127.0.0.1", "raced sign-in")
	if err != nil {
		t.Fatal(err)
	}
	if r := withSession(e.client(), late.Token)("GET", "/api/v1/me"); r.status != 401 {
		t.Errorf("a session made from the account as read before: %d %s", r.status, r.body)
	}
	_, secret, err := e.stack.orgs.CreateToken(ctx, a, apporg.TokenInput{Name: "raced"})
	if err != nil {
		t.Fatal(err)
	}
	if r := e.tokenClient(secret).do("GET", "/api/v1/me", nil); r.status != 401 {
		t.Errorf("a token made by a request authenticated before: %d %s", r.status, r.body)
	}
}

// TestCredentialResetRefusesCredentialsMadeUnderTheOldVersion: resetting an account's credentials
// ends the sessions and tokens that sign-ins and requests under way at that moment store after it.
func TestCredentialResetRefusesCredentialsMadeUnderTheOldVersion(t *testing.T) {
	e := newTestEnv(t)
	b := e.mustDir("Beta", "owner@beta.example")
	bob := b.provision(map[string]any{"email": "bob@beta.example", "display_name": "Bob"})
	b.mustActivate(e, bob, "Bob-Own-Password-1")
	racedCredentials(t, e, b, "bob@beta.example", "Bob-Own-Password-1", func(id string) {
		b.c.must(200, "POST", b.admin("/users/"+id+"/reset-credentials"), nil)
	})
}

// TestAccountDisableRefusesCredentialsMadeUnderTheOldVersion: the same for disabling the account,
// and they stay refused once it is enabled again.
func TestAccountDisableRefusesCredentialsMadeUnderTheOldVersion(t *testing.T) {
	e := newTestEnv(t)
	b := e.mustDir("Beta", "owner@beta.example")
	bob := b.provision(map[string]any{"email": "bob@beta.example", "display_name": "Bob"})
	b.mustActivate(e, bob, "Bob-Own-Password-1")
	mustAdmin(t, e, "grant-installation-admin", "--email", "owner@beta.example")
	racedCredentials(t, e, b, "bob@beta.example", "Bob-Own-Password-1", func(id string) {
		b.c.must(200, "POST", b.admin("/users/"+id+"/disable-account"), nil)
		b.c.must(200, "POST", "/api/v1/installation/users/"+id+"/enable", nil)
	})
	e.signedIn("bob@beta.example", "Bob-Own-Password-1").must(200, "GET", b.org(""), nil)
}

// TestInitialPasswordGateCoversInvitations: a caller who must still change an initial password
// can neither look at nor accept an invitation (routes that take a caller when there is one)
// until they have changed it.
func TestInitialPasswordGateCoversInvitations(t *testing.T) {
	e := newTestEnv(t)
	a := e.mustDir("Alpha", "owner@alpha.example")
	g := e.mustDir("Gamma", "owner@gamma.example")
	a.provision(map[string]any{"email": "neo@alpha.example", "display_name": "Neo", "password": "Initial-Password-1"})
	inv := g.mustInvite(nil)
	c := e.signedIn("neo@alpha.example", "Initial-Password-1")
	for _, call := range []struct {
		method, path string
		body         any
	}{{"GET", "/api/v1/invitations/" + inv, nil}, {"POST", "/api/v1/invitations/" + inv + "/accept", map[string]any{}}} {
		if r := c.do(call.method, call.path, call.body); r.status != 403 || r.errorCode(t) != "password_change_required" {
			t.Fatalf("%s %s before the change: %d %s", call.method, call.path, r.status, r.body)
		}
	}
	c.must(204, "POST", "/api/v1/me/password", map[string]string{"current_password": "Initial-Password-1", "new_password": "Neo-Own-Password-2"})
	c.must(200, "GET", "/api/v1/invitations/"+inv, nil)
	c.must(200, "POST", "/api/v1/invitations/"+inv+"/accept", map[string]any{})
	c.must(200, "GET", g.org(""), nil)
}

// TestSCIMRefusesAnOwnerWhoMustChangeTheirPassword: a SCIM token acts as its owner, who must
// change an initial password before doing anything else; until they do, the token is refused.
func TestSCIMRefusesAnOwnerWhoMustChangeTheirPassword(t *testing.T) {
	e := newTestEnv(t)
	a := e.mustDir("Alpha", "owner@alpha.example")
	a.provision(map[string]any{"email": "it@alpha.example", "display_name": "IT", "role": "admin", "password": "Initial-Password-1"})
	p := e.idp(mustAdmin(t, e, "create-token", "--org", a.orgID, "--email", "it@alpha.example", "--name", "Okta", "--scope", "scim"))
	scimError(t, p.send("GET", "/Users", ""), 403, "")
	e.signedIn("it@alpha.example", "Initial-Password-1").must(204, "POST", "/api/v1/me/password",
		map[string]string{"current_password": "Initial-Password-1", "new_password": "It-Own-Password-2"})
	p.must(200, "GET", "/Users", "")
}
