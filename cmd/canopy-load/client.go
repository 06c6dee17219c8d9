package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// apiClient speaks Canopy's HTTP API to one or more base URLs, taking them in turn, as clients
// behind a load balancer or spread over replicas would.
type apiClient struct {
	hc      *http.Client
	targets []string
	next    atomic.Uint64
}

func newAPIClient(targets []string, timeout time.Duration, conns int) *apiClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = conns
	tr.MaxIdleConnsPerHost = conns
	return &apiClient{hc: &http.Client{Transport: tr, Timeout: timeout}, targets: targets}
}

// base is the next target, round robin.
func (c *apiClient) base() string {
	return c.targets[int(c.next.Add(1)-1)%len(c.targets)]
}

// request is one API call.
type request struct {
	method      string
	path        string
	body        []byte
	contentType string
	token       string // bearer
	cookie      string // canopy_session, with csrf for writes
	csrf        string
	idempotency string
}

// reply is what came back: a status and body, or a transport error (then status is 0).
type reply struct {
	status   int
	body     []byte
	header   http.Header
	cookies  []*http.Cookie
	err      error
	start    time.Time
	latency  time.Duration
	url      string
	bytesOut int
}

func (c *apiClient) do(ctx context.Context, base string, r request) reply {
	url := base + r.path
	rep := reply{url: url, start: time.Now(), bytesOut: len(r.body)}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, url, body)
	if err != nil {
		rep.err = err
		return rep
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.cookie != "" {
		req.AddCookie(&http.Cookie{Name: "canopy_session", Value: r.cookie})
		if r.csrf != "" {
			req.AddCookie(&http.Cookie{Name: "canopy_csrf", Value: r.csrf})
			req.Header.Set("X-CSRF-Token", r.csrf)
		}
	}
	if r.idempotency != "" {
		req.Header.Set("Idempotency-Key", r.idempotency)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		rep.err = err
		rep.latency = time.Since(rep.start)
		return rep
	}
	defer resp.Body.Close()
	rep.body, rep.err = io.ReadAll(resp.Body)
	rep.latency = time.Since(rep.start)
	rep.status, rep.header, rep.cookies = resp.StatusCode, resp.Header, resp.Cookies()
	if rep.err != nil {
		// The status came but the body did not finish: the outcome is known, the answer is not.
		rep.err = fmt.Errorf("reading the answer: %w", rep.err)
	}
	return rep
}

// jsonRequest makes a request with a JSON body (nil: none).
func jsonRequest(method, path, token string, in any) request {
	r := request{method: method, path: path, token: token}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			panic(err) // only the driver's own types are marshalled
		}
		r.body, r.contentType = b, "application/json"
	}
	return r
}

// errStatus is an answer other than the one a setup or verification step needed.
type errStatus struct {
	what   string
	status int
	body   string
}

func (e *errStatus) Error() string {
	return fmt.Sprintf("%s answered %d: %s", e.what, e.status, e.body)
}

// expect checks a reply's status and decodes its JSON body into out (nil: ignored).
func expect(rep reply, what string, out any, statuses ...int) error {
	if rep.err != nil {
		return fmt.Errorf("%s: %w", what, rep.err)
	}
	ok := false
	for _, s := range statuses {
		ok = ok || rep.status == s
	}
	if !ok {
		return &errStatus{what: what, status: rep.status, body: snippet(rep.body)}
	}
	if out != nil {
		if err := json.Unmarshal(rep.body, out); err != nil {
			return fmt.Errorf("%s: decoding the answer: %w", what, err)
		}
	}
	return nil
}

// retry runs f up to five times while it fails with a transport error or a 5xx: setup and
// verification run while faults may still be healing, and should not call a blip a loss.
func retry(ctx context.Context, f func() error) error {
	var err error
	for attempt := range 5 {
		if err = f(); err == nil {
			return nil
		}
		var es *errStatus
		if errors.As(err, &es) && es.status < 500 && es.status != http.StatusTooManyRequests {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 500 * time.Millisecond):
		}
	}
	return err
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
