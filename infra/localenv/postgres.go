package localenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// postgresBin finds initdb and pg_ctl on PATH or under /usr/lib/postgresql, installing Debian's
// postgresql package when they are missing and we are root.
func postgresBin(ctx context.Context, o Options) (string, error) {
	find := func() string {
		if p, err := exec.LookPath("pg_ctl"); err == nil {
			return filepath.Dir(p)
		}
		dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
		sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
		for _, d := range dirs {
			if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
				return d
			}
		}
		return ""
	}
	if d := find(); d != "" {
		return d, nil
	}
	if os.Geteuid() != 0 {
		return "", fmt.Errorf("initdb and pg_ctl not found; install PostgreSQL (Debian: apt-get install postgresql)")
	}
	o.Log("installing PostgreSQL with apt-get")
	if err := run(ctx, "apt-get", "update"); err != nil {
		return "", err
	}
	if err := run(ctx, "apt-get", "install", "-y", "postgresql"); err != nil {
		return "", err
	}
	if d := find(); d != "" {
		return d, nil
	}
	return "", fmt.Errorf("PostgreSQL installed but pg_ctl still not found")
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// runAs returns the command to run a PostgreSQL binary: PostgreSQL refuses to run as root, so
// as root it runs as the postgres system user.
func runAs(ctx context.Context, bin string, args ...string) (*exec.Cmd, error) {
	if os.Geteuid() != 0 {
		return exec.CommandContext(ctx, bin, args...), nil
	}
	if _, err := user.Lookup("postgres"); err != nil {
		if err := run(ctx, "useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"); err != nil {
			return nil, err
		}
	}
	return exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", bin}, args...)...), nil
}

func runPG(ctx context.Context, bin string, args ...string) error {
	cmd, err := runAs(ctx, bin, args...)
	if err != nil {
		return err
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return nil
}

func chownToPostgres(path string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return filepath.Walk(path, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

func upPostgres(ctx context.Context, o Options) (Services, error) {
	dir := filepath.Join(o.DataDir, "postgres")
	data := filepath.Join(dir, "data")
	pwFile := filepath.Join(dir, "password")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Services{}, err
	}
	if _, err := os.Stat(pwFile); os.IsNotExist(err) {
		if err := os.WriteFile(pwFile, []byte(randomHex(16)+"\n"), 0o600); err != nil {
			return Services{}, err
		}
	}
	pwBytes, err := os.ReadFile(pwFile)
	if err != nil {
		return Services{}, err
	}
	pw := strings.TrimSpace(string(pwBytes))
	s := Services{PostgresAdminURL: pgURL(pw, o.PostgresPort, "postgres"), DatabaseURL: pgURL(pw, o.PostgresPort, "canopy")}

	if !listening(o.PostgresPort) {
		bin, err := postgresBin(ctx, o)
		if err != nil {
			return Services{}, err
		}
		if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); os.IsNotExist(err) {
			o.Log("creating the PostgreSQL cluster in %s", data)
			_ = os.RemoveAll(data)
			tmpPw := filepath.Join(dir, "pwfile")
			if err := os.WriteFile(tmpPw, []byte(pw+"\n"), 0o600); err != nil {
				return Services{}, err
			}
			if err := chownToPostgres(dir); err != nil {
				return Services{}, err
			}
			err := runPG(ctx, filepath.Join(bin, "initdb"), "-D", data, "-U", "canopy", "--pwfile", tmpPw,
				"--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8")
			_ = os.Remove(tmpPw)
			if err != nil {
				return Services{}, err
			}
		}
		if err := chownToPostgres(dir); err != nil {
			return Services{}, err
		}
		o.Log("starting PostgreSQL on 127.0.0.1:%d", o.PostgresPort)
		opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
			o.PostgresPort, data)
		if err := runPG(ctx, filepath.Join(bin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "postgres.log"), "-o", opts, "-w", "-t", "60", "start"); err != nil {
			return Services{}, err
		}
	}
	if err := waitPostgres(ctx, s.PostgresAdminURL); err != nil {
		return Services{}, err
	}
	return s, ensureDatabase(ctx, s.PostgresAdminURL, "canopy")
}

func waitPostgres(ctx context.Context, url string) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := pgx.Connect(ctx, url)
		if err == nil {
			return c.Close(ctx)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("PostgreSQL did not answer: %w", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ensureDatabase creates a database if it is missing.
func ensureDatabase(ctx context.Context, adminURL, name string) error {
	c, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	var exists bool
	if err := c.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = c.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize())
	return err
}

// StopPostgres stops the local cluster; stopping one that is not running is not an error.
func StopPostgres(o Options) error {
	o.defaults()
	data := filepath.Join(o.DataDir, "postgres", "data")
	if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err != nil {
		return nil
	}
	bin, err := postgresBin(context.Background(), o)
	if err != nil {
		return err
	}
	return runPG(context.Background(), filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop")
}

// ResetDatabase drops and recreates a database on the local cluster and returns its URL; the
// browser tests use it to start from nothing.
func ResetDatabase(ctx context.Context, o Options, name string) (string, error) {
	s, err := Read(o)
	if err != nil {
		return "", err
	}
	c, err := pgx.Connect(ctx, s.PostgresAdminURL)
	if err != nil {
		return "", err
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
		return "", err
	}
	if _, err := c.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	return strings.Replace(s.DatabaseURL, "/canopy?", "/"+name+"?", 1), nil
}
