package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"

	"canopy/infra/localenv"
)

// TestRequestTimeoutAnswers503: a request held up in the database past server.request_timeout
// (here by a lock on the sessions table that another connection holds) answers 503 timeout with
// the JSON error body, neither a hang nor a 500; once the lock goes the same request works.
func TestRequestTimeoutAnswers503(t *testing.T) {
	cfg := testConfig(t)
	cfg.Server.RequestTimeout = 2 * time.Second
	e := newReplica(t, cfg, nil)
	o := e.mustOrg("Slow", "ada@slow.example")

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, cfg.Database.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	r := plainGet(t, o.c, e.http.URL, "/api/v1/me", nil)
	if r.status != 503 || r.errorCode(t) != "timeout" {
		t.Fatalf("a request past its deadline: %d %s", r.status, r.body)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if r := plainGet(t, o.c, e.http.URL, "/api/v1/me", nil); r.status != 200 {
		t.Fatalf("after the lock: %d %s", r.status, r.body)
	}
}

// TestDatabasePoolBusy: with database.max_open_conns 2, both held by transactions, a request
// waits database.pool_wait_timeout and answers 503 database_busy with Retry-After: 1, counted
// in canopy_db_pool_busy_total; with the connections back it works.
func TestDatabasePoolBusy(t *testing.T) {
	cfg := testConfig(t)
	cfg.Database.MaxOpenConns, cfg.Database.MaxIdleConns = 2, 2
	cfg.Database.PoolWaitTimeout = 300 * time.Millisecond
	e := newReplica(t, cfg, nil)
	o := e.mustOrg("Busy", "ada@busy.example")

	tx1, tx2 := e.stack.db.Begin(), e.stack.db.Begin()
	if tx1.Error != nil || tx2.Error != nil {
		t.Fatal(tx1.Error, tx2.Error)
	}
	r := plainGet(t, o.c, e.http.URL, "/api/v1/me", nil)
	if r.status != 503 || r.errorCode(t) != "database_busy" || r.header.Get("Retry-After") != "1" {
		t.Fatalf("with every connection held: %d %v %s", r.status, r.header, r.body)
	}
	tx1.Rollback()
	tx2.Rollback()
	if r := plainGet(t, o.c, e.http.URL, "/api/v1/me", nil); r.status != 200 {
		t.Fatalf("with the connections back: %d %s", r.status, r.body)
	}
	rec := httptest.NewRecorder()
	e.srv.Metrics().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	m := regexp.MustCompile(`(?m)^canopy_db_pool_busy_total (\d+)`).FindStringSubmatch(rec.Body.String())
	if m == nil || m[1] == "0" {
		t.Fatalf("canopy_db_pool_busy_total not counted: %v", m)
	}
}

// TestDatabaseDownAnswers503: with PostgreSQL stopped, an API request answers 503
// database_unavailable with the JSON error body, and works again once it is back.
func TestDatabaseDownAnswers503(t *testing.T) {
	e, opts := newIsolatedEnv(t, "test-dbdown-")
	o := e.mustOrg("Down", "ada@down.example")
	if r := plainGet(t, o.c, e.http.URL, "/api/v1/me", nil); r.status != 200 {
		t.Fatalf("before: %d %s", r.status, r.body)
	}
	if err := localenv.StopPostgres(opts); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		r := plainGet(t, o.c, e.http.URL, "/api/v1/me", nil)
		if r.status != 503 || r.errorCode(t) != "database_unavailable" {
			t.Fatalf("with PostgreSQL down: %d %s", r.status, r.body)
		}
	}
	if _, err := localenv.Up(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := plainGet(t, o.c, e.http.URL, "/api/v1/me", nil)
		if r.status == 200 {
			break
		}
		if r.status != 503 || time.Now().After(deadline) {
			t.Fatalf("after PostgreSQL came back: %d %s", r.status, r.body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestWebSocketCapPerReplica: past events.max_connections the upgrade answers 503 with the
// JSON error body and Retry-After; once a connection closes, another may open.
func TestWebSocketCapPerReplica(t *testing.T) {
	cfg := testConfig(t)
	cfg.Events.MaxConnections = 2
	e := newReplica(t, cfg, nil)
	o := e.mustOrg("Sockets", "ada@sockets.example")
	secret := o.c.must(201, "POST", "/api/v1/orgs/"+o.orgID+"/tokens", map[string]any{"name": "ws"})["secret"].(string)

	ctx := context.Background()
	url := "ws" + strings.TrimPrefix(e.http.URL, "http") + "/api/v1/ws"
	dial := func() (*websocket.Conn, *http.Response, error) {
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		return websocket.Dial(dctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + secret}}})
	}
	var open []*websocket.Conn
	for i := 0; i < 2; i++ {
		c, _, err := dial()
		if err != nil {
			t.Fatalf("connection %d: %v", i+1, err)
		}
		open = append(open, c)
	}
	defer func() {
		for _, c := range open {
			c.CloseNow()
		}
	}()
	_, resp, err := dial()
	if err == nil || resp == nil || resp.StatusCode != 503 {
		t.Fatalf("a third connection: %v %v", err, resp)
	}
	if n, _ := strconv.Atoi(resp.Header.Get("Retry-After")); n < 1 {
		t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
	body := make([]byte, 1024)
	n, _ := resp.Body.Read(body)
	if !strings.Contains(string(body[:n]), `"code":"server_at_capacity"`) {
		t.Fatalf("the refusal's body: %s", body[:n])
	}

	// One closes: its place is free again once its handler has returned.
	open[0].Close(websocket.StatusNormalClosure, "")
	open = open[1:]
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, resp, err := dial()
		if err == nil {
			open = append(open, c)
			break
		}
		if resp == nil || resp.StatusCode != 503 || time.Now().After(deadline) {
			t.Fatalf("after one closed: %v %v", err, resp)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
