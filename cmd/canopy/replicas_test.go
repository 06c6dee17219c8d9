package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"canopy/infra/localenv/localtest"
)

// startServeProcesses builds canopy and runs n `canopy serve` processes on one fresh database
// and bucket, as replicas behind a load balancer would be; it returns the binary, the
// environment they run with (for `canopy admin` commands on the same database) and their base
// URLs. They are killed when the test ends.
func startServeProcesses(t testing.TB, n int) (string, []string, []string) {
	t.Helper()
	svc := localtest.MustServices(t)
	dbURL := localtest.MustDatabase(t)
	bin := filepath.Join(t.TempDir(), "canopy")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "CANOPY_DATABASE_URL="+dbURL, "CANOPY_OBJECTSTORE_ENDPOINT="+svc.MinIOEndpoint,
		"CANOPY_OBJECTSTORE_ACCESS_KEY="+svc.MinIOAccessKey, "CANOPY_OBJECTSTORE_SECRET_KEY="+svc.MinIOSecretKey,
		"CANOPY_OBJECTSTORE_FILE_BUCKET="+localtest.MustBucketName(t), "CANOPY_LOG_LEVEL=warn", "CANOPY_CONFIG=/dev/null",
		// Two replicas on one machine: neither needs a metrics listener.
		"CANOPY_METRICS_ADDRESS=",
		// Benchmarks make requests far faster than people do.
		"CANOPY_LIMITS_API_PER_USER=1000000", "CANOPY_LIMITS_API_PER_TOKEN=1000000")
	start := func(i int) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(env, "CANOPY_SERVER_ADDRESS="+addr, "CANOPY_SERVER_PUBLIC_URL=http://"+addr)
		if pprofAddr := os.Getenv("BENCH_PPROF"); pprofAddr != "" && i == 0 {
			// Profiling a benchmark: the first replica serves its profiles there
			// (go tool pprof http://<address>/debug/pprof/profile).
			cmd.Env = append(cmd.Env, "CANOPY_METRICS_ADDRESS="+pprofAddr, "CANOPY_METRICS_PPROF=true")
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
		deadline := time.Now().Add(30 * time.Second)
		for {
			c, err := net.Dial("tcp", addr)
			if err == nil {
				c.Close()
				return "http://" + addr
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica on %s did not start", addr)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	bases := make([]string, n)
	for i := range bases {
		bases[i] = start(i)
	}
	return bin, env, bases
}
