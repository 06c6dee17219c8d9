package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"canopy/infra/config"
)

func TestShippedFileMatchesDefaults(t *testing.T) {
	cfg, err := config.Load(filepath.Join("..", "..", "configs", "canopy.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	def := config.Default()
	if cfg.Server.Address != def.Server.Address || cfg.Auth.SessionTTL != def.Auth.SessionTTL ||
		cfg.ObjectStore.FileBucket != def.ObjectStore.FileBucket || cfg.Local.PostgresPort != def.Local.PostgresPort ||
		cfg.Server.ImportLimitBytes != def.Server.ImportLimitBytes || def.Server.ImportLimitBytes != 64<<20 ||
		cfg.Metrics != def.Metrics || cfg.Auth.LoginAddressLimit != def.Auth.LoginAddressLimit ||
		cfg.Auth.LoginAccountAddressLimit != def.Auth.LoginAccountAddressLimit {
		t.Fatalf("configs/canopy.yaml drifted from the defaults:\n%+v\n%+v", cfg, def)
	}
}

func TestEnvironmentOverrides(t *testing.T) {
	cfg, err := config.Load("", []string{
		"CANOPY_SERVER_PUBLIC_URL=https://canopy.example.com",
		"CANOPY_AUTH_LOGIN_WINDOW=5m",
		"CANOPY_DATABASE_URL=postgres://u:p@db:5432/canopy",
		"CANOPY_SERVER_TRUSTED_PROXIES=10.0.0.0/8, 192.168.0.0/16",
		"CANOPY_SERVER_IMPORT_LIMIT_BYTES=134217728",
		"HOME=/root",
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.PublicURL != "https://canopy.example.com" || cfg.Auth.LoginWindow != 5*time.Minute ||
		cfg.Database.URL != "postgres://u:p@db:5432/canopy" || len(cfg.Server.TrustedProxies) != 2 || cfg.Server.ImportLimitBytes != 128<<20 {
		t.Fatalf("overrides not applied: %+v", cfg)
	}
}

func TestBadSettingIsNamed(t *testing.T) {
	cases := map[string]string{
		"CANOPY_SERVER_ADDRESS=not an address":      "server.address",
		"CANOPY_AUTH_LOGIN_ACCOUNT_ADDRESS_LIMIT=0": "auth.login_account_address_limit",
		"CANOPY_AUTH_LOGIN_ACCOUNT_LIMIT=10":        "CANOPY_AUTH_LOGIN_ACCOUNT_LIMIT",
		"CANOPY_METRICS_TOKEN=short":                "metrics.token",
		"CANOPY_METRICS_ADDRESS=127.0.0.1:8080":     "metrics.address",
		"CANOPY_LOG_LEVEL=loud":                     "log.level",
		"CANOPY_SERVR_ADDRESS=x":                    "CANOPY_SERVR_ADDRESS",
		"CANOPY_AUTH_SESSION_TTL=forever":           "session_ttl",
		"CANOPY_SERVER_IMPORT_LIMIT_BYTES=10":       "server.import_limit_bytes",
		"CANOPY_LIMITS_API_PER_USER=0":              "limits.api_per_user",
		"CANOPY_LIMITS_API_PER_TOKEN=-1":            "limits.api_per_token",
		"CANOPY_LIMITS_WINDOW=0s":                   "limits.window",
		"CANOPY_SERVER_REQUEST_TIMEOUT=0s":          "server.request_timeout",
		"CANOPY_DATABASE_POOL_WAIT_TIMEOUT=0s":      "database.pool_wait_timeout",
		"CANOPY_EVENTS_MAX_CONNECTIONS=0":           "events.max_connections",
	}
	for env, name := range cases {
		_, err := config.Load("", []string{env})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v does not name %s", env, err, name)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	_ = os.WriteFile(bad, []byte("server:\n  body_limit_bytes: 10\n"), 0o644)
	if _, err := config.Load(bad, nil); err == nil || !strings.Contains(err.Error(), "server.body_limit_bytes") {
		t.Errorf("file: %v", err)
	}
}

// TestSecretSettingsAreNeverPrinted: a bad value of a secret setting is named but never shown,
// since the error goes to the start-up log; other bad values are shown to help fix them.
func TestSecretSettingsAreNeverPrinted(t *testing.T) {
	cases := map[string]struct{ name, secret string }{
		"CANOPY_METRICS_TOKEN=Sh0rt-But-Secret":                         {"metrics.token", "Sh0rt-But-Secret"},
		"CANOPY_DATABASE_URL=postgres://canopy:Db-Pa55word@db:5432/%zz": {"database.url", "Db-Pa55word"},
		"CANOPY_DATABASE_URL=postgres://canopy:Db-Pa55word@db:54x2/c":   {"database.url", "Db-Pa55word"},
	}
	for env, want := range cases {
		_, err := config.Load("", []string{env})
		if err == nil || !strings.Contains(err.Error(), want.name) {
			t.Errorf("%s: error %v does not name %s", env, err, want.name)
			continue
		}
		if strings.Contains(err.Error(), want.secret) {
			t.Errorf("%s: the error shows the secret: %v", env, err)
		}
	}
	cfg := config.Default()
	cfg.ObjectStore.Endpoint = "s3.example.com:443"
	cfg.ObjectStore.AccessKey = "AKIA-Access-Key"
	if err := config.Validate(cfg); err == nil || !strings.Contains(err.Error(), "objectstore.secret_key") {
		t.Errorf("a missing secret key: %v", err)
	}
	// A setting that is no secret still shows its bad value.
	if _, err := config.Load("", []string{"CANOPY_LOG_LEVEL=loud"}); err == nil || !strings.Contains(err.Error(), "loud") {
		t.Errorf("log.level: %v", err)
	}
}
