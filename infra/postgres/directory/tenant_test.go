package directory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"canopy/domain/directory"
	"canopy/domain/errs"
	"canopy/domain/org"
	"canopy/infra/pinyin"
	"canopy/infra/postgres"
	pgdirectory "canopy/infra/postgres/directory"
	pgorg "canopy/infra/postgres/org"
	"canopy/infra/postgres/pgtest"
)

// TestSchemaRefusesCrossTenantReferences: a row that points at another tenant-owned row carries
// its organisation in the reference, so PostgreSQL itself refuses a row of organisation B that
// points at A's group, department or import job, whatever the code above it does. Each insert is
// one the old schema (single-column references) accepted. The refusal reaches callers as the
// NotFound that another organisation's id always is, never as an internal error.
func TestSchemaRefusesCrossTenantReferences(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	ua, ub := pgtest.MustUser(t, db, "a@a.example"), pgtest.MustUser(t, db, "b@b.example")
	a, b := pgtest.MustOrg(t, db, ua), pgtest.MustOrg(t, db, ub)
	treeA := mustTree(t, db, a.ID(), "Sales")
	treeB := mustTree(t, db, b.ID(), "Ops")
	groups := pgdirectory.NewGroups(db, pinyin.Keys)
	gA, err := directory.NewGroup(a.ID(), directory.GroupInput{Name: "A team"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := groups.Create(ctx, gA); err != nil {
		t.Fatal(err)
	}
	jobA := uuid.New()
	if err := db.Exec(`INSERT INTO import_jobs (id, org_id, created_by, format, status, total_rows, created_at, updated_at)
		VALUES (?, ?, ?, 'json', 'done', 0, now(), now())`, jobA, a.ID(), ua.ID()).Error; err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()

	for _, c := range []struct {
		name string
		sql  string
		args []any
	}{
		{"B's member in A's group", `INSERT INTO group_members (org_id, group_id, user_id, role, added_at) VALUES (?, ?, ?, 'member', ?)`,
			[]any{b.ID(), gA.ID(), ub.ID(), now}},
		{"B's member in A's department", `INSERT INTO department_members (org_id, department_id, user_id, is_primary, added_at) VALUES (?, ?, ?, true, ?)`,
			[]any{b.ID(), treeA["Sales"].ID(), ub.ID(), now}},
		{"B's department under A's", `INSERT INTO departments (id, org_id, parent_id, path, depth, name, created_at, updated_at) VALUES (?, ?, ?, ?, 3, 'Rogue', ?, ?)`,
			[]any{uuid.New(), b.ID(), treeA["Sales"].ID(), treeA["Sales"].Path() + uuid.NewString() + "/", now, now}},
		{"B's group in A's department", `INSERT INTO groups (id, org_id, department_id, name, created_at, updated_at) VALUES (?, ?, ?, 'Rogue', ?, ?)`,
			[]any{uuid.New(), b.ID(), treeA["Sales"].ID(), now, now}},
		{"B's role grant on A's department", `INSERT INTO role_assignments (id, org_id, user_id, role_id, department_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			[]any{uuid.New(), b.ID(), ub.ID(), uuid.New(), treeA["Sales"].ID(), now}},
		{"B's issue on A's import", `INSERT INTO import_issues (org_id, job_id, seq, kind, row_number, code, message) VALUES (?, ?, 1, 'user', 1, 'x', 'x')`,
			[]any{b.ID(), jobA}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := postgres.NewTxManager(db).Within(ctx, func(ctx context.Context) error {
				return postgres.Translate(postgres.Conn(ctx, db).Exec(c.sql, c.args...).Error)
			})
			var pg *pgconn.PgError
			if !errors.As(err, &pg) || pg.Code != "23503" {
				t.Fatalf("the insert was not refused by a foreign key: %v", err)
			}
			if !errs.Is(err, errs.NotFound) {
				t.Fatalf("a refused reference is %v, want NotFound", err)
			}
		})
	}

	// The same rows within one organisation are accepted, through the repositories.
	if err := groups.AddMember(ctx, a.ID(), gA.ID(), ua.ID(), directory.GroupMember, now); err != nil {
		t.Fatal(err)
	}
	if err := pgdirectory.NewAssignments(db).Replace(ctx, b.ID(), ub.ID(), []directory.Assignment{{DepartmentID: treeB["Ops"].ID(), Primary: true}}); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO role_assignments (id, org_id, user_id, role_id, department_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		uuid.New(), b.ID(), ub.ID(), uuid.New(), treeB["Ops"].ID(), now)
}

// TestGroupsTakeDeactivatedMembers: identity providers keep disabled users in their groups, so a
// deactivated member can be added to one (the place grants nothing while they are inactive); a
// user who is no member of the organisation cannot.
func TestGroupsTakeDeactivatedMembers(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	owner, gone := pgtest.MustUser(t, db, "o@g.example"), pgtest.MustUser(t, db, "gone@g.example")
	stranger := pgtest.MustUser(t, db, "s@g.example")
	o := pgtest.MustOrg(t, db, owner)
	mustTree(t, db, o.ID())
	ms := pgorg.NewMemberships(db)
	m := org.NewMembership(o.ID(), gone.ID(), org.RoleMember, time.Now())
	if err := ms.Add(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := m.Deactivate(org.NewMembership(o.ID(), owner.ID(), org.RoleOwner, time.Now()), time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := ms.Update(ctx, m); err != nil {
		t.Fatal(err)
	}
	groups := pgdirectory.NewGroups(db, pinyin.Keys)
	g, err := directory.NewGroup(o.ID(), directory.GroupInput{Name: "Team"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := groups.Create(ctx, g); err != nil {
		t.Fatal(err)
	}
	if err := groups.AddMember(ctx, o.ID(), g.ID(), gone.ID(), directory.GroupMember, time.Now()); err != nil {
		t.Fatalf("a deactivated member: %v", err)
	}
	if err := groups.AddMember(ctx, o.ID(), g.ID(), stranger.ID(), directory.GroupMember, time.Now()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("a stranger: %v", err)
	}
	if got, err := groups.Get(ctx, o.ID(), g.ID()); err != nil || got.MemberCount() != 1 {
		t.Fatalf("member count: %v %v", got, err)
	}
}

func mustExec(tb testing.TB, db *gorm.DB, sql string, args ...any) {
	tb.Helper()
	if err := db.Exec(sql, args...).Error; err != nil {
		tb.Fatal(err)
	}
}
