package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"canopy/infra/config"
)

// loginFrom signs in as a client at address (sent as X-Forwarded-For through the trusted
// loopback proxy) and returns the status and Retry-After.
func (e *testEnv) loginFrom(address, email, password string) (int, string) {
	e.t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, _ := http.NewRequest("POST", e.http.URL+"/api/v1/auth/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", address)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Error(err)
		return 0, ""
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// behindProxy trusts the loopback proxy's X-Forwarded-For, so a test can speak from any
// address, with a strict limit per account and address.
func behindProxy(limit int) func(*config.Config) {
	return func(c *config.Config) {
		c.Server.TrustedProxies = []string{"127.0.0.0/8"}
		c.Auth.LoginAccountAddressLimit = limit
	}
}

// TestParallelWrongPasswordsNeverPassTheLimit sends 50 wrong passwords at once against a limit
// of 5: exactly 5 are checked (401), the rest refused before any check (429 with Retry-After).
// With the count checked before and recorded after the password check, as it once was, most
// of the 50 got through.
func TestParallelWrongPasswordsNeverPassTheLimit(t *testing.T) {
	const tries, limit = 50, 5
	e := newTestEnv(t, behindProxy(limit))
	o := e.mustOrgNoLogin("Raced", "r@raced.example")
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range tries {
		wg.Go(func() {
			<-start
			status, retry := e.loginFrom("203.0.113.7", o.email, fmt.Sprintf("wrong-guess-%d", i))
			if status == 429 {
				if n, err := strconv.Atoi(retry); err != nil || n <= 0 {
					t.Errorf("Retry-After %q", retry)
				}
			}
			mu.Lock()
			counts[status]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	if counts[401] != limit || counts[429] != tries-limit {
		t.Fatalf("statuses %v: want %d × 401 and %d × 429", counts, limit, tries-limit)
	}
}

// TestStrangerCannotLockTheOwnerOut: wrong passwords from one address lock that address out of
// the account, even with the right password, while the owner signs in from theirs.
func TestStrangerCannotLockTheOwnerOut(t *testing.T) {
	e := newTestEnv(t, behindProxy(3))
	o := e.mustOrgNoLogin("Owned", "o@owned.example")
	for i := range 3 {
		if status, _ := e.loginFrom("198.51.100.66", o.email, fmt.Sprint("guess-", i)); status != 401 {
			t.Fatalf("guess %d: %d", i, status)
		}
	}
	if status, retry := e.loginFrom("198.51.100.66", o.email, o.pw); status != 429 || retry == "" {
		t.Fatalf("the stranger's address after the limit: %d (Retry-After %q)", status, retry)
	}
	if status, _ := e.loginFrom("192.0.2.10", o.email, o.pw); status != 200 {
		t.Fatalf("the owner from their own address: %d", status)
	}
	// The owner's success does not reopen the stranger's address.
	if status, _ := e.loginFrom("198.51.100.66", o.email, "guess-again"); status != 429 {
		t.Fatalf("the stranger after the owner signed in: %d", status)
	}
}

// TestPasswordChangeChecksAreThrottled: a session that guesses the current password is
// stopped at the limit, and then even the right password waits.
func TestPasswordChangeChecksAreThrottled(t *testing.T) {
	e := newTestEnv(t, func(c *config.Config) { c.Auth.LoginAccountAddressLimit = 3 })
	o := e.mustOrg("Changer", "c@changer.example")
	for i := range 3 {
		r := o.c.do("POST", "/api/v1/me/password", map[string]string{"current_password": fmt.Sprint("guess-", i), "new_password": "Another-Long-One-9"})
		if r.status != 400 || r.errorCode(t) != "wrong_password" {
			t.Fatalf("guess %d: %d %s", i, r.status, r.body)
		}
	}
	r := o.c.do("POST", "/api/v1/me/password", map[string]string{"current_password": o.pw, "new_password": "Another-Long-One-9"})
	if r.status != 429 || r.errorCode(t) != "too_many_attempts" || r.header.Get("Retry-After") == "" {
		t.Fatalf("after the limit: %d %s (Retry-After %q)", r.status, r.body, r.header.Get("Retry-After"))
	}
	// The password did not change.
	e.client().mustLogin(o.email, o.pw)
}
