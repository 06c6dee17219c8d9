package postgres_test

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
	"canopy/infra/postgres"
)

func TestTokensListByOrgAndRevokeInOrg(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	a, b := mustUser(t, db, "a@tokens.example"), mustUser(t, db, "b@tokens.example")
	o, other := mustOrg(t, db, a), mustOrg(t, db, b)
	if err := postgres.NewMemberships(db).Add(ctx, org.NewMembership(o.ID(), b.ID(), org.RoleAdmin, time.Now())); err != nil {
		t.Fatal(err)
	}
	repo := postgres.NewTokens(db)
	mk := func(orgID, userID uuid.UUID, scope string) *identity.APIToken {
		tok, _, err := identity.NewAPIToken(orgID, userID, scope+" token", []string{scope}, 0, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := repo.Create(ctx, tok); err != nil {
			t.Fatal(err)
		}
		return tok
	}
	s1, s2 := mk(o.ID(), a.ID(), identity.ScopeSCIM), mk(o.ID(), b.ID(), identity.ScopeSCIM)
	api := mk(o.ID(), a.ID(), identity.ScopeAPI)
	foreign := mk(other.ID(), b.ID(), identity.ScopeSCIM)

	got, err := repo.ListByOrg(ctx, o.ID(), identity.ScopeSCIM)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[uuid.UUID]bool{}
	for _, tok := range got {
		ids[tok.ID()] = true
	}
	if len(got) != 2 || !ids[s1.ID()] || !ids[s2.ID()] {
		t.Fatalf("SCIM tokens of the organisation: %v", ids)
	}
	// Only a token of the organisation with the scope can be revoked here.
	for _, id := range []uuid.UUID{api.ID(), foreign.ID(), uuid.New()} {
		if err := repo.RevokeInOrg(ctx, o.ID(), identity.ScopeSCIM, id, time.Now()); !errs.Is(err, errs.NotFound) {
			t.Fatalf("revoke %s: %v", id, err)
		}
	}
	if err := repo.RevokeInOrg(ctx, o.ID(), identity.ScopeSCIM, s2.ID(), time.Now()); err != nil {
		t.Fatal(err)
	}
	got, _ = repo.ListByOrg(ctx, o.ID(), identity.ScopeSCIM)
	for _, tok := range got {
		if (tok.ID() == s2.ID()) == tok.Usable(time.Now()) {
			t.Fatalf("token %s usable=%v after revoking s2", tok.Name(), tok.Usable(time.Now()))
		}
	}
}

type scimFixture struct {
	db    *gorm.DB
	org   *org.Organisation
	users map[string]*identity.User
}

func mustSCIMFixture(t *testing.T) scimFixture {
	db := mustDB(t)
	ctx := context.Background()
	f := scimFixture{db: db, users: map[string]*identity.User{}}
	users := postgres.NewUsers(db, pinyin.Keys)
	members := postgres.NewMemberships(db)
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
			f.org = mustOrg(t, db, u)
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
	stranger := mustUser(t, db, "stranger@scim.example")
	mustOrg(t, db, stranger)
	return f
}

func TestSCIMReaderFilters(t *testing.T) {
	f := mustSCIMFixture(t)
	r := postgres.NewSCIMReader(f.db)
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
	groups := postgres.NewGroups(f.db, pinyin.Keys)
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
	r := postgres.NewSCIMReader(f.db)
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
