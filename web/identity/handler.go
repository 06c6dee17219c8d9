// Package identity is the HTTP face of signing in and of the caller's own account: login and
// logout, the profile and password, and personal API tokens.
package identity

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"canopy/app/authz"
	appidentity "canopy/app/identity"
	apporg "canopy/app/org"
	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/web/server"
)

// Service is what the handlers need of the identity use cases. Login returns Unauthenticated
// or TooManyRequests; the others Invalid, NotFound or Forbidden as their use case says.
type Service interface {
	Login(ctx context.Context, in appidentity.LoginInput) (appidentity.NewSession, error)
	Logout(ctx context.Context, p appidentity.Principal) error
	UpdateProfile(ctx context.Context, p appidentity.Principal, c identity.ProfileChange) (*identity.User, error)
	ChangePassword(ctx context.Context, p appidentity.Principal, current, next string) error
	RequestPasswordReset(ctx context.Context, email, ip string) error
	ResetPassword(ctx context.Context, secret, password, ip string) error
}

// Tokens is what the token handlers need: the caller's own API tokens in one organisation. A
// token belongs to a membership, so these are use cases of the org module, which checks the
// token's scopes against what the caller holds (Forbidden, cannot_grant) and audits them.
type Tokens interface {
	CreateToken(ctx context.Context, a authz.Actor, in apporg.TokenInput) (*identity.APIToken, string, error)
	Tokens(ctx context.Context, a authz.Actor) ([]*identity.APIToken, error)
	RevokeToken(ctx context.Context, a authz.Actor, id uuid.UUID) error
}

// Handler serves the identity routes.
type Handler struct {
	svc      Service
	tokens   Tokens
	sessions server.Sessions
}

// New returns the identity handlers; sessions writes the cookies of a sign-in.
func New(svc Service, tokens Tokens, sessions server.Sessions) *Handler {
	return &Handler{svc: svc, tokens: tokens, sessions: sessions}
}

// Register adds the identity routes. GET /me, which lists the caller's organisations, is the
// org module's.
func (h *Handler) Register(r *server.Router) {
	r.Add(server.Public, http.MethodPost, "/auth/login", h.login)
	h.registerReset(r)
	r.Add(server.Authenticated.WithInitialPassword(), http.MethodPost, "/auth/logout", h.logout)
	r.Add(server.Authenticated, http.MethodPatch, "/me", h.updateMe)
	r.Add(server.Authenticated.WithInitialPassword(), http.MethodPost, "/me/password", h.changePassword)
	r.Add(server.SelfService, http.MethodGet, "/orgs/:orgID/tokens", h.listTokens)
	// A narrowed token may create tokens: RequireScopes lets it give only the scopes it carries.
	r.Add(server.SelfService.WithNarrowedTokens(), http.MethodPost, "/orgs/:orgID/tokens", h.createToken)
	r.Add(server.SelfService, http.MethodDelete, "/orgs/:orgID/tokens/:tokenID", h.revokeToken)
}

// UserJSON is a user as the API shows them.
type UserJSON struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Locale      string    `json:"locale"`
	TimeZone    string    `json:"time_zone"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
	// MustChangePassword: the password is an initial one an administrator chose; until it is
	// changed, only GET /me, POST /me/password and POST /auth/logout work.
	MustChangePassword bool `json:"must_change_password"`
	// InstallationAdmin: the person runs the installation (the /installation routes).
	InstallationAdmin bool `json:"installation_admin"`
}

// ToUserJSON shows a user.
func ToUserJSON(u *identity.User) UserJSON {
	return UserJSON{u.ID().String(), u.Email(), u.DisplayName(), string(u.Locale()), u.TimeZone(), string(u.Status()), u.CreatedAt(),
		u.MustChangePassword(), u.InstallationAdmin()}
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type sessionJSON struct {
	User      UserJSON  `json:"user"`
	CSRFToken string    `json:"csrf_token"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (h *Handler) login(c echo.Context) error {
	var req loginRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.Email == "" {
		return server.Required("email")
	}
	if req.Password == "" {
		return server.Required("password")
	}
	ns, err := h.svc.Login(c.Request().Context(), appidentity.LoginInput{
		Email: req.Email, Password: req.Password, IP: c.RealIP(), UserAgent: c.Request().UserAgent(),
	})
	if err != nil {
		return err
	}
	h.sessions.Set(c, ns)
	return c.JSON(http.StatusOK, sessionJSON{User: ToUserJSON(ns.User), CSRFToken: ns.CSRFToken, ExpiresAt: ns.ExpiresAt})
}

func (h *Handler) logout(c echo.Context) error {
	p, _ := server.Principal(c)
	if err := h.svc.Logout(c.Request().Context(), p); err != nil {
		return err
	}
	h.sessions.Clear(c)
	return c.NoContent(http.StatusNoContent)
}

type updateProfileRequest struct {
	DisplayName *string `json:"display_name"`
	Locale      *string `json:"locale"`
	TimeZone    *string `json:"time_zone"`
}

func (h *Handler) updateMe(c echo.Context) error {
	var req updateProfileRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	p, _ := server.Principal(c)
	u, err := h.svc.UpdateProfile(c.Request().Context(), p, identity.ProfileChange{DisplayName: req.DisplayName, Locale: req.Locale, TimeZone: req.TimeZone})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ToUserJSON(u))
}

type changePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (h *Handler) changePassword(c echo.Context) error {
	var req changePasswordRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.CurrentPassword == "" {
		return server.Required("current_password")
	}
	p, _ := server.Principal(c)
	return server.NoContent(c, h.svc.ChangePassword(c.Request().Context(), p, req.CurrentPassword, req.NewPassword))
}

// TokenJSON is an API token as the API shows it, never with its secret.
type TokenJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Scopes     []string   `json:"scopes"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	CreatedAt  time.Time  `json:"created_at"`
}

// ToTokenJSON shows a token.
func ToTokenJSON(t *identity.APIToken) TokenJSON {
	return TokenJSON{t.ID().String(), t.Name(), t.Scopes(), t.ExpiresAt(), t.LastUsedAt(), t.RevokedAt(), t.CreatedAt()}
}

func (h *Handler) listTokens(c echo.Context) error {
	ts, err := h.tokens.Tokens(c.Request().Context(), server.Actor(c))
	if err != nil {
		return err
	}
	out := make([]TokenJSON, len(ts))
	for i, t := range ts {
		out[i] = ToTokenJSON(t)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

type createTokenRequest struct {
	Name          string   `json:"name"`
	ExpiresInDays *int     `json:"expires_in_days"`
	Scopes        []string `json:"scopes"`
}

func (h *Handler) createToken(c echo.Context) error {
	var req createTokenRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	days := 90
	if req.ExpiresInDays != nil {
		days = *req.ExpiresInDays
	}
	if days < 1 || days > 365 {
		return errs.E(errs.Invalid, "invalid_expiry", "expires_in_days must be between 1 and 365")
	}
	scopes := []string{identity.ScopeAPI}
	if len(req.Scopes) > 0 {
		scopes = req.Scopes
		for _, sc := range scopes {
			if sc == identity.ScopeSCIM {
				return errs.E(errs.Invalid, "invalid_scope", "SCIM tokens are made on the organisation's SCIM page, not here")
			}
		}
	}
	t, secret, err := h.tokens.CreateToken(c.Request().Context(), server.Actor(c), apporg.TokenInput{
		Name: req.Name, Scopes: scopes, TTL: time.Duration(days) * 24 * time.Hour,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"token": ToTokenJSON(t), "secret": secret})
}

func (h *Handler) revokeToken(c echo.Context) error {
	id, err := server.PathID(c, "tokenID", "token")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.tokens.RevokeToken(c.Request().Context(), server.Actor(c), id))
}
