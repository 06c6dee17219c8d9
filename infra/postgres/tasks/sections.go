package tasks

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	apptasks "canopy/app/tasks"
	"canopy/domain/errs"
	"canopy/domain/tasks"
	"canopy/infra/postgres"
)

// Sections is the section repository.
type Sections struct{ db *gorm.DB }

// NewSections returns it.
func NewSections(db *gorm.DB) *Sections { return &Sections{db} }

var _ apptasks.SectionRepository = (*Sections)(nil)

type sectionRow struct {
	ID        uuid.UUID
	OrgID     uuid.UUID
	ListID    uuid.UUID
	Name      string
	Rank      string
	CreatedAt time.Time
}

func (sectionRow) TableName() string { return "task_sections" }

func (r sectionRow) domain() *tasks.Section {
	return tasks.RehydrateSection(r.ID, r.OrgID, r.ListID, r.Name, r.Rank, r.CreatedAt.UTC())
}

func sectionConflict(err error) error {
	err = postgres.Translate(err)
	if constraintOf(err) == "task_sections_rank_key" {
		return errs.Wrap(errs.Conflict, "rank_taken", "another section took that place; try again", err)
	}
	return err
}

// Create implements apptasks.SectionRepository.
func (r *Sections) Create(ctx context.Context, s *tasks.Section) error {
	row := sectionRow{ID: s.ID(), OrgID: s.OrgID(), ListID: s.ListID(), Name: s.Name(), Rank: s.Rank(), CreatedAt: s.CreatedAt()}
	return sectionConflict(postgres.Conn(ctx, r.db).Create(&row).Error)
}

// Get implements apptasks.SectionRepository.
func (r *Sections) Get(ctx context.Context, orgID, listID, id uuid.UUID) (*tasks.Section, error) {
	var rows []sectionRow
	if err := postgres.Conn(ctx, r.db).Where("org_id = ? AND list_id = ? AND id = ?", orgID, listID, id).Limit(1).Find(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return nil, errs.NotFoundf("section")
	}
	return rows[0].domain(), nil
}

// Update implements apptasks.SectionRepository.
func (r *Sections) Update(ctx context.Context, s *tasks.Section) error {
	return sectionConflict(postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Model(&sectionRow{}).Where("org_id = ? AND id = ?", s.OrgID(), s.ID()).
		Updates(map[string]any{"name": s.Name(), "rank": s.Rank()}), "section"))
}

// Delete implements apptasks.SectionRepository.
func (r *Sections) Delete(ctx context.Context, s *tasks.Section) error {
	return postgres.NotFoundIfNone(postgres.Conn(ctx, r.db).Exec(`DELETE FROM task_sections WHERE org_id = ? AND id = ?`, s.OrgID(), s.ID()), "section")
}

// OfLists implements apptasks.SectionRepository.
func (r *Sections) OfLists(ctx context.Context, orgID uuid.UUID, listIDs []uuid.UUID) (map[uuid.UUID][]*tasks.Section, error) {
	var rows []sectionRow
	if err := postgres.Conn(ctx, r.db).Raw(`SELECT * FROM task_sections WHERE org_id = ? AND list_id = ANY(CAST(? AS uuid[])) ORDER BY list_id, rank`, orgID, postgres.UUIDArray(listIDs)).
		Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := map[uuid.UUID][]*tasks.Section{}
	for _, row := range rows {
		out[row.ListID] = append(out[row.ListID], row.domain())
	}
	return out, nil
}

// RankAfter implements apptasks.SectionRepository.
func (r *Sections) RankAfter(ctx context.Context, orgID, listID uuid.UUID, rank string, except uuid.UUID) (string, error) {
	var ranks []string
	err := postgres.Conn(ctx, r.db).Raw(`SELECT rank FROM task_sections WHERE org_id = ? AND list_id = ? AND rank > ? AND id <> ? ORDER BY rank LIMIT 1`,
		orgID, listID, rank, except).Scan(&ranks).Error
	if err != nil || len(ranks) == 0 {
		return "", postgres.Translate(err)
	}
	return ranks[0], nil
}
