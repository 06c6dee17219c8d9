// Package localenv runs the PostgreSQL cluster, the MinIO server and the mailpit SMTP server
// that a developer machine, the test suite and `make run` use, under the project's .data folder and on loopback only. Every
// function is idempotent: what already runs is left alone. Production never uses it; it points
// database.url and objectstore.endpoint at real services instead.
package localenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// MinIOVersion is the MinIO server module built into .bin.
const MinIOVersion = "github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c"

// Options say where the services live.
type Options struct {
	// Root is the project folder holding .data and .bin.
	Root string
	// DataDir holds the services' data; relative paths are under Root.
	DataDir      string
	PostgresPort int
	MinIOPort    int
	// MailpitSMTPPort and MailpitHTTPPort are where mailpit takes mail and shows it (web UI and
	// API).
	MailpitSMTPPort int
	MailpitHTTPPort int
	// Log receives progress lines; nil discards them.
	Log func(format string, args ...any)
}

// Services tells how to reach the running services.
type Services struct {
	// PostgresAdminURL points at the maintenance database, for creating databases.
	PostgresAdminURL string
	// DatabaseURL points at the "canopy" database.
	DatabaseURL    string
	MinIOEndpoint  string
	MinIOAccessKey string
	MinIOSecretKey string
	// SMTPAddress is mailpit's SMTP host:port (no TLS, no authentication needed).
	SMTPAddress string
	// MailpitURL is mailpit's web UI and API, e.g. http://127.0.0.1:10026.
	MailpitURL string
}

func (o *Options) defaults() {
	if o.DataDir == "" {
		o.DataDir = ".data"
	}
	if !filepath.IsAbs(o.DataDir) {
		o.DataDir = filepath.Join(o.Root, o.DataDir)
	}
	if o.PostgresPort == 0 {
		o.PostgresPort = 54329
	}
	if o.MinIOPort == 0 {
		o.MinIOPort = 9129
	}
	if o.MailpitSMTPPort == 0 {
		o.MailpitSMTPPort = 10025
	}
	if o.MailpitHTTPPort == 0 {
		o.MailpitHTTPPort = 10026
	}
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
}

// Up starts PostgreSQL, MinIO and mailpit if they are not running, building or installing what is
// missing. Concurrent callers (test packages run in parallel) are serialised by a file lock.
func Up(ctx context.Context, o Options) (Services, error) {
	o.defaults()
	if err := os.MkdirAll(o.DataDir, 0o755); err != nil {
		return Services{}, err
	}
	unlock, err := lockFile(filepath.Join(o.DataDir, ".lock"))
	if err != nil {
		return Services{}, err
	}
	defer unlock()
	pg, err := upPostgres(ctx, o)
	if err != nil {
		return Services{}, fmt.Errorf("postgres: %w", err)
	}
	mc, err := upMinIO(ctx, o)
	if err != nil {
		return Services{}, fmt.Errorf("minio: %w", err)
	}
	pg.MinIOEndpoint, pg.MinIOAccessKey, pg.MinIOSecretKey = mc.MinIOEndpoint, mc.MinIOAccessKey, mc.MinIOSecretKey
	mp, err := upMailpit(ctx, o)
	if err != nil {
		return Services{}, fmt.Errorf("mailpit: %w", err)
	}
	pg.SMTPAddress, pg.MailpitURL = mp.SMTPAddress, mp.MailpitURL
	return pg, nil
}

// Read returns how to reach services that Up started earlier, without starting anything. It is
// how `canopy serve` finds the local services when the config names none.
func Read(o Options) (Services, error) {
	o.defaults()
	pw, err := os.ReadFile(filepath.Join(o.DataDir, "postgres", "password"))
	if err != nil {
		return Services{}, fmt.Errorf("no local PostgreSQL under %s (run `make services`, or set database.url): %w", o.DataDir, err)
	}
	creds, err := os.ReadFile(filepath.Join(o.DataDir, "minio", "credentials"))
	if err != nil {
		return Services{}, fmt.Errorf("no local MinIO under %s (run `make services`, or set objectstore.endpoint): %w", o.DataDir, err)
	}
	user, secret, _ := strings.Cut(strings.TrimSpace(string(creds)), ":")
	s := Services{
		PostgresAdminURL: pgURL(strings.TrimSpace(string(pw)), o.PostgresPort, "postgres"),
		DatabaseURL:      pgURL(strings.TrimSpace(string(pw)), o.PostgresPort, "canopy"),
		MinIOEndpoint:    fmt.Sprintf("127.0.0.1:%d", o.MinIOPort),
		MinIOAccessKey:   user,
		MinIOSecretKey:   secret,
		SMTPAddress:      fmt.Sprintf("127.0.0.1:%d", o.MailpitSMTPPort),
		MailpitURL:       fmt.Sprintf("http://127.0.0.1:%d", o.MailpitHTTPPort),
	}
	return s, nil
}

// Down stops the services; stopping what is not running is not an error.
func Down(o Options) error {
	return errors.Join(StopPostgres(o), StopMinIO(o), StopMailpit(o))
}

func pgURL(password string, port int, db string) string {
	return fmt.Sprintf("postgres://canopy:%s@127.0.0.1:%d/%s?sslmode=disable", password, port, db)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// listening reports whether something accepts connections on a loopback port.
func listening(port int) bool {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 300*time.Millisecond)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}

func run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return nil
}
