package localenv

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// MinIOBinary returns the MinIO server under Root/.bin, building it with `go install` the first
// time (three to four minutes).
func MinIOBinary(ctx context.Context, o Options) (string, error) {
	return installBinary(ctx, o, "minio", MinIOVersion, "building MinIO into .bin (a few minutes, once)")
}

func upMinIO(ctx context.Context, o Options) (Services, error) {
	dir := filepath.Join(o.DataDir, "minio")
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		return Services{}, err
	}
	credFile := filepath.Join(dir, "credentials")
	if _, err := os.Stat(credFile); os.IsNotExist(err) {
		if err := os.WriteFile(credFile, []byte("canopy-"+randomHex(4)+":"+randomHex(20)+"\n"), 0o600); err != nil {
			return Services{}, err
		}
	}
	creds, err := os.ReadFile(credFile)
	if err != nil {
		return Services{}, err
	}
	user, secret, _ := strings.Cut(strings.TrimSpace(string(creds)), ":")
	s := Services{MinIOEndpoint: fmt.Sprintf("127.0.0.1:%d", o.MinIOPort), MinIOAccessKey: user, MinIOSecretKey: secret}
	if !listening(o.MinIOPort) {
		bin, err := MinIOBinary(ctx, o)
		if err != nil {
			return Services{}, err
		}
		o.Log("starting MinIO on %s", s.MinIOEndpoint)
		logf, err := os.OpenFile(filepath.Join(dir, "minio.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return Services{}, err
		}
		defer logf.Close()
		// Not tied to ctx: the server outlives the command that started it, until `make stop`.
		cmd := exec.Command(bin, "server", "--quiet", "--address", s.MinIOEndpoint,
			"--console-address", fmt.Sprintf("127.0.0.1:%d", o.MinIOPort+1), filepath.Join(dir, "data"))
		cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+user, "MINIO_ROOT_PASSWORD="+secret,
			"MINIO_BROWSER=off", "MINIO_UPDATE=off", "MINIO_CALLHOME_ENABLE=off",
			// The data scanner (usage, healing) crawled the buckets every test leaves behind at
			// half a core, in the middle of the benchmarks; Canopy relies on none of its work.
			"MINIO_SCANNER_SPEED=slowest")
		cmd.Stdout, cmd.Stderr = logf, logf
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := cmd.Start(); err != nil {
			return Services{}, err
		}
		if err := os.WriteFile(filepath.Join(dir, "minio.pid"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644); err != nil {
			return Services{}, err
		}
		_ = cmd.Process.Release()
	}
	return s, waitMinIO(ctx, s.MinIOEndpoint)
}

func waitMinIO(ctx context.Context, endpoint string) error {
	return waitReady(ctx, "http://"+endpoint+"/minio/health/ready", 90*time.Second, "MinIO on "+endpoint+" did not become ready (see .data/minio/minio.log)")
}

// waitReady polls url until it answers 200, for at most limit; the error starts with failed.
func waitReady(ctx context.Context, url string, limit time.Duration, failed string) error {
	deadline := time.Now().Add(limit)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %v", failed, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// StopMinIO stops the local MinIO; stopping one that is not running is not an error.
func StopMinIO(o Options) error {
	o.defaults()
	return stopByPIDFile(filepath.Join(o.DataDir, "minio", "minio.pid"))
}

// stopByPIDFile stops the process whose id the file holds with SIGTERM, waits up to 5 s for it
// to exit, and removes the file; no file means nothing is running.
func stopByPIDFile(pidFile string) error {
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return nil
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if pid > 0 {
		if p, err := os.FindProcess(pid); err == nil {
			_ = p.Signal(syscall.SIGTERM)
			for i := 0; i < 50 && p.Signal(syscall.Signal(0)) == nil; i++ {
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
	return os.Remove(pidFile)
}

// installBinary returns Root/.bin/name, building module into .bin with `go install` the first
// time and saying so with note.
func installBinary(ctx context.Context, o Options, name, module, note string) (string, error) {
	bin := filepath.Join(o.Root, ".bin", name)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if o.Log != nil {
		o.Log("%s", note)
	}
	cmd := exec.CommandContext(ctx, "go", "install", module)
	cmd.Env = append(os.Environ(), "GOBIN="+filepath.Join(o.Root, ".bin"))
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install %s: %w\n%s", module, err, out)
	}
	return bin, nil
}
