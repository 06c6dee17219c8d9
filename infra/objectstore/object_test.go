package objectstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"canopy/domain/errs"
	"canopy/infra/localenv/localtest"
	"canopy/infra/objectstore"
)

// env is a Store on a fresh Object Lock bucket of the project's MinIO, and a plain minio-go client
// on the same bucket that plays someone going around Canopy.
type env struct {
	store  *objectstore.Store
	direct *minio.Client
	bucket string
}

func mustEnv(t *testing.T) env {
	t.Helper()
	svc := localtest.MustServices(t)
	bucket := localtest.MustBucketName(t)
	cfg := objectstore.Config{Endpoint: svc.MinIOEndpoint, AccessKey: svc.MinIOAccessKey, SecretKey: svc.MinIOSecretKey,
		Region: "us-east-1", FileBucket: bucket}
	store, err := objectstore.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := store.EnsureBuckets(ctx); err != nil {
		t.Fatalf("EnsureBuckets: %v", err)
	}
	direct, err := minio.New(svc.MinIOEndpoint, &minio.Options{Creds: credentials.NewStaticV4(svc.MinIOAccessKey, svc.MinIOSecretKey, ""), Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Only the test's own cleanup uses the governance bypass, so that the bucket goes away.
		for obj := range direct.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true, WithVersions: true}) {
			if obj.Err != nil {
				t.Logf("cleanup list: %v", obj.Err)
				return
			}
			off := minio.LegalHoldDisabled
			_ = direct.PutObjectLegalHold(ctx, bucket, obj.Key, minio.PutObjectLegalHoldOptions{VersionID: obj.VersionID, Status: &off})
			if err := direct.RemoveObject(ctx, bucket, obj.Key, minio.RemoveObjectOptions{VersionID: obj.VersionID, GovernanceBypass: true}); err != nil {
				t.Logf("cleanup remove: %v", err)
			}
		}
		if err := direct.RemoveBucket(ctx, bucket); err != nil {
			t.Logf("cleanup bucket: %v", err)
		}
	})
	return env{store: store, direct: direct, bucket: bucket}
}

func key() string { return "org-test/" + uuid.NewString() }

func (e env) mustPut(t *testing.T, k string, body []byte) string {
	t.Helper()
	v, err := e.store.Put(context.Background(), k, bytes.NewReader(body), int64(len(body)), "application/octet-stream")
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	if v == "" {
		t.Fatal("Put returned no version id")
	}
	return v
}

func wantConflict(t *testing.T, err error, code string) {
	t.Helper()
	if !errs.Is(err, errs.Conflict) || errs.CodeOf(err) != code {
		t.Fatalf("got %v (kind %v, code %q), want Conflict %q", err, errs.KindOf(err), errs.CodeOf(err), code)
	}
}

func (e env) mustExist(t *testing.T, k, v string) {
	t.Helper()
	if _, err := e.store.Stat(context.Background(), k, v); err != nil {
		t.Fatalf("version %s should still exist: %v", v, err)
	}
}

func (e env) mustBeGone(t *testing.T, k, v string) {
	t.Helper()
	if _, err := e.store.Stat(context.Background(), k, v); !errs.Is(err, errs.NotFound) {
		t.Fatalf("Stat after removal: got %v, want NotFound", err)
	}
}

// A locked version survives a direct removal without the bypass (the store's own guarantee) and
// Store.Remove reports why.
func TestLockedVersionCannotBeRemoved(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	k := key()
	v := e.mustPut(t, k, []byte("kept for an hour"))
	until := time.Now().Add(time.Hour)
	if err := e.store.Lock(ctx, k, v, until); err != nil {
		t.Fatalf("Lock: %v", err)
	}

	err := e.direct.RemoveObject(ctx, e.bucket, k, minio.RemoveObjectOptions{VersionID: v})
	if err == nil {
		t.Fatal("MinIO removed a version under governance retention without the bypass")
	}
	t.Logf("direct removal refused: %s: %v", minio.ToErrorResponse(err).Code, err)
	e.mustExist(t, k, v)

	wantConflict(t, e.store.Remove(ctx, k, v), objectstore.CodeRetentionActive)
	e.mustExist(t, k, v)
	wantConflict(t, e.store.RemoveOrphan(ctx, k), objectstore.CodeRetentionActive)
	e.mustExist(t, k, v)
}

// An object that was never locked, such as an orphan, goes.
func TestUnlockedVersionIsRemovable(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	k := key()
	v := e.mustPut(t, k, []byte("orphan"))
	if err := e.store.Remove(ctx, k, v); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	e.mustBeGone(t, k, v)
	if err := e.store.Remove(ctx, k, v); err != nil {
		t.Fatalf("second Remove: %v", err)
	}

	k2 := key()
	v2 := e.mustPut(t, k2, []byte("orphan by key"))
	if err := e.store.RemoveOrphan(ctx, k2); err != nil {
		t.Fatalf("RemoveOrphan: %v", err)
	}
	e.mustBeGone(t, k2, v2)
	versions := 0
	for obj := range e.direct.ListObjects(ctx, e.bucket, minio.ListObjectsOptions{Prefix: k2, WithVersions: true}) {
		if obj.Err != nil {
			t.Fatal(obj.Err)
		}
		versions++
	}
	if versions != 0 {
		t.Fatalf("RemoveOrphan left %d versions or delete markers", versions)
	}

	if err := e.store.Remove(ctx, k, ""); !errs.Is(err, errs.Invalid) {
		t.Fatalf("Remove without a version: got %v, want Invalid", err)
	}
}

// Lock never shortens retention.
func TestLockOnlyExtends(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	k := key()
	v := e.mustPut(t, k, []byte("x"))
	later := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	if err := e.store.Lock(ctx, k, v, later); err != nil {
		t.Fatalf("Lock: %v", err)
	}
	if err := e.store.Lock(ctx, k, v, time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("Lock with an earlier date: %v", err)
	}
	_, got, err := e.direct.GetObjectRetention(ctx, e.bucket, k, v)
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Before(later) {
		t.Fatalf("retain-until is %v, want no earlier than %v", got, later)
	}

	evenLater := later.Add(time.Hour)
	if err := e.store.Lock(ctx, k, v, evenLater); err != nil {
		t.Fatalf("extending Lock: %v", err)
	}
	_, got, err = e.direct.GetObjectRetention(ctx, e.bucket, k, v)
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Before(evenLater) {
		t.Fatalf("retain-until is %v after extending, want %v", got, evenLater)
	}

	if err := e.store.Lock(ctx, key(), v, later); !errs.Is(err, errs.NotFound) {
		t.Fatalf("Lock of a missing object: got %v, want NotFound", err)
	}
}

// A legal hold blocks removal, with no retention at all, until it is released.
func TestLegalHold(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	k := key()
	v := e.mustPut(t, k, []byte("evidence"))
	if err := e.store.SetLegalHold(ctx, k, v, true); err != nil {
		t.Fatalf("SetLegalHold on: %v", err)
	}
	if err := e.direct.RemoveObject(ctx, e.bucket, k, minio.RemoveObjectOptions{VersionID: v}); err == nil {
		t.Fatal("MinIO removed a version under legal hold")
	}
	wantConflict(t, e.store.Remove(ctx, k, v), objectstore.CodeLegalHold)
	e.mustExist(t, k, v)

	if err := e.store.SetLegalHold(ctx, k, v, false); err != nil {
		t.Fatalf("SetLegalHold off: %v", err)
	}
	if err := e.store.Remove(ctx, k, v); err != nil {
		t.Fatalf("Remove after the hold is released: %v", err)
	}
	e.mustBeGone(t, k, v)
}

// Ranges return exactly the bytes asked for, as HTTP Range does.
func TestOpenRange(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	k := key()
	body := []byte("0123456789abcdefghij")
	v := e.mustPut(t, k, body)

	for _, tc := range []struct {
		start, end int64
		want       string
	}{
		{0, -1, string(body)},
		{3, 7, "34567"},
		{15, -1, "fghij"},
		{15, 100, "fghij"},
		{19, 19, "j"},
		{0, 0, "0"},
	} {
		c, err := e.store.Open(ctx, k, v, tc.start, tc.end)
		if err != nil {
			t.Fatalf("Open(%d, %d): %v", tc.start, tc.end, err)
		}
		got, err := io.ReadAll(c.Body)
		_ = c.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("Open(%d, %d) read %q, want %q", tc.start, tc.end, got, tc.want)
		}
		if c.Info.Size != int64(len(body)) || c.Info.VersionID != v || c.Info.ETag == "" || c.Info.LastModified.IsZero() {
			t.Errorf("Open(%d, %d) info %+v", tc.start, tc.end, c.Info)
		}
		if c.End-c.Start+1 != int64(len(tc.want)) {
			t.Errorf("Open(%d, %d) says %d-%d", tc.start, tc.end, c.Start, c.End)
		}
	}
	for _, r := range [][2]int64{{20, -1}, {5, 3}, {-1, 4}} {
		if _, err := e.store.Open(ctx, k, v, r[0], r[1]); errs.CodeOf(err) != "invalid_range" {
			t.Errorf("Open(%d, %d): got %v, want invalid_range", r[0], r[1], err)
		}
	}
	if _, err := e.store.Open(ctx, key(), "", 0, -1); !errs.Is(err, errs.NotFound) {
		t.Errorf("Open of a missing object: got %v, want NotFound", err)
	}
}

// deterministic yields n pseudo-random bytes computed on the fly, so a large object is never held
// in memory by the test either.
type deterministic struct {
	n, state uint64
}

func (d *deterministic) Read(p []byte) (int, error) {
	if d.n == 0 {
		return 0, io.EOF
	}
	if uint64(len(p)) > d.n {
		p = p[:d.n]
	}
	for i := range p {
		d.state ^= d.state << 13
		d.state ^= d.state >> 7
		d.state ^= d.state << 17
		p[i] = byte(d.state)
	}
	d.n -= uint64(len(p))
	return len(p), nil
}

// An object of several parts streams in and out unchanged.
func TestPutStreamsLargeObject(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	const size = 40 << 20 // more than two parts
	want := sha256.New()
	if _, err := io.Copy(want, &deterministic{n: size, state: 42}); err != nil {
		t.Fatal(err)
	}
	k := key()
	v, err := e.store.Put(ctx, k, &deterministic{n: size, state: 42}, size, "video/mp4")
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	info, err := e.store.Stat(ctx, k, v)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != size || info.ContentType != "video/mp4" {
		t.Fatalf("Stat: %+v", info)
	}
	c, err := e.store.Open(ctx, k, v, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Body.Close()
	got := sha256.New()
	n, err := io.Copy(got, c.Body)
	if err != nil {
		t.Fatal(err)
	}
	if n != size || !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatalf("read back %d bytes with a different SHA-256", n)
	}
	// The object went up in PartSize parts: S3's multipart ETag ends in the number of parts.
	if wantSuffix := "-3"; len(info.ETag) < 2 || info.ETag[len(info.ETag)-2:] != wantSuffix {
		t.Fatalf("ETag %q, want a multipart ETag of 3 parts", info.ETag)
	}
}

// A store that cannot be reached is Unavailable, which the API answers with 503.
func TestUnreachableStoreIsUnavailable(t *testing.T) {
	store, err := objectstore.New(objectstore.Config{Endpoint: "127.0.0.1:1", AccessKey: "x", SecretKey: "yyyyyyyy", Region: "us-east-1", FileBucket: "files"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := store.Put(ctx, key(), bytes.NewReader([]byte("x")), 1, "text/plain"); !errs.Is(err, errs.Unavailable) {
		t.Fatalf("Put: got %v, want Unavailable", err)
	}
	if _, err := store.Stat(ctx, key(), ""); !errs.Is(err, errs.Unavailable) {
		t.Fatalf("Stat: got %v, want Unavailable", err)
	}
}
