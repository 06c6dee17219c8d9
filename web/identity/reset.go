package identity

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"canopy/web/server"
)

// registerReset adds the self-service password reset routes. Both are public: the person has
// no session. The token in the path is named so that logs redact it (server.SecretParam).
func (h *Handler) registerReset(r *server.Router) {
	r.Add(server.Public, http.MethodPost, "/auth/password-reset", h.requestReset)
	r.Add(server.Public, http.MethodPost, "/auth/password-reset/:token", h.resetPassword)
}

type requestResetRequest struct {
	Email string `json:"email"`
}

// resetRequestedJSON is the one answer to every reset request below the limits, whether or not
// an account has the address.
type resetRequestedJSON struct {
	Status string `json:"status"`
}

func (h *Handler) requestReset(c echo.Context) error {
	var req requestResetRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.Email == "" {
		return server.Required("email")
	}
	if err := h.svc.RequestPasswordReset(c.Request().Context(), req.Email, c.RealIP()); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, resetRequestedJSON{Status: "requested"})
}

type resetPasswordRequest struct {
	Password string `json:"password"`
}

func (h *Handler) resetPassword(c echo.Context) error {
	var req resetPasswordRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.Password == "" {
		return server.Required("password")
	}
	return server.NoContent(c, h.svc.ResetPassword(c.Request().Context(), c.Param("token"), req.Password, c.RealIP()))
}
