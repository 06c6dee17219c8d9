package files

import (
	"context"
	"testing"

	"canopy/infra/postgres"
	"canopy/infra/postgres/pgtest"
)

// TestDiscardFreesSessionLock: a connection discarded while it holds a session advisory lock
// (as the sweeper's is when its unlock fails) is closed, not handed back to the pool still
// holding it, so another session can take the lock.
func TestDiscardFreesSessionLock(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	const key = 0x7377656570 // a key of this test's own
	conn, err := postgres.SQL(db).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil || !ok {
		t.Fatalf("taking the lock: %v %v", ok, err)
	}
	// The other session is taken first: taken after, it could be the very session handed
	// back, for which the lock is re-entrant.
	other, err := postgres.SQL(db).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	discard(conn)
	_ = conn.Close()
	if err := other.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Fatal("the discarded connection still holds its session lock")
	}
	if _, err := other.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, key); err != nil {
		t.Fatal(err)
	}
}
