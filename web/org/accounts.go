package org

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	apporg "canopy/app/org"
	"canopy/domain/access"
	"canopy/domain/errs"
	webidentity "canopy/web/identity"
	"canopy/web/server"
)

// The ways in of provisioned people: activation links, which IT issues and hands over until
// Canopy sends email, and the invitations waiting for a signed-in person. Disabling an account
// sits here too: it is the other end of an account's life.

func (h *Handler) registerAccounts(r *server.Router) {
	adm := "/admin/orgs/:orgID"
	r.Add(server.Needs(access.MembersManage), http.MethodPost, adm+"/users/:userID/activation-link", h.createActivationLink)
	r.Add(server.Needs(access.MembersManage), http.MethodPost, adm+"/activation-links", h.createActivationLinks)
	r.Add(server.Needs(access.MembersManage), http.MethodPost, adm+"/users/:userID/disable-account", h.disableAccount)
	r.Add(server.Needs(access.MembersManage), http.MethodPost, adm+"/users/:userID/reset-credentials", h.resetCredentials)

	r.Add(server.Public, http.MethodGet, "/activation/:token", h.previewActivation)
	r.Add(server.Public, http.MethodPost, "/activation/:token", h.activate)
	r.Add(server.Public, http.MethodGet, "/activation/:token/qr.png", h.activationQR)

	r.Add(server.Authenticated, http.MethodGet, "/me/invitations", h.myInvitations)
	r.Add(server.Authenticated, http.MethodPost, "/me/invitations/:invitationID/accept", h.acceptMyInvitation)
}

// activationURL is the page where the person of a link sets their password.
func (h *Handler) activationURL(token string) string {
	return strings.TrimRight(h.publicURL, "/") + "/activate/" + url.PathEscape(token)
}

type activationLinkJSON struct {
	UserID      string    `json:"user_id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	URL         string    `json:"url"`
	ExpiresAt   time.Time `json:"expires_at"`
}

func (h *Handler) toActivationLinkJSON(l apporg.ActivationLink) activationLinkJSON {
	return activationLinkJSON{l.UserID.String(), l.Email, l.DisplayName, h.activationURL(l.Token), l.ExpiresAt}
}

func (h *Handler) createActivationLink(c echo.Context) error {
	id, err := server.PathID(c, "userID", "member")
	if err != nil {
		return err
	}
	l, err := h.svc.CreateActivationLink(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, h.toActivationLinkJSON(l))
}

type createActivationLinksRequest struct {
	UserIDs  []string `json:"user_ids"`
	ImportID string   `json:"import_id"`
}

type skippedActivationJSON struct {
	UserID string  `json:"user_id"`
	Email  *string `json:"email"`
	Code   string  `json:"code"`
}

func (h *Handler) createActivationLinks(c echo.Context) error {
	var req createActivationLinksRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	ctx, a := c.Request().Context(), server.Actor(c)
	var links []apporg.ActivationLink
	var skipped []apporg.SkippedActivation
	switch {
	case req.ImportID != "" && req.UserIDs != nil:
		return errs.E(errs.Invalid, "invalid_request", `give "user_ids" or "import_id", not both`)
	case req.ImportID != "":
		id, err := uuid.Parse(req.ImportID)
		if err != nil {
			return errs.NotFoundf("import")
		}
		if links, skipped, err = h.svc.CreateImportActivationLinks(ctx, a, id); err != nil {
			return err
		}
	case len(req.UserIDs) == 0:
		return server.Required("user_ids")
	default:
		ids := make([]uuid.UUID, len(req.UserIDs))
		for i, s := range req.UserIDs {
			id, err := uuid.Parse(s)
			if err != nil {
				return errs.E(errs.Invalid, "invalid_field", "user_ids: each must be a user id")
			}
			ids[i] = id
		}
		var err error
		if links, skipped, err = h.svc.CreateActivationLinks(ctx, a, ids); err != nil {
			return err
		}
	}
	items := make([]activationLinkJSON, len(links))
	for i, l := range links {
		items[i] = h.toActivationLinkJSON(l)
	}
	skip := make([]skippedActivationJSON, len(skipped))
	for i, s := range skipped {
		skip[i] = skippedActivationJSON{s.UserID.String(), optString(s.Email), s.Code}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"items": items, "skipped": skip})
}

func (h *Handler) disableAccount(c echo.Context) error {
	id, err := server.PathID(c, "userID", "member")
	if err != nil {
		return err
	}
	m, err := h.svc.DisableAccount(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAdminUserJSON(m))
}

func (h *Handler) resetCredentials(c echo.Context) error {
	id, err := server.PathID(c, "userID", "member")
	if err != nil {
		return err
	}
	l, err := h.svc.ResetCredentials(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, h.toActivationLinkJSON(l))
}

func (h *Handler) previewActivation(c echo.Context) error {
	p, err := h.svc.PreviewActivation(c.Request().Context(), c.Param("token"), c.RealIP())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"email": p.Email, "display_name": p.DisplayName, "org_name": p.OrgName, "expires_at": p.ExpiresAt})
}

type activateRequest struct {
	Password string `json:"password"`
}

func (h *Handler) activate(c echo.Context) error {
	var req activateRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.Password == "" {
		return server.Required("password")
	}
	email, err := h.svc.Activate(c.Request().Context(), c.Param("token"), req.Password, c.RealIP())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"email": email})
}

func (h *Handler) activationQR(c echo.Context) error {
	token := c.Param("token")
	if _, err := h.svc.PreviewActivation(c.Request().Context(), token, c.RealIP()); err != nil {
		return err
	}
	png, err := qrcode.Encode(h.activationURL(token), qrcode.Medium, 320)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "image/png", png)
}

type pendingInvitationJSON struct {
	invitationJSON
	OrgID   string `json:"org_id"`
	OrgName string `json:"org_name"`
}

func (h *Handler) myInvitations(c echo.Context) error {
	p, _ := server.Principal(c)
	is, err := h.svc.MyInvitations(c.Request().Context(), p)
	if err != nil {
		return err
	}
	out := make([]pendingInvitationJSON, len(is))
	for i, pi := range is {
		out[i] = pendingInvitationJSON{toInvitationJSON(pi.Invitation), pi.Invitation.OrgID().String(), pi.OrgName}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

func (h *Handler) acceptMyInvitation(c echo.Context) error {
	id, err := server.PathID(c, "invitationID", "invitation")
	if err != nil {
		return err
	}
	p, _ := server.Principal(c)
	res, err := h.svc.AcceptMyInvitation(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"org_id": res.OrgID.String(), "user": webidentity.ToUserJSON(res.User)})
}
