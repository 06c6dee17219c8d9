package localenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// MailpitVersion is the mailpit module built into .bin: a local SMTP server that keeps what it
// receives and shows it in a web UI and an HTTP API, for `make run` and the tests.
const MailpitVersion = "github.com/axllent/mailpit@v1.33.1"

// MailpitBinary returns mailpit under Root/.bin, building it with `go install` the first time
// (a minute or two).
func MailpitBinary(ctx context.Context, o Options) (string, error) {
	return installBinary(ctx, o, "mailpit", MailpitVersion, "building mailpit into .bin (a minute or two, once)")
}

func upMailpit(ctx context.Context, o Options) (Services, error) {
	s := Services{SMTPAddress: fmt.Sprintf("127.0.0.1:%d", o.MailpitSMTPPort), MailpitURL: fmt.Sprintf("http://127.0.0.1:%d", o.MailpitHTTPPort)}
	if listening(o.MailpitSMTPPort) && listening(o.MailpitHTTPPort) {
		return s, waitMailpit(ctx, s.MailpitURL)
	}
	dir := filepath.Join(o.DataDir, "mailpit")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Services{}, err
	}
	bin, err := MailpitBinary(ctx, o)
	if err != nil {
		return Services{}, err
	}
	o.Log("starting mailpit: SMTP on %s, web UI and API on %s", s.SMTPAddress, s.MailpitURL)
	logf, err := os.OpenFile(filepath.Join(dir, "mailpit.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return Services{}, err
	}
	defer logf.Close()
	// Not tied to ctx: the server outlives the command that started it, until `make stop`. Mail
	// is kept in memory only (no --database): it is for reading what a test or a demo just sent.
	cmd := exec.Command(bin, "--smtp", s.SMTPAddress, "--listen", strings.TrimPrefix(s.MailpitURL, "http://"),
		"--max", "5000", "--disable-version-check", "--smtp-auth-accept-any", "--smtp-auth-allow-insecure")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return Services{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, "mailpit.pid"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644); err != nil {
		return Services{}, err
	}
	_ = cmd.Process.Release()
	return s, waitMailpit(ctx, s.MailpitURL)
}

func waitMailpit(ctx context.Context, base string) error {
	return waitReady(ctx, base+"/readyz", 60*time.Second, "mailpit on "+base+" did not become ready (see .data/mailpit/mailpit.log)")
}

// StopMailpit stops the local mailpit; stopping one that is not running is not an error.
func StopMailpit(o Options) error {
	o.defaults()
	return stopByPIDFile(filepath.Join(o.DataDir, "mailpit", "mailpit.pid"))
}
