package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	appmail "canopy/app/mail"
	"canopy/domain/mail"
	"canopy/infra/clock"
	pgmail "canopy/infra/postgres/mail"
)

// TestServeShutsDownGracefully sends SIGTERM to a `canopy serve` process with a WebSocket open
// and an upload under way: /readyz turns 503 ("draining") while the listener still answers,
// the WebSocket is closed with 1012 (service restart) and its reconnect hint, new connections
// are refused, the upload under way still completes, and the process exits 0. `canopy probe`,
// the container health check, follows /readyz.
func TestServeShutsDownGracefully(t *testing.T) {
	// Only the binary, the database and the bucket: this test starts the process itself, to
	// signal it.
	bin, env, _ := startServeProcesses(t, 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	base := "http://" + addr
	// The drain delay is long enough for the probes below to see the 503 before the listener
	// closes even on a busy machine; nothing is asserted about how long anything takes.
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(env, "CANOPY_SERVER_ADDRESS="+addr, "CANOPY_SERVER_PUBLIC_URL="+base,
		"CANOPY_SERVER_DRAIN_DELAY=4s", "CANOPY_SERVER_SHUTDOWN_TIMEOUT=2m", "CANOPY_SERVER_READ_TIMEOUT=2m")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	waitReady(t, base)
	probe := func() error {
		cmd := exec.Command(bin, "probe")
		cmd.Env = append(env, "CANOPY_SERVER_ADDRESS=0.0.0.0:"+addr[strings.LastIndex(addr, ":")+1:])
		return cmd.Run()
	}
	if err := probe(); err != nil {
		t.Fatalf("canopy probe of a ready replica: %v", err)
	}

	create := exec.Command(bin, "admin", "create-org", "--name", "Shutdown", "--owner-email", "o@shutdown.example", "--owner-password", "Correct-Horse-Shutdown")
	create.Env = env
	out, err := create.Output()
	if err != nil {
		t.Fatalf("create-org: %v", err)
	}
	orgID := strings.TrimSpace(string(out))
	e := &testEnv{t: t}
	owner := e.clientFor(base)
	owner.mustLogin("o@shutdown.example", "Correct-Horse-Shutdown")
	space := spaceOf(t, owner, orgID, "organisation")
	conn := dialEvents(t, owner, "")

	// An upload whose body arrives in two parts, the second only after the listener closed.
	body := pseudo(3<<20 + 11)
	pr, pw := io.Pipe()
	q := url.Values{"name": {"in-flight.bin"}, "space_id": {space}}
	req, err := http.NewRequest("POST", base+"/api/v1/orgs/"+orgID+"/files?"+q.Encode(), pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("X-CSRF-Token", owner.csrf)
	type result struct {
		status int
		body   []byte
		err    error
	}
	uploaded := make(chan result, 1)
	go func() {
		resp, err := owner.hc.Do(req)
		if err != nil {
			uploaded <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		uploaded <- result{status: resp.StatusCode, body: b}
	}()
	half := len(body) / 2
	if _, err := pw.Write(body[:half]); err != nil {
		t.Fatal(err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// /readyz turns 503 "draining" while the listener still answers.
	sawDraining := false
	for !sawDraining {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatalf("the listener closed before /readyz said draining: %v", err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(string(b), `"draining"`):
			sawDraining = true
		case resp.StatusCode != http.StatusOK:
			t.Fatalf("/readyz while draining: %d %s", resp.StatusCode, b)
		default:
			time.Sleep(20 * time.Millisecond)
		}
	}
	// The image's health check says the same (it exits 1 on the 503, or when the listener has
	// closed already).
	if err := probe(); err == nil {
		t.Fatal("canopy probe of a draining replica succeeded")
	}

	// The WebSocket is closed with 1012 and the reconnect hint once the drain delay is over.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		_, _, err := conn.Read(ctx)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.StatusServiceRestart || !strings.Contains(ce.Reason, "reconnect") {
			t.Fatalf("WebSocket ended with %v, want close 1012 with a reconnect hint", err)
		}
		break
	}
	// The listener is closed by then: new connections are refused.
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatal("the listener still accepts connections after the WebSockets were closed")
	}

	// The upload under way completes.
	if _, err := pw.Write(body[half:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	r := <-uploaded
	if r.err != nil {
		t.Fatalf("the upload under way failed: %v", r.err)
	}
	if r.status != http.StatusCreated || !strings.Contains(string(r.body), sum(body)) {
		t.Fatalf("the upload under way: %d %s", r.status, r.body)
	}

	select {
	case err := <-exited:
		exited <- err // for the cleanup
		if err != nil {
			t.Fatalf("canopy serve exited with %v, want 0", err)
		}
	case <-ctx.Done():
		t.Fatal("canopy serve did not exit")
	}
}

// waitReady waits until base answers /readyz with 200.
func waitReady(t *testing.T, base string) {
	t.Helper()
	for i := 0; ; i++ {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if i > 600 {
			t.Fatalf("%s never became ready: %v", base, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// senderFunc is a mail sender made of a function.
type senderFunc func(ctx context.Context, e mail.Email) error

func (f senderFunc) Send(ctx context.Context, e mail.Email) error { return f(ctx, e) }

// TestMailWorkerHandsBackWhatAShutdownCutShort: a worker stopped in the middle of a batch
// records what it sent, and hands the rest back at once (due now, no attempt counted) instead
// of leaving it leased for minutes.
func TestMailWorkerHandsBackWhatAShutdownCutShort(t *testing.T) {
	e := newTestEnv(t)
	outbox := pgmail.NewOutbox(e.stack.db)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	for _, to := range []string{"a@handback.example", "b@handback.example", "c@handback.example"} {
		m, err := mail.NewEmail(to, "en", "test_notice", "Hello", "Hello there", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := outbox.Add(ctx, m, time.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	var sends atomic.Int32
	// The first message goes out; the shutdown comes during the second.
	sender := senderFunc(func(ctx context.Context, _ mail.Email) error {
		if sends.Add(1) == 1 {
			return nil
		}
		stop()
		return ctx.Err()
	})
	w := appmail.NewWorker(appmail.WorkerConfig{Lease: time.Hour}, outbox, sender, clock.System{}, slog.New(slog.DiscardHandler))
	r, err := w.RunOnce(ctx)
	if !errors.Is(err, context.Canceled) || r.Sent != 1 || sends.Load() != 2 {
		t.Fatalf("pass: %+v, %v, %d sends", r, err, sends.Load())
	}
	var rows []struct {
		Status   string
		Attempts int
		Due      bool
	}
	if err := e.stack.db.Raw(`SELECT status, attempts, next_attempt_at <= now() AS due FROM email_outbox ORDER BY status DESC, "to"`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Status != "sent" {
		t.Fatalf("outbox: %+v", rows)
	}
	for _, row := range rows[1:] {
		if row.Status != "pending" || row.Attempts != 0 || !row.Due {
			t.Fatalf("a message the shutdown cut short was not handed back: %+v", rows)
		}
	}
}

// TestWebhookWorkerHandsBackWhatAShutdownCutShort: deliveries claimed by a worker that stops
// before posting them (or while posting one) are due again at once, with no attempt counted,
// so another replica posts them now rather than after the lease.
func TestWebhookWorkerHandsBackWhatAShutdownCutShort(t *testing.T) {
	e := newTestEnv(t, allowPrivate)
	o := e.mustDir("Hand back", "owner@handback.example")
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var posts atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if posts.Add(1) == 1 {
			// The replica is told to stop while this post is under way.
			stop()
			<-r.Context().Done()
		}
	}))
	t.Cleanup(receiver.Close)
	o.c.must(201, "POST", o.admin("/webhooks"), map[string]any{"url": receiver.URL + "/hook", "event_types": []string{"files.file_shared"}})
	publishShared(t, e, o.orgID)
	publishShared(t, e, o.orgID)
	w := webhookWorker(e, &testClock{t: time.Now().UTC()})
	if n, err := w.DeliverDue(ctx, 10); n != 2 || !errors.Is(err, context.Canceled) {
		t.Fatalf("the pass cut short: claimed %d, %v", n, err)
	}
	var attempts []int
	if err := e.stack.db.Raw(`SELECT attempts FROM webhook_deliveries WHERE status = 'pending'`).Scan(&attempts).Error; err != nil {
		t.Fatal(err)
	}
	if len(attempts) != 2 || attempts[0] != 0 || attempts[1] != 0 {
		t.Fatalf("pending deliveries' attempts after the hand-back: %v", attempts)
	}
	// Due again at once: the next pass (another replica's) posts both.
	if n, err := w.DeliverDue(context.Background(), 10); n != 2 || err != nil {
		t.Fatalf("the next pass: claimed %d, %v", n, err)
	}
	if posts.Load() != 3 {
		t.Fatalf("the receiver got %d posts, want 3", posts.Load())
	}
}
