package org

import (
	"github.com/google/uuid"

	"canopy/domain/errs"
)

// An account belongs to its person; organisations are where they work. One organisation at most
// manages an account: it may create it with a first credential, rename it, change its email,
// language and time zone, and disable it. Every other organisation can only invite the person,
// and learns nothing about the account until they accept. AccountTies holds the facts this is
// decided from, and its methods are the one place the rule is written.

// Tie is one of an account's memberships.
type Tie struct {
	OrgID  uuid.UUID
	Role   Role
	Active bool
}

// AccountTies are the facts that decide who manages an account and how far it is protected.
type AccountTies struct {
	UserID uuid.UUID
	// DomainOrgID is the organisation the account's email domain is assigned to, or uuid.Nil.
	DomainOrgID uuid.UUID
	// CreatedByOrgID is the organisation whose provisioning made the account, or uuid.Nil.
	CreatedByOrgID uuid.UUID
	// Memberships are every membership of the account, whatever its status.
	Memberships []Tie
}

// Manager returns the one organisation that manages the account, or uuid.Nil when none does.
// An organisation manages the accounts in the email domains assigned to it; an account in no
// assigned domain is managed by the organisation that created it, as long as it is a member of
// no other organisation. An assigned domain comes first, so that a company that takes over its
// domain takes over its people's accounts, whoever made them; and an account its person shares
// with another organisation is nobody's to manage but theirs.
func (t AccountTies) Manager() uuid.UUID {
	if t.DomainOrgID != uuid.Nil {
		return t.DomainOrgID
	}
	if t.CreatedByOrgID == uuid.Nil {
		return uuid.Nil
	}
	for _, m := range t.Memberships {
		if m.OrgID != t.CreatedByOrgID {
			return uuid.Nil
		}
	}
	return t.CreatedByOrgID
}

// ManagedBy reports whether orgID manages the account.
func (t AccountTies) ManagedBy(orgID uuid.UUID) bool {
	return orgID != uuid.Nil && t.Manager() == orgID
}

// holds reports whether the account has role in any organisation, whatever the membership's
// status: a deactivated owner can be reactivated.
func (t AccountTies) holds(role Role) bool {
	for _, m := range t.Memberships {
		if m.Role == role {
			return true
		}
	}
	return false
}

// ErrAccountNotManaged is the answer to an organisation that tries to change an account it does
// not manage. It says nothing about the account.
func ErrAccountNotManaged() error {
	return errs.E(errs.Forbidden, "account_not_managed", "this organisation does not manage this person's account; only they can change it")
}

// CheckChange says whether actorID, acting for orgID, may change the account: rename it, change
// its email, language or time zone, give it a password or an activation link, or disable it.
// mayTransferOwnership says whether the actor holds ownership.transfer in orgID.
//
//   - Only the organisation that manages the account may (account_not_managed).
//   - An owner's account is their own: nobody else changes it, whatever they hold
//     (owner_protected); otherwise whoever controls an owner's email or password controls the
//     organisation.
//   - An admin's account is changed only by someone who could transfer ownership
//     (admin_protected), so managing members is never a way to take over an admin.
func (t AccountTies) CheckChange(orgID, actorID uuid.UUID, mayTransferOwnership bool) error {
	if !t.ManagedBy(orgID) {
		return ErrAccountNotManaged()
	}
	if actorID == t.UserID {
		return nil
	}
	if t.holds(RoleOwner) {
		return errs.E(errs.Forbidden, "owner_protected", "only an owner changes their own account")
	}
	if t.holds(RoleAdmin) && !mayTransferOwnership {
		return errs.E(errs.Forbidden, "admin_protected", "changing an admin's account needs the ownership.transfer permission")
	}
	return nil
}

// CheckNewAccount says whether orgID may make a new account for an email whose domain is
// assigned to domainOrgID (uuid.Nil when it is assigned to nobody), or move an account's email
// into that domain. An account in an assigned domain is its organisation's to make: otherwise
// another organisation could make ceo@acme.com first, with a password it chose, and keep
// signing in as that person once Acme's IT attaches the account it finds. Any other
// organisation gets account_not_managed; provisioning invites the person instead
// (app/org), so the answer says nothing about whether the account exists.
func CheckNewAccount(orgID, domainOrgID uuid.UUID) error {
	if domainOrgID == uuid.Nil || domainOrgID == orgID {
		return nil
	}
	return ErrAccountNotManaged()
}

// CheckSignup says whether a person may make their own account, by accepting an invitation of
// orgID, for an email whose domain is assigned to domainOrgID (uuid.Nil when none): only
// through an invitation of the domain's own organisation. Anyone else is told to get their
// account from their company (domain_managed), then sign in and accept.
func CheckSignup(orgID, domainOrgID uuid.UUID) error {
	if domainOrgID == uuid.Nil || domainOrgID == orgID {
		return nil
	}
	return errs.E(errs.Forbidden, "domain_managed",
		"accounts with this email's domain are made by the organisation the domain belongs to; ask your company's IT for your account, sign in with it, then accept")
}
