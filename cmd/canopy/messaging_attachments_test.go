package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// Message attachments read through their chat, and presence told on connect and disconnect
// (issue 12).

// msAttachmentGet fetches an attachment route (a path as the Message JSON names it) as c.
func msAttachmentGet(c *client, url string, header map[string]string) response {
	return c.rawWith("GET", url, "", nil, header)
}

// msThumbnails runs the files module's thumbnail job until it finds nothing left.
func msThumbnails(t *testing.T, e *testEnv) {
	t.Helper()
	for {
		n, err := e.stack.files.MakeThumbnails(context.Background(), 100)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// TestMessagingAttachmentsReadThroughTheChat: a file Li uploads into her own space (an ad-hoc
// chat's upload target) and sends is readable by every member of the chat through the chat's
// route, bytes and ranges as the files module serves them, though the files module itself does
// not let Han read it; a non-member, another organisation, a file not attached, a recalled
// message and a removed member get 404; a token without messages.read gets 403; an image has a
// thumbnail; a file trashed in the files module is gone from the chat too.
func TestMessagingAttachmentsReadThroughTheChat(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Attachments", "owner@attach-chat.example")
	d.c.must(200, "PUT", d.admin("/files/policy"), map[string]any{"min_retention_days": 0})
	li, liID := e.mustJoin(d.mustInvite(nil), "li@attach-chat.example")
	han, hanID := e.mustJoin(d.mustInvite(nil), "han@attach-chat.example")
	zhao, _ := e.mustJoin(d.mustInvite(nil), "zhao@attach-chat.example")
	other := e.mustDir("Elsewhere", "owner@elsewhere-chat.example")

	chatID := msChat(t, d.c, d, map[string]any{"kind": "adhoc", "name": "Plans", "member_ids": []string{liID, hanID}})["id"].(string)
	// The upload target of an ad-hoc chat is the sender's own space.
	target := li.must(200, "GET", d.org("/chats/"+chatID+"/upload-target"), nil)["space_id"].(string)
	if target != spaceOf(t, li, d.orgID, "personal") {
		t.Fatalf("upload target %s is not Li's personal space", target)
	}
	body := []byte("第一季度计划: revenue up, costs down. " + strings.Repeat("x", 100))
	file := mustUpload(t, li, d.orgID, target, "", "季度计划.txt", body)["id"].(string)
	spare := mustUpload(t, li, d.orgID, target, "", "not sent.txt", []byte("kept back"))["id"].(string)
	m := msSend(t, li, d, chatID, map[string]any{"body": "the plan", "attachment_ids": []string{file}})
	atts := m["attachments"].([]any)
	if len(atts) != 1 {
		t.Fatalf("attachments: %v", m)
	}
	att := atts[0].(map[string]any)
	url := d.org("/chats/" + chatID + "/messages/" + m["id"].(string) + "/attachments/" + file)
	if att["id"] != file || att["name"] != "季度计划.txt" || att["size"] != float64(len(body)) || att["url"] != url || att["thumbnail_url"] != nil {
		t.Fatalf("attachment: %v", att)
	}
	// The history shows the same to Han.
	if got := msItems(han.must(200, "GET", d.org("/chats/"+chatID+"/messages"), nil))[0]["attachments"].([]any)[0].(map[string]any); got["url"] != url {
		t.Fatalf("Han's view of the attachment: %v", got)
	}

	// The files module does not let Han read Li's personal file; the chat does.
	if r := han.do("GET", d.org("/files/"+file+"/content"), nil); r.status != 404 {
		t.Fatalf("Han reading Li's file in the files module: %d %s", r.status, r.body)
	}
	r := msAttachmentGet(han, url, nil)
	if r.status != 200 || !bytes.Equal(r.body, body) {
		t.Fatalf("Han downloading through the chat: %d %q", r.status, r.body)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''%E5%AD%A3") {
		t.Fatalf("Content-Disposition: %q", cd)
	}
	if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("ETag") == "" {
		t.Fatalf("headers: %v", r.header)
	}
	if r := msAttachmentGet(han, url, map[string]string{"Range": "bytes=0-8"}); r.status != 206 || !bytes.Equal(r.body, body[:9]) {
		t.Fatalf("a range: %d %q", r.status, r.body)
	}
	if r := msAttachmentGet(han, url, map[string]string{"Range": "bytes=100000-"}); r.status != 416 {
		t.Fatalf("a range past the end: %d %s", r.status, r.body)
	}

	// Zhao is not in the chat; the other organisation's owner is not in the organisation; a file
	// of Li's that was not sent is no attachment, nor is a malformed id.
	for name, c := range map[string]*client{"a non-member": zhao, "another organisation": other.c} {
		if r := msAttachmentGet(c, url, nil); r.status != 404 {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
		if r := msAttachmentGet(c, url+"/thumbnail", nil); r.status != 404 {
			t.Errorf("%s, thumbnail: %d %s", name, r.status, r.body)
		}
	}
	if r := msAttachmentGet(other.c, other.org("/chats/"+chatID+"/messages/"+m["id"].(string)+"/attachments/"+file), nil); r.status != 404 {
		t.Errorf("through another organisation: %d %s", r.status, r.body)
	}
	if r := msAttachmentGet(han, strings.TrimSuffix(url, file)+spare, nil); r.status != 404 {
		t.Errorf("a file not attached: %d %s", r.status, r.body)
	}
	if r := msAttachmentGet(han, strings.TrimSuffix(url, file)+"nope", nil); r.status != 404 {
		t.Errorf("a malformed file id: %d %s", r.status, r.body)
	}

	// An image: a thumbnail URL, served once the files module has made it.
	img := mustUpload(t, li, d.orgID, target, "", "whiteboard.png", tinyPNG(t))["id"].(string)
	mi := msSend(t, li, d, chatID, map[string]any{"body": "", "attachment_ids": []string{img}})
	imgAtt := mi["attachments"].([]any)[0].(map[string]any)
	imgURL := d.org("/chats/" + chatID + "/messages/" + mi["id"].(string) + "/attachments/" + img)
	if imgAtt["url"] != imgURL || imgAtt["thumbnail_url"] != imgURL+"/thumbnail" || imgAtt["content_type"] != "image/png" {
		t.Fatalf("image attachment: %v", imgAtt)
	}
	msThumbnails(t, e)
	if r := msAttachmentGet(han, imgURL+"/thumbnail", nil); r.status != 200 || r.header.Get("Content-Type") != "image/jpeg" || len(r.body) == 0 {
		t.Fatalf("thumbnail: %d %v", r.status, r.header)
	}
	if r := msAttachmentGet(han, imgURL, nil); r.status != 200 || !bytes.Equal(r.body, tinyPNG(t)) || !strings.HasPrefix(r.header.Get("Content-Disposition"), "inline") {
		t.Fatalf("the image: %d %v", r.status, r.header)
	}
	if r := msAttachmentGet(han, imgURL+"?download=1", nil); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("the image with download=1: %d %v", r.status, r.header)
	}
	// A text file has no thumbnail.
	if r := msAttachmentGet(han, url+"/thumbnail", nil); r.status != 404 {
		t.Fatalf("a text file's thumbnail: %d %s", r.status, r.body)
	}
	// The owner's tokens: narrowed to files.read, no reading through the chat (it takes
	// messages.read); narrowed to messages.read, the same bytes.
	token := func(scope string) *client {
		return e.tokenClient(d.c.must(201, "POST", d.org("/tokens"), map[string]any{"name": scope, "scopes": []string{scope}})["secret"].(string))
	}
	wantCode(t, "a token narrowed to files.read", msAttachmentGet(token("files.read"), url, nil), 403, "forbidden")
	if r := msAttachmentGet(token("messages.read"), url, nil); r.status != 200 || !bytes.Equal(r.body, body) {
		t.Fatalf("a token narrowed to messages.read: %d %s", r.status, r.body)
	}
	// Recalled: the attachment is gone with the message.
	li.must(200, "POST", d.org("/chats/"+chatID+"/messages/"+mi["id"].(string)+"/recall"), nil)
	for _, u := range []string{imgURL, imgURL + "/thumbnail"} {
		if r := msAttachmentGet(han, u, nil); r.status != 404 {
			t.Fatalf("after the recall, %s: %d %s", u, r.status, r.body)
		}
	}

	// Han removed from the chat: 404; the owner, still in it, reads it.
	d.c.must(204, "DELETE", d.org("/chats/"+chatID+"/members/"+hanID), nil)
	if r := msAttachmentGet(han, url, nil); r.status != 404 {
		t.Fatalf("a removed member: %d %s", r.status, r.body)
	}
	if r := msAttachmentGet(d.c, url, nil); r.status != 200 || !bytes.Equal(r.body, body) {
		t.Fatalf("the owner: %d", r.status)
	}
	// The file stays the files module's: Li trashes it there, and the chat has it no more.
	li.must(204, "DELETE", d.org("/files/"+file), nil)
	if r := msAttachmentGet(d.c, url, nil); r.status != 404 {
		t.Fatalf("a trashed file: %d %s", r.status, r.body)
	}
	if got := msItems(d.c.must(200, "GET", d.org("/chats/"+chatID+"/messages"), nil))[0]; len(got["attachments"].([]any)) != 0 {
		t.Fatalf("a trashed file still listed: %v", got)
	}
}

// TestMessagingAttachmentNamesFollowTheContentRules: a file whose name a rule blocks cannot be
// sent (422 content_blocked naming the phrase, nothing stored); a name a rule flags is sent and
// flagged with kind file_name.
func TestMessagingAttachmentNamesFollowTheContentRules(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Named", "owner@named-chat.example")
	li, liID := e.mustJoin(d.mustInvite(nil), "li@named-chat.example")
	chatID := msChat(t, d.c, d, map[string]any{"kind": "adhoc", "name": "Files", "member_ids": []string{liID}})["id"].(string)
	d.c.must(201, "POST", d.org("/content-rules"), map[string]any{"phrase": "机密", "action": "block"})
	d.c.must(201, "POST", d.org("/content-rules"), map[string]any{"phrase": "draft", "action": "flag"})
	space := li.must(200, "GET", d.org("/chats/"+chatID+"/upload-target"), nil)["space_id"].(string)
	secret := mustUpload(t, li, d.orgID, space, "", "机密名单.xlsx", []byte("names"))["id"].(string)
	fine := mustUpload(t, li, d.orgID, space, "", "notes.txt", []byte("notes"))["id"].(string)

	res := li.do("POST", d.org("/chats/"+chatID+"/messages"), map[string]any{"client_id": "blocked", "body": "harmless", "attachment_ids": []string{fine, secret}})
	if res.status != 422 || res.errorCode(t) != "content_blocked" || !strings.Contains(string(res.body), "机密") {
		t.Fatalf("a blocked file name: %d %s", res.status, res.body)
	}
	if n := e.tkCount(t, `SELECT count(*) FROM messages WHERE chat_id = ?`, chatID); n != 0 {
		t.Fatalf("%d messages stored", n)
	}
	if n := e.tkCount(t, `SELECT count(*) FROM content_flags WHERE org_id = ?`, d.orgID); n != 0 {
		t.Fatalf("%d flags stored", n)
	}

	draft := mustUpload(t, li, d.orgID, space, "", "Budget DRAFT v2.pdf", []byte("%PDF-1.4 draft"))["id"].(string)
	sent := msSend(t, li, d, chatID, map[string]any{"body": "see attached", "attachment_ids": []string{draft}})
	flags := d.c.must(200, "GET", d.org("/content-flags?reviewed=false"), nil)
	items := flags["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("flags: %v", flags)
	}
	if f := items[0].(map[string]any); f["kind"] != "file_name" || f["message_id"] != sent["id"] || f["chat_id"] != chatID ||
		f["sender_id"] != liID || f["phrase"] != "draft" || f["excerpt"] != "Budget DRAFT v2.pdf" {
		t.Fatalf("flag: %v", f)
	}
}

// msPresence is presence.changed's payload.
type msPresence struct {
	UserID string `json:"user_id"`
	Status string `json:"status"`
}

// msAwaitPresence reads conn until presence.changed says status of user (other events are
// skipped), failing when the stream ends or stays silent for next's bound.
func msAwaitPresence(t *testing.T, conn *websocket.Conn, user, status string) {
	t.Helper()
	for range 100 {
		m := next(t, conn)
		if m.Type != "event" || m.Event.Type != "presence.changed" {
			continue
		}
		var p msPresence
		if err := json.Unmarshal(m.Event.Payload, &p); err != nil {
			t.Fatalf("presence payload %s: %v", m.Event.Payload, err)
		}
		if p.UserID == user && p.Status == status {
			return
		}
	}
	t.Fatalf("no presence.changed %s for %s", status, user)
}

// TestMessagingPresenceOnConnectAndDisconnect: when A opens the event stream (their first
// connection anywhere) B, who has a direct chat with A, is told A is online; when A's last
// connection closes, that A is offline. A second connection of A's tells nothing new. C, in the
// same organisation without a direct chat with A, is told nothing of A.
func TestMessagingPresenceOnConnectAndDisconnect(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Presence", "owner@presence-chat.example")
	a, aID := e.mustJoin(d.mustInvite(nil), "a@presence-chat.example")
	b, bID := e.mustJoin(d.mustInvite(nil), "b@presence-chat.example")
	c, cID := e.mustJoin(d.mustInvite(nil), "c@presence-chat.example")
	a.must(http.StatusCreated, http.MethodPost, d.org("/chats"), map[string]any{"kind": "direct", "user_id": bID})

	bConn := dialEvents(t, b, "")
	cConn := dialEvents(t, c, "")
	aConn := dialEvents(t, a, "")
	msAwaitPresence(t, bConn, aID, "online")

	// A second connection of A's, then closing it: A stays online, so B hears of no change;
	// the next presence event B gets about A is the offline one after A's last connection.
	aSecond := dialEvents(t, a, "")
	aSecond.Close(websocket.StatusNormalClosure, "")
	aConn.Close(websocket.StatusNormalClosure, "")
	offline := false
	for range 100 {
		m := next(t, bConn)
		if m.Type != "event" || m.Event.Type != "presence.changed" {
			continue
		}
		var p msPresence
		if err := json.Unmarshal(m.Event.Payload, &p); err != nil {
			t.Fatal(err)
		}
		if p.UserID != aID {
			continue
		}
		if p.Status != "offline" {
			t.Fatalf("after A's second connection: %s", m.Event.Payload)
		}
		offline = true
		break
	}
	if !offline {
		t.Fatal("no offline presence for A")
	}

	// A marker after all of that: C's direct chat with the owner. C's stream up to it holds
	// nothing about A's presence.
	ownerChat := d.c.must(http.StatusCreated, http.MethodPost, d.org("/chats"), map[string]any{"kind": "direct", "user_id": cID})
	d.c.must(http.StatusCreated, http.MethodPost, d.org("/chats/"+ownerChat["id"].(string)+"/messages"),
		map[string]any{"client_id": "marker", "body": "marker"})
	for range 100 {
		m := next(t, cConn)
		if m.Type != "event" {
			continue
		}
		if m.Event.Type == "presence.changed" {
			t.Fatalf("C was told of a presence: %s", m.Event.Payload)
		}
		if m.Event.Type == "messages.message_created" {
			return
		}
	}
	t.Fatal("C never got the marker message")
}
