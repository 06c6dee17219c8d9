package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// config is the driver's settings (main.go documents the flags).
type config struct {
	targets       []string
	duration      time.Duration
	rate          int
	users         int
	chats         int
	ws            int
	tasks         int
	workers       int
	fileSize      int
	timeout       time.Duration
	settle        time.Duration
	wsDrop        time.Duration
	setupEmail    string
	setupPassword string
	orgID         string
	max5xx        int
	maxErrors     int
	allow503      bool          // 503s with the JSON error body do not count toward max5xx
	sample        time.Duration // 0: no time series
	metrics       []string      // Prometheus endpoints, one per replica, scraped at each sample
	soakCheck     bool
	md            string   // write the report as a Markdown section to this file
	label         string   // the Markdown section's heading
	command       []string // the flags as given, without the password and output files
}

// driver runs one load: setup, the paced mix with the receivers listening, then the check.
type driver struct {
	cfg config
	api *apiClient
	led *ledger

	runID      string
	orgID      string
	ownerToken string
	listID     string
	sections   []string
	users      []*member
	chats      []*chat
	receivers  []*receiver

	seq atomic.Uint64 // numbers messages, titles and file names

	mu      sync.Mutex
	metrics map[kind]*vegeta.Metrics
	all     vegeta.Metrics
	fives   fiveCounts   // the 5xx answers and timeouts, by class
	json503 map[kind]int // 503s with the JSON error body, by kind

	win       window   // the current sample's interval (fed only with -sample)
	samples   []sample // the time series, once the load is over
	loadStart string   // /proc/loadavg when the run began
	loadEnd   string   // and when it ended
}

func newDriver(cfg config) *driver {
	return &driver{
		cfg: cfg, api: newAPIClient(cfg.targets, cfg.timeout, cfg.workers), led: &ledger{},
		runID: randomHex(3), metrics: map[kind]*vegeta.Metrics{}, json503: map[kind]int{},
	}
}

// run does the whole load and returns its report; an error means the load could not be made
// (setup failed), not that it found losses.
func (d *driver) run(ctx context.Context) (*report, error) {
	d.loadStart = loadAverage()
	if err := d.setup(ctx); err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	rctx, stopReceivers := context.WithCancel(context.WithoutCancel(ctx))
	defer stopReceivers()
	var rwg sync.WaitGroup
	ready := make(chan error, d.cfg.ws)
	for i := range d.cfg.ws {
		r := newReceiver(d, i, d.users[i%len(d.users)])
		d.receivers = append(d.receivers, r)
		rwg.Add(1)
		go func() { defer rwg.Done(); r.run(rctx, ready) }()
	}
	for range d.cfg.ws {
		if err := <-ready; err != nil {
			stopReceivers()
			rwg.Wait()
			return nil, fmt.Errorf("setup: a receiver could not connect: %w", err)
		}
	}

	began := time.Now()
	var smp *sampler
	if d.cfg.sample > 0 {
		smp = d.startSampler(began)
	}
	d.load(ctx)
	loadTook := time.Since(began)
	if smp != nil {
		d.samples = smp.stop()
	}

	// Read back every committed write while the receivers still listen.
	rep := &report{}
	vctx := context.WithoutCancel(ctx)
	d.verifyTasks(vctx, rep)
	found := d.verifyHistory(vctx, rep)
	d.verifyUploads(vctx, rep)
	expected := append(append([]sentMessage{}, d.led.messages...), found...)
	d.awaitDeliveries(expected)
	stopReceivers()
	rwg.Wait()

	members := map[string][]int{}
	for _, c := range d.chats {
		members[c.id] = c.members
	}
	user := make([]int, len(d.receivers))
	got := make([]map[string]delivery, len(d.receivers))
	for i, r := range d.receivers {
		r.mu.Lock()
		user[i], got[i] = r.user.idx, r.got
		rep.WS.Reconnects += r.reconnects
		rep.WS.Reloads += r.reloads
		r.mu.Unlock()
	}
	dc := checkDeliveries(expected, members, user, got)
	d.loadEnd = loadAverage()
	d.fill(rep, began, loadTook, len(expected), dc)
	return rep, nil
}

// load makes the mix at the configured rate for the configured time, vegeta pacing it; at
// most cfg.workers calls are in flight (past that the rate falls, and the report shows it).
func (d *driver) load(ctx context.Context) {
	pacer := vegeta.ConstantPacer{Freq: d.cfg.rate, Per: time.Second}
	sem := make(chan struct{}, d.cfg.workers)
	var wg sync.WaitGroup
	began := time.Now()
	var hits uint64
	for ctx.Err() == nil {
		elapsed := time.Since(began)
		if elapsed >= d.cfg.duration {
			break
		}
		wait, stop := pacer.Pace(elapsed, hits)
		if stop {
			break
		}
		if wait > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(min(wait, d.cfg.duration-elapsed)):
			}
			continue
		}
		select {
		case <-ctx.Done():
			continue
		case sem <- struct{}{}:
		}
		hits++
		wg.Add(1)
		go func(n uint64) {
			defer wg.Done()
			defer func() { <-sem }()
			k := pickKind()
			if n <= uint64(len(mix)) {
				// The first calls go once through the table, so a short run makes every kind.
				k = mix[n-1].Kind
			}
			k, rep := d.hit(ctx, k, d.api.base())
			d.record(k, n, rep)
		}(hits)
	}
	wg.Wait()
}

// record adds a call's answer to the figures of its kind, as a vegeta result.
func (d *driver) record(k kind, n uint64, rep reply) {
	res := vegeta.Result{Attack: string(k), Seq: n, Code: uint16(rep.status), Timestamp: rep.start, Latency: rep.latency,
		BytesOut: uint64(rep.bytesOut), BytesIn: uint64(len(rep.body)), URL: rep.url}
	switch {
	case rep.err != nil:
		res.Error = rep.err.Error()
	case rep.status >= 400:
		res.Error = fmt.Sprintf("%d %s", rep.status, errorCode(rep.body))
	}
	c := classify(rep)
	if d.cfg.sample > 0 {
		d.win.call(rep)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	m := d.metrics[k]
	if m == nil {
		m = &vegeta.Metrics{}
		d.metrics[k] = m
	}
	m.Add(&res)
	d.all.Add(&res)
	d.fives.add(c)
	if c == class503JSON {
		d.json503[k]++
	}
	if rep.status == 0 && rep.err != nil {
		d.fives.transport++
	}
	if isTimeout(rep.err) {
		d.fives.slow++
	}
}

// verifyTasks reads each task back: its title and column must be the last acknowledged ones.
func (d *driver) verifyTasks(ctx context.Context, rep *report) {
	for _, t := range d.led.tasks {
		rep.Accounting.TaskUpdates += t.updates
		rep.Accounting.CardMoves += t.moves
	}
	rep.Accounting.TasksChecked = len(d.led.tasks)
	each(d.led.tasks, func(t *taskState) {
		var got struct {
			Title     string `json:"title"`
			SectionID string `json:"section_id"`
		}
		err := retry(ctx, func() error {
			return expect(d.api.do(ctx, d.api.base(), jsonRequest(http.MethodGet, "/api/v1/orgs/"+d.orgID+"/tasks/"+t.id, d.ownerToken, nil)), "GET task", &got, http.StatusOK)
		})
		if err == nil {
			err = checkTask(t, taskValue{Title: got.Title, Section: got.SectionID})
		}
		if err != nil {
			rep.lostWrite(err.Error())
		}
	})
}

// each runs f on the items, eight at a time: reading back a long soak's writes one by one
// would take longer than the soak.
func each[T any](items []T, f func(T)) {
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for _, it := range items {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(it)
		}()
	}
	wg.Wait()
}

// verifyHistory reads each chat's whole history as one of its members: every accepted
// message must be there at its seq. It returns the sends of unknown outcome that were written.
func (d *driver) verifyHistory(ctx context.Context, rep *report) []sentMessage {
	var found []sentMessage
	rep.Accounting.Messages = len(d.led.messages)
	for _, c := range d.chats {
		hist, err := d.history(ctx, d.users[c.members[0]].token, c.id, 0)
		if err != nil {
			rep.lostWrite(fmt.Sprintf("chat %s: the history could not be read: %v", c.id, err))
			continue
		}
		lost, f := checkHistory(c.id, d.led.messages, d.led.unknown, hist)
		for _, l := range lost {
			rep.lostWrite(l)
		}
		found = append(found, f...)
	}
	rep.Accounting.UnknownMessagesWritten = len(found)
	return found
}

// history reads a chat's messages after seq after, page by page.
func (d *driver) history(ctx context.Context, token, chatID string, after int64) ([]historyEntry, error) {
	// The API reads forwards from a sequence after_seq > 0, and otherwise backwards from the
	// newest (before_seq pages further back): a whole history is read backwards.
	backwards := after <= 0
	var before int64
	var all []historyEntry
	for {
		var page struct {
			Items []struct {
				ID       string `json:"id"`
				Seq      int64  `json:"seq"`
				ClientID string `json:"client_id"`
			} `json:"items"`
			HasMore bool `json:"has_more"`
		}
		path := fmt.Sprintf("/api/v1/orgs/%s/chats/%s/messages?after_seq=%d&limit=100", d.orgID, chatID, after)
		if backwards {
			path = fmt.Sprintf("/api/v1/orgs/%s/chats/%s/messages?limit=100", d.orgID, chatID)
			if before > 0 {
				path += fmt.Sprintf("&before_seq=%d", before)
			}
		}
		if err := retry(ctx, func() error {
			return expect(d.api.do(ctx, d.api.base(), jsonRequest(http.MethodGet, path, token, nil)), "GET messages", &page, http.StatusOK)
		}); err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			all = append(all, historyEntry{ID: it.ID, Seq: it.Seq, ClientID: it.ClientID})
			after = max(after, it.Seq)
			if before == 0 || it.Seq < before {
				before = it.Seq
			}
		}
		if !page.HasMore || len(page.Items) == 0 {
			sort.Slice(all, func(i, j int) bool { return all[i].Seq < all[j].Seq })
			return all, nil
		}
	}
}

// verifyUploads downloads each committed file as its uploader: the bytes must hash to what was
// sent.
func (d *driver) verifyUploads(ctx context.Context, rep *report) {
	rep.Accounting.Uploads = len(d.led.uploads)
	each(d.led.uploads, func(u *upload) {
		var rp reply
		err := retry(ctx, func() error {
			rp = d.api.do(ctx, d.api.base(), jsonRequest(http.MethodGet, "/api/v1/orgs/"+d.orgID+"/files/"+u.ID+"/content", d.users[u.Owner].token, nil))
			return expect(rp, "GET file content", nil, http.StatusOK)
		})
		if err == nil {
			sum := sha256.Sum256(rp.body)
			if got := hex.EncodeToString(sum[:]); got != u.SHA256 {
				err = errors.New("sha256 " + got + ", want " + u.SHA256)
			}
		}
		if err != nil {
			rep.lostWrite(fmt.Sprintf("file %s: %v", u.ID, err))
		}
	})
}

// awaitDeliveries gives the receivers up to cfg.settle to receive what was sent last (a bound,
// not a measure: a message still missing then is reported lost).
func (d *driver) awaitDeliveries(expected []sentMessage) {
	inChat := map[string][]int{}
	for _, c := range d.chats {
		inChat[c.id] = c.members
	}
	deadline := time.Now().Add(d.cfg.settle)
	for {
		missing := false
		for _, r := range d.receivers {
			for _, m := range expected {
				if contains(inChat[m.ChatID], r.user.idx) && !r.holds(m.ID) {
					missing = true
					break
				}
			}
			if missing {
				break
			}
		}
		if !missing || time.Now().After(deadline) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}
