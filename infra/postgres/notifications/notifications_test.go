package notifications_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"canopy/domain/errs"
	"canopy/domain/notifications"
	pgnotifications "canopy/infra/postgres/notifications"
	"canopy/infra/postgres/pgtest"
)

func mustNotification(tb testing.TB, orgID, userID uuid.UUID, eventID int64, at time.Time) *notifications.Notification {
	tb.Helper()
	n, err := notifications.New(notifications.NewInput{OrgID: orgID, UserID: userID, EventID: eventID, Kind: notifications.KindFileShared,
		SubjectType: "file", SubjectID: uuid.New(), Payload: []byte(`{"name":"报告.pdf"}`)}, at)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func mustMember(tb testing.TB, db *gorm.DB, orgID, userID uuid.UUID) {
	tb.Helper()
	if err := db.Exec("INSERT INTO memberships (org_id, user_id, role, status, joined_at) VALUES (?, ?, 'member', 'active', now())", orgID, userID).Error; err != nil {
		tb.Fatal(err)
	}
}

func TestNotificationsAreEachPersonsOwn(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	alice, bob := pgtest.MustUser(t, db, "alice@n.example"), pgtest.MustUser(t, db, "bob@n.example")
	o := pgtest.MustOrg(t, db, alice)
	mustMember(t, db, o.ID(), bob.ID())
	other := pgtest.MustOrg(t, db, bob)
	repo := pgnotifications.NewNotifications(db)

	t0 := time.Now().Add(-time.Hour)
	first, second := mustNotification(t, o.ID(), alice.ID(), 1, t0), mustNotification(t, o.ID(), alice.ID(), 2, t0.Add(time.Minute))
	bobs := mustNotification(t, o.ID(), bob.ID(), 1, t0)
	elsewhere := mustNotification(t, other.ID(), bob.ID(), 3, t0)
	if err := repo.Add(ctx, []*notifications.Notification{first, second, bobs, elsewhere}); err != nil {
		t.Fatal(err)
	}
	// The same event again tells no one twice.
	if err := repo.Add(ctx, []*notifications.Notification{mustNotification(t, o.ID(), alice.ID(), 1, t0)}); err != nil {
		t.Fatal(err)
	}
	items, total, err := repo.List(ctx, o.ID(), alice.ID(), notifications.ListFilter{Limit: 10})
	if err != nil || total != 2 || len(items) != 2 || items[0].ID() != second.ID() || string(items[0].Payload()) != `{"name": "报告.pdf"}` {
		t.Fatalf("List = %v, %d, %v", items, total, err)
	}
	if n, err := repo.UnreadCount(ctx, o.ID(), alice.ID()); err != nil || n != 2 {
		t.Fatalf("UnreadCount = %d, %v", n, err)
	}
	// Bob's notification, and Alice's through another organisation, are not found for her.
	if err := repo.MarkRead(ctx, o.ID(), alice.ID(), bobs.ID(), time.Now()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("MarkRead of another's = %v, want NotFound", err)
	}
	if err := repo.MarkRead(ctx, other.ID(), bob.ID(), bobs.ID(), time.Now()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("MarkRead through another organisation = %v, want NotFound", err)
	}
	if err := repo.MarkRead(ctx, o.ID(), alice.ID(), first.ID(), time.Now()); err != nil {
		t.Fatal(err)
	}
	unread, total, err := repo.List(ctx, o.ID(), alice.ID(), notifications.ListFilter{UnreadOnly: true, Limit: 10})
	if err != nil || total != 1 || unread[0].ID() != second.ID() {
		t.Fatalf("unread = %v, %d, %v", unread, total, err)
	}
	if n, err := repo.MarkAllRead(ctx, o.ID(), alice.ID(), time.Now()); err != nil || n != 1 {
		t.Fatalf("MarkAllRead = %d, %v", n, err)
	}
	if n, _ := repo.UnreadCount(ctx, o.ID(), bob.ID()); n != 1 {
		t.Fatalf("Bob's unread = %d, want 1: marking Alice's all read touched his", n)
	}
}

func TestPreferences(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	alice := pgtest.MustUser(t, db, "alice@p.example")
	o := pgtest.MustOrg(t, db, alice)
	repo := pgnotifications.NewPreferences(db)

	if err := repo.SetChannels(ctx, o.ID(), alice.ID(), []notifications.Preference{{Kind: notifications.KindFileShared, Channel: notifications.ChannelOff}}); err != nil {
		t.Fatal(err)
	}
	if err := repo.SetChannels(ctx, o.ID(), alice.ID(), []notifications.Preference{{Kind: notifications.KindFileShared, Channel: notifications.ChannelEmail}}); err != nil {
		t.Fatal(err)
	}
	got, err := repo.Channels(ctx, o.ID(), notifications.KindFileShared, []uuid.UUID{alice.ID(), uuid.New()})
	if err != nil || len(got) != 1 || got[alice.ID()] != notifications.ChannelEmail {
		t.Fatalf("Channels = %v, %v", got, err)
	}
	q, _ := notifications.NewQuietHours(22*60, 7*60)
	if err := repo.SetQuietHours(ctx, alice.ID(), &q); err != nil {
		t.Fatal(err)
	}
	st, err := repo.Settings(ctx, o.ID(), alice.ID())
	if err != nil || len(st.Channels) != 1 || st.Quiet == nil || st.Quiet.Start() != 22*60 || st.TimeZone == "" {
		t.Fatalf("Settings = %+v, %v", st, err)
	}
	if err := repo.SetQuietHours(ctx, alice.ID(), nil); err != nil {
		t.Fatal(err)
	}
	if st, _ := repo.Settings(ctx, o.ID(), alice.ID()); st.Quiet != nil {
		t.Fatalf("quiet hours kept after removal: %+v", st.Quiet)
	}
}
