package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"canopy/domain/errs"
)

// Reauthenticate checks again the credential a long-lived request (a WebSocket) was opened
// with: Unauthenticated once its session has ended or its token was revoked, so the connection
// is closed as a new request would be refused.
func (s *Server) Reauthenticate(ctx context.Context, r *http.Request) error {
	if h := r.Header.Get(echo.HeaderAuthorization); h != "" {
		_, secret, _ := strings.Cut(h, " ")
		_, err := s.auth.AuthenticateToken(ctx, strings.TrimSpace(secret))
		return err
	}
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return errs.E(errs.Unauthenticated, "unauthenticated", "sign in")
	}
	_, err = s.auth.AuthenticateSession(ctx, ck.Value)
	return err
}
