package main

import (
	"strings"
	"testing"
)

// TestMessagingSendMakesFewStatements: a send reads what it needs before it takes the chat's
// row, and takes the row in its last statement (no SELECT … FOR UPDATE): the sequence, the
// message, the sender's read state and the outbox in one, so the row is held for that
// statement and the commit alone, whatever else the send writes.
func TestMessagingSendMakesFewStatements(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Counted chat", "owner@msg-counted.example")
	li, liID := e.mustJoin(d.mustInvite(nil), "li@msg-counted.example")
	_, hanID := e.mustJoin(d.mustInvite(nil), "han@msg-counted.example")
	chatID := msChat(t, d.c, d, map[string]any{"kind": "adhoc", "name": "Counted", "member_ids": []string{liID, hanID}})["id"].(string)
	root := msSend(t, li, d, chatID, map[string]any{"body": "warm up"})

	send := countStatements(t, e, e.stack.db, li)
	for _, body := range []map[string]any{
		{"client_id": "counted-1", "body": "Hello **team**"},
		// A reply that mentions someone writes more (the root's reply count, the notice), all
		// before the row is taken.
		{"client_id": "counted-2", "body": "Agreed", "thread_root_id": root["id"], "mention_ids": []string{hanID}},
	} {
		res, sqls := send("POST", d.org("/chats/"+chatID+"/messages"), body)
		if res.status != 201 {
			t.Fatalf("send: %d %s", res.status, res.body)
		}
		for i, s := range sqls {
			t.Logf("%2d %.140s", i+1, s)
		}
		lock := -1
		for i, s := range sqls {
			if strings.Contains(s, "FOR UPDATE") && strings.Contains(s, "chats") {
				t.Fatalf("statement %d locks the chat with a read: %s", i+1, s)
			}
			if strings.Contains(s, "UPDATE chats SET last_seq") {
				if lock >= 0 {
					t.Fatalf("two sequence updates: %d and %d", lock+1, i+1)
				}
				lock = i
			}
		}
		if lock < 0 {
			t.Fatal("no UPDATE chats SET last_seq")
		}
		if lock != len(sqls)-1 {
			t.Fatalf("%d statements after the chat's row was taken: %q", len(sqls)-1-lock, sqls[lock+1:])
		}
		for _, part := range []string{"INSERT INTO messages", "INSERT INTO chat_reads", "INSERT INTO events", "pg_notify"} {
			if !strings.Contains(sqls[lock], part) {
				t.Errorf("the statement that takes the row does not %s: %.300s", part, sqls[lock])
			}
		}
		if len(sqls) > 20 {
			t.Fatalf("%d statements for one send", len(sqls))
		}
		if body["thread_root_id"] == nil && len(sqls) > 7 {
			// The session with its user (and so the sender's name), the rate count, the
			// membership, the chat with the sender's place in it, the client id, the ad-hoc
			// chat's members (the audience), the append.
			t.Fatalf("%d statements for a plain send, want at most 7", len(sqls))
		}
	}
	// The same client id again: the first message, one read, no lock.
	res, sqls := send("POST", d.org("/chats/"+chatID+"/messages"), map[string]any{"client_id": "counted-1", "body": "Hello **team**"})
	if res.status != 200 {
		t.Fatalf("resend: %d %s", res.status, res.body)
	}
	for _, s := range sqls {
		if strings.HasPrefix(s, "UPDATE chats") {
			t.Fatalf("a resend took the sequence: %s", s)
		}
	}

	// The read list of the sender's message: one statement over the members and their read rows.
	first := li.must(200, "POST", d.org("/chats/"+chatID+"/messages"), map[string]any{"client_id": "counted-1", "body": "Hello **team**"})["id"].(string)
	res, sqls = send("GET", d.org("/chats/"+chatID+"/messages/"+first+"/reads"), nil)
	if res.status != 200 {
		t.Fatalf("reads: %d %s", res.status, res.body)
	}
	for i, s := range sqls {
		t.Logf("reads %2d %.160s", i+1, s)
	}
}
