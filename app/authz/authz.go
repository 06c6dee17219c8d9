// Package authz holds what every module's use cases share about who is acting and what they
// may do: the actor, the authorizer and auditor ports, and the permission requirement. Each
// module's service takes these; none of them knows casbin or the audit table.
package authz

import (
	"context"

	"github.com/google/uuid"

	appidentity "canopy/app/identity"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/org"
)

// Actor is a principal acting as an active member of one organisation. Every tenant-scoped use
// case takes one, so the organisation always comes from the authenticated membership.
type Actor struct {
	appidentity.Principal
	OrgID      uuid.UUID
	Membership *org.Membership
}

// Authorizer decides what an actor may do: casbin, with the organisation as the domain.
type Authorizer interface {
	// Can reports whether the actor holds perm at a scope: deptPath "" means the organisation
	// itself; a department path ("/root/…/dept/") is covered by grants on that department or
	// any of its ancestors, and by organisation-wide grants.
	Can(ctx context.Context, a Actor, perm access.Permission, deptPath string) (bool, error)
	// CanAnywhere reports whether the actor holds perm at the organisation or at any
	// department: the route-level gate before the service checks the precise scope.
	CanAnywhere(ctx context.Context, a Actor, perm access.Permission) (bool, error)
	// Reach returns where the actor holds perm: the whole organisation, or the subtrees of
	// some departments (none at all when they do not hold it). Listings use it to show a
	// department-scoped holder only what lies in their subtrees.
	Reach(ctx context.Context, a Actor, perm access.Permission) (Reach, error)
}

// Reach is where an actor holds a permission.
type Reach struct {
	// Org is set when the actor holds it organisation-wide; Departments is then empty.
	Org bool
	// Departments are the roots of the subtrees the actor holds it over.
	Departments []uuid.UUID
}

// None reports whether the actor holds the permission nowhere.
func (r Reach) None() bool { return !r.Org && len(r.Departments) == 0 }

// PolicyNotifier tells every replica that an organisation's grants changed, in the transaction
// of the change, so each reloads them when it commits.
type PolicyNotifier interface {
	PolicyChanged(ctx context.Context, orgID uuid.UUID) error
}

// Auditor appends to the audit log in the transaction in ctx.
type Auditor interface {
	Append(ctx context.Context, e access.AuditEntry) error
}

// Require returns Forbidden unless the actor holds perm at the scope (see Authorizer.Can).
func Require(ctx context.Context, z Authorizer, a Actor, perm access.Permission, deptPath string) error {
	ok, err := z.Can(ctx, a, perm, deptPath)
	if err != nil {
		return err
	}
	if !ok {
		return errs.E(errs.Forbidden, "forbidden", "you do not have the "+string(perm)+" permission here")
	}
	return nil
}

// Entry starts an audit entry for a change the actor makes.
func (a Actor) Entry(action, targetType, targetID string, before, after any) access.AuditEntry {
	return access.AuditEntry{
		OrgID: a.OrgID, ActorID: a.UserID, TokenID: a.TokenID, IP: a.IP,
		Action: action, TargetType: targetType, TargetID: targetID, Before: before, After: after,
	}
}
