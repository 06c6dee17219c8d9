package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"canopy/infra/localenv/localtest"
	"canopy/infra/objectstore"
)

// Resumable uploads (tus 1.0) end to end: the protocol, uploads cut off and resumed, small
// chunks, tenancy, quotas, expiry, and tus-js-client itself through a connection that breaks.

const partSize = objectstore.PartSize

// tusRequest is one request to the uploads routes, as the server saw it.
type tusRequest struct {
	seq           int64 // in the order the requests began
	method        string
	offset        string // the request's Upload-Offset
	contentLength int64
	read          int64 // body bytes the server read
	status        int
	respOffset    string // the response's Upload-Offset
}

// tusRecorder serves the stack and records each request to the uploads routes once its handler
// has returned, so a test knows when the server is done with a request its client gave up on.
type tusRecorder struct {
	next http.Handler
	seq  atomic.Int64
	mu   sync.Mutex
	reqs []tusRequest
	done chan tusRequest
}

type countingBody struct {
	io.ReadCloser
	n atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (r *tusRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if !strings.Contains(req.URL.Path, "/uploads/") {
		r.next.ServeHTTP(w, req)
		return
	}
	rec := tusRequest{seq: r.seq.Add(1), method: req.Method, offset: req.Header.Get("Upload-Offset"), contentLength: req.ContentLength}
	body := &countingBody{ReadCloser: req.Body}
	req.Body = body
	sw := &statusWriter{ResponseWriter: w}
	r.next.ServeHTTP(sw, req)
	rec.read, rec.status, rec.respOffset = body.n.Load(), sw.status, sw.Header().Get("Upload-Offset")
	r.mu.Lock()
	r.reqs = append(r.reqs, rec)
	r.mu.Unlock()
	r.done <- rec
}

// waitFor blocks until the server has finished a request that matches.
func (r *tusRecorder) waitFor(t testing.TB, match func(tusRequest) bool) tusRequest {
	t.Helper()
	for {
		select {
		case rec := <-r.done:
			if match(rec) {
				return rec
			}
		case <-time.After(time.Minute):
			t.Fatal("the server never finished the request")
		}
	}
}

// brokenPatch matches a PATCH whose body broke off (and which was not refused before reading it).
func brokenPatch(r tusRequest) bool {
	return r.method == "PATCH" && r.read < r.contentLength && r.status != http.StatusConflict
}

func (r *tusRecorder) requests() []tusRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]tusRequest(nil), r.reqs...)
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// tusEnv is a stack served through a tusRecorder, with an organisation whose owner uploads.
type tusEnv struct {
	e   *testEnv
	o   filesOrg
	c   *client // the owner, through the recorder
	rec *tusRecorder
	url string // the recorder's base URL
}

func newTusEnv(t *testing.T, name string) *tusEnv {
	e := newTestEnv(t)
	o := e.mustFilesOrg(name, "o@"+strings.ToLower(strings.ReplaceAll(name, " ", ""))+".example")
	rec := &tusRecorder{next: e.srv, done: make(chan tusRequest, 10000)}
	hs := httptest.NewServer(rec)
	t.Cleanup(hs.Close)
	return &tusEnv{e: e, o: o, c: through(o.c, hs.URL), rec: rec, url: hs.URL}
}

// through is a copy of c that talks to base; the cookie jar is shared, and cookies do not care
// about ports.
func through(c *client, base string) *client {
	cc := *c
	cc.base = base
	return &cc
}

func (te *tusEnv) endpoint() string { return "/api/v1/orgs/" + te.o.orgID + "/uploads/" }

func tusMeta(pairs ...string) string {
	var out []string
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, pairs[i]+" "+base64.StdEncoding.EncodeToString([]byte(pairs[i+1])))
	}
	return strings.Join(out, ",")
}

// create starts an upload of length bytes with the Upload-Metadata given.
func tusCreate(c *client, orgID string, length int, meta string) response {
	c.t.Helper()
	return c.rawWith("POST", "/api/v1/orgs/"+orgID+"/uploads/", "", nil, map[string]string{
		"Tus-Resumable": "1.0.0", "Upload-Length": strconv.Itoa(length), "Upload-Metadata": meta})
}

// mustCreate starts an upload and returns its path.
func mustCreate(t *testing.T, c *client, orgID string, length int, meta string) string {
	t.Helper()
	r := tusCreate(c, orgID, length, meta)
	if r.status != 201 || r.header.Get("Location") == "" {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	return r.header.Get("Location")
}

func tusPatch(c *client, path string, offset int, body []byte) response {
	c.t.Helper()
	return c.rawWith("PATCH", path, "application/offset+octet-stream", body, map[string]string{
		"Tus-Resumable": "1.0.0", "Upload-Offset": strconv.Itoa(offset)})
}

func tusHead(c *client, path string) response {
	c.t.Helper()
	return c.rawWith("HEAD", path, "", nil, map[string]string{"Tus-Resumable": "1.0.0"})
}

func mustOffset(t *testing.T, c *client, path string, want int) {
	t.Helper()
	r := tusHead(c, path)
	if r.status != 200 || r.header.Get("Upload-Offset") != strconv.Itoa(want) {
		t.Fatalf("HEAD %s: %d, offset %q, want %d", path, r.status, r.header.Get("Upload-Offset"), want)
	}
}

// cutReader yields the first n bytes of b and then fails, as a body does when the client's
// network drops.
type cutReader struct {
	r *bytes.Reader
	n int
}

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, errors.New("network is unreachable")
	}
	p = p[:min(len(p), c.n)]
	n, err := c.r.Read(p)
	c.n -= n
	return n, err
}

// cutPatch sends a PATCH of body that breaks off after n bytes; it answers nothing.
func cutPatch(t *testing.T, c *client, path string, offset int, body []byte, n int) {
	t.Helper()
	req, err := http.NewRequest("PATCH", c.base+path, &cutReader{r: bytes.NewReader(body), n: n})
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Offset", strconv.Itoa(offset))
	req.Header.Set("X-CSRF-Token", c.csrf)
	if resp, err := c.hc.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("a PATCH whose body broke off was answered %d", resp.StatusCode)
	}
}

// mustFile reads a file's metadata and its content's SHA-256.
func mustFile(t *testing.T, c *client, orgID, id string) (map[string]any, string) {
	t.Helper()
	f := c.must(200, "GET", "/api/v1/orgs/"+orgID+"/files/"+id, nil)
	r := c.raw("GET", "/api/v1/orgs/"+orgID+"/files/"+id+"/content", "", nil)
	if r.status != 200 {
		t.Fatalf("content: %d", r.status)
	}
	return f, sum(r.body)
}

// bucket is a plain minio-go client on the stack's bucket, to see what the store holds.
func bucket(t *testing.T, e *testEnv) (*minio.Client, string) {
	t.Helper()
	svc := localtest.MustServices(t)
	mc, err := minio.New(svc.MinIOEndpoint, &minio.Options{Creds: credentials.NewStaticV4(svc.MinIOAccessKey, svc.MinIOSecretKey, ""), Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return mc, e.stack.cfg.ObjectStore.FileBucket
}

// stored counts the object versions (and delete markers) and the unfinished multipart uploads
// in the bucket under prefix.
func stored(t *testing.T, e *testEnv, prefix string) (versions, multiparts int) {
	t.Helper()
	mc, b := bucket(t, e)
	ctx := context.Background()
	for o := range mc.ListObjects(ctx, b, minio.ListObjectsOptions{Prefix: prefix, Recursive: true, WithVersions: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		versions++
	}
	for u := range mc.ListIncompleteUploads(ctx, b, prefix, true) {
		if u.Err != nil {
			t.Fatal(u.Err)
		}
		multiparts++
	}
	return versions, multiparts
}

// TestTusProtocol: the tus 1.0 core, creation, termination and expiration as a client sees
// them, and the file an upload makes (its name, folder, size, sniffed type and SHA-256).
func TestTusProtocol(t *testing.T) {
	te := newTusEnv(t, "Tus Co")
	c, org := te.c, te.o.orgID
	space := spaceOf(t, c, org, "organisation")
	folder := c.must(201, "POST", "/api/v1/orgs/"+org+"/spaces/"+space+"/folders", map[string]any{"name": "Videos"})["id"].(string)

	r := c.rawWith("OPTIONS", te.endpoint(), "", nil, nil)
	if r.status != 204 || r.header.Get("Tus-Version") != "1.0.0" || r.header.Get("Tus-Extension") != "creation,termination,expiration" ||
		r.header.Get("Tus-Max-Size") != strconv.FormatInt(5<<30, 10) || r.header.Get("Tus-Resumable") != "1.0.0" {
		t.Fatalf("OPTIONS: %d %v", r.status, r.header)
	}

	body := append(append([]byte{}, pngHeader...), pseudo(3<<20+5)...)
	name := "季度 汇报.png"
	r = tusCreate(c, org, len(body), tusMeta("filename", name, "folder", folder)+",filetype "+base64.StdEncoding.EncodeToString([]byte("image/png")))
	loc := r.header.Get("Location")
	if r.status != 201 || !strings.HasPrefix(loc, te.endpoint()) || r.header.Get("Tus-Resumable") != "1.0.0" {
		t.Fatalf("create: %d %v %s", r.status, r.header, r.body)
	}
	for _, h := range []string{"Location", "Upload-Offset", "Upload-Length", "Canopy-File-ID", "Tus-Resumable"} {
		if !strings.Contains(r.header.Get("Access-Control-Expose-Headers"), h) {
			t.Errorf("Access-Control-Expose-Headers %q lacks %s", r.header.Get("Access-Control-Expose-Headers"), h)
		}
	}
	expires, err := http.ParseTime(r.header.Get("Upload-Expires"))
	if err != nil || expires.Before(time.Now().Add(23*time.Hour)) || expires.After(time.Now().Add(25*time.Hour)) {
		t.Fatalf("Upload-Expires %q: %v", r.header.Get("Upload-Expires"), err)
	}
	r = tusHead(c, loc)
	if r.status != 200 || r.header.Get("Upload-Offset") != "0" || r.header.Get("Upload-Length") != strconv.Itoa(len(body)) ||
		r.header.Get("Cache-Control") != "no-store" || !strings.Contains(r.header.Get("Upload-Metadata"), "filename ") ||
		r.header.Get("Upload-Expires") == "" || r.header.Get("Tus-Resumable") != "1.0.0" {
		t.Fatalf("HEAD: %d %v", r.status, r.header)
	}

	// Refused requests carry the JSON error body and Tus-Resumable.
	for _, tc := range []struct {
		what   string
		r      response
		status int
		code   string
	}{
		{"a PATCH without Tus-Resumable", c.rawWith("PATCH", loc, "application/offset+octet-stream", body[:10], map[string]string{"Upload-Offset": "0"}), 412, "precondition_failed"},
		{"a PATCH of another type", c.rawWith("PATCH", loc, "application/octet-stream", body[:10], map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": "0"}), 415, "unsupported_media_type"},
		{"a PATCH without Upload-Offset", c.rawWith("PATCH", loc, "application/offset+octet-stream", body[:10], map[string]string{"Tus-Resumable": "1.0.0"}), 400, "missing_header"},
		{"a PATCH at the wrong offset", tusPatch(c, loc, 5, body[5:10]), 409, "offset_mismatch"},
		{"a PATCH past the length", tusPatch(c, loc, 0, append(append([]byte{}, body...), 1)), 413, "length_exceeded"},
		{"a creation without a filename", tusCreate(c, org, 10, tusMeta("folder", folder)), 400, "filename_required"},
		{"a creation with bad metadata", tusCreate(c, org, 10, "filename ***"), 400, "invalid_metadata"},
		{"a creation without a length", c.rawWith("POST", te.endpoint(), "", nil, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Metadata": tusMeta("filename", "a")}), 400, "missing_header"},
		{"a creation of a bad name", tusCreate(c, org, 10, tusMeta("filename", "a/b")), 400, ""},
		{"a creation into no folder", tusCreate(c, org, 10, tusMeta("filename", "a", "folder", "not-an-id")), 400, "invalid_folder"},
		{"a creation past the size limit", tusCreate(c, org, 5<<30+1, tusMeta("filename", "big")), 413, "too_large"},
		{"a creation of an old version", c.rawWith("POST", te.endpoint(), "", nil, map[string]string{"Tus-Resumable": "0.2.2", "Upload-Length": "1", "Upload-Metadata": tusMeta("filename", "a")}), 412, "precondition_failed"},
	} {
		if tc.r.status != tc.status || tc.r.header.Get("Tus-Resumable") != "1.0.0" {
			t.Errorf("%s: %d (Tus-Resumable %q) %s, want %d", tc.what, tc.r.status, tc.r.header.Get("Tus-Resumable"), tc.r.body, tc.status)
			continue
		}
		if code := tc.r.errorCode(t); tc.code != "" && code != tc.code {
			t.Errorf("%s: code %q, want %q", tc.what, code, tc.code)
		}
		if tc.status == 412 && tc.r.header.Get("Tus-Version") != "1.0.0" {
			t.Errorf("%s: no Tus-Version", tc.what)
		}
	}
	mustOffset(t, c, loc, 0)

	// Two PATCHes: the first ends short of a part, the second completes the upload and names the
	// file it made.
	r = tusPatch(c, loc, 0, body[:1<<20])
	if r.status != 204 || r.header.Get("Upload-Offset") != strconv.Itoa(1<<20) || r.header.Get("Canopy-File-ID") != "" || r.header.Get("Upload-Expires") == "" {
		t.Fatalf("first PATCH: %d %v %s", r.status, r.header, r.body)
	}
	mustOffset(t, c, loc, 1<<20)
	r = tusPatch(c, loc, 1<<20, body[1<<20:])
	id := r.header.Get("Canopy-File-ID")
	if r.status != 204 || r.header.Get("Upload-Offset") != strconv.Itoa(len(body)) || id == "" {
		t.Fatalf("last PATCH: %d %v %s", r.status, r.header, r.body)
	}
	f, sha := mustFile(t, c, org, id)
	if f["name"] != name || f["folder_id"] != folder || f["size"].(float64) != float64(len(body)) || f["content_type"] != "image/png" ||
		f["sha256"] != sum(body) || sha != sum(body) {
		t.Fatalf("the uploaded file: %v (content %s, want %s)", f, sha, sum(body))
	}
	// A finished upload is gone, like a terminated one.
	if r := tusHead(c, loc); r.status != 404 {
		t.Fatalf("HEAD of a finished upload: %d", r.status)
	}

	// The same name again makes a new version of the same file; without a folder, the file goes
	// to the uploader's personal space.
	loc = mustCreate(t, c, org, 4, tusMeta("filename", name, "folder", folder))
	if r := tusPatch(c, loc, 0, []byte("v2!!")); r.status != 204 || r.header.Get("Canopy-File-ID") != id {
		t.Fatalf("a second version: %d %v", r.status, r.header)
	}
	loc = mustCreate(t, c, org, 5, tusMeta("filename", "notes.txt"))
	r = tusPatch(c, loc, 0, []byte("hello"))
	if f, _ := mustFile(t, c, org, r.header.Get("Canopy-File-ID")); f["space_id"] != spaceOf(t, c, org, "personal") {
		t.Fatalf("an upload without a folder went to %v", f["space_id"])
	}

	// An empty file is complete on creation: tus clients send no PATCH for it.
	r = tusCreate(c, org, 0, tusMeta("filename", "empty.txt", "folder", space))
	if r.status != 201 || r.header.Get("Canopy-File-ID") == "" {
		t.Fatalf("an empty upload: %d %v", r.status, r.header)
	}
	if f, _ := mustFile(t, c, org, r.header.Get("Canopy-File-ID")); f["size"].(float64) != 0 || f["space_id"] != space {
		t.Fatalf("the empty file: %v", f)
	}

	// Termination removes what was stored and ends the reservation.
	loc = mustCreate(t, c, org, 3<<20, tusMeta("filename", "dropped.bin"))
	tusPatch(c, loc, 0, pseudo(1<<20))
	if r := c.rawWith("DELETE", loc, "", nil, map[string]string{"Tus-Resumable": "1.0.0"}); r.status != 204 || r.header.Get("Tus-Resumable") != "1.0.0" {
		t.Fatalf("DELETE: %d %s", r.status, r.body)
	}
	for _, r := range []response{tusHead(c, loc), tusPatch(c, loc, 1<<20, []byte("x")), c.rawWith("DELETE", loc, "", nil, map[string]string{"Tus-Resumable": "1.0.0"})} {
		if r.status != 404 {
			t.Fatalf("a terminated upload answered %d", r.status)
		}
	}
	var uploads int64
	te.e.stack.db.Raw(`SELECT count(*) FROM uploads`).Scan(&uploads)
	if versions, multiparts := stored(t, te.e, org+"/"); uploads != 0 || multiparts != 0 || versions != 4 {
		t.Fatalf("after the uploads: %d rows, %d multipart uploads, %d object versions (want the 4 files' versions)", uploads, multiparts, versions)
	}
}

// TestTusCutOffResumes: a PATCH whose connection breaks half-way keeps the parts it stored, HEAD
// tells the client where to go on, and the resumed upload makes a file whose SHA-256 is the
// whole file's. It holds when the break comes in a part begun with bytes a small chunk left
// before it.
func TestTusCutOffResumes(t *testing.T) {
	te := newTusEnv(t, "Cut Co")
	c, org := te.c, te.o.orgID

	body := pseudo(2*partSize + 8<<20 + 7)
	loc := mustCreate(t, c, org, len(body), tusMeta("filename", "film.mp4"))
	cutPatch(t, c, loc, 0, body, partSize+partSize/4)
	if rec := te.rec.waitFor(t, brokenPatch); rec.read <= partSize || rec.read >= int64(len(body)) {
		t.Fatalf("the server read %d bytes of the broken PATCH", rec.read)
	}
	mustOffset(t, c, loc, partSize) // the whole first part; the broken second one is dropped
	r := tusPatch(c, loc, partSize, body[partSize:])
	if r.status != 204 || r.header.Get("Canopy-File-ID") == "" {
		t.Fatalf("the resumed PATCH: %d %s", r.status, r.body)
	}
	f, sha := mustFile(t, c, org, r.header.Get("Canopy-File-ID"))
	if sha != sum(body) || f["sha256"] != sum(body) || f["size"].(float64) != float64(len(body)) {
		t.Fatalf("after the resume: sha256 %v (content %s), want %s", f["sha256"], sha, sum(body))
	}

	// A small chunk first (held as the tail), then a PATCH that breaks off after it filled the
	// first part and half of the second.
	body = pseudo(2*partSize + 3)
	loc = mustCreate(t, c, org, len(body), tusMeta("filename", "chunked.bin"))
	if r := tusPatch(c, loc, 0, body[:1<<20]); r.status != 204 {
		t.Fatalf("chunk: %d %s", r.status, r.body)
	}
	cutPatch(t, c, loc, 1<<20, body[1<<20:], partSize+partSize/2)
	te.rec.waitFor(t, brokenPatch)
	mustOffset(t, c, loc, partSize)
	var key string
	te.e.stack.db.Raw(`SELECT object_key FROM uploads`).Scan(&key)
	r = tusPatch(c, loc, partSize, body[partSize:])
	if r.status != 204 || r.header.Get("Canopy-File-ID") == "" {
		t.Fatalf("the resumed PATCH: %d %s", r.status, r.body)
	}
	if f, sha := mustFile(t, c, org, r.header.Get("Canopy-File-ID")); sha != sum(body) || f["sha256"] != sum(body) {
		t.Fatalf("after the resume: sha256 %v (content %s), want %s", f["sha256"], sha, sum(body))
	}
	// Its object is one version in two full parts and the last; the tail is gone.
	if versions, multiparts := stored(t, te.e, key); versions != 1 || multiparts != 0 {
		t.Fatalf("under the upload's key: %d versions, %d multipart uploads", versions, multiparts)
	}
	info, err := te.e.stack.store.Stat(context.Background(), key, "")
	if err != nil || !strings.HasSuffix(info.ETag, "-3") {
		t.Fatalf("the object: %+v %v", info, err)
	}
}

// TestTusSmallChunks: a client sending 1 MiB chunks, far below S3's smallest part, uploads a file
// of more than one part; every chunk is counted at once, and the object is made of full parts.
func TestTusSmallChunks(t *testing.T) {
	te := newTusEnv(t, "Chunk Co")
	c, org := te.c, te.o.orgID
	body := pseudo(partSize + 1<<20 + 100)
	loc := mustCreate(t, c, org, len(body), tusMeta("filename", "chunks.bin"))
	var key string
	te.e.stack.db.Raw(`SELECT object_key FROM uploads`).Scan(&key)
	var id string
	for off := 0; off < len(body); off += 1 << 20 {
		end := min(off+1<<20, len(body))
		r := tusPatch(c, loc, off, body[off:end])
		if r.status != 204 || r.header.Get("Upload-Offset") != strconv.Itoa(end) {
			t.Fatalf("chunk at %d: %d %v %s", off, r.status, r.header, r.body)
		}
		if end < len(body) {
			mustOffset(t, c, loc, end)
		} else {
			id = r.header.Get("Canopy-File-ID")
		}
	}
	if f, sha := mustFile(t, c, org, id); sha != sum(body) || f["sha256"] != sum(body) {
		t.Fatalf("sha256 %v (content %s), want %s", f["sha256"], sha, sum(body))
	}
	info, err := te.e.stack.store.Stat(context.Background(), key, "")
	if err != nil || !strings.HasSuffix(info.ETag, "-2") {
		t.Fatalf("the object: %+v %v", info, err)
	}
	if versions, _ := stored(t, te.e, key+".tail"); versions != 0 {
		t.Fatalf("%d versions of the tail are left", versions)
	}
}

// TestTusConcurrentPatch: while one PATCH writes, another PATCH or a DELETE of the same upload
// is refused with 409 upload_busy, which tus clients retry; once it has ended, they go through.
func TestTusConcurrentPatch(t *testing.T) {
	te := newTusEnv(t, "Busy Co")
	c, org := te.c, te.o.orgID
	body := pseudo(2 << 20)
	loc := mustCreate(t, c, org, len(body), tusMeta("filename", "busy.bin"))

	pr, pw := io.Pipe()
	req, _ := http.NewRequest("PATCH", c.base+loc, pr)
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Offset", "0")
	req.Header.Set("X-CSRF-Token", c.csrf)
	go func() {
		if resp, err := c.hc.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	// The server takes the upload's lease before it reads the body; once it has read some, the
	// lease is held.
	if _, err := pw.Write(body[:64<<10]); err != nil {
		t.Fatal(err)
	}
	for i, held := 0, false; !held; i++ {
		if i == 1000 {
			t.Fatal("the PATCH never took the upload's lease")
		}
		time.Sleep(10 * time.Millisecond)
		te.e.stack.db.Raw(`SELECT lease IS NOT NULL FROM uploads`).Scan(&held)
	}
	if r := tusPatch(c, loc, 0, body); r.status != 409 || r.errorCode(t) != "upload_busy" {
		t.Fatalf("a second PATCH: %d %s", r.status, r.body)
	}
	if r := c.rawWith("DELETE", loc, "", nil, map[string]string{"Tus-Resumable": "1.0.0"}); r.status != 409 || r.errorCode(t) != "upload_busy" {
		t.Fatalf("a DELETE meanwhile: %d %s", r.status, r.body)
	}
	pw.CloseWithError(errors.New("gone"))
	te.rec.waitFor(t, brokenPatch)
	mustOffset(t, c, loc, 0)
	if r := tusPatch(c, loc, 0, body); r.status != 204 || r.header.Get("Canopy-File-ID") == "" {
		t.Fatalf("the PATCH after: %d %s", r.status, r.body)
	}
}

// TestTusTenancy: another organisation's member, and another member of the same one, get 404
// for someone's upload on every route, through either organisation's path, and cannot create an
// upload into another organisation's folder; the upload is untouched.
func TestTusTenancy(t *testing.T) {
	te := newTusEnv(t, "Tenant Co")
	c, org := te.c, te.o.orgID
	space := spaceOf(t, c, org, "organisation")
	folder := c.must(201, "POST", "/api/v1/orgs/"+org+"/spaces/"+space+"/folders", map[string]any{"name": "Private"})["id"].(string)
	loc := mustCreate(t, c, org, 100, tusMeta("filename", "secret.txt", "folder", folder))
	if r := tusPatch(c, loc, 0, pseudo(10)); r.status != 204 {
		t.Fatal(r.status)
	}
	uploadID := loc[strings.LastIndex(loc, "/")+1:]

	other := te.e.mustFilesOrg("Other Co", "o@other-tus.example")
	colleague, _ := te.e.mustJoin(te.o.mustInvite(nil), "colleague@tus.example")
	for who, cl := range map[string]*client{"another organisation's owner": through(other.c, te.url), "a colleague": through(colleague, te.url)} {
		for _, o := range []string{org, other.orgID} {
			p := "/api/v1/orgs/" + o + "/uploads/" + uploadID
			for _, r := range []response{tusHead(cl, p), tusPatch(cl, p, 10, pseudo(10)), cl.rawWith("DELETE", p, "", nil, map[string]string{"Tus-Resumable": "1.0.0"})} {
				if r.status != 404 {
					t.Errorf("%s via %s: %d %s", who, o, r.status, r.body)
				}
			}
		}
	}
	for _, o := range []string{org, other.orgID} {
		if r := tusCreate(through(other.c, te.url), o, 10, tusMeta("filename", "x", "folder", folder)); r.status != 404 {
			t.Errorf("creating into another organisation's folder via %s: %d %s", o, r.status, r.body)
		}
	}
	mustOffset(t, c, loc, 10)
	if r := tusPatch(c, loc, 10, pseudo(90)); r.status != 204 || r.header.Get("Canopy-File-ID") == "" {
		t.Fatalf("the owner's PATCH after: %d %s", r.status, r.body)
	}
}

// TestTusQuota: an upload whose declared length does not fit the quota is refused at creation
// (413, so that tus clients do not retry it) before any byte is stored, and uploads in progress
// count against the quota, so two that each fit cannot both start.
func TestTusQuota(t *testing.T) {
	te := newTusEnv(t, "Full Co")
	c, org := te.c, te.o.orgID
	personal := spaceOf(t, c, org, "personal")
	if err := te.e.stack.db.Exec(`UPDATE spaces SET quota_bytes = 1000 WHERE id = ?`, personal).Error; err != nil {
		t.Fatal(err)
	}
	r := tusCreate(c, org, 1001, tusMeta("filename", "big.bin"))
	if r.status != 413 || r.errorCode(t) != "quota_exceeded" {
		t.Fatalf("over quota: %d %s", r.status, r.body)
	}
	var uploads, pending int64
	te.e.stack.db.Raw(`SELECT count(*) FROM uploads`).Scan(&uploads)
	te.e.stack.db.Raw(`SELECT count(*) FROM pending_objects`).Scan(&pending)
	if versions, multiparts := stored(t, te.e, org+"/"); uploads != 0 || pending != 0 || versions != 0 || multiparts != 0 {
		t.Fatalf("a refused upload left %d rows, %d pending objects, %d object versions, %d multipart uploads", uploads, pending, versions, multiparts)
	}
	mustCreate(t, c, org, 600, tusMeta("filename", "a.bin"))
	if r := tusCreate(c, org, 600, tusMeta("filename", "b.bin")); r.status != 413 || r.errorCode(t) != "quota_exceeded" {
		t.Fatalf("a second upload past the quota with the first in progress: %d %s", r.status, r.body)
	}
	mustCreate(t, c, org, 400, tusMeta("filename", "c.bin"))
}

// TestTusExpiry: an upload past its expiry answers 404, and the sweeper aborts its multipart
// upload, removes its tail and ends its reservation; live uploads stay, and a multipart upload
// no upload owns is aborted once it is older than an upload may live.
func TestTusExpiry(t *testing.T) {
	te := newTusEnv(t, "Expiry Co")
	c, org := te.c, te.o.orgID
	ctx := context.Background()
	body := pseudo(partSize + 1<<20)
	stale := mustCreate(t, c, org, len(body)+10, tusMeta("filename", "stale.bin"))
	if r := tusPatch(c, stale, 0, body); r.status != 204 { // a part, and a tail
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	live := mustCreate(t, c, org, 10, tusMeta("filename", "live.bin"))
	tusPatch(c, live, 0, pseudo(5))
	var key string
	te.e.stack.db.Raw(`SELECT object_key FROM uploads WHERE filename = 'stale.bin'`).Scan(&key)
	if versions, multiparts := stored(t, te.e, key); versions != 1 || multiparts != 1 {
		t.Fatalf("before: %d versions (the tail), %d multipart uploads", versions, multiparts)
	}
	if _, err := te.e.stack.store.NewMultipartUpload(ctx, org+"/orphaned", "application/octet-stream"); err != nil {
		t.Fatal(err)
	}

	if n, err := te.e.stack.files.SweepUploads(ctx, time.Now()); err != nil || n != 0 {
		t.Fatalf("a sweep before anything expired: %d %v", n, err)
	}
	if err := te.e.stack.db.Exec(`UPDATE uploads SET expires_at = now() - interval '1 second' WHERE filename = 'stale.bin'`).Error; err != nil {
		t.Fatal(err)
	}
	if r := tusHead(c, stale); r.status != 404 {
		t.Fatalf("HEAD of an expired upload: %d", r.status)
	}
	if r := tusPatch(c, stale, len(body), pseudo(10)); r.status != 404 {
		t.Fatalf("PATCH of an expired upload: %d", r.status)
	}
	if n, err := te.e.stack.files.SweepUploads(ctx, time.Now()); err != nil || n != 1 {
		t.Fatalf("the sweep: %d %v", n, err)
	}
	var rows int64
	te.e.stack.db.Raw(`SELECT count(*) FROM uploads WHERE filename = 'stale.bin'`).Scan(&rows)
	if versions, multiparts := stored(t, te.e, key); rows != 0 || versions != 0 || multiparts != 0 {
		t.Fatalf("after the sweep: %d rows, %d versions, %d multipart uploads", rows, versions, multiparts)
	}
	mustOffset(t, c, live, 5)
	if _, multiparts := stored(t, te.e, org+"/orphaned"); multiparts != 1 {
		t.Fatal("the young orphaned multipart upload is gone already")
	}
	if _, err := te.e.stack.files.SweepUploads(ctx, time.Now().Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, multiparts := stored(t, te.e, org+"/orphaned"); multiparts != 0 {
		t.Fatal("the orphaned multipart upload was not aborted")
	}
}

// cutProxy forwards TCP connections to a server and, once, when more than cutAfter bytes have
// gone from the clients to the server, drops the connection that passes the mark, as a network
// that fails does: first towards the server, then, once onCut has returned, towards the client.
// onCut waits for the server to be done with the broken request, so that what the client sees
// next does not depend on timing.
type cutProxy struct {
	ln       net.Listener
	target   string
	cutAfter int64
	onCut    func()
	sent     atomic.Int64
	cut      atomic.Bool
}

func newCutProxy(t *testing.T, target string, cutAfter int64, onCut func()) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, cutAfter: cutAfter, onCut: onCut}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(conn)
		}
	}()
	return p
}

func (p *cutProxy) pipe(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	var cutting atomic.Bool
	go func() {
		_, _ = io.Copy(client, server)
		if !cutting.Load() { // a cut closes the client's end only after onCut
			client.Close()
		}
	}()
	buf := make([]byte, 16<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			if p.sent.Add(int64(n)) > p.cutAfter && p.cut.CompareAndSwap(false, true) {
				cutting.Store(true)
				server.Close()
				p.onCut()
				return // and the client's end closes
			}
			if _, werr := server.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// TestTusJSClientResumes is the test with a real tus client: tus-js-client, run by Node, uploads a
// file through a connection that breaks half-way, resumes by itself from the offset the server
// gives it (never from zero), and the stored file's SHA-256 is the file's. Once with 1 MiB
// chunks, once with the whole file in one PATCH, broken in its second part.
func TestTusJSClientResumes(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is missing: the Makefile's ui-deps target needs Node.js 20+ and npm (Debian: apt-get install nodejs npm)")
	}
	root := localtest.Root(t)
	script := filepath.Join(root, "web", "ui", "e2e", "tus-resume.mjs")
	if _, err := os.Stat(filepath.Join(root, "web", "ui", "node_modules", "tus-js-client", "package.json")); err != nil {
		t.Fatal("tus-js-client is not installed: run make ui-deps (cd web/ui && npm ci)")
	}
	te := newTusEnv(t, "JS Co")
	space := spaceOf(t, te.c, te.o.orgID, "organisation")

	for _, tc := range []struct {
		name          string
		size          int
		chunk         int // 0: one PATCH
		cutAfter      int64
		resumedOffset int64 // where the client must go on from
	}{
		{"1 MiB chunks", 5<<20 + 12345, 1 << 20, 5<<20/2 + 1000, 2 << 20},
		{"one PATCH", partSize + 4<<20 + 777, 0, partSize + 2<<20, partSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := pseudo(tc.size)
			file := filepath.Join(t.TempDir(), "upload.bin")
			if err := os.WriteFile(file, data, 0o600); err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(te.url)
			proxy := newCutProxy(t, u.Host, tc.cutAfter, func() {
				for {
					select {
					case r := <-te.rec.done:
						if brokenPatch(r) {
							return
						}
					case <-time.After(time.Minute):
						return
					}
				}
			})
			before := len(te.rec.requests())

			var cookies []string
			for _, ck := range te.c.hc.Jar.Cookies(u) {
				cookies = append(cookies, ck.Name+"="+ck.Value)
			}
			headers, _ := json.Marshal(map[string]string{"Cookie": strings.Join(cookies, "; "), "X-CSRF-Token": te.c.csrf})
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			name := "录音 " + tc.name + ".bin"
			cmd := exec.CommandContext(ctx, node, script, "http://"+proxy.ln.Addr().String()+te.endpoint(), file, name)
			cmd.Env = append(os.Environ(), "CANOPY_TUS_HEADERS="+string(headers), "CANOPY_TUS_FOLDER="+space)
			if tc.chunk > 0 {
				cmd.Env = append(cmd.Env, "CANOPY_TUS_CHUNK="+strconv.Itoa(tc.chunk))
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			runErr := cmd.Run()
			var out struct {
				OK      bool     `json:"ok"`
				FileID  string   `json:"fileId"`
				Error   string   `json:"error"`
				Retried []string `json:"retried"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil || runErr != nil || !out.OK {
				t.Fatalf("tus-js-client: %v %+v\nstdout: %s\nstderr: %s", runErr, out, stdout.String(), stderr.String())
			}
			if !proxy.cut.Load() || len(out.Retried) == 0 {
				t.Fatalf("the connection was not cut (%v) or the client did not retry (%v)", proxy.cut.Load(), out.Retried)
			}

			f, sha := mustFile(t, te.c, te.o.orgID, out.FileID)
			if sha != sum(data) || f["sha256"] != sum(data) || f["size"].(float64) != float64(len(data)) || f["name"] != name {
				t.Fatalf("the stored file: %v (content %s), want %s", f, sha, sum(data))
			}

			// What the server saw: the PATCH that broke off, a HEAD answering where to resume,
			// and PATCHes from there on; no byte was sent twice but those of the broken PATCH.
			reqs := te.rec.requests()[before:]
			broken := -1
			for i, r := range reqs {
				if r.method == "PATCH" && r.read < r.contentLength {
					if broken >= 0 {
						t.Fatalf("more than one PATCH broke off: %+v", reqs)
					}
					broken = i
				}
			}
			if broken < 0 {
				t.Fatalf("no PATCH broke off: %+v", reqs)
			}
			var headOffset string
			var received, resumedAt int64 = 0, -1
			for i, r := range reqs {
				switch {
				case r.method == "HEAD" && i > broken && headOffset == "":
					headOffset = r.respOffset
				case r.method == "PATCH" && r.status == 204:
					received += r.read
					if i > broken && resumedAt < 0 {
						resumedAt, _ = strconv.ParseInt(r.offset, 10, 64)
					}
				}
				if r.method == "PATCH" && i > broken && r.offset == "0" {
					t.Fatalf("a PATCH after the break started from zero: %+v", r)
				}
			}
			if headOffset != strconv.FormatInt(tc.resumedOffset, 10) || resumedAt != tc.resumedOffset {
				t.Fatalf("after the break the server said %q and the client resumed at %d, want %d: %+v", headOffset, resumedAt, tc.resumedOffset, reqs)
			}
			// The answered PATCHes and what the broken one stored cover the file once.
			brokenAt, _ := strconv.ParseInt(reqs[broken].offset, 10, 64)
			if received+tc.resumedOffset-brokenAt != int64(len(data)) {
				t.Fatalf("the answered PATCHes carried %d bytes and the broken one stored %d, want %d in all", received, tc.resumedOffset-brokenAt, len(data))
			}
			t.Logf("%s: broke off after %d bytes through the proxy; resumed at %d; the client retried after %v", tc.name, tc.cutAfter, resumedAt, out.Retried)
		})
	}
}
