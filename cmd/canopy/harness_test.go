package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	appidentity "canopy/app/identity"
	"canopy/infra/config"
	"canopy/infra/localenv/localtest"
	"canopy/web/server"
)

// testEnv is a real canopy stack on its own fresh database and bucket, served over loopback.
type testEnv struct {
	t     testing.TB
	stack *stack
	srv   *server.Server
	http  *httptest.Server
}

// testConfig is the configuration of a test's stack: a fresh database and bucket of the
// project-local services, with the default limits.
func testConfig(t testing.TB) config.Config {
	t.Helper()
	svc := localtest.MustServices(t)
	cfg := config.Default()
	cfg.Database.URL = localtest.MustDatabase(t)
	cfg.ObjectStore.Endpoint, cfg.ObjectStore.AccessKey, cfg.ObjectStore.SecretKey = svc.MinIOEndpoint, svc.MinIOAccessKey, svc.MinIOSecretKey
	cfg.ObjectStore.FileBucket = localtest.MustBucketName(t)
	// Mail goes to the project's mailpit; tests read it through mailpit's API (mail_test.go).
	cfg.SMTP.Host, cfg.SMTP.Port, cfg.SMTP.TLS = "127.0.0.1", mustPort(t, svc.SMTPAddress), "none"
	cfg.Database.MaxOpenConns = 10
	return cfg
}

func newTestEnv(t testing.TB, tweak ...func(*config.Config)) *testEnv {
	t.Helper()
	return newTestEnvLog(t, slog.New(slog.NewJSONHandler(io.Discard, nil)), tweak...)
}

// newTestEnvLog is newTestEnv whose stack writes its log to log, for tests that read it.
func newTestEnvLog(t testing.TB, log *slog.Logger, tweak ...func(*config.Config)) *testEnv {
	t.Helper()
	cfg := testConfig(t)
	// Tests make requests far faster than people do; the rate limits' own tests set theirs.
	cfg.Limits.APIPerUser, cfg.Limits.APIPerToken = 1_000_000, 1_000_000
	for _, f := range tweak {
		f(&cfg)
	}
	ctx := context.Background()
	st, err := build(ctx, cfg, log)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if err := st.store.EnsureBuckets(ctx); err != nil {
		t.Fatalf("buckets: %v", err)
	}
	srv, err := st.server()
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	lctx, stopListening := context.WithCancel(context.Background())
	go st.authz.Listen(lctx, st.cfg.Database.URL)
	go st.runEvents(lctx)
	t.Cleanup(func() { stopListening(); hs.Close(); st.close() })
	return &testEnv{t: t, stack: st, srv: srv, http: hs}
}

// owner is an organisation made at the shell, with its owner signed in.
type owner struct {
	orgID string
	email string
	pw    string
	c     *client
}

func (e *testEnv) mustOrg(name, email string) owner {
	e.t.Helper()
	pw := "Correct-Horse-" + name
	o, _, err := e.stack.orgs.Bootstrap(context.Background(), name, appidentity.RegisterInput{Email: email, DisplayName: "Owner of " + name, Password: pw})
	if err != nil {
		e.t.Fatalf("bootstrap: %v", err)
	}
	c := e.client()
	c.mustLogin(email, pw)
	return owner{orgID: o.ID().String(), email: email, pw: pw, c: c}
}

// client is one browser or program talking to the server.
type client struct {
	t      testing.TB
	base   string
	hc     *http.Client
	csrf   string
	bearer string
}

func (e *testEnv) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, base: e.http.URL, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// clientFor is a client of a server at base, such as another replica.
func (e *testEnv) clientFor(base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, base: base, hc: &http.Client{Jar: jar}}
}

func (e *testEnv) tokenClient(secret string) *client {
	c := e.client()
	c.bearer = secret
	return c
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not a JSON object (%d): %s", r.status, r.body)
	}
	return m
}

// errorCode returns error.code, failing unless the body is the one error shape.
func (r response) errorCode(t testing.TB) string {
	t.Helper()
	m := r.json(t)
	e, ok := m["error"].(map[string]any)
	if !ok || e["code"] == nil || e["message"] == nil || e["request_id"] == "" {
		t.Fatalf("not an error body: %s", r.body)
	}
	return e["code"].(string)
}

func (c *client) raw(method, path, contentType string, body []byte) response {
	c.t.Helper()
	return c.rawWith(method, path, contentType, body, nil)
}

// rawWith is raw with extra request headers.
func (c *client) rawWith(method, path, contentType string, body []byte, header map[string]string) response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 500 {
		c.t.Errorf("%s %s answered %d: %s", method, path, resp.StatusCode, b)
	}
	if strings.Contains(string(b), "goroutine ") || strings.Contains(string(b), ".go:") {
		c.t.Errorf("%s %s leaked a stack trace: %s", method, path, b)
	}
	return response{resp.StatusCode, resp.Header, b}
}

func (c *client) do(method, path string, body any) response {
	c.t.Helper()
	if body == nil {
		return c.raw(method, path, "", nil)
	}
	b, err := json.Marshal(body)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.raw(method, path, "application/json", b)
}

// must sends a request and fails the test unless it answers want.
func (c *client) must(want int, method, path string, body any) map[string]any {
	c.t.Helper()
	r := c.do(method, path, body)
	if r.status != want {
		c.t.Fatalf("%s %s: got %d, want %d: %s", method, path, r.status, want, r.body)
	}
	if len(r.body) == 0 || r.header.Get("Content-Type") != "application/json" {
		return nil
	}
	return r.json(c.t)
}

func (c *client) mustLogin(email, pw string) {
	c.t.Helper()
	m := c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": pw})
	c.csrf = m["csrf_token"].(string)
	u, _ := url.Parse(c.base)
	var csrfCookie string
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == "canopy_csrf" {
			csrfCookie = ck.Value
		}
	}
	if csrfCookie != c.csrf {
		c.t.Fatalf("the canopy_csrf cookie %q differs from the csrf_token %q", csrfCookie, c.csrf)
	}
}

// mustInvite creates an invitation as o and returns its token.
func (o owner) mustInvite(body map[string]any) string {
	m := o.c.must(201, "POST", "/api/v1/orgs/"+o.orgID+"/invitations", body)
	return m["token"].(string)
}

// mustJoin signs a new person up through an invitation and returns them signed in.
func (e *testEnv) mustJoin(token, email string) (*client, string) {
	e.t.Helper()
	c := e.client()
	m := c.must(200, "POST", "/api/v1/invitations/"+token+"/accept", map[string]string{
		"email": email, "display_name": "Person " + email, "password": "Quiet-Meadow-" + email,
	})
	c.csrf = m["csrf_token"].(string)
	return c, m["user"].(map[string]any)["id"].(string)
}
