package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// report is the outcome of a load, written as JSON with -out and as text on stdout.
type report struct {
	Targets         []string              `json:"targets"`
	Started         time.Time             `json:"started"`
	DurationSeconds float64               `json:"duration_s"`
	RequestedRate   int                   `json:"requested_rate"`
	Users           int                   `json:"users"`
	Chats           int                   `json:"chats"`
	Tasks           int                   `json:"tasks"`
	Mix             []mixShare            `json:"mix"`
	Requests        uint64                `json:"requests"`
	Rate            float64               `json:"rate"`       // calls made per second
	Throughput      float64               `json:"throughput"` // successful calls per second
	Status5xx       int                   `json:"5xx_total"`
	Status503JSON   int                   `json:"503_json"`          // 503 with the JSON error body
	Status5xxOther  int                   `json:"5xx_other"`         // any other 5xx, and 503 without the JSON body
	SlowOverTimeout int                   `json:"slow_over_timeout"` // calls that hit the client timeout: hangs
	TransportErrors int                   `json:"transport_errors"`  // calls with no answer at all, hangs included
	MaxErrors       int                   `json:"max_errors"`
	Max5xx          int                   `json:"max_5xx"`
	Allow503        bool                  `json:"allow_503"`
	Calls           map[kind]*callFigures `json:"calls"`
	WS              wsFigures             `json:"ws"`
	Accounting      accounting            `json:"accounting"`
	LostWrites      int                   `json:"lost_writes"`
	LostMessages    int                   `json:"lost_messages"`
	Samples         []sample              `json:"samples,omitempty"`
	Soak            []verdict             `json:"soak,omitempty"`
	Label           string                `json:"label,omitempty"`
	Command         []string              `json:"command"` // the flags, without the password and output files
	Machine         machine               `json:"machine"`
	Pass            bool                  `json:"pass"`
	Failures        []string              `json:"failures,omitempty"`

	mu sync.Mutex // lostWrite is called by parallel checks
}

type mixShare struct {
	Kind    kind `json:"kind"`
	Percent int  `json:"percent"`
}

// callFigures are one call kind's figures.
type callFigures struct {
	Requests    uint64         `json:"requests"`
	Throughput  float64        `json:"throughput"`
	Success     float64        `json:"success_ratio"`
	P50ms       float64        `json:"p50_ms"`
	P95ms       float64        `json:"p95_ms"`
	P99ms       float64        `json:"p99_ms"`
	MaxMs       float64        `json:"max_ms"`
	StatusCodes map[string]int `json:"status_codes"` // "0": transport errors and timeouts
	JSON503     int            `json:"503_json,omitempty"`
	Errors      []string       `json:"errors,omitempty"`
}

type wsFigures struct {
	Receivers    int     `json:"receivers"`
	MessagesSent int     `json:"messages_sent"` // accepted (2xx), plus sends of unknown outcome found written
	Expected     int     `json:"deliveries_expected"`
	Delivered    int     `json:"delivered"`
	ViaCatchUp   int     `json:"delivered_via_catch_up"`
	Duplicates   int     `json:"duplicates"`
	Lost         int     `json:"lost"`
	P50ms        float64 `json:"latency_p50_ms"`
	P95ms        float64 `json:"latency_p95_ms"`
	P99ms        float64 `json:"latency_p99_ms"`
	Reconnects   int     `json:"reconnects"`
	Reloads      int     `json:"reloads"`
}

type accounting struct {
	TaskUpdates            int      `json:"task_updates_committed"`
	CardMoves              int      `json:"card_moves_committed"`
	TasksChecked           int      `json:"tasks_checked"`
	Messages               int      `json:"messages_committed"`
	UnknownMessagesWritten int      `json:"unknown_messages_written"`
	Uploads                int      `json:"uploads_committed"`
	UnknownOutcome         int      `json:"unknown_outcome_writes"`
	LostWriteDetails       []string `json:"lost_write_details,omitempty"`
	LostMessageDetails     []string `json:"lost_message_details,omitempty"`
}

func (r *report) lostWrite(detail string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.LostWrites++
	if len(r.Accounting.LostWriteDetails) < 20 {
		r.Accounting.LostWriteDetails = append(r.Accounting.LostWriteDetails, detail)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// fill completes the report from the figures and the checks, and judges it.
func (d *driver) fill(r *report, began time.Time, took time.Duration, expected int, dc deliveryCheck) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r.Targets, r.Started, r.DurationSeconds = d.cfg.targets, began.UTC(), took.Seconds()
	r.RequestedRate, r.Users, r.Chats, r.Tasks, r.Max5xx = d.cfg.rate, d.cfg.users, d.cfg.chats, d.cfg.tasks, d.cfg.max5xx
	for _, m := range mix {
		r.Mix = append(r.Mix, mixShare{m.Kind, m.Weight})
	}
	r.Calls = map[kind]*callFigures{}
	for k, m := range d.metrics {
		m.Close()
		r.Calls[k] = &callFigures{Requests: m.Requests, Throughput: m.Throughput, Success: m.Success,
			P50ms: ms(m.Latencies.P50), P95ms: ms(m.Latencies.P95), P99ms: ms(m.Latencies.P99), MaxMs: ms(m.Latencies.Max),
			StatusCodes: m.StatusCodes, Errors: m.Errors, JSON503: d.json503[k]}
	}
	r.Status5xx, r.Status503JSON, r.Status5xxOther, r.SlowOverTimeout = d.fives.total, d.fives.json503, d.fives.other, d.fives.slow
	r.TransportErrors, r.MaxErrors = d.fives.transport, d.cfg.maxErrors
	r.Allow503, r.Label, r.Command, r.Samples = d.cfg.allow503, d.cfg.label, d.cfg.command, d.samples
	r.Machine = machineInfo(d.loadStart, d.loadEnd)
	d.all.Close()
	r.Requests, r.Rate, r.Throughput = d.all.Requests, d.all.Rate, d.all.Throughput

	r.WS.Receivers, r.WS.MessagesSent, r.WS.Expected = len(d.receivers), expected, dc.Expected
	r.WS.Delivered, r.WS.ViaCatchUp, r.WS.Duplicates, r.WS.Lost = dc.Delivered, dc.ViaCatchUp, dc.Duplicates, dc.Lost
	r.WS.P50ms, r.WS.P95ms, r.WS.P99ms = ms(percentile(dc.Latencies, 50)), ms(percentile(dc.Latencies, 95)), ms(percentile(dc.Latencies, 99))
	r.LostMessages = dc.Lost + dc.Duplicates
	r.Accounting.LostMessageDetails = dc.Missing
	r.Accounting.UnknownOutcome = d.led.unknownWrites

	if r.LostWrites > 0 {
		r.Failures = append(r.Failures, fmt.Sprintf("%d lost writes", r.LostWrites))
	}
	if dc.Lost > 0 {
		r.Failures = append(r.Failures, fmt.Sprintf("%d messages not delivered", dc.Lost))
	}
	if dc.Duplicates > 0 {
		r.Failures = append(r.Failures, fmt.Sprintf("%d messages delivered more than once", dc.Duplicates))
	}
	switch {
	case d.cfg.allow503 && r.Status5xxOther > d.cfg.max5xx:
		r.Failures = append(r.Failures, fmt.Sprintf("%d answers 5xx other than 503 with the JSON error body (at most %d allowed)", r.Status5xxOther, d.cfg.max5xx))
	case !d.cfg.allow503 && r.Status5xx > d.cfg.max5xx:
		r.Failures = append(r.Failures, fmt.Sprintf("%d answers 5xx (at most %d allowed)", r.Status5xx, d.cfg.max5xx))
	}
	if d.cfg.soakCheck {
		r.Soak = soakVerdicts(r, d.cfg.metrics)
		for _, v := range r.Soak {
			if v.Result == fail {
				r.Failures = append(r.Failures, "soak: "+v.Check+": "+v.Detail)
			}
		}
	}
	// A dropped connection or a hang is a failed request as much as a 5xx is, even though its
	// write, if any, is only of unknown outcome.
	if r.TransportErrors > d.cfg.maxErrors {
		r.Failures = append(r.Failures, fmt.Sprintf("%d calls got no answer (%d of them hit the timeout; at most %d allowed)", r.TransportErrors, r.SlowOverTimeout, d.cfg.maxErrors))
	}
	r.Pass = len(r.Failures) == 0
}

// print writes the report for people.
func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "canopy-load against %s\n", strings.Join(r.Targets, ", "))
	fmt.Fprintf(w, "%.1f s at %d calls/s asked (%.1f made, %.1f successful/s): %d calls; %d users, %d chats, %d WebSocket receivers, %d tasks\n\n",
		r.DurationSeconds, r.RequestedRate, r.Rate, r.Throughput, r.Requests, r.Users, r.Chats, r.WS.Receivers, r.Tasks)
	fmt.Fprintf(w, "%-18s %5s %8s %9s %9s %9s %9s  %s\n", "call", "mix%", "calls", "p50 ms", "p95 ms", "p99 ms", "max ms", "status codes")
	for _, m := range r.Mix {
		c := r.Calls[m.Kind]
		if c == nil {
			fmt.Fprintf(w, "%-18s %5d %8d\n", m.Kind, m.Percent, 0)
			continue
		}
		fmt.Fprintf(w, "%-18s %5d %8d %9.1f %9.1f %9.1f %9.1f  %s\n", m.Kind, m.Percent, c.Requests, c.P50ms, c.P95ms, c.P99ms, c.MaxMs, codes(c.StatusCodes))
		for _, e := range c.Errors {
			fmt.Fprintf(w, "%18s   error: %s\n", "", e)
		}
	}
	fmt.Fprintf(w, "\nWebSocket: %d messages to %d receivers: %d deliveries expected, %d delivered (%d by catch-up), %d duplicates, %d lost; latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms; %d reconnects, %d reloads\n",
		r.WS.MessagesSent, r.WS.Receivers, r.WS.Expected, r.WS.Delivered, r.WS.ViaCatchUp, r.WS.Duplicates, r.WS.Lost, r.WS.P50ms, r.WS.P95ms, r.WS.P99ms, r.WS.Reconnects, r.WS.Reloads)
	a := r.Accounting
	fmt.Fprintf(w, "Accounting: %d task updates and %d card moves on %d tasks, %d messages, %d uploads committed and read back; %d writes of unknown outcome (%d messages of them found written)\n",
		a.TaskUpdates, a.CardMoves, a.TasksChecked, a.Messages, a.Uploads, a.UnknownOutcome, a.UnknownMessagesWritten)
	fmt.Fprintf(w, "lost_writes %d, lost_messages %d, 5xx_total %d (503_json %d, 5xx_other %d), slow_over_timeout %d\n",
		r.LostWrites, r.LostMessages, r.Status5xx, r.Status503JSON, r.Status5xxOther, r.SlowOverTimeout)
	for _, l := range a.LostWriteDetails {
		fmt.Fprintf(w, "  lost write: %s\n", l)
	}
	for _, l := range a.LostMessageDetails {
		fmt.Fprintf(w, "  lost message: %s\n", l)
	}
	if len(r.Samples) > 0 {
		fmt.Fprintln(w)
		r.printSamples(w)
	}
	if len(r.Soak) > 0 {
		fmt.Fprintln(w, "\nSoak:")
		for _, v := range r.Soak {
			fmt.Fprintf(w, "  %-10s %s: %s\n", v.Result, v.Check, v.Detail)
		}
	}
	if r.Pass {
		fmt.Fprintln(w, "PASS")
	} else {
		fmt.Fprintf(w, "FAIL: %s\n", strings.Join(r.Failures, "; "))
	}
}

// printSamples writes the time series as a table.
func (r *report) printSamples(w io.Writer) {
	fmt.Fprintf(w, "%7s %6s %6s %5s %5s %5s %5s %8s %8s %8s %6s %9s", "elapsed", "calls", "2xx", "4xx", "429", "5xx", "trans", "p50 ms", "p95 ms", "p99 ms", "ws", "ws p99")
	for _, rs := range r.Samples[0].Replicas {
		fmt.Fprintf(w, "  %s (RSS MiB, goroutines)", rs.Metrics)
	}
	fmt.Fprintln(w)
	for _, s := range r.Samples {
		fmt.Fprintf(w, "%7s %6d %6d %5d %5d %5d %5d %8.1f %8.1f %8.1f %6d %9.1f", clock(s.ElapsedS), s.Calls, s.Status2xx, s.Status4xx, s.Status429,
			s.Status5xx, s.Transport, s.P50ms, s.P95ms, s.P99ms, s.WSDelivered, s.WSP99ms)
		for _, rs := range s.Replicas {
			fmt.Fprintf(w, "  %10s %6s", orDash(rs.RSSBytes, func(v float64) string { return fmt.Sprintf("%.1f", v/(1<<20)) }),
				orDash(rs.Goroutines, func(v float64) string { return fmt.Sprintf("%.0f", v) }))
		}
		fmt.Fprintln(w)
	}
}

// orDash shows a value that may be missing.
func orDash(v *float64, show func(float64) string) string {
	if v == nil {
		return "–"
	}
	return show(*v)
}

func codes(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s:%d", k, m[k])
	}
	return b.String()
}
