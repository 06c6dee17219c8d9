package files

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"canopy/domain/errs"
)

// failingContent fails every seek and read, as a version does whose store went away after it
// was opened.
type failingContent struct{ err error }

func (f failingContent) Read([]byte) (int, error)       { return 0, f.err }
func (f failingContent) Seek(int64, int) (int64, error) { return 0, f.err }

// failingAfterSize knows its size (net/http's first seek, to the end) and fails every seek and
// read after it: net/http then answers a range with 416 and the error's text.
type failingAfterSize struct {
	err    error
	seeked bool
}

func (f *failingAfterSize) Read([]byte) (int, error) { return 0, f.err }
func (f *failingAfterSize) Seek(offset int64, whence int) (int64, error) {
	if !f.seeked && whence == io.SeekEnd {
		f.seeked = true
		return 10, nil
	}
	return 0, f.err
}

// TestServeAnswersAFailedContentInJSON: a content that fails before anything is sent is
// returned as its own error (the store's 503 storage_unavailable) with nothing written, never
// net/http's plain-text 500 with the store's message; a bad range is still a 416 error, and a
// good range is served.
func TestServeAnswersAFailedContentInJSON(t *testing.T) {
	e := echo.New()
	get := func(rng string) (echo.Context, *httptest.ResponseRecorder) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		rec := httptest.NewRecorder()
		return e.NewContext(req, rec), rec
	}
	gone := errs.E(errs.Unavailable, "storage_unavailable", "the file store is unavailable")
	for _, rng := range []string{"", "bytes=2-3"} {
		c, rec := get(rng)
		c.Response().Header().Set("ETag", `"abc"`)
		err := serve(c, time.Now(), failingContent{gone})
		if !errs.Is(err, errs.Unavailable) || errs.CodeOf(err) != "storage_unavailable" {
			t.Fatalf("range %q: got %v, want the store's error", rng, err)
		}
		if c.Response().Committed || rec.Body.Len() != 0 || c.Response().Header().Get("ETag") != "" {
			t.Fatalf("range %q: something was sent (%d, %q, ETag %q)", rng, rec.Code, rec.Body.String(), c.Response().Header().Get("ETag"))
		}
	}
	for _, rng := range []string{"", "bytes=2-3"} {
		c, rec := get(rng)
		err := serve(c, time.Now(), &failingAfterSize{err: gone})
		if !errs.Is(err, errs.Unavailable) || c.Response().Committed || rec.Body.Len() != 0 {
			t.Fatalf("range %q, failing after its size: got %v, sent %d %q; want the store's error, nothing sent", rng, err, rec.Code, rec.Body.String())
		}
	}
	c, _ := get("bytes=9-")
	var he *echo.HTTPError
	if err := serve(c, time.Now(), strings.NewReader("hello")); err == nil || !asHTTPError(err, &he) || he.Code != http.StatusRequestedRangeNotSatisfiable {
		t.Fatalf("a range past the end: %v, want 416", err)
	}
	c, rec := get("bytes=1-2")
	if err := serve(c, time.Now(), strings.NewReader("hello")); err != nil || rec.Code != http.StatusPartialContent || rec.Body.String() != "el" {
		t.Fatalf("a good range: %v, %d %q", err, rec.Code, rec.Body.String())
	}
}

func asHTTPError(err error, he **echo.HTTPError) bool {
	h, ok := err.(*echo.HTTPError)
	*he = h
	return ok
}
