package tasks

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	apptasks "canopy/app/tasks"
	"canopy/domain/errs"
	"canopy/infra/postgres"
)

// Activity is the repository of task histories.
type Activity struct{ db *gorm.DB }

// NewActivity returns it.
func NewActivity(db *gorm.DB) *Activity { return &Activity{db} }

var _ apptasks.ActivityRepository = (*Activity)(nil)

// jsonb encodes a value for a jsonb column; nil stays NULL.
func jsonb(v any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, errs.Internalf("activity: %w", err)
	}
	if string(b) == "null" {
		return nil, nil
	}
	s := string(b)
	return &s, nil
}

// Append implements apptasks.ActivityRepository.
func (r *Activity) Append(ctx context.Context, a apptasks.Activity) error {
	before, err := jsonb(a.Before)
	if err != nil {
		return err
	}
	after, err := jsonb(a.After)
	if err != nil {
		return err
	}
	return postgres.Translate(postgres.Conn(ctx, r.db).Exec(`INSERT INTO task_activity (org_id, task_id, list_id, actor_id, action, before, after, created_at)
		VALUES (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?)`, a.OrgID, a.TaskID, a.ListID, a.ActorID, a.Action, before, after, a.CreatedAt).Error)
}

// Of implements apptasks.ActivityRepository.
func (r *Activity) Of(ctx context.Context, orgID, taskID uuid.UUID, limit, offset int) ([]apptasks.Activity, int, error) {
	db := postgres.Conn(ctx, r.db)
	var total int64
	if err := db.Raw(`SELECT count(*) FROM task_activity WHERE org_id = ? AND task_id = ?`, orgID, taskID).Scan(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	var rows []struct {
		ID                    int64
		OrgID, TaskID, ListID uuid.UUID
		ActorID               uuid.UUID
		Action                string
		Before, After         *string
		CreatedAt             time.Time
	}
	if err := db.Raw(`SELECT id, org_id, task_id, list_id, actor_id, action, before::text AS before, after::text AS after, created_at
		FROM task_activity WHERE org_id = ? AND task_id = ? ORDER BY id DESC LIMIT ? OFFSET ?`, orgID, taskID, limit, offset).Scan(&rows).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]apptasks.Activity, len(rows))
	for i, row := range rows {
		out[i] = apptasks.Activity{ID: row.ID, OrgID: row.OrgID, TaskID: row.TaskID, ListID: row.ListID, ActorID: row.ActorID, Action: row.Action,
			Before: raw(row.Before), After: raw(row.After), CreatedAt: row.CreatedAt.UTC()}
	}
	return out, int(total), nil
}

func raw(s *string) any {
	if s == nil {
		return nil
	}
	return json.RawMessage(*s)
}
