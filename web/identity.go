package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	appidentity "canopy/app/identity"
	apporg "canopy/app/org"
	"canopy/domain/errs"
	"canopy/domain/identity"
)

type userJSON struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Locale      string    `json:"locale"`
	TimeZone    string    `json:"time_zone"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
}

func toUserJSON(u *identity.User) userJSON {
	return userJSON{u.ID().String(), u.Email(), u.DisplayName(), string(u.Locale()), u.TimeZone(), string(u.Status()), u.CreatedAt()}
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type sessionJSON struct {
	User      userJSON  `json:"user"`
	CSRFToken string    `json:"csrf_token"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *Server) setSessionCookies(c echo.Context, ns appidentity.NewSession) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: ns.Token, Path: "/", Expires: ns.ExpiresAt,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	// The CSRF cookie is readable by the app's script, which echoes it in X-CSRF-Token.
	c.SetCookie(&http.Cookie{Name: csrfCookie, Value: ns.CSRFToken, Path: "/", Expires: ns.ExpiresAt,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteStrictMode})
}

func clearSessionCookies(c echo.Context, secure bool) {
	for _, name := range []string{sessionCookie, csrfCookie} {
		c.SetCookie(&http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: name == sessionCookie, Secure: secure, SameSite: http.SameSiteLaxMode})
	}
}

func (s *Server) login(c echo.Context) error {
	var req loginRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.Email == "" {
		return required("email")
	}
	if req.Password == "" {
		return required("password")
	}
	ns, err := s.ident.Login(ctxOf(c), appidentity.LoginInput{
		Email: req.Email, Password: req.Password, IP: c.RealIP(), UserAgent: c.Request().UserAgent(),
	})
	if err != nil {
		return err
	}
	s.setSessionCookies(c, ns)
	return c.JSON(http.StatusOK, sessionJSON{User: toUserJSON(ns.User), CSRFToken: ns.CSRFToken, ExpiresAt: ns.ExpiresAt})
}

func (s *Server) logout(c echo.Context) error {
	p, _ := principal(c)
	if err := s.ident.Logout(ctxOf(c), p); err != nil {
		return err
	}
	clearSessionCookies(c, s.cfg.SecureCookies)
	return c.NoContent(http.StatusNoContent)
}

type orgMembershipJSON struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	Status string `json:"status"`
}

func toOrgMemberships(ms []apporg.OrgMembership) []orgMembershipJSON {
	out := make([]orgMembershipJSON, len(ms))
	for i, m := range ms {
		out[i] = orgMembershipJSON{m.OrgID.String(), m.Name, string(m.Role), string(m.Status)}
	}
	return out
}

type authJSON struct {
	Method     string `json:"method"`
	TokenOrgID string `json:"token_org_id,omitempty"`
}

type meJSON struct {
	User          userJSON            `json:"user"`
	Organisations []orgMembershipJSON `json:"organisations"`
	Auth          authJSON            `json:"auth"`
}

func (s *Server) getMe(c echo.Context) error {
	p, _ := principal(c)
	me, err := s.orgs.Me(ctxOf(c), p)
	if err != nil {
		return err
	}
	auth := authJSON{Method: string(p.Method)}
	if p.IsToken() {
		auth.TokenOrgID = p.TokenOrgID.String()
	}
	return c.JSON(http.StatusOK, meJSON{User: toUserJSON(me.User), Organisations: toOrgMemberships(me.Organisations), Auth: auth})
}

type updateProfileRequest struct {
	DisplayName *string `json:"display_name"`
	Locale      *string `json:"locale"`
	TimeZone    *string `json:"time_zone"`
}

func (s *Server) updateMe(c echo.Context) error {
	var req updateProfileRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	p, _ := principal(c)
	u, err := s.ident.UpdateProfile(ctxOf(c), p, identity.ProfileChange{DisplayName: req.DisplayName, Locale: req.Locale, TimeZone: req.TimeZone})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toUserJSON(u))
}

type changePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (s *Server) changePassword(c echo.Context) error {
	var req changePasswordRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.CurrentPassword == "" {
		return required("current_password")
	}
	p, _ := principal(c)
	return noContent(c, s.ident.ChangePassword(ctxOf(c), p, req.CurrentPassword, req.NewPassword))
}

type tokenJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Scopes     []string   `json:"scopes"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	CreatedAt  time.Time  `json:"created_at"`
}

func toTokenJSON(t *identity.APIToken) tokenJSON {
	return tokenJSON{t.ID().String(), t.Name(), t.Scopes(), t.ExpiresAt(), t.LastUsedAt(), t.RevokedAt(), t.CreatedAt()}
}

func (s *Server) listTokens(c echo.Context) error {
	a := actor(c)
	ts, err := s.ident.ListTokens(ctxOf(c), a.OrgID, a.UserID)
	if err != nil {
		return err
	}
	out := make([]tokenJSON, len(ts))
	for i, t := range ts {
		out[i] = toTokenJSON(t)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

type createTokenRequest struct {
	Name          string   `json:"name"`
	ExpiresInDays *int     `json:"expires_in_days"`
	Scopes        []string `json:"scopes"`
}

func (s *Server) createToken(c echo.Context) error {
	var req createTokenRequest
	if err := bindJSON(c, &req); err != nil {
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
	a := actor(c)
	t, secret, err := s.ident.CreateToken(ctxOf(c), appidentity.CreateTokenInput{
		OrgID: a.OrgID, UserID: a.UserID, Name: req.Name, Scopes: scopes, TTL: time.Duration(days) * 24 * time.Hour,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"token": toTokenJSON(t), "secret": secret})
}

func (s *Server) revokeToken(c echo.Context) error {
	id, err := pathID(c, "tokenID", "token")
	if err != nil {
		return err
	}
	a := actor(c)
	return noContent(c, s.ident.RevokeToken(ctxOf(c), a.OrgID, a.UserID, id))
}
