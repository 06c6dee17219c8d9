package server

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// The caching of the app's files. Vite puts a content hash in the name of every file under
// assets/, so a name never changes its content and browsers may keep it for good; the shell
// (index.html) and the few unhashed files must be checked again on every visit, or a release
// would not reach them.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// encodings are the precompressed variants the build writes beside each file (see
// web/ui/scripts/compress-dist.mjs), in the server's order of preference: brotli is the
// smaller.
var encodings = []struct{ name, ext string }{{"br", ".br"}, {"gzip", ".gz"}}

// serveUI serves the embedded frontend: a file when the path names one, and the app shell
// (index.html) for every other path, so client-side routes such as /console/members load.
func (s *Server) serveUI(c echo.Context) error {
	p := strings.TrimPrefix(path.Clean("/"+c.Request().URL.Path), "/")
	// /metrics is absent when it has no token (it has a listener of its own): a 404, not the
	// app's shell.
	if strings.HasPrefix(p, "api/") || p == "api" || p == "metrics" || s.area("/"+p) != nil {
		return echo.ErrNotFound
	}
	if s.ui == nil {
		return echo.NewHTTPError(http.StatusNotFound, "the web UI is not part of this build")
	}
	if p != "" && p != "index.html" {
		if f, err := fs.Stat(s.ui, p); err == nil && !f.IsDir() {
			c.Set(ctxFile, true)
			cache := cacheRevalidate
			if strings.HasPrefix(p, "assets/") {
				cache = cacheImmutable
			}
			return s.serveFile(c, p, cache)
		}
		// A missing asset is a 404, not the shell: a stale hashed file name must fail loudly.
		if strings.HasPrefix(p, "assets/") || path.Ext(p) != "" {
			return echo.ErrNotFound
		}
	}
	if _, err := fs.Stat(s.ui, "index.html"); errors.Is(err, fs.ErrNotExist) {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "the web UI was not built; run `make ui`")
	}
	return s.serveFile(c, "index.html", cacheRevalidate)
}

// serveFile writes one file of the build, in the best encoding the client accepts of those
// precompressed beside it, or as it is. The Content-Type is the original file's; Vary tells
// caches that the body depends on Accept-Encoding, and each variant has its own ETag, so a
// revalidation of the shell costs a 304.
func (s *Server) serveFile(c echo.Context, name, cacheControl string) error {
	w, r := c.Response(), c.Request()
	h := w.Header()
	h.Set("Cache-Control", cacheControl)
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h.Set(echo.HeaderContentType, ctype)

	file, encoding := name, ""
	var have []string
	for _, e := range encodings {
		if _, err := fs.Stat(s.ui, name+e.ext); err == nil {
			have = append(have, e.name)
		}
	}
	if len(have) > 0 {
		h.Add("Vary", "Accept-Encoding")
		if encoding = negotiateEncoding(r.Header.Get("Accept-Encoding"), have); encoding != "" {
			for _, e := range encodings {
				if e.name == encoding {
					file = name + e.ext
				}
			}
			h.Set("Content-Encoding", encoding)
		}
	}
	f, err := s.ui.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	body, ok := f.(io.ReadSeeker)
	if !ok {
		// Files of an embed.FS seek; any other fs.FS is read whole.
		b, err := io.ReadAll(f)
		if err != nil {
			return err
		}
		body = strings.NewReader(string(b))
	}
	etag, err := s.etag(file)
	if err != nil {
		return err
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, name, time.Time{}, body)
	return nil
}

// etag returns a file's ETag, computed once: the build does not change while the process runs.
func (s *Server) etag(file string) (string, error) {
	if v, ok := s.etags.Load(file); ok {
		return v.(string), nil
	}
	b, err := fs.ReadFile(s.ui, file)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	tag := strconv.Quote(hex.EncodeToString(sum[:12]))
	s.etags.Store(file, tag)
	return tag, nil
}

// negotiateEncoding picks the content coding to send from those available (in order of
// preference), honouring the client's Accept-Encoding with its q-values (RFC 9110 §12.5.3): a
// coding with q=0, or one the header does not name (unless "*" accepts it), is not acceptable.
// It returns "" for the file as it is.
func negotiateEncoding(accept string, available []string) string {
	if accept == "" {
		return ""
	}
	q := map[string]float64{}
	star, hasStar := 0.0, false
	for _, part := range strings.Split(accept, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		weight := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					weight = f
				}
			}
		}
		if coding == "*" {
			star, hasStar = weight, true
			continue
		}
		if coding == "x-gzip" {
			coding = "gzip"
		}
		q[coding] = weight
	}
	best, bestQ := "", 0.0
	for _, enc := range available {
		w, named := q[enc]
		if !named && hasStar {
			w, named = star, true
		}
		if named && w > bestQ {
			best, bestQ = enc, w
		}
	}
	return best
}
