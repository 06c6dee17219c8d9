package mail_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/mail"
	pgmail "canopy/infra/postgres/mail"
	"canopy/infra/postgres/pgtest"
)

// TestReleaseOnlyOwnLease: a worker whose lease ran out, and whose message another worker has
// claimed since, cannot hand that message back; the worker that holds it can.
func TestReleaseOnlyOwnLease(t *testing.T) {
	db := pgtest.MustDB(t)
	o := pgmail.NewOutbox(db)
	ctx := context.Background()
	e, err := mail.NewEmail("a@example.com", "en", mail.KindActivation, "Hi", "text", "")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := o.Add(ctx, e, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	// The stale worker's lease has already run out (it is in the past, to the nanosecond).
	stale := now.Add(-time.Minute + 123)
	if c, err := o.Claim(ctx, now, stale, 10); err != nil || len(c) != 1 {
		t.Fatalf("first claim: %v %v", c, err)
	}
	fresh := now.Add(time.Hour + 456)
	if c, err := o.Claim(ctx, now, fresh, 10); err != nil || len(c) != 1 || c[0].Attempts != 2 {
		t.Fatalf("second claim: %v %v", c, err)
	}
	if err := o.Release(ctx, []uuid.UUID{e.ID}, stale, now); err != nil {
		t.Fatal(err)
	}
	if c, err := o.Claim(ctx, now, now.Add(time.Hour), 10); err != nil || len(c) != 0 {
		t.Fatalf("the stale worker handed back a message another one holds: %v %v", c, err)
	}
	if err := o.Release(ctx, []uuid.UUID{e.ID}, fresh, now); err != nil {
		t.Fatal(err)
	}
	c, err := o.Claim(ctx, now, now.Add(time.Hour), 10)
	if err != nil || len(c) != 1 || c[0].Attempts != 2 {
		t.Fatalf("after the holder handed it back: %v %v", c, err)
	}
}
