package main

import (
	"fmt"
	"mime"
	"net/url"
	"strings"
	"testing"
)

// Review of the files module (issue 9): tests from a hostile reading of its routes. Each one
// names what it proves; those that failed when written are findings of the review.

// TestReviewLegalHoldSurvivesMovingOut: a legal hold on a folder keeps what is in it from being
// deleted. A member who may write in the space but holds no files.legal_hold must not be able
// to end that by moving a file (or a sub-folder) out of the held folder and deleting it once its
// retention has passed.
func TestReviewLegalHoldSurvivesMovingOut(t *testing.T) {
	e := newTestEnv(t)
	o := e.zeroDayOrg("Hold Escape", "o@hold-escape.example", nil)
	space := spaceOf(t, o.c, o.orgID, "organisation")
	held := o.mustFolder(space, "", "Evidence")
	sub := o.mustFolder(space, held, "Mail")
	memo := mustUpload(t, o.c, o.orgID, space, held, "memo.txt", []byte("memo"))["id"].(string)
	mail := mustUpload(t, o.c, o.orgID, space, sub, "mail.eml", []byte("mail"))["id"].(string)
	o.c.must(204, "PUT", o.org("/holds/folder/"+held), nil)

	bob, _ := e.member(o, "bob@hold-escape.example")
	wantCode(t, "bob deletes a held file", bob.do("DELETE", o.org("/files/"+memo), nil), 409, "legal_hold")

	// Moving out of the held folder, then deleting: the hold must still stand in the way (or
	// the move be refused).
	bob.do("PATCH", o.org("/files/"+memo), map[string]any{"folder_id": nil})
	if r := bob.do("DELETE", o.org("/files/"+memo), nil); r.status == 204 {
		t.Errorf("a member without files.legal_hold deleted a file of a held folder by moving it out first")
	}
	bob.do("PATCH", o.org("/folders/"+sub), map[string]any{"parent_id": nil})
	if r := bob.do("DELETE", o.org("/folders/"+sub), nil); r.status == 204 {
		t.Errorf("a member without files.legal_hold deleted a held sub-folder (and %s) by moving it out first", mail)
	}
}

// TestReviewMoveToTheRootNeedsWriteThere: an editor of a shared folder of someone's space may
// write in that folder only. Moving a file or a folder from it to the root of the space (where
// they cannot even read) must be refused, as a move into any other folder they cannot write is.
func TestReviewMoveToTheRootNeedsWriteThere(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Root Move", "o@root-move.example")
	personal := spaceOf(t, o.c, o.orgID, "personal")
	projects := o.mustFolder(personal, "", "Projects")
	shared := o.mustFolder(personal, projects, "Shared")
	inner := o.mustFolder(personal, shared, "Inner")
	other := o.mustFolder(personal, "", "Private")
	f := mustUpload(t, o.c, o.orgID, personal, shared, "plan.txt", []byte("plan"))["id"].(string)
	bob, bobID := e.member(o, "bob@root-move.example")
	o.mustShare(o.c, "folder", shared, "user", bobID, "editor")

	// A folder of the space bob cannot write is refused (404: he cannot see it)...
	if r := bob.do("PATCH", o.org("/files/"+f), map[string]any{"folder_id": other}); r.status != 404 {
		t.Fatalf("move into a folder bob cannot see: %d %s", r.status, r.body)
	}
	// ...and so must the root be.
	if r := bob.do("PATCH", o.org("/files/"+f), map[string]any{"folder_id": nil}); r.status < 400 {
		t.Errorf("an editor of a shared folder moved a file to the root of the owner's space: %d %s", r.status, r.body)
	}
	if r := bob.do("PATCH", o.org("/folders/"+inner), map[string]any{"parent_id": nil}); r.status < 400 {
		t.Errorf("an editor of a shared folder moved a folder to the root of the owner's space: %d %s", r.status, r.body)
	}
}

// TestReviewLinkRangeFromByteOneCountsAsDownload: a link with a download limit must not serve
// the file any number of times to whoever asks for it from its second byte ("bytes=1-": all
// but one known byte of the file, uncounted).
func TestReviewLinkRangeFromByteOneCountsAsDownload(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Limit Co", "o@limit.example")
	personal := spaceOf(t, o.c, o.orgID, "personal")
	body := []byte("%PDF-1.7 confidential report body")
	f := mustUpload(t, o.c, o.orgID, personal, "", "report.pdf", body)["id"].(string)
	token, _ := o.mustLink(map[string]any{"target_type": "file", "target_id": f, "max_downloads": 1})
	pub := e.client()
	served := 0
	for range 5 {
		r := pub.rawWith("GET", linkPath(token, "/content"), "", nil, map[string]string{"Range": "bytes=1-"})
		if r.status == 206 && string(r.body) == string(body[1:]) {
			served++
		}
	}
	if served > 1 {
		t.Errorf("a link limited to 1 download served the whole file but its first byte %d times", served)
	}
}

// TestReviewContentHeadersForOddNames: whatever a file is called, Content-Disposition stays one
// well-formed header that gives the name back, and active content (HTML, SVG, XML) is never
// served inline or under its own type.
func TestReviewContentHeadersForOddNames(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Headers Co", "o@headers.example")
	personal := spaceOf(t, o.c, o.orgID, "personal")
	long := strings.Repeat("报", 83) + ".txt" // 253 bytes
	for _, name := range []string{`a"b\c;d=e%20f.txt`, `é"; filename=evil.exe`, "tab\u00a0nbsp 'q'.txt", long, "a=b@c:d$e&f+g.txt"} {
		id := mustUpload(t, o.c, o.orgID, personal, "", name, []byte("plain text"))["id"].(string)
		r := o.c.raw("GET", o.org("/files/"+id+"/content"), "", nil)
		cd := r.header.Values("Content-Disposition")
		if r.status != 200 || len(cd) != 1 || strings.ContainsAny(cd[0], "\r\n") {
			t.Fatalf("%q: %d %q", name, r.status, cd)
		}
		kind, params, err := mime.ParseMediaType(cd[0])
		if err != nil || kind != "attachment" || params["filename"] != name {
			t.Errorf("%q: Content-Disposition %q gives %q %v (%v)", name, cd[0], kind, params, err)
		}
	}
	for name, body := range map[string]string{
		"x.html": "<!DOCTYPE html><html><script>alert(1)</script></html>",
		"x.svg":  `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`,
		"x.png":  "<html><script>alert(1)</script></html>", // a lying extension
		"x.xml":  `<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>`,
	} {
		id := mustUpload(t, o.c, o.orgID, personal, "", name, []byte(body))["id"].(string)
		r := o.c.raw("GET", o.org("/files/"+id+"/content"), "", nil)
		if r.status != 200 || r.header.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") ||
			r.header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(r.header.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("%s: %d %v", name, r.status, r.header)
		}
	}
}

// TestReviewBadInputNeverA500: malformed ids, limits, versions, ranges and names on the files
// routes are 4xx with the JSON error body, never a 500.
func TestReviewBadInputNeverA500(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Bad Input Co", "o@bad-input.example")
	personal := spaceOf(t, o.c, o.orgID, "personal")
	folder := o.mustFolder(personal, "", "F")
	f := mustUpload(t, o.c, o.orgID, personal, "", "f.bin", pseudo(1000))["id"].(string)
	check := func(what string, r response) {
		t.Helper()
		if r.status >= 500 || (r.status >= 400 && r.errorCode(t) == "") {
			t.Errorf("%s: %d %s", what, r.status, r.body)
		}
	}
	for _, p := range []string{
		"/spaces/not-a-uuid", "/spaces/" + folder, "/spaces/" + personal + "/entries?limit=-1", "/spaces/" + personal + "/entries?limit=99999999999999999999",
		"/spaces/" + personal + "/entries?offset=-5", "/spaces/" + personal + "/entries?sort=name;drop", "/spaces/" + personal + "/entries?folder_id=" + f,
		"/spaces/" + personal + "/entries?q=%00", "/spaces/" + personal + "/entries?q=%ff%fe", "/spaces/" + personal + "/entries?q=" + url.QueryEscape(strings.Repeat("报", 5000)),
		"/spaces/" + personal + "/entries?q=%E2%80%8B", "/spaces/" + personal + "/entries?q=" + url.QueryEscape(`%_\`),
		"/folders/" + f, "/files/" + folder, "/files/" + f + "/content?version=-1", "/files/" + f + "/content?version=0", "/files/" + f + "/content?version=abc",
		"/files/" + f + "/content?version=99999999999999999999", "/files/" + f + "/content?version=7",
		"/trash?limit=0", "/trash?offset=abc", "/shared-with-me?limit=100000", "/links?target_type=space&target_id=" + personal,
		"/links?target_type=file", "/shares?target_type=folder&target_id=x",
	} {
		check("GET "+p, o.c.do("GET", o.org(p), nil))
	}
	for _, rng := range []string{"bytes=abc", "bytes=5-1", "bytes=-0", "bytes=0-18446744073709551616", "bytes=99999999999999999999-", "items=0-1",
		"bytes=" + strings.Repeat("0-0,", 2000) + "0-0", "bytes=--1", "bytes=1-2,,3-4", "bytes= 999-1000"} {
		r := o.c.rawWith("GET", o.org("/files/"+f+"/content"), "", nil, map[string]string{"Range": rng})
		check("Range "+rng[:min(len(rng), 40)], r)
	}
	for _, name := range []string{"a\x00b", "\u200b", "\u202etxt.exe", strings.Repeat("a", 256), "", ".", "..", "a/b", "\r\nX-Evil: 1"} {
		r := upload(o.c, o.orgID, personal, "", name, []byte("x"))
		if r.status != 400 {
			t.Errorf("upload named %q: %d %s", name, r.status, r.body)
		}
		check(fmt.Sprintf("rename to %q", name), o.c.do("PATCH", o.org("/files/"+f), map[string]any{"name": name}))
		check(fmt.Sprintf("folder named %q", name), o.c.do("POST", o.org("/spaces/"+personal+"/folders"), map[string]any{"name": name}))
	}
	// A space id given as a folder, a folder of another space, a file as a folder: all 404.
	for _, q := range []string{"space_id=" + folder, "folder_id=" + f, "space_id=" + spaceOf(t, o.c, o.orgID, "organisation") + "&folder_id=" + folder} {
		r := o.c.raw("POST", o.org("/files?name=x.txt&"+q), "application/octet-stream", []byte("x"))
		if r.status != 404 {
			t.Errorf("upload with %s: %d %s", q, r.status, r.body)
		}
	}
	for _, body := range []map[string]any{{"folder_id": 5}, {"folder_id": f}, {"folder_id": personal}, {"name": 7}, {"folder_id": "x"}} {
		check(fmt.Sprintf("PATCH file %v", body), o.c.do("PATCH", o.org("/files/"+f), body))
	}
	for _, body := range []map[string]any{{"parent_id": folder}, {"parent_id": f}, {"parent_id": personal}, {"parent_id": []any{}}} {
		check(fmt.Sprintf("PATCH folder %v", body), o.c.do("PATCH", o.org("/folders/"+folder), body))
	}
	for _, body := range []map[string]any{
		{"target_type": "file", "target_id": f, "max_downloads": -1}, {"target_type": "file", "target_id": f, "expires_at": "yesterday"},
		{"target_type": "file", "target_id": f, "expires_at": "1999-01-01T00:00:00Z"}, {"target_type": "file", "target_id": f, "password": "a\x00bcd"},
		{"target_type": "space", "target_id": personal},
	} {
		check(fmt.Sprintf("link %v", body), o.c.do("POST", o.org("/links"), body))
	}
	check("hold of a bad type", o.c.do("PUT", o.org("/holds/everything/"+f), nil))
	check("restore a live file", o.c.do("POST", o.org("/trash/"+f+"/restore"), nil))
	pub := e.client()
	for _, p := range []string{"%00", strings.Repeat("A", 200), "..%2F..%2Fetc", "x/content?file_id=%00"} {
		check("link "+p[:min(len(p), 20)], pub.do("GET", "/api/v1/links/"+p, nil))
	}
}

// TestReviewNo500ForAFileWithoutThumbnailOrAHugeDownloadLimit: the thumbnail of a file that has
// none (not an image, or not made yet) is 404, and a download limit past what the column holds is
// 400; both were 500 (a NULL thumbnail_key scanned into a string; 1e12 sent to an int4 column).
func TestReviewNo500ForAFileWithoutThumbnailOrAHugeDownloadLimit(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Five Hundred Co", "o@five-hundred.example")
	personal := spaceOf(t, o.c, o.orgID, "personal")
	f := mustUpload(t, o.c, o.orgID, personal, "", "f.bin", pseudo(1000))["id"].(string)
	if r := o.c.do("GET", o.org("/files/"+f+"/thumbnail"), nil); r.status != 404 {
		t.Errorf("the thumbnail of a file that has none: %d %s", r.status, r.body)
	}
	for _, n := range []float64{1 << 31, 1e12} {
		r := o.c.do("POST", o.org("/links"), map[string]any{"target_type": "file", "target_id": f, "max_downloads": n})
		if r.status != 400 {
			t.Errorf("max_downloads %v: %d %s", n, r.status, r.body)
		}
	}
}
