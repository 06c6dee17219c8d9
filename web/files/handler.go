// Package files is the HTTP face of the files module: spaces, folders, files and their
// contents, uploads (streamed and tus), the trash, legal holds, policies, shares and links.
package files

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	appfiles "canopy/app/files"
	"canopy/web/server"
)

// Handler serves the files routes.
type Handler struct {
	svc       *appfiles.Service
	publicURL string
	// transfer bounds an upload or download request in place of the server's timeouts.
	transfer time.Duration
}

// New returns the files handlers.
func New(svc *appfiles.Service, publicURL string, transfer time.Duration) *Handler {
	return &Handler{svc: svc, publicURL: publicURL, transfer: transfer}
}

// longTransfer lets a request that moves a file's bytes run for the transfer timeout instead of
// the server's read and write timeouts and its request timeout.
func (h *Handler) longTransfer(c echo.Context) {
	rc := http.NewResponseController(c.Response())
	deadline := time.Now().Add(h.transfer)
	_ = rc.SetReadDeadline(deadline)
	_ = rc.SetWriteDeadline(deadline)
	server.ExtendDeadline(c, h.transfer)
}

// Register adds the files routes.
func (h *Handler) Register(r *server.Router) {
	h.registerCore(r)
	h.registerTus(r)
	h.registerRetention(r)
	h.registerSharing(r)
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
