package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// filesOrg is an organisation with helpers for the files routes.
type filesOrg struct{ dir }

func (e *testEnv) mustFilesOrg(name, email string) filesOrg { return filesOrg{e.mustDir(name, email)} }

// spaceOf returns the id of the caller's space of a kind ("personal", "organisation", …),
// failing when they have none.
func spaceOf(t testing.TB, c *client, orgID, kind string) string {
	t.Helper()
	m := c.must(200, "GET", "/api/v1/orgs/"+orgID+"/spaces", nil)
	for _, it := range m["items"].([]any) {
		sp := it.(map[string]any)
		if sp["kind"] == kind {
			return sp["id"].(string)
		}
	}
	t.Fatalf("no %s space among %v", kind, m["items"])
	return ""
}

// upload sends body raw to POST /files with the target in the query.
func upload(c *client, orgID, spaceID, folderID, name string, body []byte) response {
	q := url.Values{"name": {name}}
	if spaceID != "" {
		q.Set("space_id", spaceID)
	}
	if folderID != "" {
		q.Set("folder_id", folderID)
	}
	return c.raw("POST", "/api/v1/orgs/"+orgID+"/files?"+q.Encode(), "application/octet-stream", body)
}

func mustUpload(t *testing.T, c *client, orgID, spaceID, folderID, name string, body []byte) map[string]any {
	t.Helper()
	r := upload(c, orgID, spaceID, folderID, name, body)
	if r.status != 201 {
		t.Fatalf("upload %q: %d %s", name, r.status, r.body)
	}
	return r.json(t)
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// pseudo returns n deterministic bytes that are not all alike, so a range misread shows.
func pseudo(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

var pngHeader = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")

func TestFilesUploadDownloadAndRanges(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Files Co", "o@files.example")
	personal := spaceOf(t, o.c, o.orgID, "personal")

	// A Chinese name survives upload and download; the type is sniffed from the bytes, whatever
	// the client claims.
	body := append(append([]byte{}, pngHeader...), pseudo(1<<20+37)...)
	name := "季度报告 图表.png"
	f := mustUpload(t, o.c, o.orgID, personal, "", name, body)
	if f["name"] != name || f["sha256"] != sum(body) || f["size"].(float64) != float64(len(body)) || f["content_type"] != "image/png" {
		t.Fatalf("uploaded: %v", f)
	}
	id := f["id"].(string)
	content := "/api/v1/orgs/" + o.orgID + "/files/" + id + "/content"
	r := o.c.raw("GET", content, "", nil)
	if r.status != 200 || !bytes.Equal(r.body, body) {
		t.Fatalf("download: %d, %d bytes", r.status, len(r.body))
	}
	_, params, err := mime.ParseMediaType(r.header.Get("Content-Disposition"))
	if err != nil || params["filename"] != name {
		t.Fatalf("Content-Disposition %q: %v %v", r.header.Get("Content-Disposition"), params, err)
	}
	if !strings.HasPrefix(r.header.Get("Content-Disposition"), "inline;") || r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("headers: %v", r.header)
	}

	// Ranges return exactly the bytes asked for.
	for _, tc := range []struct {
		rng        string
		start, end int
	}{{"bytes=0-0", 0, 0}, {"bytes=100-199", 100, 199}, {"bytes=1048000-", 1048000, len(body) - 1}, {"bytes=-10", len(body) - 10, len(body) - 1}} {
		r := o.c.rawWith("GET", content, "", nil, map[string]string{"Range": tc.rng})
		want := body[tc.start : tc.end+1]
		if r.status != 206 || !bytes.Equal(r.body, want) || r.header.Get("Content-Range") != fmt.Sprintf("bytes %d-%d/%d", tc.start, tc.end, len(body)) {
			t.Fatalf("Range %s: %d %q, %d bytes", tc.rng, r.status, r.header.Get("Content-Range"), len(r.body))
		}
	}
	// Several ranges (a video player's seeks) come back as multipart/byteranges.
	r = o.c.rawWith("GET", content, "", nil, map[string]string{"Range": "bytes=10-19,500000-500009"})
	mt, mp, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	if r.status != 206 || mt != "multipart/byteranges" {
		t.Fatalf("multi-range: %d %s", r.status, r.header.Get("Content-Type"))
	}
	mr := multipart.NewReader(bytes.NewReader(r.body), mp["boundary"])
	for _, want := range [][]byte{body[10:20], body[500000:500010]} {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(p)
		if !bytes.Equal(got, want) {
			t.Fatalf("part %q: %x, want %x", p.Header.Get("Content-Range"), got, want)
		}
	}
	// An unsatisfiable range is a 416 with the JSON error body.
	r = o.c.rawWith("GET", content, "", nil, map[string]string{"Range": fmt.Sprintf("bytes=%d-", len(body)+5)})
	if r.status != 416 || r.errorCode(t) != "range_not_satisfiable" {
		t.Fatalf("bad range: %d %s", r.status, r.body)
	}
	// Conditional requests: the ETag is the version's SHA-256.
	etag := `"` + sum(body) + `"`
	if r := o.c.rawWith("GET", content, "", nil, map[string]string{"If-None-Match": etag}); r.status != 304 {
		t.Fatalf("If-None-Match: %d", r.status)
	}

	// The same name again is a new version; the old one stays readable.
	body2 := []byte("second version")
	f2 := mustUpload(t, o.c, o.orgID, personal, "", name, body2)
	if f2["id"] != id || f2["version_count"].(float64) != 2 {
		t.Fatalf("second version: %v", f2)
	}
	if r := o.c.raw("GET", content+"?version=1", "", nil); !bytes.Equal(r.body, body) {
		t.Fatalf("version 1: %d bytes", len(r.body))
	}
	if r := o.c.raw("GET", content, "", nil); !bytes.Equal(r.body, body2) || r.header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("current: %q %s", r.body, r.header.Get("Content-Type"))
	}
	detail := o.c.must(200, "GET", "/api/v1/orgs/"+o.orgID+"/files/"+id, nil)
	if vs := detail["versions"].([]any); len(vs) != 2 || detail["available_until"] == nil {
		t.Fatalf("detail: %v", detail)
	}

	// HTML is never shown inline: it downloads as bytes, sandboxed.
	h := mustUpload(t, o.c, o.orgID, personal, "", "page.html", []byte("<html><script>alert(1)</script></html>"))
	r = o.c.raw("GET", "/api/v1/orgs/"+o.orgID+"/files/"+h["id"].(string)+"/content", "", nil)
	if !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") || r.header.Get("Content-Type") == "text/html" ||
		!strings.Contains(r.header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("html served: %v", r.header)
	}
	if h["content_type"] != "text/html; charset=utf-8" {
		t.Fatalf("sniffed %v", h["content_type"])
	}
}

func TestFilesMultipartFoldersAndListing(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Folders Co", "o@folders.example")
	orgSpace := spaceOf(t, o.c, o.orgID, "organisation")
	base := "/api/v1/orgs/" + o.orgID
	docs := o.c.must(201, "POST", base+"/spaces/"+orgSpace+"/folders", map[string]any{"name": "文档"})["id"].(string)
	sub := o.c.must(201, "POST", base+"/spaces/"+orgSpace+"/folders", map[string]any{"name": "Sub", "parent_id": docs})["id"].(string)
	// Names are unique per folder without regard to case, across files and folders.
	if r := o.c.do("POST", base+"/spaces/"+orgSpace+"/folders", map[string]any{"name": "sub", "parent_id": docs}); r.status != 409 {
		t.Fatalf("duplicate folder: %d %s", r.status, r.body)
	}
	// A folder cannot move into its own subtree.
	if r := o.c.do("PATCH", base+"/folders/"+docs, map[string]any{"parent_id": sub}); r.status != 409 || r.errorCode(t) != "cycle" {
		t.Fatalf("cycle: %d %s", r.status, r.body)
	}

	// multipart/form-data, fields first, then the file.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("space_id", orgSpace)
	_ = mw.WriteField("folder_id", docs)
	fw, _ := mw.CreateFormFile("file", "Zhang San 简历.txt")
	_, _ = fw.Write([]byte("hello from a form"))
	_ = mw.Close()
	r := o.c.raw("POST", base+"/files", mw.FormDataContentType(), buf.Bytes())
	if r.status != 201 {
		t.Fatalf("multipart: %d %s", r.status, r.body)
	}
	f := r.json(t)
	if f["folder_id"] != docs || f["size"].(float64) != 17 || f["sha256"] != sum([]byte("hello from a form")) {
		t.Fatalf("multipart file: %v", f)
	}
	if r := upload(o.c, o.orgID, orgSpace, docs, "SUB", []byte("x")); r.status != 409 || r.errorCode(t) != "name_taken" {
		t.Fatalf("file named like a folder: %d %s", r.status, r.body)
	}

	list := o.c.must(200, "GET", base+"/spaces/"+orgSpace+"/entries?folder_id="+docs, nil)
	items := list["items"].([]any)
	if list["total"].(float64) != 2 || items[0].(map[string]any)["type"] != "folder" || items[1].(map[string]any)["type"] != "file" {
		t.Fatalf("listing: %v", list)
	}
	if crumbs := list["breadcrumb"].([]any); len(crumbs) != 2 || crumbs[1].(map[string]any)["name"] != "文档" {
		t.Fatalf("breadcrumb: %v", crumbs)
	}
	// Search finds by name and by pinyin, across the space.
	for _, q := range []string{"简历", "jianli", "jl", "ZHANG"} {
		got := o.c.must(200, "GET", base+"/spaces/"+orgSpace+"/entries?q="+url.QueryEscape(q), nil)
		if got["total"].(float64) != 1 {
			t.Fatalf("search %q: %v", q, got)
		}
	}
	// Paging and sorting.
	for i := 0; i < 5; i++ {
		mustUpload(t, o.c, o.orgID, orgSpace, sub, fmt.Sprintf("f%d.txt", i), bytes.Repeat([]byte("x"), i+1))
	}
	page := o.c.must(200, "GET", base+"/spaces/"+orgSpace+"/entries?folder_id="+sub+"&sort=size&order=desc&limit=2&offset=1", nil)
	if page["total"].(float64) != 5 || len(page["items"].([]any)) != 2 || page["items"].([]any)[0].(map[string]any)["file"].(map[string]any)["name"] != "f3.txt" {
		t.Fatalf("page: %v", page)
	}
	if r := o.c.do("GET", base+"/spaces/"+orgSpace+"/entries?sort=colour", nil); r.status != 400 {
		t.Fatalf("bad sort: %d", r.status)
	}
	// Move and rename a file.
	moved := o.c.must(200, "PATCH", base+"/files/"+f["id"].(string), map[string]any{"name": "CV.txt", "folder_id": nil})
	if moved["folder_id"] != nil || moved["name"] != "CV.txt" {
		t.Fatalf("moved: %v", moved)
	}
}

// TestFilesQuota: an upload past the space's quota is refused before any byte is stored, and
// concurrent uploads cannot together pass it.
func TestFilesQuota(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Quota Co", "o@quota.example")
	personal := spaceOf(t, o.c, o.orgID, "personal")
	if err := e.stack.db.Exec(`UPDATE spaces SET quota_bytes = 1000 WHERE id = ?`, personal).Error; err != nil {
		t.Fatal(err)
	}
	mustUpload(t, o.c, o.orgID, personal, "", "a.bin", pseudo(600))
	r := upload(o.c, o.orgID, personal, "", "b.bin", pseudo(401))
	if r.status != 409 || r.errorCode(t) != "quota_exceeded" {
		t.Fatalf("over quota: %d %s", r.status, r.body)
	}
	var pending, versions int64
	e.stack.db.Raw(`SELECT count(*) FROM pending_objects`).Scan(&pending)
	e.stack.db.Raw(`SELECT count(*) FROM file_versions`).Scan(&versions)
	if pending != 0 || versions != 1 {
		t.Fatalf("after a refused upload: %d pending objects, %d versions", pending, versions)
	}
	// Two uploads of 300 bytes each fit alone (600 + 300 <= 1000) but not together.
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			statuses[i] = upload(o.c, o.orgID, personal, "", fmt.Sprintf("c%d.bin", i), pseudo(300)).status
		}(i)
	}
	wg.Wait()
	if statuses[0]+statuses[1] != 201+409 || (statuses[0] != 201 && statuses[0] != 409) {
		t.Fatalf("concurrent uploads: %v, want one 201 and one 409", statuses)
	}
	var used int64
	e.stack.db.Raw(`SELECT used_bytes FROM spaces WHERE id = ?`, personal).Scan(&used)
	if used != 900 {
		t.Fatalf("used %d bytes, want 900", used)
	}
}

// TestFilesTenantIsolation: a member of another organisation gets 404 for every files route
// and id of this one, through their own organisation's path and through this one's.
func TestFilesTenantIsolation(t *testing.T) {
	e := newTestEnv(t)
	a := e.mustFilesOrg("Alpha Files", "o@alpha-files.example")
	b := e.mustFilesOrg("Beta Files", "o@beta-files.example")
	space := spaceOf(t, a.c, a.orgID, "organisation")
	folder := a.c.must(201, "POST", "/api/v1/orgs/"+a.orgID+"/spaces/"+space+"/folders", map[string]any{"name": "Secret"})["id"].(string)
	file := mustUpload(t, a.c, a.orgID, space, folder, "plan.txt", []byte("the plan"))["id"].(string)
	for _, org := range []string{b.orgID, a.orgID} {
		p := "/api/v1/orgs/" + org
		for _, rq := range []struct{ method, path string }{
			{"GET", p + "/spaces/" + space}, {"GET", p + "/spaces/" + space + "/entries"}, {"POST", p + "/spaces/" + space + "/folders"},
			{"GET", p + "/folders/" + folder}, {"PATCH", p + "/folders/" + folder}, {"GET", p + "/files/" + file},
			{"PATCH", p + "/files/" + file}, {"GET", p + "/files/" + file + "/content"}, {"GET", p + "/files/" + file + "/thumbnail"},
		} {
			r := b.c.do(rq.method, rq.path, map[string]any{"name": "x"})
			if r.status != 404 {
				t.Errorf("%s %s as another org's owner: %d %s", rq.method, rq.path, r.status, r.body)
			}
		}
		if r := upload(b.c, org, space, "", "x.txt", []byte("x")); r.status != 404 {
			t.Errorf("upload into another org's space via %s: %d %s", org, r.status, r.body)
		}
		if r := upload(b.c, org, "", folder, "x.txt", []byte("x")); r.status != 404 {
			t.Errorf("upload into another org's folder via %s: %d %s", org, r.status, r.body)
		}
	}
}

// TestFilesSpaceMembership: each space is seen by its owner's members only: a department's by
// its whole subtree, a group's by its members, a person's by that person alone (not even the
// organisation's owner); a guest has no personal space and sees no organisation space.
func TestFilesSpaceMembership(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustFilesOrg("Spaces Co", "o@spaces.example")
	eng := d.mustDept("", "Engineering")
	backend := d.mustDept(eng, "Backend")
	group := d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Launch"})["id"].(string)
	dev, devID := e.mustJoin(d.mustInvite(map[string]any{}), "dev@spaces.example")
	outsider, _ := e.mustJoin(d.mustInvite(map[string]any{}), "outsider@spaces.example")
	guest, guestID := e.mustJoin(d.mustInvite(map[string]any{"role": "guest"}), "guest@spaces.example")
	d.c.must(204, "PUT", d.admin("/departments/"+backend+"/members/"+devID), map[string]any{})
	d.c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+devID), map[string]any{})
	d.c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+guestID), map[string]any{})

	kinds := func(c *client) map[string]int {
		out := map[string]int{}
		for _, it := range c.must(200, "GET", d.org("/spaces"), nil)["items"].([]any) {
			out[it.(map[string]any)["kind"].(string)]++
		}
		return out
	}
	// dev: personal, organisation, Engineering and Backend (the subtree's member sees both), Launch.
	if k := kinds(dev); k["personal"] != 1 || k["organisation"] != 1 || k["department"] != 2 || k["group"] != 1 {
		t.Fatalf("dev's spaces: %v", k)
	}
	if k := kinds(guest); k["personal"] != 0 || k["organisation"] != 0 || k["group"] != 1 {
		t.Fatalf("guest's spaces: %v", k)
	}
	engSpace := ""
	for _, it := range dev.must(200, "GET", d.org("/spaces"), nil)["items"].([]any) {
		if sp := it.(map[string]any); sp["kind"] == "department" && sp["owner_id"] == eng {
			engSpace = sp["id"].(string)
		}
	}
	groupSpace := spaceOf(t, dev, d.orgID, "group")
	personal := spaceOf(t, dev, d.orgID, "personal")
	inEng := mustUpload(t, dev, d.orgID, engSpace, "", "design.txt", []byte("design"))["id"].(string)
	inGroup := mustUpload(t, dev, d.orgID, groupSpace, "", "launch.txt", []byte("launch"))["id"].(string)
	private := mustUpload(t, dev, d.orgID, personal, "", "diary.txt", []byte("dear diary"))["id"].(string)

	for _, c := range []struct {
		who    string
		c      *client
		file   string
		status int
	}{
		{"outsider, Engineering's file", outsider, inEng, 404},
		{"outsider, Launch's file", outsider, inGroup, 404},
		{"guest, Launch's file", guest, inGroup, 200},
		{"guest, Engineering's file", guest, inEng, 404},
		{"the owner, dev's personal file", d.c, private, 404},
		{"the owner, Engineering's file (files.manage)", d.c, inEng, 200},
		{"dev, own personal file", dev, private, 200},
	} {
		if r := c.c.do("GET", d.org("/files/"+c.file), nil); r.status != c.status {
			t.Errorf("%s: %d, want %d: %s", c.who, r.status, c.status, r.body)
		}
	}
	// A guest reads the group's files but writes nothing, and has no personal space to upload to.
	if r := upload(guest, d.orgID, groupSpace, "", "g.txt", []byte("x")); r.status != 403 {
		t.Errorf("guest upload into the group space: %d %s", r.status, r.body)
	}
	if r := upload(guest, d.orgID, "", "", "g.txt", []byte("x")); r.status != 403 {
		t.Errorf("guest upload without a target: %d %s", r.status, r.body)
	}
	// An outsider cannot upload into a space they cannot see: 404, as if it did not exist.
	if r := upload(outsider, d.orgID, groupSpace, "", "o.txt", []byte("x")); r.status != 404 {
		t.Errorf("outsider upload into the group space: %d %s", r.status, r.body)
	}
}

// TestFilesMoveFollowsLegalHolds: a file moved into a held folder is held (its delete refused
// even with no retention left), and moved out again it is released.
func TestFilesMoveFollowsLegalHolds(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Hold Moves", "o@hold-moves.example")
	o.c.must(200, "PUT", o.admin("/files/policy"), map[string]any{"min_retention_days": 0})
	space := spaceOf(t, o.c, o.orgID, "organisation")
	held := o.c.must(201, "POST", o.org("/spaces/"+space+"/folders"), map[string]any{"name": "Evidence"})["id"].(string)
	o.c.must(204, "PUT", o.org("/holds/folder/"+held), nil)
	f := mustUpload(t, o.c, o.orgID, space, "", "memo.txt", []byte("memo"))["id"].(string)

	o.c.must(200, "PATCH", o.org("/files/"+f), map[string]any{"folder_id": held})
	if r := o.c.do("DELETE", o.org("/files/"+f), nil); r.status != 409 || r.errorCode(t) != "legal_hold" {
		t.Fatalf("delete after moving into a held folder: %d %s", r.status, r.body)
	}
	// A member who may write but not place holds cannot take it out of the hold by moving it.
	member, _ := e.mustJoin(o.mustInvite(map[string]any{}), "member@hold-moves.example")
	if r := member.do("PATCH", o.org("/files/"+f), map[string]any{"folder_id": nil}); r.status != 409 || r.errorCode(t) != "legal_hold" {
		t.Fatalf("a member moves a held file out: %d %s", r.status, r.body)
	}
	// Someone with files.legal_hold can, and the file is then released.
	o.c.must(200, "PATCH", o.org("/files/"+f), map[string]any{"folder_id": nil})
	o.c.must(204, "DELETE", o.org("/files/"+f), nil)
}
