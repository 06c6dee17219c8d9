package web

import (
	"context"
	_ "embed"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"gopkg.in/yaml.v3"
)

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// readyz checks every dependency at once, each within two seconds, and answers 503 while any is
// down; it recovers by itself when they come back.
func (s *Server) readyz(c echo.Context) error {
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
				loggerFrom(c).Warn("readiness check failed", "check", ch.Name, "error", err.Error())
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

//go:embed api/openapi.yaml
var openAPIYAML []byte

var openAPIJSON = sync.OnceValues(func() ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(openAPIYAML, &doc); err != nil {
		return nil, err
	}
	return json.Marshal(doc)
})

// OpenAPI returns the API description as JSON.
func OpenAPI() ([]byte, error) { return openAPIJSON() }

func (s *Server) openAPI(c echo.Context) error {
	b, err := openAPIJSON()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}
