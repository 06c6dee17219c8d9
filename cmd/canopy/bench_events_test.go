package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"
	"gorm.io/gorm"

	appevents "canopy/app/events"
	"canopy/infra/localenv"
	"canopy/infra/localenv/localtest"
	"canopy/infra/postgres"
	pgevents "canopy/infra/postgres/events"
)

// The events benchmark (issue 10, `make bench`): 1,000 WebSocket clients, each a member of one
// organisation with its own session, receive events published at 50 a second for 20 seconds,
// each addressed to the whole organisation. Every event carries the time it was published; each
// client records when it arrived. It runs against `canopy serve` processes on one PostgreSQL
// (all clients on one replica, then spread across two), and the same load against Centrifugo,
// started on loopback beside them, as the peer figure. The load is fixed, whatever b.N: one run
// takes about half a minute, so the benchmark framework never asks for a second.

const (
	eventClients  = 1000
	eventRate     = 50
	eventDuration = 20 * time.Second
	eventCount    = int(eventDuration / time.Second * eventRate)
	// eventDrain is how long the driver waits without any progress before it counts what is
	// missing as lost: a bound on a benchmark's run time, not an assertion.
	eventDrain = 15 * time.Second
)

func BenchmarkEventsDelivery(b *testing.B) {
	raiseOpenFiles(b, 3*eventClients)
	b.Run("canopy_one_replica", func(b *testing.B) { benchCanopyEvents(b, 1) })
	b.Run("canopy_two_replicas", func(b *testing.B) { benchCanopyEvents(b, 2) })
	b.Run("centrifugo", benchCentrifugoEvents)
}

// benchPayload is what every published event carries: its number and when it was published.
type benchPayload struct {
	K    int   `json:"k"`
	Sent int64 `json:"sent"` // Unix nanoseconds
}

// receiver is one client's tally; only its own goroutine writes it until the load ends.
type receiver struct {
	got        []bool
	latencies  []time.Duration
	byK        []time.Duration // the latency of event k, 0 until it arrives
	dups       int64
	reconnects int64
	reloads    int64
	lastSeq    int64
}

func newReceivers() []*receiver {
	rs := make([]*receiver, eventClients)
	for i := range rs {
		rs[i] = &receiver{got: make([]bool, eventCount), latencies: make([]time.Duration, 0, eventCount), byK: make([]time.Duration, eventCount)}
	}
	return rs
}

func (r *receiver) take(p benchPayload, at time.Time, total *atomic.Int64) {
	if p.K < 0 || p.K >= len(r.got) {
		return
	}
	if r.got[p.K] {
		r.dups++
		return
	}
	r.got[p.K] = true
	d := at.Sub(time.Unix(0, p.Sent))
	r.latencies = append(r.latencies, d)
	r.byK[p.K] = d
	total.Add(1)
}

// loadRun is how the publishing went: how long it took and how far the publisher fell behind
// its schedule at worst.
type loadRun struct{ published, behind time.Duration }

// runEventLoad publishes eventCount events at eventRate, then waits until every client has
// every event or nothing more arrives for eventDrain.
func runEventLoad(b *testing.B, total *atomic.Int64, publish func(k int, sent time.Time) error) loadRun {
	start := time.Now()
	var behind time.Duration
	for k := 0; k < eventCount; k++ {
		at := start.Add(time.Duration(k) * time.Second / eventRate)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		} else {
			behind = max(behind, -d)
		}
		if err := publish(k, time.Now()); err != nil {
			b.Fatalf("publishing event %d: %v", k, err)
		}
	}
	published := time.Since(start)
	want := int64(eventClients * eventCount)
	last, lastChange := total.Load(), time.Now()
	for total.Load() < want && time.Since(lastChange) < eventDrain {
		time.Sleep(50 * time.Millisecond)
		if n := total.Load(); n != last {
			last, lastChange = n, time.Now()
		}
	}
	return loadRun{published, behind}
}

// reportEventLoad reports the figures, once the clients have stopped.
func reportEventLoad(b *testing.B, name string, rs []*receiver, run loadRun) {
	want := int64(eventClients * eventCount)
	var all []time.Duration
	var received, dups, reconnects, reloads int64
	for _, r := range rs {
		all = append(all, r.latencies...)
		received += int64(len(r.latencies))
		dups += r.dups
		reconnects += r.reconnects
		reloads += r.reloads
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(len(all)-1, int(p*float64(len(all))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	b.ReportMetric(pct(1), "max_ms")
	b.ReportMetric(float64(want-received), "lost")
	b.ReportMetric(float64(reconnects), "reconnects")
	fmt.Printf("FIGURE events to 1,000 WebSocket clients, %s (%d events at %d/s in %.1f s, publisher at most %v behind): p50 %.1f ms, p99 %.1f ms, max %.1f ms; %d of %d deliveries lost, %d duplicates, %d reconnects, %d reloads\n",
		name, eventCount, eventRate, run.published.Seconds(), run.behind.Round(time.Millisecond), pct(0.5), pct(0.99), pct(1), want-received, want, dups, reconnects, reloads)
}

// benchCanopyEvents runs the load against replicas `canopy serve` processes on one fresh
// database, client i connected to replica i mod replicas, and events published into the outbox
// directly (as a use case's transaction does), from this process.
func benchCanopyEvents(b *testing.B, replicas int) {
	bin, env, bases := startServeProcesses(b, replicas)
	var dbURL string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "CANOPY_DATABASE_URL="); ok {
			dbURL = v
		}
	}
	create := exec.Command(bin, "admin", "create-org", "--name", "Events Bench", "--owner-email", "o@bench-events.example", "--owner-password", "Correct-Horse-Bench")
	create.Env = env
	out, err := create.Output()
	if err != nil {
		b.Fatalf("create-org: %v", err)
	}
	orgID := uuid.MustParse(strings.TrimSpace(string(out)))
	db, err := postgres.Open(dbURL, postgres.Options{MaxOpenConns: 4})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	// Members and sessions in SQL: 1,000 argon2id logins would take minutes and measure nothing.
	// A session cookie's value is the token whose SHA-256 the sessions table keeps.
	err = db.Exec(`
		WITH u AS (
			INSERT INTO users (id, email, display_name, locale, time_zone, status, password_hash, created_at, updated_at)
			SELECT gen_random_uuid(), 'c' || i || '@bench-events.example', 'Client ' || i, 'en', 'UTC', 'active', 'x', now(), now()
			FROM generate_series(1, ?) i RETURNING id, email),
		m AS (INSERT INTO memberships (org_id, user_id, role, status, joined_at) SELECT ?, id, 'member', 'active', now() FROM u)
		INSERT INTO sessions (id, user_id, token_hash, csrf_hash, created_at, last_seen_at, expires_at)
		SELECT gen_random_uuid(), id, sha256(convert_to('bench-' || email, 'UTF8')), sha256(convert_to('csrf-' || email, 'UTF8')),
			now(), now(), now() + interval '1 day' FROM u`, eventClients, orgID).Error
	if err != nil {
		b.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	rs := newReceivers()
	var total atomic.Int64
	var wg sync.WaitGroup
	dialEach(b, eventClients, func(i int) error {
		base := bases[i%replicas]
		token := fmt.Sprintf("bench-c%d@bench-events.example", i+1)
		conn, err := dialCanopy(ctx, base, token, -1)
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			canopyClient(ctx, conn, base, token, rs[i], &total)
		}()
		return nil
	})

	store := pgevents.NewStore(db)
	tx := postgres.NewTxManager(db)
	name := "Canopy, all on one replica"
	if replicas > 1 {
		name = fmt.Sprintf("Canopy, spread across %d replicas", replicas)
	}
	run := runEventLoad(b, &total, func(k int, sent time.Time) error {
		payload, _ := json.Marshal(benchPayload{K: k, Sent: sent.UnixNano()})
		return tx.Within(ctx, func(ctx context.Context) error {
			return store.Publish(ctx, appevents.Event{Type: "bench.event_published", OrgID: orgID, SubjectType: "bench",
				SubjectID: uuid.New(), Audience: appevents.Audience{Org: true}, Payload: payload})
		})
	})
	cancel()
	wg.Wait()
	reportEventLoad(b, name, rs, run)
	probeAfter(b, db, name)
}

// probeAfter reports how long the dispatcher took from an event's commit to its dispatch, and
// times the query every replica's hub makes on a wake-up: the events after its cursor, once
// for all its connections (here the last 50, each to all 1,000 members).
func probeAfter(b *testing.B, db *gorm.DB, name string) {
	store := pgevents.NewStore(db)
	last, err := store.Last(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	var ds []time.Duration
	for range 7 {
		t := time.Now()
		if _, err := store.After(context.Background(), last-50, 1000); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t))
	}
	slices.Sort(ds)
	one := ds[len(ds)/2]
	reportDispatchLag(b, db, name, "bench.event_published", time.Time{})
	b.ReportMetric(float64(one)/float64(time.Millisecond), "after_ms")
	fmt.Printf("FIGURE events, %s: one hub wake-up reads 50 new events (1,000 recipients each) in %.1f ms\n",
		name, float64(one)/float64(time.Millisecond))
}

// canopyMessage is the part of the gateway's messages the clients read.
type canopyMessage struct {
	Type  string `json:"type"`
	Seq   int64  `json:"seq"`
	Event struct {
		Payload benchPayload `json:"payload"`
	} `json:"event"`
}

// reportDispatchLag reports how long the dispatcher took from writing an event of the type to
// its dispatch: the median and the worst.
// Only the events written from since on count (a warm-up before it does not).
func reportDispatchLag(b *testing.B, db *gorm.DB, name, eventType string, since time.Time) {
	var lag struct{ P50, Max float64 }
	if err := db.Raw(`SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM dispatched_at - created_at)) AS p50,
		max(extract(epoch FROM dispatched_at - created_at)) AS max FROM events WHERE type = ? AND created_at >= ?`, eventType, since).Scan(&lag).Error; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(lag.P50*1000, "dispatch_p50_ms")
	fmt.Printf("FIGURE %s, %s: dispatched %.1f ms after it was written (median), %.1f ms at worst\n", eventType, name, lag.P50*1000, lag.Max*1000)
}

func dialCanopy(ctx context.Context, base, token string, since int64) (*websocket.Conn, error) {
	url := "ws" + strings.TrimPrefix(base, "http") + "/api/v1/ws"
	if since >= 0 {
		url += fmt.Sprintf("?since=%d", since)
	}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {"canopy_session=" + token}}})
	return conn, err
}

// streamClient reads its stream until ctx ends, handing each of its messages (one or more a
// WebSocket message, one per line) to handle with the time it arrived; when the server drops it
// (a slow client's queue overflowed) it reconnects with since, as the web app does. handle keeps
// r.lastSeq and r.reloads. A thousand of them share the machine with the servers they measure,
// so each reads into one buffer it keeps, with no context per read (the run's end closes the
// connection instead).
func streamClient(ctx context.Context, conn *websocket.Conn, base, token string, r *receiver, handle func(data []byte, at time.Time)) {
	stop := context.AfterFunc(ctx, func() { conn.CloseNow() })
	defer func() {
		stop()
		if conn != nil { // nil when the run ended during a reconnection
			conn.CloseNow()
		}
	}()
	buf := make([]byte, 0, 64<<10)
	for {
		var err error
		buf, err = readMessage(conn, buf[:0])
		at := time.Now()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			r.reconnects++
			stop()
			conn.CloseNow()
			for {
				if conn, err = dialCanopy(ctx, base, token, r.lastSeq); err == nil {
					break
				}
				if ctx.Err() != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
			c := conn
			stop = context.AfterFunc(ctx, func() { c.CloseNow() })
			continue
		}
		for line := range bytes.SplitSeq(buf, []byte("\n")) {
			handle(line, at)
		}
	}
}

// readMessage reads the connection's next WebSocket message into buf.
func readMessage(conn *websocket.Conn, buf []byte) ([]byte, error) {
	_, rd, err := conn.Reader(context.Background())
	if err != nil {
		return buf, err
	}
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, cap(buf))
		}
		n, err := rd.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// canopyClient tallies the events benchmark's events.
func canopyClient(ctx context.Context, conn *websocket.Conn, base, token string, r *receiver, total *atomic.Int64) {
	streamClient(ctx, conn, base, token, r, func(data []byte, at time.Time) {
		var m canopyMessage
		if json.Unmarshal(data, &m) != nil {
			return
		}
		switch m.Type {
		case "reload":
			r.reloads++
		case "event":
			r.lastSeq = m.Seq
			r.take(m.Event.Payload, at, total)
		}
	})
}

// benchCentrifugoEvents runs the same load against Centrifugo: its own JSON protocol over
// WebSocket (connect, then subscribe to one channel every client shares), anonymous clients
// (the config's client.insecure: there is no per-user stream to authorise here), and its HTTP
// publish API.
func benchCentrifugoEvents(b *testing.B) {
	ctx := context.Background()
	bin, err := localenv.CentrifugoBinary(ctx, localenv.Options{Root: localtest.Root(b),
		Log: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }})
	if err != nil {
		b.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir := b.TempDir()
	const apiKey = "bench-api-key"
	config := map[string]any{
		"http_server": map[string]any{"address": "127.0.0.1", "port": port},
		"log":         map[string]any{"level": "warn"},
		"client":      map[string]any{"insecure": true, "allowed_origins": []string{"*"}},
		"http_api":    map[string]any{"key": apiKey},
		"health":      map[string]any{"enabled": true},
		"channel":     map[string]any{"namespaces": []map[string]any{{"name": "org"}}},
	}
	cfg, _ := json.Marshal(config)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o600); err != nil {
		b.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "centrifugo.log"))
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "--config", filepath.Join(dir, "config.json"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait(); logf.Close() })
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get(base + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "centrifugo.log"))
			b.Fatalf("Centrifugo did not start: %v\n%s", err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}

	const channel = "org:bench"
	cctx, cancel := context.WithCancel(ctx)
	rs := newReceivers()
	var total atomic.Int64
	var wg sync.WaitGroup
	dialEach(b, eventClients, func(i int) error {
		conn, err := dialCentrifugo(cctx, base, channel)
		if err != nil {
			return fmt.Errorf("centrifugo client %d: %w", i, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			centrifugoClient(cctx, conn, base, channel, rs[i], &total)
		}()
		return nil
	})

	hc := &http.Client{Timeout: 10 * time.Second}
	run := runEventLoad(b, &total, func(k int, sent time.Time) error {
		body, _ := json.Marshal(map[string]any{"channel": channel, "data": benchPayload{K: k, Sent: sent.UnixNano()}})
		req, _ := http.NewRequest(http.MethodPost, base+"/api/publish", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-API-Key", apiKey)
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || bytes.Contains(out, []byte(`"error"`)) {
			return fmt.Errorf("publish: %s %s", resp.Status, out)
		}
		return nil
	})
	cancel()
	wg.Wait()
	reportEventLoad(b, "Centrifugo v6.9.1, one node", rs, run)
}

// centrifugoReply is the part of Centrifugo's JSON protocol replies and pushes the clients read.
type centrifugoReply struct {
	ID    int             `json:"id"`
	Error json.RawMessage `json:"error"`
	Push  *struct {
		Channel string `json:"channel"`
		Pub     *struct {
			Data benchPayload `json:"data"`
		} `json:"pub"`
	} `json:"push"`
}

// dialCentrifugo connects and subscribes, waiting for both replies.
func dialCentrifugo(ctx context.Context, base, channel string) (*websocket.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, "ws"+strings.TrimPrefix(base, "http")+"/connection/websocket", nil)
	if err != nil {
		return nil, err
	}
	for id, cmd := range []string{`{"id":1,"connect":{}}`, fmt.Sprintf(`{"id":2,"subscribe":{"channel":%q}}`, channel)} {
		if err := conn.Write(dctx, websocket.MessageText, []byte(cmd)); err != nil {
			conn.CloseNow()
			return nil, err
		}
		_, data, err := conn.Read(dctx)
		if err != nil {
			conn.CloseNow()
			return nil, err
		}
		var r centrifugoReply
		if err := json.Unmarshal(bytes.SplitN(data, []byte("\n"), 2)[0], &r); err != nil || r.ID != id+1 || len(r.Error) > 0 {
			conn.CloseNow()
			return nil, fmt.Errorf("centrifugo answered %q to %s", data, cmd)
		}
	}
	return conn, nil
}

// centrifugoClient reads publications until ctx ends, answering the server's pings (an empty
// object) with pongs; a frame may carry several newline-separated messages.
func centrifugoClient(ctx context.Context, conn *websocket.Conn, base, channel string, r *receiver, total *atomic.Int64) {
	defer func() { conn.CloseNow() }()
	for {
		_, data, err := conn.Read(ctx)
		at := time.Now()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			// No history or recovery is configured: what was published meanwhile counts as lost.
			r.reconnects++
			conn.CloseNow()
			for {
				if conn, err = dialCentrifugo(ctx, base, channel); err == nil {
					break
				}
				if ctx.Err() != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
			continue
		}
		for line := range bytes.SplitSeq(data, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			if string(bytes.TrimSpace(line)) == "{}" {
				_ = conn.Write(ctx, websocket.MessageText, []byte("{}"))
				continue
			}
			var m centrifugoReply
			if json.Unmarshal(line, &m) == nil && m.Push != nil && m.Push.Pub != nil {
				r.take(m.Push.Pub.Data, at, total)
			}
		}
	}
}
