package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// receiver is one WebSocket client of a member: it holds the member's stream open, and when
// the connection closes or fails it reconnects, to the next target, with since (the last seq
// it has), as the web app does; on a reload it fetches its chats' history after the last
// message it holds.
type receiver struct {
	idx  int
	user *member
	d    *driver

	mu         sync.Mutex
	got        map[string]delivery // message id → how it came
	chatSeq    map[string]int64    // the highest message seq it holds, per chat
	lastSeq    int64               // the stream position it holds
	reconnects int
	reloads    int
	connected  bool
	conn       *websocket.Conn

	// gate, when set (by tests), holds each reconnection until it receives.
	gate chan struct{}
}

func newReceiver(d *driver, idx int, user *member) *receiver {
	return &receiver{idx: idx, user: user, d: d, got: map[string]delivery{}, chatSeq: map[string]int64{}}
}

// frame is one line of a gateway message.
type frame struct {
	Type  string `json:"type"`
	Seq   int64  `json:"seq"`
	Event struct {
		Type    string `json:"type"`
		Payload struct {
			ChatID  string `json:"chat_id"`
			Message struct {
				ID  string `json:"id"`
				Seq int64  `json:"seq"`
			} `json:"message"`
		} `json:"payload"`
	} `json:"event"`
}

func (r *receiver) dial(ctx context.Context, attempt int) (*websocket.Conn, error) {
	targets := r.d.cfg.targets
	base := targets[(r.idx+attempt)%len(targets)]
	url := "ws" + strings.TrimPrefix(base, "http") + "/api/v1/ws"
	r.mu.Lock()
	if r.connected {
		// Not the first connection: resume after what it holds.
		url += fmt.Sprintf("?since=%d", r.lastSeq)
	}
	r.mu.Unlock()
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(dctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + r.user.token}}})
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(4 << 20)
	r.mu.Lock()
	r.connected, r.conn = true, conn
	r.mu.Unlock()
	return conn, nil
}

// run holds the stream until ctx ends; ready gets the first connection's outcome.
func (r *receiver) run(ctx context.Context, ready chan<- error) {
	conn, err := r.dial(ctx, 0)
	ready <- err
	if err != nil {
		return
	}
	attempt := 0
	for {
		// Whatever ended the connection (a close, a cut, a frame it could not read), the
		// answer is the same: reconnect with since.
		_ = r.read(ctx, conn)
		conn.CloseNow()
		if ctx.Err() != nil {
			return
		}
		r.mu.Lock()
		r.reconnects++
		r.mu.Unlock()
		if r.gate != nil {
			select {
			case <-r.gate:
			case <-ctx.Done():
				return
			}
		}
		for wait := 100 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
			attempt++
			if conn, err = r.dial(ctx, attempt); err == nil {
				break
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
	}
}

func (r *receiver) read(ctx context.Context, conn *websocket.Conn) error {
	stop := context.AfterFunc(ctx, func() { conn.CloseNow() })
	defer stop()
	if every := r.d.cfg.wsDrop; every > 0 {
		// Cut the connection as a network would, at a random time around every, so that
		// reconnection with since is exercised under load.
		cut := time.AfterFunc(every/2+mrand.N(every), func() { conn.CloseNow() })
		defer cut.Stop()
	}
	for {
		_, data, err := conn.Read(context.Background())
		if err != nil {
			return err
		}
		at := time.Now()
		for line := range bytes.SplitSeq(data, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			var f frame
			if err := json.Unmarshal(line, &f); err != nil {
				return fmt.Errorf("receiver %d: a frame that is not JSON: %w", r.idx, err)
			}
			switch f.Type {
			case "reload":
				r.mu.Lock()
				r.reloads++
				r.mu.Unlock()
				if err := r.catchUp(ctx); err != nil {
					return err // reconnect, and try again after
				}
			case "event":
				r.take(f, at)
			}
		}
	}
}

func (r *receiver) take(f frame, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lastSeq = max(r.lastSeq, f.Seq)
	if f.Event.Type != "messages.message_created" || f.Event.Payload.Message.ID == "" {
		return
	}
	m := f.Event.Payload.Message
	d, ok := r.got[m.ID]
	if !ok {
		d = delivery{At: at, Live: true}
		if r.d.cfg.sample > 0 {
			r.d.win.delivered(m.ID, at)
		}
	}
	d.Count++
	r.got[m.ID] = d
	r.chatSeq[f.Event.Payload.ChatID] = max(r.chatSeq[f.Event.Payload.ChatID], m.Seq)
}

// catchUp reads the history of the member's chats after the last message it holds, as a
// client told to reload would refetch what it shows.
func (r *receiver) catchUp(ctx context.Context) error {
	for _, c := range r.d.chats {
		if !contains(c.members, r.user.idx) {
			continue
		}
		r.mu.Lock()
		after := r.chatSeq[c.id]
		r.mu.Unlock()
		hist, err := r.d.history(ctx, r.user.token, c.id, after)
		if err != nil {
			return err
		}
		r.mu.Lock()
		for _, h := range hist {
			if _, ok := r.got[h.ID]; !ok {
				r.got[h.ID] = delivery{At: time.Now()}
			}
			r.chatSeq[c.id] = max(r.chatSeq[c.id], h.Seq)
		}
		r.mu.Unlock()
	}
	return nil
}

// cut closes the receiver's connection, as a network failure would.
func (r *receiver) cut() {
	r.mu.Lock()
	c := r.conn
	r.mu.Unlock()
	if c != nil {
		c.CloseNow()
	}
}

// holds says whether the receiver has the message.
func (r *receiver) holds(id string) bool {
	_, ok := r.delivery(id)
	return ok
}

// delivery is how the receiver got the message, if it did.
func (r *receiver) delivery(id string) (delivery, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d, ok := r.got[id]
	return d, ok
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
