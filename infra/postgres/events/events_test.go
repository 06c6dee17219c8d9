package events_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	appevents "canopy/app/events"
	"canopy/infra/postgres"
	pgevents "canopy/infra/postgres/events"
	"canopy/infra/postgres/pgtest"
)

// TestEventsShareTheirRecipientList: events that reach the same users, in whatever order the
// dispatcher lists them, store one recipient list; the gateway reads each event with its
// recipients and a user's stream holds only the events naming them; pruning removes the old
// events and the lists no event names, and keeps a list a later dispatch still uses.
func TestEventsShareTheirRecipientList(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	owner := pgtest.MustUser(t, db, "owner@audiences.example")
	o := pgtest.MustOrg(t, db, owner)
	member := pgtest.MustUser(t, db, "member@audiences.example")
	if err := db.Exec(`INSERT INTO memberships (org_id, user_id, role, status, joined_at) VALUES (?, ?, 'member', 'active', now())`, o.ID(), member.ID()).Error; err != nil {
		t.Fatal(err)
	}
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
			return store.MarkDispatched(ctx, ds, at)
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
