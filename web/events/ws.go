// Package events is the HTTP face of the events backbone: the WebSocket gateway at
// /api/v1/ws.
package events

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
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
}

// New returns the gateway's handler. reauth checks the connection's credential again (see
// server.Reauthenticate); origins are the hosts, besides the request's own, allowed to open it
// from a browser.
func New(hub *appevents.Hub, reauth func(ctx context.Context, r *http.Request) error, origins []string) *Handler {
	return &Handler{hub: hub, reauth: reauth, origins: origins, Heartbeat: 25 * time.Second, Recheck: 30 * time.Second}
}

// Register adds the route.
func (h *Handler) Register(r *server.Router) {
	r.Add(server.Authenticated, http.MethodGet, "/ws", h.ws)
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

// ws upgrades to a WebSocket and sends the caller's stream: from ?since=N (what they missed,
// or a reload when N is older than the stream holds), else from now. The caller's credential
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
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-sub.C:
			if !ok {
				_ = conn.Close(websocket.StatusTryAgainLater, "too slow: reconnect with since")
				return nil
			}
			b := encode(m)
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := conn.Write(wctx, websocket.MessageText, b)
			cancel()
			if err != nil {
				return nil
			}
		case <-heartbeat.C:
			pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
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
