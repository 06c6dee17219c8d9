package web

import (
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

// serveUI serves the embedded frontend: a file when the path names one, and the app shell
// (index.html) for every other path, so client-side routes such as /console/members load.
func (s *Server) serveUI(c echo.Context) error {
	p := strings.TrimPrefix(path.Clean("/"+c.Request().URL.Path), "/")
	if strings.HasPrefix(p, "api/") || p == "api" || strings.HasPrefix(p, "scim/") || p == "scim" {
		return echo.ErrNotFound
	}
	if s.ui == nil {
		return echo.NewHTTPError(http.StatusNotFound, "the web UI is not part of this build")
	}
	if p != "" && p != "index.html" {
		if f, err := fs.Stat(s.ui, p); err == nil && !f.IsDir() {
			if strings.HasPrefix(p, "assets/") {
				// Vite puts a content hash in every asset name.
				c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			}
			http.ServeFileFS(c.Response(), c.Request(), s.ui, p)
			return nil
		}
		// A missing asset is a 404, not the shell: a stale hashed file name must fail loudly.
		if strings.HasPrefix(p, "assets/") || path.Ext(p) != "" {
			return echo.ErrNotFound
		}
	}
	index, err := fs.ReadFile(s.ui, "index.html")
	if errors.Is(err, fs.ErrNotExist) {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "the web UI was not built; run `make ui`")
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.HTMLBlob(http.StatusOK, index)
}
