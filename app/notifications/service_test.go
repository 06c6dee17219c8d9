package notifications

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/app/events"
	"canopy/domain/notifications"
)

type fakeTx struct{}

func (fakeTx) Within(ctx context.Context, fn func(context.Context) error) error { return fn(ctx) }

type fixedClock struct{}

func (fixedClock) Now() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }

// fakeStore keeps what was added and the channels chosen.
type fakeStore struct {
	notifications.Repository
	added    []*notifications.Notification
	channels map[uuid.UUID]notifications.Channel
}

func (f *fakeStore) Add(_ context.Context, ns []*notifications.Notification) error {
	f.added = append(f.added, ns...)
	return nil
}

type fakePrefs struct {
	notifications.PreferenceRepository
	f *fakeStore
}

func (p fakePrefs) Channels(_ context.Context, _ uuid.UUID, _ notifications.Kind, users []uuid.UUID) (map[uuid.UUID]notifications.Channel, error) {
	out := map[uuid.UUID]notifications.Channel{}
	for _, u := range users {
		if c, ok := p.f.channels[u]; ok {
			out[u] = c
		}
	}
	return out, nil
}

func TestConsumeNotifiesEachRecipientButTheActorAndThoseWhoTurnedItOff(t *testing.T) {
	store := &fakeStore{channels: map[uuid.UUID]notifications.Channel{}}
	svc := NewService(Deps{Tx: fakeTx{}, Clock: fixedClock{}, Notifications: store, Preferences: fakePrefs{f: store}})
	actor, alice, bob, carol := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	store.channels[bob] = notifications.ChannelOff
	store.channels[carol] = notifications.ChannelEmail
	e := events.Event{ID: 7, Type: "files.file_shared", OrgID: uuid.New(), ActorID: actor, SubjectType: "file", SubjectID: uuid.New(),
		Payload: json.RawMessage(`{"name":"报告.pdf"}`)}
	c := svc.Consumer()
	if err := c.Consume(context.Background(), e, []uuid.UUID{actor, alice, bob, carol, alice}); err != nil {
		t.Fatal(err)
	}
	got := map[uuid.UUID]int{}
	for _, n := range store.added {
		got[n.UserID()]++
		if n.EventID() != 7 || n.OrgID() != e.OrgID || n.ActorID() != actor || string(n.Payload()) != `{"name":"报告.pdf"}` {
			t.Errorf("notification does not copy the event: %+v", n)
		}
	}
	if len(store.added) != 2 || got[alice] != 1 || got[carol] != 1 {
		t.Fatalf("notified %v, want alice and carol once each", got)
	}

	// An event of a type that does not notify makes nothing.
	store.added = nil
	e.Type = "files.file_uploaded"
	if err := c.Consume(context.Background(), e, []uuid.UUID{alice}); err != nil || len(store.added) != 0 {
		t.Fatalf("files.file_uploaded notified: %v %v", store.added, err)
	}
}
