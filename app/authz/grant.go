package authz

import (
	"context"

	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/org"
)

// Narrowed reports whether the actor is an API token narrowed to permission scopes. A token
// acts as its owner; "api" (and "scim", on its own surface) leaves the owner's permissions whole,
// and any permission name among its scopes narrows it to the permissions named.
func (a Actor) Narrowed() bool {
	if !a.IsToken() {
		return false
	}
	for _, s := range a.Scopes {
		if _, err := access.ParsePermission(s); err == nil {
			return true
		}
	}
	return false
}

// ScopeAllows reports whether the actor's credential lets perm through: a session and an
// unnarrowed token let every permission through, a narrowed token only those it names. The
// authorizer applies it to every check; powers that are data rather than grants (a group's
// owners) apply it themselves, so a narrowed token never reaches past its scopes.
func (a Actor) ScopeAllows(perm access.Permission) bool {
	if !a.Narrowed() {
		return true
	}
	for _, s := range a.Scopes {
		if s == string(perm) {
			return true
		}
	}
	return false
}

// BasePermissions returns what a base role allows in the organisation: the permission set of
// its built-in role in the catalogue, which the authorizer enforces.
func BasePermissions(r org.Role) []access.Permission {
	switch r {
	case org.RoleOwner:
		return access.Builtins[access.BuiltinOwner]
	case org.RoleAdmin:
		return access.Builtins[access.BuiltinAdmin]
	case org.RoleGuest:
		return access.Builtins[access.BuiltinGuest]
	}
	return access.Builtins[access.BuiltinMember]
}

// RequireGrantable is the one rule for every path that gives power: changing a base role,
// inviting or provisioning with a role, assigning a role at a scope, and (through
// RequireScopes) an API token's scopes. The actor may grant only permissions they hold
// themselves at that scope: the organisation (deptPath "") or a department's subtree (its
// path). So members.manage alone cannot make an admin, and a department admin cannot grant
// outside their subtree. Otherwise it is Forbidden with code cannot_grant, naming the first
// permission the actor lacks.
func RequireGrantable(ctx context.Context, z Authorizer, a Actor, perms []access.Permission, deptPath string) error {
	for _, p := range perms {
		ok, err := z.Can(ctx, a, p, deptPath)
		if err != nil {
			return err
		}
		if !ok {
			return cannotGrant(p)
		}
	}
	return nil
}

// RequireRoleGrantable applies RequireGrantable to the permissions of a base role, which hold
// organisation-wide.
func RequireRoleGrantable(ctx context.Context, z Authorizer, a Actor, r org.Role) error {
	return RequireGrantable(ctx, z, a, BasePermissions(r), "")
}

// RequireScopes applies the same rule to the scopes of an API token the actor creates. A token
// acts as its creator and only ever narrows them: "api" carries all of the creator's powers,
// "scim" their provisioning powers, a permission name only that permission wherever the creator
// holds it. So a session or an unnarrowed token may give a new token "api", "scim", or
// permissions its creator holds somewhere in the organisation; a token narrowed to permissions
// may create only tokens narrowed to permissions it carries itself, never an "api" or "scim"
// token, which would be broader than it. Unknown scopes are left to the token's constructor,
// which refuses them as invalid.
func RequireScopes(ctx context.Context, z Authorizer, a Actor, scopes []string) error {
	for _, s := range scopes {
		if s == identity.ScopeAPI || s == identity.ScopeSCIM {
			if a.Narrowed() {
				return errs.E(errs.Forbidden, "cannot_grant", "a token narrowed to permissions cannot create an \""+s+"\" token, which would be broader than itself")
			}
			continue
		}
		p, err := access.ParsePermission(s)
		if err != nil {
			continue
		}
		ok, err := z.CanAnywhere(ctx, a, p)
		if err != nil {
			return err
		}
		if !ok {
			return cannotGrant(p)
		}
	}
	return nil
}

func cannotGrant(p access.Permission) error {
	return errs.E(errs.Forbidden, "cannot_grant", "you cannot grant the "+string(p)+" permission, because you do not hold it here")
}
