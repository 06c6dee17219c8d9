package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	appevents "canopy/app/events"
	"canopy/domain/errs"
	"canopy/domain/tasks"
)

// Reminders returns the actor's reminders on a task they may read, in minutes before its due
// time, ascending.
func (s *Service) Reminders(ctx context.Context, a authz.Actor, taskID uuid.UUID) ([]int, error) {
	if err := s.collabReady(s.collab.Reminders != nil); err != nil {
		return nil, err
	}
	if _, _, err := s.readTask(ctx, a, taskID); err != nil {
		return nil, err
	}
	return s.collab.Reminders.ReminderOffsets(ctx, a.OrgID, taskID, a.UserID)
}

// SetReminders replaces the actor's reminders on a task they may read (each 0 to
// tasks.MaxReminderOffset minutes before its due time, at most tasks.MaxReminders) and returns
// them as stored. Reminders are personal: nobody else's change. A reminder kept from before
// keeps its sent mark, so setting the same ones again sends nothing twice.
func (s *Service) SetReminders(ctx context.Context, a authz.Actor, taskID uuid.UUID, offsets []int) ([]int, error) {
	if err := s.collabReady(s.collab.Reminders != nil); err != nil {
		return nil, err
	}
	clean, err := tasks.ReminderOffsets(offsets)
	if err != nil {
		return nil, err
	}
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		if _, _, err := s.readTask(ctx, a, taskID); err != nil {
			return err
		}
		return s.collab.Reminders.SetReminderOffsets(ctx, a.OrgID, taskID, a.UserID, clean)
	})
	if err != nil {
		return nil, err
	}
	return clean, nil
}

// carryReminders gives the next occurrence of a repeating task the reminders everyone set on
// the one completed, in the transaction in ctx. Core's completion calls it.
func (s *Service) carryReminders(ctx context.Context, orgID, from, to uuid.UUID) error {
	if s.collab.Reminders == nil {
		return nil
	}
	return s.collab.Reminders.CopyReminders(ctx, orgID, from, to)
}

// dueEvent is a system notice about a task to users.
func (s *Service) dueEvent(typ string, n tasks.DueNotice, users []uuid.UUID, now time.Time) appevents.Event {
	payload, _ := json.Marshal(map[string]any{"task_id": n.TaskID, "list_id": n.ListID, "title": n.Title, "due_at": n.DueAt.UTC()})
	return appevents.Event{Type: typ, OrgID: n.OrgID, SubjectType: SubjectTask, SubjectID: n.TaskID,
		Audience: appevents.Audience{Users: users}, Payload: payload, CreatedAt: now}
}

// SendReminders claims up to limit reminders that came due and publishes tasks.task_due_soon to
// whoever set each, in one transaction: the claim marks them sent for the task's due time, so a
// reminder goes once per due time however many replicas run this at once (the claim skips
// what another holds), and a rolled-back pass sends nothing and marks nothing. Several of one
// person's reminders on one task due together make one notice. It returns how many notices it
// published.
func (s *Service) SendReminders(ctx context.Context, limit int) (int, error) {
	if s.collab.Reminders == nil {
		return 0, nil
	}
	sent := 0
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		now := s.now()
		ns, err := s.collab.Reminders.ClaimReminders(ctx, now, limit)
		if err != nil {
			return err
		}
		type key struct{ task, user uuid.UUID }
		seen := map[key]bool{}
		var es []appevents.Event
		for _, n := range ns {
			k := key{n.TaskID, n.UserID}
			if seen[k] {
				continue
			}
			seen[k] = true
			// It was set while its owner could see the task; they may not any more (they
			// left its group, say), and the notice carries its title. It stays marked sent.
			if ok, err := s.reachesTask(ctx, n.OrgID, n.UserID, n.TaskID); err != nil {
				return err
			} else if !ok {
				continue
			}
			es = append(es, s.dueEvent(EventTaskDueSoon, n, []uuid.UUID{n.UserID}, now))
		}
		sent = len(es)
		return s.publish(ctx, es...)
	})
	if err != nil {
		return 0, err
	}
	return sent, nil
}

// reachesTask is reaches for a task by id; false when it is gone.
func (s *Service) reachesTask(ctx context.Context, orgID, userID, taskID uuid.UUID) (bool, error) {
	t, err := s.tasks.Get(ctx, orgID, taskID)
	if errs.Is(err, errs.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return s.reaches(ctx, orgID, userID, t)
}

// SendOverdue claims up to limit tasks that passed their due time open and publishes
// tasks.task_overdue to their assignees (their creator when there are none), once per due time,
// in one transaction as SendReminders does. It returns how many notices it published.
func (s *Service) SendOverdue(ctx context.Context, limit int) (int, error) {
	if s.collab.Reminders == nil {
		return 0, nil
	}
	sent := 0
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		now := s.now()
		ns, err := s.collab.Reminders.ClaimOverdue(ctx, now, limit)
		if err != nil {
			return err
		}
		es := make([]appevents.Event, 0, len(ns))
		for _, n := range ns {
			t, err := s.tasks.Get(ctx, n.OrgID, n.TaskID)
			if errs.Is(err, errs.NotFound) {
				continue
			}
			if err != nil {
				return err
			}
			// Like a reminder, the notice names the task: only those who still reach it get it.
			users, err := s.reaching(ctx, t, n.Recipients)
			if err != nil {
				return err
			}
			if len(users) > 0 {
				es = append(es, s.dueEvent(EventTaskOverdue, n, users, now))
			}
		}
		sent = len(es)
		return s.publish(ctx, es...)
	})
	if err != nil {
		return 0, err
	}
	return sent, nil
}

// RunReminders sends due reminders and overdue notices every interval until ctx ends, taking
// batches of batch until a pass finds less than a full one.
func (s *Service) RunReminders(ctx context.Context, interval time.Duration, batch int, log *slog.Logger) {
	if batch <= 0 {
		batch = 200
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, send := range []struct {
			what string
			fn   func(context.Context, int) (int, error)
		}{{"task reminders", s.SendReminders}, {"overdue notices", s.SendOverdue}} {
			for ctx.Err() == nil {
				n, err := send.fn(ctx, batch)
				if err != nil {
					if ctx.Err() == nil && !errors.Is(err, context.Canceled) {
						log.Warn("sending "+send.what+" failed", "error", err.Error())
					}
					break
				}
				if n > 0 {
					log.Info(send.what+" sent", "count", n)
				}
				if n < batch {
					break
				}
			}
		}
	}
}
