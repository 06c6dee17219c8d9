package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"canopy/infra/localenv/localtest"
	"canopy/infra/objectstore"
)

// generated yields n deterministic bytes without holding them: the benchmark's uploads come
// from it, so the test process's memory is the server's, not a 1 GiB buffer.
type generated struct {
	left int64
	x    uint64
}

func (g *generated) Read(p []byte) (int, error) {
	if g.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	for i := range p {
		g.x ^= g.x << 13
		g.x ^= g.x >> 7
		g.x ^= g.x << 17
		p[i] = byte(g.x)
	}
	g.left -= int64(len(p))
	return len(p), nil
}

// procKiB reads a field of /proc/self/status in KiB (VmRSS, VmHWM).
func procKiB(field string) int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			n, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return n
		}
	}
	return 0
}

// BenchmarkFileUpload1GiB uploads 1 GiB through Canopy (a streamed POST over loopback HTTP) and
// the same bytes straight to the same MinIO with minio-go, and reports Canopy's throughput as a
// fraction of the direct one (target >= 0.9) and how much the process's peak RSS grew during
// Canopy's upload (target <= 64 MiB). The peak is reset before the upload (clear_refs).
func BenchmarkFileUpload1GiB(b *testing.B) {
	const size = 1 << 30
	e := newTestEnv(b)
	o := e.mustOrg("Upload Bench", "bench@upload-bench.example")
	space := spaceOf(b, o.c, o.orgID, "personal")
	svc := localtest.MustServices(b)
	direct, err := minio.New(svc.MinIOEndpoint, &minio.Options{Creds: credentials.NewStaticV4(svc.MinIOAccessKey, svc.MinIOSecretKey, "")})
	if err != nil {
		b.Fatal(err)
	}
	bucket := e.stack.cfg.ObjectStore.FileBucket
	for i := 0; i < b.N; i++ {
		start := time.Now()
		_, err := direct.PutObject(context.Background(), bucket, "bench/"+uuid.NewString(), &generated{left: size, x: 88172645463325252}, size,
			minio.PutObjectOptions{PartSize: objectstore.PartSize, ContentType: "application/octet-stream"})
		if err != nil {
			b.Fatal(err)
		}
		directTime := time.Since(start)

		_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
		before := procKiB("VmHWM")
		q := url.Values{"space_id": {space}, "name": {fmt.Sprintf("big-%d.bin", i)}}
		req, _ := http.NewRequest("POST", o.c.base+"/api/v1/orgs/"+o.orgID+"/files?"+q.Encode(), &generated{left: size, x: 88172645463325252})
		req.ContentLength = size
		req.Header.Set("Content-Type", "application/octet-stream")
		req.Header.Set("X-CSRF-Token", o.c.csrf)
		start = time.Now()
		resp, err := o.c.hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		canopyTime := time.Since(start)
		if resp.StatusCode != 201 {
			b.Fatalf("upload: %d %s", resp.StatusCode, body)
		}
		growth := float64(procKiB("VmHWM")-before) / 1024
		b.ReportMetric(float64(size)/(1<<20)/directTime.Seconds(), "direct-MiB/s")
		b.ReportMetric(float64(size)/(1<<20)/canopyTime.Seconds(), "canopy-MiB/s")
		b.ReportMetric(directTime.Seconds()/canopyTime.Seconds(), "ratio")
		b.ReportMetric(growth, "rss-growth-MiB")
	}
}
