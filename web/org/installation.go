package org

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	apporg "canopy/app/org"
	"canopy/domain/errs"
	"canopy/domain/org"
	webidentity "canopy/web/identity"
	"canopy/web/server"
)

// The installation admins' routes: organisations with their email domains, and accounts.

func (h *Handler) registerInstallation(r *server.Router) {
	r.Add(server.Installation, http.MethodGet, "/installation/orgs", h.installationOrgs)
	r.Add(server.Installation, http.MethodGet, "/installation/orgs/:orgID/domains", h.listDomains)
	r.Add(server.Installation, http.MethodPost, "/installation/orgs/:orgID/domains", h.assignDomain)
	r.Add(server.Installation, http.MethodDelete, "/installation/orgs/:orgID/domains/:domain", h.unassignDomain)
	r.Add(server.Installation, http.MethodGet, "/installation/users", h.installationAccounts)
	r.Add(server.Installation, http.MethodPost, "/installation/users/:userID/disable", h.disableAccountInstallation)
	r.Add(server.Installation, http.MethodPost, "/installation/users/:userID/enable", h.enableAccountInstallation)
}

type domainJSON struct {
	Domain    string    `json:"domain"`
	OrgID     string    `json:"org_id"`
	CreatedAt time.Time `json:"created_at"`
}

// assignedDomainJSON is a new assignment with the existing accounts the organisation now
// manages, and how many of them it did not make (candidates for resetting their credentials).
type assignedDomainJSON struct {
	domainJSON
	ExistingAccounts         int `json:"existing_accounts"`
	AccountsCreatedElsewhere int `json:"accounts_created_elsewhere"`
}

func toDomainJSON(d *org.EmailDomain) domainJSON {
	return domainJSON{d.Domain(), d.OrgID().String(), d.CreatedAt()}
}

func toDomainsJSON(ds []*org.EmailDomain) []domainJSON {
	out := make([]domainJSON, len(ds))
	for i, d := range ds {
		out[i] = toDomainJSON(d)
	}
	return out
}

func (h *Handler) installationOrgs(c echo.Context) error {
	os, err := h.svc.ListInstallationOrgs(c.Request().Context(), server.Installer(c))
	if err != nil {
		return err
	}
	type item struct {
		ID            string       `json:"id"`
		Name          string       `json:"name"`
		DefaultLocale string       `json:"default_locale"`
		CreatedAt     time.Time    `json:"created_at"`
		Domains       []domainJSON `json:"domains"`
	}
	out := make([]item, len(os))
	for i, o := range os {
		out[i] = item{o.Org.ID().String(), o.Org.Name(), string(o.Org.DefaultLocale()), o.Org.CreatedAt(), toDomainsJSON(o.Domains)}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

func (h *Handler) listDomains(c echo.Context) error {
	orgID, err := server.PathID(c, "orgID", "organisation")
	if err != nil {
		return err
	}
	ds, err := h.svc.Domains(c.Request().Context(), server.Installer(c), orgID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": toDomainsJSON(ds)})
}

type assignDomainRequest struct {
	Domain string `json:"domain"`
}

func (h *Handler) assignDomain(c echo.Context) error {
	orgID, err := server.PathID(c, "orgID", "organisation")
	if err != nil {
		return err
	}
	var req assignDomainRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.Domain == "" {
		return server.Required("domain")
	}
	d, err := h.svc.AssignDomain(c.Request().Context(), server.Installer(c), orgID, req.Domain)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, assignedDomainJSON{toDomainJSON(d.Domain), d.Accounts, d.CreatedElsewhere})
}

func (h *Handler) unassignDomain(c echo.Context) error {
	orgID, err := server.PathID(c, "orgID", "organisation")
	if err != nil {
		return err
	}
	d := c.Param("domain")
	if _, err := org.ParseEmailDomain(d); err != nil {
		return errs.NotFoundf("domain")
	}
	return server.NoContent(c, h.svc.UnassignDomain(c.Request().Context(), server.Installer(c), orgID, d))
}

func (h *Handler) setAccountDisabled(c echo.Context, disabled bool) error {
	id, err := server.PathID(c, "userID", "account")
	if err != nil {
		return err
	}
	u, err := h.svc.SetAccountDisabled(c.Request().Context(), server.Installer(c), id, disabled)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, webidentity.ToUserJSON(u))
}

func (h *Handler) disableAccountInstallation(c echo.Context) error {
	return h.setAccountDisabled(c, true)
}
func (h *Handler) enableAccountInstallation(c echo.Context) error {
	return h.setAccountDisabled(c, false)
}

// accountJSON is an account as installation admins list it.
type accountJSON struct {
	ID                string    `json:"id"`
	Email             string    `json:"email"`
	DisplayName       string    `json:"display_name"`
	Status            string    `json:"status"`
	InstallationAdmin bool      `json:"installation_admin"`
	CreatedAt         time.Time `json:"created_at"`
}

func (h *Handler) installationAccounts(c echo.Context) error {
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(c.QueryParam("q"))
	if utf8.RuneCountInString(q) > 200 {
		return errs.Invalidf("query parameter \"q\" must be at most 200 characters")
	}
	as, total, err := h.svc.ListAccounts(c.Request().Context(), server.Installer(c), apporg.AccountFilter{Query: q, Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	out := make([]accountJSON, len(as))
	for i, a := range as {
		out[i] = accountJSON{a.ID.String(), a.Email, a.DisplayName, string(a.Status), a.InstallationAdmin, a.CreatedAt}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out, "total": total})
}
