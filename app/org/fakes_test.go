package org_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	appidentity "canopy/app/identity"
	apporg "canopy/app/org"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/org"
)

// An in-memory installation for the organisation use cases: the rules are tested here; the
// adapters have their own tests against PostgreSQL, and cmd/canopy tests the whole stack.

type world struct {
	now         time.Time
	users       map[uuid.UUID]*identity.User
	orgs        map[uuid.UUID]*org.Organisation
	members     map[[2]uuid.UUID]*org.Membership // org, user
	invitations []*org.Invitation
	domains     map[string]uuid.UUID
	activations []*identity.ActivationToken
	used        map[uuid.UUID]bool
	sessions    map[uuid.UUID]uuid.UUID // session → user
	tokens      map[uuid.UUID][2]uuid.UUID
	revoked     map[uuid.UUID]bool
	audit       []access.AuditEntry
}

func newWorld() *world {
	return &world{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), users: map[uuid.UUID]*identity.User{}, orgs: map[uuid.UUID]*org.Organisation{},
		members: map[[2]uuid.UUID]*org.Membership{}, domains: map[string]uuid.UUID{}, used: map[uuid.UUID]bool{},
		sessions: map[uuid.UUID]uuid.UUID{}, tokens: map[uuid.UUID][2]uuid.UUID{}, revoked: map[uuid.UUID]bool{}}
}

type tx struct{}

func (tx) Within(ctx context.Context, fn func(context.Context) error) error { return fn(ctx) }

type clock struct{ w *world }

func (c clock) Now() time.Time { return c.w.now }

type hasher struct{}

func (hasher) Hash(p string) (string, error)      { return "h:" + p, nil }
func (hasher) Verify(p, enc string) (bool, error) { return enc == "h:"+p, nil }
func (w *world) Take(context.Context, string, int, time.Duration) (time.Duration, error) {
	return 0, nil
}
func (w *world) Refund(context.Context, string) error { return nil }
func (w *world) Clear(context.Context, string) error  { return nil }

type users struct{ w *world }

func (r users) Create(_ context.Context, u *identity.User) error {
	for _, x := range r.w.users {
		if x.Email() == u.Email() {
			return errs.E(errs.Conflict, "conflict", "taken")
		}
	}
	r.w.users[u.ID()] = u
	return nil
}
func (r users) Get(_ context.Context, id uuid.UUID) (*identity.User, error) {
	if u, ok := r.w.users[id]; ok {
		return u, nil
	}
	return nil, errs.NotFoundf("user")
}
func (r users) GetByEmail(_ context.Context, e string) (*identity.User, error) {
	for _, u := range r.w.users {
		if u.Email() == e {
			return u, nil
		}
	}
	return nil, errs.NotFoundf("user")
}
func (r users) GetForUpdate(ctx context.Context, id uuid.UUID) (*identity.User, error) {
	return r.Get(ctx, id)
}
func (r users) Update(context.Context, *identity.User) error { return nil }

type sessions struct{ w *world }

func (r sessions) Create(_ context.Context, s *identity.Session) error {
	r.w.sessions[s.ID] = s.UserID
	return nil
}
func (r sessions) GetWithUser(context.Context, []byte) (*identity.Session, *identity.User, error) {
	return nil, nil, errs.NotFoundf("session")
}
func (r sessions) Touch(context.Context, uuid.UUID, time.Time) error { return nil }
func (r sessions) Restamp(context.Context, uuid.UUID, int64) error   { return nil }
func (r sessions) Delete(_ context.Context, id uuid.UUID) error {
	delete(r.w.sessions, id)
	return nil
}
func (r sessions) DeleteByUser(_ context.Context, user, keep uuid.UUID) error {
	for id, u := range r.w.sessions {
		if u == user && id != keep {
			delete(r.w.sessions, id)
		}
	}
	return nil
}

type tokens struct{ w *world }

func (r tokens) Create(_ context.Context, t *identity.APIToken) error {
	r.w.tokens[t.ID()] = [2]uuid.UUID{t.OrgID(), t.UserID()}
	return nil
}
func (r tokens) GetByHash(context.Context, []byte) (*identity.APIToken, error) {
	return nil, errs.NotFoundf("token")
}
func (r tokens) ListByMember(context.Context, uuid.UUID, uuid.UUID) ([]*identity.APIToken, error) {
	return nil, nil
}
func (r tokens) Revoke(context.Context, uuid.UUID, uuid.UUID, uuid.UUID, time.Time) error { return nil }
func (r tokens) RevokeByMember(_ context.Context, orgID, userID uuid.UUID, _ time.Time) error {
	for id, ou := range r.w.tokens {
		if ou == [2]uuid.UUID{orgID, userID} {
			r.w.revoked[id] = true
		}
	}
	return nil
}
func (r tokens) ListByOrg(context.Context, uuid.UUID, string) ([]*identity.APIToken, error) {
	return nil, nil
}
func (r tokens) RevokeInOrg(context.Context, uuid.UUID, string, uuid.UUID, time.Time) error {
	return nil
}
func (r tokens) Touch(context.Context, uuid.UUID, time.Time) error      { return nil }
func (r tokens) Restamp(context.Context, uuid.UUID, int64, int64) error { return nil }

type activations struct{ w *world }

func (r activations) Replace(_ context.Context, t *identity.ActivationToken) error {
	for _, x := range r.w.activations {
		if x.UserID() == t.UserID() {
			r.w.used[x.ID()] = true
		}
	}
	r.w.activations = append(r.w.activations, t)
	return nil
}
func (r activations) GetByHash(_ context.Context, h []byte) (*identity.ActivationToken, error) {
	for _, x := range r.w.activations {
		if bytes.Equal(x.Hash(), h) {
			var used *time.Time
			if r.w.used[x.ID()] {
				used = &r.w.now
			}
			return identity.RehydrateActivationToken(x.ID(), x.UserID(), x.OrgID(), x.CreatedBy(), x.Hash(), x.ExpiresAt(), used, x.CreatedAt()), nil
		}
	}
	return nil, errs.NotFoundf("activation")
}
func (r activations) Consume(_ context.Context, id uuid.UUID, now time.Time) error {
	for _, x := range r.w.activations {
		if x.ID() == id && !r.w.used[id] && now.Before(x.ExpiresAt()) {
			r.w.used[id] = true
			return nil
		}
	}
	return errs.NotFoundf("activation")
}
func (r activations) EndForUser(_ context.Context, userID uuid.UUID, _ time.Time) error {
	for _, x := range r.w.activations {
		if x.UserID() == userID {
			r.w.used[x.ID()] = true
		}
	}
	return nil
}

type orgs struct{ w *world }

func (r orgs) Create(_ context.Context, o *org.Organisation) error {
	r.w.orgs[o.ID()] = o
	return nil
}
func (r orgs) Get(_ context.Context, id uuid.UUID) (*org.Organisation, error) {
	if o, ok := r.w.orgs[id]; ok {
		return o, nil
	}
	return nil, errs.NotFoundf("organisation")
}
func (r orgs) Update(context.Context, *org.Organisation) error { return nil }
func (r orgs) List(context.Context) ([]*org.Organisation, error) {
	var out []*org.Organisation
	for _, o := range r.w.orgs {
		out = append(out, o)
	}
	return out, nil
}

type memberships struct{ w *world }

func (r memberships) Add(_ context.Context, m *org.Membership) error {
	k := [2]uuid.UUID{m.OrgID(), m.UserID()}
	if _, ok := r.w.members[k]; ok {
		return errs.E(errs.Conflict, "already_member", "already a member")
	}
	r.w.members[k] = m
	return nil
}
func (r memberships) Get(_ context.Context, orgID, userID uuid.UUID) (*org.Membership, error) {
	if m, ok := r.w.members[[2]uuid.UUID{orgID, userID}]; ok {
		return m, nil
	}
	return nil, errs.NotFoundf("member")
}
func (r memberships) Update(context.Context, *org.Membership) error { return nil }

type invitations struct{ w *world }

func (r invitations) Create(_ context.Context, i *org.Invitation) error {
	r.w.invitations = append(r.w.invitations, i)
	return nil
}
func (r invitations) GetByTokenHash(_ context.Context, h []byte) (*org.Invitation, error) {
	for _, i := range r.w.invitations {
		if bytes.Equal(i.TokenHash(), h) {
			return i, nil
		}
	}
	return nil, errs.NotFoundf("invitation")
}
func (r invitations) List(context.Context, uuid.UUID) ([]*org.Invitation, error) {
	return r.w.invitations, nil
}
func (r invitations) Revoke(context.Context, uuid.UUID, uuid.UUID, time.Time) error { return nil }
func (r invitations) Use(context.Context, uuid.UUID, time.Time) error               { return nil }

type directory struct{ w *world }

func (d directory) member(orgID, userID uuid.UUID) (apporg.Member, bool) {
	m, ok := d.w.members[[2]uuid.UUID{orgID, userID}]
	if !ok {
		return apporg.Member{}, false
	}
	u := d.w.users[userID]
	return apporg.Member{UserID: userID, Email: u.Email(), DisplayName: u.DisplayName(), Role: m.Role(), Status: m.Status(),
		ExternalID: m.ExternalID(), ActivationPending: u.NeedsActivation()}, true
}
func (d directory) ListMembers(_ context.Context, orgID uuid.UUID, _ apporg.MemberFilter) ([]apporg.Member, int, error) {
	var out []apporg.Member
	for k := range d.w.members {
		if k[0] == orgID {
			m, _ := d.member(orgID, k[1])
			out = append(out, m)
		}
	}
	return out, len(out), nil
}
func (d directory) GetMember(_ context.Context, orgID, userID uuid.UUID) (apporg.Member, error) {
	if m, ok := d.member(orgID, userID); ok {
		return m, nil
	}
	return apporg.Member{}, errs.NotFoundf("member")
}
func (d directory) CountOwners(context.Context, uuid.UUID) (int, error)        { return 1, nil }
func (d directory) CountActiveMembers(context.Context, uuid.UUID) (int, error) { return 1, nil }
func (d directory) ListUserOrgs(_ context.Context, userID uuid.UUID) ([]apporg.OrgMembership, error) {
	var out []apporg.OrgMembership
	for k, m := range d.w.members {
		if k[1] == userID {
			out = append(out, apporg.OrgMembership{OrgID: k[0], Role: m.Role(), Status: m.Status()})
		}
	}
	return out, nil
}

type roots struct{}

func (roots) CreateRoot(context.Context, uuid.UUID, string) error { return nil }

// authorizer grants each base role its built-in permissions, as casbin does with no custom roles.
type authorizer struct{}

func (authorizer) Can(_ context.Context, a authz.Actor, p access.Permission, _ string) (bool, error) {
	return a.ScopeAllows(p) && slices.Contains(authz.BasePermissions(a.Membership.Role()), p), nil
}
func (z authorizer) CanAnywhere(ctx context.Context, a authz.Actor, p access.Permission) (bool, error) {
	return z.Can(ctx, a, p, "")
}
func (z authorizer) Reach(ctx context.Context, a authz.Actor, p access.Permission) (authz.Reach, error) {
	ok, err := z.Can(ctx, a, p, "")
	return authz.Reach{Org: ok}, err
}

type auditor struct{ w *world }

func (a auditor) Append(_ context.Context, e access.AuditEntry) error {
	a.w.audit = append(a.w.audit, e)
	return nil
}

type domains struct{ w *world }

func (r domains) Assign(_ context.Context, d *org.EmailDomain) error {
	if _, ok := r.w.domains[d.Domain()]; ok {
		return errs.E(errs.Conflict, "conflict", "taken")
	}
	r.w.domains[d.Domain()] = d.OrgID()
	return nil
}
func (r domains) Unassign(_ context.Context, orgID uuid.UUID, d string) error {
	if r.w.domains[d] != orgID {
		return errs.NotFoundf("domain")
	}
	delete(r.w.domains, d)
	return nil
}
func (r domains) ListByOrg(_ context.Context, orgID uuid.UUID) ([]*org.EmailDomain, error) {
	var out []*org.EmailDomain
	for d, o := range r.w.domains {
		if o == orgID {
			out = append(out, org.RehydrateEmailDomain(o, d, r.w.now))
		}
	}
	return out, nil
}
func (r domains) ListAll(ctx context.Context) ([]*org.EmailDomain, error) { return nil, nil }
func (r domains) OrgOf(_ context.Context, d string) (uuid.UUID, error) {
	return r.w.domains[d], nil
}

// accounts derives the ties from the world, as the adapter's query does from the tables.
type accounts struct{ w *world }

func (r accounts) Ties(_ context.Context, ids []uuid.UUID) (map[uuid.UUID]org.AccountTies, error) {
	out := map[uuid.UUID]org.AccountTies{}
	for _, id := range ids {
		u, ok := r.w.users[id]
		if !ok {
			continue
		}
		t := org.AccountTies{UserID: id, CreatedByOrgID: u.CreatedByOrgID(), DomainOrgID: r.w.domains[identity.EmailDomain(u.Email())]}
		for k, m := range r.w.members {
			if k[1] == id {
				t.Memberships = append(t.Memberships, org.Tie{OrgID: k[0], Role: m.Role(), Active: m.Active()})
			}
		}
		out[id] = t
	}
	return out, nil
}

func (r accounts) InDomain(_ context.Context, d string, orgID uuid.UUID) (int, int, error) {
	total, elsewhere := 0, 0
	for _, u := range r.w.users {
		if identity.EmailDomain(u.Email()) == d {
			total++
			if u.CreatedByOrgID() != orgID {
				elsewhere++
			}
		}
	}
	return total, elsewhere, nil
}

func (r accounts) List(_ context.Context, f apporg.AccountFilter) ([]apporg.Account, int, error) {
	var out []apporg.Account
	q := strings.ToLower(f.Query)
	for _, u := range r.w.users {
		if q == "" || strings.Contains(strings.ToLower(u.DisplayName()), q) || strings.Contains(strings.ToLower(u.Email()), q) {
			out = append(out, apporg.Account{ID: u.ID(), Email: u.Email(), DisplayName: u.DisplayName(), Status: u.Status(), InstallationAdmin: u.InstallationAdmin(), CreatedAt: u.CreatedAt()})
		}
	}
	return out, len(out), nil
}

type env struct {
	w     *world
	svc   *apporg.Service
	ident *appidentity.Service
}

func newEnv(t *testing.T, cfg apporg.Config) *env {
	t.Helper()
	w := newWorld()
	ident, err := appidentity.NewService(appidentity.Config{SessionTTL: time.Hour, SessionIdleTimeout: time.Hour, LoginAddressLimit: 50, LoginAccountAddressLimit: 5, LoginWindow: time.Minute},
		appidentity.Deps{Tx: tx{}, Clock: clock{w}, Hasher: hasher{}, Limiter: w, Users: users{w}, Sessions: sessions{w}, Tokens: tokens{w}, Activations: activations{w}})
	if err != nil {
		t.Fatal(err)
	}
	svc := apporg.NewService(apporg.Deps{Tx: tx{}, Clock: clock{w}, Identity: ident, Orgs: orgs{w}, Memberships: memberships{w}, Invitations: invitations{w},
		Directory: directory{w}, Roots: roots{}, Authorizer: authorizer{}, Audit: auditor{w}, Config: cfg, Domains: domains{w}, Accounts: accounts{w}})
	return &env{w: w, svc: svc, ident: ident}
}

// org makes an organisation with an owner who signed up by themselves, and returns the owner as
// an actor.
func (e *env) org(t *testing.T, name string) authz.Actor {
	t.Helper()
	o, u, err := e.svc.Bootstrap(context.Background(), name, appidentity.RegisterInput{Email: "owner@" + strings.ToLower(name) + ".example", DisplayName: "Owner", Password: "a long password"})
	if err != nil {
		t.Fatal(err)
	}
	return e.actor(o.ID(), u.ID())
}

func (e *env) actor(orgID, userID uuid.UUID) authz.Actor {
	return authz.Actor{Principal: appidentity.Principal{UserID: userID, Method: appidentity.MethodSession}, OrgID: orgID, Membership: e.w.members[[2]uuid.UUID{orgID, userID}]}
}

func (r invitations) RevokeForEmail(context.Context, uuid.UUID, string, time.Time) error {
	return nil
}
func (r invitations) ListForEmail(_ context.Context, email string, _ time.Time) ([]*org.Invitation, error) {
	var out []*org.Invitation
	for _, i := range r.w.invitations {
		if i.Email() == email {
			out = append(out, i)
		}
	}
	return out, nil
}
func (r invitations) GetForEmail(_ context.Context, id uuid.UUID, email string) (*org.Invitation, error) {
	for _, i := range r.w.invitations {
		if i.ID() == id && i.Email() == email {
			return i, nil
		}
	}
	return nil, errs.NotFoundf("invitation")
}

func (d directory) InSubtrees(context.Context, uuid.UUID, uuid.UUID, []uuid.UUID) (bool, error) {
	return true, nil
}
