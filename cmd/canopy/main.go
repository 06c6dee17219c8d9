// Command canopy is Canopy: the server, its migrations, and the shell tools for IT.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // time zones for display and due dates, even on a bare image

	"canopy/infra/config"
	"canopy/infra/localenv"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `canopy: a self-hosted collaboration suite

usage:
  canopy serve                      serve the web app, console and API
  canopy migrate                    apply pending database migrations
  canopy admin create-org --name NAME --owner-email EMAIL --owner-password-file FILE|- [--owner-name NAME]
  canopy admin create-token --org ORG_ID --email EMAIL --name NAME [--scope api|scim] [--days N]
  canopy admin demo --email EMAIL --password-file FILE|-
  canopy admin backup --out DIR [--pg-bin DIR]      the database (pg_dump), then every file version's object, into DIR
  canopy admin restore --from DIR [--pg-bin DIR]    into an empty database and the configured bucket (docs/operations.md)
  canopy admin verify-files [--fail-on-orphans]    every file version's object is there, of its size, locked as recorded
  canopy local up|down|env|resetdb NAME  the project-local PostgreSQL, MinIO and mailpit under .data (development)
  canopy probe                      exit 0 when this machine's canopy serve is ready (/readyz), for health checks
  canopy version

Every command reads configs/canopy.yaml (or $CANOPY_CONFIG) and CANOPY_* variables.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "canopy:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	switch args[0] {
	case "version":
		fmt.Fprintln(stdout, "canopy", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	cfg, err := config.Load(config.DefaultPath(), os.Environ())
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log.Level)
	switch args[0] {
	case "serve":
		return serve(ctx, cfg)
	case "probe":
		return probe(ctx, cfg, stdout)
	case "migrate":
		s, err := build(ctx, cfg, log)
		if err != nil {
			return err
		}
		s.close()
		fmt.Fprintln(stdout, "migrations applied")
		return nil
	case "admin":
		return admin(ctx, cfg, args[1:], stdout)
	case "local":
		return local(ctx, cfg, args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func serve(ctx context.Context, cfg config.Config) error {
	log := newLogger(cfg.Log.Level)
	s, err := build(ctx, cfg, log)
	if err != nil {
		return err
	}
	srv, err := s.server()
	if err != nil {
		s.close()
		return err
	}
	// Every listener is bound before anything starts, so a taken port stops start-up cleanly.
	servers := []*http.Server{srv.HTTPServer(cfg.Server.Address, cfg.Server.ReadTimeout, cfg.Server.WriteTimeout)}
	if cfg.Metrics.Address != "" {
		servers = append(servers, srv.MetricsServer(cfg.Metrics.Address))
	}
	listeners := make([]net.Listener, 0, len(servers))
	for _, hs := range servers {
		l, err := net.Listen("tcp", hs.Addr)
		if err != nil {
			for _, l := range listeners {
				_ = l.Close()
			}
			s.close()
			return err
		}
		listeners = append(listeners, l)
	}
	// The workers run until shutdown, which waits for each to return before closing the
	// database (lifecycle.go). A new worker is started here, with workers.Go.
	workers := newBackground()
	workers.Go(s.ensureBuckets)
	workers.Go(func(ctx context.Context) { s.authz.Listen(ctx, s.cfg.Database.URL) })
	workers.Go(s.sweepSessions)
	workers.Go(s.importer.Run)
	if s.mailWorker != nil {
		workers.Go(s.mailWorker.Run)
	}
	workers.Go(s.makeThumbnails)
	workers.Go(s.runEvents)
	workers.Go(s.webhooks.Run)
	// The files sweeper: every replica runs it, one at a time sweeps (an advisory lock).
	workers.Go(func(ctx context.Context) { s.files.RunSweeper(ctx, s.log) })
	// The tasks sweeper, reminders and overdue notices: rows claimed with SKIP LOCKED.
	workers.Go(s.runTasks)
	workers.Go(s.runMessaging)

	errc := make(chan error, len(servers))
	for i, hs := range servers {
		go func() { errc <- hs.Serve(listeners[i]) }()
	}
	log.Info("canopy serving", "address", cfg.Server.Address, "public_url", cfg.Server.PublicURL,
		"metrics_address", cfg.Metrics.Address, "version", version)
	var failed error
	select {
	case failed = <-errc:
		log.Error("a listener failed; shutting down", "error", failed.Error())
	case <-ctx.Done():
		log.Info("shutting down")
	}
	sctx, cancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownTimeout)
	defer cancel()
	if failed == nil {
		// Out of the load balancer first: /readyz says 503 while requests are still served.
		srv.Drain()
		log.Info("draining", "drain_delay", cfg.Server.DrainDelay.String())
		select {
		case <-time.After(cfg.Server.DrainDelay):
		case <-sctx.Done():
		}
	}
	err = errors.Join(failed, shutdown(sctx, servers, workers, s.close, srv.Shutdown))
	if err == nil {
		log.Info("stopped")
	}
	return err
}

// probe asks the canopy serve on server.address (on loopback when it listens on every address)
// whether it is ready: the health check of an image that has no curl.
func probe(ctx context.Context, cfg config.Config, stdout io.Writer) error {
	host, port, err := net.SplitHostPort(cfg.Server.Address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("not ready (%d): %s", resp.StatusCode, b)
	}
	_, err = stdout.Write(b)
	return err
}

func local(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	o := localenv.Options{Root: root, DataDir: cfg.Local.DataDir, PostgresPort: cfg.Local.PostgresPort, MinIOPort: cfg.Local.MinIOPort,
		MailpitSMTPPort: cfg.Local.MailpitSMTPPort, MailpitHTTPPort: cfg.Local.MailpitHTTPPort,
		Log: func(f string, a ...any) { fmt.Fprintf(stderr, f+"\n", a...) }}
	if len(args) == 2 && args[0] == "resetdb" {
		url, err := localenv.ResetDatabase(ctx, o, args[1])
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, url)
		return nil
	}
	if len(args) != 1 {
		return errors.New("usage: canopy local up|down|env|resetdb NAME")
	}
	switch args[0] {
	case "up":
		// The first run builds MinIO and mailpit from source: minutes on a quiet machine, several
		// times that on a busy one, so the bound is generous.
		uctx, cancel := context.WithTimeout(ctx, 45*time.Minute)
		defer cancel()
		s, err := localenv.Up(uctx, o)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "PostgreSQL on 127.0.0.1:%d, MinIO on %s and mailpit (SMTP %s, mail to read at %s) are running\n",
			cfg.Local.PostgresPort, s.MinIOEndpoint, s.SMTPAddress, s.MailpitURL)
		return nil
	case "down":
		return localenv.Down(o)
	case "env":
		s, err := localenv.Read(o)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "CANOPY_DATABASE_URL=%s\nCANOPY_OBJECTSTORE_ENDPOINT=%s\nCANOPY_OBJECTSTORE_ACCESS_KEY=%s\nCANOPY_OBJECTSTORE_SECRET_KEY=%s\n",
			s.DatabaseURL, s.MinIOEndpoint, s.MinIOAccessKey, s.MinIOSecretKey)
		return nil
	}
	return fmt.Errorf("unknown local command %q", args[0])
}

func flags(name string, args []string, define func(fs *flag.FlagSet)) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	define(fs)
	return fs.Parse(args)
}
