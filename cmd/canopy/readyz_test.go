package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/infra/config"
	"canopy/infra/localenv"
	"canopy/infra/localenv/localtest"
)

func freePort(t *testing.T) int {
	t.Helper()
	for i := 0; i < 20; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		// MinIO's console takes the next port too.
		if l2, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", itoa(port+1))); err == nil {
			_ = l2.Close()
			return port
		}
	}
	t.Fatal("no free port pair")
	return 0
}

func itoa(n int) string { return strconv.Itoa(n) }

// newIsolatedEnv is a canopy stack on a PostgreSQL and a MinIO of its own, under
// .data/<prefix>…, for tests that stop and start them; they are removed when the test ends.
func newIsolatedEnv(t *testing.T, prefix string) (*testEnv, localenv.Options) {
	t.Helper()
	root := localtest.Root(t)
	localtest.MustServices(t) // builds MinIO into .bin if needed
	o := localenv.Options{Root: root, DataDir: filepath.Join(root, ".data", prefix+uuid.NewString()[:8]),
		PostgresPort: freePort(t), MinIOPort: freePort(t)}
	ctx := context.Background()
	svc, err := localenv.Up(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = localenv.Down(o); _ = os.RemoveAll(o.DataDir) })
	cfg := config.Default()
	cfg.Database.URL = svc.DatabaseURL
	cfg.ObjectStore.Endpoint, cfg.ObjectStore.AccessKey, cfg.ObjectStore.SecretKey = svc.MinIOEndpoint, svc.MinIOAccessKey, svc.MinIOSecretKey
	st, err := build(ctx, cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.store.EnsureBuckets(ctx); err != nil {
		t.Fatal(err)
	}
	srv, err := st.server()
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); st.close() })
	return &testEnv{t: t, stack: st, srv: srv, http: hs}, o
}

// TestReadyzFollowsDependencies stops this test's own PostgreSQL and MinIO under a running
// Canopy: /readyz must answer 503 while either is down and 200 once it is back, with no restart
// of Canopy.
func TestReadyzFollowsDependencies(t *testing.T) {
	e, o := newIsolatedEnv(t, "test-readyz-")
	ctx := context.Background()
	hs := e.http

	// waitFor polls /readyz until it answers want, for at most 20 s.
	waitFor := func(want int, failing string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			resp, err := http.Get(hs.URL + "/readyz")
			if err != nil {
				t.Fatal(err)
			}
			var body struct {
				Checks map[string]string `json:"checks"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if resp.StatusCode == want && (failing == "" || body.Checks[failing] == "unavailable") {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("/readyz answered %d %v, want %d", resp.StatusCode, body.Checks, want)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	waitFor(200, "")

	if err := localenv.StopMinIO(o); err != nil {
		t.Fatal(err)
	}
	waitFor(503, "objectstore")
	if _, err := localenv.Up(ctx, o); err != nil {
		t.Fatal(err)
	}
	waitFor(200, "")

	if err := localenv.StopPostgres(o); err != nil {
		t.Fatal(err)
	}
	waitFor(503, "postgres")
	if _, err := localenv.Up(ctx, o); err != nil {
		t.Fatal(err)
	}
	waitFor(200, "")
}
