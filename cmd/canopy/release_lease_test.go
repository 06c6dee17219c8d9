package main

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	pgwebhooks "canopy/infra/postgres/webhooks"
)

// TestWebhookReleaseOnlyOwnLease: a worker whose lease ran out, and whose delivery another
// worker has claimed since, cannot hand that delivery back; the worker that holds it can.
func TestWebhookReleaseOnlyOwnLease(t *testing.T) {
	e := newTestEnv(t, allowPrivate)
	o := e.mustDir("Lease", "owner@lease.example")
	o.c.must(201, "POST", o.admin("/webhooks"), map[string]any{"url": "http://127.0.0.1:9/hook", "event_types": []string{"files.file_shared"}})
	publishShared(t, e, o.orgID)
	d := pgwebhooks.NewDeliveries(e.stack.db)
	ctx, now := context.Background(), time.Now().UTC()
	stale := now.Add(-time.Minute + 123) // run out already, to the nanosecond
	c, err := d.Claim(ctx, now, stale, 10)
	if err != nil || len(c) != 1 {
		t.Fatalf("first claim: %v %v", c, err)
	}
	ids := []uuid.UUID{c[0].ID}
	fresh := now.Add(time.Hour + 456)
	if c, err := d.Claim(ctx, now, fresh, 10); err != nil || len(c) != 1 {
		t.Fatalf("second claim: %v %v", c, err)
	}
	attempts := func() int {
		var n int
		if err := e.stack.db.Raw(`SELECT attempts FROM webhook_deliveries WHERE id = ?`, ids[0]).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := d.Release(ctx, ids, stale, now); err != nil || attempts() != 2 {
		t.Fatalf("the stale worker's hand-back: %v, attempts %d", err, attempts())
	}
	if c, err := d.Claim(ctx, now, now.Add(time.Hour), 10); err != nil || len(c) != 0 {
		t.Fatalf("the stale worker handed back a delivery another one holds: %v %v", c, err)
	}
	if err := d.Release(ctx, ids, fresh, now); err != nil || attempts() != 1 {
		t.Fatalf("the holder's hand-back: %v, attempts %d", err, attempts())
	}
}
