package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	appscim "canopy/app/scim"
	"canopy/domain/errs"
)

// SCIM tokens for the console: /api/v1/admin/orgs/{orgID}/scim-tokens. A SCIM token belongs to
// the organisation's identity provider and acts as the admin who made it; any admin may list and
// revoke the organisation's SCIM tokens.

type scimTokenCreatorJSON struct {
	UserID      string `json:"user_id"`
	DisplayName string `json:"display_name"`
	Email       string `json:"email"`
}

type scimTokenJSON struct {
	tokenJSON
	CreatedBy scimTokenCreatorJSON `json:"created_by"`
}

func toSCIMTokenJSON(t appscim.Token) scimTokenJSON {
	return scimTokenJSON{toTokenJSON(t.Token), scimTokenCreatorJSON{t.Creator.UserID.String(), t.Creator.DisplayName, t.Creator.Email}}
}

func (s *Server) listSCIMTokens(c echo.Context) error {
	ts, err := s.scim.Tokens(ctxOf(c), actor(c))
	if err != nil {
		return err
	}
	items := make([]scimTokenJSON, len(ts))
	for i, t := range ts {
		items[i] = toSCIMTokenJSON(t)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "scim_url": s.scimURL("")})
}

type createSCIMTokenRequest struct {
	Name          string `json:"name"`
	ExpiresInDays *int   `json:"expires_in_days"`
}

func (s *Server) createSCIMToken(c echo.Context) error {
	var req createSCIMTokenRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	// Identity providers keep their token for years: a year by default, 0 for never.
	days := 365
	if req.ExpiresInDays != nil {
		days = *req.ExpiresInDays
	}
	if days < 0 || days > 3650 {
		return errs.E(errs.Invalid, "invalid_expiry", "expires_in_days must be between 0 (never) and 3650")
	}
	t, secret, err := s.scim.CreateToken(ctxOf(c), actor(c), req.Name, time.Duration(days)*24*time.Hour)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"token": toSCIMTokenJSON(t), "secret": secret, "scim_url": s.scimURL("")})
}

func (s *Server) revokeSCIMToken(c echo.Context) error {
	id, err := pathID(c, "scimTokenID", "token")
	if err != nil {
		return err
	}
	return noContent(c, s.scim.RevokeToken(ctxOf(c), actor(c), id))
}
