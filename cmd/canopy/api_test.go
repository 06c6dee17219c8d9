package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"canopy/infra/config"
)

func TestLoginMeAndBearerToken(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Acme", "ada@acme.example")

	me := o.c.must(200, "GET", "/api/v1/me", nil)
	if me["user"].(map[string]any)["email"] != "ada@acme.example" {
		t.Fatalf("me: %v", me)
	}
	orgs := me["organisations"].([]any)
	if len(orgs) != 1 || orgs[0].(map[string]any)["id"] != o.orgID || orgs[0].(map[string]any)["role"] != "owner" {
		t.Fatalf("me.organisations: %v", orgs)
	}

	// A token made at the shell, as `canopy admin create-token` does.
	var out bytes.Buffer
	err := admin(context.Background(), e.stack.cfg, []string{"create-token", "--org", o.orgID, "--email", "ada@acme.example", "--name", "ci"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.TrimSpace(out.String())
	tc := e.tokenClient(secret)
	me = tc.must(200, "GET", "/api/v1/me", nil)
	if me["auth"].(map[string]any)["method"] != "token" || me["auth"].(map[string]any)["token_org_id"] != o.orgID {
		t.Fatalf("me with token: %v", me["auth"])
	}
	// A token never needs a CSRF header: browsers do not send it on their own.
	tc.must(200, "PATCH", "/api/v1/me", map[string]string{"display_name": "Ada L."})

	// Tokens are listed without secrets and revoked at once.
	list := o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/tokens", nil)["items"].([]any)
	if len(list) != 1 || strings.Contains(fmt.Sprint(list), secret) {
		t.Fatalf("token list: %v", list)
	}
	id := list[0].(map[string]any)["id"].(string)
	o.c.must(204, "DELETE", "/api/v1/orgs/"+o.orgID+"/tokens/"+id, nil)
	if r := tc.do("GET", "/api/v1/me", nil); r.status != 401 || r.errorCode(t) != "invalid_token" {
		t.Fatalf("revoked token: %d %s", r.status, r.body)
	}

	// Logout ends the session.
	o.c.must(204, "POST", "/api/v1/auth/logout", nil)
	if r := o.c.do("GET", "/api/v1/me", nil); r.status != 401 {
		t.Fatalf("after logout: %d", r.status)
	}
}

func TestSessionCookieFlags(t *testing.T) {
	e := newTestEnv(t)
	e.mustOrg("Flags", "f@flags.example")
	c := e.client()
	r := c.do("POST", "/api/v1/auth/login", map[string]string{"email": "f@flags.example", "password": "Correct-Horse-Flags"})
	var session *http.Cookie
	for _, ck := range (&http.Response{Header: r.header}).Cookies() {
		if ck.Name == "canopy_session" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || len(session.Value) < 22 {
		t.Fatalf("session cookie: %+v", session)
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Request-Id"} {
		if r.header.Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
	if strings.Contains(r.header.Get("Content-Security-Policy"), "script-src 'self' 'unsafe-inline'") {
		t.Error("CSP allows inline script")
	}
}

func TestBadInputGetsAClear4xx(t *testing.T) {
	e := newTestEnv(t, func(c *config.Config) { c.Server.BodyLimitBytes = 4096 })
	o := e.mustOrg("Strict", "s@strict.example")
	anon := e.client()
	cases := []struct {
		name        string
		c           *client
		method      string
		path        string
		contentType string
		body        string
		status      int
		code        string
	}{
		{"malformed JSON", anon, "POST", "/api/v1/auth/login", "application/json", `{"email":`, 400, "malformed_json"},
		{"not an object", anon, "POST", "/api/v1/auth/login", "application/json", `[1,2]`, 400, "malformed_json"},
		{"two objects", anon, "POST", "/api/v1/auth/login", "application/json", `{} {}`, 400, "malformed_json"},
		{"unknown field", anon, "POST", "/api/v1/auth/login", "application/json", `{"email":"a@b.example","password":"x","admin":true}`, 400, "unknown_field"},
		{"wrong type", anon, "POST", "/api/v1/auth/login", "application/json", `{"email":42,"password":"x"}`, 400, "invalid_field"},
		{"not JSON", anon, "POST", "/api/v1/auth/login", "text/plain", `email=a`, 415, "unsupported_media_type"},
		{"over the body limit", anon, "POST", "/api/v1/auth/login", "application/json", `{"email":"` + strings.Repeat("a", 5000) + `"}`, 413, "body_too_large"},
		{"invalid email", anon, "POST", "/api/v1/auth/login", "application/json", `{"email":"not-an-email","password":"whatever1"}`, 400, "invalid_email"},
		{"missing password", anon, "POST", "/api/v1/auth/login", "application/json", `{"email":"s@strict.example"}`, 400, "missing_field"},
		{"wrong password", anon, "POST", "/api/v1/auth/login", "application/json", `{"email":"s@strict.example","password":"not-the-password"}`, 401, "invalid_credentials"},
		{"unknown account", anon, "POST", "/api/v1/auth/login", "application/json", `{"email":"nobody@strict.example","password":"not-the-password"}`, 401, "invalid_credentials"},
		{"no session", anon, "GET", "/api/v1/me", "", "", 401, "unauthenticated"},
		{"garbage bearer", anon, "GET", "/api/v1/me", "", "", 401, "invalid_token"},
		{"bad locale", o.c, "PATCH", "/api/v1/me", "application/json", `{"locale":"fr"}`, 400, "invalid_locale"},
		{"bad time zone", o.c, "PATCH", "/api/v1/me", "application/json", `{"time_zone":"Mars/Olympus"}`, 400, "invalid_time_zone"},
		{"empty org name", o.c, "POST", "/api/v1/orgs", "application/json", `{"name":"   "}`, 400, "invalid_org_name"},
		{"bad invitation role", o.c, "POST", "/api/v1/orgs/" + o.orgID + "/invitations", "application/json", `{"role":"owner"}`, 400, "invalid_role"},
		{"bad max uses", o.c, "POST", "/api/v1/orgs/" + o.orgID + "/invitations", "application/json", `{"max_uses":0}`, 400, "invalid_max_uses"},
		{"bad limit", o.c, "GET", "/api/v1/orgs/" + o.orgID + "/members?limit=100000", "", "", 400, "invalid_request"},
		{"malformed id", o.c, "GET", "/api/v1/orgs/not-a-uuid", "", "", 404, "not_found"},
		{"unknown route", o.c, "GET", "/api/v1/nothing-here", "", "", 404, "not_found"},
		{"wrong method", o.c, "PUT", "/api/v1/orgs", "application/json", `{}`, 405, "method_not_allowed"},
		{"unknown invitation", anon, "GET", "/api/v1/invitations/nope", "", "", 404, "not_found"},
		{"short password", anon, "POST", "/api/v1/invitations/" + o.mustInvite(nil) + "/accept", "application/json", `{"email":"n@strict.example","display_name":"N","password":"short"}`, 400, "password_too_short"},
		{"common password", anon, "POST", "/api/v1/invitations/" + o.mustInvite(nil) + "/accept", "application/json", `{"email":"n@strict.example","display_name":"N","password":"Football"}`, 400, "password_too_common"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			if tc.name == "garbage bearer" {
				c = e.tokenClient("cnp_notatoken")
			}
			r := c.raw(tc.method, tc.path, tc.contentType, []byte(tc.body))
			if r.status != tc.status {
				t.Fatalf("got %d, want %d: %s", r.status, tc.status, r.body)
			}
			if code := r.errorCode(t); code != tc.code {
				t.Fatalf("code %q, want %q", code, tc.code)
			}
		})
	}
	// The failed sign-up left no account behind.
	if r := anon.do("POST", "/api/v1/auth/login", map[string]string{"email": "n@strict.example", "password": "Football"}); r.status != 401 {
		t.Fatalf("half-made account: %d", r.status)
	}
}

func TestCSRFGuardsCookieWrites(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Guarded", "g@guarded.example")
	good := o.c.csrf
	o.c.csrf = ""
	if r := o.c.do("PATCH", "/api/v1/me", map[string]string{"display_name": "X"}); r.status != 403 || r.errorCode(t) != "csrf_failed" {
		t.Fatalf("without the header: %d %s", r.status, r.body)
	}
	o.c.csrf = "wrong"
	if r := o.c.do("PATCH", "/api/v1/me", map[string]string{"display_name": "X"}); r.status != 403 {
		t.Fatalf("wrong header: %d", r.status)
	}
	o.c.csrf = good
	o.c.must(200, "PATCH", "/api/v1/me", map[string]string{"display_name": "X"})
}

func TestLoginIsRateLimited(t *testing.T) {
	e := newTestEnv(t, func(c *config.Config) { c.Auth.LoginAccountAddressLimit = 3 })
	o := e.mustOrg("Limited", "l@limited.example")
	c := e.client()
	for i := 0; i < 3; i++ {
		if r := c.do("POST", "/api/v1/auth/login", map[string]string{"email": o.email, "password": "wrong-guess-" + fmt.Sprint(i)}); r.status != 401 {
			t.Fatalf("attempt %d: %d", i, r.status)
		}
	}
	// Even the right password is refused until the window ends.
	r := c.do("POST", "/api/v1/auth/login", map[string]string{"email": o.email, "password": o.pw})
	if r.status != 429 || r.errorCode(t) != "too_many_attempts" {
		t.Fatalf("after the limit: %d %s", r.status, r.body)
	}
	if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After = %q", ra)
	}
	// Another account from the same address is not locked out by it.
	e.mustOrg("Other", "x@other.example")
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Pw", "p@pw.example")
	other := e.client()
	other.mustLogin(o.email, o.pw)
	if r := o.c.do("POST", "/api/v1/me/password", map[string]string{"current_password": "nope-nope", "new_password": "Another-Long-One-9"}); r.status != 400 || r.errorCode(t) != "wrong_password" {
		t.Fatalf("wrong current: %d %s", r.status, r.body)
	}
	o.c.must(204, "POST", "/api/v1/me/password", map[string]string{"current_password": o.pw, "new_password": "Another-Long-One-9"})
	o.c.must(200, "GET", "/api/v1/me", nil)
	if r := other.do("GET", "/api/v1/me", nil); r.status != 401 {
		t.Fatalf("other session survived: %d", r.status)
	}
	e.client().mustLogin(o.email, "Another-Long-One-9")
}

func TestInvitationLifecycle(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Invites", "i@invites.example")
	m := o.c.must(201, "POST", "/api/v1/orgs/"+o.orgID+"/invitations", map[string]any{"max_uses": 1, "role": "member"})
	token := m["token"].(string)
	if !strings.HasSuffix(m["url"].(string), "/invite/"+token) {
		t.Fatalf("url: %v", m["url"])
	}
	anon := e.client()
	if p := anon.must(200, "GET", "/api/v1/invitations/"+token, nil); p["org_name"] != "Invites" {
		t.Fatalf("preview: %v", p)
	}
	qr := anon.raw("GET", m["qr_code_url"].(string), "", nil)
	if qr.status != 200 || qr.header.Get("Content-Type") != "image/png" {
		t.Fatalf("qr: %d %s", qr.status, qr.header.Get("Content-Type"))
	}
	if _, err := png.Decode(bytes.NewReader(qr.body)); err != nil {
		t.Fatalf("qr is not a PNG: %v", err)
	}

	member, memberID := e.mustJoin(token, "new@invites.example")
	me := member.must(200, "GET", "/api/v1/me", nil)
	if orgs := me["organisations"].([]any); len(orgs) != 1 || orgs[0].(map[string]any)["role"] != "member" {
		t.Fatalf("joined member: %v", me)
	}
	if got := o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/members/"+memberID, nil); got["status"] != "active" {
		t.Fatalf("member: %v", got)
	}
	// Members cannot manage invitations.
	if r := member.do("POST", "/api/v1/orgs/"+o.orgID+"/invitations", map[string]any{}); r.status != 403 {
		t.Fatalf("member invites: %d", r.status)
	}

	// Used up.
	r := e.client().do("POST", "/api/v1/invitations/"+token+"/accept", map[string]string{"email": "late@invites.example", "display_name": "Late", "password": "Quiet-Meadow-late"})
	if r.status != 409 || r.errorCode(t) != "invitation_used_up" {
		t.Fatalf("used-up invitation: %d %s", r.status, r.body)
	}
	// Expired.
	expired := o.mustInvite(nil)
	if err := e.stack.db.Exec(`UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE uses = 0`).Error; err != nil {
		t.Fatal(err)
	}
	r = e.client().do("POST", "/api/v1/invitations/"+expired+"/accept", map[string]string{"email": "late@invites.example", "display_name": "Late", "password": "Quiet-Meadow-late"})
	if r.status != 409 || r.errorCode(t) != "invitation_expired" {
		t.Fatalf("expired invitation: %d %s", r.status, r.body)
	}
	if r := anon.do("GET", "/api/v1/invitations/"+expired, nil); r.status != 409 {
		t.Fatalf("expired preview: %d", r.status)
	}
	// Revoked.
	revoked := o.c.must(201, "POST", "/api/v1/orgs/"+o.orgID+"/invitations", map[string]any{})
	o.c.must(204, "DELETE", "/api/v1/orgs/"+o.orgID+"/invitations/"+revoked["invitation"].(map[string]any)["id"].(string), nil)
	if r := anon.do("GET", "/api/v1/invitations/"+revoked["token"].(string), nil); r.status != 404 {
		t.Fatalf("revoked preview: %d", r.status)
	}
	// A signed-in person joins with {} and an existing account cannot sign up again.
	second := o.mustInvite(nil)
	other := e.mustOrg("Elsewhere", "e@elsewhere.example")
	other.c.must(200, "POST", "/api/v1/invitations/"+second+"/accept", map[string]any{})
	if r := e.client().do("POST", "/api/v1/invitations/"+second+"/accept", map[string]string{"email": "e@elsewhere.example", "display_name": "E", "password": "Quiet-Meadow-zz"}); r.status != 409 || r.errorCode(t) != "email_taken" {
		t.Fatalf("duplicate sign-up: %d %s", r.status, r.body)
	}
	list := o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/members?q=elsewhere", nil)
	if list["total"].(float64) != 1 {
		t.Fatalf("search: %v", list)
	}
}

func TestInvitationUsesHoldUnderConcurrency(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Race", "r@race.example")
	token := o.mustInvite(map[string]any{"max_uses": 3})
	var wg sync.WaitGroup
	statuses := make(chan int, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.client().do("POST", "/api/v1/invitations/"+token+"/accept", map[string]string{
				"email": fmt.Sprintf("p%d@race.example", i), "display_name": "P", "password": "Quiet-Meadow-race"})
			statuses <- r.status
		}()
	}
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	if counts[200] != 3 || counts[409] != 5 {
		t.Fatalf("statuses: %v", counts)
	}
	if got := o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID, nil)["member_count"].(float64); got != 4 {
		t.Fatalf("member_count %v, want 4", got)
	}
	// Losers left no account behind: nobody beyond the three can sign in.
	var users int64
	e.stack.db.Raw(`SELECT count(*) FROM users`).Scan(&users)
	if users != 4 {
		t.Fatalf("%d users, want 4", users)
	}
}

func TestDeactivationEndsAccessAndRevokesTokens(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Deact", "d@deact.example")
	member, memberID := e.mustJoin(o.mustInvite(nil), "m@deact.example")
	secret := member.must(201, "POST", "/api/v1/orgs/"+o.orgID+"/tokens", map[string]any{"name": "script"})["secret"].(string)
	tc := e.tokenClient(secret)
	tc.must(200, "GET", "/api/v1/orgs/"+o.orgID, nil)

	// A member cannot deactivate anyone; an owner cannot deactivate themself.
	if r := member.do("POST", "/api/v1/orgs/"+o.orgID+"/members/"+memberID+"/deactivate", nil); r.status != 403 {
		t.Fatalf("member deactivates: %d", r.status)
	}
	ownerID := o.c.must(200, "GET", "/api/v1/me", nil)["user"].(map[string]any)["id"].(string)
	if r := o.c.do("POST", "/api/v1/orgs/"+o.orgID+"/members/"+ownerID+"/deactivate", nil); r.status != 409 {
		t.Fatalf("self-deactivation: %d", r.status)
	}

	got := o.c.must(200, "POST", "/api/v1/orgs/"+o.orgID+"/members/"+memberID+"/deactivate", nil)
	if got["status"] != "deactivated" || got["deactivated_at"] == nil {
		t.Fatalf("deactivated: %v", got)
	}
	// The account lives on (deactivation is per organisation): its session no longer reaches
	// the organisation.
	if r := member.do("GET", "/api/v1/orgs/"+o.orgID, nil); r.status != 404 {
		t.Fatalf("deactivated member's session: %d %s", r.status, r.body)
	}
	if r := tc.do("GET", "/api/v1/me", nil); r.status != 401 || r.errorCode(t) != "invalid_token" {
		t.Fatalf("deactivated member's token: %d %s", r.status, r.body)
	}
	// Signing in again works for the account, but the organisation is gone from view.
	again := e.client()
	again.mustLogin("m@deact.example", "Quiet-Meadow-m@deact.example")
	if orgs := again.must(200, "GET", "/api/v1/me", nil)["organisations"].([]any); len(orgs) != 0 {
		t.Fatalf("deactivated member still sees %v", orgs)
	}
	if r := again.do("GET", "/api/v1/orgs/"+o.orgID, nil); r.status != 404 {
		t.Fatalf("deactivated member reads the org: %d", r.status)
	}
	if n := o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/members?status=deactivated", nil)["total"].(float64); n != 1 {
		t.Fatalf("deactivated filter: %v", n)
	}
	o.c.must(200, "POST", "/api/v1/orgs/"+o.orgID+"/members/"+memberID+"/reactivate", nil)
	again.must(200, "GET", "/api/v1/orgs/"+o.orgID, nil)
	// The revoked token stays revoked.
	if r := tc.do("GET", "/api/v1/me", nil); r.status != 401 {
		t.Fatalf("token after reactivation: %d", r.status)
	}
}

func TestCreateOrgMakesCallerOwner(t *testing.T) {
	e := newTestEnv(t, func(c *config.Config) { c.Installation.AllowOrgCreation = true })
	o := e.mustOrg("First", "f@first.example")
	created := o.c.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Second", "default_locale": "zh-CN"})
	id := created["id"].(string)
	if created["default_locale"] != "zh-CN" || created["member_count"].(float64) != 1 {
		t.Fatalf("created: %v", created)
	}
	items := o.c.must(200, "GET", "/api/v1/orgs", nil)["items"].([]any)
	if len(items) != 2 {
		t.Fatalf("my orgs: %v", items)
	}
	o.c.must(200, "PATCH", "/api/v1/orgs/"+id, map[string]string{"name": "Second Renamed"})
	if got := o.c.must(200, "GET", "/api/v1/orgs/"+id, nil); got["name"] != "Second Renamed" {
		t.Fatalf("renamed: %v", got)
	}
	// An API token belongs to one organisation and cannot make another.
	secret := o.c.must(201, "POST", "/api/v1/orgs/"+o.orgID+"/tokens", map[string]any{"name": "t"})["secret"].(string)
	if r := e.tokenClient(secret).do("POST", "/api/v1/orgs", map[string]string{"name": "Third"}); r.status != 403 {
		t.Fatalf("token creates org: %d", r.status)
	}
	if items := e.tokenClient(secret).must(200, "GET", "/api/v1/orgs", nil)["items"].([]any); len(items) != 1 {
		t.Fatalf("token sees orgs: %v", items)
	}
}

func TestHealthReadyMetricsAndOpenAPI(t *testing.T) {
	e := newTestEnv(t)
	c := e.client()
	c.must(200, "GET", "/healthz", nil)
	if r := c.must(200, "GET", "/readyz", nil); r["status"] != "ok" {
		t.Fatalf("readyz: %v", r)
	}
	c.must(200, "GET", "/api/v1/openapi.json", nil)
	// Metrics have a listener of their own (metrics_test.go covers where they are served).
	status, body := e.metrics()
	if status != 200 || !strings.Contains(body, `canopy_http_requests_total{method="GET",route="/api/v1/openapi.json",status="200"} 1`) ||
		!strings.Contains(body, "canopy_http_request_duration_seconds_bucket") {
		t.Fatalf("metrics: %d\n%s", status, body)
	}
}

func TestObjectStoreBucketHasObjectLock(t *testing.T) {
	e := newTestEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	on, err := e.stack.store.ObjectLockEnabled(ctx)
	if err != nil || !on {
		t.Fatalf("object lock: %v %v", on, err)
	}
	// Ensuring again is harmless.
	if err := e.stack.store.EnsureBuckets(ctx); err != nil {
		t.Fatal(err)
	}
}
