package main

import (
	"fmt"
	"math"
	"sort"
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
	soakP99Band      = 0.2 // each later sample's p99 within ± 20 % of minutes 1–5's p99
	soakP99Outliers  = 0.1 // and no more than 10 % of them outside the band
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

// p99Verdict holds each sample after minute 5 to the p99 of minutes 1–5's calls taken together.
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
	sort.Slice(baseLat, func(i, j int) bool { return baseLat[i] < baseLat[j] })
	base := ms(percentile(baseLat, 99))
	outside, worst, worstDev := 0, later[0], 0.0
	for _, s := range later {
		dev := s.P99ms/base - 1
		if base == 0 {
			dev = 0
			if s.P99ms > 0 {
				dev = math.Inf(1)
			}
		}
		if math.Abs(dev) > soakP99Band {
			outside++
		}
		if math.Abs(dev) > math.Abs(worstDev) {
			worst, worstDev = s, dev
		}
	}
	res := pass
	if float64(outside) > soakP99Outliers*float64(len(later)) {
		res = fail
	}
	return verdict{Check: check, Result: res, Detail: fmt.Sprintf(
		"minutes 1–5 p99 %.1f ms; %d of %d later samples outside ± %.0f %% (at most %.0f %% may be); worst %.1f ms (%+.0f %%) at %s",
		base, outside, len(later), soakP99Band*100, soakP99Outliers*100, worst.P99ms, worstDev*100, clock(worst.ElapsedS))}
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
