package access_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/access"
	"canopy/domain/errs"
)

func TestCustomRoles(t *testing.T) {
	org := uuid.New()
	if _, err := access.NewRole(org, access.RoleInput{Name: "Boss", Permissions: []string{"ownership.transfer"}}, time.Now()); errs.CodeOf(err) != "invalid_permission" {
		t.Fatalf("ownership in a custom role: %v", err)
	}
	if _, err := access.NewRole(org, access.RoleInput{Name: "X", Permissions: []string{"files.everything"}}, time.Now()); errs.CodeOf(err) != "invalid_permission" {
		t.Fatalf("unknown permission: %v", err)
	}
	if _, err := access.NewRole(org, access.RoleInput{Name: "X"}, time.Now()); errs.CodeOf(err) != "invalid_permission" {
		t.Fatalf("no permission: %v", err)
	}
	r, err := access.NewRole(org, access.RoleInput{Name: " Auditor ", Permissions: []string{"audit.read", "audit.read"}}, time.Now())
	if err != nil || r.Name() != "Auditor" || len(r.Permissions()) != 1 {
		t.Fatalf("role: %v %v", r, err)
	}
}

func TestBuiltinRoleIDsDifferPerOrganisation(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	if access.BuiltinRoleID(a, access.BuiltinAdmin) == access.BuiltinRoleID(b, access.BuiltinAdmin) {
		t.Fatal("two organisations share a built-in role id")
	}
	if got, ok := access.BuiltinOf(a, access.BuiltinRoleID(a, access.BuiltinGuest)); !ok || got != access.BuiltinGuest {
		t.Fatal("BuiltinOf")
	}
	if _, ok := access.BuiltinOf(b, access.BuiltinRoleID(a, access.BuiltinGuest)); ok {
		t.Fatal("another organisation's built-in role recognised")
	}
	for _, p := range access.Builtins[access.BuiltinAdmin] {
		if p == access.OwnershipTransfer {
			t.Fatal("admins can transfer ownership")
		}
	}
}
