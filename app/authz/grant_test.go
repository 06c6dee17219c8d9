package authz_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"canopy/app/authz"
	appidentity "canopy/app/identity"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/org"
)

// held is a fake authorizer: the permissions an actor holds organisation-wide ("") or at a
// department path (which covers the paths below it), narrowed by the token's scopes as the real
// one is.
type held map[string][]access.Permission

func (h held) Can(_ context.Context, a authz.Actor, p access.Permission, deptPath string) (bool, error) {
	if !a.ScopeAllows(p) {
		return false, nil
	}
	for scope, ps := range h {
		if scope == "" || (deptPath != "" && strings.HasPrefix(deptPath, scope)) {
			for _, q := range ps {
				if q == p {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

func (h held) CanAnywhere(_ context.Context, a authz.Actor, p access.Permission) (bool, error) {
	if !a.ScopeAllows(p) {
		return false, nil
	}
	for _, ps := range h {
		for _, q := range ps {
			if q == p {
				return true, nil
			}
		}
	}
	return false, nil
}

func (h held) Reach(context.Context, authz.Actor, access.Permission) (authz.Reach, error) {
	return authz.Reach{}, nil
}

func session() authz.Actor {
	return authz.Actor{Principal: appidentity.Principal{UserID: uuid.New(), Method: appidentity.MethodSession}, OrgID: uuid.New()}
}

func token(scopes ...string) authz.Actor {
	a := session()
	a.Method, a.Scopes = appidentity.MethodToken, scopes
	return a
}

func TestMembersManageAloneCannotMakeAnAdmin(t *testing.T) {
	ctx := context.Background()
	z := held{"": append(access.Builtins[access.BuiltinMember], access.MembersManage)}
	err := authz.RequireRoleGrantable(ctx, z, session(), org.RoleAdmin)
	if errs.CodeOf(err) != "cannot_grant" || !errs.Is(err, errs.Forbidden) {
		t.Fatalf("making an admin: %v", err)
	}
	if !strings.Contains(err.Error(), "permission") {
		t.Fatalf("the error does not name the permission: %v", err)
	}
	for _, r := range []org.Role{org.RoleMember, org.RoleGuest} {
		if err := authz.RequireRoleGrantable(ctx, z, session(), r); err != nil {
			t.Errorf("making a %s: %v", r, err)
		}
	}
	admin := held{"": access.Builtins[access.BuiltinAdmin]}
	if err := authz.RequireRoleGrantable(ctx, admin, session(), org.RoleAdmin); err != nil {
		t.Errorf("an admin making an admin: %v", err)
	}
	if err := authz.RequireRoleGrantable(ctx, admin, session(), org.RoleOwner); errs.CodeOf(err) != "cannot_grant" {
		t.Errorf("an admin making an owner: %v", err)
	}
}

func TestGrantableOnlyWithinTheSubtree(t *testing.T) {
	ctx := context.Background()
	eng, sales := "/root/eng/", "/root/sales/"
	z := held{eng: access.Builtins[access.BuiltinDeptAdmin]}
	perms := []access.Permission{access.DirectoryRead, access.DirectoryManage}
	if err := authz.RequireGrantable(ctx, z, session(), perms, eng+"backend/"); err != nil {
		t.Errorf("inside the subtree: %v", err)
	}
	for name, scope := range map[string]string{"a sibling": sales, "the organisation": ""} {
		if err := authz.RequireGrantable(ctx, z, session(), perms, scope); errs.CodeOf(err) != "cannot_grant" {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := authz.RequireGrantable(ctx, z, session(), []access.Permission{access.AuditRead}, eng); errs.CodeOf(err) != "cannot_grant" {
		t.Errorf("a permission not held: %v", err)
	}
}

func TestTokenScopes(t *testing.T) {
	ctx := context.Background()
	owner := held{"": access.Builtins[access.BuiltinOwner]}
	member := held{"": access.Builtins[access.BuiltinMember]}
	cases := []struct {
		name   string
		z      held
		by     authz.Actor
		scopes []string
		ok     bool
	}{
		{"a session gives api", member, session(), []string{"api"}, true},
		{"a session gives a permission it holds", member, session(), []string{"directory.read"}, true},
		{"a session gives one it lacks", member, session(), []string{"members.manage"}, false},
		{"an api token gives scim", owner, token("api"), []string{"scim"}, true},
		{"a narrowed token gives a subset", owner, token("members.manage", "directory.read"), []string{"members.manage"}, true},
		{"a narrowed token gives api", owner, token("members.manage"), []string{"api"}, false},
		{"a narrowed token gives scim", owner, token("members.manage", "tokens.manage"), []string{"scim"}, false},
		{"a narrowed token gives a broader permission", owner, token("members.manage"), []string{"roles.manage"}, false},
		{"api with a permission is narrowed", owner, token("api", "members.manage"), []string{"api"}, false},
	}
	for _, c := range cases {
		err := authz.RequireScopes(ctx, c.z, c.by, c.scopes)
		if c.ok && err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if !c.ok && errs.CodeOf(err) != "cannot_grant" {
			t.Errorf("%s: got %v, want cannot_grant", c.name, err)
		}
	}
}

func TestScopeAllows(t *testing.T) {
	if !session().ScopeAllows(access.GroupsManage) || !token("api").ScopeAllows(access.GroupsManage) {
		t.Error("a session or an api token lost a permission")
	}
	if token("directory.read").ScopeAllows(access.GroupsManage) {
		t.Error("a narrowed token let a permission it does not carry through")
	}
	if !token("directory.read", "groups.manage").ScopeAllows(access.GroupsManage) {
		t.Error("a narrowed token lost a permission it carries")
	}
}
