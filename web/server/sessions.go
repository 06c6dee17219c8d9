package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	appidentity "canopy/app/identity"
)

// Sessions writes and clears the session cookies and checks the CSRF token of cookie-signed
// writes: what the server's authentication and the handlers that sign someone in (login,
// accepting an invitation) must agree on.
type Sessions struct {
	secure bool
	auth   Authenticator
}

// Set writes the cookies of a new session.
func (k Sessions) Set(c echo.Context, ns appidentity.NewSession) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: ns.Token, Path: "/", Expires: ns.ExpiresAt,
		HttpOnly: true, Secure: k.secure, SameSite: http.SameSiteLaxMode})
	// The CSRF cookie is readable by the app's script, which echoes it in X-CSRF-Token.
	c.SetCookie(&http.Cookie{Name: csrfCookie, Value: ns.CSRFToken, Path: "/", Expires: ns.ExpiresAt,
		Secure: k.secure, SameSite: http.SameSiteStrictMode})
}

// Clear removes the session cookies.
func (k Sessions) Clear(c echo.Context) {
	for _, name := range []string{sessionCookie, csrfCookie} {
		c.SetCookie(&http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: name == sessionCookie, Secure: k.secure, SameSite: http.SameSiteLaxMode})
	}
}

// CheckCSRF refuses a write by p without the CSRF token of their session; reads pass. A route
// that takes a caller only when there is one (LevelOptional) calls it itself.
func (k Sessions) CheckCSRF(c echo.Context, p appidentity.Principal) error {
	switch c.Request().Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	return k.auth.VerifyCSRF(p, c.Request().Header.Get(csrfHeader))
}
