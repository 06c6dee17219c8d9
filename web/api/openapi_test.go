package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"canopy/web/access"
	"canopy/web/announcements"
	"canopy/web/api"
	"canopy/web/directory"
	"canopy/web/events"
	"canopy/web/files"
	"canopy/web/identity"
	"canopy/web/importer"
	"canopy/web/messaging"
	"canopy/web/moderation"
	"canopy/web/notifications"
	"canopy/web/org"
	"canopy/web/scim"
	"canopy/web/server"
	"canopy/web/setup"
	"canopy/web/tasks"
	"canopy/web/webhooks"
)

// newServer registers every module's routes, as cmd/canopy does, on services that are never
// called.
func newServer() *server.Server {
	srv := server.New(server.Deps{Config: server.Config{BodyLimitBytes: 1 << 20}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	sessions := srv.Sessions()
	for _, m := range []interface{ Register(*server.Router) }{
		identity.New(nil, nil, sessions), org.New(nil, sessions, ""), directory.New(nil), access.New(nil), importer.New(nil, 0), scim.New(nil, nil, ""),
		files.New(nil, "", 0),
		tasks.New(nil),
		messaging.New(nil),
		announcements.New(nil),
		moderation.New(nil),
		notifications.New(nil),
		webhooks.New(nil),
		events.New(nil, nil, nil),
		setup.New(nil),
		org.NewPeopleExports(nil),
	} {
		m.Register(srv.Router())
	}
	return srv
}

// apiRoutes are the /api/v1 routes, which the OpenAPI document describes; SCIM's are described
// by its own discovery endpoints.
func apiRoutes(srv *server.Server) []server.Route {
	var out []server.Route
	for _, r := range srv.Routes() {
		if strings.HasPrefix(r.Path, "/api/v1/") {
			out = append(out, r)
		}
	}
	return out
}

// TestEveryRouteIsInOpenAPI fails when a registered /api/v1 route is missing from the OpenAPI
// document, or the document describes a route that does not exist.
func TestEveryRouteIsInOpenAPI(t *testing.T) {
	raw, err := api.JSON()
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
	registered := map[string]bool{}
	for _, r := range apiRoutes(newServer()) {
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
	for _, r := range apiRoutes(newServer()) {
		switch r.Access.Level {
		case server.LevelPublic, server.LevelOptional, server.LevelAuthenticated, server.LevelMember, server.LevelInstallation:
		default:
			t.Errorf("%s %s has no access declaration", r.Method, r.Path)
		}
		// The installation admins' routes name organisations without being their members.
		installation := strings.HasPrefix(r.Path, "/api/v1/installation/")
		if installation != (r.Access.Level == server.LevelInstallation) {
			t.Errorf("%s %s: the routes under /api/v1/installation, and only they, must be installation routes", r.Method, r.Path)
		}
		if !installation && strings.Contains(r.Path, ":orgID") != (r.Access.Level == server.LevelMember) {
			t.Errorf("%s %s: organisation routes, and only they, must be member routes", r.Method, r.Path)
		}
		if r.Access.Level == server.LevelMember && r.Access.Permission == "" && !r.Access.SelfService {
			t.Errorf("%s %s declares no permission", r.Method, r.Path)
		}
	}
}
