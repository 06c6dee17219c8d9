package outbound_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"canopy/infra/outbound"
)

func TestControlRefusesPrivateAddresses(t *testing.T) {
	refuse := outbound.Control(false)
	for _, addr := range []string{"10.0.0.1:443", "127.0.0.1:443", "[::1]:443", "169.254.169.254:80", "192.168.1.10:443",
		"172.16.0.5:443", "100.64.0.1:443", "0.0.0.0:443", "[::]:443", "[fe80::1]:443", "[fc00::1]:443", "[::ffff:127.0.0.1]:443", "224.0.0.1:443"} {
		if err := refuse("tcp", addr, nil); !errors.Is(err, outbound.ErrBlocked) {
			t.Errorf("%s: got %v, want refused", addr, err)
		}
	}
	for _, addr := range []string{"93.184.216.34:443", "[2606:4700::1111]:443"} {
		if err := refuse("tcp", addr, nil); err != nil {
			t.Errorf("%s: refused a public address: %v", addr, err)
		}
	}
	if err := outbound.Control(true)("tcp", "127.0.0.1:443", nil); err != nil {
		t.Errorf("allowed private addresses, still refused: %v", err)
	}
}

// receiver counts the requests it gets.
func receiver(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	n := new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1); h(w, r) }))
	t.Cleanup(srv.Close)
	return srv, n
}

func TestPostRefusesANameResolvingToLoopback(t *testing.T) {
	srv, hits := receiver(t, func(w http.ResponseWriter, _ *http.Request) {})
	// localhost is a name, so the refusal can only come from the check after resolution.
	url := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	_, err := outbound.New(outbound.Options{Timeout: 5 * time.Second}).Post(context.Background(), url, nil, []byte("{}"))
	if !errors.Is(err, outbound.ErrBlocked) || hits.Load() != 0 {
		t.Fatalf("post to localhost: err %v, hits %d; want refused before any request", err, hits.Load())
	}
	status, err := outbound.New(outbound.Options{Timeout: 5 * time.Second, AllowPrivate: true}).Post(context.Background(), url, map[string]string{"X-Test": "1"}, []byte("{}"))
	if err != nil || status != http.StatusOK || hits.Load() != 1 {
		t.Fatalf("allowed: status %d err %v hits %d", status, err, hits.Load())
	}
}

func TestPostFollowsNoRedirect(t *testing.T) {
	target, targetHits := receiver(t, func(w http.ResponseWriter, _ *http.Request) {})
	srv, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	})
	status, err := outbound.New(outbound.Options{Timeout: 5 * time.Second, AllowPrivate: true}).Post(context.Background(), srv.URL, nil, []byte("{}"))
	if err != nil || status != http.StatusTemporaryRedirect || targetHits.Load() != 0 {
		t.Fatalf("redirect: status %d err %v, target hit %d times; want the 307 itself", status, err, targetHits.Load())
	}
}

func TestPostTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	_, err := outbound.New(outbound.Options{Timeout: 200 * time.Millisecond, AllowPrivate: true}).Post(context.Background(), srv.URL, nil, []byte("{}"))
	if err == nil || !strings.Contains(err.Error(), "in time") {
		t.Fatalf("a receiver that never answers: got %v, want a timeout", err)
	}
}
