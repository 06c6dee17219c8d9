package main

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// The soak's rules (main.go explains them to users). A sample belongs to the minute its
// interval starts in; minute 0 is the warm-up (connections being opened, caches and the
// database's buffers still cold) and is never a reference.
const (
	soakMinRun       = 6 * time.Minute // shorter runs get figures, not verdicts, on flatness and p99
	soakRSSGrowth    = 1.2             // RSS: median of the last 5 samples ≤ 1.2 × the max of minutes 1–5
	soakGoroutines   = 1.2             // goroutines: ≤ max(1.2 × that max, that max + 50)
	soakGoroutineAbs = 50
	soakP99Band      = 0.2 // each later window's p99 within ± 20 % of minutes 1–5's p99
	soakP99Window    = 5   // minutes: the later calls are judged 5 minutes at a time, as the baseline is
	soakP99MinWindow = 3   // minutes: a last window shorter than this joins the one before it
	soakLast         = 5
)

// verdict is one judgement of -soak-check.
type verdict struct {
	Check  string `json:"check"`
	Result string `json:"result"` // pass, fail or "no verdict"
	Detail string `json:"detail"`
}

const (
	pass      = "pass"
	fail      = "fail"
	noVerdict = "no verdict"
)

// soakVerdicts judges a run as a soak: no server errors, RSS and goroutines flat on each
// replica (metrics names the replicas' endpoints, in the samples' order), and a stable p99.
func soakVerdicts(r *report, metrics []string) []verdict {
	var vs []verdict
	if r.Allow503 {
		vs = append(vs, countVerdict("no 5xx other than 503 with the JSON error body (-allow-503)", r.Status5xxOther))
	} else {
		vs = append(vs, countVerdict("no 5xx", r.Status5xx))
	}
	short := time.Duration(r.DurationSeconds * float64(time.Second))
	if short < soakMinRun {
		why := fmt.Sprintf("the load ran %.1f minutes, under %.0f: figures only", short.Minutes(), soakMinRun.Minutes())
		for _, c := range []string{"RSS flat", "goroutines flat", "p99 stable"} {
			vs = append(vs, verdict{Check: c, Result: noVerdict, Detail: why})
		}
		return vs
	}
	if len(metrics) == 0 {
		vs = append(vs, verdict{Check: "RSS flat", Result: noVerdict, Detail: "no -metrics"},
			verdict{Check: "goroutines flat", Result: noVerdict, Detail: "no -metrics"})
	}
	for i, m := range metrics {
		name := replicaName(m)
		rss := series(r.Samples, i, func(x replicaSample) *float64 { return x.RSSBytes })
		vs = append(vs, flatVerdict("RSS flat ("+name+")", rss, func(base float64) float64 { return soakRSSGrowth * base }, mib))
		gor := series(r.Samples, i, func(x replicaSample) *float64 { return x.Goroutines })
		vs = append(vs, flatVerdict("goroutines flat ("+name+")", gor, func(base float64) float64 {
			return math.Max(soakGoroutines*base, base+soakGoroutineAbs)
		}, func(v float64) string { return fmt.Sprintf("%.0f", v) }))
	}
	return append(vs, p99Verdict(r.Samples))
}

func countVerdict(check string, n int) verdict {
	if n == 0 {
		return verdict{Check: check, Result: pass, Detail: "0 seen"}
	}
	return verdict{Check: check, Result: fail, Detail: fmt.Sprintf("%d seen", n)}
}

// point is one value of a replica's series with the minute of its sample.
type point struct {
	minute int
	v      float64
}

// series is replica i's values of one figure over the samples, gaps left out.
func series(samples []sample, i int, get func(replicaSample) *float64) []point {
	var ps []point
	for _, s := range samples {
		if i < len(s.Replicas) {
			if v := get(s.Replicas[i]); v != nil {
				ps = append(ps, point{s.minute(), *v})
			}
		}
	}
	return ps
}

// flatVerdict holds the median of the last samples to limit(the max of minutes 1–5).
func flatVerdict(check string, ps []point, limit func(float64) float64, show func(float64) string) verdict {
	base, seen := 0.0, false
	for _, p := range ps {
		if p.minute >= 1 && p.minute <= 5 {
			base, seen = math.Max(base, p.v), true
		}
	}
	if !seen || len(ps) == 0 {
		return verdict{Check: check, Result: fail, Detail: "no figure could be read in minutes 1–5"}
	}
	last := make([]float64, 0, soakLast)
	for _, p := range ps[max(0, len(ps)-soakLast):] {
		last = append(last, p.v)
	}
	med, lim := median(last), limit(base)
	res, cmp := pass, "≤"
	if med > lim {
		res, cmp = fail, ">"
	}
	return verdict{Check: check, Result: res, Detail: fmt.Sprintf("median of the last %d samples %s %s limit %s (max of minutes 1–5: %s)",
		len(last), show(med), cmp, show(lim), show(base))}
}

// p99Verdict holds the calls after minute 5, taken soakP99Window minutes at a time, to the p99
// of minutes 1–5's calls taken together: each window's p99 (its calls together, as the
// baseline's) must be within ± soakP99Band of the baseline's. Windows as long as the baseline
// compare like with like: a one-minute p99 is the slowest 1 % of a fifth as many calls, and
// moves with any other process's burst on shared hardware.
func p99Verdict(samples []sample) verdict {
	const check = "p99 stable"
	var baseLat []time.Duration
	var later []sample
	for _, s := range samples {
		switch m := s.minute(); {
		case m >= 1 && m <= 5:
			baseLat = append(baseLat, s.lat...)
		case m > 5 && s.Calls > 0:
			later = append(later, s)
		}
	}
	if len(baseLat) == 0 {
		return verdict{Check: check, Result: fail, Detail: "no call completed in minutes 1–5"}
	}
	if len(later) == 0 {
		return verdict{Check: check, Result: noVerdict, Detail: "no sample after minute 5"}
	}
	base := p99Of(baseLat)
	// Windows by the minute the samples start in (6–10, 11–15, …), whatever the sampling
	// interval; a last window of fewer minutes than soakP99MinWindow joins the one before.
	var windows [][]sample
	var firsts []int // each window's first minute
	for _, s := range later {
		first := 6 + (s.minute()-6)/soakP99Window*soakP99Window
		if n := len(firsts); n == 0 || firsts[n-1] != first {
			windows, firsts = append(windows, nil), append(firsts, first)
		}
		windows[len(windows)-1] = append(windows[len(windows)-1], s)
	}
	if n := len(windows); n > 1 && later[len(later)-1].minute()-firsts[n-1]+1 < soakP99MinWindow {
		windows = append(windows[:n-2], append(windows[n-2], windows[n-1]...))
	}
	res := pass
	var parts []string
	for _, w := range windows {
		var lat []time.Duration
		for _, s := range w {
			lat = append(lat, s.lat...)
		}
		p := p99Of(lat)
		dev := 0.0
		if base > 0 {
			dev = p/base - 1
		} else if p > 0 {
			dev = math.Inf(1)
		}
		mark := ""
		if math.Abs(dev) > soakP99Band {
			res, mark = fail, " (outside)"
		}
		parts = append(parts, fmt.Sprintf("%s–%s %.1f ms %+.0f %%%s", clock(w[0].StartS), clock(w[len(w)-1].ElapsedS), p, dev*100, mark))
	}
	return verdict{Check: check, Result: res, Detail: fmt.Sprintf("minutes 1–5 p99 %.1f ms; later %d-minute windows (± %.0f %% allowed): %s",
		base, soakP99Window, soakP99Band*100, strings.Join(parts, "; "))}
}

// p99Of is the p99 of the latencies in milliseconds; it sorts them.
func p99Of(lat []time.Duration) float64 {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return ms(percentile(lat, 99))
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func mib(v float64) string { return fmt.Sprintf("%.1f MiB", v/(1<<20)) }

// clock writes seconds into the load as m:ss.
func clock(s float64) string {
	t := int(math.Round(s))
	return fmt.Sprintf("%d:%02d", t/60, t%60)
}
