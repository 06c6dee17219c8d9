package org_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	apporg "canopy/app/org"
	"canopy/domain/directory"
	"canopy/domain/identity"
	"canopy/domain/org"
	"canopy/infra/pinyin"
	pgdirectory "canopy/infra/postgres/directory"
	pgidentity "canopy/infra/postgres/identity"
	pgorg "canopy/infra/postgres/org"
	"canopy/infra/postgres/pgtest"
)

// TestPeopleSearchFollowsChanges: the people table reads its text and subtree filters from
// member_search, which triggers keep; after a rename, an email change, an employee number
// change, a change of departments and a department move, the table finds the person by the new
// values and no longer by the old.
func TestPeopleSearchFollowsChanges(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	now := time.Now()
	owner := pgtest.MustUser(t, db, "owner@search.example")
	o := pgtest.MustOrg(t, db, owner)
	other := pgtest.MustOrg(t, db, pgtest.MustUser(t, db, "owner@other.example"))

	depts := pgdirectory.NewDepartments(db, pinyin.Keys)
	mustDept := func(parent *directory.Department, name string) *directory.Department {
		t.Helper()
		d, err := directory.NewDepartment(parent, name, "", 25, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := depts.Create(ctx, d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	root, err := directory.NewRoot(o.ID(), "Org", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := depts.Create(ctx, root); err != nil {
		t.Fatal(err)
	}
	// root ─ sales ─ east
	//      └ rnd
	sales := mustDept(root, "Sales")
	east := mustDept(sales, "East")
	rnd := mustDept(root, "R&D")

	users := pgidentity.NewUsers(db, pinyin.Keys)
	u, err := identity.NewUser(identity.NewUserInput{Email: "zw@search.example", DisplayName: "张伟", PasswordHash: "$argon2id$x"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := users.Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	ms := pgorg.NewMemberships(db)
	for _, orgID := range []uuid.UUID{o.ID(), other.ID()} {
		if err := ms.Add(ctx, org.NewMembership(orgID, u.ID(), org.RoleMember, now)); err != nil {
			t.Fatal(err)
		}
	}
	if err := ms.SetProfile(ctx, o.ID(), u.ID(), org.Profile{EmployeeNumber: "E100"}, false); err != nil {
		t.Fatal(err)
	}
	assignments := pgdirectory.NewAssignments(db)
	if err := assignments.Replace(ctx, o.ID(), u.ID(), []directory.Assignment{{DepartmentID: east.ID(), Primary: true}}); err != nil {
		t.Fatal(err)
	}

	people := pgorg.NewPeople(db)
	// finds reports whether the table of orgID, filtered by text (and by dept's subtree when
	// set), lists the person, and checks the total agrees with the page.
	finds := func(orgID uuid.UUID, dept *directory.Department, text string) bool {
		t.Helper()
		q := apporg.PeopleQuery{Text: text, Sort: apporg.SortName, Limit: 50}
		if dept != nil {
			q.Department, q.Subtree = dept.ID(), true
		}
		got, total, err := people.People(ctx, orgID, q)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if total != len(got) {
			t.Fatalf("%q: total %d, page %d", text, total, len(got))
		}
		for _, p := range got {
			if p.Member.UserID == u.ID() {
				return true
			}
		}
		return false
	}
	expect := func(step string, dept *directory.Department, text string, want bool) {
		t.Helper()
		if got := finds(o.ID(), dept, text); got != want {
			t.Errorf("%s: text %q in %v: found %v, want %v", step, text, deptName(dept), got, want)
		}
	}

	// As created: by name, pinyin, initials, email, employee number, under every ancestor.
	for _, text := range []string{"张", "张伟", "zhangwei", "zhang wei", "zw", "zw@search", "e1", "E100"} {
		expect("created", nil, text, true)
		expect("created", sales, text, true)
	}
	expect("created", east, "zw", true)
	expect("created", root, "zw", true)
	expect("created", rnd, "zw", false)
	expect("created", nil, "wei", false) // pinyin matches from its start only
	// The other organisation has the account but none of this one's profile.
	if finds(other.ID(), nil, "E100") || !finds(other.ID(), nil, "zw") {
		t.Error("the other organisation's row does not follow its own membership")
	}

	// A rename and a new email: the old keys find nothing, the new ones find the person, in
	// both organisations.
	u, err = users.Get(ctx, u.ID())
	if err != nil {
		t.Fatal(err)
	}
	name := "李娜"
	if err := u.ChangeProfile(identity.ProfileChange{DisplayName: &name}, now); err != nil {
		t.Fatal(err)
	}
	if err := u.ChangeEmail("nali@search.example", now); err != nil {
		t.Fatal(err)
	}
	if err := users.Update(ctx, u); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"张", "zw", "zhangwei", "zw@search"} {
		expect("renamed", nil, text, false)
	}
	for _, text := range []string{"李", "李娜", "lina", "ln", "nali@"} {
		expect("renamed", sales, text, true)
	}
	if !finds(other.ID(), nil, "lina") || finds(other.ID(), nil, "zhangwei") {
		t.Error("the rename did not reach the other organisation's row")
	}

	// A new employee number.
	if err := ms.SetProfile(ctx, o.ID(), u.ID(), org.Profile{EmployeeNumber: "X-7"}, false); err != nil {
		t.Fatal(err)
	}
	expect("renumbered", nil, "E100", false)
	expect("renumbered", nil, "x-7", true)

	// Other departments: out of sales, into R&D.
	if err := assignments.Replace(ctx, o.ID(), u.ID(), []directory.Assignment{{DepartmentID: rnd.ID(), Primary: true}}); err != nil {
		t.Fatal(err)
	}
	expect("reassigned", sales, "lina", false)
	expect("reassigned", east, "lina", false)
	expect("reassigned", rnd, "lina", true)

	// R&D moves under East: the person is now under East and Sales as well, and stays in R&D.
	oldPath := rnd.Path()
	if err := rnd.MoveUnder(east, 1, 25, now); err != nil {
		t.Fatal(err)
	}
	if err := depts.Move(ctx, rnd, oldPath); err != nil {
		t.Fatal(err)
	}
	expect("moved in", east, "lina", true)
	expect("moved in", sales, "lina", true)
	expect("moved in", rnd, "lina", true)

	// East (with R&D below it) moves back under the root: no longer under Sales.
	oldPath = east.Path()
	if err := east.MoveUnder(root, 2, 25, now); err != nil {
		t.Fatal(err)
	}
	if err := depts.Move(ctx, east, oldPath); err != nil {
		t.Fatal(err)
	}
	expect("moved out", sales, "lina", false)
	expect("moved out", east, "lina", true)
	expect("moved out", root, "lina", true)

	// No departments at all: found by text, under no department.
	if err := assignments.Replace(ctx, o.ID(), u.ID(), nil); err != nil {
		t.Fatal(err)
	}
	expect("unassigned", nil, "lina", true)
	expect("unassigned", root, "lina", false)

	// A '|' (which separates the stored keys) in a name is found like any other character.
	bot, err := identity.NewUser(identity.NewUserInput{Email: "bot@search.example", DisplayName: "Ops|Bot", PasswordHash: "$argon2id$x"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := users.Create(ctx, bot); err != nil {
		t.Fatal(err)
	}
	if err := ms.Add(ctx, org.NewMembership(o.ID(), bot.ID(), org.RoleMember, now)); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"s|b", "ops|bot", "op"} {
		got, total, err := people.People(ctx, o.ID(), apporg.PeopleQuery{Text: text, Sort: apporg.SortName, Limit: 50})
		if err != nil || total != 1 || len(got) != 1 || got[0].Member.UserID != bot.ID() {
			t.Errorf("%q: %v, total %d, %d rows", text, err, total, len(got))
		}
	}

	// Leaving the organisation removes the row with the membership.
	if err := db.Exec(`DELETE FROM memberships WHERE org_id = ? AND user_id = ?`, o.ID(), u.ID()).Error; err != nil {
		t.Fatal(err)
	}
	expect("left", nil, "lina", false)
	var rows int64
	if err := db.Raw(`SELECT count(*) FROM member_search WHERE org_id = ? AND user_id = ?`, o.ID(), u.ID()).Scan(&rows).Error; err != nil || rows != 0 {
		t.Fatalf("member_search rows after leaving: %d %v", rows, err)
	}
}

func deptName(d *directory.Department) string {
	if d == nil {
		return "the organisation"
	}
	return d.Name()
}
