package importer_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	appimport "canopy/app/importer"
	"canopy/domain/errs"
	"canopy/domain/org"
	"canopy/infra/pinyin"
	"canopy/infra/postgres"
	pgimport "canopy/infra/postgres/importer"
	pgorg "canopy/infra/postgres/org"
	"canopy/infra/postgres/pgtest"
)

// TestApplyMembersChecksProfiles: the store writes the employee details an import plans, and
// checks again what the plan checked against its snapshot, since the profile API may have
// changed the organisation since: a manager must be an active member, the chain of managers
// has no cycle, and an employee number is the organisation's only one. The snapshot reads the
// details back.
func TestApplyMembersChecksProfiles(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	owner := pgtest.MustUser(t, db, "owner@profiles.example")
	o := pgtest.MustOrg(t, db, owner)
	ms := pgorg.NewMemberships(db)
	var a, b, c uuid.UUID
	for _, x := range []struct {
		id    *uuid.UUID
		email string
	}{{&a, "a@profiles.example"}, {&b, "b@profiles.example"}, {&c, "c@profiles.example"}} {
		u := pgtest.MustUser(t, db, x.email)
		if err := ms.Add(ctx, org.NewMembership(o.ID(), u.ID(), org.RoleMember, time.Now())); err != nil {
			t.Fatal(err)
		}
		*x.id = u.ID()
	}
	s := pgimport.NewStore(db, pinyin.Keys)
	// Each change in its transaction, as the runner applies a chunk: a refused one is undone.
	tx := postgres.NewTxManager(db)
	apply := func(user uuid.UUID, p org.Profile) error {
		return tx.Within(ctx, func(ctx context.Context) error {
			return s.ApplyMembers(ctx, o.ID(), []appimport.MemberChange{{UserID: user, Profile: &p, ManagerChanged: p.ManagerID != nil}}, time.Now())
		})
	}
	hired := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	if err := apply(b, org.Profile{EmployeeNumber: "007", JobTitle: "工程师", Mobile: "+8613800138000", WorkLocation: "上海", ManagerID: &a, HireDate: &hired}); err != nil {
		t.Fatal(err)
	}
	if err := apply(a, org.Profile{ManagerID: &b}); errs.CodeOf(err) != "invalid_manager" {
		t.Fatalf("a cycle: %v", err)
	}
	if err := db.Exec(`UPDATE memberships SET status = 'deactivated', deactivated_at = now() WHERE org_id = ? AND user_id = ?`, o.ID(), c).Error; err != nil {
		t.Fatal(err)
	}
	if err := apply(a, org.Profile{ManagerID: &c}); errs.CodeOf(err) != "invalid_manager" {
		t.Fatalf("a deactivated manager: %v", err)
	}
	if err := apply(a, org.Profile{EmployeeNumber: "007"}); errs.CodeOf(err) != "employee_number_taken" {
		t.Fatalf("a taken employee number: %v", err)
	}

	snap, err := s.Snapshot(ctx, o.ID(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range snap.Members {
		p := m.Profile
		switch m.UserID {
		case b:
			if p.EmployeeNumber != "007" || p.JobTitle != "工程师" || p.Mobile != "+8613800138000" || p.WorkLocation != "上海" ||
				p.ManagerID == nil || *p.ManagerID != a || p.HireDate == nil || !p.HireDate.Equal(hired) {
				t.Fatalf("b's profile: %+v", p)
			}
		case a:
			if p.ManagerID != nil || p.EmployeeNumber != "" {
				t.Fatalf("a's profile changed: %+v", p)
			}
		}
	}

	// Since the job's snapshot, the console cleared b's manager (a) and made b a's manager. A
	// row that changes only b's title carries the snapshot's manager: it must not put it back,
	// which would close the cycle a → b → a past the check.
	if err := db.Exec(`UPDATE memberships SET manager_id = NULL WHERE org_id = ? AND user_id = ?`, o.ID(), b).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`UPDATE memberships SET manager_id = ? WHERE org_id = ? AND user_id = ?`, b, o.ID(), a).Error; err != nil {
		t.Fatal(err)
	}
	err = tx.Within(ctx, func(ctx context.Context) error {
		stale := org.Profile{EmployeeNumber: "007", JobTitle: "高级工程师", Mobile: "+8613800138000", WorkLocation: "上海", ManagerID: &a, HireDate: &hired}
		return s.ApplyMembers(ctx, o.ID(), []appimport.MemberChange{{UserID: b, Profile: &stale}}, time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	var row struct {
		JobTitle  string
		ManagerID *uuid.UUID
	}
	if err := db.Raw(`SELECT job_title, manager_id FROM memberships WHERE org_id = ? AND user_id = ?`, o.ID(), b).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.JobTitle != "高级工程师" || row.ManagerID != nil {
		t.Fatalf("b after a title-only row: title %q, manager %v (the snapshot's manager came back)", row.JobTitle, row.ManagerID)
	}
}
