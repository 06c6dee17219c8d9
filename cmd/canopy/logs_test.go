package main

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"canopy/domain/identity"
)

// syncBuffer is a log destination that the server's goroutines may write to at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestTokensStayOutOfLogsAndMetrics requests an invitation by its token, an activation link
// (a registered route), the same kind of path where no route matches, the app's pages for
// both links, the sign-in page sent on to either (next=), and URLs with a token in the query,
// with the log at debug level: no token appears
// anywhere in the log or in /metrics.
func TestTokensStayOutOfLogsAndMetrics(t *testing.T) {
	var logs syncBuffer
	e := newTestEnvLog(t, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	o := e.mustOrg("Quiet", "q@quiet.example")
	invitation := o.mustInvite(nil)
	activation, _ := identity.NewSecret("")
	tokens := []string{invitation, activation}

	c := e.client()
	c.must(200, "GET", "/api/v1/invitations/"+invitation, nil)
	c.do("GET", "/api/v1/invitations/"+invitation+"/qr.png", nil)
	c.do("GET", "/api/v1/activation/"+activation, nil)
	c.do("POST", "/api/v1/activation/"+activation, map[string]string{"password": "Long-Enough-Pass-1"})
	c.do("GET", "/api/v1/activations/"+activation, nil)    // matches no route
	c.do("DELETE", "/api/v1/invitations/"+invitation, nil) // a 405
	c.do("GET", "/invite/"+invitation, nil)
	c.do("GET", "/activate/"+activation+"?token="+activation, nil)
	c.do("GET", "/api/v1/me?token="+activation+"&access_token="+invitation, nil)
	// The app sends a stranger who opens a link to sign in first, with the link in next=.
	c.do("GET", "/login?next=%2Finvite%2F"+invitation, nil)
	c.do("GET", "/login?next=%2Factivate%2F"+activation, nil)
	o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/invitations?code="+activation, nil)

	_, metrics := e.metrics()
	for _, tok := range tokens {
		if strings.Contains(logs.String(), tok) {
			t.Fatalf("a token reached the log:\n%s", logs.String())
		}
		if strings.Contains(metrics, tok) {
			t.Fatalf("a token reached the metrics:\n%s", metrics)
		}
	}
	// The log still says which route was asked for.
	for _, want := range []string{`"path":"/api/v1/invitations/[redacted]"`, `"path":"/api/v1/activation/[redacted]"`,
		`"query":"access_token=[redacted]&token=[redacted]"`, `"route":"unmatched"`, `"query":"next=%2F[redacted]%2F[redacted]"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %s:\n%s", want, logs.String())
		}
	}
}
