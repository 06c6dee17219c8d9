// Package config loads Canopy's settings into one typed struct: the defaults, then a YAML file,
// then CANOPY_* environment variables, validated before anything starts.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/structs"
	"github.com/knadh/koanf/v2"
)

// Config is every setting of Canopy. configs/canopy.yaml lists them all with their defaults.
type Config struct {
	Server       Server       `koanf:"server"`
	Database     Database     `koanf:"database"`
	ObjectStore  ObjectStore  `koanf:"objectstore"`
	Local        Local        `koanf:"local"`
	Auth         Auth         `koanf:"auth"`
	Installation Installation `koanf:"installation"`
	Log          Log          `koanf:"log"`
	Metrics      Metrics      `koanf:"metrics"`
	Files        Files        `koanf:"files"`
	SMTP         SMTP         `koanf:"smtp"`
	Webhooks     Webhooks     `koanf:"webhooks"`
	Events       Events       `koanf:"events"`

	Notifications Notifications `koanf:"notifications"`
	Tasks         Tasks         `koanf:"tasks"`
	Messaging     Messaging     `koanf:"messaging"`
	Limits        Limits        `koanf:"limits"`
}

// Limits holds the API rate limits, counted in PostgreSQL so that every replica shares them.
// A session's requests count against its user; an API token's (SCIM tokens included) against
// the token and against its owner.
type Limits struct {
	// APIPerUser is how many authenticated API requests one user may make within Window.
	APIPerUser int `koanf:"api_per_user" validate:"min=1"`
	// APIPerToken is how many requests one API token may make within Window.
	APIPerToken int `koanf:"api_per_token" validate:"min=1"`
	// Window is the length of the fixed windows the requests are counted in.
	Window time.Duration `koanf:"window" validate:"min=1000000000,max=86400000000000"`
}

// Messaging holds the messaging module's settings.
type Messaging struct {
	// RecallWindow is how long after sending a message its sender may recall it.
	RecallWindow time.Duration `koanf:"recall_window" validate:"min=1000000000,max=86400000000000"`
	// MentionAllMax is the chat size from which only a chat's owner and admins may mention
	// everyone (@all); an organisation may set its own.
	MentionAllMax int `koanf:"mention_all_max" validate:"min=2,max=1000"`
	// SweepInterval is how often each replica purges messages past their organisation's
	// retention.
	SweepInterval time.Duration `koanf:"sweep_interval" validate:"min=1000000000"`
}

// Tasks holds the tasks module's settings.
type Tasks struct {
	// ReminderInterval is how often each replica looks for task reminders and overdue notices
	// that came due; they are claimed with SKIP LOCKED, so each goes once however many look.
	ReminderInterval time.Duration `koanf:"reminder_interval" validate:"min=1000000000,max=3600000000000"`
}

// Notifications holds the settings of notifications by email.
type Notifications struct {
	// DigestDelay is how old an unread notification must be before it is mailed (a burst of
	// events within it makes one email); 0 mails at the next pass, each minute.
	DigestDelay time.Duration `koanf:"digest_delay" validate:"min=0,max=86400000000000"`
}

// Events holds the events backbone's settings.
type Events struct {
	// Retention is how long dispatched events and users' stream entries are kept; a client
	// resuming from further back is told to reload.
	Retention time.Duration `koanf:"retention" validate:"min=3600000000000"`
	// MaxConnectionsPerUser bounds one user's open WebSockets on a replica.
	MaxConnectionsPerUser int `koanf:"max_connections_per_user" validate:"min=1,max=1000"`
	// QueueSize is how many messages a connection may fall behind before it is disconnected.
	QueueSize int `koanf:"queue_size" validate:"min=16,max=100000"`
	// MaxConnections bounds the WebSockets open on one replica; past it an upgrade is refused
	// with 503 and Retry-After, so that the client retries, on another replica.
	MaxConnections int `koanf:"max_connections" validate:"min=1"`
}

// Webhooks holds the settings of webhook deliveries.
type Webhooks struct {
	// AllowPrivateAddresses lets webhooks reach private, loopback and link-local addresses, and
	// plain http URLs: for development only, as it lets an organisation's admin make the server
	// call what sits behind its firewall (SSRF).
	AllowPrivateAddresses bool `koanf:"allow_private_addresses"`
	// Timeout bounds one delivery attempt, from dialling to the answer.
	Timeout time.Duration `koanf:"timeout" validate:"min=1000000000,max=60000000000"`
	// RetryFor is how long a failing delivery is retried (with growing, jittered pauses) before
	// it is marked failed.
	RetryFor time.Duration `koanf:"retry_for" validate:"min=60000000000"`
	// PauseAfterFailures is how many failed attempts in a row pause a subscription.
	PauseAfterFailures int `koanf:"pause_after_failures" validate:"min=1,max=10000"`
}

// SMTP holds the mail server Canopy sends email through (password resets, activation links,
// notices, notification digests). An empty host uses the project-local mailpit when the
// project-local services are used (database.url empty), and otherwise sends no email: messages
// wait in the outbox until a host is set.
type SMTP struct {
	Host     string `koanf:"host" validate:"omitempty,hostname_rfc1123|ip"`
	Port     int    `koanf:"port" validate:"min=1,max=65535"`
	Username string `koanf:"username"`
	Password string `koanf:"password" secret:"true"`
	// From is the sender address, optionally with a name: "Canopy <canopy@example.com>".
	From string `koanf:"from" validate:"required"`
	// TLS is none (plain, for a local relay), starttls (upgrade on the submission port 587) or
	// tls (implicit TLS on port 465). starttls and tls verify the server's certificate.
	TLS string `koanf:"tls" validate:"oneof=none starttls tls"`
	// MaxAttempts is how often a message is tried before it is dead-lettered (status failed).
	MaxAttempts int `koanf:"max_attempts" validate:"min=1,max=100"`
	// PollInterval is how often the outbox worker looks for mail to send.
	PollInterval time.Duration `koanf:"poll_interval" validate:"min=100000000"`
}

// Files holds the files module's settings.
type Files struct {
	// MaxUploadBytes is the largest file accepted, by any upload path.
	MaxUploadBytes int64 `koanf:"max_upload_bytes" validate:"min=1024"`
	// TransferTimeout bounds one upload or download request, in place of the server's read and
	// write timeouts, which are far too short for a large file.
	TransferTimeout time.Duration `koanf:"transfer_timeout" validate:"min=1000000000"`
	// SweepInterval is how often the sweeper runs (purges, orphans, locks, stale uploads).
	SweepInterval time.Duration `koanf:"sweep_interval" validate:"min=1000000000"`
	// OrphanGrace is how long an object written without its row is left before the sweeper
	// removes it: longer than any upload's commit takes.
	OrphanGrace time.Duration `koanf:"orphan_grace" validate:"min=0"`
}

// Server holds the HTTP server settings.
type Server struct {
	Address string `koanf:"address" validate:"required,hostname_port"`
	// PublicURL is where people reach Canopy; when it is https, session cookies are Secure.
	PublicURL       string        `koanf:"public_url" validate:"required,url"`
	BodyLimitBytes  int64         `koanf:"body_limit_bytes" validate:"min=1024,max=1073741824"`
	ReadTimeout     time.Duration `koanf:"read_timeout" validate:"min=1000000000"`
	WriteTimeout    time.Duration `koanf:"write_timeout" validate:"min=1000000000"`
	ShutdownTimeout time.Duration `koanf:"shutdown_timeout" validate:"min=0"`
	TrustedProxies  []string      `koanf:"trusted_proxies" validate:"dive,cidr"`
	// RequestTimeout bounds an API request: past it the request's database calls are cancelled
	// and it answers 503 timeout. Uploads and downloads run for files.transfer_timeout instead;
	// WebSockets have none.
	RequestTimeout time.Duration `koanf:"request_timeout" validate:"min=1000000"`
	// DrainDelay is how long a replica told to stop answers /readyz with 503 before it stops
	// listening, so that the load balancer's health checks take it out first. It counts
	// towards ShutdownTimeout.
	DrainDelay time.Duration `koanf:"drain_delay" validate:"min=0"`

	// ImportLimitBytes is the body limit of bulk imports, the one route allowed past
	// BodyLimitBytes.
	ImportLimitBytes int64 `koanf:"import_limit_bytes" validate:"min=1024,max=1073741824"`
}

// HTTPS reports whether people reach Canopy over https, by its public URL: its session cookies
// are then Secure. Behind a TLS-terminating proxy the public URL is the proxy's, so it says
// https even though Canopy itself listens in plain HTTP.
func (s Server) HTTPS() bool {
	u, err := url.Parse(s.PublicURL)
	return err == nil && strings.EqualFold(u.Scheme, "https")
}

// Database holds the PostgreSQL settings.
type Database struct {
	// URL is empty to use the project-local cluster under local.data_dir. It may hold the
	// database password, so it is secret: no error ever prints it.
	URL          string `koanf:"url" validate:"omitempty,url" secret:"true"`
	MaxOpenConns int    `koanf:"max_open_conns" validate:"min=1,max=1000"`
	MaxIdleConns int    `koanf:"max_idle_conns" validate:"min=0,max=1000"`
	// PoolWaitTimeout is how long a request waits for a connection when all max_open_conns are
	// in use, before it answers 503 database_busy.
	PoolWaitTimeout time.Duration `koanf:"pool_wait_timeout" validate:"min=1000000"`
}

// ObjectStore holds the S3-compatible store settings.
type ObjectStore struct {
	// Endpoint is empty to use the project-local MinIO under local.data_dir.
	Endpoint   string `koanf:"endpoint" validate:"omitempty,hostname_port"`
	AccessKey  string `koanf:"access_key" validate:"required_with=Endpoint" secret:"true"`
	SecretKey  string `koanf:"secret_key" validate:"required_with=Endpoint" secret:"true"`
	UseTLS     bool   `koanf:"use_tls"`
	Region     string `koanf:"region" validate:"required"`
	FileBucket string `koanf:"file_bucket" validate:"required,min=3,max=63"`
}

// Local holds the project-local services used when database.url or objectstore.endpoint is empty.
type Local struct {
	DataDir      string `koanf:"data_dir" validate:"required"`
	PostgresPort int    `koanf:"postgres_port" validate:"min=1024,max=65535"`
	MinIOPort    int    `koanf:"minio_port" validate:"min=1024,max=65534"`
	// MailpitSMTPPort and MailpitHTTPPort are the local mailpit's SMTP port and its web UI and
	// API (where the demo's mail is read).
	MailpitSMTPPort int `koanf:"mailpit_smtp_port" validate:"min=1024,max=65535"`
	MailpitHTTPPort int `koanf:"mailpit_http_port" validate:"min=1024,max=65535"`
}

// Auth holds the session and sign-in settings.
type Auth struct {
	SessionTTL         time.Duration `koanf:"session_ttl" validate:"min=60000000000"`
	SessionIdleTimeout time.Duration `koanf:"session_idle_timeout" validate:"min=60000000000"`
	// LoginAddressLimit failed sign-ins per client address and LoginAccountAddressLimit per
	// account from one address (which also bounds a user's wrong current passwords when they
	// change it) are allowed within LoginWindow.
	LoginAddressLimit        int           `koanf:"login_address_limit" validate:"min=1"`
	LoginAccountAddressLimit int           `koanf:"login_account_address_limit" validate:"min=1"`
	LoginWindow              time.Duration `koanf:"login_window" validate:"min=1000000000"`
	// ActivationTTL is how long an activation link works (at most 30 days).
	ActivationTTL time.Duration `koanf:"activation_ttl" validate:"min=1000000000,max=2592000000000000"`
	// PasswordResetAddressLimit requests from one client address and PasswordResetEmailLimit
	// for one email address are allowed within LoginWindow.
	PasswordResetAddressLimit int `koanf:"password_reset_address_limit" validate:"min=1"`
	PasswordResetEmailLimit   int `koanf:"password_reset_email_limit" validate:"min=1"`
}

// Installation holds the settings of the installation as a whole.
type Installation struct {
	// AllowOrgCreation lets anyone signed in create organisations; when false, only installation
	// admins may.
	AllowOrgCreation bool `koanf:"allow_org_creation"`
}

// Metrics holds where Prometheus metrics are served.
type Metrics struct {
	// Address is a listener of their own, loopback by default; empty serves none.
	Address string `koanf:"address" validate:"omitempty,hostname_port"`
	// Token, when set, also serves them on the main listener to a request with
	// "Authorization: Bearer <token>"; without one they are never on the main listener.
	Token string `koanf:"token" validate:"omitempty,min=32" secret:"true"`
	// Pprof serves Go's runtime profiles at /debug/pprof/ on the metrics listener.
	Pprof bool `koanf:"pprof"`
}

// Log holds the logging settings.
type Log struct {
	Level string `koanf:"level" validate:"oneof=debug info warn error"`
}

// Default returns the defaults; configs/canopy.yaml repeats them.
func Default() Config {
	return Config{
		Server: Server{
			Address: "127.0.0.1:8080", PublicURL: "http://127.0.0.1:8080", BodyLimitBytes: 1 << 20, ImportLimitBytes: 64 << 20,
			ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, ShutdownTimeout: 15 * time.Second,
			RequestTimeout: 30 * time.Second,
			TrustedProxies: []string{}, DrainDelay: 2 * time.Second,
		},
		Database:    Database{MaxOpenConns: 30, MaxIdleConns: 10, PoolWaitTimeout: 5 * time.Second},
		ObjectStore: ObjectStore{Region: "us-east-1", FileBucket: "canopy-files"},
		Local:       Local{DataDir: ".data", PostgresPort: 54329, MinIOPort: 9129, MailpitSMTPPort: 10025, MailpitHTTPPort: 10026},
		Auth: Auth{
			SessionTTL: 7 * 24 * time.Hour, SessionIdleTimeout: 24 * time.Hour,
			LoginAddressLimit: 100, LoginAccountAddressLimit: 10, LoginWindow: 15 * time.Minute,
			ActivationTTL: 72 * time.Hour, PasswordResetAddressLimit: 20, PasswordResetEmailLimit: 3,
		},
		Log:     Log{Level: "info"},
		Metrics: Metrics{Address: "127.0.0.1:9464"},
		Events:  Events{Retention: 30 * 24 * time.Hour, MaxConnectionsPerUser: 10, QueueSize: 256, MaxConnections: 10000},
		Files:   Files{MaxUploadBytes: 5 << 30, TransferTimeout: time.Hour, SweepInterval: 5 * time.Minute, OrphanGrace: time.Hour},
		SMTP:    SMTP{Port: 587, From: "Canopy <canopy@localhost>", TLS: "starttls", MaxAttempts: 8, PollInterval: 5 * time.Second},

		Webhooks: Webhooks{Timeout: 10 * time.Second, RetryFor: 24 * time.Hour, PauseAfterFailures: 20},

		Notifications: Notifications{DigestDelay: 2 * time.Minute},
		Tasks:         Tasks{ReminderInterval: 5 * time.Second},
		Messaging:     Messaging{RecallWindow: 2 * time.Minute, MentionAllMax: 50, SweepInterval: time.Hour},
		Limits:        Limits{APIPerUser: 1200, APIPerToken: 600, Window: time.Minute},
	}
}

// Load reads the defaults, then path (when not empty; a missing file is an error), then the
// environment (CANOPY_SERVER_ADDRESS sets server.address), and validates the result. The error
// names the setting that is wrong.
func Load(path string, environ []string) (Config, error) {
	k := koanf.New(".")
	if err := k.Load(structs.Provider(Default(), "koanf"), nil); err != nil {
		return Config{}, err
	}
	if path != "" {
		if err := k.Load(file.Provider(path), yaml.Parser()); err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", path, err)
		}
	}
	// A variable name cannot tell "server.public_url" from "server.public.url", so each variable
	// is matched against the known keys.
	known := map[string]string{}
	for _, key := range k.Keys() {
		known["CANOPY_"+strings.ToUpper(strings.ReplaceAll(key, ".", "_"))] = key
	}
	for _, section := range []string{"server.trusted_proxies"} {
		known["CANOPY_"+strings.ToUpper(strings.ReplaceAll(section, ".", "_"))] = section
	}
	envMap := map[string]any{}
	for _, kv := range environ {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, "CANOPY_") || name == "CANOPY_CONFIG" {
			continue
		}
		key, ok := known[name]
		if !ok {
			return Config{}, fmt.Errorf("config: unknown setting %s (see configs/canopy.yaml)", name)
		}
		if key == "server.trusted_proxies" {
			envMap[key] = splitList(val)
			continue
		}
		envMap[key] = val
	}
	if err := k.Load(confmap.Provider(envMap, "."), nil); err != nil {
		return Config{}, err
	}
	var cfg Config
	if err := k.UnmarshalWithConf("", &cfg, koanf.UnmarshalConf{Tag: "koanf"}); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return cfg, Validate(cfg)
}

func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Validate checks every setting and names the first bad one, e.g. "config: server.address: ...".
// The error shows the bad value, except for settings tagged secret:"true", whose value (a
// password, a key, a token) would otherwise reach the start-up log.
func Validate(cfg Config) error {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string { return f.Tag.Get("koanf") })
	err := v.Struct(cfg)
	var verrs validator.ValidationErrors
	if errors.As(err, &verrs) && len(verrs) > 0 {
		fe := verrs[0]
		name := strings.TrimPrefix(fe.Namespace(), "Config.")
		if secretSetting(fe.StructNamespace()) {
			return fmt.Errorf("config: %s: invalid value (a secret, not shown) (must satisfy %s%s)", name, fe.Tag(), paramSuffix(fe.Param()))
		}
		return fmt.Errorf("config: %s: invalid value %v (must satisfy %s%s)", name, fe.Value(), fe.Tag(), paramSuffix(fe.Param()))
	}
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if cfg.Metrics.Address != "" && cfg.Metrics.Address == cfg.Server.Address {
		return fmt.Errorf("config: metrics.address: must differ from server.address (set metrics.token to serve metrics there)")
	}
	if cfg.Database.MaxIdleConns > cfg.Database.MaxOpenConns {
		return fmt.Errorf("config: database.max_idle_conns: must not exceed database.max_open_conns")
	}
	return nil
}

// secretSetting reports whether the setting at a validator's struct namespace
// ("Config.Metrics.Token") is tagged secret:"true", or lies inside one that is. A namespace it
// cannot follow counts as secret: showing nothing is the safe mistake.
func secretSetting(namespace string) bool {
	t := reflect.TypeOf(Config{})
	parts := strings.Split(namespace, ".")
	for _, p := range parts[1:] {
		if i := strings.IndexByte(p, '['); i >= 0 {
			p = p[:i] // an element of a list or map: the field is what is tagged
		}
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return true
		}
		f, ok := t.FieldByName(p)
		if !ok {
			return true
		}
		if f.Tag.Get("secret") == "true" {
			return true
		}
		t = f.Type
	}
	return false
}

func paramSuffix(p string) string {
	if p == "" {
		return ""
	}
	return "=" + p
}

// DefaultPath returns the config file to read: CANOPY_CONFIG, else configs/canopy.yaml when it
// exists in the working directory, else none.
func DefaultPath() string {
	if p := os.Getenv("CANOPY_CONFIG"); p != "" {
		return p
	}
	if _, err := os.Stat("configs/canopy.yaml"); err == nil {
		return "configs/canopy.yaml"
	}
	return ""
}
