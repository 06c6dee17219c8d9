// Package localtest gives integration tests the real PostgreSQL, MinIO and mailpit of the project,
// started on first use, and a fresh migrated database per test.
package localtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"canopy/infra/config"
	"canopy/infra/localenv"
	"canopy/infra/postgres"
	"canopy/migrations"
)

var (
	once     sync.Once
	services localenv.Services
	upErr    error
	root     string
)

// Root returns the project folder (the one holding go.mod).
func Root(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("localtest: go.mod not found above the test")
		}
		dir = parent
	}
}

// MustServices starts the project's PostgreSQL, MinIO and mailpit if they are not running and returns how
// to reach them.
func MustServices(tb testing.TB) localenv.Services {
	tb.Helper()
	once.Do(func() {
		root = Root(tb)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		// The same settings as `canopy local up` and `make run`: configs/canopy.yaml and CANOPY_*.
		cfg, err := config.Load(filepath.Join(root, "configs", "canopy.yaml"), os.Environ())
		if err != nil {
			upErr = err
			return
		}
		services, upErr = localenv.Up(ctx, localenv.Options{Root: root, DataDir: cfg.Local.DataDir, PostgresPort: cfg.Local.PostgresPort,
			MinIOPort: cfg.Local.MinIOPort, MailpitSMTPPort: cfg.Local.MailpitSMTPPort, MailpitHTTPPort: cfg.Local.MailpitHTTPPort, Log: func(f string, a ...any) { fmt.Fprintf(os.Stderr, "localtest: "+f+"\n", a...) }})
	})
	if upErr != nil {
		tb.Fatalf("localtest: starting PostgreSQL, MinIO and mailpit: %v", upErr)
	}
	return services
}

// MustDatabase returns the URL of a new database, migrated to the current schema, that is dropped
// when the test ends. It is cloned from a template made once per set of migrations, so it costs
// milliseconds.
func MustDatabase(tb testing.TB) string {
	tb.Helper()
	s := MustServices(tb)
	ctx := context.Background()
	tmpl := mustTemplate(tb, s)
	name := "test_" + strings.ReplaceAll(uuid.NewString(), "-", "")
	admin, err := pgx.Connect(ctx, s.PostgresAdminURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, tmpl)); err != nil {
		tb.Fatalf("localtest: create database: %v", err)
	}
	tb.Cleanup(func() { dropDatabase(s, name) })
	return dbURL(s, name)
}

func dbURL(s localenv.Services, name string) string {
	return strings.Replace(s.PostgresAdminURL, "/postgres?", "/"+name+"?", 1)
}

// mustTemplate makes the template database for the current migrations once; a PostgreSQL
// advisory lock keeps parallel test processes from building it twice.
func mustTemplate(tb testing.TB, s localenv.Services) string {
	tb.Helper()
	h := sha256.New()
	_ = fs.WalkDir(migrations.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(migrations.FS, p)
			h.Write([]byte(p))
			h.Write(b)
		}
		return nil
	})
	name := "tmpl_" + hex.EncodeToString(h.Sum(nil))[:16]
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, s.PostgresAdminURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(4242)`); err != nil {
		tb.Fatal(err)
	}
	defer admin.Exec(ctx, `SELECT pg_advisory_unlock(4242)`) //nolint:errcheck
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		tb.Fatal(err)
	}
	if exists {
		return name
	}
	building := name + "_building"
	if _, err := admin.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, building)); err != nil {
		tb.Fatal(err)
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s`, building)); err != nil {
		tb.Fatal(err)
	}
	db, err := postgres.Open(dbURL(s, building), postgres.Options{MaxOpenConns: 2})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := postgres.Migrate(ctx, db); err != nil {
		tb.Fatalf("localtest: migrate template: %v", err)
	}
	_ = postgres.SQL(db).Close()
	if _, err := admin.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, name)); err != nil {
		tb.Fatal(err)
	}
	return name
}

// MustEmptyDatabase returns the URL of a new database with no schema, dropped when the test ends.
func MustEmptyDatabase(tb testing.TB) string {
	tb.Helper()
	s := MustServices(tb)
	ctx := context.Background()
	name := "test_" + strings.ReplaceAll(uuid.NewString(), "-", "")
	admin, err := pgx.Connect(ctx, s.PostgresAdminURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { dropDatabase(s, name) })
	return dbURL(s, name)
}

func dropDatabase(s localenv.Services, name string) {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, s.PostgresAdminURL)
	if err != nil {
		return
	}
	defer c.Close(ctx)
	_, _ = c.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name))
}

// MustBucketName returns a bucket name no other test uses.
func MustBucketName(tb testing.TB) string {
	tb.Helper()
	return "test-" + strings.ReplaceAll(uuid.NewString(), "-", "")[:20]
}
