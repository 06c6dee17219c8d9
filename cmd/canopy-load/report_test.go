package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const jsonUnavailable = `{"error":{"code":"unavailable","message":"the database is unavailable","request_id":""}}`

func TestClassify503(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		want   answerClass
	}{
		{200, `{}`, classNot5xx},
		{429, `{"error":{"code":"too_many_requests","message":"slow down"}}`, classNot5xx},
		{503, jsonUnavailable, class503JSON},
		{503, `<html><body><h1>503 Service Unavailable</h1></body></html>`, class5xxOther},
		{503, ``, class5xxOther},
		{503, `{"error":{"code":"unavailable"}}`, class5xxOther},      // no message
		{503, `{"error":"unavailable","message":"x"}`, class5xxOther}, // not the shape
		{500, `{"error":{"code":"internal","message":"internal error"}}`, class5xxOther},
		{502, jsonUnavailable, class5xxOther},
		{504, ``, class5xxOther},
	} {
		if got := classify(reply{status: c.status, body: []byte(c.body)}); got != c.want {
			t.Errorf("classify(%d, %q) = %d, want %d", c.status, c.body, got, c.want)
		}
	}
}

// judgeCalls records the replies in a fresh driver and fills its report.
func judgeCalls(cfg config, reps ...reply) *report {
	cfg.targets, cfg.workers = []string{"http://127.0.0.1:1"}, 1
	d := newDriver(cfg)
	for i, rp := range reps {
		rp.start = time.Now()
		d.record(kChatSend, uint64(i+1), rp)
	}
	r := &report{}
	d.fill(r, time.Now(), time.Second, 0, deliveryCheck{})
	return r
}

func TestAllow503(t *testing.T) {
	json503 := reply{status: 503, body: []byte(jsonUnavailable)}
	html503 := reply{status: 503, body: []byte("<html>no server is available</html>")}
	internal := reply{status: 500, body: []byte(`{"error":{"code":"internal","message":"internal error"}}`)}

	r := judgeCalls(config{allow503: true}, json503, json503, reply{status: 201})
	if !r.Pass || r.Status5xx != 2 || r.Status503JSON != 2 || r.Status5xxOther != 0 {
		t.Fatalf("JSON 503s with -allow-503: pass %v, %+v", r.Pass, r.Failures)
	}
	if b, _ := json.Marshal(r); !strings.Contains(string(b), `"5xx_total":2,"503_json":2,"5xx_other":0,"slow_over_timeout":0,"transport_errors":0`) {
		t.Fatalf("the JSON report: %s", b)
	}
	if r := judgeCalls(config{allow503: true}, json503, html503); r.Pass || r.Status5xxOther != 1 || r.Status503JSON != 1 {
		t.Fatalf("a 503 without the JSON body passed with -allow-503: %+v", r)
	}
	if r := judgeCalls(config{allow503: true}, internal); r.Pass || r.Status5xxOther != 1 {
		t.Fatalf("a 500 passed with -allow-503: %+v", r)
	}
	if r := judgeCalls(config{allow503: true, max5xx: 1}, internal, json503); !r.Pass {
		t.Fatalf("one 500 with -max-5xx 1 and -allow-503 failed: %v", r.Failures)
	}
	if r := judgeCalls(config{}, json503); r.Pass || r.Status5xx != 1 {
		t.Fatalf("a JSON 503 without -allow-503 passed: %+v", r)
	}
	// A lost write fails a run whatever the 503s.
	d := newDriver(config{targets: []string{"http://127.0.0.1:1"}, workers: 1, allow503: true})
	r = &report{}
	r.lostWrite("task t1")
	d.fill(r, time.Now(), time.Second, 0, deliveryCheck{})
	if r.Pass {
		t.Fatal("a lost write passed with -allow-503")
	}
}

// A call that got no answer fails the run like a 5xx, up to -max-errors.
func TestNoAnswerFails(t *testing.T) {
	reset := reply{err: errors.New("connection reset by peer")}
	if r := judgeCalls(config{}, reply{status: 201}, reset); r.Pass || r.TransportErrors != 1 {
		t.Fatalf("a call without an answer passed: %+v", r)
	}
	if r := judgeCalls(config{maxErrors: 1}, reply{status: 201}, reset); !r.Pass {
		t.Fatalf("one call without an answer with -max-errors 1 failed: %v", r.Failures)
	}
}

// A call that hits the client's timeout is counted as a hang.
func TestSlowOverTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := newAPIClient([]string{srv.URL}, 50*time.Millisecond, 1)
	rep := c.do(context.Background(), srv.URL, jsonRequest(http.MethodGet, "/", "", nil))
	if !isTimeout(rep.err) {
		t.Fatalf("err %v: not a timeout", rep.err)
	}
	if isTimeout(errTest) || isTimeout(nil) {
		t.Fatal("an error that is not a timeout counted as one")
	}
	if r := judgeCalls(config{}, rep, reply{status: 200}); r.SlowOverTimeout != 1 {
		t.Fatalf("slow_over_timeout %d, want 1", r.SlowOverTimeout)
	}
}

func mibs(v float64) *float64 { v *= 1 << 20; return &v }
func num(v float64) *float64  { return &v }

// soakSamples makes one sample a minute for minutes [0, n) on one replica; rss (MiB),
// goroutines and p99 (ms) give each minute's figures.
func soakSamples(n int, rss, goroutines, p99 func(m int) float64) []sample {
	var out []sample
	for m := range n {
		s := sample{StartS: float64(m * 60), ElapsedS: float64(m*60 + 60), Calls: 100, P99ms: p99(m),
			Replicas: []replicaSample{{Metrics: "127.0.0.1:18095", RSSBytes: mibs(rss(m)), Goroutines: num(goroutines(m))}}}
		if m >= 1 {
			// 100 calls: the slowest 2 at the minute's p99, the others a quarter of it.
			for i := range 100 {
				v := p99(m)
				if i >= 2 {
					v /= 4
				}
				s.lat = append(s.lat, time.Duration(v*float64(time.Millisecond)))
			}
		}
		out = append(out, s)
	}
	return out
}

func flat(v float64) func(int) float64 { return func(int) float64 { return v } }

// judgeSoak fills a report of a run of the given minutes with samples and -soak-check.
func judgeSoak(minutes float64, samples []sample) *report {
	metrics := []string{"http://127.0.0.1:18095/metrics"}
	d := newDriver(config{targets: []string{"http://127.0.0.1:1"}, workers: 1, sample: time.Minute, metrics: metrics, soakCheck: true})
	d.samples = samples
	r := &report{}
	d.fill(r, time.Now(), time.Duration(minutes*float64(time.Minute)), 0, deliveryCheck{})
	return r
}

func verdictOf(t *testing.T, r *report, prefix string) verdict {
	t.Helper()
	for _, v := range r.Soak {
		if strings.HasPrefix(v.Check, prefix) {
			return v
		}
	}
	t.Fatalf("no verdict %q in %+v", prefix, r.Soak)
	return verdict{}
}

func TestSoakFlatPasses(t *testing.T) {
	wobble := func(base float64) func(int) float64 {
		return func(m int) float64 { return base + float64(m%3) } // noise, no trend
	}
	r := judgeSoak(30, soakSamples(30, wobble(120), wobble(80), wobble(40)))
	if !r.Pass {
		t.Fatalf("a flat soak failed: %v", r.Failures)
	}
	for _, c := range []string{"no 5xx", "RSS flat", "goroutines flat", "p99 stable"} {
		if v := verdictOf(t, r, c); v.Result != pass {
			t.Errorf("%s: %+v", c, v)
		}
	}
}

func TestSoakRisingRSSFails(t *testing.T) {
	rising := func(m int) float64 { return 100 + 10*float64(m) } // a leak of 10 MiB a minute
	r := judgeSoak(30, soakSamples(30, rising, flat(80), flat(40)))
	if v := verdictOf(t, r, "RSS flat"); v.Result != fail || !strings.Contains(v.Detail, ">") {
		t.Fatalf("a rising RSS: %+v", v)
	}
	if r.Pass || !strings.Contains(strings.Join(r.Failures, ";"), "soak: RSS flat") {
		t.Fatalf("a rising RSS passed the run: %v", r.Failures)
	}
	// The first minute's growth is warm-up, not a leak.
	warm := func(m int) float64 {
		if m == 0 {
			return 20
		}
		return 130
	}
	if v := verdictOf(t, judgeSoak(30, soakSamples(30, warm, flat(80), flat(40))), "RSS flat"); v.Result != pass {
		t.Fatalf("growth in minute 0 only: %+v", v)
	}
}

func TestSoakGoroutines(t *testing.T) {
	// +45 over a base of 40 is within the absolute allowance of 50.
	step := func(add float64) func(int) float64 {
		return func(m int) float64 {
			if m > 10 {
				return 40 + add
			}
			return 40
		}
	}
	if v := verdictOf(t, judgeSoak(30, soakSamples(30, flat(100), step(45), flat(40))), "goroutines flat"); v.Result != pass {
		t.Fatalf("+45 goroutines: %+v", v)
	}
	if v := verdictOf(t, judgeSoak(30, soakSamples(30, flat(100), step(60), flat(40))), "goroutines flat"); v.Result != fail {
		t.Fatalf("+60 goroutines: %+v", v)
	}
	// Over a large base the relative 20 % is the limit.
	if v := verdictOf(t, judgeSoak(30, soakSamples(30, flat(100), func(m int) float64 { return 1000 + 20*float64(m) }, flat(40))), "goroutines flat"); v.Result != fail {
		t.Fatalf("1000 goroutines growing 20 a minute: %+v", v)
	}
}

func TestSoakP99(t *testing.T) {
	slow := func(minutes ...int) func(int) float64 {
		return func(m int) float64 {
			if slices.Contains(minutes, m) {
				return 150
			}
			return 40
		}
	}
	judge := func(minutes int, p99 func(int) float64) verdict {
		return verdictOf(t, judgeSoak(float64(minutes), soakSamples(minutes, flat(100), flat(40), p99)), "p99 stable")
	}
	// One slow minute in each of three windows: its slowest calls are a few of a window's
	// slowest 1 %, not enough to move the window's p99.
	v := judge(30, slow(8, 17, 25))
	if v.Result != pass || !strings.Contains(v.Detail, "minutes 1–5 p99 40.0 ms") || !strings.Contains(v.Detail, "26:00–30:00 40.0 ms +0 %") {
		t.Fatalf("one slow minute a window: %+v", v)
	}
	// Three slow minutes in one window: that window's p99 is theirs.
	if v := judge(30, slow(11, 12, 13)); v.Result != fail || !strings.Contains(v.Detail, "11:00–16:00 150.0 ms +275 % (outside)") {
		t.Fatalf("a slow window: %+v", v)
	}
	// A slow drift upward fails.
	if v := judge(30, func(m int) float64 { return 40 + 3*float64(m) }); v.Result != fail {
		t.Fatalf("a p99 drifting up: %+v", v)
	}
	// The band is two-sided: later windows much faster than minutes 1–5 fail too.
	if v := judge(30, func(m int) float64 { return map[bool]float64{true: 60, false: 40}[m <= 5] }); v.Result != fail {
		t.Fatalf("later windows 33 %% faster: %+v", v)
	}
	// A warm-up minute slower than the rest is no reference.
	if v := judge(30, slow(0)); v.Result != pass {
		t.Fatalf("a slow warm-up: %+v", v)
	}
	// A last window shorter than 3 minutes joins the one before it.
	if v := judge(28, slow()); v.Result != pass || !strings.Contains(v.Detail, "21:00–28:00") || strings.Contains(v.Detail, "26:00") {
		t.Fatalf("a short last window: %+v", v)
	}
}

func TestSoakShortRunGivesNoVerdict(t *testing.T) {
	rising := func(m int) float64 { return 100 + 50*float64(m) }
	r := judgeSoak(5, soakSamples(5, rising, rising, rising))
	if !r.Pass {
		t.Fatalf("a 5-minute run failed on flatness: %v", r.Failures)
	}
	for _, c := range []string{"RSS flat", "goroutines flat", "p99 stable"} {
		if v := verdictOf(t, r, c); v.Result != noVerdict || !strings.Contains(v.Detail, "under 6: figures only") {
			t.Errorf("%s: %+v", c, v)
		}
	}
	if v := verdictOf(t, r, "no 5xx"); v.Result != pass {
		t.Errorf("no 5xx: %+v", v)
	}
	// The 5xx verdict still holds on a short run.
	d := newDriver(config{targets: []string{"http://127.0.0.1:1"}, workers: 1, sample: time.Minute, soakCheck: true, max5xx: 5})
	d.record(kChatSend, 1, reply{status: 500, start: time.Now()})
	r = &report{}
	d.fill(r, time.Now(), time.Minute, 0, deliveryCheck{})
	if v := verdictOf(t, r, "no 5xx"); v.Result != fail || r.Pass {
		t.Fatalf("a 500 in a soak with -max-5xx 5: %+v, pass %v", v, r.Pass)
	}
}

// Gaps in a replica's series (failed scrapes) leave the verdict on what was read; a replica
// that never answered cannot be judged flat.
func TestSoakScrapeGaps(t *testing.T) {
	s := soakSamples(30, flat(100), flat(40), flat(40))
	s[3].Replicas[0].RSSBytes, s[29].Replicas[0].RSSBytes = nil, nil
	if v := verdictOf(t, judgeSoak(30, s), "RSS flat"); v.Result != pass {
		t.Fatalf("with gaps: %+v", v)
	}
	for i := range s {
		s[i].Replicas[0].Goroutines = nil
	}
	if v := verdictOf(t, judgeSoak(30, s), "goroutines flat"); v.Result != fail {
		t.Fatalf("with no figure at all: %+v", v)
	}
}

const metricsText = `# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 57
# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 1.34217728e+08
`

// A sample counts the interval's calls by class and its deliveries, and reads each replica's
// figures; an endpoint that fails leaves its values missing.
func TestSampleTake(t *testing.T) {
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = io.WriteString(w, metricsText)
	}))
	defer good.Close()
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusInternalServerError)
	}))
	defer bad.Close()

	d := newDriver(config{targets: []string{"http://127.0.0.1:1"}, workers: 1, sample: time.Minute,
		metrics: []string{good.URL + "/metrics", bad.URL + "/metrics"}})
	now := time.Now()
	for _, c := range []struct {
		status int
		ms     int
	}{{200, 10}, {201, 20}, {404, 5}, {429, 1}, {503, 30}, {0, 100}} {
		d.record(kBrowse, 1, reply{status: c.status, start: now, latency: time.Duration(c.ms) * time.Millisecond})
	}
	d.led.messageSent(sentMessage{ID: "m1", ChatID: "c1", Seq: 1, Accepted: now}, committed)
	d.win.delivered("m1", now.Add(40*time.Millisecond))
	d.win.delivered("m-unknown", now) // its send's answer is not in: counted, no latency

	s := d.startSampler(now.Add(-90 * time.Second))
	close(s.done) // no ticks: the test takes the samples itself
	<-s.stopped
	s.last = 60 * time.Second
	s.take(now)
	got := s.samples[0]
	if got.Calls != 6 || got.Status2xx != 2 || got.Status4xx != 1 || got.Status429 != 1 || got.Status5xx != 1 || got.Transport != 1 {
		t.Fatalf("counts %+v", got)
	}
	if got.P99ms != 100 || got.P50ms != 10 || got.WSDelivered != 2 || got.WSP99ms != 40 {
		t.Fatalf("latencies %+v", got)
	}
	if got.minute() != 1 || len(got.lat) != 6 {
		t.Fatalf("minute %d with %d latencies kept, want minute 1 with 6", got.minute(), len(got.lat))
	}
	if len(got.Replicas) != 2 {
		t.Fatalf("replicas %+v", got.Replicas)
	}
	r0, r1 := got.Replicas[0], got.Replicas[1]
	if r0.RSSBytes == nil || *r0.RSSBytes != 128<<20 || r0.Goroutines == nil || *r0.Goroutines != 57 || r0.Metrics != strings.TrimPrefix(good.URL, "http://") {
		t.Fatalf("replica 0 %+v", r0)
	}
	if r1.RSSBytes != nil || r1.Goroutines != nil {
		t.Fatalf("a failing endpoint gave values: %+v", r1)
	}
	s.take(now.Add(time.Second))
	if next := s.samples[1]; next.Calls != 0 || next.WSDelivered != 0 {
		t.Fatalf("the next interval starts empty: %+v", next)
	}
}

func TestFlags(t *testing.T) {
	base := []string{"-target", "http://127.0.0.1:8080", "-setup-email", "o@example.com", "-setup-password", "Sekrit-Pass-1"}
	for _, bad := range [][]string{
		{"-soak-check"},
		{"-metrics", "http://127.0.0.1:18095/metrics"},
		{"-sample", "1m", "-metrics", "127.0.0.1:18095"},
		{"-sample", "-1s"},
	} {
		if _, _, err := parseFlags(append(append([]string{}, base...), bad...), io.Discard); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	cfg, _, err := parseFlags(append(base, "-allow-503", "-sample", "10s", "-metrics", "http://127.0.0.1:18095/metrics, http://127.0.0.1:18096/metrics",
		"-soak-check", "-md", "/somewhere/bench.md", "-out", "r.json", "-label", "Three replicas"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.allow503 || !cfg.soakCheck || cfg.sample != 10*time.Second || len(cfg.metrics) != 2 || cfg.md != "/somewhere/bench.md" || cfg.label != "Three replicas" {
		t.Fatalf("cfg %+v", cfg)
	}
	cmd := strings.Join(cfg.command, " ")
	want := "-target http://127.0.0.1:8080 -setup-email o@example.com -allow-503 -sample 10s -metrics 'http://127.0.0.1:18095/metrics, http://127.0.0.1:18096/metrics' -soak-check"
	if cmd != want {
		t.Fatalf("command\n%s\nwant\n%s", cmd, want)
	}
	cfg, _, err = parseFlags([]string{"-target=http://127.0.0.1:8080", "--setup-password=Sekrit-Pass-1", "-setup-email", "o@example.com", "-allow-503=false"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cmd := strings.Join(cfg.command, " "); cmd != "-target http://127.0.0.1:8080 -setup-email o@example.com -allow-503=false" {
		t.Fatalf("command %s", cmd)
	}
}

func TestMarkdown(t *testing.T) {
	const password = "Sekrit-Pass-1"
	cfg, _, err := parseFlags([]string{"-target", "http://127.0.0.1:8080", "-setup-email", "o@example.com", "-setup-password", password,
		"-sample", "1m", "-metrics", "http://127.0.0.1:18095/metrics", "-soak-check", "-label", "Soak, three replicas"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(cfg)
	now := time.Now()
	d.record(kChatSend, 1, reply{status: 201, start: now, latency: 12 * time.Millisecond})
	d.record(kChatSend, 2, reply{status: 503, body: []byte(jsonUnavailable), start: now, latency: 3 * time.Millisecond})
	d.record(kBrowse, 3, reply{status: 0, err: errTest, start: now, latency: time.Millisecond})
	d.record(kBrowse, 4, reply{status: 200, start: now, latency: 8 * time.Millisecond})
	d.samples = soakSamples(8, flat(100), flat(40), flat(40))
	d.loadStart, d.loadEnd = "0.50 0.40 0.30", "1.50 0.90 0.50"
	r := &report{}
	r.lostWrite("task t1 holds " + password) // a detail that should never carry it, scrubbed all the same
	d.fill(r, now, 8*time.Minute, 0, deliveryCheck{})

	path := filepath.Join(t.TempDir(), "section.md")
	if err := r.writeMarkdown(path, password); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	for _, want := range []string{
		"### Soak, three replicas\n",
		" UTC; ", "load average 0.50 0.40 0.30 at the start, 1.50 0.90 0.50 at the end",
		"`canopy-load -target http://127.0.0.1:8080 -setup-email o@example.com -sample 1m -metrics http://127.0.0.1:18095/metrics -soak-check`",
		"| call | share of the mix |", "| chat_send | 25 % |",
		"| call | calls | throughput/s | p50 ms | p95 ms | p99 ms | max ms | errors by status |",
		"| chat_send | 2 |", "503: 1 (1 JSON)", "| directory_browse | 2 |", "transport: 1",
		"WebSocket: 0 receivers", "Accounting: ", "1 lost writes, 0 lost messages",
		"| minute | calls/s | p99 ms | RSS MiB 127.0.0.1:18095 | goroutines 127.0.0.1:18095 |",
		"| 2:00 | 1.7 | 40.0 | 100.0 | 40 |",
		"Soak verdicts:", "- **pass** RSS flat (127.0.0.1:18095)", "p99 stable: minutes 1–5 p99 40.0 ms; later 5-minute windows (± 20 % allowed): 6:00–8:00 40.0 ms +0 %",
		"Result: **fail**",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the markdown lacks %q", want)
		}
	}
	if strings.Contains(md, password) {
		t.Error("the markdown holds the password")
	}
	if t.Failed() {
		t.Log("\n" + md)
	}
	var out strings.Builder
	r.print(&out)
	for _, want := range []string{"5xx_total 1 (503_json 1, 5xx_other 0), slow_over_timeout 0", "elapsed", "127.0.0.1:18095 (RSS MiB, goroutines)", "Soak:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out.String())
		}
	}
}

// TestHistoryReadsAWholeChat: a chat of more than a page reads back whole, the way the API
// pages it (after_seq forwards; otherwise backwards from the newest, before_seq further back).
func TestHistoryReadsAWholeChat(t *testing.T) {
	const n = 250
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		after, _ := strconv.Atoi(r.URL.Query().Get("after_seq"))
		before, _ := strconv.Atoi(r.URL.Query().Get("before_seq"))
		var seqs []int
		switch {
		case after > 0:
			for s := after + 1; s <= n && len(seqs) < 101; s++ {
				seqs = append(seqs, s)
			}
		default:
			top := n
			if before > 0 {
				top = before - 1
			}
			for s := top; s >= 1 && len(seqs) < 101; s-- {
				seqs = append([]int{s}, seqs...)
			}
		}
		more := len(seqs) > 100
		if more && after > 0 {
			seqs = seqs[:100]
		} else if more {
			seqs = seqs[1:]
		}
		items := []map[string]any{}
		for _, s := range seqs {
			items = append(items, map[string]any{"id": fmt.Sprint("m", s), "seq": s})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"items": items, "has_more": more})
	}))
	defer srv.Close()
	d := newDriver(config{targets: []string{srv.URL}, workers: 1, timeout: 5 * time.Second})
	for _, after := range []int64{0, 120} {
		h, err := d.history(context.Background(), "t", "c", after)
		if err != nil {
			t.Fatal(err)
		}
		if want := n - int(after); len(h) != want || h[0].Seq != after+1 || h[len(h)-1].Seq != n {
			t.Fatalf("after %d: %d entries, %d..%d", after, len(h), h[0].Seq, h[len(h)-1].Seq)
		}
		for i := 1; i < len(h); i++ {
			if h[i].Seq != h[i-1].Seq+1 {
				t.Fatalf("after %d: %d follows %d", after, h[i].Seq, h[i-1].Seq)
			}
		}
	}
}
