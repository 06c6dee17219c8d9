package events

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// TxManager runs fn in one database transaction carried by the context it is given.
type TxManager interface {
	Within(ctx context.Context, fn func(ctx context.Context) error) error
}

// Store is the outbox and the users' streams in PostgreSQL.
type Store interface {
	// Claim locks up to limit undispatched events, oldest first, skipping those another
	// dispatcher holds, until the transaction ends.
	Claim(ctx context.Context, limit int) ([]Event, error)
	// Lock serialises the dispatchers' transactions from here to their commit, so that the
	// positions they take commit in order.
	Lock(ctx context.Context) error
	// MarkDispatched records that the events were handled, with their recipients, each taking
	// the next position of the streams, in the order given; it returns the positions, in that
	// order.
	MarkDispatched(ctx context.Context, ds []Dispatched, at time.Time) ([]int64, error)
	// Recipients resolves an audience to the organisation's active members it names, now.
	Recipients(ctx context.Context, orgID uuid.UUID, a Audience) ([]uuid.UUID, error)
}

// Dispatched is an event handled, with the users it reached; Broadcast when it reached the
// whole organisation (and names no one).
type Dispatched struct {
	ID         int64
	Recipients []uuid.UUID
	Broadcast  bool
}

// Fanout tells every replica's gateway that streams have grown, and hears it from the others.
// PostgreSQL's LISTEN/NOTIFY implements it; a larger installation may use a broker instead.
type Fanout interface {
	// Announce tells the gateways that new stream entries committed.
	Announce(ctx context.Context) error
	// Listen calls wake for every announcement (its own replica's too) until ctx ends, and
	// once after each (re)connection, since announcements may have been missed meanwhile.
	Listen(ctx context.Context, wake func())
}

// Dispatcher hands every committed event, once, to the streams and the consumers.
type Dispatcher struct {
	tx         TxManager
	store      Store
	fanout     Fanout
	consumers  []Consumer
	visibility map[string]Visibility // by module, the type's prefix
	now        func() time.Time
	log        *slog.Logger
	wake       chan struct{}
	// gateway, when set, is this replica's hub: it is handed what was dispatched (SetGateway).
	gateway *Hub
	// Batch is how many events one transaction claims.
	Batch int
	// Poll is how often the dispatcher looks without a wake-up, in case one was lost.
	Poll time.Duration
}

// NewDispatcher builds a dispatcher. visibility maps a module ("files" for "files.*") to its
// read check; events of a module without one reach their whole audience.
func NewDispatcher(tx TxManager, store Store, fanout Fanout, consumers []Consumer, visibility map[string]Visibility, now func() time.Time, log *slog.Logger) *Dispatcher {
	return &Dispatcher{tx: tx, store: store, fanout: fanout, consumers: consumers, visibility: visibility, now: now, log: log,
		wake: make(chan struct{}, 1), Batch: 100, Poll: 5 * time.Second}
}

// SetGateway hands this replica's own gateway each batch the dispatcher commits, so that its
// connections need not wait for the announcement to come back through the fan-out and for the
// hub to read the batch again (Hub.Handoff). The other replicas' hubs still read it. Call it
// before Run.
func (d *Dispatcher) SetGateway(h *Hub) { d.gateway = h }

// Wake asks the dispatcher to look for events now.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run dispatches until ctx ends: whenever woken (a committed event's pg_notify reaches the
// replica's listener, which calls Wake) and every Poll otherwise.
func (d *Dispatcher) Run(ctx context.Context) {
	t := time.NewTicker(d.Poll)
	defer t.Stop()
	for {
		for {
			n, err := d.DispatchOnce(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				d.log.Warn("event dispatch failed", "error", err.Error())
				break
			}
			if n < d.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-t.C:
		}
	}
}

// DispatchOnce handles up to Batch events in one transaction and returns how many: each
// event's recipients (its audience's active members, less those its module's read check
// refuses) are resolved, every consumer gets it, and it is marked dispatched with them and the
// next position of the streams, all or nothing. Then this replica's gateway is handed the batch
// (SetGateway) and the gateways of every replica are told.
// The dispatchers' transactions run one at a time (Store.Lock): one event costs one row,
// whatever its audience, so that is not what limits them.
func (d *Dispatcher) DispatchOnce(ctx context.Context) (int, error) {
	var entries []Entry
	err := d.tx.Within(ctx, func(ctx context.Context) error {
		if err := d.store.Lock(ctx); err != nil {
			return err
		}
		es, err := d.store.Claim(ctx, d.Batch)
		if err != nil || len(es) == 0 {
			return err
		}
		ds := make([]Dispatched, 0, len(es))
		batch := make([]Delivery, 0, len(es))
		resolved := map[string][]uuid.UUID{} // by organisation and audience, within this batch
		for _, e := range es {
			users, err := d.recipients(ctx, e, resolved)
			if err != nil {
				return err
			}
			batch = append(batch, Delivery{Event: e, Recipients: users})
			module, _, _ := strings.Cut(e.Type, ".")
			if _, checked := d.visibility[module]; e.Audience.Org && !checked {
				ds = append(ds, Dispatched{ID: e.ID, Broadcast: true})
			} else {
				ds = append(ds, Dispatched{ID: e.ID, Recipients: users})
			}
		}
		for _, c := range d.consumers {
			if err := consume(ctx, c, batch); err != nil {
				return err
			}
		}
		positions, err := d.store.MarkDispatched(ctx, ds, d.now())
		if err != nil {
			return err
		}
		entries = make([]Entry, len(ds))
		for i, dd := range ds {
			entries[i] = Entry{Position: positions[i], Event: batch[i].Event, Recipients: dd.Recipients, Broadcast: dd.Broadcast}
		}
		return nil
	})
	if err != nil || len(entries) == 0 {
		return 0, err
	}
	if d.gateway != nil {
		d.gateway.Handoff(entries)
	}
	if err := d.fanout.Announce(ctx); err != nil {
		d.log.Warn("announcing new events failed; the gateways' poll will find them", "error", err.Error())
	}
	return len(entries), nil
}

// consume hands a batch to a consumer: at once when it takes batches, else event by event.
func consume(ctx context.Context, c Consumer, batch []Delivery) error {
	if bc, ok := c.(BatchConsumer); ok {
		return bc.ConsumeBatch(ctx, batch)
	}
	for _, d := range batch {
		if err := c.Consume(ctx, d.Event, d.Recipients); err != nil {
			return err
		}
	}
	return nil
}

// recipients resolves an event's audience to the users who may see it. An audience is
// resolved once per batch (resolved holds them by organisation and audience): the batch is one
// transaction, so the memberships are the same for all its events, and the events of one chat
// or board, which name the same audience, cost one resolution between them.
func (d *Dispatcher) recipients(ctx context.Context, e Event, resolved map[string][]uuid.UUID) ([]uuid.UUID, error) {
	key := AudienceKey(e.OrgID, e.Audience)
	users, ok := resolved[key]
	if !ok {
		var err error
		if users, err = d.store.Recipients(ctx, e.OrgID, e.Audience); err != nil {
			return nil, err
		}
		resolved[key] = users
	}
	module, _, _ := strings.Cut(e.Type, ".")
	if v, ok := d.visibility[module]; ok && len(users) > 0 {
		// The check gets its own copy: it may filter in place.
		return v.CanSee(ctx, e, slices.Clone(users))
	}
	return users, nil
}

// AudienceKey identifies an audience of an organisation (as given: the same users in another
// order make another key).
func AudienceKey(orgID uuid.UUID, a Audience) string {
	var b strings.Builder
	b.WriteString(orgID.String())
	if a.Org {
		b.WriteString("|org")
	}
	for _, part := range []struct {
		tag string
		ids []uuid.UUID
	}{{"|u", a.Users}, {"|g", a.Groups}, {"|d", a.Departments}} {
		b.WriteString(part.tag)
		for _, id := range part.ids {
			b.WriteByte(',')
			b.WriteString(id.String())
		}
	}
	return b.String()
}
