package server

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"canopy/web/api"
)

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// readyz checks every dependency at once, each within two seconds, and answers 503 while any is
// down; it recovers by itself when they come back. A draining replica (Drain) answers 503
// "draining" without checking anything: it is on its way out, whatever its dependencies say.
func (s *Server) readyz(c echo.Context) error {
	if s.draining.Load() {
		return c.JSON(http.StatusServiceUnavailable, readiness{Status: "draining", Checks: map[string]string{}})
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	out := readiness{Status: "ok", Checks: map[string]string{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, ch := range s.ready {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := ch.Check(ctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				out.Status, out.Checks[ch.Name] = "unavailable", "unavailable"
				Logger(c).Warn("readiness check failed", "check", ch.Name, "error", err.Error())
				return
			}
			out.Checks[ch.Name] = "ok"
		}()
	}
	wg.Wait()
	status := http.StatusOK
	if out.Status != "ok" {
		status = http.StatusServiceUnavailable
	}
	return c.JSON(status, out)
}

func (s *Server) openAPI(c echo.Context) error {
	b, err := api.JSON()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}
