package webhook_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/webhook"
)

func TestCheckURL(t *testing.T) {
	strict, dev := webhook.URLPolicy{}, webhook.URLPolicy{AllowPrivate: true}
	for _, u := range []string{"https://hooks.example.com/canopy", "https://93.184.216.34:8443/x?y=1"} {
		if _, err := strict.CheckURL(u); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	for _, u := range []string{"http://hooks.example.com/", "ftp://hooks.example.com/", "https://", "hooks.example.com/x",
		"https://user:pw@hooks.example.com/", "https://10.0.0.1/", "https://127.0.0.1/", "https://[::1]/", "https://169.254.169.254/latest",
		"https://hooks.example.com/#frag", "https://hooks.example.com/" + strings.Repeat("a", 2048)} {
		if _, err := strict.CheckURL(u); errs.CodeOf(err) != "invalid_url" {
			t.Errorf("%s: got %v, want invalid_url", u, err)
		}
	}
	for _, u := range []string{"http://127.0.0.1:8080/hook", "https://10.0.0.1/"} {
		if _, err := dev.CheckURL(u); err != nil {
			t.Errorf("%s refused with private addresses allowed: %v", u, err)
		}
	}
}

func TestSubscriptionEventTypes(t *testing.T) {
	known := []string{"files.file_shared", "files.file_uploaded"}
	secret := strings.Repeat("s", 40)
	s, err := webhook.NewSubscription(uuid.New(), uuid.New(), webhook.Input{URL: "https://h.example.com/", EventTypes: []string{"files.file_shared", "files.file_shared"}}, known, webhook.URLPolicy{}, secret, time.Now())
	if err != nil || len(s.EventTypes()) != 1 || !s.Active() {
		t.Fatalf("got %v %v", s, err)
	}
	for _, types := range [][]string{nil, {"files.nope"}, {"Files.file_shared"}} {
		if _, err := webhook.NewSubscription(uuid.New(), uuid.New(), webhook.Input{URL: "https://h.example.com/", EventTypes: types}, known, webhook.URLPolicy{}, secret, time.Now()); errs.CodeOf(err) != "invalid_event_types" {
			t.Errorf("%v: got %v", types, err)
		}
	}
}

func TestBackoffGrowsWithJitterAndACeiling(t *testing.T) {
	if d := webhook.Backoff(1, 0.5); d != 30*time.Second {
		t.Errorf("first = %v", d)
	}
	if d := webhook.Backoff(3, 0.5); d != 2*time.Minute {
		t.Errorf("third = %v", d)
	}
	if lo, hi := webhook.Backoff(2, 0), webhook.Backoff(2, 0.999); lo != 48*time.Second || hi <= lo || hi > 72*time.Second {
		t.Errorf("jitter range %v..%v", lo, hi)
	}
	if d := webhook.Backoff(40, 0.5); d != 2*time.Hour {
		t.Errorf("ceiling = %v", d)
	}
}
