package events

import (
	"context"
	"log/slog"
	"sort"
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
	// MarkDispatched records that the events were handled.
	MarkDispatched(ctx context.Context, ids []int64, at time.Time) error
	// Recipients resolves an audience to the organisation's active members it names, now.
	Recipients(ctx context.Context, orgID uuid.UUID, a Audience) ([]uuid.UUID, error)
	// Append adds the event to each user's stream under the next number of that stream.
	Append(ctx context.Context, e Event, users []uuid.UUID) error
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
// refuses) get it in their streams, every consumer gets it, and it is marked dispatched, all or
// nothing. Then the gateways of every replica are told.
func (d *Dispatcher) DispatchOnce(ctx context.Context) (int, error) {
	var n int
	err := d.tx.Within(ctx, func(ctx context.Context) error {
		es, err := d.store.Claim(ctx, d.Batch)
		if err != nil {
			return err
		}
		ids := make([]int64, 0, len(es))
		for _, e := range es {
			users, err := d.recipients(ctx, e)
			if err != nil {
				return err
			}
			if len(users) > 0 {
				if err := d.store.Append(ctx, e, users); err != nil {
					return err
				}
			}
			for _, c := range d.consumers {
				if err := c.Consume(ctx, e, users); err != nil {
					return err
				}
			}
			ids = append(ids, e.ID)
		}
		n = len(ids)
		if n == 0 {
			return nil
		}
		return d.store.MarkDispatched(ctx, ids, d.now())
	})
	if err != nil || n == 0 {
		return 0, err
	}
	if err := d.fanout.Announce(ctx); err != nil {
		d.log.Warn("announcing new events failed; the gateways' poll will find them", "error", err.Error())
	}
	return n, nil
}

// recipients resolves an event's audience to the users who may see it, sorted (so that
// concurrent dispatchers take the users' stream locks in one order).
func (d *Dispatcher) recipients(ctx context.Context, e Event) ([]uuid.UUID, error) {
	users, err := d.store.Recipients(ctx, e.OrgID, e.Audience)
	if err != nil {
		return nil, err
	}
	module, _, _ := strings.Cut(e.Type, ".")
	if v, ok := d.visibility[module]; ok && len(users) > 0 {
		if users, err = v.CanSee(ctx, e, users); err != nil {
			return nil, err
		}
	}
	sort.Slice(users, func(i, j int) bool { return strings.Compare(users[i].String(), users[j].String()) < 0 })
	return users, nil
}
