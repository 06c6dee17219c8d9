package events

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

// Entry is a dispatched event at its position in the streams, with the users it reached, or
// Broadcast for every active member of its organisation.
type Entry struct {
	Position   int64
	Event      Event
	Recipients []uuid.UUID
	Broadcast  bool

	// rendered caches the entry as the gateway renders it; the hub sets it before it sends.
	rendered *rendering
}

type rendering struct {
	once sync.Once
	b    []byte
}

// Encoded returns the entry as encode renders it, rendering it once however many connections
// the hub sends it to.
func (e *Entry) Encoded(encode func(*Entry) []byte) []byte {
	if e.rendered == nil {
		return encode(e)
	}
	e.rendered.once.Do(func() { e.rendered.b = encode(e) })
	return e.rendered.b
}

// Membership is a user in an organisation.
type Membership struct {
	UserID uuid.UUID
	OrgID  uuid.UUID
}

// Streams reads the dispatched events. A user's stream is the events that name them among
// their recipients, in the order of their positions.
type Streams interface {
	// Since returns the entries of a user's stream after position seq and up to upTo, oldest
	// first, at most limit, leaving out the organisations where they are no longer an active
	// member; complete is false when events after seq were pruned: the client must reload.
	Since(ctx context.Context, userID uuid.UUID, seq, upTo int64, limit int) (entries []Entry, complete bool, err error)
	// After returns the dispatched events after position, oldest first, at most limit.
	After(ctx context.Context, position int64, limit int) ([]Entry, error)
	// Active reports which of the users are active members of which of the organisations.
	Active(ctx context.Context, users, orgs []uuid.UUID) (map[Membership]bool, error)
	// Last returns the last position dispatched (0 for none).
	Last(ctx context.Context) (int64, error)
}

// Message is what a connection is sent: an entry, or Reload when it missed more than the
// stream still holds.
type Message struct {
	Entry  *Entry
	Reload bool
}

// Hub is one replica's gateway: its open connections by user. On every wake-up it reads the
// events dispatched since it last looked, once for all its connections, and sends each to the
// connections of its recipients that are still active members of its organisation.
type Hub struct {
	streams  Streams
	log      *slog.Logger
	maxConns int
	queue    int
	batch    int

	// deliverMu is held while the hub delivers and while a connection catches up and joins,
	// so that nothing falls between a catch-up and the live events.
	deliverMu sync.Mutex
	cursor    int64 // the last position read
	started   bool

	mu    sync.Mutex
	conns map[uuid.UUID]map[*Subscription]struct{}
	wake  chan struct{}
	// handoff carries the batches this replica's dispatcher committed (Handoff).
	handoff chan []Entry

	// presence, when set, records who is connected, so other modules can tell who is online.
	presence Presence
}

// Presence records which users have an open connection on this replica (the notifications
// module mails those who are not). Present is called when a user's first connection opens,
// Absent when their last closes; an error is only logged, as a refresh corrects it.
type Presence interface {
	Present(ctx context.Context, userID uuid.UUID) error
	Absent(ctx context.Context, userID uuid.UUID) error
}

// SetPresence makes the hub record its users' presence; call it before the hub serves.
func (h *Hub) SetPresence(p Presence) { h.presence = p }

// Users returns the users with at least one open connection on this replica.
func (h *Hub) Users() []uuid.UUID {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]uuid.UUID, 0, len(h.conns))
	for u := range h.conns {
		out = append(out, u)
	}
	return out
}

// Subscription is one connection's feed. C closes when the hub drops the connection (its
// queue overflowed: a slow client is cut off rather than allowed to hold the others up).
type Subscription struct {
	C    <-chan Message
	c    chan Message
	user uuid.UUID
	// after is the position the client said it has: nothing at or before it is sent again
	// (it may come from a replica that has read further than this one).
	after  int64
	closed bool
}

// NewHub returns a hub allowing maxConns connections per user, each with a queue of queue
// messages.
func NewHub(streams Streams, maxConns, queue int, log *slog.Logger) *Hub {
	return &Hub{streams: streams, log: log, maxConns: maxConns, queue: queue, batch: 1000,
		conns: map[uuid.UUID]map[*Subscription]struct{}{}, wake: make(chan struct{}, 1), handoff: make(chan []Entry, 64)}
}

// ErrTooManyConnections refuses a connection past the per-user limit.
var ErrTooManyConnections = errs.E(errs.TooManyRequests, "too_many_connections", "too many open connections for this user")

// start sets the hub's cursor to the last position dispatched, the first time it is needed.
func (h *Hub) start(ctx context.Context) error {
	if h.started {
		return nil
	}
	last, err := h.streams.Last(ctx)
	if err != nil {
		return err
	}
	h.cursor, h.started = last, true
	return nil
}

// Subscribe opens a feed for a user. With since >= 0 it first sends what the user's stream
// holds after since (or Reload when that is more than the queue holds, or was pruned); with
// since < 0 it starts from now.
func (h *Hub) Subscribe(ctx context.Context, userID uuid.UUID, since int64) (*Subscription, error) {
	h.mu.Lock()
	full := len(h.conns[userID]) >= h.maxConns
	h.mu.Unlock()
	if full {
		return nil, ErrTooManyConnections
	}
	c := make(chan Message, h.queue)
	s := &Subscription{C: c, c: c, user: userID, after: since}
	h.deliverMu.Lock()
	defer h.deliverMu.Unlock()
	if err := h.start(ctx); err != nil {
		return nil, err
	}
	if since > h.cursor {
		// A position this replica has not read yet may still be on its way; one past the last
		// dispatched anywhere is not (a restored database, a forged value): reload and start now.
		last, err := h.streams.Last(ctx)
		if err != nil {
			return nil, err
		}
		if since > last {
			c <- Message{Reload: true}
			s.after = -1
		}
	}
	if since >= 0 && since < h.cursor {
		entries, complete, err := h.streams.Since(ctx, userID, since, h.cursor, h.queue)
		if err != nil {
			return nil, err
		}
		if !complete || len(entries) >= h.queue {
			c <- Message{Reload: true}
		} else {
			for i := range entries {
				c <- Message{Entry: &entries[i]}
			}
		}
	}
	// From here the hub's deliveries, which read after h.cursor, go on where the catch-up ended.
	h.mu.Lock()
	if h.conns[userID] == nil {
		h.conns[userID] = map[*Subscription]struct{}{}
	}
	h.conns[userID][s] = struct{}{}
	first := len(h.conns[userID]) == 1
	h.mu.Unlock()
	if first && h.presence != nil {
		if err := h.presence.Present(ctx, userID); err != nil {
			h.log.Warn("recording presence failed", "user_id", userID, "error", err.Error())
		}
	}
	return s, nil
}

// Unsubscribe removes a connection's feed.
func (h *Hub) Unsubscribe(s *Subscription) {
	h.mu.Lock()
	h.drop(s)
	gone := len(h.conns[s.user]) == 0
	h.mu.Unlock()
	if gone && h.presence != nil {
		// The connection's own context has ended by now.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.presence.Absent(ctx, s.user); err != nil {
			h.log.Warn("removing presence failed", "user_id", s.user, "error", err.Error())
		}
	}
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

// Wake asks the hub to look for new events.
func (h *Hub) Wake() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Handoff gives the hub a batch its replica's dispatcher has just committed, in position order,
// so that it need not read it back. It never blocks: when the hub has not taken the batches
// before it yet, it is woken instead, and reads them all.
func (h *Hub) Handoff(entries []Entry) {
	select {
	case h.handoff <- entries:
	default:
		h.Wake()
	}
}

// Run delivers new events to the connections whenever woken or handed a batch, until ctx ends.
func (h *Hub) Run(ctx context.Context) {
	for {
		var err error
		select {
		case <-ctx.Done():
			return
		case <-h.wake:
			err = h.deliver(ctx)
		case entries := <-h.handoff:
			err = h.deliverHandoff(ctx, entries)
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			h.log.Warn("event delivery failed; the next wake-up retries", "error", err.Error())
		}
	}
}

// deliverHandoff sends a batch the dispatcher handed over. Positions are taken and committed in
// order (Store.Lock), so when the batch's positions run on from the cursor nothing can be
// missing before or within it; when they do not (another replica dispatched in between, or a
// rolled-back dispatch left a gap), the hub reads from its cursor instead, which finds the
// batch too. What the hub has read already is left out.
func (h *Hub) deliverHandoff(ctx context.Context, entries []Entry) error {
	h.deliverMu.Lock()
	if !h.started {
		// No connection has opened yet: the first one starts from the last position.
		h.deliverMu.Unlock()
		return nil
	}
	for len(entries) > 0 && entries[0].Position <= h.cursor {
		entries = entries[1:]
	}
	if len(entries) == 0 {
		h.deliverMu.Unlock()
		return nil
	}
	if !follows(h.cursor, entries) {
		h.deliverMu.Unlock()
		return h.deliver(ctx)
	}
	defer h.deliverMu.Unlock()
	if err := h.send(ctx, entries); err != nil {
		// The cursor has not moved: the read from it finds the batch again.
		h.Wake()
		return err
	}
	h.cursor = entries[len(entries)-1].Position
	return nil
}

// follows reports whether the entries' positions run on from cursor, one by one.
func follows(cursor int64, entries []Entry) bool {
	for i := range entries {
		if entries[i].Position != cursor+int64(i)+1 {
			return false
		}
	}
	return true
}

// deliver reads the events dispatched after the cursor, in batches, and sends each to the
// connections of its recipients that are still active members of its organisation.
func (h *Hub) deliver(ctx context.Context) error {
	h.deliverMu.Lock()
	defer h.deliverMu.Unlock()
	if err := h.start(ctx); err != nil {
		return err
	}
	for {
		entries, err := h.streams.After(ctx, h.cursor, h.batch)
		if err != nil || len(entries) == 0 {
			return err
		}
		if err := h.send(ctx, entries); err != nil {
			return err
		}
		h.cursor = entries[len(entries)-1].Position
		if len(entries) < h.batch {
			return nil
		}
	}
}

// send sends a batch of entries to the connected recipients that are, now, active members of
// the entry's organisation (someone deactivated since the dispatch gets nothing more).
func (h *Hub) send(ctx context.Context, entries []Entry) error {
	h.mu.Lock()
	seen := map[uuid.UUID]bool{}
	var users []uuid.UUID
	orgs := map[uuid.UUID]bool{}
	add := func(u uuid.UUID, org uuid.UUID) {
		if !seen[u] {
			seen[u] = true
			users = append(users, u)
		}
		orgs[org] = true
	}
	for i := range entries {
		e := &entries[i]
		if e.Broadcast {
			for u := range h.conns {
				add(u, e.Event.OrgID)
			}
			continue
		}
		for _, u := range e.Recipients {
			if _, ok := h.conns[u]; ok {
				add(u, e.Event.OrgID)
			}
		}
	}
	h.mu.Unlock()
	if len(users) == 0 {
		return nil
	}
	orgIDs := make([]uuid.UUID, 0, len(orgs))
	for o := range orgs {
		orgIDs = append(orgIDs, o)
	}
	active, err := h.streams.Active(ctx, users, orgIDs)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range entries {
		e := &entries[i]
		e.rendered = &rendering{}
		recipients := e.Recipients
		if e.Broadcast {
			recipients = users
		}
		for _, u := range recipients {
			if !active[Membership{UserID: u, OrgID: e.Event.OrgID}] {
				continue
			}
			for s := range h.conns[u] {
				if e.Position <= s.after {
					continue
				}
				select {
				case s.c <- Message{Entry: e}:
				default:
					h.log.Info("closing a slow event connection: its queue is full", "user_id", s.user)
					h.drop(s)
				}
			}
		}
	}
	return nil
}
