package web_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"canopy/web"
)

// TestEveryRouteIsInOpenAPI fails when a registered /api/v1 route is missing from the OpenAPI
// document, or the document describes a route that does not exist.
func TestEveryRouteIsInOpenAPI(t *testing.T) {
	raw, err := web.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi version %q, want 3.1", doc.OpenAPI)
	}
	param := regexp.MustCompile(`\{([^}]+)\}`)
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented[strings.ToUpper(method)+" "+param.ReplaceAllString(path, ":$1")] = true
		}
	}
	srv := web.New(web.Deps{Config: web.Config{BodyLimitBytes: 1 << 20}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	registered := map[string]bool{}
	for _, r := range srv.Routes() {
		key := r.Method + " " + r.Path
		registered[key] = true
		if !documented[key] {
			t.Errorf("route %s is not in web/api/openapi.yaml", key)
		}
	}
	for key := range documented {
		if !registered[key] {
			t.Errorf("openapi.yaml documents %s, which is not registered", key)
		}
	}
	if len(registered) < 20 {
		t.Fatalf("only %d routes registered", len(registered))
	}
}

// TestEveryRouteDeclaresAccess checks that each API route says who may call it.
func TestEveryRouteDeclaresAccess(t *testing.T) {
	srv := web.New(web.Deps{Config: web.Config{BodyLimitBytes: 1 << 20}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for _, r := range srv.Routes() {
		switch r.Access.Level {
		case web.LevelPublic, web.LevelOptional, web.LevelAuthenticated, web.LevelMember:
		default:
			t.Errorf("%s %s has no access declaration", r.Method, r.Path)
		}
		if strings.Contains(r.Path, ":orgID") != (r.Access.Level == web.LevelMember) {
			t.Errorf("%s %s: organisation routes, and only they, must be member routes", r.Method, r.Path)
		}
		if r.Access.Level == web.LevelMember && r.Access.Permission == "" && !r.Access.SelfService {
			t.Errorf("%s %s declares no permission", r.Method, r.Path)
		}
	}
}
