package events_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	appevents "canopy/app/events"
	"canopy/domain/identity"
	"canopy/domain/org"
	"canopy/infra/postgres"
	pgevents "canopy/infra/postgres/events"
	"canopy/infra/postgres/pgtest"
)

// orgWithMember makes an organisation of an owner and one active member, at domain.
func orgWithMember(t *testing.T, db *gorm.DB, domain string) (owner *identity.User, o *org.Organisation, member *identity.User) {
	t.Helper()
	owner = pgtest.MustUser(t, db, "owner@"+domain)
	o = pgtest.MustOrg(t, db, owner)
	member = pgtest.MustUser(t, db, "member@"+domain)
	if err := db.Exec(`INSERT INTO memberships (org_id, user_id, role, status, joined_at) VALUES (?, ?, 'member', 'active', now())`, o.ID(), member.ID()).Error; err != nil {
		t.Fatal(err)
	}
	return owner, o, member
}

// TestEventsShareTheirRecipientList: events that reach the same users, in whatever order the
// dispatcher lists them, store one recipient list; the gateway reads each event with its
// recipients and a user's stream holds only the events naming them; pruning removes the old
// events and the lists no event names, and keeps a list a later dispatch still uses.
func TestEventsShareTheirRecipientList(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	owner, o, member := orgWithMember(t, db, "audiences.example")
	store := pgevents.NewStore(db)
	tx := postgres.NewTxManager(db)
	both := []uuid.UUID{owner.ID(), member.ID()}
	dispatch := func(at time.Time, recipients ...[]uuid.UUID) []int64 {
		t.Helper()
		var ids []int64
		err := tx.Within(ctx, func(ctx context.Context) error {
			for range recipients {
				if err := store.Publish(ctx, appevents.Event{OrgID: o.ID(), Type: "test.thing_happened", SubjectType: "thing", SubjectID: uuid.New()}); err != nil {
					return err
				}
			}
			claimed, err := store.Claim(ctx, 100)
			if err != nil {
				return err
			}
			ds := make([]appevents.Dispatched, len(claimed))
			for i, e := range claimed {
				ds[i] = appevents.Dispatched{ID: e.ID, Recipients: recipients[i]}
				ids = append(ids, e.ID)
			}
			_, err = store.MarkDispatched(ctx, ds, at)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	old := time.Now().Add(-48 * time.Hour)
	dispatch(old, both, []uuid.UUID{member.ID(), owner.ID()}, []uuid.UUID{owner.ID()})
	dispatch(old, []uuid.UUID{owner.ID(), member.ID()}, nil)

	var lists int64
	db.Raw(`SELECT count(*) FROM event_audiences`).Scan(&lists)
	if lists != 2 {
		t.Fatalf("%d recipient lists stored for two distinct sets of users; want 2", lists)
	}
	entries, err := store.After(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]uuid.UUID
	for _, e := range entries {
		r := slices.Clone(e.Recipients)
		slices.SortFunc(r, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
		got = append(got, r)
	}
	sortedBoth := slices.Clone(both)
	slices.SortFunc(sortedBoth, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	want := [][]uuid.UUID{sortedBoth, sortedBoth, {owner.ID()}, sortedBoth, nil}
	if len(got) != len(want) {
		t.Fatalf("After returned %d events; want %d", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("event %d reached %v; want %v", i, got[i], want[i])
		}
	}
	last := entries[len(entries)-1].Position
	mine, complete, err := store.Since(ctx, member.ID(), 0, last, 100)
	if err != nil || !complete {
		t.Fatalf("Since: %v (complete %v)", err, complete)
	}
	if len(mine) != 3 {
		t.Fatalf("the member's stream holds %d events; they were named in 3", len(mine))
	}

	// A list still named by a recent dispatch survives the pruning of the old events; the
	// owner's own list, named by old events only, goes with them.
	dispatch(time.Now(), both)
	pruned, err := store.Prune(ctx, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if pruned != 5 {
		t.Fatalf("pruned %d events; want the 5 old ones", pruned)
	}
	var left []string
	db.Raw(`SELECT recipients::text FROM event_audiences`).Scan(&left)
	if len(left) != 1 || len(left[0]) < 70 {
		t.Fatalf("lists left after pruning: %v; want only the one of both users", left)
	}
}

// countingStreams counts the gateway's reads of the table.
type countingStreams struct {
	appevents.Streams
	after atomic.Int64
}

func (c *countingStreams) After(ctx context.Context, position int64, limit int) ([]appevents.Entry, error) {
	c.after.Add(1)
	return c.Streams.After(ctx, position, limit)
}

// silentFanout never wakes a hub: what a hub then delivers, its own dispatcher handed it.
type silentFanout struct{ announced atomic.Int64 }

func (f *silentFanout) Announce(context.Context) error          { f.announced.Add(1); return nil }
func (f *silentFanout) Listen(ctx context.Context, wake func()) { <-ctx.Done() }

// TestDispatcherHandsItsGatewayTheBatch: the replica's own hub delivers what its dispatcher
// committed without an announcement to wake it; when another replica's dispatch came in
// between, it reads from its cursor and delivers both in position order; nothing is delivered
// twice.
func TestDispatcherHandsItsGatewayTheBatch(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, o, member := orgWithMember(t, db, "handoff.example")
	store := pgevents.NewStore(db)
	tx := postgres.NewTxManager(db)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	fanout := &silentFanout{}
	d := appevents.NewDispatcher(tx, store, fanout, nil, nil, time.Now, log)
	streams := &countingStreams{Streams: store}
	hub := appevents.NewHub(streams, 5, 100, log)
	d.SetGateway(hub)
	go hub.Run(ctx)
	sub, err := hub.Subscribe(ctx, member.ID(), -1)
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Unsubscribe(sub)

	publish := func() uuid.UUID {
		t.Helper()
		subject := uuid.New()
		err := tx.Within(ctx, func(ctx context.Context) error {
			return store.Publish(ctx, appevents.Event{OrgID: o.ID(), Type: "test.thing_happened", SubjectType: "thing", SubjectID: subject,
				Audience: appevents.Audience{Users: []uuid.UUID{member.ID()}}})
		})
		if err != nil {
			t.Fatal(err)
		}
		return subject
	}
	dispatch := func() {
		t.Helper()
		if n, err := d.DispatchOnce(ctx); err != nil || n != 1 {
			t.Fatalf("DispatchOnce: %d events, %v; want 1", n, err)
		}
	}
	next := func() appevents.Entry {
		t.Helper()
		select {
		case m := <-sub.C:
			if m.Entry == nil {
				t.Fatalf("the hub sent %+v; want an event", m)
			}
			return *m.Entry
		case <-time.After(10 * time.Second):
			t.Fatal("the hub delivered nothing in 10 s")
		}
		return appevents.Entry{}
	}

	first := publish()
	dispatch()
	if e := next(); e.Event.SubjectID != first || e.Position == 0 || !slices.Equal(e.Recipients, []uuid.UUID{member.ID()}) {
		t.Fatalf("delivered %+v; want the dispatched event (subject %v) with its position and recipient", e, first)
	}
	if fanout.announced.Load() != 1 {
		t.Fatalf("%d announcements; the other replicas must still be told", fanout.announced.Load())
	}
	if n := streams.after.Load(); n != 0 {
		t.Fatalf("the hub read the table %d times for a batch it was handed", n)
	}

	// Another replica dispatches an event this hub was not handed; then this replica one more.
	other := publish()
	err = tx.Within(ctx, func(ctx context.Context) error {
		es, err := store.Claim(ctx, 10)
		if err != nil || len(es) != 1 {
			return fmt.Errorf("claimed %d events: %v", len(es), err)
		}
		_, err = store.MarkDispatched(ctx, []appevents.Dispatched{{ID: es[0].ID, Recipients: []uuid.UUID{member.ID()}}}, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	third := publish()
	dispatch()
	a, b := next(), next()
	if a.Event.SubjectID != other || b.Event.SubjectID != third || a.Position >= b.Position {
		t.Fatalf("delivered %v (position %d) then %v (%d); want the other replica's event, then this one's", a.Event.SubjectID, a.Position, b.Event.SubjectID, b.Position)
	}
	if streams.after.Load() == 0 {
		t.Fatal("the hub did not read from its cursor for a batch that does not follow it")
	}

	// A wake-up now finds nothing new: the next event delivered is the next one dispatched.
	hub.Wake()
	fourth := publish()
	dispatch()
	if e := next(); e.Event.SubjectID != fourth {
		t.Fatalf("delivered %v again; want the fourth event %v", e.Event.SubjectID, fourth)
	}
	hub.Wake()
	select {
	case m := <-sub.C:
		t.Fatalf("after the last event the hub sent %+v", m)
	case <-time.After(300 * time.Millisecond):
	}
}

// TestDispatchNamesAKnownListByID: a list found stored by a committed transaction is named by
// its id for listTTL (its used_at is not renewed, so it was not sent); after that it is sent
// again and renewed; a list stored by a transaction that rolled back is not remembered; a list
// named by id that has gone meanwhile fails that dispatch once, and the next sends it anew.
func TestDispatchNamesAKnownListByID(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	owner := pgtest.MustUser(t, db, "owner@known-lists.example")
	o := pgtest.MustOrg(t, db, owner)
	other := pgtest.MustUser(t, db, "other@known-lists.example")
	store := pgevents.NewStore(db)
	tx := postgres.NewTxManager(db)
	rollBack := errors.New("rolled back on purpose")
	dispatch := func(at time.Time, who []uuid.UUID, fail bool) (int64, error) {
		var audience int64
		err := tx.Within(ctx, func(ctx context.Context) error {
			if err := store.Publish(ctx, appevents.Event{OrgID: o.ID(), Type: "test.thing_happened", SubjectType: "thing", SubjectID: uuid.New()}); err != nil {
				return err
			}
			es, err := store.Claim(ctx, 10)
			if err != nil || len(es) != 1 {
				return fmt.Errorf("claimed %d events: %v", len(es), err)
			}
			if _, err := store.MarkDispatched(ctx, []appevents.Dispatched{{ID: es[0].ID, Recipients: who}}, at); err != nil {
				return err
			}
			if err := postgres.Conn(ctx, db).Raw(`SELECT audience_id FROM events WHERE id = ?`, es[0].ID).Scan(&audience).Error; err != nil {
				return err
			}
			if fail {
				return rollBack
			}
			return nil
		})
		return audience, err
	}
	usedAt := func(id int64) time.Time {
		var at time.Time
		db.Raw(`SELECT used_at FROM event_audiences WHERE id = ?`, id).Scan(&at)
		return at
	}
	me := []uuid.UUID{owner.ID()}
	t0 := time.Now().UTC().Truncate(time.Second)
	first, err := dispatch(t0, me, false)
	if err != nil || first == 0 {
		t.Fatalf("first dispatch: list %d, %v", first, err)
	}
	// Stored by this process's own transaction: sent once more, then known.
	t1 := t0.Add(10 * time.Second)
	if second, err := dispatch(t1, me, false); err != nil || second != first || !usedAt(first).Equal(t1) {
		t.Fatalf("second dispatch: list %d (want %d), used_at %v (want %v, sent again), %v", second, first, usedAt(first), t1, err)
	}
	if third, err := dispatch(t0.Add(20*time.Second), me, false); err != nil || third != first || !usedAt(first).Equal(t1) {
		t.Fatalf("within the TTL: list %d (want %d), used_at %v (want %v, not renewed), %v", third, first, usedAt(first), t1, err)
	}
	later := t1.Add(2 * time.Minute)
	if fourth, err := dispatch(later, me, false); err != nil || fourth != first || !usedAt(first).Equal(later) {
		t.Fatalf("after the TTL: list %d (want %d), used_at %v (want %v, renewed), %v", fourth, first, usedAt(first), later, err)
	}

	// A new list whose transaction rolls back, twice (the second would find the first's row if
	// it had committed): the list is not remembered, and the next dispatch stores it.
	both := []uuid.UUID{owner.ID(), other.ID()}
	for range 2 {
		if _, err := dispatch(later.Add(time.Second), both, true); !errors.Is(err, rollBack) {
			t.Fatalf("the rolled-back dispatch: %v", err)
		}
	}
	if id, err := dispatch(later.Add(2*time.Second), both, false); err != nil || id == 0 || id == first {
		t.Fatalf("after a rolled-back list: list %d, %v", id, err)
	}

	// The list goes (as the pruning would take it, with its events): the next dispatch that
	// names it by id fails, and the one after stores it again.
	if err := db.Exec(`DELETE FROM events WHERE audience_id = ?`, first).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`DELETE FROM event_audiences WHERE id = ?`, first).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := dispatch(later.Add(3*time.Second), me, false); err == nil {
		t.Fatal("a dispatch naming a list that has gone succeeded")
	}
	again, err := dispatch(later.Add(4*time.Second), me, false)
	if err != nil || again == 0 || again == first {
		t.Fatalf("the retry: list %d (the old one was %d), %v", again, first, err)
	}
}
