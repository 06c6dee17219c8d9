package objectstore

import (
	"context"
	"time"
)

// RetainUntil returns the Object Lock retain-until date the store enforces on the version of the
// file bucket, or the zero time when it has none (`canopy admin verify-files` compares it with
// the date the version's row says was applied).
// It returns errs.NotFound when the version does not exist, errs.Unavailable when the store
// cannot be reached, errs.Internal otherwise.
func (s *Store) RetainUntil(ctx context.Context, key, versionID string) (time.Time, error) {
	until, err := s.retainUntil(ctx, key, versionID)
	if err != nil || until == nil {
		return time.Time{}, err
	}
	return until.UTC(), nil
}
