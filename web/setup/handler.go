// Package setup is the HTTP face of the console's setup guide.
package setup

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/setup"
	"canopy/web/server"
)

// Service is what the handlers need: Forbidden without settings.manage.
type Service interface {
	Guide(ctx context.Context, a authz.Actor) (setup.Guide, error)
	SetDismissed(ctx context.Context, a authz.Actor, dismissed bool) (setup.Guide, error)
}

// Handler serves the setup guide's routes.
type Handler struct{ svc Service }

// New returns the handlers.
func New(svc Service) *Handler { return &Handler{svc: svc} }

// Register adds the routes.
func (h *Handler) Register(r *server.Router) {
	r.Add(server.Needs(access.SettingsManage), http.MethodGet, "/admin/orgs/:orgID/setup", h.get)
	r.Add(server.Needs(access.SettingsManage), http.MethodPut, "/admin/orgs/:orgID/setup", h.put)
}

type stepJSON struct {
	Key  string `json:"key"`
	Done bool   `json:"done"`
}

type guideJSON struct {
	Steps     []stepJSON `json:"steps"`
	Done      int        `json:"done"`
	Total     int        `json:"total"`
	Dismissed bool       `json:"dismissed"`
}

func toJSON(g setup.Guide) guideJSON {
	out := guideJSON{Steps: make([]stepJSON, 0, len(setup.Steps)), Dismissed: g.Dismissed}
	for _, s := range setup.Steps {
		out.Steps = append(out.Steps, stepJSON{Key: string(s), Done: g.Done[s]})
	}
	out.Done, out.Total = g.Progress()
	return out
}

func (h *Handler) get(c echo.Context) error {
	g, err := h.svc.Guide(c.Request().Context(), server.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toJSON(g))
}

type putJSON struct {
	Dismissed *bool `json:"dismissed"`
}

func (h *Handler) put(c echo.Context) error {
	var in putJSON
	if err := server.BindJSON(c, &in); err != nil {
		return err
	}
	if in.Dismissed == nil {
		return errs.Invalidf("dismissed is required: true hides the guide, false shows it again")
	}
	g, err := h.svc.SetDismissed(c.Request().Context(), server.Actor(c), *in.Dismissed)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toJSON(g))
}
