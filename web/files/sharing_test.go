package files

import (
	"net/http/httptest"
	"testing"
)

// TestCountsAsDownload: a link's download is counted for a GET from the first byte (no Range,
// a range from 0, a suffix range, which may cover the whole file, or a header that is not a
// byte range and so is ignored), and not for a later range (a video seeking, a resumed
// download).
func TestCountsAsDownload(t *testing.T) {
	for rng, want := range map[string]bool{
		"":                  true,
		"bytes=0-":          true,
		"bytes=0-0":         true,
		"bytes=00-99":       true,
		"bytes=-500":        true,
		"bytes=10-19,0-9":   true,
		"items=5-9":         true,
		"bytes=1-":          false,
		"bytes=100-199":     false,
		"bytes=10-19,20-29": false,
	} {
		r := httptest.NewRequest("GET", "/api/v1/links/x/content", nil)
		if rng != "" {
			r.Header.Set("Range", rng)
		}
		if got := countsAsDownload(r); got != want {
			t.Errorf("Range %q: counts %v, want %v", rng, got, want)
		}
	}
}
