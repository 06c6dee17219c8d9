package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	appevents "canopy/app/events"
	appwebhooks "canopy/app/webhooks"
	"canopy/infra/config"
	pgaccess "canopy/infra/postgres/access"
)

// mustMatrixWebhooks gives an organisation a webhook with one delivery (a ping) and a
// throwaway webhook to delete, for the permission matrix and the tenancy test.
func mustMatrixWebhooks(t testing.TB, d dir) (ids, throw map[string]string) {
	t.Helper()
	body := map[string]any{"url": "https://hooks.example.com/canopy", "event_types": []string{"files.file_shared"}}
	hook := d.c.must(201, "POST", d.admin("/webhooks"), body)["id"].(string)
	delivery := d.c.must(202, "POST", d.admin("/webhooks/"+hook+"/ping"), map[string]any{})["id"].(string)
	throwHook := d.c.must(201, "POST", d.admin("/webhooks"), body)["id"].(string)
	return map[string]string{"webhookID": hook, "deliveryID": delivery}, map[string]string{"webhookID": throwHook}
}

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// webhookWorker is a webhooks service on the test stack's database whose clock the test moves,
// so that it drives the retries by calling DeliverDue rather than waiting out the backoff.
func webhookWorker(e *testEnv, clk *testClock) *appwebhooks.Service {
	return webhooksService(e.stack.db, clk, e.stack.authz, pgaccess.NewAuditLog(e.stack.db), e.stack.cfg.Webhooks, slog.New(slog.DiscardHandler))
}

// publishShared commits a files.file_shared event of the organisation, as the files module
// would, and waits until the dispatcher has handed it to the consumers.
func publishShared(t *testing.T, e *testEnv, orgID string) uuid.UUID {
	t.Helper()
	subject := uuid.New()
	err := txWithin(e, func(ctx context.Context) error {
		return e.stack.events.store.Publish(ctx, appevents.Event{Type: "files.file_shared", OrgID: uuid.MustParse(orgID), SubjectType: "file",
			SubjectID: subject, Payload: json.RawMessage(`{"file_id":"` + subject.String() + `","name":"plan.pdf"}`), CreatedAt: time.Now().UTC()})
	})
	if err != nil {
		t.Fatal(err)
	}
	e.waitDispatched(t)
	return subject
}

type received struct {
	header http.Header
	body   []byte
}

// webhookReceiver answers 500 to its first failures requests, then 200, and keeps what it got.
func webhookReceiver(t *testing.T, failures int) (*httptest.Server, func() []received) {
	var mu sync.Mutex
	var got []received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{r.Header.Clone(), b})
		n := len(got)
		mu.Unlock()
		if n <= failures {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() []received { mu.Lock(); defer mu.Unlock(); return append([]received(nil), got...) }
}

func allowPrivate(c *config.Config) { c.Webhooks.AllowPrivateAddresses = true }

func TestWebhookIsSignedAndRetriedUntilTheReceiverTakesIt(t *testing.T) {
	e := newTestEnv(t, allowPrivate)
	o := e.mustDir("Hooks", "owner@hooks.example")
	srv, got := webhookReceiver(t, 2)
	created := o.c.must(201, "POST", o.admin("/webhooks"), map[string]any{"url": srv.URL + "/hook", "event_types": []string{"files.file_shared"}})
	hook, secret := created["id"].(string), created["secret"].(string)
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q", secret)
	}
	// The secret is shown once: never in a listing or a read.
	for _, path := range []string{"/webhooks", "/webhooks/" + hook} {
		if res := o.c.do("GET", o.admin(path), nil); strings.Contains(string(res.body), secret) || strings.Contains(string(res.body), `"secret"`) {
			t.Fatalf("GET %s shows the secret: %s", path, res.body)
		}
	}

	subject := publishShared(t, e, o.orgID)
	clk := &testClock{t: time.Now().UTC()}
	w := webhookWorker(e, clk)
	for attempt := 1; attempt <= 3; attempt++ {
		if n, err := w.DeliverDue(context.Background(), 10); err != nil || n != 1 {
			t.Fatalf("attempt %d: claimed %d, %v", attempt, n, err)
		}
		if attempt < 3 {
			// Not due again until its backoff has passed.
			if n, err := w.DeliverDue(context.Background(), 10); err != nil || n != 0 {
				t.Fatalf("after attempt %d: claimed %d at once, %v", attempt, n, err)
			}
			clk.add(time.Hour)
		}
	}
	reqs := got()
	if len(reqs) != 3 {
		t.Fatalf("the receiver got %d requests, want 3", len(reqs))
	}
	last := reqs[2]
	ts, sig, id := last.header.Get("Canopy-Webhook-Timestamp"), last.header.Get("Canopy-Webhook-Signature"), last.header.Get("Canopy-Webhook-Id")
	if !appwebhooks.Verify(secret, sig, ts, last.body, clk.Now(), 5*time.Minute) {
		t.Fatalf("signature %q does not verify with the secret", sig)
	}
	if appwebhooks.Verify("whsec_another", sig, ts, last.body, clk.Now(), 5*time.Minute) {
		t.Fatal("the signature verifies with another secret")
	}
	var body struct {
		ID, Type, OrgID string
		Data            struct {
			Subject struct{ Type, ID string }
			Payload map[string]any
		}
	}
	if err := json.Unmarshal(last.body, &body); err != nil {
		t.Fatal(err)
	}
	if body.ID != id || body.Type != "files.file_shared" || body.Data.Subject.ID != subject.String() || body.Data.Payload["name"] != "plan.pdf" {
		t.Fatalf("body %s (id header %s)", last.body, id)
	}
	if reqs[0].header.Get("Canopy-Webhook-Id") != id {
		t.Fatal("a retry changed the delivery id")
	}

	items := o.c.must(200, "GET", o.admin("/webhooks/"+hook+"/deliveries"), nil)["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("deliveries %v", items)
	}
	d := items[0].(map[string]any)
	if d["status"] != "succeeded" || d["attempts"].(float64) != 3 || d["last_status"].(float64) != 200 || d["id"] != id {
		t.Fatalf("delivery %v", d)
	}
	// Redelivery posts it again, as a new delivery.
	again := o.c.must(202, "POST", o.admin("/webhooks/"+hook+"/deliveries/"+id+"/redeliver"), map[string]any{})
	if n, err := w.DeliverDue(context.Background(), 10); err != nil || n != 1 || len(got()) != 4 || got()[3].header.Get("Canopy-Webhook-Id") != again["id"] {
		t.Fatalf("redelivery: claimed %d, %v, %d requests", n, err, len(got()))
	}
}

func TestWebhookSubscriptionThatKeepsFailingIsPaused(t *testing.T) {
	e := newTestEnv(t, allowPrivate, func(c *config.Config) { c.Webhooks.PauseAfterFailures = 2 })
	o := e.mustDir("Paused", "owner@paused.example")
	srv, got := webhookReceiver(t, 1000)
	hook := o.c.must(201, "POST", o.admin("/webhooks"), map[string]any{"url": srv.URL, "event_types": []string{"files.file_shared"}})["id"].(string)
	publishShared(t, e, o.orgID)
	clk := &testClock{t: time.Now().UTC()}
	w := webhookWorker(e, clk)
	for range 2 {
		if _, err := w.DeliverDue(context.Background(), 10); err != nil {
			t.Fatal(err)
		}
		clk.add(time.Hour)
	}
	sub := o.c.must(200, "GET", o.admin("/webhooks/"+hook), nil)
	if sub["active"] != false || sub["paused_at"] == nil || sub["failure_count"].(float64) != 2 {
		t.Fatalf("after two failures: %v", sub)
	}
	// Paused: nothing more is posted.
	if n, _ := w.DeliverDue(context.Background(), 10); n != 0 || len(got()) != 2 {
		t.Fatalf("a paused subscription was posted to: claimed %d, %d requests", n, len(got()))
	}
	// The owner is told, through an event addressed to them.
	var audience string
	e.stack.db.Raw(`SELECT audience::text FROM events WHERE type = ? AND org_id = ?`, appwebhooks.PausedType, o.orgID).Scan(&audience)
	me := o.c.must(200, "GET", "/api/v1/me", nil)["user"].(map[string]any)["id"].(string)
	if !strings.Contains(audience, me) {
		t.Fatalf("the pause event's audience %q does not name the owner %s", audience, me)
	}
	// ... and it is in their notifications.
	waitUntil(t, func() bool {
		items := o.c.must(200, "GET", o.org("/notifications"), nil)["items"].([]any)
		return len(items) == 1 && items[0].(map[string]any)["type"] == appwebhooks.PausedType
	})
	// Turned back on, the delivery goes out again.
	o.c.must(200, "PATCH", o.admin("/webhooks/"+hook), map[string]any{"active": true})
	if n, _ := w.DeliverDue(context.Background(), 10); n != 1 || len(got()) != 3 {
		t.Fatalf("reactivated: claimed %d, %d requests", n, len(got()))
	}
}

func TestWebhookRefusesPrivateAddressesUnlessAllowed(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustDir("Strict", "owner@strict.example")
	srv, got := webhookReceiver(t, 0)
	for _, url := range []string{srv.URL, "https://10.0.0.1/hook", "https://127.0.0.1/hook", "https://[::1]/hook", "https://169.254.169.254/latest/meta-data"} {
		res := o.c.send("POST", o.admin("/webhooks"), matrixReq{json: map[string]any{"url": url, "event_types": []string{"files.file_shared"}}})
		if res.status != 400 || !strings.Contains(string(res.body), "invalid_url") {
			t.Errorf("%s: %d %s, want 400 invalid_url", url, res.status, res.body)
		}
	}
	// A name is only known to be private once resolved: the subscription is taken, and every
	// delivery to it refused at the connection.
	local := strings.Replace(strings.Replace(srv.URL, "http://", "https://", 1), "127.0.0.1", "localhost", 1)
	hook := o.c.must(201, "POST", o.admin("/webhooks"), map[string]any{"url": local, "event_types": []string{"files.file_shared"}})["id"].(string)
	publishShared(t, e, o.orgID)
	w := webhookWorker(e, &testClock{t: time.Now().UTC()})
	if n, err := w.DeliverDue(context.Background(), 10); err != nil || n != 1 {
		t.Fatalf("claimed %d, %v", n, err)
	}
	if len(got()) != 0 {
		t.Fatal("the receiver on a loopback address was reached")
	}
	d := o.c.must(200, "GET", o.admin("/webhooks/"+hook+"/deliveries"), nil)["items"].([]any)[0].(map[string]any)
	if d["status"] != "pending" || !strings.Contains(d["last_error"].(string), "private") || d["last_status"].(float64) != 0 {
		t.Fatalf("delivery %v", d)
	}
}
