package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"canopy/infra/localenv"
)

// TestFilesMinIOStoppedDuringUpload stops this test's own MinIO while an upload is streaming
// through Canopy: the client gets 503 with the JSON error body, no file or version row is left
// (no row without its object), and once MinIO is back the sweeper removes whatever part of the
// object was left, after its grace period.
func TestFilesMinIOStoppedDuringUpload(t *testing.T) {
	e, o := newIsolatedEnv(t, "test-files-fault-")
	ctx := context.Background()
	st, hs, cfg := e.stack, e.http, e.stack.cfg
	org := e.mustOrg("Fault Files", "o@fault-files.example")
	space := spaceOf(t, org.c, org.orgID, "personal")

	// 48 MiB, streamed: after the first 20 MiB have gone (more than one 16 MiB part), MinIO
	// is stopped and the rest follows.
	const size = 48 << 20
	pr, pw := io.Pipe()
	go func() {
		if _, err := io.CopyN(pw, &generated{left: size, x: 7}, 20<<20); err != nil {
			pw.CloseWithError(err)
			return
		}
		if err := localenv.StopMinIO(o); err != nil {
			pw.CloseWithError(err)
			return
		}
		_, err := io.Copy(pw, &generated{left: size - 20<<20, x: 9})
		pw.CloseWithError(err)
	}()
	q := url.Values{"space_id": {space}, "name": {"interrupted.bin"}}
	req, _ := http.NewRequest("POST", hs.URL+"/api/v1/orgs/"+org.orgID+"/files?"+q.Encode(), pr)
	req.ContentLength = size
	req.Header.Set("X-CSRF-Token", org.c.csrf)
	resp, err := org.c.hc.Do(req)
	if err != nil {
		t.Fatalf("the client got no answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	r := response{resp.StatusCode, resp.Header, body}
	if r.status != 503 || r.errorCode(t) != "storage_unavailable" {
		t.Fatalf("upload with MinIO stopped: %d %s", r.status, body)
	}
	var files, versions, pending, uploads int64
	st.db.Raw(`SELECT count(*) FROM files`).Scan(&files)
	st.db.Raw(`SELECT count(*) FROM file_versions`).Scan(&versions)
	st.db.Raw(`SELECT count(*) FROM pending_objects`).Scan(&pending)
	st.db.Raw(`SELECT count(*) FROM uploads`).Scan(&uploads)
	if files != 0 || versions != 0 || uploads != 0 {
		t.Fatalf("after the failed upload: %d files, %d versions, %d reservations", files, versions, uploads)
	}
	if pending != 1 {
		t.Fatalf("the interrupted object's key is not recorded for the sweeper: %d pending", pending)
	}

	// MinIO back: the sweeper, past the grace period, removes what was left.
	if _, err := localenv.Up(ctx, o); err != nil {
		t.Fatal(err)
	}
	rep, err := st.files.Sweep(ctx, time.Now().Add(cfg.Files.OrphanGrace+time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	st.db.Raw(`SELECT count(*) FROM pending_objects`).Scan(&pending)
	if pending != 0 || rep.OrphansRemoved != 1 {
		t.Fatalf("after the sweep: %d pending, report %+v", pending, rep)
	}
	mc, err := minio.New(cfg.ObjectStore.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.ObjectStore.AccessKey, cfg.ObjectStore.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	for obj := range mc.ListObjects(ctx, cfg.ObjectStore.FileBucket, minio.ListObjectsOptions{Prefix: org.orgID + "/", Recursive: true, WithVersions: true}) {
		if obj.Err != nil {
			t.Fatal(obj.Err)
		}
		if !obj.IsDeleteMarker {
			t.Errorf("object %s (version %s) left after the sweep", obj.Key, obj.VersionID)
		}
	}
	for up := range mc.ListIncompleteUploads(ctx, cfg.ObjectStore.FileBucket, org.orgID+"/", true) {
		if up.Err == nil && strings.HasPrefix(up.Key, org.orgID+"/") {
			t.Errorf("multipart upload of %s left after the sweep", up.Key)
		}
	}
}
