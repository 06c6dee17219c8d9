package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"

	appevents "canopy/app/events"
	"canopy/infra/postgres"
)

// wsMessage is what the gateway sends.
type wsMessage struct {
	Type  string `json:"type"`
	Seq   int64  `json:"seq"`
	Event struct {
		Type      string          `json:"type"`
		SubjectID string          `json:"subject_id"`
		Payload   json.RawMessage `json:"payload"`
	} `json:"event"`
}

// dialEvents opens the caller's event stream on base (their session cookie authenticates it).
func dialEvents(t *testing.T, c *client, query string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(c.base, "http") + "/api/v1/ws" + query
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: c.hc})
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	return conn
}

// unread holds, by connection, the rest of a WebSocket message readLine has not returned yet.
var unread sync.Map // *websocket.Conn → [][]byte

// readLine returns the connection's next stream message: the gateway puts one or more in a
// WebSocket message, one per line.
func readLine(ctx context.Context, conn *websocket.Conn) ([]byte, error) {
	if v, ok := unread.LoadAndDelete(conn); ok {
		lines := v.([][]byte)
		if len(lines) > 1 {
			unread.Store(conn, lines[1:])
		}
		return lines[0], nil
	}
	_, b, err := conn.Read(ctx)
	if err != nil {
		return nil, err
	}
	if lines := bytes.Split(b, []byte("\n")); len(lines) > 1 {
		unread.Store(conn, lines[1:])
		return lines[0], nil
	}
	return b, nil
}

// next reads the next message, failing after 15 s (a generous bound for a test, never a
// performance assertion).
func next(t *testing.T, conn *websocket.Conn) wsMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	b, err := readLine(ctx, conn)
	if err != nil {
		t.Fatalf("reading the event stream: %v", err)
	}
	var m wsMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON: %s", b)
	}
	return m
}

// TestEventsReachAnotherReplicaAndResume runs two canopy serve processes on one database: a
// file shared through replica A reaches the recipient's WebSocket on replica B; after a
// disconnection during three more shares, reconnecting with since gets exactly those three, in
// order.
func TestEventsReachAnotherReplicaAndResume(t *testing.T) {
	bin, env, bases := startServeProcesses(t, 2)
	a, b := bases[0], bases[1]
	ea := &testEnv{t: t}
	create := exec.Command(bin, "admin", "create-org", "--name", "Events", "--owner-email", "o@events.example", "--owner-password", "Correct-Horse-Events")
	create.Env = env
	out, err := create.Output()
	if err != nil {
		t.Fatalf("create-org: %v", err)
	}
	orgID := strings.TrimSpace(string(out))
	owner := ea.clientFor(a)
	owner.mustLogin("o@events.example", "Correct-Horse-Events")
	token := owner.must(201, "POST", "/api/v1/orgs/"+orgID+"/invitations", map[string]any{})["token"].(string)
	memberB := ea.clientFor(b)
	m := memberB.must(200, "POST", "/api/v1/invitations/"+token+"/accept", map[string]any{"email": "m@events.example", "display_name": "M", "password": "Quiet-Meadow-events"})
	memberB.csrf = m["csrf_token"].(string)
	memberID := m["user"].(map[string]any)["id"].(string)

	space := spaceOf(t, owner, orgID, "organisation")
	share := func(name string) string {
		f := mustUpload(t, owner, orgID, space, "", name, []byte("contents of "+name))["id"].(string)
		owner.must(201, "POST", "/api/v1/orgs/"+orgID+"/shares", map[string]any{"target_type": "file", "target_id": f,
			"principal_type": "user", "principal_id": memberID, "role": "viewer"})
		return f
	}

	conn := dialEvents(t, memberB, "")
	first := share("first.txt")
	got := next(t, conn)
	if got.Type != "event" || got.Event.Type != "files.file_shared" || got.Event.SubjectID != first || got.Seq < 1 {
		t.Fatalf("first event on replica B: %+v", got)
	}
	conn.Close(websocket.StatusNormalClosure, "")

	missed := []string{share("second.txt"), share("third.txt"), share("fourth.txt")}
	conn = dialEvents(t, memberB, fmt.Sprintf("?since=%d", got.Seq))
	seq := got.Seq
	for i, want := range missed {
		m := next(t, conn)
		if m.Type != "event" || m.Seq <= seq || m.Event.SubjectID != want {
			t.Fatalf("missed event %d: %+v, want a seq after %d and subject %s", i, m, seq, want)
		}
		seq = m.Seq
	}
	// Exactly those three: the next thing on the stream is the next share.
	fifth := share("fifth.txt")
	if m := next(t, conn); m.Event.SubjectID != fifth || m.Seq <= seq {
		t.Fatalf("after the catch-up: %+v", m)
	}
}

// TestEventsRollbackAndOnce: an event published in a transaction that rolls back is never
// dispatched; events dispatched by two dispatchers at once reach each stream exactly once.
func TestEventsRollbackAndOnce(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Outbox", "o@outbox.example")
	orgID := uuid.MustParse(d.orgID)
	var ownerID string
	e.stack.db.Raw(`SELECT user_id::text FROM memberships WHERE org_id = ?`, orgID).Scan(&ownerID)
	owner := uuid.MustParse(ownerID)
	ctx := context.Background()
	ev := func(i int) appevents.Event {
		return appevents.Event{Type: "test.thing_happened", OrgID: orgID, SubjectType: "thing", SubjectID: uuid.New(),
			Audience: appevents.Audience{Users: []uuid.UUID{owner}}, Payload: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))}
	}
	tx := e.stack.events.store
	rollback := errors.New("the change fails")
	err := txWithin(e, func(ctx context.Context) error {
		if err := tx.Publish(ctx, ev(0)); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	var n int64
	e.stack.db.Raw(`SELECT count(*) FROM events`).Scan(&n)
	if n != 0 {
		t.Fatalf("a rolled-back change left %d events", n)
	}

	const total = 60
	for i := 0; i < total; i++ {
		if err := txWithin(e, func(ctx context.Context) error { return tx.Publish(ctx, ev(i)) }); err != nil {
			t.Fatal(err)
		}
	}
	// Two more dispatchers besides the stack's own, all at once.
	other := appevents.NewDispatcher(postgresTx(e), tx, e.stack.events.fanout, nil, nil, time.Now, e.stack.log)
	third := appevents.NewDispatcher(postgresTx(e), tx, e.stack.events.fanout, nil, nil, time.Now, e.stack.log)
	var wg sync.WaitGroup
	for _, dsp := range []*appevents.Dispatcher{other, third} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := dsp.DispatchOnce(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	waitUntil(t, func() bool {
		e.stack.db.Raw(`SELECT count(*) FROM events WHERE dispatched_at IS NULL`).Scan(&n)
		return n == 0
	})
	// Each event was dispatched once: one position each, in the order of the events, and each
	// names the owner.
	var events, positions, inOrder, named int64
	e.stack.db.Raw(`SELECT count(*), count(DISTINCT position), count(*) FILTER (WHERE position = rank), count(*) FILTER (WHERE recipients @> ARRAY[?::uuid])
		FROM (SELECT e.position, a.recipients, rank() OVER (ORDER BY e.id) + (SELECT min(position) FROM events) - 1 AS rank
		      FROM events e LEFT JOIN event_audiences a ON a.id = e.audience_id) x`, owner).Row().Scan(&events, &positions, &inOrder, &named)
	if events != total || positions != total || named != total || inOrder != total {
		t.Fatalf("%d events, %d positions, %d in order, %d naming the owner; want %d of each", events, positions, inOrder, named, total)
	}
}

// TestEventsStopAtLostAccess: a member removed from a group gets none of the group's later
// events, and a deactivated member none of the organisation's, in their stream or on the wire.
func TestEventsStopAtLostAccess(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Access Events", "o@access-events.example")
	orgID := uuid.MustParse(d.orgID)
	group := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Team"})["id"].(string)
	member, memberID := e.mustJoin(d.mustInvite(map[string]any{}), "m@access-events.example")
	d.c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+memberID), map[string]any{})
	conn := dialEvents(t, member, "")

	publish := func(aud appevents.Audience) uuid.UUID {
		subject := uuid.New()
		err := txWithin(e, func(ctx context.Context) error {
			return e.stack.events.store.Publish(ctx, appevents.Event{Type: "test.thing_happened", OrgID: orgID, SubjectType: "thing",
				SubjectID: subject, Audience: aud})
		})
		if err != nil {
			t.Fatal(err)
		}
		return subject
	}
	groupAud := appevents.Audience{Groups: []uuid.UUID{uuid.MustParse(group)}}
	before := publish(groupAud)
	if m := next(t, conn); m.Event.SubjectID != before.String() {
		t.Fatalf("the group's event while a member: %+v", m)
	}
	d.c.must(204, "DELETE", d.admin("/groups/"+group+"/members/"+memberID), nil)
	publish(groupAud)
	// A marker addressed to the member directly: it must be the next thing they receive.
	marker := publish(appevents.Audience{Users: []uuid.UUID{uuid.MustParse(memberID)}})
	if m := next(t, conn); m.Event.SubjectID != marker.String() {
		t.Fatalf("after leaving the group the member received %+v", m)
	}

	d.c.must(200, "POST", d.org("/members/"+memberID+"/deactivate"), nil)
	publish(appevents.Audience{Org: true})
	publish(appevents.Audience{Users: []uuid.UUID{uuid.MustParse(memberID)}})
	waitUntil(t, func() bool {
		var n int64
		e.stack.db.Raw(`SELECT count(*) FROM events WHERE dispatched_at IS NULL`).Scan(&n)
		return n == 0
	})
	var n int64
	e.stack.db.Raw(`SELECT count(*) FROM events e JOIN event_audiences a ON a.id = e.audience_id
		WHERE a.recipients @> ARRAY[?::uuid] AND e.subject_id NOT IN (?, ?)`, memberID, before, marker).Scan(&n)
	if n != 0 {
		t.Fatalf("%d more events were addressed to the member after they left the group or were deactivated", n)
	}
	// Nothing reaches the open connection either.
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if b, err := readLine(ctx, conn); err == nil {
		t.Fatalf("a deactivated member received %s", b)
	}
}

func txWithin(e *testEnv, fn func(ctx context.Context) error) error {
	return postgresTx(e).Within(context.Background(), fn)
}

func postgresTx(e *testEnv) *postgres.TxManager { return postgres.NewTxManager(e.stack.db) }

// waitUntil polls cond for up to 15 s: for background work to finish, never a timing assertion.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("gave up waiting")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
