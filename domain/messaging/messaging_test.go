package messaging

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

func newMsg(t *testing.T, body string) *Message {
	t.Helper()
	m, err := NewMessage(MessageInput{OrgID: uuid.New(), ChatID: uuid.New(), SenderID: uuid.New(), Seq: 1, ClientID: "c1", Body: body}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMessageBodyLimits(t *testing.T) {
	for _, tc := range []struct {
		body  string
		atts  int
		code  string
		valid bool
	}{
		{"hello", 0, "", true},
		{strings.Repeat("a", MaxBodyBytes), 0, "", true},
		{strings.Repeat("a", MaxBodyBytes+1), 0, "message_too_long", false},
		{strings.Repeat("中", MaxBodyBytes/3+1), 0, "message_too_long", false},
		{"   ", 0, "missing_field", false},
		{"", 1, "", true},
		{"bell\x07", 0, "", false},
	} {
		err := CheckBody(tc.body, tc.atts)
		if (err == nil) != tc.valid || (tc.code != "" && errs.CodeOf(err) != tc.code) {
			t.Errorf("%.20q: %v", tc.body, err)
		}
	}
}

func TestRecallWindowAndPlaceholder(t *testing.T) {
	m := newMsg(t, "oops")
	if err := m.Recall(uuid.New(), 2*time.Minute, time.Now()); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("recall by another: %v", err)
	}
	if err := m.Recall(m.SenderID(), 2*time.Minute, m.CreatedAt().Add(3*time.Minute)); errs.CodeOf(err) != "recall_window_passed" {
		t.Fatalf("late recall: %v", err)
	}
	if err := m.Recall(m.SenderID(), 2*time.Minute, m.CreatedAt().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if m.Body() != "" || !m.Gone() {
		t.Fatal("a recalled message keeps its body")
	}
	if _, err := m.Edit(m.SenderID(), "again", time.Now()); errs.CodeOf(err) != "message_gone" {
		t.Fatalf("edit after recall: %v", err)
	}
}

func TestMentionsAndDirectChats(t *testing.T) {
	sender, other := uuid.New(), uuid.New()
	m, err := NewMessage(MessageInput{OrgID: uuid.New(), ChatID: uuid.New(), SenderID: sender, Seq: 1, ClientID: "c", Body: "x",
		Mentions: []uuid.UUID{other, sender, other}}, time.Now())
	if err != nil || len(m.Mentions()) != 1 || m.Mentions()[0] != other {
		t.Fatalf("mentions: %v %v", m.Mentions(), err)
	}
	if DirectKey(sender, other) != DirectKey(other, sender) {
		t.Fatal("the direct key depends on who starts")
	}
	if _, err := NewChat(ChatInput{OrgID: uuid.New(), Kind: KindDirect, CreatedBy: sender, Peer: sender}, time.Now()); err == nil {
		t.Fatal("a direct chat with oneself")
	}
	if _, err := NewChat(ChatInput{OrgID: uuid.New(), Kind: KindAdhoc, CreatedBy: sender}, time.Now()); errs.CodeOf(err) != "missing_field" {
		t.Fatalf("an ad-hoc chat without a name: %v", err)
	}
}
