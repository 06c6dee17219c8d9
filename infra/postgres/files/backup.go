package files

// SweepLockKey is the PostgreSQL advisory lock a sweeper pass holds. `canopy admin backup`
// holds it too, for as long as it runs, so that no pass purges an object whose row is in the
// database dump before the object is copied.
const SweepLockKey = sweepLock
