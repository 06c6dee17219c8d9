package authz_test

import (
	"context"
	"io"
	"log/slog"
	"math/rand"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	appauthz "canopy/app/authz"
	appidentity "canopy/app/identity"
	"canopy/domain/access"
	"canopy/domain/org"
	"canopy/infra/authz"
	pgaccess "canopy/infra/postgres/access"
)

// grants is an in-memory GrantSource: these tests exercise the casbin model and the
// authorizer's scoping, not PostgreSQL (the integration tests cover the loading).
type grants map[uuid.UUID][]pgaccess.Grant

func (g grants) Grants(_ context.Context, orgID uuid.UUID) ([]pgaccess.Grant, error) {
	return g[orgID], nil
}

func actor(orgID, userID uuid.UUID, role org.Role) appauthz.Actor {
	return appauthz.Actor{Principal: appidentity.Principal{UserID: userID, Method: appidentity.MethodSession}, OrgID: orgID,
		Membership: org.NewMembership(orgID, userID, role, time.Now())}
}

func path(ids ...uuid.UUID) string {
	p := "/"
	for _, id := range ids {
		p += id.String() + "/"
	}
	return p
}

func TestScopes(t *testing.T) {
	orgID, other := uuid.New(), uuid.New()
	root, eng, backend, sales := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	admin, member, guest := uuid.New(), uuid.New(), uuid.New()
	auditorRole := uuid.New()
	engPath := path(root, eng)
	src := grants{orgID: {
		{UserID: admin, RoleID: access.BuiltinRoleID(orgID, access.BuiltinDeptAdmin), DeptID: &eng, DeptPath: &engPath,
			Permissions: pq.StringArray{"directory.read", "directory.manage", "groups.manage"}},
		{UserID: member, RoleID: auditorRole, Permissions: pq.StringArray{"audit.read"}},
	}}
	z, err := authz.New(src, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cases := []struct {
		name  string
		a     appauthz.Actor
		perm  access.Permission
		scope string
		want  bool
	}{
		{"dept admin in own department", actor(orgID, admin, org.RoleMember), access.DirectoryManage, engPath, true},
		{"dept admin in a subdepartment", actor(orgID, admin, org.RoleMember), access.DirectoryManage, path(root, eng, backend), true},
		{"dept admin in a sibling", actor(orgID, admin, org.RoleMember), access.DirectoryManage, path(root, sales), false},
		{"dept admin at the root", actor(orgID, admin, org.RoleMember), access.DirectoryManage, path(root), false},
		{"dept admin organisation-wide", actor(orgID, admin, org.RoleMember), access.DirectoryManage, "", false},
		{"dept admin's grant in another organisation", actor(other, admin, org.RoleMember), access.DirectoryManage, engPath, false},
		{"custom role organisation-wide", actor(orgID, member, org.RoleMember), access.AuditRead, "", true},
		{"member without it", actor(orgID, admin, org.RoleMember), access.AuditRead, "", false},
		{"member reads the directory", actor(orgID, member, org.RoleMember), access.DirectoryRead, path(root, sales), true},
		{"guest does not", actor(orgID, guest, org.RoleGuest), access.DirectoryRead, "", false},
		{"guest reads the organisation", actor(orgID, guest, org.RoleGuest), access.OrgRead, "", true},
		{"admin cannot transfer ownership", actor(orgID, guest, org.RoleAdmin), access.OwnershipTransfer, "", false},
		{"owner can", actor(orgID, guest, org.RoleOwner), access.OwnershipTransfer, "", true},
	}
	for _, c := range cases {
		got, err := z.Can(ctx, c.a, c.perm, c.scope)
		if err != nil || got != c.want {
			t.Errorf("%s: got %v (%v), want %v", c.name, got, err, c.want)
		}
	}
	if ok, _ := z.CanAnywhere(ctx, actor(orgID, admin, org.RoleMember), access.GroupsManage); !ok {
		t.Error("CanAnywhere misses a department grant")
	}
	// A token narrowed to one permission loses the others of its owner.
	narrowed := actor(orgID, admin, org.RoleOwner)
	narrowed.Method, narrowed.Scopes = appidentity.MethodToken, []string{"directory.read"}
	if ok, _ := z.Can(ctx, narrowed, access.SettingsManage, ""); ok {
		t.Error("a narrowed token kept its owner's other permissions")
	}
	if ok, _ := z.Can(ctx, narrowed, access.DirectoryRead, ""); !ok {
		t.Error("a narrowed token lost the permission it carries")
	}
	// Revoking and reloading takes the grant away.
	src[orgID] = src[orgID][1:]
	if err := z.Reload(ctx, orgID); err != nil {
		t.Fatal(err)
	}
	if ok, _ := z.Can(ctx, actor(orgID, admin, org.RoleMember), access.DirectoryManage, engPath); ok {
		t.Error("a revoked grant still allows")
	}
}

// TestReach: a department grant reaches that department's subtree only, an organisation-wide one
// the whole organisation, and a narrowed token nothing beyond its scopes.
func TestReach(t *testing.T) {
	orgID, root, eng, ops := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	reader, both, member := uuid.New(), uuid.New(), uuid.New()
	readerRole := uuid.New()
	engPath, opsPath := path(root, eng), path(root, ops)
	src := grants{orgID: {
		{UserID: reader, RoleID: readerRole, DeptID: &eng, DeptPath: &engPath, Permissions: pq.StringArray{"directory.read"}},
		{UserID: both, RoleID: readerRole, DeptID: &eng, DeptPath: &engPath, Permissions: pq.StringArray{"directory.read"}},
		{UserID: both, RoleID: readerRole, DeptID: &ops, DeptPath: &opsPath, Permissions: pq.StringArray{"directory.read"}},
	}}
	z, err := authz.New(src, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	reach := func(a appauthz.Actor, p access.Permission) appauthz.Reach {
		t.Helper()
		r, err := z.Reach(ctx, a, p)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := reach(actor(orgID, reader, org.RoleGuest), access.DirectoryRead); r.Org || len(r.Departments) != 1 || r.Departments[0] != eng {
		t.Errorf("department reader: %+v", r)
	}
	if r := reach(actor(orgID, both, org.RoleGuest), access.DirectoryRead); r.Org || len(r.Departments) != 2 {
		t.Errorf("reader of two departments: %+v", r)
	}
	if r := reach(actor(orgID, member, org.RoleMember), access.DirectoryRead); !r.Org || len(r.Departments) != 0 {
		t.Errorf("member: %+v", r)
	}
	if r := reach(actor(orgID, reader, org.RoleGuest), access.DirectoryManage); !r.None() {
		t.Errorf("a permission the reader lacks: %+v", r)
	}
	narrowed := actor(orgID, reader, org.RoleGuest)
	narrowed.Method, narrowed.Scopes = appidentity.MethodToken, []string{"org.read"}
	if r := reach(narrowed, access.DirectoryRead); !r.None() {
		t.Errorf("a token narrowed to org.read: %+v", r)
	}
}

// BenchmarkPermissionCheck: one organisation with 100,000 members, 1,000 departments (each with
// a department admin) and 10,000 groups' worth of owners holding a custom role, plus 99 small
// organisations. It reports p50 and p99 of single checks, mixing organisation-wide and
// department-scoped ones as the services ask them.
func BenchmarkPermissionCheck(b *testing.B) {
	big := uuid.New()
	src := grants{}
	root := uuid.New()
	depts := make([]string, 1000)
	deptIDs := make([]uuid.UUID, 1000)
	for i := range depts {
		deptIDs[i] = uuid.New()
		depts[i] = path(root, deptIDs[i/10], deptIDs[i])
	}
	users := make([]uuid.UUID, 100000)
	for i := range users {
		users[i] = uuid.New()
	}
	custom := uuid.New()
	for i := 0; i < 1000; i++ {
		d := deptIDs[i]
		p := depts[i]
		src[big] = append(src[big], pgaccess.Grant{UserID: users[i], RoleID: access.BuiltinRoleID(big, access.BuiltinDeptAdmin),
			DeptID: &d, DeptPath: &p, Permissions: pq.StringArray{"directory.read", "directory.manage", "groups.manage"}})
	}
	for i := 1000; i < 11000; i++ {
		src[big] = append(src[big], pgaccess.Grant{UserID: users[i], RoleID: custom, Permissions: pq.StringArray{"groups.manage", "audit.read"}})
	}
	small := make([]uuid.UUID, 99)
	for i := range small {
		small[i] = uuid.New()
		src[small[i]] = []pgaccess.Grant{{UserID: uuid.New(), RoleID: uuid.New(), Permissions: pq.StringArray{"audit.read"}}}
	}
	z, err := authz.New(src, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, id := range append(small, big) {
		if err := z.Reload(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
	perms := []access.Permission{access.DirectoryRead, access.DirectoryManage, access.GroupsManage, access.AuditRead, access.SettingsManage}
	rng := rand.New(rand.NewSource(1))
	type req struct {
		a     appauthz.Actor
		perm  access.Permission
		scope string
	}
	reqs := make([]req, 4096)
	for i := range reqs {
		u := users[rng.Intn(len(users))]
		if i%4 == 0 {
			u = users[rng.Intn(11000)] // a quarter of the checks are by people with grants
		}
		scope := ""
		if i%2 == 0 {
			scope = depts[rng.Intn(len(depts))]
		}
		reqs[i] = req{actor(big, u, org.RoleMember), perms[rng.Intn(len(perms))], scope}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := reqs[i%len(reqs)]
		start := time.Now()
		if _, err := z.Can(ctx, r.a, r.perm, r.scope); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1000, "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1000, "p99-µs")
	}
}
