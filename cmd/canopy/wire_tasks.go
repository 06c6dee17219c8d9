package main

import (
	"context"
	"time"

	"gorm.io/gorm"

	"canopy/app/authz"
	appfiles "canopy/app/files"
	apptasks "canopy/app/tasks"
	"canopy/infra/clock"
	"canopy/infra/markdown"
	"canopy/infra/pinyin"
	"canopy/infra/postgres"
	pgevents "canopy/infra/postgres/events"
	pgtasks "canopy/infra/postgres/tasks"
	"canopy/infra/recurrence"
)

// tasksSweepInterval is how often each replica purges what was deleted more than 30 days ago
// and forgets old idempotency keys (rows are claimed with SKIP LOCKED, so replicas share it).
const tasksSweepInterval = time.Hour

// tasksService builds the tasks module's service on the stack's database; attachments link the
// files service's files.
func tasksService(db *gorm.DB, tx *postgres.TxManager, clk clock.System, z authz.Authorizer, audit authz.Auditor, fs *appfiles.Service) *apptasks.Service {
	return apptasks.NewService(apptasks.Deps{
		Tx: tx, Clock: clk, Lists: pgtasks.NewLists(db), Sections: pgtasks.NewSections(db), Labels: pgtasks.NewLabels(db),
		Tasks: pgtasks.NewTasks(db, pinyin.Keys), Shares: pgtasks.NewShares(db), Activity: pgtasks.NewActivity(db),
		Idempotency: pgtasks.NewIdempotency(db), Sweeper: pgtasks.NewSweep(db), Directory: pgtasks.NewDirectory(db),
		Markdown: markdown.New(), Recurrence: recurrence.New(), Events: pgevents.NewStore(db), Authorizer: z, Audit: audit,
		Collab: tasksCollab(db, fs),
	})
}

// runTasks runs the tasks module's workers until ctx ends: the sweeper, and the reminders and
// overdue notices.
func (s *stack) runTasks(ctx context.Context) {
	done := make(chan struct{}, 2)
	go func() { s.tasks.RunSweeper(ctx, tasksSweepInterval, s.log); done <- struct{}{} }()
	go func() { s.tasks.RunReminders(ctx, s.cfg.Tasks.ReminderInterval, 0, s.log); done <- struct{}{} }()
	<-done
	<-done
}
