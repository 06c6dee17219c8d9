package scim

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	appscim "canopy/app/scim"
	"canopy/domain/errs"
	webidentity "canopy/web/identity"
	"canopy/web/server"
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
	webidentity.TokenJSON
	CreatedBy scimTokenCreatorJSON `json:"created_by"`
}

func toSCIMTokenJSON(t appscim.Token) scimTokenJSON {
	return scimTokenJSON{webidentity.ToTokenJSON(t.Token), scimTokenCreatorJSON{t.Creator.UserID.String(), t.Creator.DisplayName, t.Creator.Email}}
}

func (h *Handler) listSCIMTokens(c echo.Context) error {
	ts, err := h.svc.Tokens(c.Request().Context(), server.Actor(c))
	if err != nil {
		return err
	}
	items := make([]scimTokenJSON, len(ts))
	for i, t := range ts {
		items[i] = toSCIMTokenJSON(t)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "scim_url": h.scimURL("")})
}

type createSCIMTokenRequest struct {
	Name          string `json:"name"`
	ExpiresInDays *int   `json:"expires_in_days"`
}

func (h *Handler) createSCIMToken(c echo.Context) error {
	var req createSCIMTokenRequest
	if err := server.BindJSON(c, &req); err != nil {
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
	t, secret, err := h.svc.CreateToken(c.Request().Context(), server.Actor(c), req.Name, time.Duration(days)*24*time.Hour)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"token": toSCIMTokenJSON(t), "secret": secret, "scim_url": h.scimURL("")})
}

func (h *Handler) revokeSCIMToken(c echo.Context) error {
	id, err := server.PathID(c, "scimTokenID", "token")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.RevokeToken(c.Request().Context(), server.Actor(c), id))
}
