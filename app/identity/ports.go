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

// AttemptLimiter counts attempts per key within a fixed window, shared by every replica.
type AttemptLimiter interface {
	// Take reserves one attempt for key before it is made. It returns zero when the attempt is
	// within limit in the window, and otherwise how long key must wait (the attempt is then not
	// counted). Counting and checking are one atomic step, so concurrent attempts can never
	// pass the limit together.
	Take(ctx context.Context, key string, limit int, window time.Duration) (time.Duration, error)
	// Refund gives back an attempt that Take reserved and that was not a failure after all (a
	// right password), so that only failures use up the limit.
	Refund(ctx context.Context, key string) error
	// Clear forgets key's attempts.
	Clear(ctx context.Context, key string) error
}
