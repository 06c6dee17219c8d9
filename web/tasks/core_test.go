package tasks

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"canopy/domain/errs"
	"canopy/web/server"
)

func request(body, key string, keys int) echo.Context {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	for range keys {
		req.Header.Add("Idempotency-Key", key)
	}
	return echo.New().NewContext(req, httptest.NewRecorder())
}

// TestBindIdempotent: the key comes with the SHA-256 of the raw body as sent (so a body that
// decodes the same but differs in its bytes is another request), and the body is still decoded
// strictly.
func TestBindIdempotent(t *testing.T) {
	body := `{"title":"Laptop"}`
	var dst struct {
		Title string `json:"title"`
	}
	k, err := bindIdempotent(request(body, "k1", 1), &dst)
	sum := sha256.Sum256([]byte(body))
	if err != nil || k == nil || k.Key != "k1" || !bytes.Equal(k.Hash, sum[:]) || dst.Title != "Laptop" {
		t.Fatalf("%v %v %v", k, err, dst)
	}
	k2, _ := bindIdempotent(request(`{"title": "Laptop"}`, "k1", 1), &dst)
	if bytes.Equal(k.Hash, k2.Hash) {
		t.Fatal("two different bodies hash alike")
	}
	if k, err := bindIdempotent(request(body, "", 0), &dst); k != nil || err != nil {
		t.Fatalf("without a key: %v %v", k, err)
	}
	for name, c := range map[string]echo.Context{"twice": request(body, "k", 2), "not ASCII": request(body, "ключ", 1), "empty": request(body, "", 1)} {
		if _, err := bindIdempotent(c, &dst); errs.CodeOf(err) != "invalid_idempotency_key" {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := bindIdempotent(request(`{"title":"x","extra":1}`, "k", 1), &dst); errs.CodeOf(err) != "unknown_field" {
		t.Fatalf("an unknown field: %v", err)
	}
}

func TestOptionalFields(t *testing.T) {
	raw := func(s string) *json.RawMessage { m := json.RawMessage(s); return &m }
	for _, tc := range []struct {
		in       *json.RawMessage
		set      bool
		value    string
		hasError bool
	}{{nil, false, "", false}, {raw(`null`), true, "", false}, {raw(`""`), true, "", false}, {raw(`"x"`), true, "x", false}, {raw(`1`), false, "", true}} {
		set, v, err := optionalString("f", tc.in)
		if set != tc.set || v != tc.value || (err != nil) != tc.hasError {
			t.Errorf("%v: %v %q %v", tc.in, set, v, err)
		}
	}
	if _, err := parseTime("due_at", "tomorrow"); errs.CodeOf(err) != "invalid_date" {
		t.Fatalf("a bad date: %v", err)
	}
	if got, err := parseTime("due_at", "2026-03-01T09:00:00+08:00"); err != nil || got.Hour() != 1 || got.Location().String() != "UTC" {
		t.Fatalf("a date with an offset: %v %v", got, err)
	}
	if _, err := server.BodyIDs("assignee_ids", []string{"nope"}); errs.CodeOf(err) != "invalid_field" {
		t.Fatalf("a bad id: %v", err)
	}
}
