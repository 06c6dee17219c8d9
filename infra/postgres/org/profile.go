package org

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/org"
	"canopy/infra/postgres"
)

type profileRow struct {
	EmployeeNumber *string
	JobTitle       string
	Mobile         *string
	WorkLocation   string
	ManagerID      *uuid.UUID
	HireDate       *time.Time
}

func (r profileRow) profile() org.Profile {
	p := org.Profile{JobTitle: r.JobTitle, WorkLocation: r.WorkLocation, ManagerID: r.ManagerID}
	if r.EmployeeNumber != nil {
		p.EmployeeNumber = *r.EmployeeNumber
	}
	if r.Mobile != nil {
		p.Mobile = *r.Mobile
	}
	if r.HireDate != nil {
		d := time.Date(r.HireDate.Year(), r.HireDate.Month(), r.HireDate.Day(), 0, 0, 0, 0, time.UTC)
		p.HireDate = &d
	}
	return p
}

// GetProfile implements org.ProfileRepository. It locks the membership's row until the caller's
// transaction ends: a change is applied to the profile it read, so two changes at once (the
// console's and SCIM's) run one after the other and neither undoes the other's fields. The lock
// is FOR NO KEY UPDATE, which lets another member's change name this one as their manager (the
// foreign key's check shares the row): with FOR UPDATE, A's and B's managers set to each other at
// once would deadlock on the rows before reaching the cycle check.
func (r *Memberships) GetProfile(ctx context.Context, orgID, userID uuid.UUID) (org.Profile, error) {
	var rows []profileRow
	err := postgres.Conn(ctx, r.db).Raw(`SELECT employee_number, job_title, mobile, work_location, manager_id, hire_date
		FROM memberships WHERE org_id = ? AND user_id = ? FOR NO KEY UPDATE`, orgID, userID).Scan(&rows).Error
	if err != nil {
		return org.Profile{}, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return org.Profile{}, errs.NotFoundf("member")
	}
	return rows[0].profile(), nil
}

// SetProfile implements org.ProfileRepository. A new manager is checked under a
// transaction-scoped advisory lock of the organisation's manager graph: two changes that would
// close a cycle between them (A under B, B under A) run one after the other, and the second sees
// the first. It must run inside a transaction.
func (r *Memberships) SetProfile(ctx context.Context, orgID, userID uuid.UUID, p org.Profile, managerChanged bool) error {
	db := postgres.Conn(ctx, r.db)
	if managerChanged && p.ManagerID != nil {
		if err := db.Exec(`SELECT pg_advisory_xact_lock(hashtextextended('canopy.managers:' || ?::text, 0))`, orgID).Error; err != nil {
			return postgres.Translate(err)
		}
		var check []struct {
			Active bool
			Cycle  bool
		}
		err := db.Raw(`SELECT m.status = 'active' AS active,
			EXISTS (WITH RECURSIVE up(id) AS (
				SELECT CAST(@manager AS uuid)
				UNION
				SELECT x.manager_id FROM memberships x JOIN up ON x.user_id = up.id
				WHERE x.org_id = @org AND x.manager_id IS NOT NULL)
			SELECT 1 FROM up WHERE id = @user) AS cycle
			FROM memberships m WHERE m.org_id = @org AND m.user_id = @manager`,
			map[string]any{"org": orgID, "manager": *p.ManagerID, "user": userID}).Scan(&check).Error
		if err != nil {
			return postgres.Translate(err)
		}
		if len(check) == 0 || !check[0].Active {
			return errs.E(errs.Invalid, "invalid_manager", "the manager must be an active member of the organisation")
		}
		if check[0].Cycle {
			return errs.E(errs.Invalid, "invalid_manager", "the manager reports to this member, directly or through others; a manager cannot be below the person they manage")
		}
	}
	var hire any
	if p.HireDate != nil {
		hire = p.HireDate.Format(time.DateOnly)
	}
	err := postgres.NotFoundIfNone(db.Exec(`UPDATE memberships SET employee_number = ?, job_title = ?, mobile = ?, work_location = ?,
		manager_id = ?, hire_date = CAST(? AS date) WHERE org_id = ? AND user_id = ?`,
		postgres.Nullable(p.EmployeeNumber), p.JobTitle, postgres.Nullable(p.Mobile), p.WorkLocation, p.ManagerID, hire, orgID, userID), "member")
	if errs.Is(err, errs.Conflict) && strings.Contains(err.Error(), "memberships_employee_number_key") {
		return errs.Wrap(errs.Conflict, "employee_number_taken", "another member of the organisation has this employee number", err)
	}
	return err
}
