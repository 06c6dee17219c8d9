package tasks

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

// Limits of reminders.
const (
	// MaxReminders is how many reminders a person may set on one task.
	MaxReminders = 5
	// MaxReminderOffset is the earliest a reminder may come before the due time: 30 days, in
	// minutes.
	MaxReminderOffset = 30 * 24 * 60
)

// How late a notice may still go out. A reminder for a task whose due time passed more than
// ReminderLateness ago is never sent (it is no longer "due soon"; the overdue notice speaks for
// it), nor an overdue notice for a task that has been overdue more than OverdueLateness: after
// an outage the workers do not flood people with stale notices, and their scans stay within a
// window of due times.
const (
	ReminderLateness = time.Hour
	OverdueLateness  = 7 * 24 * time.Hour
)

// ReminderOffsets checks a person's reminders for a task, each a number of minutes before the
// due time, and returns them sorted without repeats.
func ReminderOffsets(offsets []int) ([]int, error) {
	out := make([]int, 0, len(offsets))
	for _, o := range offsets {
		if o < 0 || o > MaxReminderOffset {
			return nil, errs.E(errs.Invalid, "invalid_reminder", "offsets_minutes: each must be between 0 and 43200")
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	if len(out) > MaxReminders {
		return nil, errs.E(errs.Invalid, "too_many_reminders", "offsets_minutes: at most 5 reminders")
	}
	slices.Sort(out)
	return out, nil
}

// DueNotice is a task a notice is due for, as the reminder and overdue workers claim it: for a
// reminder, UserID is who set it; for an overdue notice, Recipients are the assignees (the
// creator when there are none).
type DueNotice struct {
	OrgID      uuid.UUID
	TaskID     uuid.UUID
	ListID     uuid.UUID
	Title      string
	DueAt      time.Time
	UserID     uuid.UUID
	Recipients []uuid.UUID
}

// ReminderRepository stores reminders and claims the notices that are due. The claims lock what
// they return (FOR UPDATE SKIP LOCKED) and mark it sent for its due time in the transaction in
// ctx, so two workers never claim the same notice and a rolled-back pass sends nothing.
type ReminderRepository interface {
	// ReminderOffsets returns a person's reminders on a task, in minutes before the due time,
	// ascending.
	ReminderOffsets(ctx context.Context, orgID, taskID, userID uuid.UUID) ([]int, error)
	// SetReminderOffsets replaces a person's reminders on a task. An offset kept keeps its sent
	// mark, so setting the same reminders again sends nothing twice.
	SetReminderOffsets(ctx context.Context, orgID, taskID, userID uuid.UUID, offsets []int) error
	// CopyReminders gives task to everyone's reminders on task from, unsent: the next
	// occurrence of a repeating task is reminded of as the last one was.
	CopyReminders(ctx context.Context, orgID, from, to uuid.UUID) error
	// ClaimReminders claims the reminders due at now of up to limit tasks (an open, live task in
	// a live list, due within their offset and at most ReminderLateness ago, not yet sent for
	// that due time) and marks them sent for it; one DueNotice each. All of a task's due
	// reminders are claimed together, by one caller.
	ClaimReminders(ctx context.Context, now time.Time, limit int) ([]DueNotice, error)
	// ClaimOverdue claims up to limit open, live tasks in live lists past their due time (an
	// all-day task at the end of its day), by at most OverdueLateness, whose overdue notice was
	// not yet sent for that due time, and marks it sent. Recipients are the assignees, or the
	// creator when there are none.
	ClaimOverdue(ctx context.Context, now time.Time, limit int) ([]DueNotice, error)
}
