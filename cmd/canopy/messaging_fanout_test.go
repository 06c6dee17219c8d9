package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"

	appevents "canopy/app/events"
	"canopy/infra/postgres"
	pgevents "canopy/infra/postgres/events"
)

// seenEvent is one event as a member's stream delivered it.
type seenEvent struct {
	conn   int   // which of the member's connections the test opened: 1, then 2 after going offline
	stream int64 // the stream's seq
	typ    string
	chatID string // for messages.* events
	msgID  string
	seq    int64 // the message's seq in its chat
}

// chatStream is one member's WebSocket, recording what it receives.
type chatStream struct {
	member msgMember
	base   string
	chatID string
	total  *atomic.Int64 // the chat's message_created events, over every stream

	mu      sync.Mutex
	conn    *websocket.Conn
	conns   int
	done    chan struct{}
	events  []seenEvent
	lastSeq int64
	reloads int
	closing bool // the test closed the connection: do not reconnect
	dropped int  // times the server dropped it
}

func (s *chatStream) open(ctx context.Context, since int64) error {
	conn, err := dialCanopy(ctx, s.base, s.member.token(), since)
	if err != nil {
		return fmt.Errorf("%s's stream on %s: %w", s.member.email, s.base, err)
	}
	s.mu.Lock()
	s.conn, s.done, s.closing = conn, make(chan struct{}), false
	s.conns++
	n, done := s.conns, s.done
	s.mu.Unlock()
	go s.read(ctx, conn, n, done)
	return nil
}

func (s *chatStream) read(ctx context.Context, conn *websocket.Conn, n int, done chan struct{}) {
	defer close(done)
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			// Dropped by the server (a slow client's queue overflowed): reconnect with since, as
			// the web app does, unless the test closed it.
			s.mu.Lock()
			closing, since := s.closing, s.lastSeq
			s.mu.Unlock()
			if closing || ctx.Err() != nil {
				return
			}
			conn.CloseNow()
			for {
				if conn, err = dialCanopy(ctx, s.base, s.member.token(), since); err == nil {
					break
				}
				if ctx.Err() != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
			s.mu.Lock()
			s.conn = conn
			s.dropped++
			closing = s.closing
			s.mu.Unlock()
			if closing {
				conn.CloseNow()
				return
			}
			continue
		}
		for _, line := range bytes.Split(data, []byte("\n")) {
			s.take(line, n)
		}
	}
}

// take records one stream message of connection n.
func (s *chatStream) take(line []byte, n int) {
	var m wsMessage
	if json.Unmarshal(line, &m) != nil {
		return
	}
	s.mu.Lock()
	switch m.Type {
	case "reload":
		s.reloads++
	case "event":
		e := seenEvent{conn: n, stream: m.Seq, typ: m.Event.Type}
		if strings.HasPrefix(e.typ, "messages.") {
			var p messageCreated
			_ = json.Unmarshal(m.Event.Payload, &p)
			e.chatID, e.msgID, e.seq = p.ChatID, p.Message.ID, p.Message.Seq
		}
		s.events = append(s.events, e)
		s.lastSeq = m.Seq
		if e.typ == "messages.message_created" && e.chatID == s.chatID {
			s.total.Add(1)
		}
	}
	s.mu.Unlock()
}

// close drops the connection at once (as a phone losing its network does) and waits until its
// reader has stopped, so lastSeq is the last event it saw.
func (s *chatStream) close() {
	s.mu.Lock()
	conn, done := s.conn, s.done
	s.closing = true
	s.mu.Unlock()
	if conn == nil {
		return
	}
	conn.CloseNow()
	<-done
	s.mu.Lock()
	if s.conn != conn { // it was reconnecting meanwhile
		s.conn.CloseNow()
	}
	s.mu.Unlock()
}

// seen returns a copy of what the stream has delivered so far.
func (s *chatStream) seen() []seenEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seenEvent(nil), s.events...)
}

func (s *chatStream) reloaded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reloads > 0
}

// created is the chat's message_created events among es.
func created(es []seenEvent, chatID string) []seenEvent {
	var out []seenEvent
	for _, e := range es {
		if e.typ == "messages.message_created" && e.chatID == chatID {
			out = append(out, e)
		}
	}
	return out
}

// sentMessage is a message as POST .../messages answered.
type sentMessage struct {
	id  string
	seq int64
}

// exactly reports how got differs from want (each message once, in order), or "".
func exactly(got []seenEvent, want []sentMessage) string {
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = got[i].msgID == want[i].id && got[i].seq == want[i].seq
	}
	if ok {
		return ""
	}
	var g, w []string
	for _, e := range got {
		g = append(g, fmt.Sprintf("%d", e.seq))
	}
	for _, m := range want {
		w = append(w, fmt.Sprintf("%d", m.seq))
	}
	return fmt.Sprintf("got seqs [%s], want [%s]", strings.Join(g, " "), strings.Join(w, " "))
}

// waitFor polls cond for up to two minutes: a bound on the test's run time for 1,000 deliveries
// a message on a shared machine (after 1,000 connections' presence events), never an assertion
// of speed.
func waitFor(t *testing.T, what string, cond func() bool, state ...func() string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			var more []string
			for _, f := range state {
				more = append(more, f())
			}
			t.Fatalf("gave up waiting for %s %s", what, strings.Join(more, "; "))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMessagingGroupChatFanOut runs two `canopy serve` processes on one database. A group of
// 1,000 members has its chat; every member is connected, half on each replica. Messages sent
// through the API reach every member once each, in sequence order; members who were offline
// catch up by their stream's seq and by the chat's after_seq; a member removed from the group
// receives nothing more and finds nothing of the chat in search.
func TestMessagingGroupChatFanOut(t *testing.T) {
	raiseOpenFiles(t, 3*msgMembers)
	bin, env, bases := startServeProcesses(t, 2)
	orgID, db := createMessagingOrg(t, bin, env, "Fan-out", "o@fanout.example")
	groupID, members := seedMessagingGroup(t, db, orgID, msgMembers, "fanout.example")
	chatID := mustGroupChat(t, bases[0], orgID, groupID, members[0])
	org := "/api/v1/orgs/" + orgID.String()
	chat := org + "/chats/" + chatID
	owner := seededClient(t, bases[0], members[0])

	ctx, cancel := context.WithCancel(context.Background())
	streams := make([]*chatStream, len(members))
	t.Cleanup(func() {
		cancel()
		for _, s := range streams {
			if s != nil {
				s.close()
			}
		}
	})
	var total atomic.Int64
	dialEach(t, len(members), func(i int) error {
		s := &chatStream{member: members[i], base: bases[i%len(bases)], chatID: chatID, total: &total}
		streams[i] = s
		return s.open(ctx, -1)
	})

	var sent []sentMessage
	send := func(k int) {
		t.Helper()
		body := fmt.Sprintf("Fan-out message %d: the quokka report, 季度报告已经发出", k)
		m := owner.must(201, "POST", chat+"/messages", map[string]any{"client_id": fmt.Sprintf("fanout-%d", k), "body": body})
		sent = append(sent, sentMessage{m["id"].(string), int64(m["seq"].(float64))})
	}
	// checkAll fails unless every stream but skip has delivered exactly want, once each in order.
	checkAll := func(when string, want []sentMessage, skip func(i int) bool) {
		t.Helper()
		var bad []string
		for i, s := range streams {
			if skip != nil && skip(i) {
				continue
			}
			if d := exactly(created(s.seen(), chatID), want); d != "" {
				bad = append(bad, fmt.Sprintf("%s (replica %d): %s", s.member.email, i%len(bases)+1, d))
			}
			if s.reloaded() {
				bad = append(bad, fmt.Sprintf("%s was told to reload", s.member.email))
			}
		}
		if len(bad) > 0 {
			t.Fatalf("%s, %d members did not receive exactly the chat's messages in order; the first: %s", when, len(bad), strings.Join(bad[:min(5, len(bad))], "; "))
		}
	}

	// Five messages: every member, on either replica, gets each once, in seq order.
	for k := range 5 {
		send(k)
	}
	for i := 1; i < len(sent); i++ {
		if sent[i].seq <= sent[i-1].seq {
			t.Fatalf("the chat's seqs do not increase: %+v", sent)
		}
	}
	waitFor(t, "5 messages × 1,000 members", func() bool { return total.Load() >= 5*msgMembers }, func() string {
		return fmt.Sprintf("%d deliveries; the owner's stream: %+v", total.Load(), streams[0].seen())
	})
	checkAll("after 5 messages", sent, nil)

	// Fifty members go offline (25 on each replica) while three more are sent; on reconnecting
	// with the last seq their stream delivered, they get exactly those three, in order.
	for i := 100; i < 150; i++ {
		streams[i].close()
	}
	before := total.Load()
	for k := 5; k < 8; k++ {
		send(k)
	}
	waitFor(t, "3 messages × 950 connected members", func() bool { return total.Load() >= before+3*(msgMembers-50) })
	offline := make([]int, len(streams))
	for i := 100; i < 150; i++ {
		offline[i] = len(created(streams[i].seen(), chatID))
		if err := streams[i].open(ctx, streams[i].lastSeq); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the 50 members' catch-up", func() bool { return total.Load() >= before+3*msgMembers })
	checkAll("after the catch-up", sent, nil)
	for i := 100; i < 150; i++ {
		if d := exactly(created(streams[i].seen(), chatID)[offline[i]:], sent[5:8]); d != "" {
			t.Fatalf("%s reconnected with since and received: %s", streams[i].member.email, d)
		}
	}
	// The same three through the chat's history after the last seq they had seen.
	reader := seededClient(t, bases[1], members[101])
	page := reader.must(200, "GET", fmt.Sprintf("%s/messages?after_seq=%d", chat, sent[4].seq), nil)
	var history []seenEvent
	for _, it := range page["items"].([]any) {
		m := it.(map[string]any)
		history = append(history, seenEvent{msgID: m["id"].(string), seq: int64(m["seq"].(float64))})
	}
	if d := exactly(history, sent[5:8]); d != "" || page["has_more"] != false {
		t.Fatalf("GET messages?after_seq=%d: %s, has_more %v", sent[4].seq, d, page["has_more"])
	}

	// A member is removed from the group through the directory: their open connection receives
	// nothing more of the chat, the chat answers them 404, and search finds none of its messages.
	const gone = 7 // on the second replica, connected throughout
	removed := streams[gone]
	seenBefore := len(removed.seen())
	owner.must(204, "DELETE", fmt.Sprintf("/api/v1/admin/orgs/%s/groups/%s/members/%s", orgID, groupID, removed.member.id), nil)
	before = total.Load()
	send(8)
	waitFor(t, "the last message × 999 members", func() bool { return total.Load() >= before+msgMembers-1 })
	// A marker addressed to the removed member alone, published after the message: their stream
	// delivers in order, so once the marker is there, anything of the message would be too.
	marker := uuid.New()
	err := postgres.NewTxManager(db).Within(ctx, func(ctx context.Context) error {
		return pgevents.NewStore(db).Publish(ctx, appevents.Event{Type: "test.marker", OrgID: orgID, SubjectType: "marker",
			SubjectID: marker, Audience: appevents.Audience{Users: []uuid.UUID{removed.member.id}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the marker on the removed member's stream", func() bool {
		for _, e := range removed.seen() {
			if e.typ == "test.marker" {
				return true
			}
		}
		return false
	})
	for _, e := range removed.seen()[seenBefore:] {
		if e.chatID == chatID || strings.HasPrefix(e.typ, "messages.") {
			t.Fatalf("after their removal from the group, %s received %+v", removed.member.email, e)
		}
	}
	checkAll("after the removal", sent, func(i int) bool { return i == gone })
	if d := exactly(created(removed.seen(), chatID), sent[:8]); d != "" {
		t.Fatalf("the removed member's messages: %s", d)
	}

	outsider := seededClient(t, bases[1], removed.member)
	if r := outsider.do("GET", chat, nil); r.status != 404 {
		t.Fatalf("GET the chat as a member removed from its group: %d %s", r.status, r.body)
	}
	search := func(c *client, q string) (int, float64) {
		t.Helper()
		res := c.must(200, "GET", org+"/messages/search?limit=50&q="+url.QueryEscape(q), nil)
		n := 0
		for _, it := range res["items"].([]any) {
			if it.(map[string]any)["chat_id"] == chatID {
				n++
			}
		}
		return n, res["total"].(float64)
	}
	dropped := 0
	for _, s := range streams {
		s.mu.Lock()
		dropped += s.dropped
		s.mu.Unlock()
	}
	t.Logf("the servers dropped connections %d times (each reconnected with since)", dropped)
	for _, q := range []string{"quokka", "季度报告"} {
		if n, total := search(outsider, q); n != 0 || total != 0 {
			t.Fatalf("the removed member's search for %q found %d of the chat's messages (total %v)", q, n, total)
		}
		if n, total := search(reader, q); n != len(sent) || int(total) != len(sent) {
			t.Fatalf("a member's search for %q found %d of the chat's %d messages (total %v)", q, n, len(sent), total)
		}
	}
}
