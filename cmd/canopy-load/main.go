// Command canopy-load drives a realistic mixed load against a running Canopy (one replica,
// several, or a load balancer in front of them), measures it, and then proves that nothing the
// server acknowledged was lost.
//
// Usage:
//
//	canopy-load -target http://127.0.0.1:8080[,http://127.0.0.1:8081,...] \
//	    -setup-email owner@example.com -setup-password '...' \
//	    [-duration 1m] [-rate 20] [-users 20] [-chats 3] [-ws 20] [-out report.json]
//
// Flags:
//
//	-target URL[,URL...]  base URLs; calls and WebSocket (re)connections go to them in turn
//	-duration D           how long the mix runs (default 1m)
//	-rate N               HTTP calls per second of the mix (default 20)
//	-users N              members the setup creates, each signed in with its own token (default 20)
//	-chats N              ad-hoc chats of those members (default 3; the first holds them all)
//	-ws N                 WebSocket receivers, member i%users each (default: -users; at most 10 a member)
//	-tasks N              tasks of the load's task list (default 2×users)
//	-workers N            calls in flight at most (default 64); past it the rate falls
//	-file-size BYTES      the largest upload (default 65536; each is 1 KiB or more)
//	-timeout D            a call's timeout (default 30s); a write that times out has an unknown outcome
//	-settle D             how long after the load receivers may take to receive the last messages (default 30s)
//	-ws-drop D            cut each receiver's connection at a random time around every D (default 0: never),
//	                      as a flaky network would, to exercise reconnection with since
//	-setup-email, -setup-password
//	                      an owner of the organisation to load (the password may come from
//	                      CANOPY_LOAD_SETUP_PASSWORD instead, to keep it out of process lists)
//	-org ID               the organisation, when the owner has several (default: the first they own)
//	-out FILE             also write the report as JSON
//	-max-5xx N            5xx answers tolerated (default 0: any 5xx fails the run)
//	-max-errors N         calls that got no answer (refused, reset, timed out) tolerated (default 0)
//	-allow-503            a 503 with the JSON error body ({"error":{"code":...,"message":...}}), the
//	                      answer Canopy gives while a dependency is down, does not count toward
//	                      -max-5xx; a 500, any other 5xx and a 503 without that body still do
//	-sample D             record a time series: every D, the calls completed in the interval (by
//	                      2xx, 4xx, 429, 5xx, transport errors), their p50/p95/p99, the WebSocket
//	                      deliveries and their p99 (default 0: off); in the JSON and as a table
//	-metrics URL[,URL...] Prometheus endpoints, one per replica: each sample also reads their
//	                      process_resident_memory_bytes and go_goroutines (an endpoint that does
//	                      not answer leaves a gap, it does not fail the run)
//	-soak-check           judge the run as a soak (needs -sample; see "Soak" below)
//	-md FILE              also write the report as a Markdown section to FILE (replacing it): the
//	                      date, the machine, the flags (never the password), the mix, the figures
//	                      per call, WebSocket, accounting and, when sampled, the series and verdicts
//	-label TEXT           the Markdown section's heading (default: the targets)
//
// 5xx figures: 5xx_total counts every 5xx answer, 503_json the 503s with the JSON error body,
// 5xx_other the rest (a non-JSON 503 among them: a proxy's page is not Canopy saying it is
// unavailable), and slow_over_timeout the calls that hit -timeout, which are hangs.
//
// Soak (-soak-check): at the end the run is judged, each verdict printed, and the exit status
// is 1 if any fails. A sample belongs to the minute its interval starts in; minute 0 is the
// warm-up and never a reference.
//   - 0 5xx (with -allow-503: 0 5xx_other), whatever -max-5xx says.
//   - RSS flat: per replica, the median of the last 5 samples ≤ 1.2 × the max of the samples in
//     minutes 1–5.
//   - Goroutines flat: the same, with a limit of +20 % or +50, whichever is larger (a pool
//     filling up to its size adds goroutines without being a leak).
//   - p99 stable: the calls after minute 5, 5 minutes at a time, each window's p99 within ± 20 %
//     of the p99 of the calls of minutes 1–5 taken together (a last window shorter than 3
//     minutes joins the one before). Every window's p99 and its deviation are printed. Windows
//     as long as the baseline compare like with like: a one-minute p99 is the slowest 1 % of a
//     fifth as many calls, and moves with another process's burst (a build, a backup) without
//     saying anything of Canopy, while a leak or a growing table lifts every later window.
//
// A run shorter than 6 minutes has no samples after minute 5: -soak-check then reports the
// figures and 5xx verdict only, and says there is no verdict on flatness and p99.
//
// Setup uses the public API only: as the owner it creates the members with initial passwords
// (the admin API), each member signs in, sets its own password and makes an API token; members
// create the ad-hoc chats; the owner makes an organisation task list with three columns and the
// tasks; each member uploads a seed file. Every run uses fresh names, so runs can repeat
// against one installation.
//
// The mix (table mix in mix.go, printed with the report) is sign-in, directory browse and
// search, "My tasks", task updates and card moves, chat messages and file uploads and
// downloads; vegeta paces it and computes its figures. Receivers hold WebSockets for the
// members; on a close or error they reconnect, to the next target, with since, and on a
// reload they refetch their chats' history.
//
// Accounting: each write the server acknowledged (2xx) is recorded (a task's last title and
// column, each message's id and seq, each upload's id and SHA-256). A 4xx wrote nothing; a
// transport error, timeout or 5xx has an unknown outcome and is never counted lost (such a
// task may hold either value and is not written again; such a message, if found in the
// history, must reach the receivers like the others). After the load every write is read back
// (tasks, each chat's history by seq, each file downloaded and hashed), and every receiver must
// hold each message of its chats exactly once, by its socket or by catch-up.
//
// Exit status: 0 when lost_writes and lost_messages (losses and duplicates) are 0, the 5xx
// answers (with -allow-503: 5xx_other) are at most -max-5xx and, with -soak-check, every verdict
// passes; 1 when not; 2 when the load could not be set up.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
}

// cli runs the driver with args and returns the exit status.
func cli(args []string, stdout, stderr io.Writer) int {
	cfg, out, err := parseFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "canopy-load:", err)
		}
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := newDriver(cfg).run(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "canopy-load:", err)
		return 2
	}
	rep.print(stdout)
	if out != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(out, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(stderr, "canopy-load:", err)
			return 2
		}
	}
	if cfg.md != "" {
		if err := rep.writeMarkdown(cfg.md, cfg.setupPassword); err != nil {
			fmt.Fprintln(stderr, "canopy-load:", err)
			return 2
		}
	}
	if !rep.Pass {
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (config, string, error) {
	fs := flag.NewFlagSet("canopy-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	var targets, out, metrics string
	fs.StringVar(&targets, "target", "", "base URLs, comma separated")
	fs.DurationVar(&cfg.duration, "duration", time.Minute, "how long the mix runs")
	fs.IntVar(&cfg.rate, "rate", 20, "HTTP calls per second")
	fs.IntVar(&cfg.users, "users", 20, "members to create and sign in")
	fs.IntVar(&cfg.chats, "chats", 3, "ad-hoc chats")
	fs.IntVar(&cfg.ws, "ws", -1, "WebSocket receivers (default: -users)")
	fs.IntVar(&cfg.tasks, "tasks", -1, "tasks (default: 2×users)")
	fs.IntVar(&cfg.workers, "workers", 64, "calls in flight at most")
	fs.IntVar(&cfg.fileSize, "file-size", 64<<10, "largest upload in bytes")
	fs.DurationVar(&cfg.timeout, "timeout", 30*time.Second, "a call's timeout")
	fs.DurationVar(&cfg.settle, "settle", 30*time.Second, "time for the last messages to arrive after the load")
	fs.DurationVar(&cfg.wsDrop, "ws-drop", 0, "cut each receiver's connection around every D (0: never)")
	fs.StringVar(&cfg.setupEmail, "setup-email", "", "an organisation owner's email")
	fs.StringVar(&cfg.setupPassword, "setup-password", "", "the owner's password (or CANOPY_LOAD_SETUP_PASSWORD)")
	fs.StringVar(&cfg.orgID, "org", "", "the organisation (default: the first the owner owns)")
	fs.StringVar(&out, "out", "", "write the report as JSON to this file")
	fs.IntVar(&cfg.max5xx, "max-5xx", 0, "5xx answers tolerated")
	fs.IntVar(&cfg.maxErrors, "max-errors", 0, "calls without an answer (refused, reset, timed out) tolerated")
	fs.BoolVar(&cfg.allow503, "allow-503", false, "503s with the JSON error body do not count toward -max-5xx")
	fs.DurationVar(&cfg.sample, "sample", 0, "record a sample every D (0: off)")
	fs.StringVar(&metrics, "metrics", "", "Prometheus endpoints of the replicas, comma separated, scraped at each sample")
	fs.BoolVar(&cfg.soakCheck, "soak-check", false, "judge the run as a soak (needs -sample)")
	fs.StringVar(&cfg.md, "md", "", "write the report as a Markdown section to this file")
	fs.StringVar(&cfg.label, "label", "", "the Markdown section's heading")
	if err := fs.Parse(args); err != nil {
		return cfg, "", err
	}
	cfg.command = commandLine(fs, args)
	for _, m := range strings.Split(metrics, ",") {
		if m = strings.TrimSpace(m); m != "" {
			if !strings.HasPrefix(m, "http://") && !strings.HasPrefix(m, "https://") {
				return cfg, "", fmt.Errorf("-metrics %q: want http:// or https:// URLs", m)
			}
			cfg.metrics = append(cfg.metrics, m)
		}
	}
	for _, t := range strings.Split(targets, ",") {
		if t = strings.TrimRight(strings.TrimSpace(t), "/"); t != "" {
			if !strings.HasPrefix(t, "http://") && !strings.HasPrefix(t, "https://") {
				return cfg, "", fmt.Errorf("-target %q: want http:// or https:// URLs", t)
			}
			cfg.targets = append(cfg.targets, t)
		}
	}
	if cfg.setupPassword == "" {
		cfg.setupPassword = os.Getenv("CANOPY_LOAD_SETUP_PASSWORD")
	}
	if cfg.ws < 0 {
		cfg.ws = cfg.users
	}
	if cfg.tasks < 0 {
		cfg.tasks = 2 * cfg.users
	}
	switch {
	case len(cfg.targets) == 0:
		return cfg, "", errors.New("-target is required")
	case cfg.setupEmail == "" || cfg.setupPassword == "":
		return cfg, "", errors.New("-setup-email and -setup-password (or CANOPY_LOAD_SETUP_PASSWORD) are required")
	case cfg.users < 1 || cfg.chats < 1 || cfg.tasks < 1 || cfg.rate < 1 || cfg.workers < 1:
		return cfg, "", errors.New("-users, -chats, -tasks, -rate and -workers must be at least 1")
	case cfg.ws < 0 || cfg.ws > 10*cfg.users:
		return cfg, "", errors.New("-ws must be from 0 to 10×users (a member may hold 10 connections)")
	case cfg.duration <= 0 || cfg.timeout <= 0 || cfg.settle < 0 || cfg.wsDrop < 0 || cfg.sample < 0:
		return cfg, "", errors.New("-duration and -timeout must be positive, -settle, -ws-drop and -sample not negative")
	case cfg.soakCheck && cfg.sample == 0:
		return cfg, "", errors.New("-soak-check needs -sample (the soak is judged on the samples)")
	case len(cfg.metrics) > 0 && cfg.sample == 0:
		return cfg, "", errors.New("-metrics needs -sample (the endpoints are scraped at each sample)")
	}
	return cfg, out, nil
}
