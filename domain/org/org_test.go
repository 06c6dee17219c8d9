package org_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/org"
)

func TestDeactivationRules(t *testing.T) {
	orgID, now := uuid.New(), time.Now()
	owner := org.NewMembership(orgID, uuid.New(), org.RoleOwner, now)
	admin := org.NewMembership(orgID, uuid.New(), org.RoleAdmin, now)
	member := org.NewMembership(orgID, uuid.New(), org.RoleMember, now)

	if err := owner.Deactivate(admin, now); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("admin deactivates owner: %v", err)
	}
	if err := admin.Deactivate(admin, now); errs.CodeOf(err) != "cannot_deactivate_self" {
		t.Fatalf("self: %v", err)
	}
	if err := member.Deactivate(admin, now); err != nil || member.Active() || member.DeactivatedAt() == nil {
		t.Fatalf("deactivate: %v", err)
	}
	if err := member.Deactivate(admin, now); errs.CodeOf(err) != "already_deactivated" {
		t.Fatalf("twice: %v", err)
	}
	if err := member.Reactivate(admin); err != nil || !member.Active() {
		t.Fatalf("reactivate: %v", err)
	}
}

func TestInvitationTerms(t *testing.T) {
	now := time.Now()
	if _, err := org.NewInvitation(uuid.New(), uuid.New(), org.RoleOwner, 1, time.Hour, nil, now); errs.CodeOf(err) != "invalid_role" {
		t.Fatalf("owner invitation: %v", err)
	}
	if _, err := org.NewInvitation(uuid.New(), uuid.New(), org.RoleMember, 10001, time.Hour, nil, now); errs.CodeOf(err) != "invalid_max_uses" {
		t.Fatalf("max uses: %v", err)
	}
	if _, err := org.NewInvitation(uuid.New(), uuid.New(), org.RoleMember, 1, 31*24*time.Hour, nil, now); errs.CodeOf(err) != "invalid_expiry" {
		t.Fatalf("expiry: %v", err)
	}
	inv, err := org.NewInvitation(uuid.New(), uuid.New(), org.RoleMember, 0, 0, nil, now)
	if err != nil || inv.MaxUses() != org.DefaultInviteUses || !inv.ExpiresAt().Equal(now.UTC().Add(org.DefaultInviteTTL)) {
		t.Fatalf("defaults: %v %v", inv, err)
	}
	if err := inv.Check(now); err != nil {
		t.Fatal(err)
	}
	if err := inv.Check(inv.ExpiresAt()); errs.CodeOf(err) != "invitation_expired" {
		t.Fatalf("expired: %v", err)
	}
}

func TestChangeRoleKeepsAnOwner(t *testing.T) {
	orgID, now := uuid.New(), time.Now()
	owner := org.NewMembership(orgID, uuid.New(), org.RoleOwner, now)
	admin := org.NewMembership(orgID, uuid.New(), org.RoleAdmin, now)
	member := org.NewMembership(orgID, uuid.New(), org.RoleMember, now)
	if err := member.ChangeRole(org.RoleOwner, admin, 1); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("admin makes an owner: %v", err)
	}
	if err := owner.ChangeRole(org.RoleAdmin, owner, 1); errs.CodeOf(err) != "last_owner" {
		t.Fatalf("last owner steps down: %v", err)
	}
	if err := member.ChangeRole(org.RoleGuest, admin, 1); err != nil || member.Role() != org.RoleGuest {
		t.Fatalf("member to guest: %v", err)
	}
	if err := owner.ChangeRole(org.RoleAdmin, owner, 2); err != nil {
		t.Fatalf("one of two owners steps down: %v", err)
	}
}
