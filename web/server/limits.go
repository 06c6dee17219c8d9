package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"canopy/domain/errs"
)

// RateCounter counts requests per subject in fixed windows that every replica shares. Count
// adds one to each subject's count in the window starting at start and returns the counts in
// the order of subjects; its errors are Unavailable or Internal.
type RateCounter interface {
	Count(ctx context.Context, subjects []string, start time.Time) ([]int, error)
}

// Limits are the API's rate limits and the requests' deadline.
type Limits struct {
	// Counter counts the requests of callers; nil sets no rate limits.
	Counter RateCounter
	// PerUser requests of one user, and PerToken of one API token, are allowed within Window.
	PerUser, PerToken int
	Window            time.Duration
	// Now is the clock of the windows; nil is the system's.
	Now func() time.Time
	// RequestTimeout is every request's deadline (0: none), except a WebSocket's, and except
	// an upload's or a download's, whose handler extends it (ExtendDeadline).
	RequestTimeout time.Duration
}

const ctxDeadline = "canopy.deadline"

// webSocketRoute is the one route whose requests live on past the request timeout.
const webSocketRoute = "/api/v1/ws"

// withDeadline gives the request a deadline, Limits.RequestTimeout from now, in its context,
// so that its database calls are cancelled past it; a request that fails because of it answers
// 503 timeout, never 500. A WebSocket upgrade has none: its connection lives on.
func (s *Server) withDeadline(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		// By the route, not by the request's Upgrade header, which any client may send.
		if s.limits.RequestTimeout <= 0 || c.Path() == webSocketRoute {
			return next(c)
		}
		ctx, cancel := newDeadlineContext(r.Context(), time.Now().Add(s.limits.RequestTimeout))
		defer cancel()
		c.Set(ctxDeadline, ctx)
		c.SetRequest(r.WithContext(ctx))
		err := next(c)
		if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && failedOnOwnSide(err) {
			return errs.Wrap(errs.Unavailable, "timeout", "the request took too long; retry", err)
		}
		return err
	}
}

// failedOnOwnSide reports whether err would answer a 5xx: a request refused for what it sent
// keeps its 4xx even when its deadline passed meanwhile.
func failedOnOwnSide(err error) bool {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he.Code >= 500
	}
	k := errs.KindOf(err)
	return k == errs.Internal || k == errs.Unavailable
}

// ExtendDeadline lets a request that moves a file's bytes run until d from now instead of the
// server's request timeout: what it opened with the request's context (an object's stream)
// keeps running.
func ExtendDeadline(c echo.Context, d time.Duration) {
	if ctx, ok := c.Get(ctxDeadline).(*deadlineContext); ok {
		ctx.extend(time.Now().Add(d))
	}
}

// ExportTimeout bounds an export's request: its response is written as it is read, page
// after page, and a large one takes longer than the request timeout.
const ExportTimeout = time.Hour

// LongResponse lets a request whose response is long in the writing (an export) run until d
// from now: its context's deadline (ExtendDeadline) and its connection's write deadline, in
// place of the server's write timeout, both move.
func LongResponse(c echo.Context, d time.Duration) {
	_ = http.NewResponseController(c.Response()).SetWriteDeadline(time.Now().Add(d))
	ExtendDeadline(c, d)
}

// deadlineContext is a context with a deadline that may move later: the standard library's
// cannot, and an upload's stream or a download's object, opened with the request's context,
// must outlive the request timeout. It ends at its deadline or when its parent ends.
type deadlineContext struct {
	// Context gives the parent's values, but not its cancellation (context.WithoutCancel), so
	// that context.Cause and derived contexts see this one's.
	context.Context
	done chan struct{}
	stop func() bool

	mu       sync.Mutex
	deadline time.Time
	timer    *time.Timer
	err      error
	// afters are the callbacks of AfterFunc not yet run or stopped, by a number of their own.
	afters    map[uint64]func()
	nextAfter uint64
}

func newDeadlineContext(parent context.Context, deadline time.Time) (*deadlineContext, context.CancelFunc) {
	d := &deadlineContext{Context: context.WithoutCancel(parent), done: make(chan struct{}), deadline: deadline}
	d.mu.Lock()
	d.timer = time.AfterFunc(time.Until(deadline), d.expire)
	d.mu.Unlock()
	d.stop = context.AfterFunc(parent, func() { d.finish(parent.Err()) })
	return d, func() { d.stop(); d.finish(context.Canceled) }
}

// expire ends the context, unless its deadline was moved after the timer fired.
func (d *deadlineContext) expire() {
	d.mu.Lock()
	early := time.Now().Before(d.deadline)
	d.mu.Unlock()
	if !early {
		d.finish(context.DeadlineExceeded)
	}
}

func (d *deadlineContext) finish(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return
	}
	d.err = err
	d.timer.Stop()
	close(d.done)
	for _, f := range d.afters {
		go f()
	}
	d.afters = nil
}

// AfterFunc runs f in a goroutine of its own once the context ends, as context.AfterFunc
// does; stop reports whether it kept f from running. With it, the contexts derived from this
// one (context.WithCancel and the like) register a callback instead of each starting a
// goroutine to wait for Done.
func (d *deadlineContext) AfterFunc(f func()) (stop func() bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		go f()
		return func() bool { return false }
	}
	d.nextAfter++
	key := d.nextAfter
	if d.afters == nil {
		d.afters = make(map[uint64]func())
	}
	d.afters[key] = f
	return func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		if _, ok := d.afters[key]; !ok {
			return false
		}
		delete(d.afters, key)
		return true
	}
}

func (d *deadlineContext) extend(deadline time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil || !deadline.After(d.deadline) {
		return
	}
	d.deadline = deadline
	d.timer.Reset(time.Until(deadline))
}

// Deadline returns the current deadline.
func (d *deadlineContext) Deadline() (time.Time, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.deadline, true
}

// Done is closed when the context ends.
func (d *deadlineContext) Done() <-chan struct{} { return d.done }

// Err is nil until the context ends, then why.
func (d *deadlineContext) Err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// rateLimit counts an authenticated request against its caller in the shared windows: a
// session's against its user, an API token's against the token and its owner, in one round
// trip. Every counted response carries RateLimit-Limit, RateLimit-Remaining and
// RateLimit-Reset (seconds), for the tightest of its limits; past one the request answers 429
// rate_limited with Retry-After. When the count fails (the database is down or busy) the
// request goes on uncounted: the limiter must not add failures of its own, and the request
// fails, if it does, on its own use of the database.
func (s *Server) rateLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		l := s.limits
		p, ok := Principal(c)
		if !ok || l.Counter == nil || l.Window <= 0 {
			return next(c)
		}
		now := time.Now()
		if l.Now != nil {
			now = l.Now()
		}
		start := now.Truncate(l.Window)
		reset := start.Add(l.Window).Sub(now)
		subjects, limits := []string{"u:" + p.UserID.String()}, []int{l.PerUser}
		if p.TokenID != uuid.Nil {
			subjects, limits = append(subjects, "t:"+p.TokenID.String()), append(limits, l.PerToken)
		}
		// The count has no timeout of its own: a query cancelled half-way costs its connection,
		// and under load a short bound cancelled many (a busy pool then delays the request by
		// up to database.pool_wait_timeout here, and again for its own queries).
		counts, err := l.Counter.Count(c.Request().Context(), subjects, start)
		if err != nil {
			s.limiterFailed(c, err)
			return next(c)
		}
		tight := 0
		for i := range counts {
			if limits[i]-counts[i] < limits[tight]-counts[tight] {
				tight = i
			}
		}
		resetSeconds := int((reset + time.Second - 1) / time.Second)
		h := c.Response().Header()
		h.Set("RateLimit-Limit", strconv.Itoa(limits[tight]))
		h.Set("RateLimit-Remaining", strconv.Itoa(max(limits[tight]-counts[tight], 0)))
		h.Set("RateLimit-Reset", strconv.Itoa(resetSeconds))
		if counts[tight] > limits[tight] {
			s.limitedTotal.Inc()
			return &errs.Error{Kind: errs.TooManyRequests, Code: "rate_limited",
				Message:    "too many requests: retry after " + strconv.Itoa(resetSeconds) + " s",
				RetryAfter: time.Duration(resetSeconds) * time.Second}
		}
		return next(c)
	}
}

// RegisterMetrics adds collectors of other parts (the database pool's) to the server's
// metrics.
func (s *Server) RegisterMetrics(cs ...prometheus.Collector) { s.reg.MustRegister(cs...) }

// limiterWarned is when a failed count was last logged: during an outage every request fails
// it, and one line every ten seconds says as much.
var limiterWarned atomic.Int64

func (s *Server) limiterFailed(c echo.Context, err error) {
	now := time.Now().UnixNano()
	last := limiterWarned.Load()
	if now-last > int64(10*time.Second) && limiterWarned.CompareAndSwap(last, now) {
		Logger(c).Warn("rate limit not counted; the request goes on", slog.String("error", err.Error()))
	}
}

// unavailableIn returns the first Unavailable error in err's chain below an Internal one: a
// use case that wrapped a database's refusal as internal still answers 503.
func unavailableIn(err error) *errs.Error {
	for err != nil {
		var de *errs.Error
		if errors.As(err, &de) && de.Kind == errs.Unavailable {
			return de
		}
		if de == nil {
			return nil
		}
		err = de.Err
	}
	return nil
}
