package main

import (
	"context"
	"testing"
)

// TestMessagingRetentionPurge: with a retention of one day, the sweeper's purge deletes a
// message older than that in a chat without a legal hold, keeps one as old in a chat under legal
// hold, and keeps a new one.
func TestMessagingRetentionPurge(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Retention", "owner@msg-retention.example")
	_, liID := e.mustJoin(d.mustInvite(nil), "li@msg-retention.example")

	free := msChat(t, d.c, d, map[string]any{"kind": "adhoc", "name": "Free", "member_ids": []string{liID}})["id"].(string)
	held := msChat(t, d.c, d, map[string]any{"kind": "adhoc", "name": "Held", "member_ids": []string{liID}})["id"].(string)
	oldFree := msSend(t, d.c, d, free, map[string]any{"body": "old, no hold"})["id"].(string)
	newFree := msSend(t, d.c, d, free, map[string]any{"body": "new, no hold"})["id"].(string)
	oldHeld := msSend(t, d.c, d, held, map[string]any{"body": "old, on hold"})["id"].(string)
	d.c.must(200, "PUT", d.org("/chats/"+held+"/legal-hold"), nil)
	d.c.must(200, "PUT", d.org("/messaging/settings"), map[string]any{"retention_days": 1, "allow_receipt_opt_out": false, "mention_all_max": 50})
	if err := e.stack.db.Exec(`UPDATE messages SET created_at = now() - interval '3 days' WHERE id IN (?, ?)`, oldFree, oldHeld).Error; err != nil {
		t.Fatal(err)
	}

	n, err := e.stack.messaging.Purge(context.Background())
	if err != nil {
		t.Fatalf("purge: %v", err)
	}
	if n != 1 {
		t.Fatalf("purged %d messages, want 1", n)
	}
	for id, want := range map[string]int{oldFree: 0, newFree: 1, oldHeld: 1} {
		if got := e.tkCount(t, `SELECT count(*) FROM messages WHERE id = ?`, id); got != want {
			t.Fatalf("message %s: %d rows, want %d", id, got, want)
		}
	}
}
