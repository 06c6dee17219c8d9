package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// answerClass is how an answer counts among the server errors.
type answerClass int

const (
	classNot5xx   answerClass = iota
	class503JSON              // 503 with Canopy's JSON error body: a dependency is down, and the server said so
	class5xxOther             // a 500, any other 5xx, or a 503 without the JSON body (a proxy's page, a crash)
)

// classify tells a 503 that Canopy answered on purpose from the 5xx that are bugs or hangs.
func classify(rep reply) answerClass {
	switch {
	case rep.status < 500:
		return classNot5xx
	case rep.status == http.StatusServiceUnavailable && isJSONError(rep.body):
		return class503JSON
	default:
		return class5xxOther
	}
}

// isJSONError says whether body is the one error shape, {"error":{"code":...,"message":...}}.
func isJSONError(body []byte) bool {
	var e struct {
		Error *struct {
			Code    *string `json:"code"`
			Message *string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error == nil || e.Error.Code == nil || e.Error.Message == nil {
		return false
	}
	return *e.Error.Code != "" && *e.Error.Message != ""
}

// isTimeout says whether a call failed because it hit the client's timeout: the server hung.
func isTimeout(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// fiveCounts are the run's 5xx answers by class and its calls that hit the timeout.
type fiveCounts struct {
	total, json503, other, slow int
	// transport counts calls that got no answer at all (refused, reset, timed out).
	transport int
}

func (f *fiveCounts) add(c answerClass) {
	switch c {
	case class503JSON:
		f.total++
		f.json503++
	case class5xxOther:
		f.total++
		f.other++
	}
}

// sample is one interval of the time series that -sample records.
type sample struct {
	StartS    float64 `json:"start_s"`   // the interval's start, seconds into the load
	ElapsedS  float64 `json:"elapsed_s"` // its end
	Calls     int     `json:"calls"`     // calls completed in the interval
	Status2xx int     `json:"2xx"`
	Status4xx int     `json:"4xx"` // other than 429
	Status429 int     `json:"429"`
	Status5xx int     `json:"5xx"`
	Transport int     `json:"transport_errors"` // no answer: refused, reset, timed out
	P50ms     float64 `json:"p50_ms"`           // of the calls of every kind completed in the interval
	P95ms     float64 `json:"p95_ms"`
	P99ms     float64 `json:"p99_ms"`
	// WSDelivered counts the messages that reached a receiver over its socket in the
	// interval (first copies), WSP99ms their delivery latency's p99.
	WSDelivered int             `json:"ws_delivered"`
	WSP99ms     float64         `json:"ws_p99_ms"`
	Replicas    []replicaSample `json:"replicas,omitempty"`

	// lat holds the interval's latencies from minute 1 on: minutes 1–5's calls taken together
	// give the p99 that -soak-check holds each later 5 minutes' calls to.
	lat []time.Duration
}

// replicaSample is one replica's process figures at the end of a sample; nil when its
// endpoint could not be scraped.
type replicaSample struct {
	Metrics    string   `json:"metrics"`
	RSSBytes   *float64 `json:"rss_bytes"`
	Goroutines *float64 `json:"goroutines"`
}

// minute is the minute of the load the sample's interval starts in (0 is the warm-up).
func (s sample) minute() int { return int(s.StartS / 60) }

type arrival struct {
	id string
	at time.Time
}

// window gathers the calls and deliveries of the current interval.
type window struct {
	mu                                    sync.Mutex
	calls, ok, c4xx, c429, c5xx, noAnswer int
	lat                                   []time.Duration
	arrivals                              []arrival
}

func (w *window) call(rep reply) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls++
	switch s := rep.status; {
	case s == 0:
		w.noAnswer++
	case s >= 200 && s < 300:
		w.ok++
	case s == http.StatusTooManyRequests:
		w.c429++
	case s >= 400 && s < 500:
		w.c4xx++
	case s >= 500:
		w.c5xx++
	}
	w.lat = append(w.lat, rep.latency)
}

func (w *window) delivered(id string, at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.arrivals = append(w.arrivals, arrival{id, at})
}

// cut closes the interval into a sample and starts the next; accepted gives the time each
// message's send was answered (a delivery whose send is not answered yet counts without a
// latency).
func (w *window) cut(accepted func(ids []arrival) []time.Duration) sample {
	w.mu.Lock()
	s := sample{Calls: w.calls, Status2xx: w.ok, Status4xx: w.c4xx, Status429: w.c429, Status5xx: w.c5xx, Transport: w.noAnswer}
	lat, arr := w.lat, w.arrivals
	w.calls, w.ok, w.c4xx, w.c429, w.c5xx, w.noAnswer, w.lat, w.arrivals = 0, 0, 0, 0, 0, 0, nil, nil
	w.mu.Unlock()

	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	s.P50ms, s.P95ms, s.P99ms = ms(percentile(lat, 50)), ms(percentile(lat, 95)), ms(percentile(lat, 99))
	s.lat = lat
	s.WSDelivered = len(arr)
	ws := accepted(arr)
	sort.Slice(ws, func(i, j int) bool { return ws[i] < ws[j] })
	s.WSP99ms = ms(percentile(ws, 99))
	return s
}

// wsLatencies reads the delivery latencies of arrivals from the ledger.
func (l *ledger) wsLatencies(arr []arrival) []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]time.Duration, 0, len(arr))
	for _, a := range arr {
		if t, ok := l.acceptedAt[a.id]; ok {
			out = append(out, max(0, a.at.Sub(t)))
		}
	}
	return out
}

// sampler takes a sample every cfg.sample while the load runs.
type sampler struct {
	d       *driver
	began   time.Time
	every   time.Duration
	scraper *http.Client
	done    chan struct{}
	stopped chan struct{}
	last    time.Duration
	samples []sample
}

func (d *driver) startSampler(began time.Time) *sampler {
	s := &sampler{d: d, began: began, every: d.cfg.sample, done: make(chan struct{}), stopped: make(chan struct{}),
		scraper: &http.Client{Timeout: max(time.Second, min(d.cfg.sample/2, 5*time.Second))}}
	go s.loop()
	return s
}

func (s *sampler) loop() {
	defer close(s.stopped)
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case now := <-t.C:
			s.take(now)
		}
	}
}

// stop ends the series once the load is over: the calls after the last tick make a last
// sample when they span half an interval or more (a shorter one would be noise in the table;
// its calls are in the totals all the same).
func (s *sampler) stop() []sample {
	close(s.done)
	<-s.stopped
	if now := time.Now(); now.Sub(s.began)-s.last >= s.every/2 {
		s.take(now)
	}
	return s.samples
}

func (s *sampler) take(now time.Time) {
	end := now.Sub(s.began)
	smp := s.d.win.cut(s.d.led.wsLatencies)
	smp.StartS, smp.ElapsedS = s.last.Seconds(), end.Seconds()
	if m := smp.minute(); m < 1 {
		smp.lat = nil // minute 0, the warm-up, is never judged
	}
	s.last = end
	if len(s.d.cfg.metrics) > 0 {
		smp.Replicas = make([]replicaSample, len(s.d.cfg.metrics))
		var wg sync.WaitGroup
		for i, u := range s.d.cfg.metrics {
			smp.Replicas[i].Metrics = replicaName(u)
			wg.Add(1)
			go func() {
				defer wg.Done()
				smp.Replicas[i].RSSBytes, smp.Replicas[i].Goroutines = scrape(s.scraper, u)
			}()
		}
		wg.Wait()
	}
	s.samples = append(s.samples, smp)
}

// replicaName is the host:port of a metrics URL, which names its replica in the tables.
func replicaName(u string) string {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		return p.Host
	}
	return u
}

// scrape reads process_resident_memory_bytes and go_goroutines from a Prometheus endpoint;
// a value it cannot read is nil (a replica being restarted is a gap in the series, not an
// error of the load).
func scrape(hc *http.Client, u string) (rss, goroutines *float64) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, nil
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil
	}
	return parseProcessMetrics(resp.Body)
}

func parseProcessMetrics(body io.Reader) (rss, goroutines *float64) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(body)
	if err != nil {
		return nil, nil
	}
	gauge := func(name string) *float64 {
		f := fams[name]
		if f == nil || len(f.GetMetric()) == 0 {
			return nil
		}
		m := f.GetMetric()[0]
		switch {
		case m.GetGauge() != nil:
			v := m.GetGauge().GetValue()
			return &v
		case m.GetUntyped() != nil:
			v := m.GetUntyped().GetValue()
			return &v
		}
		return nil
	}
	return gauge("process_resident_memory_bytes"), gauge("go_goroutines")
}
