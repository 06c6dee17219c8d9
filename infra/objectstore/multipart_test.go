package objectstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"canopy/domain/errs"
	"canopy/infra/objectstore"
)

// failingReader yields n bytes of r and then fails, as a request body does when the client's
// connection drops.
type failingReader struct {
	r io.Reader
	n int64
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset by peer")
	}
	if int64(len(p)) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= int64(n)
	return n, err
}

func sum(r io.Reader) []byte {
	h := sha256.New()
	_, _ = io.Copy(h, r)
	return h.Sum(nil)
}

// Parts streamed one by one, one of them cut off half-way and sent again, complete into one
// version whose bytes are the parts' in order; the version has an id (the bucket is versioned)
// and no retention, so that an upload whose row never lands can go as an orphan.
func TestMultipartRoundTrip(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	k := key()
	const last = 1<<20 + 17
	size := int64(objectstore.PartSize + last)
	if e.store.PartSize() != objectstore.PartSize {
		t.Fatalf("PartSize() = %d", e.store.PartSize())
	}

	id, err := e.store.NewMultipartUpload(ctx, k, "video/mp4")
	if err != nil {
		t.Fatalf("NewMultipartUpload: %v", err)
	}
	whole := &deterministic{n: uint64(size), state: 7}
	first := io.LimitReader(whole, objectstore.PartSize)
	var firstBytes bytes.Buffer // the test keeps the part to send it again
	if _, err := io.Copy(&firstBytes, first); err != nil {
		t.Fatal(err)
	}

	// The connection drops half-way through the first part: the part fails and is not kept.
	cut := &failingReader{r: bytes.NewReader(firstBytes.Bytes()), n: objectstore.PartSize / 2}
	if _, err := e.store.PutObjectPart(ctx, k, id, 1, cut, objectstore.PartSize); err == nil {
		t.Fatal("a part whose body failed half-way was stored")
	}
	etag1, err := e.store.PutObjectPart(ctx, k, id, 1, bytes.NewReader(firstBytes.Bytes()), objectstore.PartSize)
	if err != nil || etag1 == "" {
		t.Fatalf("PutObjectPart 1: %q %v", etag1, err)
	}
	etag2, err := e.store.PutObjectPart(ctx, k, id, 2, whole, last)
	if err != nil {
		t.Fatalf("PutObjectPart 2: %v", err)
	}
	if _, err := e.store.Stat(ctx, k, ""); !errs.Is(err, errs.NotFound) {
		t.Fatalf("the object exists before the upload is completed: %v", err)
	}

	version, got, err := e.store.CompleteMultipartUpload(ctx, k, id, []string{etag1, etag2})
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	if version == "" || got != size {
		t.Fatalf("completed version %q of %d bytes, want a version of %d", version, got, size)
	}
	info, err := e.store.Stat(ctx, k, version)
	if err != nil || info.ContentType != "video/mp4" || !strings.HasSuffix(info.ETag, "-2") {
		t.Fatalf("Stat: %+v %v", info, err)
	}
	c, err := e.store.Open(ctx, k, version, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Body.Close()
	if !bytes.Equal(sum(c.Body), sum(&deterministic{n: uint64(size), state: 7})) {
		t.Fatal("the completed object's SHA-256 differs from the bytes sent")
	}
	if _, _, err := e.store.CompleteMultipartUpload(ctx, k, id, []string{etag1, etag2}); !errs.Is(err, errs.NotFound) || errs.CodeOf(err) != "upload_gone" {
		t.Fatalf("completing twice: got %v, want NotFound upload_gone", err)
	}
	if err := e.store.Remove(ctx, k, version); err != nil {
		t.Fatalf("a completed, unlocked version could not be removed: %v", err)
	}
}

// An aborted upload keeps nothing; aborting again is harmless, and a part for it is refused as
// gone.
func TestMultipartAbort(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	k := key()
	id, err := e.store.NewMultipartUpload(ctx, k, "application/octet-stream")
	if err != nil {
		t.Fatal(err)
	}
	etag, err := e.store.PutObjectPart(ctx, k, id, 1, strings.NewReader("small last part"), 15)
	if err != nil {
		t.Fatal(err)
	}
	stale, err := e.store.StaleMultipartUploads(ctx, time.Now().Add(time.Minute), 1000)
	if err != nil {
		t.Fatalf("StaleMultipartUploads: %v", err)
	}
	if !hasUpload(stale, k, id) {
		t.Fatalf("the unfinished upload is not listed: %+v", stale)
	}
	if older, err := e.store.StaleMultipartUploads(ctx, time.Now().Add(-time.Hour), 1000); err != nil || hasUpload(older, k, id) {
		t.Fatalf("an upload started now is listed as older than an hour: %v", err)
	}

	if err := e.store.AbortMultipartUpload(ctx, k, id); err != nil {
		t.Fatalf("AbortMultipartUpload: %v", err)
	}
	if err := e.store.AbortMultipartUpload(ctx, k, id); err != nil {
		t.Fatalf("second AbortMultipartUpload: %v", err)
	}
	if _, err := e.store.PutObjectPart(ctx, k, id, 2, strings.NewReader("x"), 1); !errs.Is(err, errs.NotFound) {
		t.Fatalf("a part of an aborted upload: got %v, want NotFound", err)
	}
	if _, _, err := e.store.CompleteMultipartUpload(ctx, k, id, []string{etag}); !errs.Is(err, errs.NotFound) {
		t.Fatalf("completing an aborted upload: got %v, want NotFound", err)
	}
	if stale, err := e.store.StaleMultipartUploads(ctx, time.Now().Add(time.Minute), 1000); err != nil || hasUpload(stale, k, id) {
		t.Fatalf("the aborted upload is still listed: %v", err)
	}
	if _, err := e.store.Stat(ctx, k, ""); !errs.Is(err, errs.NotFound) {
		t.Fatalf("an aborted upload left an object: %v", err)
	}
}

func hasUpload(stale map[string][]string, key, id string) bool {
	for _, got := range stale[key] {
		if got == id {
			return true
		}
	}
	return false
}

// Temporary objects keep each write as its own version, read back by version, and go
// entirely, every version, with RemoveTemporary.
func TestTemporaryObjects(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	k := key() + ".tail"
	v1, err := e.store.PutTemporary(ctx, k, strings.NewReader("first piece"), 11)
	if err != nil || v1 == "" {
		t.Fatalf("PutTemporary: %q %v", v1, err)
	}
	v2, err := e.store.PutTemporary(ctx, k, strings.NewReader("second"), 6)
	if err != nil || v2 == "" || v2 == v1 {
		t.Fatalf("PutTemporary: %q %v", v2, err)
	}
	for v, want := range map[string]string{v1: "first piece", v2: "second"} {
		r, err := e.store.OpenTemporary(ctx, k, v)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(r)
		_ = r.Close()
		if string(got) != want {
			t.Fatalf("version %s reads %q, want %q", v, got, want)
		}
	}
	if _, err := e.store.PutTemporary(ctx, k, &failingReader{r: strings.NewReader("abcdef"), n: 3}, 6); err == nil {
		t.Fatal("a temporary object whose body failed was stored")
	}
	if err := e.store.RemoveTemporary(ctx, k); err != nil {
		t.Fatalf("RemoveTemporary: %v", err)
	}
	e.mustBeGone(t, k, v1)
	e.mustBeGone(t, k, v2)
	if err := e.store.RemoveTemporary(ctx, k); err != nil {
		t.Fatalf("RemoveTemporary of nothing: %v", err)
	}
}

// A store that cannot be reached is Unavailable for the multipart calls too (they share
// translate with the rest of the package; each unreachable call costs minio-go's retries).
func TestMultipartUnreachable(t *testing.T) {
	store, err := objectstore.New(objectstore.Config{Endpoint: "127.0.0.1:1", AccessKey: "x", SecretKey: "yyyyyyyy", Region: "us-east-1", FileBucket: "files"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := store.NewMultipartUpload(ctx, key(), "text/plain"); !errs.Is(err, errs.Unavailable) {
		t.Fatalf("NewMultipartUpload: got %v, want Unavailable", err)
	}
	if _, err := store.PutObjectPart(ctx, key(), "id", 1, strings.NewReader("x"), 1); !errs.Is(err, errs.Unavailable) {
		t.Fatalf("PutObjectPart: got %v, want Unavailable", err)
	}
}
