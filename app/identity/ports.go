package identity

import (
	"context"
	"time"
)

// TxManager runs fn in one database transaction carried by the context it is given.
type TxManager interface {
	Within(ctx context.Context, fn func(ctx context.Context) error) error
}

// Clock tells the time; tests give a fixed one.
type Clock interface {
	Now() time.Time
}

// PasswordHasher hashes passwords and checks them against a stored hash.
type PasswordHasher interface {
	// Hash returns the encoded hash of a password.
	Hash(password string) (string, error)
	// Verify reports whether password matches the encoded hash.
	Verify(password, encoded string) (bool, error)
}

// AttemptLimiter counts failed attempts per key within a window, shared by every replica.
type AttemptLimiter interface {
	// Blocked returns how long key must wait while it has limit or more failures in the window,
	// and zero when it may try.
	Blocked(ctx context.Context, key string, limit int, window time.Duration) (time.Duration, error)
	// Fail records one failure for key.
	Fail(ctx context.Context, key string, window time.Duration) error
	// Clear forgets key's failures.
	Clear(ctx context.Context, key string) error
}
