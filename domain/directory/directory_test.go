package directory_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/directory"
	"canopy/domain/errs"
)

func TestMoveUnderRefusesCyclesAndDepth(t *testing.T) {
	now := time.Now()
	root, _ := directory.NewRoot(uuid.New(), "Acme/HQ", now)
	if root.Name() != "Acme HQ" || root.Depth() != 1 || !root.IsRoot() {
		t.Fatalf("root: %q %d", root.Name(), root.Depth())
	}
	a, _ := directory.NewDepartment(root, "A", "", 25, now)
	b, _ := directory.NewDepartment(a, "B", "", 25, now)
	c, _ := directory.NewDepartment(root, "C", "", 25, now)
	if err := a.MoveUnder(b, 2, 25, now); errs.CodeOf(err) != "cycle" {
		t.Fatalf("into own subtree: %v", err)
	}
	if err := a.MoveUnder(a, 2, 25, now); errs.CodeOf(err) != "cycle" {
		t.Fatalf("under itself: %v", err)
	}
	if err := a.MoveUnder(c, 2, 3, now); errs.CodeOf(err) != "too_deep" {
		t.Fatalf("past the limit: %v", err)
	}
	if err := root.MoveUnder(c, 1, 25, now); errs.CodeOf(err) != "root_immovable" {
		t.Fatalf("root: %v", err)
	}
	if err := a.MoveUnder(c, 2, 25, now); err != nil || a.Depth() != 3 || a.ParentID() != c.ID() || !c.Contains(a) {
		t.Fatalf("move: %v depth %d", err, a.Depth())
	}
	if ids := a.AncestorIDs(); len(ids) != 2 || ids[0] != root.ID() || ids[1] != c.ID() {
		t.Fatalf("ancestors %v", ids)
	}
	if _, err := directory.NewDepartment(root, "x/y", "", 25, now); errs.CodeOf(err) != "path_separator" {
		t.Fatalf("slash in a name: %v", err)
	}
}

func TestAssignments(t *testing.T) {
	d1, d2, d3 := uuid.New(), uuid.New(), uuid.New()
	as, err := directory.NormalizeAssignments([]directory.Assignment{{DepartmentID: d1}, {DepartmentID: d2}}, 50)
	if err != nil || !as[0].Primary || as[1].Primary {
		t.Fatalf("first becomes primary: %v %v", as, err)
	}
	if _, err := directory.NormalizeAssignments([]directory.Assignment{{DepartmentID: d1}, {DepartmentID: d1}}, 50); errs.CodeOf(err) != "duplicate_department" {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := directory.NormalizeAssignments([]directory.Assignment{{DepartmentID: d1}, {DepartmentID: d2}}, 1); errs.CodeOf(err) != "too_many_departments" {
		t.Fatalf("limit: %v", err)
	}
	moved := directory.MoveAssignment([]directory.Assignment{{DepartmentID: d1, Primary: true, Leader: true}, {DepartmentID: d2}}, d1, d3)
	if len(moved) != 2 || moved[1].DepartmentID != d3 || !moved[1].Primary || moved[1].Leader {
		t.Fatalf("move: %v", moved)
	}
	merged := directory.MoveAssignment([]directory.Assignment{{DepartmentID: d1, Primary: true}, {DepartmentID: d2}}, d1, d2)
	if len(merged) != 1 || merged[0].DepartmentID != d2 || !merged[0].Primary {
		t.Fatalf("merge into an existing one: %v", merged)
	}
}

func TestGroupCap(t *testing.T) {
	if _, err := directory.NewGroup(uuid.New(), directory.GroupInput{Name: "G", MemberCap: 1001}, time.Now()); errs.CodeOf(err) != "invalid_member_cap" {
		t.Fatalf("cap above 1000: %v", err)
	}
	g, err := directory.NewGroup(uuid.New(), directory.GroupInput{Name: "G"}, time.Now())
	if err != nil || g.MemberCap() != directory.MaxGroupMembers {
		t.Fatalf("default cap: %v", err)
	}
	g = directory.RehydrateGroup(g.ID(), g.OrgID(), uuid.Nil, "G", "", "", 1000, 10, time.Now(), time.Now())
	if err := g.Update(directory.GroupInput{Name: "G", MemberCap: 5}, time.Now()); errs.CodeOf(err) != "cap_below_members" {
		t.Fatalf("cap below members: %v", err)
	}
}
