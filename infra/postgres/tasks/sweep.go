package tasks

import (
	"context"
	"time"

	"gorm.io/gorm"

	apptasks "canopy/app/tasks"
	"canopy/infra/postgres"
)

// Sweep purges what was deleted long enough ago.
type Sweep struct{ db *gorm.DB }

// NewSweep returns it.
func NewSweep(db *gorm.DB) *Sweep { return &Sweep{db} }

var _ apptasks.Sweeper = (*Sweep)(nil)

// PurgeDeleted implements apptasks.Sweeper: lists first (their tasks go with them by the
// foreign keys), then tasks (their subtasks likewise), each batch claimed with SKIP LOCKED so
// replicas share the work.
func (s *Sweep) PurgeDeleted(ctx context.Context, before time.Time, limit int) (int, error) {
	db := postgres.Conn(ctx, s.db)
	res := db.Exec(`DELETE FROM task_lists WHERE id IN (SELECT id FROM task_lists WHERE deleted_at < ? ORDER BY deleted_at LIMIT ? FOR UPDATE SKIP LOCKED)`,
		before, limit)
	if res.Error != nil {
		return 0, postgres.Translate(res.Error)
	}
	n := int(res.RowsAffected)
	if n >= limit {
		return n, nil
	}
	res = db.Exec(`DELETE FROM tasks WHERE id IN (SELECT id FROM tasks WHERE deleted_at < ? ORDER BY deleted_at LIMIT ? FOR UPDATE SKIP LOCKED)`,
		before, limit-n)
	if res.Error != nil {
		return n, postgres.Translate(res.Error)
	}
	return n + int(res.RowsAffected), nil
}
