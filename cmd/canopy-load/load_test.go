package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"canopy/infra/localenv/localtest"
)

// startCanopy builds canopy and runs n `canopy serve` processes on one fresh database and
// bucket; it returns the environment they run with (for `canopy admin`), the binary, their
// base URLs and their metrics URLs. They are killed when the test ends.
func startCanopy(t *testing.T, n int) ([]string, string, []string, []string) {
	t.Helper()
	svc := localtest.MustServices(t)
	dbURL := localtest.MustDatabase(t)
	bin := filepath.Join(t.TempDir(), "canopy")
	if out, err := exec.Command("go", "build", "-o", bin, "../canopy").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "CANOPY_DATABASE_URL="+dbURL, "CANOPY_OBJECTSTORE_ENDPOINT="+svc.MinIOEndpoint,
		"CANOPY_OBJECTSTORE_ACCESS_KEY="+svc.MinIOAccessKey, "CANOPY_OBJECTSTORE_SECRET_KEY="+svc.MinIOSecretKey,
		"CANOPY_OBJECTSTORE_FILE_BUCKET="+localtest.MustBucketName(t), "CANOPY_LOG_LEVEL=warn", "CANOPY_CONFIG=/dev/null",
		"CANOPY_METRICS_ADDRESS=")
	freeAddr := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().String()
	}
	var bases, metrics []string
	for range n {
		addr, maddr := freeAddr(), freeAddr()
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(env, "CANOPY_SERVER_ADDRESS="+addr, "CANOPY_SERVER_PUBLIC_URL=http://"+addr, "CANOPY_METRICS_ADDRESS="+maddr)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if c, err := net.Dial("tcp", addr); err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("canopy serve on %s did not start", addr)
			}
		}
		bases = append(bases, "http://"+addr)
		metrics = append(metrics, "http://"+maddr+"/metrics")
	}
	return env, bin, bases, metrics
}

// TestLoad runs against a real Canopy (PostgreSQL and MinIO included).
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts canopy and runs a load for 15 s")
	}
	env, bin, bases, metrics := startCanopy(t, 1)
	const email, password = "owner@canopy-load.example", "Correct-Horse-Load-Owner"
	create := exec.Command(bin, "admin", "create-org", "--name", "Load", "--owner-email", email, "--owner-password", password)
	create.Env = env
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("create-org: %v\n%s", err, out)
	}
	cfg := config{targets: []string{bases[0], bases[0]}, duration: 15 * time.Second, rate: 8, users: 4, chats: 2, ws: 5, tasks: 6,
		workers: 16, fileSize: 8 << 10, timeout: 30 * time.Second, settle: 30 * time.Second, wsDrop: 4 * time.Second,
		setupEmail: email, setupPassword: password, sample: 5 * time.Second, metrics: metrics, soakCheck: true}
	t.Run("mix", func(t *testing.T) { testMix(t, cfg) })
	t.Run("catch_up", func(t *testing.T) { testCatchUp(t, cfg) })
	t.Run("cli", func(t *testing.T) { testCLI(t, bases[0], metrics[0], email, password) })
}

// testCLI runs the command as the scripts do, with the flags of a fault run, and reads the
// JSON and Markdown it writes.
func testCLI(t *testing.T, base, metrics, email, password string) {
	dir := t.TempDir()
	js, md := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.md")
	var stdout, stderr bytes.Buffer
	code := cli([]string{"-target", base, "-setup-email", email, "-setup-password", password, "-duration", "4s", "-rate", "5",
		"-users", "2", "-chats", "1", "-ws", "2", "-settle", "20s", "-allow-503", "-sample", "2s", "-metrics", metrics,
		"-out", js, "-md", md, "-label", "cli check"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"5xx_total": 0`, `"503_json": 0`, `"5xx_other": 0`, `"slow_over_timeout": 0`, `"allow_503": true`, `"samples": [`, `"rss_bytes": `} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the JSON report lacks %s", want)
		}
	}
	b, err = os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "### cli check\n") || !strings.Contains(string(b), "-allow-503 -sample 2s") || !strings.Contains(string(b), "| minute | calls/s | p99 ms |") {
		t.Errorf("the markdown:\n%s", b)
	}
	if strings.Contains(string(b), password) || strings.Contains(stdout.String(), password) || strings.Contains(string(b), dir) {
		t.Error("the password or a local path is in the report")
	}
}

// testMix runs the driver for about 15 s at a low rate, with a target named twice so that
// calls and receivers' reconnections alternate as against replicas, and receivers' connections
// cut every few seconds, and asks for nothing lost or duplicated, no 5xx and every call kind
// made. That the accounting can fail is proved by the tests in ledger_test.go.
func testMix(t *testing.T, cfg config) {
	rep, err := newDriver(cfg).run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.print(&out)
	t.Log("\n" + out.String())
	if rep.LostWrites != 0 || rep.LostMessages != 0 || rep.Status5xx != 0 || !rep.Pass {
		t.Fatalf("lost_writes %d, lost_messages %d, 5xx %d: %v", rep.LostWrites, rep.LostMessages, rep.Status5xx, rep.Failures)
	}
	for _, m := range mix {
		c := rep.Calls[m.Kind]
		if c == nil || c.Requests == 0 {
			t.Errorf("no %s call was made", m.Kind)
			continue
		}
		ok := 0
		for code, n := range c.StatusCodes {
			if code[0] == '2' {
				ok += n
			}
		}
		if ok == 0 {
			t.Errorf("no %s call succeeded: %v %v", m.Kind, c.StatusCodes, c.Errors)
		}
	}
	a := rep.Accounting
	if a.TaskUpdates == 0 || a.CardMoves == 0 || a.Messages == 0 || a.Uploads <= cfg.users || a.TasksChecked != cfg.tasks {
		t.Errorf("accounting checked too little: %+v", a)
	}
	if rep.WS.Expected == 0 || rep.WS.Delivered != rep.WS.Expected {
		t.Errorf("WebSocket deliveries: %+v", rep.WS)
	}
	// Receivers were cut every few seconds: they came back with since and missed nothing.
	if rep.WS.Reconnects < cfg.ws {
		t.Errorf("%d reconnections for %d receivers cut every ~%v over %v", rep.WS.Reconnects, cfg.ws, cfg.wsDrop, cfg.duration)
	}
	testSeries(t, rep)
}

// testSeries checks the time series of a sampled run against the totals, and that the
// replica's figures were read: a functional check, no timing is judged.
func testSeries(t *testing.T, rep *report) {
	t.Helper()
	if len(rep.Samples) < 2 {
		t.Fatalf("%d samples of a %.0f s load sampled every 5 s", len(rep.Samples), rep.DurationSeconds)
	}
	calls, delivered, rss := 0, 0, 0
	for _, s := range rep.Samples {
		calls += s.Calls
		delivered += s.WSDelivered
		if len(s.Replicas) == 1 && s.Replicas[0].RSSBytes != nil && *s.Replicas[0].RSSBytes > 0 && s.Replicas[0].Goroutines != nil {
			rss++
		}
	}
	if calls == 0 || uint64(calls) > rep.Requests || delivered == 0 {
		t.Errorf("the samples hold %d calls (of %d) and %d deliveries", calls, rep.Requests, delivered)
	}
	if rss == 0 {
		t.Errorf("no sample read the replica's RSS and goroutines: %+v", rep.Samples)
	}
	// The run is shorter than 6 minutes: the soak check reports the 5xx and no verdict on the rest.
	if len(rep.Soak) != 4 || rep.Soak[0].Result != pass || rep.Soak[1].Result != noVerdict {
		t.Errorf("soak verdicts of a short run: %+v", rep.Soak)
	}
	var md strings.Builder
	rep.markdown(&md)
	for _, want := range []string{"| minute | calls/s | p99 ms |", "| call | calls | throughput/s |", "Soak verdicts:"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the markdown lacks %q:\n%s", want, md.String())
		}
	}
}

// testCatchUp cuts a receiver and holds it away while messages are sent: back with since, it
// gets them over the socket, once each; back with a since the server cannot serve, it is told
// to reload and fetches them from the history.
func testCatchUp(t *testing.T, cfg config) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg.users, cfg.chats, cfg.tasks, cfg.ws, cfg.wsDrop = 2, 1, 1, 0, 0
	d := newDriver(cfg)
	if err := d.setup(ctx); err != nil {
		t.Fatal(err)
	}
	r := newReceiver(d, 0, d.users[1])
	r.gate = make(chan struct{})
	ready := make(chan error, 1)
	done := make(chan struct{})
	go func() { defer close(done); r.run(ctx, ready) }()
	defer func() {
		cancel()
		<-done
	}()
	if err := <-ready; err != nil {
		t.Fatal(err)
	}
	send := func(n int) []sentMessage {
		t.Helper()
		before := len(d.led.messages)
		for range n {
			if _, rep := d.hit(ctx, kChatSend, d.api.base()); rep.status != 201 {
				t.Fatalf("send: %d %v %s", rep.status, rep.err, rep.body)
			}
		}
		return d.led.messages[before:]
	}
	await := func(ms []sentMessage) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			all := true
			for _, m := range ms {
				all = all && r.holds(m.ID)
			}
			if all {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the receiver did not get %d messages within 30 s", len(ms))
			}
		}
	}
	await(send(1)) // live, and the receiver now holds a stream position

	r.cut()
	away := send(3)
	r.gate <- struct{}{}
	await(away)
	for _, m := range away {
		if g, _ := r.delivery(m.ID); !g.Live || g.Count != 1 {
			t.Errorf("message %s sent while away came %+v, want once over the socket (since)", m.ID, g)
		}
	}

	r.mu.Lock()
	r.lastSeq = 1 << 50 // a position the server never gave: it answers reload
	r.mu.Unlock()
	r.cut()
	away = send(2)
	r.gate <- struct{}{}
	await(away)
	for _, m := range away {
		if g, _ := r.delivery(m.ID); g.Live {
			t.Errorf("message %s came over the socket, want from the history after the reload", m.ID)
		}
	}
	r.mu.Lock()
	reloads := r.reloads
	r.mu.Unlock()
	if reloads != 1 {
		t.Errorf("%d reloads, want 1", reloads)
	}
	cancel()
	<-done
	dc := checkDeliveries(d.led.messages, map[string][]int{d.chats[0].id: d.chats[0].members}, []int{1}, []map[string]delivery{r.got})
	if dc.Lost != 0 || dc.Duplicates != 0 || dc.Delivered != 6 {
		t.Errorf("deliveries %+v, want 6 delivered once each", dc)
	}
}
