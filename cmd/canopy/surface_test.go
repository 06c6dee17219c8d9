package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	appidentity "canopy/app/identity"
	"canopy/infra/config"
	"canopy/web/ui"
)

// metrics reads the Prometheus metrics from the handler of their own listener.
func (e *testEnv) metrics() (int, string) {
	rec := httptest.NewRecorder()
	e.srv.Metrics().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Code, rec.Body.String()
}

// TestMetricsNeedTheirListenerOrAToken: by default /metrics is not on the public listener at
// all; with metrics.token it is, to requests bearing the token only.
func TestMetricsNeedTheirListenerOrAToken(t *testing.T) {
	e := newTestEnv(t)
	if r := e.client().raw("GET", "/metrics", "", nil); r.status != 404 || strings.Contains(string(r.body), "canopy_http_requests_total") {
		t.Fatalf("/metrics on the public listener: %d %s", r.status, r.body)
	}
	if cfg := config.Default(); cfg.Metrics.Address != "127.0.0.1:9464" || cfg.Metrics.Token != "" {
		t.Fatalf("metrics defaults: %+v", cfg.Metrics)
	}

	token := "metrics-token-of-at-least-32-characters"
	e = newTestEnv(t, func(c *config.Config) { c.Metrics.Token = token })
	if r := e.client().raw("GET", "/metrics", "", nil); r.status != 401 || strings.Contains(string(r.body), "canopy_http_requests_total") {
		t.Fatalf("/metrics without the token: %d %s", r.status, r.body)
	}
	if r := e.tokenClient("not-"+token).raw("GET", "/metrics", "", nil); r.status != 401 {
		t.Fatalf("/metrics with a wrong token: %d", r.status)
	}
	if r := e.tokenClient(token).raw("GET", "/metrics", "", nil); r.status != 200 || !strings.Contains(string(r.body), "canopy_http_requests_total") {
		t.Fatalf("/metrics with the token: %d %s", r.status, r.body)
	}
}

// TestSessionCookiesAreSecureOverHTTPS: with an https public URL, the session and CSRF
// cookies carry Secure, with no other setting; with an http one (development) they do not.
func TestSessionCookiesAreSecureOverHTTPS(t *testing.T) {
	for _, tc := range []struct {
		publicURL string
		secure    bool
	}{{"https://canopy.example.com", true}, {"http://127.0.0.1:8080", false}} {
		e := newTestEnv(t, func(c *config.Config) { c.Server.PublicURL = tc.publicURL })
		o := e.mustOrgNoLogin("Cookies", "c@cookies.example")
		r := e.client().do("POST", "/api/v1/auth/login", map[string]string{"email": o.email, "password": o.pw})
		if r.status != 200 {
			t.Fatalf("login: %d %s", r.status, r.body)
		}
		cookies := (&http.Response{Header: r.header}).Cookies()
		if len(cookies) != 2 {
			t.Fatalf("cookies: %v", cookies)
		}
		for _, ck := range cookies {
			if ck.Secure != tc.secure {
				t.Errorf("%s: cookie %s Secure=%v", tc.publicURL, ck.Name, ck.Secure)
			}
		}
	}
}

// TestAPIResponsesAreNotStored: authenticated API responses, errors, and the public ones that
// hold a secret (an invitation's preview and QR code) all carry Cache-Control: no-store.
func TestAPIResponsesAreNotStored(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustOrg("Stored", "s@stored.example")
	invitation := o.mustInvite(nil)
	for _, rq := range []struct {
		c            *client
		method, path string
	}{
		{o.c, "GET", "/api/v1/me"},
		{o.c, "GET", "/api/v1/orgs/" + o.orgID + "/members"},
		{o.c, "GET", "/api/v1/orgs/" + o.orgID + "/invitations"},
		{o.c, "GET", "/api/v1/orgs/" + o.orgID + "/tokens"},
		{o.c, "GET", "/api/v1/orgs/00000000-0000-0000-0000-000000000000/members"},
		{e.client(), "GET", "/api/v1/me"},
		{e.client(), "GET", "/api/v1/invitations/" + invitation},
		{e.client(), "GET", "/api/v1/invitations/" + invitation + "/qr.png"},
		{e.client(), "GET", "/api/v1/no-such-route"},
		{e.client(), "GET", "/scim/v2/Users"},
	} {
		r := rq.c.do(rq.method, rq.path, nil)
		if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("%s %s (%d): Cache-Control %q", rq.method, rq.path, r.status, cc)
		}
	}
	// A sign-in answer holds the CSRF token.
	r := e.client().do("POST", "/api/v1/auth/login", map[string]string{"email": o.email, "password": o.pw})
	if r.status != 200 || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("login (%d): Cache-Control %q", r.status, r.header.Get("Cache-Control"))
	}
}

// TestFirstVisitDownloadsCompressedScripts fetches the app shell as a browser would and then
// the entry script it names, from the build embedded in the binary: with Accept-Encoding
// "gzip, br" the script comes as brotli (the build's .br variant), with "gzip" as gzip that
// decompresses to the script, and without the header as it is. Hashed names are cached for
// good, the shell never without asking again.
func TestFirstVisitDownloadsCompressedScripts(t *testing.T) {
	dist := ui.Dist()
	index, err := fs.ReadFile(dist, "index.html")
	if err != nil {
		t.Fatal("the web UI is not built (run `make ui`; make test does): ", err)
	}
	m := regexp.MustCompile(`<script type="module"[^>]* src="/(assets/[^"]+\.js)"`).FindSubmatch(index)
	if m == nil {
		t.Fatalf("no entry script in index.html:\n%s", index)
	}
	entry := string(m[1])
	plain, _ := fs.ReadFile(dist, entry)
	brotli, err := fs.ReadFile(dist, entry+".br")
	if err != nil {
		t.Fatalf("the build has no brotli variant of %s: %v", entry, err)
	}

	e := newTestEnv(t)
	fetch := func(path, acceptEncoding string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", e.http.URL+path, nil)
		// Set explicitly, so Go's client neither adds gzip nor decompresses for us.
		req.Header.Set("Accept-Encoding", acceptEncoding)
		resp, err := e.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}

	shell, _ := fetch("/", "gzip, br")
	if shell.Header.Get("Content-Encoding") != "br" || shell.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("shell: %v", shell.Header)
	}
	resp, body := fetch("/"+entry, "gzip, deflate, br")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "br" || !bytes.Equal(body, brotli) ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") || resp.Header.Get("Vary") != "Accept-Encoding" ||
		resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("gzip, br: %d %v (%d bytes)", resp.StatusCode, resp.Header, len(body))
	}
	if len(body)*3 > len(plain) {
		t.Fatalf("brotli sends %d of the script's %d bytes", len(body), len(plain))
	}
	resp, body = fetch("/"+entry, "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip: %v", resp.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if unzipped, err := io.ReadAll(zr); err != nil || !bytes.Equal(unzipped, plain) {
		t.Fatalf("the gzip body does not decompress to the script: %v", err)
	}
	resp, body = fetch("/"+entry, "")
	if resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, plain) {
		t.Fatalf("identity: %v (%d bytes)", resp.Header, len(body))
	}
}

// mustOrgNoLogin makes an organisation at the shell without signing its owner in.
func (e *testEnv) mustOrgNoLogin(name, email string) owner {
	e.t.Helper()
	pw := "Correct-Horse-" + name
	o, _, err := e.stack.orgs.Bootstrap(context.Background(), name, appidentity.RegisterInput{Email: email, DisplayName: "Owner of " + name, Password: pw})
	if err != nil {
		e.t.Fatalf("bootstrap: %v", err)
	}
	return owner{orgID: o.ID().String(), email: email, pw: pw}
}
