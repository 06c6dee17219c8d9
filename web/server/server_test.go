package server

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"

	"canopy/domain/errs"
)

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const appJS = "console.log('the app');\n"

// uiFS is a build as web/ui/scripts/compress-dist.mjs leaves it: the brotli variant's bytes are
// a stand-in, since the server only picks and labels a variant, never decodes it.
func uiFS(t *testing.T) fstest.MapFS {
	return fstest.MapFS{
		"index.html":                {Data: []byte("<!doctype html><title>Canopy</title>")},
		"index.html.gz":             {Data: gzipped(t, "<!doctype html><title>Canopy</title>")},
		"assets/index-AbC123.js":    {Data: []byte(appJS)},
		"assets/index-AbC123.js.gz": {Data: gzipped(t, appJS)},
		"assets/index-AbC123.js.br": {Data: []byte("brotli bytes")},
		"assets/style-XyZ789.css":   {Data: []byte("body{margin:0}")},
		"favicon.svg":               {Data: []byte("<svg/>")},
	}
}

func newServer(t *testing.T, log io.Writer, cfg Config) *Server {
	t.Helper()
	cfg.BodyLimitBytes = 1 << 20
	return New(Deps{Config: cfg, Log: slog.New(slog.NewJSONHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug})), UI: uiFS(t)})
}

func get(h http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestAssetsAreServedCompressed: an asset goes out in the best precompressed variant the
// client accepts, labelled with its encoding and the original's type, and as it is to a client
// that accepts none.
func TestAssetsAreServedCompressed(t *testing.T) {
	srv := newServer(t, io.Discard, Config{})
	cases := []struct {
		accept, encoding string
	}{
		{"gzip, deflate, br, zstd", "br"},
		{"gzip, br;q=0", "gzip"},
		{"br;q=0.5, gzip;q=0.9", "gzip"},
		{"gzip", "gzip"},
		{"*", "br"},
		{"deflate", ""},
		{"", ""},
		{"br;q=0, gzip;q=0", ""},
	}
	for _, tc := range cases {
		r := get(srv, "/assets/index-AbC123.js", "Accept-Encoding", tc.accept)
		if r.Code != 200 || r.Header().Get("Content-Encoding") != tc.encoding {
			t.Fatalf("Accept-Encoding %q: %d, Content-Encoding %q, want %q", tc.accept, r.Code, r.Header().Get("Content-Encoding"), tc.encoding)
		}
		if ct := r.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
			t.Fatalf("Accept-Encoding %q: Content-Type %q", tc.accept, ct)
		}
		if r.Header().Get("Vary") != "Accept-Encoding" || r.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Fatalf("Accept-Encoding %q: Vary %q, Cache-Control %q", tc.accept, r.Header().Get("Vary"), r.Header().Get("Cache-Control"))
		}
		body := r.Body.String()
		switch tc.encoding {
		case "gzip":
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				t.Fatal(err)
			}
			plain, _ := io.ReadAll(zr)
			if string(plain) != appJS {
				t.Fatalf("gzip body decompresses to %q", plain)
			}
		case "br":
			if body != "brotli bytes" {
				t.Fatalf("br body %q", body)
			}
		case "":
			if body != appJS {
				t.Fatalf("identity body %q", body)
			}
		}
	}
	// A file without variants is sent as it is, and says nothing about encodings.
	r := get(srv, "/assets/style-XyZ789.css", "Accept-Encoding", "gzip, br")
	if r.Header().Get("Content-Encoding") != "" || r.Header().Get("Vary") != "" || r.Body.String() != "body{margin:0}" ||
		!strings.HasPrefix(r.Header().Get("Content-Type"), "text/css") {
		t.Fatalf("css: %v %q", r.Header(), r.Body)
	}
}

// TestShellIsRevalidated: the app shell, served for every page of the app, is compressed too,
// must be checked again on every visit (no-cache), and a check with its ETag costs a 304.
func TestShellIsRevalidated(t *testing.T) {
	srv := newServer(t, io.Discard, Config{})
	r := get(srv, "/console/members", "Accept-Encoding", "gzip")
	if r.Code != 200 || r.Header().Get("Content-Encoding") != "gzip" || r.Header().Get("Cache-Control") != "no-cache" ||
		!strings.HasPrefix(r.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("shell: %d %v", r.Code, r.Header())
	}
	etag := r.Header().Get("ETag")
	if r := get(srv, "/", "Accept-Encoding", "gzip", "If-None-Match", etag); r.Code != http.StatusNotModified {
		t.Fatalf("revalidation: %d", r.Code)
	}
	plain := get(srv, "/")
	if plain.Header().Get("ETag") == etag || plain.Body.String() != "<!doctype html><title>Canopy</title>" {
		t.Fatalf("identity shell: %v %q", plain.Header(), plain.Body)
	}
	if r := get(srv, "/favicon.svg"); r.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("an unhashed file: Cache-Control %q", r.Header().Get("Cache-Control"))
	}
	if r := get(srv, "/assets/gone-123.js"); r.Code != 404 {
		t.Fatalf("a missing asset: %d", r.Code)
	}
}

// TestResponsesAreNotStoredByDefault: API responses, errors included, say no-store; only the
// app's files choose their own caching.
func TestResponsesAreNotStoredByDefault(t *testing.T) {
	srv := newServer(t, io.Discard, Config{})
	srv.Router().Add(Public, http.MethodGet, "/things", func(c echo.Context) error { return c.JSON(200, map[string]string{}) })
	for _, target := range []string{"/api/v1/things", "/api/v1/nothing-here", "/healthz"} {
		if r := get(srv, target); r.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d, Cache-Control %q", target, r.Code, r.Header().Get("Cache-Control"))
		}
	}
}

// TestMetricsAreNotOnTheMainListenerWithoutAToken: /metrics is absent from the main handler
// unless a token is configured, and then needs it.
func TestMetricsAreNotOnTheMainListenerWithoutAToken(t *testing.T) {
	srv := newServer(t, io.Discard, Config{})
	if r := get(srv, "/metrics"); r.Code != 404 || strings.Contains(r.Body.String(), "go_goroutines") {
		t.Fatalf("/metrics without a token: %d %s", r.Code, r.Body)
	}
	if r := get(srv.Metrics(), "/metrics"); r.Code != 200 || !strings.Contains(r.Body.String(), "go_goroutines") {
		t.Fatalf("the metrics handler: %d", r.Code)
	}
	token := strings.Repeat("m", 40)
	srv = newServer(t, io.Discard, Config{MetricsToken: token})
	for _, auth := range []string{"", "Bearer wrong", "Basic " + token, "Bearer " + token + "x"} {
		if r := get(srv, "/metrics", "Authorization", auth); r.Code != 401 || strings.Contains(r.Body.String(), "go_goroutines") {
			t.Fatalf("Authorization %q: %d", auth, r.Code)
		}
	}
	if r := get(srv, "/metrics", "Authorization", "Bearer "+token); r.Code != 200 || !strings.Contains(r.Body.String(), "go_goroutines") {
		t.Fatalf("with the token: %d", r.Code)
	}
}

// TestSecretsStayOutOfLogsAndMetrics requests paths and queries that carry a token, matched
// and unmatched, including one whose handler fails with the token in its error: the token
// appears in no log line and no metric label, while the rest of the path is still logged.
func TestSecretsStayOutOfLogsAndMetrics(t *testing.T) {
	var log bytes.Buffer
	srv := newServer(t, &log, Config{})
	r := srv.Router()
	r.Add(Public, http.MethodGet, "/invitations/:token", func(c echo.Context) error {
		Logger(c).Info("looking up", "token", c.Param("token"))
		return errs.Internalf("lookup of %q failed", c.Param("token"))
	})
	r.Add(Public, http.MethodGet, "/orgs/:orgID/tokens/:tokenID", func(c echo.Context) error { return c.NoContent(204) })
	r.Add(Public, http.MethodGet, "/links/:shareToken", func(c echo.Context) error { return c.NoContent(204) })

	const secret = "SeCrEt_tOkEn-0123456789abcdefghijklmnopq"
	id := "3f2b8a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
	for _, target := range []string{
		"/api/v1/invitations/" + secret,
		"/api/v1/invitations/" + secret + "/accept",
		"/api/v1/links/" + secret,
		"/api/v1/activation/" + secret,
		"/api/v1/activation/" + secret + "/qr.png",
		"/activate/" + secret,
		"/invite/" + secret + "?lang=en",
		"/api/v1/orgs/" + id + "/tokens/" + id + "?token=" + secret + "&limit=5",
		"/api/v1/things?access_token=" + secret,
		"/login?next=%2F&code=" + secret,
		"/login?next=%2Finvite%2F" + secret,
		"/login?redirect=" + secret + "&return_to=%2Factivate%2F" + secret + "%3Flang%3Den",
		"/login?continue=%2Forgs%2F" + id + "%3Ftoken%3D" + secret,
		"/api/v1/invitations/" + strings.ReplaceAll(secret, "_", "%5F"),
	} {
		get(srv, target)
	}
	if strings.Contains(log.String(), "0123456789abcdefghijklmnopq") {
		t.Fatalf("a token reached the log:\n%s", log.String())
	}
	if !strings.Contains(log.String(), `"path":"/api/v1/orgs/`+id+`/tokens/`+id+`"`) ||
		!strings.Contains(log.String(), `"query":"limit=5&token=[redacted]"`) ||
		!strings.Contains(log.String(), `"path":"/api/v1/invitations/[redacted]"`) ||
		!strings.Contains(log.String(), `"query":"next=%2F[redacted]%2F[redacted]"`) ||
		!strings.Contains(log.String(), `"query":"continue=%2Forgs%2F`+id+`%3F[redacted]"`) {
		t.Fatalf("the log lost what it may show:\n%s", log.String())
	}
	metrics := get(srv.Metrics(), "/metrics").Body.String()
	if strings.Contains(metrics, "0123456789abcdefghijklmnopq") || !strings.Contains(metrics, `route="/api/v1/invitations/:token"`) {
		t.Fatalf("metrics:\n%s", metrics)
	}
}

// TestAbortedResponsesAreLogged: a handler that aborts its response part-way (as a failed audit
// export does) still leaves its request line, with the status it had sent and aborted: true,
// and is counted in the metrics; the abort itself goes on to net/http, which drops the
// connection. One that aborts before writing anything is logged as a 500.
func TestAbortedResponsesAreLogged(t *testing.T) {
	var log bytes.Buffer
	srv := newServer(t, &log, Config{})
	srv.Router().Add(Public, http.MethodGet, "/export", func(c echo.Context) error {
		c.Response().WriteHeader(http.StatusOK)
		_, _ = c.Response().Write([]byte("id,at\n1,"))
		panic(http.ErrAbortHandler)
	})
	srv.Router().Add(Public, http.MethodGet, "/early", func(c echo.Context) error {
		panic(http.ErrAbortHandler)
	})
	for _, target := range []string{"/api/v1/export", "/api/v1/early"} {
		func() {
			defer func() {
				if r := recover(); r != http.ErrAbortHandler {
					t.Errorf("%s: the abort did not reach net/http: %v", target, r)
				}
			}()
			get(srv, target)
		}()
	}
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	want := map[string]float64{"/api/v1/export": 200, "/api/v1/early": 500}
	if len(lines) != len(want) {
		t.Fatalf("request lines: %v", lines)
	}
	for _, l := range lines {
		if l["aborted"] != true || l["status"] != want[l["route"].(string)] {
			t.Errorf("request line: %v", l)
		}
	}
	metrics := get(srv.Metrics(), "/metrics").Body.String()
	for _, m := range []string{
		`canopy_http_requests_total{method="GET",route="/api/v1/export",status="200"} 1`,
		`canopy_http_requests_total{method="GET",route="/api/v1/early",status="500"} 1`,
		`canopy_http_requests_aborted_total{method="GET",route="/api/v1/export"} 1`,
	} {
		if !strings.Contains(metrics, m) {
			t.Errorf("metrics lack %s:\n%s", m, metrics)
		}
	}
}

// TestProfilesOnlyOnTheMetricsListenerWhenAskedFor: /debug/pprof/ is served by the metrics
// listener with metrics.pprof set, and never by the main handler.
func TestProfilesOnlyOnTheMetricsListenerWhenAskedFor(t *testing.T) {
	for _, on := range []bool{false, true} {
		srv := newServer(t, io.Discard, Config{Profiling: on, MetricsToken: strings.Repeat("m", 40)})
		// The main handler may answer with the web app's page; never with a profile.
		if r := get(srv, "/debug/pprof/goroutine?debug=1"); strings.Contains(r.Body.String(), "goroutine profile") {
			t.Errorf("profiling %v: the main handler served a profile", on)
		}
		r := get(srv.MetricsServer("127.0.0.1:0").Handler, "/debug/pprof/goroutine?debug=1")
		if on != (r.Code == 200 && strings.Contains(r.Body.String(), "goroutine profile")) {
			t.Errorf("profiling %v: the metrics listener answered /debug/pprof/ with %d", on, r.Code)
		}
	}
}
