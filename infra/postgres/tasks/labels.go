package tasks

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	apptasks "canopy/app/tasks"
	"canopy/domain/errs"
	"canopy/domain/tasks"
	"canopy/infra/postgres"
)

// Labels is the label repository.
type Labels struct{ db *gorm.DB }

// NewLabels returns it.
func NewLabels(db *gorm.DB) *Labels { return &Labels{db} }

var _ apptasks.LabelRepository = (*Labels)(nil)

type labelRow struct {
	ID     uuid.UUID
	OrgID  uuid.UUID
	ListID uuid.UUID
	Name   string
	Color  string
}

func (labelRow) TableName() string { return "task_labels" }

func (r labelRow) domain() *tasks.Label {
	return tasks.RehydrateLabel(r.ID, r.OrgID, r.ListID, r.Name, r.Color)
}

func labelConflict(err error) error {
	err = postgres.Translate(err)
	if errs.Is(err, errs.Conflict) {
		return errs.Wrap(errs.Conflict, "label_taken", "the list already has a label of that name", err)
	}
	return err
}

// Create implements apptasks.LabelRepository.
func (r *Labels) Create(ctx context.Context, l *tasks.Label) error {
	row := labelRow{ID: l.ID(), OrgID: l.OrgID(), ListID: l.ListID(), Name: l.Name(), Color: l.Color()}
	return labelConflict(postgres.Conn(ctx, r.db).Create(&row).Error)
}

// Get implements apptasks.LabelRepository.
func (r *Labels) Get(ctx context.Context, orgID, listID, id uuid.UUID) (*tasks.Label, error) {
	var rows []labelRow
	if err := postgres.Conn(ctx, r.db).Where("org_id = ? AND list_id = ? AND id = ?", orgID, listID, id).Limit(1).Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return nil, errs.NotFoundf("label")
	}
	return rows[0].domain(), nil
}

// Update implements apptasks.LabelRepository.
func (r *Labels) Update(ctx context.Context, l *tasks.Label) error {
	return labelConflict(postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Model(&labelRow{}).Where("org_id = ? AND id = ?", l.OrgID(), l.ID()).
		Updates(map[string]any{"name": l.Name(), "color": l.Color()}), "label"))
}

// Delete implements apptasks.LabelRepository.
func (r *Labels) Delete(ctx context.Context, l *tasks.Label) error {
	return postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Exec(`DELETE FROM task_labels WHERE org_id = ? AND id = ?`, l.OrgID(), l.ID()), "label")
}

// OfLists implements apptasks.LabelRepository.
func (r *Labels) OfLists(ctx context.Context, orgID uuid.UUID, listIDs []uuid.UUID) (map[uuid.UUID][]*tasks.Label, error) {
	var rows []labelRow
	if err := postgres.Conn(ctx, r.db).Raw(`SELECT * FROM task_labels WHERE org_id = ? AND list_id = ANY(CAST(? AS uuid[])) ORDER BY list_id, lower(name)`, orgID, postgres.UUIDArray(listIDs)).
		Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := map[uuid.UUID][]*tasks.Label{}
	for _, row := range rows {
		out[row.ListID] = append(out[row.ListID], row.domain())
	}
	return out, nil
}

// Count implements apptasks.LabelRepository.
func (r *Labels) Count(ctx context.Context, orgID, listID uuid.UUID, labelIDs []uuid.UUID) (int, error) {
	var n int64
	err := postgres.Conn(ctx, r.db).Raw(`SELECT count(*) FROM task_labels WHERE org_id = ? AND list_id = ? AND id = ANY(CAST(? AS uuid[]))`, orgID, listID, postgres.UUIDArray(labelIDs)).Scan(&n).Error
	return int(n), postgres.Translate(err)
}
