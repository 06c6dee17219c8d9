// Package tasks is the HTTP face of the tasks module: task lists with their sections, labels
// and shares, tasks with subtasks, dependencies, shares and history, and the views across lists.
package tasks

import (
	"net/http"

	"github.com/labstack/echo/v4"

	apptasks "canopy/app/tasks"
	"canopy/web/server"
)

// Handler serves the tasks routes.
type Handler struct {
	svc *apptasks.Service
}

// New returns the tasks handlers.
func New(svc *apptasks.Service) *Handler { return &Handler{svc: svc} }

// Register adds the tasks routes.
func (h *Handler) Register(r *server.Router) {
	h.registerCore(r)
	h.registerCollab(r)
}

// mapped converts each of vs for the JSON body.
func mapped[T, J any](vs []T, conv func(T) J) []J {
	out := make([]J, len(vs))
	for i, v := range vs {
		out[i] = conv(v)
	}
	return out
}

// list answers a page of a listing: its items and the total count.
func list[T, J any](c echo.Context, vs []T, total int, conv func(T) J) error {
	return c.JSON(http.StatusOK, map[string]any{"items": mapped(vs, conv), "total": total})
}
