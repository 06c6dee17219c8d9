package scim_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	appscim "canopy/app/scim"
	"canopy/domain/directory"
	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/org"
	"canopy/infra/pinyin"
	pgdirectory "canopy/infra/postgres/directory"
	pgidentity "canopy/infra/postgres/identity"
	pgorg "canopy/infra/postgres/org"
	"canopy/infra/postgres/pgtest"
	pgscim "canopy/infra/postgres/scim"
)

type scimFixture struct {
	db    *gorm.DB
	org   *org.Organisation
	users map[string]*identity.User
}

func mustSCIMFixture(t *testing.T) scimFixture {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	f := scimFixture{db: db, users: map[string]*identity.User{}}
	users := pgidentity.NewUsers(db, pinyin.Keys)
	members := pgorg.NewMemberships(db)
	for i, x := range []struct{ email, name, ext string }{
		{"ann@scim.example", "Ann Archer", "E-1"},
		{"bob@scim.example", "Bob Cole", "e-1"},
		{"cai@other.example", "蔡明", ""},
		{"o'neil@scim.example", "Dee O'Neil", "x'; DROP TABLE users; --"},
	} {
		u, err := identity.NewUser(identity.NewUserInput{Email: x.email, DisplayName: x.name}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := users.Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			f.org = pgtest.MustOrg(t, db, u)
			m, _ := members.Get(ctx, f.org.ID(), u.ID())
			_ = m.SetExternalID(x.ext)
			if err := members.Update(ctx, m); err != nil {
				t.Fatal(err)
			}
		} else {
			m := org.NewMembership(f.org.ID(), u.ID(), org.RoleMember, time.Now().Add(time.Duration(i)*time.Second))
			_ = m.SetExternalID(x.ext)
			if err := members.Add(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		f.users[x.email] = u
	}
	// Someone of another organisation, who must never show up.
	stranger := pgtest.MustUser(t, db, "stranger@scim.example")
	pgtest.MustOrg(t, db, stranger)
	return f
}

func TestSCIMReaderFilters(t *testing.T) {
	f := mustSCIMFixture(t)
	r := pgscim.NewReader(f.db)
	ctx := context.Background()
	cmp := func(field appscim.Field, op appscim.Op, v any) appscim.Expr {
		return appscim.Compare{Field: field, Op: op, Value: v}
	}
	cases := []struct {
		name string
		f    appscim.Expr
		want string
	}{
		{"all", nil, "ann,bob,cai,o'neil"},
		{"email eq folds case", cmp(appscim.UserEmail, appscim.Eq, "BOB@SCIM.EXAMPLE"), "bob"},
		{"external id is case-exact", cmp(appscim.UserExternalID, appscim.Eq, "e-1"), "bob"},
		{"ne keeps the absent", cmp(appscim.UserExternalID, appscim.Ne, "E-1"), "bob,cai,o'neil"},
		{"not of a comparison on NULL", appscim.Not{X: cmp(appscim.UserExternalID, appscim.Eq, "E-1")}, "bob,cai,o'neil"},
		{"pr", cmp(appscim.UserExternalID, appscim.Pr, nil), "ann,bob,o'neil"},
		{"eq null", cmp(appscim.UserExternalID, appscim.Eq, nil), "cai"},
		{"co", cmp(appscim.UserDisplayName, appscim.Co, "CO"), "bob"},
		{"sw Chinese", cmp(appscim.UserDisplayName, appscim.Sw, "蔡"), "cai"},
		{"ew", cmp(appscim.UserEmail, appscim.Ew, "@other.example"), "cai"},
		{"a quote in a value", cmp(appscim.UserEmail, appscim.Eq, "o'neil@scim.example"), "o'neil"},
		{"SQL in a value is a value", cmp(appscim.UserExternalID, appscim.Eq, "x'; DROP TABLE users; --"), "o'neil"},
		{"LIKE wildcards are literal", cmp(appscim.UserEmail, appscim.Co, "_"), ""},
		{"percent is literal", cmp(appscim.UserEmail, appscim.Sw, "%"), ""},
		{"gt", cmp(appscim.UserEmail, appscim.Gt, "bob@scim.example"), "cai,o'neil"},
		{"bool", cmp(appscim.UserActive, appscim.Eq, true), "ann,bob,cai,o'neil"},
		{"id", cmp(appscim.UserID, appscim.Eq, f.users["cai@other.example"].ID().String()), "cai"},
		{"and/or", appscim.Or{Left: cmp(appscim.UserEmail, appscim.Sw, "ann"),
			Right: appscim.And{Left: cmp(appscim.UserExternalID, appscim.Pr, nil), Right: appscim.Not{X: cmp(appscim.UserEmail, appscim.Sw, "ann")}}}, "ann,bob,o'neil"},
		{"const", appscim.And{Left: appscim.Const(true), Right: appscim.Not{X: appscim.Const(false)}}, "ann,bob,cai,o'neil"},
	}
	for _, c := range cases {
		us, total, err := r.Users(ctx, f.org.ID(), c.f, 200, 0)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got []string
		for _, u := range us {
			local, _, _ := strings.Cut(u.Email, "@")
			got = append(got, local)
		}
		sort.Strings(got)
		if strings.Join(got, ",") != c.want || total != len(got) {
			t.Errorf("%s: got %v (total %d), want %s", c.name, got, total, c.want)
		}
	}
	// A boolean compared with text is refused, not sent to the database.
	if _, _, err := r.Users(ctx, f.org.ID(), cmp(appscim.UserActive, appscim.Eq, "yes"), 10, 0); errs.CodeOf(err) != "invalid_filter" {
		t.Fatalf("bool with text: %v", err)
	}
	// Pages in join order, with the total of the whole match.
	us, total, err := r.Users(ctx, f.org.ID(), nil, 2, 1)
	if err != nil || total != 4 || len(us) != 2 || us[0].Email != "bob@scim.example" || us[1].Email != "cai@other.example" {
		t.Fatalf("page: %v %d %v", us, total, err)
	}
	if us, total, _ := r.Users(ctx, f.org.ID(), nil, 0, 0); len(us) != 0 || total != 4 {
		t.Fatalf("count only: %d %d", len(us), total)
	}
	if _, err := r.User(ctx, f.org.ID(), uuid.New()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("unknown user: %v", err)
	}
}

func TestSCIMReaderGroups(t *testing.T) {
	f := mustSCIMFixture(t)
	ctx := context.Background()
	groups := pgdirectory.NewGroups(f.db, pinyin.Keys)
	mk := func(name, ext string, members ...string) *directory.Group {
		g, err := directory.NewGroup(f.org.ID(), directory.GroupInput{Name: name, ExternalID: ext}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := groups.Create(ctx, g); err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			if err := groups.AddMember(ctx, f.org.ID(), g.ID(), f.users[m].ID(), directory.GroupMember, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		return g
	}
	eng := mk("Engineering", "g-eng", "ann@scim.example", "bob@scim.example")
	ops := mk("Operations", "", "cai@other.example")
	mk("Empty", "")
	r := pgscim.NewReader(f.db)
	names := func(e appscim.Expr) string {
		gs, total, err := r.Groups(ctx, f.org.ID(), e, 200, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, g := range gs {
			out = append(out, g.Name())
		}
		if total != len(out) {
			t.Fatalf("total %d for %v", total, out)
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	bob := f.users["bob@scim.example"].ID().String()
	for e, want := range map[appscim.Expr]string{
		appscim.Compare{Field: appscim.GroupName, Op: appscim.Eq, Value: "engineering"}:   "Engineering",
		appscim.Compare{Field: appscim.GroupMemberID, Op: appscim.Eq, Value: bob}:         "Engineering",
		appscim.Compare{Field: appscim.GroupMemberID, Op: appscim.Pr}:                     "Engineering,Operations",
		appscim.Not{X: appscim.Compare{Field: appscim.GroupMemberID, Op: appscim.Pr}}:     "Empty",
		appscim.Compare{Field: appscim.GroupMemberName, Op: appscim.Sw, Value: "蔡"}:       "Operations",
		appscim.Compare{Field: appscim.GroupExternalID, Op: appscim.Eq, Value: "g-eng"}:   "Engineering",
		appscim.Compare{Field: appscim.GroupID, Op: appscim.Eq, Value: ops.ID().String()}: "Operations",
	} {
		if got := names(e); got != want {
			t.Errorf("%v: got %s, want %s", e, got, want)
		}
	}
	// A user field means nothing on groups.
	if _, _, err := r.Groups(ctx, f.org.ID(), appscim.Compare{Field: appscim.UserEmail, Op: appscim.Eq, Value: "ann@scim.example"}, 10, 0); errs.CodeOf(err) != "invalid_filter" {
		t.Fatalf("a user field on groups: %v", err)
	}
	ms, err := r.GroupMembers(ctx, f.org.ID(), []uuid.UUID{eng.ID(), ops.ID()})
	if err != nil || len(ms[eng.ID()]) != 2 || len(ms[ops.ID()]) != 1 || ms[ops.ID()][0].DisplayName != "蔡明" {
		t.Fatalf("group members: %v %v", ms, err)
	}
	// Another organisation's id gets nothing.
	if ms, _ := r.GroupMembers(ctx, uuid.New(), []uuid.UUID{eng.ID()}); len(ms) != 0 {
		t.Fatalf("foreign group members: %v", ms)
	}
}

// TestSCIMStore: the name parts are kept as sent and can be filtered on; a member the provider
// deleted is gone from every read (by id, lists, filters, group members) until it is restored,
// and is found again by email for that.
func TestSCIMStore(t *testing.T) {
	f := mustSCIMFixture(t)
	ctx := context.Background()
	r, st := pgscim.NewReader(f.db), pgscim.NewStore(f.db)
	bob := f.users["bob@scim.example"].ID()
	given, family := " Robert ", "Cole-Smith"
	if err := st.SetNames(ctx, f.org.ID(), bob, &given, &family); err != nil {
		t.Fatal(err)
	}
	u, err := r.User(ctx, f.org.ID(), bob)
	if err != nil || u.GivenName != " Robert " || u.FamilyName != "Cole-Smith" {
		t.Fatalf("names: %+v %v", u, err)
	}
	// nil leaves a part, "" removes it.
	none := ""
	if err := st.SetNames(ctx, f.org.ID(), bob, nil, &none); err != nil {
		t.Fatal(err)
	}
	if u, _ := r.User(ctx, f.org.ID(), bob); u.GivenName != " Robert " || u.FamilyName != "" {
		t.Fatalf("after removing the family name: %+v", u)
	}
	if us, _, _ := r.Users(ctx, f.org.ID(), appscim.Compare{Field: appscim.UserGivenName, Op: appscim.Co, Value: "ROBERT"}, 10, 0); len(us) != 1 || us[0].UserID != bob {
		t.Fatalf("filter on givenName: %v", us)
	}

	g, err := directory.NewGroup(f.org.ID(), directory.GroupInput{Name: "Team"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := pgdirectory.NewGroups(f.db, pinyin.Keys).Create(ctx, g); err != nil {
		t.Fatal(err)
	}
	if err := pgdirectory.NewGroups(f.db, pinyin.Keys).AddMember(ctx, f.org.ID(), g.ID(), bob, directory.GroupMember, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Deleted(ctx, f.org.ID(), "bob@scim.example"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("a member who was not deleted: %v", err)
	}
	if err := st.Delete(ctx, f.org.ID(), bob); err != nil {
		t.Fatal(err)
	}
	if _, err := r.User(ctx, f.org.ID(), bob); !errs.Is(err, errs.NotFound) {
		t.Fatalf("a deleted user by id: %v", err)
	}
	if _, total, _ := r.Users(ctx, f.org.ID(), nil, 10, 0); total != 3 {
		t.Fatalf("a deleted user in the list: %d", total)
	}
	if _, total, _ := r.Users(ctx, f.org.ID(), appscim.Compare{Field: appscim.UserEmail, Op: appscim.Eq, Value: "bob@scim.example"}, 10, 0); total != 0 {
		t.Fatalf("a deleted user by filter: %d", total)
	}
	if ms, _ := r.GroupMembers(ctx, f.org.ID(), []uuid.UUID{g.ID()}); len(ms[g.ID()]) != 0 {
		t.Fatalf("a deleted user as a group member: %v", ms)
	}
	if _, total, _ := r.Groups(ctx, f.org.ID(), appscim.Compare{Field: appscim.GroupMemberID, Op: appscim.Eq, Value: bob.String()}, 10, 0); total != 0 {
		t.Fatalf("a group found by a deleted member: %d", total)
	}
	if id, err := st.Deleted(ctx, f.org.ID(), "BOB@scim.example"); err != nil || id != bob {
		t.Fatalf("deleted by email: %v %v", id, err)
	}
	if _, err := st.Deleted(ctx, uuid.New(), "bob@scim.example"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("deleted in another organisation: %v", err)
	}
	if err := st.Restore(ctx, f.org.ID(), bob); err != nil {
		t.Fatal(err)
	}
	if err := st.Restore(ctx, f.org.ID(), bob); !errs.Is(err, errs.NotFound) {
		t.Fatalf("restoring twice: %v", err)
	}
	if u, err := r.User(ctx, f.org.ID(), bob); err != nil || u.GivenName != " Robert " {
		t.Fatalf("restored: %+v %v", u, err)
	}
	// The row belongs to a membership: none for another organisation's.
	if err := st.SetNames(ctx, uuid.New(), bob, &given, nil); !errs.Is(err, errs.NotFound) {
		t.Fatalf("names for a membership that does not exist: %v", err)
	}
}
