package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	appidentity "canopy/app/identity"
	"canopy/domain/errs"
)

type tokenAuth struct{ tokenID uuid.UUID }

func (a tokenAuth) AuthenticateToken(context.Context, string) (appidentity.Principal, error) {
	return appidentity.Principal{UserID: uuid.New(), Method: appidentity.MethodToken, TokenID: a.tokenID, Scopes: []string{"api"}}, nil
}

func (tokenAuth) AuthenticateSession(context.Context, string) (appidentity.Principal, error) {
	return appidentity.Principal{}, errs.E(errs.Unauthenticated, "unauthenticated", "no")
}

func (tokenAuth) VerifyCSRF(appidentity.Principal, string) error { return nil }

// counterFunc is a RateCounter made of a function.
type counterFunc func(subjects []string) ([]int, error)

func (f counterFunc) Count(_ context.Context, subjects []string, _ time.Time) ([]int, error) {
	return f(subjects)
}

func limitedServer(t *testing.T, l Limits, h echo.HandlerFunc) *Server {
	t.Helper()
	s := New(Deps{Config: Config{BodyLimitBytes: 1 << 20}, Log: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Auth: tokenAuth{tokenID: uuid.New()}, Limits: l})
	s.Router().Add(Authenticated.WithNarrowedTokens(), http.MethodGet, "/x", h)
	return s
}

func ok(c echo.Context) error { return c.NoContent(http.StatusNoContent) }

func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatalf("not the error body: %s", body)
	}
	return b.Error.Code
}

// TestRateLimitFailsOpen: when the count fails the request goes on, uncounted.
func TestRateLimitFailsOpen(t *testing.T) {
	s := limitedServer(t, Limits{PerUser: 1, PerToken: 1, Window: time.Minute,
		Counter: counterFunc(func([]string) ([]int, error) { return nil, errs.E(errs.Unavailable, "database_unavailable", "down") })}, ok)
	rec := get(s, "/api/v1/x", "Authorization", "Bearer t")
	if rec.Code != http.StatusNoContent || rec.Header().Get("RateLimit-Limit") != "" {
		t.Fatalf("with the counter failing: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

// TestRateLimitTightestLimit: a token's request counts against the token and its owner, and
// the headers show the tighter; past either it answers 429 rate_limited.
func TestRateLimitTightestLimit(t *testing.T) {
	var seen []string
	counts := []int{3, 10}
	s := limitedServer(t, Limits{PerUser: 100, PerToken: 10, Window: time.Minute,
		Now:     func() time.Time { return time.Date(2030, 1, 1, 0, 0, 45, 0, time.UTC) },
		Counter: counterFunc(func(sub []string) ([]int, error) { seen = sub; return counts, nil })}, ok)
	rec := get(s, "/api/v1/x", "Authorization", "Bearer t")
	if rec.Code != http.StatusNoContent || len(seen) != 2 || seen[0][:2] != "u:" || seen[1][:2] != "t:" {
		t.Fatalf("%d, subjects %v", rec.Code, seen)
	}
	if h := rec.Header(); h.Get("RateLimit-Limit") != "10" || h.Get("RateLimit-Remaining") != "0" || h.Get("RateLimit-Reset") != "15" {
		t.Fatalf("headers %v", h)
	}
	counts = []int{101, 4}
	rec = get(s, "/api/v1/x", "Authorization", "Bearer t")
	if rec.Code != http.StatusTooManyRequests || errorCode(t, rec.Body.Bytes()) != "rate_limited" || rec.Header().Get("Retry-After") != "15" ||
		rec.Header().Get("RateLimit-Limit") != "100" || rec.Header().Get("RateLimit-Remaining") != "0" {
		t.Fatalf("past the user's limit: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

// TestDeadlineAnswersTimeout: a handler whose database call gave up at the request's deadline
// answers 503 timeout; one refused for what it sent keeps its 4xx.
func TestDeadlineAnswersTimeout(t *testing.T) {
	s := limitedServer(t, Limits{RequestTimeout: 50 * time.Millisecond}, func(c echo.Context) error {
		<-c.Request().Context().Done()
		if c.QueryParam("bad") != "" {
			return errs.Invalidf("bad")
		}
		return errs.Wrap(errs.Internal, "internal", "internal error", c.Request().Context().Err())
	})
	rec := get(s, "/api/v1/x", "Authorization", "Bearer t")
	if rec.Code != http.StatusServiceUnavailable || errorCode(t, rec.Body.Bytes()) != "timeout" {
		t.Fatalf("past the deadline: %d %s", rec.Code, rec.Body)
	}
	if rec := get(s, "/api/v1/x?bad=1", "Authorization", "Bearer t"); rec.Code != http.StatusBadRequest {
		t.Fatalf("a bad request past the deadline: %d %s", rec.Code, rec.Body)
	}
}

// TestUpgradeHeaderKeepsTheDeadline: only the WebSocket route runs without a deadline; any
// other request that merely claims to upgrade keeps it.
func TestUpgradeHeaderKeepsTheDeadline(t *testing.T) {
	s := limitedServer(t, Limits{RequestTimeout: 50 * time.Millisecond}, func(c echo.Context) error {
		<-c.Request().Context().Done()
		return errs.Wrap(errs.Internal, "internal", "internal error", c.Request().Context().Err())
	})
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() {
		done <- get(s, "/api/v1/x", "Authorization", "Bearer t", "Upgrade", "websocket", "Connection", "Upgrade")
	}()
	select {
	case rec := <-done:
		if rec.Code != http.StatusServiceUnavailable || errorCode(t, rec.Body.Bytes()) != "timeout" {
			t.Fatalf("an Upgrade header on an ordinary route: %d %s", rec.Code, rec.Body)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("an Upgrade header lifted the request's deadline")
	}
}

// TestWebSocketRouteHasNoDeadline: the WebSocket's connection outlives the request timeout.
func TestWebSocketRouteHasNoDeadline(t *testing.T) {
	s := limitedServer(t, Limits{RequestTimeout: time.Millisecond}, ok)
	var has bool
	s.Router().Add(Authenticated, http.MethodGet, "/ws", func(c echo.Context) error {
		_, has = c.Request().Context().Deadline()
		return c.NoContent(http.StatusNoContent)
	})
	if rec := get(s, webSocketRoute, "Authorization", "Bearer t"); rec.Code != http.StatusNoContent || has {
		t.Fatalf("the WebSocket route: %d, deadline %v", rec.Code, has)
	}
}

// TestExtendDeadline: a transfer's handler moves the deadline later on the very context it
// already handed out, which stays live; the context ends with its parent.
func TestExtendDeadline(t *testing.T) {
	parent, cancelParent := context.WithCancel(context.Background())
	ctx, cancel := newDeadlineContext(parent, time.Now().Add(time.Hour))
	defer cancel()
	child, cancelChild := context.WithCancel(ctx)
	defer cancelChild()
	before, _ := ctx.Deadline()
	ctx.extend(before.Add(time.Hour))
	if after, _ := ctx.Deadline(); !after.After(before) || ctx.Err() != nil {
		t.Fatalf("deadline %v -> %v, err %v", before, after, ctx.Err())
	}
	cancelParent()
	<-child.Done()
	if !errors.Is(ctx.Err(), context.Canceled) || context.Cause(ctx) == nil {
		t.Fatalf("after the parent ended: %v %v", ctx.Err(), context.Cause(ctx))
	}

	expired, cancel2 := newDeadlineContext(context.Background(), time.Now().Add(time.Millisecond))
	defer cancel2()
	<-expired.Done()
	if !errors.Is(expired.Err(), context.DeadlineExceeded) {
		t.Fatalf("at the deadline: %v", expired.Err())
	}
}

// TestBusyUnderInternal: an Unavailable error (a busy pool) that a use case wrapped as internal
// still answers 503 with its code and Retry-After.
func TestBusyUnderInternal(t *testing.T) {
	busy := &errs.Error{Kind: errs.Unavailable, Code: "database_busy", Message: "the database is busy; retry", RetryAfter: time.Second}
	s := limitedServer(t, Limits{}, func(echo.Context) error {
		return &errs.Error{Kind: errs.Internal, Code: "internal", Message: "internal error", Err: busy}
	})
	rec := get(s, "/api/v1/x", "Authorization", "Bearer t")
	if rec.Code != http.StatusServiceUnavailable || errorCode(t, rec.Body.Bytes()) != "database_busy" || rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

// TestDeadlineContextAfterFunc: contexts derived from a request's deadline context register
// with it instead of each starting a goroutine, and its end still reaches them; a stopped
// callback never runs.
func TestDeadlineContextAfterFunc(t *testing.T) {
	ctx, cancel := newDeadlineContext(context.Background(), time.Now().Add(time.Hour))
	defer cancel()
	before := runtime.NumGoroutine()
	children := make([]context.Context, 50)
	for i := range children {
		child, cancelChild := context.WithCancel(ctx)
		defer cancelChild()
		children[i] = child
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("%d derived contexts started %d goroutines", len(children), after-before)
	}
	ran := make(chan struct{})
	stopped := false
	stop := ctx.AfterFunc(func() { stopped = true })
	if !stop() || stop() {
		t.Fatal("stop did not report stopping the callback once")
	}
	ctx.AfterFunc(func() { close(ran) })
	cancel()
	for _, child := range children {
		<-child.Done()
		if !errors.Is(child.Err(), context.Canceled) {
			t.Fatalf("a derived context ended with %v", child.Err())
		}
	}
	<-ran
	if stopped {
		t.Fatal("a stopped callback ran")
	}
	late := make(chan struct{})
	if ctx.AfterFunc(func() { close(late) })() {
		t.Fatal("stop reported stopping a callback registered after the end")
	}
	<-late
}

// TestLongResponseExtendsTheDeadline: an export that calls LongResponse keeps reading its pages
// on the request's context past the request timeout; one that does not is cut at it.
func TestLongResponseExtendsTheDeadline(t *testing.T) {
	for _, long := range []bool{true, false} {
		var deadline time.Time
		s := limitedServer(t, Limits{RequestTimeout: time.Minute}, func(c echo.Context) error {
			if long {
				LongResponse(c, ExportTimeout)
			}
			deadline, _ = c.Request().Context().Deadline()
			return c.NoContent(http.StatusNoContent)
		})
		if rec := get(s, "/api/v1/x", "Authorization", "Bearer t"); rec.Code != http.StatusNoContent {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if past := time.Until(deadline) > 30*time.Minute; past != long {
			t.Fatalf("LongResponse called %v: deadline in %v", long, time.Until(deadline))
		}
	}
}
