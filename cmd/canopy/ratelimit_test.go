package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"canopy/infra/config"
)

// windowClock is the clock of the rate limits' windows that every replica of a test shares.
type windowClock struct{ ns atomic.Int64 }

func (c *windowClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *windowClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// newReplica serves a stack of its own on cfg's database, as another replica would: with the
// rate limits' windows on clock when it is not nil. It starts no background workers.
func newReplica(t *testing.T, cfg config.Config, clock *windowClock) *testEnv {
	t.Helper()
	ctx := context.Background()
	st, err := build(ctx, cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if err := st.store.EnsureBuckets(ctx); err != nil {
		t.Fatalf("buckets: %v", err)
	}
	if clock != nil {
		st.limitsNow = clock.Now
	}
	srv, err := st.server()
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); st.close() })
	return &testEnv{t: t, stack: st, srv: srv, http: hs}
}

// plainGet sends GET path to base as a session (cookies from c) or a token, without the
// harness's complaint about 5xx, which these tests expect.
func plainGet(t *testing.T, c *client, base, path string, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c != nil && c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	hc := &http.Client{Timeout: 60 * time.Second}
	if c != nil && c.hc != nil {
		hc.Jar = c.hc.Jar
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}
}

// rateHeaders fails unless r carries the three RateLimit headers, and returns them.
func rateHeaders(t *testing.T, r response) (limit, remaining, reset int) {
	t.Helper()
	var err error
	get := func(name string) int {
		v := r.header.Get(name)
		n, e := strconv.Atoi(v)
		if e != nil && err == nil {
			err = e
		}
		return n
	}
	limit, remaining, reset = get("RateLimit-Limit"), get("RateLimit-Remaining"), get("RateLimit-Reset")
	if err != nil {
		t.Fatalf("RateLimit headers missing or bad (%d): %v %s", r.status, r.header, r.body)
	}
	return limit, remaining, reset
}

// TestRateLimitsSharedByReplicas runs two replicas on one database: an API token's budget is
// spent across both, and past it either answers 429 rate_limited with Retry-After and the
// RateLimit headers; the token's requests count against its owner too, whose session then
// hits the per-user limit; another user is unaffected; the next window starts afresh.
func TestRateLimitsSharedByReplicas(t *testing.T) {
	cfg := testConfig(t)
	cfg.Limits.APIPerToken, cfg.Limits.APIPerUser = 5, 12
	clock := &windowClock{}
	// 10 s into a window of a minute.
	clock.ns.Store(time.Date(2031, 3, 4, 5, 6, 10, 0, time.UTC).UnixNano())
	a, b := newReplica(t, cfg, clock), newReplica(t, cfg, clock)

	o := a.mustOrg("Limits", "ada@limits.example")
	other := a.mustOrg("Elsewhere", "bob@elsewhere.example")
	// The owner's first counted request (sign-in is not counted: it is limited per address).
	secret := o.c.must(201, "POST", "/api/v1/orgs/"+o.orgID+"/tokens", map[string]any{"name": "ci"})["secret"].(string)
	tok := &client{t: t, bearer: secret}

	bases := []string{a.http.URL, b.http.URL}
	for i := 0; i < 5; i++ {
		r := plainGet(t, tok, bases[i%2], "/api/v1/me", nil)
		if r.status != 200 {
			t.Fatalf("request %d of the token's 5: %d %s", i+1, r.status, r.body)
		}
		limit, remaining, reset := rateHeaders(t, r)
		if limit != 5 || remaining != 4-i || reset != 50 {
			t.Fatalf("request %d: RateLimit %d/%d reset %d, want 5/%d reset 50", i+1, limit, remaining, reset, 4-i)
		}
	}
	for _, base := range bases {
		r := plainGet(t, tok, base, "/api/v1/me", nil)
		if r.status != 429 || r.errorCode(t) != "rate_limited" {
			t.Fatalf("past the token's limit on %s: %d %s", base, r.status, r.body)
		}
		if r.header.Get("Retry-After") != "50" {
			t.Fatalf("Retry-After %q, want 50", r.header.Get("Retry-After"))
		}
		if limit, remaining, reset := rateHeaders(t, r); limit != 5 || remaining != 0 || reset != 50 {
			t.Fatalf("429's RateLimit %d/%d reset %d", limit, remaining, reset)
		}
	}

	// The owner has made 1 + 7 requests: the session's next 4 pass the user's limit of 12, on
	// either replica, and the 13th does not.
	session := func(base string) response {
		return plainGet(t, o.c, base, "/api/v1/me", nil)
	}
	for i := 0; i < 4; i++ {
		if r := session(bases[i%2]); r.status != 200 {
			t.Fatalf("session request %d: %d %s", i+1, r.status, r.body)
		} else if limit, remaining, _ := rateHeaders(t, r); limit != 12 || remaining != 3-i {
			t.Fatalf("session request %d: RateLimit %d/%d", i+1, limit, remaining)
		}
	}
	if r := session(b.http.URL); r.status != 429 || r.errorCode(t) != "rate_limited" || r.header.Get("Retry-After") == "" {
		t.Fatalf("past the user's limit: %d %v %s", r.status, r.header, r.body)
	}

	// Someone else is not affected.
	if r := plainGet(t, other.c, b.http.URL, "/api/v1/me", nil); r.status != 200 {
		t.Fatalf("another user: %d %s", r.status, r.body)
	} else if limit, remaining, _ := rateHeaders(t, r); limit != 12 || remaining != 11 {
		t.Fatalf("another user's RateLimit %d/%d", limit, remaining)
	}
	// Unauthenticated routes are not counted here.
	if r := plainGet(t, nil, a.http.URL, "/api/v1/openapi.json", nil); r.status != 200 || r.header.Get("RateLimit-Limit") != "" {
		t.Fatalf("a public route: %d %v", r.status, r.header)
	}

	// The next window.
	clock.Advance(time.Minute)
	for _, base := range bases {
		if r := plainGet(t, tok, base, "/api/v1/me", nil); r.status != 200 {
			t.Fatalf("the token in the next window: %d %s", r.status, r.body)
		}
		if r := session(base); r.status != 200 {
			t.Fatalf("the session in the next window: %d %s", r.status, r.body)
		}
	}
	if r := plainGet(t, tok, a.http.URL, "/api/v1/me", nil); r.status != 200 {
		t.Fatal(r.status)
	} else if _, remaining, _ := rateHeaders(t, r); remaining != 2 {
		t.Fatalf("the token's third request of the new window leaves %d, want 2", remaining)
	}
}

// TestRateLimitCountsSCIMTokens: a SCIM token's requests are counted against it too.
func TestRateLimitCountsSCIMTokens(t *testing.T) {
	cfg := testConfig(t)
	cfg.Limits.APIPerToken = 2
	e := newReplica(t, cfg, nil)
	o := e.mustOrg("Scim", "ada@scim.example")
	p := &client{t: t, bearer: o.mustSCIMToken("Okta")}
	for i := 0; i < 2; i++ {
		if r := plainGet(t, p, e.http.URL, "/scim/v2/Users", nil); r.status != 200 {
			t.Fatalf("SCIM request %d: %d %s", i+1, r.status, r.body)
		}
	}
	r := plainGet(t, p, e.http.URL, "/scim/v2/Users", nil)
	if r.status != 429 || r.header.Get("Retry-After") == "" || r.header.Get("RateLimit-Remaining") != "0" {
		t.Fatalf("past the SCIM token's limit: %d %v %s", r.status, r.header, r.body)
	}
}
