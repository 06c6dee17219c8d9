// Package events is the HTTP face of the events backbone: the WebSocket gateway at
// /api/v1/ws.
package events

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	appevents "canopy/app/events"
	"canopy/domain/errs"
	"canopy/web/server"
)

// Handler serves the gateway.
type Handler struct {
	hub     *appevents.Hub
	reauth  func(ctx context.Context, r *http.Request) error
	origins []string
	// Heartbeat is how often the server pings; Recheck how often it checks the credential.
	Heartbeat time.Duration
	Recheck   time.Duration

	// mu guards closed; open counts the connections, which closing tells to close (Shutdown).
	mu      sync.Mutex
	closed  bool
	closing chan struct{}
	open    sync.WaitGroup

	// maxConns bounds the connections open on this replica (capacity.go); conns counts them.
	maxConns int64
	conns    atomic.Int64
}

// restartReason is the close reason a replica that shuts down sends with close code 1012
// (service restart): the client reconnects, which the load balancer sends to another replica,
// with since, so that it misses nothing.
const restartReason = "server restarting: reconnect elsewhere with since"

// New returns the gateway's handler. reauth checks the connection's credential again (see
// server.Reauthenticate); origins are the hosts, besides the request's own, allowed to open it
// from a browser.
func New(hub *appevents.Hub, reauth func(ctx context.Context, r *http.Request) error, origins []string) *Handler {
	return &Handler{hub: hub, reauth: reauth, origins: origins, Heartbeat: 25 * time.Second, Recheck: 30 * time.Second,
		closing: make(chan struct{})}
}

// Register adds the route, and Shutdown to what the server runs when it shuts down.
func (h *Handler) Register(r *server.Router) {
	r.Add(server.Authenticated, http.MethodGet, "/ws", h.ws)
	r.OnShutdown(h.Shutdown)
}

// Shutdown closes every connection with close code 1012 (service restart) and refuses new ones
// (Unavailable); it returns once every connection's handler has returned, or when ctx ends,
// which it returns as an error.
func (h *Handler) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	if !h.closed {
		h.closed = true
		close(h.closing)
	}
	h.mu.Unlock()
	done := make(chan struct{})
	go func() {
		h.open.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return errors.New("websockets still open at the end of server.shutdown_timeout")
	}
}

// track counts a connection about to open, unless the gateway is shutting down; its caller
// calls h.open.Done when the connection's handler returns.
func (h *Handler) track() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.open.Add(1)
	return true
}

type eventJSON struct {
	ID          int64           `json:"id"`
	Type        string          `json:"type"`
	OrgID       uuid.UUID       `json:"org_id"`
	ActorID     *uuid.UUID      `json:"actor_id"`
	SubjectType string          `json:"subject_type"`
	SubjectID   uuid.UUID       `json:"subject_id"`
	Payload     json.RawMessage `json:"payload"`
	CreatedAt   time.Time       `json:"created_at"`
}

type messageJSON struct {
	Type  string     `json:"type"`
	Seq   int64      `json:"seq,omitempty"`
	Event *eventJSON `json:"event,omitempty"`
}

func toMessage(m appevents.Message) messageJSON {
	if m.Reload {
		return messageJSON{Type: "reload"}
	}
	e := m.Entry.Event
	var actor *uuid.UUID
	if e.ActorID != uuid.Nil {
		actor = &e.ActorID
	}
	return messageJSON{Type: "event", Seq: m.Entry.Position, Event: &eventJSON{ID: e.ID, Type: e.Type, OrgID: e.OrgID, ActorID: actor,
		SubjectType: e.SubjectType, SubjectID: e.SubjectID, Payload: e.Payload, CreatedAt: e.CreatedAt}}
}

// encode renders a message; an event, sent to many connections, is rendered once.
func encode(m appevents.Message) []byte {
	if m.Entry == nil {
		b, _ := json.Marshal(toMessage(m))
		return b
	}
	return m.Entry.Encoded(func(*appevents.Entry) []byte {
		b, _ := json.Marshal(toMessage(m))
		return b
	})
}

// writeTimeout bounds a write to a connection.
const writeTimeout = 10 * time.Second

// batchBytes bounds a WebSocket message that carries several of the stream's messages: one is
// larger only when a single message is. Common clients refuse messages past 32 KiB by default.
const batchBytes = 32<<10 - 1<<10

// appendQueued appends m to buf, then what else is queued already, one message per line, while
// they fit in batchBytes: each WebSocket message costs a write, so a connection that falls
// behind (a busy chat, a burst) catches up in fewer and larger ones. It returns the message it
// took from the queue that did not fit (more is true), and dropped when the hub closed the queue
// (it overflowed).
func appendQueued(buf []byte, m appevents.Message, queue <-chan appevents.Message) (_ []byte, next appevents.Message, more, dropped bool) {
	buf = append(buf, encode(m)...)
	for {
		select {
		case m, ok := <-queue:
			if !ok {
				return buf, m, false, true
			}
			b := encode(m)
			if len(buf)+1+len(b) > batchBytes {
				return buf, m, true, false
			}
			buf = append(append(buf, '\n'), b...)
		default:
			return buf, m, false, false
		}
	}
}

// ws upgrades to a WebSocket and sends the caller's stream: from ?since=N (what they missed,
// or a reload when N is older than the stream holds), else from now. A WebSocket message holds
// one or more of the stream's messages, one JSON object per line (appendQueued). The caller's credential
// is checked again every Recheck; a client whose queue overflows is disconnected.
func (h *Handler) ws(c echo.Context) error {
	p, _ := server.Principal(c)
	since := int64(-1)
	if q := c.QueryParam("since"); q != "" {
		n, err := strconv.ParseInt(q, 10, 64)
		if err != nil || n < 0 {
			return errs.Invalidf("query parameter \"since\" must be a whole number from 0")
		}
		since = n
	}
	if !h.track() {
		return errs.E(errs.Unavailable, "shutting_down", "this server is shutting down; reconnect")
	}
	defer h.open.Done()
	if !h.admit() {
		return errFull
	}
	defer h.conns.Add(-1)
	ctx := c.Request().Context()
	sub, err := h.hub.Subscribe(ctx, p.UserID, since)
	if err != nil {
		return err
	}
	defer h.hub.Unsubscribe(sub)
	// The server's read and write timeouts are for requests, not for a connection that lives on.
	rc := http.NewResponseController(c.Response())
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	conn, err := websocket.Accept(c.Response(), c.Request(), &websocket.AcceptOptions{OriginPatterns: h.origins})
	if err != nil {
		// Accept has answered the request (a bad handshake or origin) itself.
		return nil
	}
	defer conn.CloseNow()
	ctx = conn.CloseRead(context.WithoutCancel(ctx))
	heartbeat := time.NewTicker(h.Heartbeat)
	defer heartbeat.Stop()
	recheck := time.NewTicker(h.Recheck)
	defer recheck.Stop()
	// A write that takes longer than writeTimeout (a client that stopped reading) closes the
	// connection, which ends the write.
	stuck := time.AfterFunc(writeTimeout, func() { conn.CloseNow() })
	stuck.Stop()
	defer stuck.Stop()
	var buf []byte
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.closing:
			_ = conn.Close(websocket.StatusServiceRestart, restartReason)
			return nil
		case m, ok := <-sub.C:
			if !ok {
				_ = conn.Close(websocket.StatusTryAgainLater, "too slow: reconnect with since")
				return nil
			}
			for more, dropped := true, false; more; {
				buf, m, more, dropped = appendQueued(buf[:0], m, sub.C)
				// The watchdog, not a context, bounds the write: a deadline context per write cost
				// a tenth of the gateway's time under load.
				stuck.Reset(writeTimeout)
				err := conn.Write(context.Background(), websocket.MessageText, buf)
				stuck.Stop()
				if err != nil {
					return nil
				}
				if dropped {
					_ = conn.Close(websocket.StatusTryAgainLater, "too slow: reconnect with since")
					return nil
				}
			}
		case <-heartbeat.C:
			pctx, cancel := context.WithTimeout(ctx, writeTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return nil
			}
		case <-recheck.C:
			if err := h.reauth(ctx, c.Request()); err != nil {
				_ = conn.Close(websocket.StatusPolicyViolation, "signed out")
				return nil
			}
		}
	}
}
