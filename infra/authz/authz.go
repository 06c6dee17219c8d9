// Package authz is Canopy's authorizer: casbin decides what a role may do in an organisation or
// a department subtree. Grants are loaded from PostgreSQL per organisation, and every replica
// reloads an organisation's grants when PostgreSQL notifies it that they changed.
package authz

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	appauthz "canopy/app/authz"
	"canopy/domain/access"
	pgaccess "canopy/infra/postgres/access"
)

//go:embed model.conf
var modelText string

// GrantSource loads an organisation's assignments with their permissions.
type GrantSource interface {
	Grants(ctx context.Context, orgID uuid.UUID) ([]pgaccess.Grant, error)
}

// Authorizer implements appauthz.Authorizer on a casbin enforcer.
type Authorizer struct {
	e      *casbin.SyncedEnforcer
	grants GrantSource
	log    *slog.Logger

	mu sync.Mutex
	// lines holds the grouping lines loaded for each organisation, to diff on reload.
	lines map[uuid.UUID]map[[3]string]bool
	// domains holds, per organisation and user, the domains the user has grants in: a member
	// with none is decided by their base role alone.
	domains map[uuid.UUID]map[uuid.UUID][]string
}

// New returns an authorizer that loads grants from src.
func New(src GrantSource, log *slog.Logger) (*Authorizer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, err
	}
	e, err := casbin.NewSyncedEnforcer(m)
	if err != nil {
		return nil, err
	}
	return &Authorizer{e: e, grants: src, log: log, lines: map[uuid.UUID]map[[3]string]bool{}, domains: map[uuid.UUID]map[uuid.UUID][]string{}}, nil
}

func orgDomain(orgID uuid.UUID) string { return "org:" + orgID.String() }

func deptDomain(orgID uuid.UUID, deptID string) string {
	return "org:" + orgID.String() + "/dept:" + deptID
}

func roleSub(id uuid.UUID) string { return "role:" + id.String() }

func permObj(p access.Permission) string { return "perm:" + string(p) }

// baseRole maps a member's base role to its built-in role.
func baseRole(r string) access.Builtin {
	switch r {
	case "owner":
		return access.BuiltinOwner
	case "admin":
		return access.BuiltinAdmin
	case "guest":
		return access.BuiltinGuest
	}
	return access.BuiltinMember
}

// ensure loads an organisation's grants the first time it is asked about.
func (z *Authorizer) ensure(ctx context.Context, orgID uuid.UUID) error {
	z.mu.Lock()
	_, ok := z.lines[orgID]
	z.mu.Unlock()
	if ok {
		return nil
	}
	return z.Reload(ctx, orgID)
}

// Reload replaces an organisation's grants with what PostgreSQL holds now. New lines go in
// before old ones go out, so no check in between sees fewer grants than either state has.
func (z *Authorizer) Reload(ctx context.Context, orgID uuid.UUID) error {
	grants, err := z.grants.Grants(ctx, orgID)
	if err != nil {
		return err
	}
	next := map[[3]string]bool{}
	dom := orgDomain(orgID)
	for _, b := range access.BuiltinOrder {
		if b == access.BuiltinDeptAdmin {
			continue // granted per department, below
		}
		for _, p := range access.Builtins[b] {
			next[[3]string{roleSub(access.BuiltinRoleID(orgID, b)), permObj(p), dom}] = true
		}
	}
	domains := map[uuid.UUID][]string{}
	for _, g := range grants {
		d := dom
		if g.DeptID != nil {
			d = deptDomain(orgID, g.DeptID.String())
		}
		next[[3]string{"user:" + g.UserID.String(), roleSub(g.RoleID), d}] = true
		for _, p := range g.Permissions {
			next[[3]string{roleSub(g.RoleID), "perm:" + p, d}] = true
		}
		domains[g.UserID] = appendUnique(domains[g.UserID], d)
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	prev := z.lines[orgID]
	var add, remove [][]string
	for l := range next {
		if !prev[l] {
			add = append(add, []string{l[0], l[1], l[2]})
		}
	}
	for l := range prev {
		if !next[l] {
			remove = append(remove, []string{l[0], l[1], l[2]})
		}
	}
	if len(add) > 0 {
		if _, err := z.e.AddGroupingPolicies(add); err != nil {
			return err
		}
	}
	if len(remove) > 0 {
		if _, err := z.e.RemoveGroupingPolicies(remove); err != nil {
			return err
		}
	}
	z.lines[orgID], z.domains[orgID] = next, domains
	return nil
}

func appendUnique(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

func (z *Authorizer) enforce(sub, dom string, perm access.Permission) (bool, error) {
	return z.e.Enforce(sub, dom, permObj(perm))
}

// Can implements appauthz.Authorizer.
func (z *Authorizer) Can(ctx context.Context, a appauthz.Actor, perm access.Permission, deptPath string) (bool, error) {
	if !a.ScopeAllows(perm) {
		return false, nil
	}
	if err := z.ensure(ctx, a.OrgID); err != nil {
		return false, err
	}
	ok, err := z.enforce(roleSub(access.BuiltinRoleID(a.OrgID, baseRole(string(a.Membership.Role())))), orgDomain(a.OrgID), perm)
	if err != nil || ok {
		return ok, err
	}
	z.mu.Lock()
	doms := z.domains[a.OrgID][a.UserID]
	z.mu.Unlock()
	if len(doms) == 0 {
		return false, nil
	}
	user := "user:" + a.UserID.String()
	candidates := []string{orgDomain(a.OrgID)}
	for _, id := range strings.Split(strings.Trim(deptPath, "/"), "/") {
		if id != "" {
			candidates = append(candidates, deptDomain(a.OrgID, id))
		}
	}
	for _, d := range candidates {
		if !contains(doms, d) {
			continue
		}
		if ok, err := z.enforce(user, d, perm); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// CanAnywhere implements appauthz.Authorizer.
func (z *Authorizer) CanAnywhere(ctx context.Context, a appauthz.Actor, perm access.Permission) (bool, error) {
	if ok, err := z.Can(ctx, a, perm, ""); err != nil || ok {
		return ok, err
	}
	if !a.ScopeAllows(perm) {
		return false, nil
	}
	z.mu.Lock()
	doms := z.domains[a.OrgID][a.UserID]
	z.mu.Unlock()
	for _, d := range doms {
		if ok, err := z.enforce("user:"+a.UserID.String(), d, perm); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// Reach implements appauthz.Authorizer: organisation-wide when Can allows perm at the
// organisation, otherwise the departments of the actor's grants that allow it. Nested ones may
// both be listed: the readers take the union of their subtrees.
func (z *Authorizer) Reach(ctx context.Context, a appauthz.Actor, perm access.Permission) (appauthz.Reach, error) {
	if ok, err := z.Can(ctx, a, perm, ""); err != nil || ok {
		return appauthz.Reach{Org: ok}, err
	}
	if !a.ScopeAllows(perm) {
		return appauthz.Reach{}, nil
	}
	z.mu.Lock()
	doms := z.domains[a.OrgID][a.UserID]
	z.mu.Unlock()
	prefix := orgDomain(a.OrgID) + "/dept:"
	var out appauthz.Reach
	for _, d := range doms {
		id, err := uuid.Parse(strings.TrimPrefix(d, prefix))
		if !strings.HasPrefix(d, prefix) || err != nil {
			continue
		}
		ok, err := z.enforce("user:"+a.UserID.String(), d, perm)
		if err != nil {
			return appauthz.Reach{}, err
		}
		if ok {
			out.Departments = append(out.Departments, id)
		}
	}
	return out, nil
}

// Listen keeps a connection that LISTENs for grant changes and reloads the organisations they
// name, until ctx ends. After a lost connection it reloads every loaded organisation, since
// notices may have been missed meanwhile.
func (z *Authorizer) Listen(ctx context.Context, databaseURL string) {
	for ctx.Err() == nil {
		err := z.listenOnce(ctx, databaseURL)
		if ctx.Err() != nil {
			return
		}
		z.log.Warn("policy listener lost its connection; reconnecting", "error", fmt.Sprint(err))
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (z *Authorizer) listenOnce(ctx context.Context, url string) error {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(ctx, "LISTEN "+pgaccess.PolicyChannel); err != nil {
		return err
	}
	z.reloadAll(ctx)
	for {
		n, err := c.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		orgID, err := uuid.Parse(n.Payload)
		if err != nil {
			continue
		}
		z.mu.Lock()
		_, loaded := z.lines[orgID]
		z.mu.Unlock()
		if loaded {
			if err := z.Reload(ctx, orgID); err != nil {
				z.log.Error("policy reload failed", "org_id", orgID, "error", err.Error())
			}
		}
	}
}

func (z *Authorizer) reloadAll(ctx context.Context) {
	z.mu.Lock()
	orgs := make([]uuid.UUID, 0, len(z.lines))
	for id := range z.lines {
		orgs = append(orgs, id)
	}
	z.mu.Unlock()
	for _, id := range orgs {
		if err := z.Reload(ctx, id); err != nil {
			z.log.Error("policy reload failed", "org_id", id, "error", err.Error())
		}
	}
}
