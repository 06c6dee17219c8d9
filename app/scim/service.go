// Package scim holds the use cases behind SCIM 2.0 provisioning (RFC 7643, RFC 7644): an
// identity provider such as Okta or Microsoft Entra ID creates, updates and deactivates members,
// places them in departments, and keeps sub-groups in step. It speaks members, departments and
// groups; the SCIM wire format (resources, PATCH operations, filter syntax) stays in web.
package scim

import (
	"context"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	appdir "canopy/app/directory"
	appidentity "canopy/app/identity"
	apporg "canopy/app/org"
	"canopy/domain/access"
	"canopy/domain/directory"
	"canopy/domain/errs"
	"canopy/domain/identity"
)

// TxManager runs fn in one database transaction carried by the context it is given.
type TxManager interface {
	Within(ctx context.Context, fn func(ctx context.Context) error) error
}

// Reader answers the queries an identity provider makes, each filter turned into one query.
type Reader interface {
	// Users returns a page of the organisation's members that match f (nil: all), in the order
	// they joined, and how many match in all; members the provider deleted are left out. Limit
	// 0 returns only the count.
	Users(ctx context.Context, orgID uuid.UUID, f Expr, limit, offset int) ([]User, int, error)
	// User returns one member; NotFound unless the user is a member of the organisation whom
	// the provider has not deleted.
	User(ctx context.Context, orgID, userID uuid.UUID) (User, error)
	// Groups returns a page of the organisation's groups that match f (nil: all), oldest first,
	// and how many match in all. Limit 0 returns only the count.
	Groups(ctx context.Context, orgID uuid.UUID, f Expr, limit, offset int) ([]*directory.Group, int, error)
	// GroupMembers returns the members of each of the organisation's groups given, in the order
	// they were added, less those the provider deleted.
	GroupMembers(ctx context.Context, orgID uuid.UUID, groupIDs []uuid.UUID) (map[uuid.UUID][]GroupMember, error)
}

// Store keeps what SCIM knows of a member beyond the member itself: the name parts the identity
// provider sent, and whether it deleted the member. A member it deleted is gone for the Reader
// (every query and lookup leaves them out), while Canopy keeps the deactivated membership.
type Store interface {
	// SetNames stores a member's given and family names as the provider sent them; nil leaves
	// one as it is, "" removes it.
	SetNames(ctx context.Context, orgID, userID uuid.UUID, given, family *string) error
	// Delete marks a member deleted by the provider.
	Delete(ctx context.Context, orgID, userID uuid.UUID) error
	// Restore undoes Delete, for a provider that creates the member again.
	Restore(ctx context.Context, orgID, userID uuid.UUID) error
	// Deleted returns the member with this (normalised) email whom the provider deleted;
	// NotFound when there is none.
	Deleted(ctx context.Context, orgID uuid.UUID, email string) (uuid.UUID, error)
}

// Service holds the provisioning use cases.
type Service struct {
	tx    TxManager
	authz authz.Authorizer
	ident *appidentity.Service
	orgs  *apporg.Service
	dir   *appdir.Service
	read  Reader
	store Store
}

// Deps are the services and adapters provisioning is built on.
type Deps struct {
	Tx         TxManager
	Authorizer authz.Authorizer
	Identity   *appidentity.Service
	Orgs       *apporg.Service
	Directory  *appdir.Service
	Reader     Reader
	Store      Store
}

// NewService builds the service.
func NewService(d Deps) *Service {
	return &Service{tx: d.Tx, authz: d.Authorizer, ident: d.Identity, orgs: d.Orgs, dir: d.Directory, read: d.Reader, store: d.Store}
}

// MaxPage is the most resources one page holds.
const MaxPage = 200

// Actor resolves a request's principal to the member the identity provider acts as: the owner of
// a SCIM token, who must still be an active member of the token's organisation holding
// members.manage there (owners and admins do). A session or a token without the scim scope is
// Forbidden; a token whose owner has left is Unauthenticated, as if it were revoked. A token
// whose owner must still change an initial password is Forbidden password_change_required, as
// on the API: until then the owner may do nothing else.
func (s *Service) Actor(ctx context.Context, p appidentity.Principal) (authz.Actor, error) {
	if !p.IsToken() || !p.HasScope(identity.ScopeSCIM) {
		return authz.Actor{}, errs.E(errs.Forbidden, "token_scope", "SCIM needs a token with the scim scope; an owner or admin makes one in the console")
	}
	if p.MustChangePassword {
		return authz.Actor{}, errs.E(errs.Forbidden, "password_change_required", "the token's owner must change their initial password first")
	}
	a, err := s.orgs.ResolveActor(ctx, p, p.TokenOrgID)
	if errs.Is(err, errs.NotFound) {
		return authz.Actor{}, errs.E(errs.Unauthenticated, "invalid_token", "the token's owner is no longer an active member of the organisation")
	}
	if err != nil {
		return authz.Actor{}, err
	}
	if err := s.requireProvisioner(ctx, a); err != nil {
		return authz.Actor{}, err
	}
	return a, nil
}

// requireProvisioner allows members who may manage the organisation's members. The services
// underneath check their own permissions as well: groups.manage for groups, directory.manage
// for departments.
func (s *Service) requireProvisioner(ctx context.Context, a authz.Actor) error {
	return authz.Require(ctx, s.authz, a, access.MembersManage, "")
}

func clampPage(limit, offset int) (int, int) {
	if limit < 0 {
		limit = 0
	}
	if limit > MaxPage {
		limit = MaxPage
	}
	if offset < 0 {
		offset = 0
	}
	return limit, offset
}

// Token is a SCIM token with the member who made it, whom it acts as.
type Token struct {
	Token   *identity.APIToken
	Creator apporg.Member
}

// Tokens lists the organisation's SCIM tokens, revoked ones included, newest first; it needs
// tokens.manage.
func (s *Service) Tokens(ctx context.Context, a authz.Actor) ([]Token, error) {
	if err := authz.Require(ctx, s.authz, a, access.TokensManage, ""); err != nil {
		return nil, err
	}
	ts, err := s.ident.OrgTokens(ctx, a.OrgID, identity.ScopeSCIM)
	if err != nil {
		return nil, err
	}
	creators := map[uuid.UUID]apporg.Member{}
	out := make([]Token, len(ts))
	for i, t := range ts {
		m, ok := creators[t.UserID()]
		if !ok {
			// A token goes with its member's row, so its creator is always a member; an
			// organisation has a handful of SCIM tokens, so one lookup each is fine.
			if m, err = s.orgs.Member(ctx, a.OrgID, t.UserID()); err != nil {
				return nil, err
			}
			creators[t.UserID()] = m
		}
		out[i] = Token{Token: t, Creator: m}
	}
	return out, nil
}

// CreateToken makes a SCIM token that acts as the caller, for the organisation's identity
// provider, and returns it with its secret, which is never shown again. It needs tokens.manage,
// and members.manage, without which the token could not provision anyone; a SCIM token carries
// its creator's provisioning powers whole, so an API token narrowed to permissions cannot make
// one (authz.RequireScopes). The creation is audited. A ttl of zero means it never expires:
// identity providers keep a token for years.
func (s *Service) CreateToken(ctx context.Context, a authz.Actor, name string, ttl time.Duration) (Token, string, error) {
	if err := authz.Require(ctx, s.authz, a, access.TokensManage, ""); err != nil {
		return Token{}, "", err
	}
	if err := s.requireProvisioner(ctx, a); err != nil {
		return Token{}, "", err
	}
	t, secret, err := s.orgs.CreateToken(ctx, a, apporg.TokenInput{Name: name, Scopes: []string{identity.ScopeSCIM}, TTL: ttl})
	if err != nil {
		return Token{}, "", err
	}
	m, err := s.orgs.Member(ctx, a.OrgID, a.UserID)
	if err != nil {
		return Token{}, "", err
	}
	return Token{Token: t, Creator: m}, secret, nil
}

// RevokeToken revokes one of the organisation's SCIM tokens, whoever made it; NotFound for any
// other id. It needs tokens.manage, and is audited.
func (s *Service) RevokeToken(ctx context.Context, a authz.Actor, tokenID uuid.UUID) error {
	if err := authz.Require(ctx, s.authz, a, access.TokensManage, ""); err != nil {
		return err
	}
	return s.orgs.RevokeOrgToken(ctx, a, identity.ScopeSCIM, tokenID)
}
