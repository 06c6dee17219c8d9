package events

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

// Entry is an event in one user's stream, under that stream's sequence number.
type Entry struct {
	UserID uuid.UUID
	Seq    int64
	Event  Event
}

// Streams reads the users' streams. Both reads leave out the events of organisations where
// the user is no longer an active member, so a deactivated member gets nothing more of them.
type Streams interface {
	// Since returns a user's entries after seq, oldest first, at most limit; complete is false
	// when the stream no longer holds the entry after seq (it was pruned): the client must reload.
	Since(ctx context.Context, userID uuid.UUID, seq int64, limit int) (entries []Entry, complete bool, err error)
	// After returns, for each user, the entries after their cursor, oldest first.
	After(ctx context.Context, cursors map[uuid.UUID]int64) ([]Entry, error)
	// Last returns the user's last sequence number (0 for an empty stream).
	Last(ctx context.Context, userID uuid.UUID) (int64, error)
}

// Message is what a connection is sent: an entry, or Reload when it missed more than the
// stream still holds.
type Message struct {
	Entry  *Entry
	Reload bool
}

// Hub is one replica's gateway: the open connections by user, and what each has been sent.
type Hub struct {
	streams  Streams
	log      *slog.Logger
	maxConns int
	queue    int
	catchUp  int

	mu    sync.Mutex
	conns map[uuid.UUID]map[*Subscription]struct{}
	wake  chan struct{}
}

// Subscription is one connection's feed. C closes when the hub drops the connection (its
// queue overflowed: a slow client is cut off rather than allowed to hold the others up).
type Subscription struct {
	C      <-chan Message
	c      chan Message
	user   uuid.UUID
	cursor int64
	closed bool
}

// Cursor is the last sequence number sent on the subscription.
func (s *Subscription) Cursor() int64 { return s.cursor }

// NewHub returns a hub allowing maxConns connections per user, each with a queue of queue
// messages.
func NewHub(streams Streams, maxConns, queue int, log *slog.Logger) *Hub {
	// A catch-up longer than the queue can hold is a reload: the client refetches instead.
	return &Hub{streams: streams, log: log, maxConns: maxConns, queue: queue, catchUp: max(queue-1, 1),
		conns: map[uuid.UUID]map[*Subscription]struct{}{}, wake: make(chan struct{}, 1)}
}

// ErrTooManyConnections refuses a connection past the per-user limit.
var ErrTooManyConnections = errs.E(errs.TooManyRequests, "too_many_connections", "too many open connections for this user")

// Subscribe opens a feed for a user. With since >= 0 it first sends what the user's stream
// holds after since (or Reload when since is older than the stream); with since < 0 it starts
// from now.
func (h *Hub) Subscribe(ctx context.Context, userID uuid.UUID, since int64) (*Subscription, error) {
	h.mu.Lock()
	if len(h.conns[userID]) >= h.maxConns {
		h.mu.Unlock()
		return nil, ErrTooManyConnections
	}
	h.mu.Unlock()
	c := make(chan Message, h.queue)
	s := &Subscription{C: c, c: c, user: userID}
	if since < 0 {
		last, err := h.streams.Last(ctx, userID)
		if err != nil {
			return nil, err
		}
		s.cursor = last
	} else {
		entries, complete, err := h.streams.Since(ctx, userID, since, h.catchUp)
		if err != nil {
			return nil, err
		}
		if !complete || len(entries) >= h.catchUp {
			last, err := h.streams.Last(ctx, userID)
			if err != nil {
				return nil, err
			}
			c <- Message{Reload: true}
			s.cursor = last
		} else {
			s.cursor = since
			for i := range entries {
				c <- Message{Entry: &entries[i]}
				s.cursor = entries[i].Seq
			}
		}
	}
	h.mu.Lock()
	if h.conns[userID] == nil {
		h.conns[userID] = map[*Subscription]struct{}{}
	}
	h.conns[userID][s] = struct{}{}
	h.mu.Unlock()
	// What committed between the catch-up read and the registration is picked up now.
	h.Wake()
	return s, nil
}

// Unsubscribe removes a connection's feed.
func (h *Hub) Unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop(s)
}

func (h *Hub) drop(s *Subscription) {
	if m := h.conns[s.user]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(h.conns, s.user)
		}
	}
	if !s.closed {
		s.closed = true
		close(s.c)
	}
}

// Connections returns how many connections the hub holds.
func (h *Hub) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, m := range h.conns {
		n += len(m)
	}
	return n
}

// Wake asks the hub to look for new entries for its connections.
func (h *Hub) Wake() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Run delivers new entries to the connections whenever woken, until ctx ends.
func (h *Hub) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.wake:
		}
		if err := h.deliver(ctx); err != nil && !errors.Is(err, context.Canceled) {
			h.log.Warn("event delivery failed; the next wake-up retries", "error", err.Error())
		}
	}
}

// deliver reads, for every connected user, the entries after the oldest cursor of their
// connections, and sends each connection those after its own cursor.
func (h *Hub) deliver(ctx context.Context) error {
	h.mu.Lock()
	cursors := make(map[uuid.UUID]int64, len(h.conns))
	for u, m := range h.conns {
		first := true
		for s := range m {
			if first || s.cursor < cursors[u] {
				cursors[u], first = s.cursor, false
			}
		}
	}
	h.mu.Unlock()
	if len(cursors) == 0 {
		return nil
	}
	entries, err := h.streams.After(ctx, cursors)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range entries {
		e := &entries[i]
		for s := range h.conns[e.UserID] {
			if e.Seq <= s.cursor {
				continue
			}
			select {
			case s.c <- Message{Entry: e}:
				s.cursor = e.Seq
			default:
				h.log.Info("closing a slow event connection: its queue is full", "user_id", s.user)
				h.drop(s)
			}
		}
	}
	return nil
}
