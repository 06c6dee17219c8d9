package directory_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"canopy/domain/directory"
	"canopy/domain/identity"
	"canopy/domain/org"
	"canopy/infra/pinyin"
	pgdirectory "canopy/infra/postgres/directory"
	pgidentity "canopy/infra/postgres/identity"
	pgorg "canopy/infra/postgres/org"
	"canopy/infra/postgres/pgtest"
)

// mustTree makes departments below the organisation's root from "A", "A/A1" style paths and
// returns them by path ("" is the root).
func mustTree(tb testing.TB, db *gorm.DB, orgID uuid.UUID, paths ...string) map[string]*directory.Department {
	tb.Helper()
	ctx := context.Background()
	repo := pgdirectory.NewDepartments(db, pinyin.Keys)
	root, err := directory.NewRoot(orgID, "Org", time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	if err := repo.Create(ctx, root); err != nil {
		tb.Fatal(err)
	}
	out := map[string]*directory.Department{"": root}
	for _, p := range paths {
		parent := out[p[:max(0, strings.LastIndex(p, "/"))]]
		d, err := directory.NewDepartment(parent, p[strings.LastIndex(p, "/")+1:], "", 25, time.Now())
		if err != nil {
			tb.Fatal(err)
		}
		if err := repo.Create(ctx, d); err != nil {
			tb.Fatal(err)
		}
		out[p] = d
	}
	return out
}

type seeded struct {
	id    uuid.UUID
	name  string
	depts []uuid.UUID
}

// TestMembersPagesAgreeWithTheirDefinition lists departments' members, of the department alone
// and of its subtree, page by page, in an organisation large enough that the reader walks users
// in name order for big subtrees and collects small ones; every page and total must be what the
// definition gives: the distinct members with a department there, by lower-cased name and id.
func TestMembersPagesAgreeWithTheirDefinition(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	o := pgtest.MustOrg(t, db, pgtest.MustUser(t, db, "owner@members.example"))
	tree := mustTree(t, db, o.ID(), "A", "A/A1", "A/A2", "A/A2/X", "B")
	pick := []string{"A/A1", "A/A1", "A/A1", "A/A2", "A/A2/X", "B", "A"}
	var people []seeded
	assign := pgdirectory.NewAssignments(db)
	ms := pgorg.NewMemberships(db)
	for i := 0; i < 400; i++ {
		// Mixed case and shared names, so the order needs lower() and the id.
		name := []string{"ada", "Bob", "carol", "Dan", "eve"}[i%5] + fmt.Sprintf(" %03d", (i*37)%113)
		u := mustUserNamed(t, db, fmt.Sprintf("m%03d@members.example", i), name)
		if err := ms.Add(ctx, org.NewMembership(o.ID(), u.ID(), org.RoleMember, time.Now())); err != nil {
			t.Fatal(err)
		}
		p := seeded{id: u.ID(), name: name}
		if i%13 != 0 { // some members have no department
			p.depts = append(p.depts, tree[pick[i%len(pick)]].ID())
			if second := tree[pick[(i/3)%len(pick)]].ID(); i%4 == 0 && second != p.depts[0] {
				p.depts = append(p.depts, second)
			}
		}
		as, err := directory.NormalizeAssignments(assignments(p.depts), 50)
		if err != nil {
			t.Fatal(err)
		}
		if err := assign.Replace(ctx, o.ID(), u.ID(), as); err != nil {
			t.Fatal(err)
		}
		people = append(people, p)
	}
	// The reader chooses by the size of the users table, as statistics give it.
	if err := db.Exec(`ANALYZE users`).Error; err != nil {
		t.Fatal(err)
	}
	r := pgdirectory.NewReader(db, pinyin.Keys)
	for path, d := range tree {
		for _, subtree := range []bool{false, true} {
			var want []seeded
			for _, p := range people {
				for _, id := range p.depts {
					var dd *directory.Department
					for _, x := range tree {
						if x.ID() == id {
							dd = x
						}
					}
					if dd.ID() == d.ID() || (subtree && d.Contains(dd)) {
						want = append(want, p)
						break
					}
				}
			}
			sort.Slice(want, func(i, j int) bool {
				a, b := strings.ToLower(want[i].name), strings.ToLower(want[j].name)
				if a != b {
					return a < b
				}
				return want[i].id.String() < want[j].id.String()
			})
			for _, page := range []struct{ limit, offset int }{{50, 0}, {50, 50}, {7, 120}, {200, 0}, {50, len(want) - 3}, {50, len(want)}, {50, 5000}} {
				if page.offset < 0 {
					continue
				}
				got, total, err := r.Members(ctx, d, subtree, "", page.limit, page.offset)
				if err != nil {
					t.Fatal(err)
				}
				if total != len(want) {
					t.Fatalf("%q subtree=%v: total %d, want %d", path, subtree, total, len(want))
				}
				end := min(len(want), page.offset+page.limit)
				var exp []uuid.UUID
				for _, p := range want[min(page.offset, len(want)):end] {
					exp = append(exp, p.id)
				}
				var ids []uuid.UUID
				for _, p := range got {
					ids = append(ids, p.UserID)
				}
				if fmt.Sprint(ids) != fmt.Sprint(exp) {
					t.Fatalf("%q subtree=%v limit=%d offset=%d: got %d members, want %d\n got %v\nwant %v", path, subtree, page.limit, page.offset, len(ids), len(exp), ids, exp)
				}
			}
		}
	}
	// A filtered listing past its last page still says how many match.
	if _, total, err := r.Members(ctx, tree[""], true, "ada", 50, 1000); err != nil || total == 0 || total >= 400 {
		t.Fatalf("filtered total %d, %v", total, err)
	}
}

func assignments(ids []uuid.UUID) []directory.Assignment {
	out := make([]directory.Assignment, len(ids))
	for i, id := range ids {
		out[i] = directory.Assignment{DepartmentID: id}
	}
	return out
}

func mustUserNamed(tb testing.TB, db *gorm.DB, email, name string) *identity.User {
	tb.Helper()
	u, err := identity.NewUser(identity.NewUserInput{Email: email, DisplayName: name}, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	if err := pgidentity.NewUsers(db, pinyin.Keys).Create(context.Background(), u); err != nil {
		tb.Fatal(err)
	}
	return u
}
