package org

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	apporg "canopy/app/org"
	"canopy/domain/directory"
	"canopy/domain/org"
	"canopy/infra/postgres"
)

// Selection reads the people of a bulk action (apporg.Selection).
type Selection struct{ db *gorm.DB }

// NewSelection returns the reader of bulk actions' people.
func NewSelection(db *gorm.DB) *Selection { return &Selection{db} }

// BulkPeople implements apporg.Selection: two statements whatever the number of people, in the
// transaction in ctx.
func (s *Selection) BulkPeople(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]apporg.BulkPerson, error) {
	db := postgres.Conn(ctx, s.db)
	var rows []struct {
		UserID            uuid.UUID
		DisplayName       string
		Role              string
		Status            string
		ActivationPending bool
	}
	err := db.Raw(`SELECT m.user_id, u.display_name, m.role, m.status, (u.password_hash = '' AND u.status = 'active') AS activation_pending
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.org_id = @org AND m.user_id = ANY (CAST(@ids AS uuid[]))`,
		map[string]any{"org": orgID, "ids": postgres.UUIDArray(ids)}).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]apporg.BulkPerson, len(rows))
	at := make(map[uuid.UUID]int, len(rows))
	for i, r := range rows {
		out[i] = apporg.BulkPerson{UserID: r.UserID, Name: r.DisplayName, Role: org.Role(r.Role), Status: org.MemberStatus(r.Status),
			ActivationPending: r.ActivationPending}
		at[r.UserID] = i
	}
	if len(rows) == 0 {
		return out, nil
	}
	var depts []struct {
		UserID       uuid.UUID
		DepartmentID uuid.UUID
		IsPrimary    bool
		IsLeader     bool
	}
	err = db.Raw(`SELECT user_id, department_id, is_primary, is_leader FROM department_members
		WHERE org_id = @org AND user_id = ANY (CAST(@ids AS uuid[]))
		ORDER BY user_id, is_primary DESC, added_at, department_id`,
		map[string]any{"org": orgID, "ids": postgres.UUIDArray(ids)}).Scan(&depts).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	for _, d := range depts {
		i := at[d.UserID]
		out[i].Departments = append(out[i].Departments, directory.Assignment{DepartmentID: d.DepartmentID, Primary: d.IsPrimary, Leader: d.IsLeader})
	}
	return out, nil
}
