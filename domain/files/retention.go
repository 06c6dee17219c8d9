package files

import (
	"time"

	"canopy/domain/errs"
)

// AvailableUntil returns the date before which a version uploaded at uploadedAt must not be
// deleted: the upload time plus the longest minimum retention on its path. The organisation's
// minimum is the floor: a department, group or space minimum below it is ignored, so no setting
// on the path can shorten it. The result is in UTC.
func AvailableUntil(uploadedAt time.Time, orgMinimumDays int, pathMinimums []int) time.Time {
	days := max(orgMinimumDays, 0)
	for _, d := range pathMinimums {
		days = max(days, d)
	}
	days = min(days, MaxRetentionDays)
	// UTC has no daylight saving, so a day is always 24 hours.
	return uploadedAt.UTC().Add(time.Duration(days) * 24 * time.Hour)
}

// checkDeletable is the one retention rule for deleting or purging: a legal hold blocks it
// first, since it does not end by itself and naming a date would mislead; then the retention
// window blocks it while now is before availableUntil. At availableUntil itself the version may
// go.
func checkDeletable(now, availableUntil time.Time, held bool) error {
	if held {
		return errs.E(errs.Conflict, "legal_hold", "a legal hold is in place; it cannot be deleted while the hold lasts")
	}
	if now.Before(availableUntil) {
		return errs.E(errs.Conflict, "retention_active", "available until "+availableUntil.UTC().Format(time.RFC3339)+"; it cannot be deleted before")
	}
	return nil
}
