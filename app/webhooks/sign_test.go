package webhooks_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"testing"
	"time"

	"canopy/app/webhooks"
)

func TestSignIsHMACOfTimestampAndBody(t *testing.T) {
	secret, body, ts := "whsec_test_secret_of_enough_length_0123", []byte(`{"id":"x"}`), int64(1700000000)
	// Computed independently of Sign, as a receiver would.
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10) + "." + string(body)))
	want := "v1=" + hex.EncodeToString(m.Sum(nil))
	if got := webhooks.Sign(secret, ts, body); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestVerify(t *testing.T) {
	secret, body := "whsec_test_secret_of_enough_length_0123", []byte(`{"id":"x"}`)
	now := time.Unix(1700000000, 0)
	sig := webhooks.Sign(secret, now.Unix(), body)
	ts := strconv.FormatInt(now.Unix(), 10)
	cases := []struct {
		name       string
		secret     string
		sig, ts    string
		body       string
		at         time.Time
		wantAccept bool
	}{
		{"good", secret, sig, ts, string(body), now, true},
		{"among several", secret, "v1=00 " + sig, ts, string(body), now, true},
		{"wrong secret", secret + "x", sig, ts, string(body), now, false},
		{"changed body", secret, sig, ts, `{"id":"y"}`, now, false},
		{"changed timestamp", secret, sig, strconv.FormatInt(now.Unix()+1, 10), string(body), now, false},
		{"replayed too late", secret, sig, ts, string(body), now.Add(6 * time.Minute), false},
		{"empty", secret, "", ts, string(body), now, false},
	}
	for _, c := range cases {
		if got := webhooks.Verify(c.secret, c.sig, c.ts, []byte(c.body), c.at, 5*time.Minute); got != c.wantAccept {
			t.Errorf("%s: Verify = %v, want %v", c.name, got, c.wantAccept)
		}
	}
}
