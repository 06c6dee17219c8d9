package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/identity"
	"canopy/domain/messaging"
	"canopy/domain/org"
	"canopy/infra/pinyin"
	pgidentity "canopy/infra/postgres/identity"
	pgmessaging "canopy/infra/postgres/messaging"
	pgorg "canopy/infra/postgres/org"
)

// msUsers makes n active members of an organisation straight in the database (they never sign
// in) and returns their ids and names, in order.
func msUsers(t *testing.T, e *testEnv, orgID, prefix string, n int) ([]string, []string) {
	t.Helper()
	ctx := context.Background()
	users, members := pgidentity.NewUsers(e.stack.db, pinyin.Keys), pgorg.NewMemberships(e.stack.db)
	oid := uuid.MustParse(orgID)
	ids, names := make([]string, n), make([]string, n)
	for i := range n {
		name := fmt.Sprintf("%s %04d", prefix, i)
		u, err := identity.NewUser(identity.NewUserInput{Email: fmt.Sprintf("%s-%d@bulk.example", prefix, i), DisplayName: name, PasswordHash: "$argon2id$x"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := users.Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := members.Add(ctx, org.NewMembership(oid, u.ID(), org.RoleMember, time.Now())); err != nil {
			t.Fatal(err)
		}
		ids[i], names[i] = u.ID().String(), name
	}
	return ids, names
}

// TestMessagingGroupAndDepartmentChatsFollowTheDirectory: a department's chat has its subtree's
// members and a group's chat its group's, live: whoever joins sees it at once, whoever leaves
// gets 404 and finds nothing of it in search. A guest sees only the chats they are in. A pair
// has one direct chat.
func TestMessagingGroupAndDepartmentChatsFollowTheDirectory(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Live", "owner@live.example")
	dept := d.mustDept("", "Sales")
	child := d.mustDept(dept, "Sales East")
	a, aID := e.mustJoin(d.mustInvite(nil), "a@live.example")
	b, bID := e.mustJoin(d.mustInvite(nil), "b@live.example")
	g, gID := e.mustJoin(d.mustInvite(map[string]any{"role": "guest"}), "g@live.example")
	d.c.must(204, "PUT", d.admin("/departments/"+child+"/members/"+aID), map[string]any{})
	group := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Club", "department_id": dept})["id"].(string)
	d.c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+bID), map[string]any{"role": "owner"})
	d.c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+gID), map[string]any{})

	deptChat := msChat(t, d.c, d, map[string]any{"kind": "department", "department_id": dept})
	if deptChat["name"] != "Sales" || deptChat["member_count"].(float64) != 1 {
		t.Fatalf("department chat: %v", deptChat)
	}
	wantCode(t, "a second department chat", d.c.do("POST", d.org("/chats"), map[string]any{"kind": "department", "department_id": dept}), 409, "chat_exists")
	wantCode(t, "a group chat by a non-owner", a.do("POST", d.org("/chats"), map[string]any{"kind": "group", "group_id": group}), 403, "forbidden")
	groupChat := msChat(t, b, d, map[string]any{"kind": "group", "group_id": group})
	if groupChat["name"] != "Club" || groupChat["member_count"].(float64) != 2 {
		t.Fatalf("group chat: %v", groupChat)
	}
	deptID, groupID := deptChat["id"].(string), groupChat["id"].(string)
	msSend(t, a, d, deptID, map[string]any{"body": "我们明天讨论季度报告的细节"})
	msSend(t, g, d, groupID, map[string]any{"body": "guest hello"})

	// The guest sees the group's chat (they are in the group) and nothing else.
	if l := g.must(200, "GET", d.org("/chats"), nil); l["total"].(float64) != 1 || msItems(l)[0]["id"] != groupID {
		t.Fatalf("guest's chats: %v", l)
	}
	wantCode(t, "guest reads the department chat", g.do("GET", d.org("/chats/"+deptID+"/messages"), nil), 404, "not_found")

	// Search finds a Chinese phrase inside a longer sentence, only in one's own chats.
	q := "/messages/search?q=" + url.QueryEscape("季度报告")
	if r := a.must(200, "GET", d.org(q), nil); r["total"].(float64) != 1 || msItems(r)[0]["chat_id"] != deptID {
		t.Fatalf("search: %v", r)
	} else if hl := msItems(r)[0]["highlights"].([]any); len(hl) != 1 {
		t.Fatalf("highlights: %v", r)
	}
	if r := b.must(200, "GET", d.org(q), nil); r["total"].(float64) != 0 {
		t.Fatalf("b found another chat's message: %v", r)
	}

	// Joining the group joins its chat at once.
	a.must(404, "GET", d.org("/chats/"+groupID), nil)
	d.c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+aID), map[string]any{})
	a.must(200, "GET", d.org("/chats/"+groupID), nil)
	// Leaving the department leaves its chat at once: 404, nothing in the list or in search.
	d.c.must(204, "DELETE", d.admin("/departments/"+child+"/members/"+aID), nil)
	wantCode(t, "a former member reads", a.do("GET", d.org("/chats/"+deptID+"/messages"), nil), 404, "not_found")
	wantCode(t, "a former member sends", a.do("POST", d.org("/chats/"+deptID+"/messages"), map[string]any{"client_id": "x", "body": "x"}), 404, "not_found")
	if r := a.must(200, "GET", d.org(q), nil); r["total"].(float64) != 0 {
		t.Fatalf("a former member still finds: %v", r)
	}
	for _, it := range msItems(a.must(200, "GET", d.org("/chats"), nil)) {
		if it["id"] == deptID {
			t.Fatal("a former member still lists the chat")
		}
	}

	// A pair has one direct chat, whichever of them starts it.
	direct := msChat(t, a, d, map[string]any{"kind": "direct", "user_id": bID})
	if again := b.must(200, "POST", d.org("/chats"), map[string]any{"kind": "direct", "user_id": aID}); again["id"] != direct["id"] {
		t.Fatalf("second direct chat: %v", again)
	}
	if direct["name"] != "Person b@live.example" {
		t.Fatalf("direct chat's name for a: %v", direct["name"])
	}
	// Bad input: 4xx, never 500.
	for _, bad := range []map[string]any{
		{"kind": "nonsense"}, {"kind": "direct"}, {"kind": "direct", "user_id": "not-an-id"}, {"kind": "direct", "user_id": aID},
		{"kind": "adhoc"}, {"kind": "adhoc", "name": "x\x00"}, {"kind": "group", "group_id": uuid.NewString()}, {},
	} {
		if r := a.do("POST", d.org("/chats"), bad); r.status < 400 || r.status >= 500 {
			t.Errorf("create %v: %d %s", bad, r.status, r.body)
		}
	}
	big := make([]byte, 16<<10+1)
	for i := range big {
		big[i] = 'a'
	}
	for _, bad := range []map[string]any{
		{"body": "no client id"}, {"client_id": "x"}, {"client_id": "x", "body": "   "}, {"client_id": "x", "body": string(big)},
		{"client_id": "x", "body": "bad\x07"}, {"client_id": "x", "body": "y", "thread_root_id": uuid.NewString()},
		{"client_id": "x", "body": "y", "quote_id": "nope"}, {"client_id": "x", "body": "y", "mention_ids": []string{d.ownerID(t)}},
		{"client_id": "x", "body": "y", "attachment_ids": []string{uuid.NewString()}}, {"client_id": "x", "body": 5},
	} {
		if bad["client_id"] != nil {
			bad["client_id"] = uuid.NewString()
		}
		if r := b.do("POST", d.org("/chats/"+groupID+"/messages"), bad); r.status < 400 || r.status >= 500 {
			t.Errorf("send %v: %d %s", bad, r.status, r.body)
		}
	}
	wantCode(t, "a body over 16 KiB", b.do("POST", d.org("/chats/"+groupID+"/messages"), map[string]any{"client_id": "x", "body": string(big)}), 400, "message_too_long")
	for _, bad := range []string{"?before_seq=x", "?limit=0", "?limit=1000", "?before_seq=1&after_seq=1"} {
		if r := b.do("GET", d.org("/chats/"+groupID+"/messages"+bad), nil); r.status != 400 {
			t.Errorf("history %s: %d %s", bad, r.status, r.body)
		}
	}
	wantCode(t, "read without seq", b.do("POST", d.org("/chats/"+groupID+"/read"), map[string]any{}), 400, "missing_field")
	wantCode(t, "read a negative seq", b.do("POST", d.org("/chats/"+groupID+"/read"), map[string]any{"seq": -1}), 400, "invalid_seq")
	wantCode(t, "search without q", b.do("GET", d.org("/messages/search"), nil), 400, "missing_field")
	wantCode(t, "search with a bad date", b.do("GET", d.org("/messages/search?q=x&from=yesterday"), nil), 400, "invalid_date")
}

// TestMessagingAdhocCapUnderConcurrentAdds: concurrent additions to an ad-hoc chat never pass
// the organisation's group size; the ones over it are 422 chat_full.
func TestMessagingAdhocCapUnderConcurrentAdds(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Cap", "owner@cap.example")
	if err := e.stack.db.Exec(`UPDATE organisations SET max_group_members = 10 WHERE id = ?`, d.orgID).Error; err != nil {
		t.Fatal(err)
	}
	ids, _ := msUsers(t, e, d.orgID, "Cap", 16)
	chatID := msChat(t, d.c, d, map[string]any{"kind": "adhoc", "name": "Capped", "member_ids": ids[:2]})["id"].(string)
	var wg sync.WaitGroup
	statuses := make([]int, 13)
	for i := range 13 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := d.c.do("POST", d.org("/chats/"+chatID+"/members"), map[string]any{"user_ids": []string{ids[2+i]}})
			statuses[i] = r.status
		}()
	}
	wg.Wait()
	ok, full := 0, 0
	for _, s := range statuses {
		switch s {
		case 200:
			ok++
		case 422:
			full++
		}
	}
	if ok != 7 || full != 6 {
		t.Fatalf("statuses %v: %d added, %d refused; want 7 and 6", statuses, ok, full)
	}
	if n := e.tkCount(t, `SELECT count(*) FROM chat_members WHERE chat_id = ?`, chatID); n != 10 {
		t.Fatalf("%d members stored", n)
	}
	wantCode(t, "one more", d.c.do("POST", d.org("/chats/"+chatID+"/members"), map[string]any{"user_ids": []string{ids[15]}}), 422, "chat_full")
	wantCode(t, "too many at creation", d.c.do("POST", d.org("/chats"), map[string]any{"kind": "adhoc", "name": "Big", "member_ids": ids[:12]}), 422, "chat_full")
}

// TestMessagingReadListOf1000: in a 1000-member group chat, after 600 members read a message its
// read list names those 600 and the 400 others; read state is one row per member per chat,
// however many messages they read.
func TestMessagingReadListOf1000(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Thousand", "owner@thousand.example")
	group := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Everyone"})["id"].(string)
	ownerID := d.ownerID(t)
	d.c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+ownerID), map[string]any{})
	ids, names := msUsers(t, e, d.orgID, "Reader", 999)
	if err := e.stack.db.Exec(`INSERT INTO group_members (org_id, group_id, user_id, role, added_at)
		SELECT ?, ?, u, 'member', now() FROM unnest(CAST(? AS uuid[])) u`, d.orgID, group, "{"+joinIDs(ids)+"}").Error; err != nil {
		t.Fatal(err)
	}
	chat := msChat(t, d.c, d, map[string]any{"kind": "group", "group_id": group})
	if chat["member_count"].(float64) != 1000 {
		t.Fatalf("members: %v", chat["member_count"])
	}
	chatID := chat["id"].(string)
	m := msSend(t, d.c, d, chatID, map[string]any{"body": "Please read"})
	reads := pgmessaging.NewReads(e.stack.db)
	ctx := context.Background()
	cid, oid := uuid.MustParse(chatID), uuid.MustParse(d.orgID)
	for round := range 3 {
		// Each round another message arrives and the same 600 read up to it.
		if round > 0 {
			msSend(t, d.c, d, chatID, map[string]any{"body": fmt.Sprintf("Round %d", round)})
		}
		for _, id := range ids[:600] {
			if _, _, err := reads.MarkRead(ctx, oid, cid, uuid.MustParse(id), int64(round+1)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// One row per member per chat: the 600 readers and the sender, after three messages.
	if n := e.tkCount(t, `SELECT count(*) FROM chat_reads WHERE chat_id = ?`, chatID); n != 601 {
		t.Fatalf("%d read rows", n)
	}
	l := d.c.must(200, "GET", d.org("/chats/"+chatID+"/messages/"+m["id"].(string)+"/reads"), nil)
	if l["read_count"].(float64) != 600 || l["unread_count"].(float64) != 399 || l["hidden_count"].(float64) != 0 {
		t.Fatalf("counts: %v %v %v", l["read_count"], l["unread_count"], l["hidden_count"])
	}
	var got []string
	for _, p := range l["read"].([]any) {
		got = append(got, p.(map[string]any)["name"].(string))
	}
	want := append([]string(nil), names[:600]...)
	sort.Strings(got)
	sort.Strings(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the read list names %d others", len(got))
	}
}

func joinIDs(ids []string) string {
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += ","
		}
		out += id
	}
	return out
}

// TestMessagingOwnerWhoLeavesHandsTheChatOn: an ad-hoc chat's owner who leaves hands it to its
// longest-standing admin, and the next owner who leaves to the longest-standing member; the
// last one out leaves an empty chat. A member who left cannot act in it any more.
func TestMessagingOwnerWhoLeavesHandsTheChatOn(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Heirs", "owner@msg-heirs.example")
	li, _ := e.mustJoin(d.mustInvite(nil), "li@msg-heirs.example")
	han, hanID := e.mustJoin(d.mustInvite(nil), "han@msg-heirs.example")
	wang, wangID := e.mustJoin(d.mustInvite(nil), "wang@msg-heirs.example")
	chatID := msChat(t, li, d, map[string]any{"kind": "adhoc", "name": "Heirs", "member_ids": []string{wangID, hanID}})["id"].(string)
	chat := d.org("/chats/" + chatID)
	li.must(204, "PUT", chat+"/members/"+hanID+"/role", map[string]any{"role": "admin"})
	roles := func(as *client) map[string]string {
		out := map[string]string{}
		for _, m := range as.must(200, "GET", chat+"/members", nil)["items"].([]any) {
			m := m.(map[string]any)
			out[m["user_id"].(string)] = m["role"].(string)
		}
		return out
	}
	// Wang joined first, but Han is an admin: Han takes over.
	li.must(204, "POST", chat+"/leave", nil)
	if got := roles(wang); len(got) != 2 || got[hanID] != "owner" || got[wangID] != "member" {
		t.Fatalf("after the owner left: %v", got)
	}
	wantCode(t, "the former owner renames", li.do("PATCH", chat, map[string]any{"name": "Mine again"}), 404, "not_found")
	han.must(204, "POST", chat+"/leave", nil)
	if got := roles(wang); len(got) != 1 || got[wangID] != "owner" {
		t.Fatalf("after the second owner left: %v", got)
	}
	wang.must(204, "POST", chat+"/leave", nil)
	if n := e.tkCount(t, `SELECT count(*) FROM chat_members WHERE chat_id = ?`, chatID); n != 0 {
		t.Fatalf("%d members left in an empty chat", n)
	}
}

// TestMessagingChatUpdateKeepsTheSequence: a chat read before a send and written after it (a
// rename racing a message) does not put the chat's sequence back, so the next send still gets
// the next number instead of colliding with the last one for good.
func TestMessagingChatUpdateKeepsTheSequence(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Racing rename", "owner@msg-race.example")
	li, liID := e.mustJoin(d.mustInvite(nil), "li@msg-race.example")
	chatID := msChat(t, d.c, d, map[string]any{"kind": "adhoc", "name": "Race", "member_ids": []string{liID}})["id"].(string)
	msSend(t, li, d, chatID, map[string]any{"body": "one"})
	chats := pgmessaging.NewChats(e.stack.db)
	stale, err := chats.Get(context.Background(), uuid.MustParse(d.orgID), uuid.MustParse(chatID))
	if err != nil {
		t.Fatal(err)
	}
	msSend(t, li, d, chatID, map[string]any{"body": "two"})
	renamed := "Renamed"
	if err := stale.Update(messaging.ChatPatch{Name: &renamed}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := chats.Update(context.Background(), stale); err != nil {
		t.Fatal(err)
	}
	if m := msSend(t, li, d, chatID, map[string]any{"body": "three"}); m["seq"].(float64) != 3 {
		t.Fatalf("the send after the rename: %v", m)
	}
}

// TestMessagingConcurrentSendsKeepOneOrder: sends to one chat at the same time, which a
// replica writes together when they queue for the chat's row, each get their own sequence with
// none skipped; each message's event carries its sequence and the events follow that order;
// each sender's read state is their last message; a client id sent twice at once is stored once
// and both answers name that message.
func TestMessagingConcurrentSendsKeepOneOrder(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Busy chat", "owner@msg-busy.example")
	var senders []*client
	var ids []string
	for i := range 4 {
		c, id := e.mustJoin(d.mustInvite(nil), fmt.Sprintf("s%d@msg-busy.example", i))
		senders, ids = append(senders, c), append(ids, id)
	}
	chatID := msChat(t, d.c, d, map[string]any{"kind": "adhoc", "name": "Busy", "member_ids": ids})["id"].(string)
	path := d.org("/chats/" + chatID + "/messages")
	const each = 10
	type sent struct {
		status int
		id     string
		sender int
	}
	results := make(chan sent, 4*each+2)
	var wg sync.WaitGroup
	for s, c := range senders {
		for k := range each {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := c.do("POST", path, map[string]any{"client_id": fmt.Sprintf("busy-%d-%d", s, k), "body": fmt.Sprintf("message %d from %d", k, s)})
				var m struct{ ID string }
				_ = json.Unmarshal(res.body, &m)
				results <- sent{res.status, m.ID, s}
			}()
		}
	}
	for range 2 { // the same client id twice, at once
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := senders[0].do("POST", path, map[string]any{"client_id": "busy-twice", "body": "sent twice"})
			var m struct{ ID string }
			_ = json.Unmarshal(res.body, &m)
			results <- sent{res.status, m.ID, -1}
		}()
	}
	wg.Wait()
	close(results)
	var answeredTwice []string
	for r := range results {
		if r.status != 201 && r.status != 200 {
			t.Fatalf("a send answered %d", r.status)
		}
		if r.id == "" {
			t.Fatal("a send answered no message")
		}
		if r.sender < 0 {
			answeredTwice = append(answeredTwice, r.id)
		}
	}
	var twice []string
	var rows []struct {
		ID       string
		Seq      int64
		SenderID string
		ClientID string
		EventSeq *int64
		EventID  *int64
	}
	e.stack.db.Raw(`SELECT m.id::text, m.seq, m.sender_id::text, m.client_id, (ev.payload -> 'message' ->> 'seq')::bigint AS event_seq, ev.id AS event_id
		FROM messages m LEFT JOIN events ev ON ev.type = 'messages.message_created' AND (ev.payload -> 'message' ->> 'id') = m.id::text
		WHERE m.chat_id = ? ORDER BY m.seq`, chatID).Scan(&rows)
	if len(rows) != 4*each+1 {
		t.Fatalf("%d messages stored; want %d (the twice-sent one once)", len(rows), 4*each+1)
	}
	var lastEvent int64
	last := map[string]int64{}
	for i, r := range rows {
		if r.Seq != int64(i+1) {
			t.Fatalf("message %d has seq %d: sequences skip or repeat", i+1, r.Seq)
		}
		if r.EventSeq == nil || *r.EventSeq != r.Seq {
			t.Fatalf("the event of seq %d carries seq %v", r.Seq, r.EventSeq)
		}
		if *r.EventID <= lastEvent {
			t.Fatalf("the event of seq %d (id %d) comes before the one of seq %d (id %d)", r.Seq, *r.EventID, r.Seq-1, lastEvent)
		}
		lastEvent = *r.EventID
		last[r.SenderID] = r.Seq
		if r.ClientID == "busy-twice" {
			twice = append(twice, r.ID)
		}
	}
	if len(twice) != 1 || answeredTwice[0] != twice[0] || answeredTwice[1] != twice[0] {
		t.Fatalf("the twice-sent client id is stored as %v; the two sends answered %v", twice, answeredTwice)
	}
	for sender, seq := range last {
		var read int64
		e.stack.db.Raw(`SELECT last_read_seq FROM chat_reads WHERE chat_id = ? AND user_id = ?`, chatID, sender).Scan(&read)
		if read != seq {
			t.Fatalf("a sender's last read is %d; their last message is %d", read, seq)
		}
	}
}
