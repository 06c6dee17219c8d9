package main

import (
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	appfiles "canopy/app/files"
)

// Sharing (issue 9, section 7): shares of files and folders with people, groups and
// departments, "shared with me", share links with their passwords, expiry, download limits and
// revocation, and the sharing policy. See docs/files.md.

// member joins o's organisation through an invitation and returns them signed in, with their id.
func (e *testEnv) member(o filesOrg, email string) (*client, string) {
	e.t.Helper()
	return e.mustJoin(o.mustInvite(nil), email)
}

func (o filesOrg) mustFolder(spaceID, parentID, name string) string {
	o.t.Helper()
	body := map[string]any{"name": name}
	if parentID != "" {
		body["parent_id"] = parentID
	}
	return o.c.must(201, "POST", o.org("/spaces/"+spaceID+"/folders"), body)["id"].(string)
}

func (o filesOrg) mustShare(c *client, targetType, targetID, principalType, principalID, role string) map[string]any {
	o.t.Helper()
	return c.must(201, "POST", o.org("/shares"), map[string]any{"target_type": targetType, "target_id": targetID,
		"principal_type": principalType, "principal_id": principalID, "role": role})
}

func (o filesOrg) mustLink(body map[string]any) (token, id string) {
	o.t.Helper()
	m := o.c.must(201, "POST", o.org("/links"), body)
	return m["token"].(string), m["id"].(string)
}

// itemIDs returns the ids of a listing's entries, files and folders alike.
func itemIDs(m map[string]any) []string {
	var out []string
	for _, it := range m["items"].([]any) {
		e := it.(map[string]any)
		if f, ok := e["file"].(map[string]any); ok {
			out = append(out, f["id"].(string))
		} else if f, ok := e["folder"].(map[string]any); ok {
			out = append(out, f["id"].(string))
		}
	}
	return out
}

// TestSharingAFolderWithAGroup: a folder shared with a group gives its members read access to
// everything under it, and it (not what is inside) appears in their "shared with me"; someone
// outside the group gets 404 for all of it; a viewer cannot upload, rename or delete, nor share
// as editor (nobody grants what they do not hold), but may share as viewer and remove their own
// share; someone else's share they may not remove. A share with a department reaches its
// sub-departments, and an editor share lets its people write. Every change is audited.
func TestSharingAFolderWithAGroup(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Share Co", "o@share.example")
	ann, annID := e.member(o, "ann@share.example")
	bob, bobID := e.member(o, "bob@share.example")
	carol, carolID := e.member(o, "carol@share.example")
	group := o.c.must(201, "POST", o.admin("/groups"), map[string]any{"name": "Project"})["id"].(string)
	o.c.must(204, "PUT", o.admin("/groups/"+group+"/members/"+annID), map[string]any{"role": "member"})

	personal := spaceOf(t, o.c, o.orgID, "personal")
	plans := o.mustFolder(personal, "", "Plans")
	sub := o.mustFolder(personal, plans, "Sub")
	a := mustUpload(t, o.c, o.orgID, personal, plans, "a.txt", []byte("plan a"))["id"].(string)
	b := mustUpload(t, o.c, o.orgID, personal, sub, "b.txt", []byte("plan b"))["id"].(string)
	secret := mustUpload(t, o.c, o.orgID, personal, "", "secret.txt", []byte("not shared"))["id"].(string)

	// Before sharing, nobody else sees any of it.
	for _, c := range []*client{ann, bob} {
		if r := c.do("GET", o.org("/files/"+a), nil); r.status != 404 {
			t.Fatalf("before sharing: %d %s", r.status, r.body)
		}
	}
	share := o.mustShare(o.c, "folder", plans, "group", group, "viewer")
	if share["principal_name"] != "Project" || share["role"] != "viewer" || share["target_id"] != plans {
		t.Fatalf("share: %v", share)
	}

	for _, id := range []string{a, b} {
		ann.must(200, "GET", o.org("/files/"+id), nil)
	}
	if r := ann.raw("GET", o.org("/files/"+b+"/content"), "", nil); r.status != 200 || string(r.body) != "plan b" {
		t.Fatalf("a group member downloads a file in a subfolder: %d %s", r.status, r.body)
	}
	listing := ann.must(200, "GET", o.org("/spaces/"+personal+"/entries?folder_id="+plans), nil)
	if ids := itemIDs(listing); len(ids) != 2 {
		t.Fatalf("the shared folder's entries: %v", ids)
	}
	if r := ann.do("GET", o.org("/files/"+secret), nil); r.status != 404 {
		t.Fatalf("a file beside the shared folder: %d", r.status)
	}
	if r := ann.do("GET", o.org("/spaces/"+personal+"/entries"), nil); r.status != 404 {
		t.Fatalf("the root of the space the folder is in: %d", r.status)
	}
	if ids := itemIDs(ann.must(200, "GET", o.org("/shared-with-me"), nil)); len(ids) != 1 || ids[0] != plans {
		t.Fatalf("ann's shared with me: %v, want only the folder", ids)
	}
	for _, path := range []string{"/files/" + a, "/files/" + b, "/files/" + a + "/content", "/folders/" + plans} {
		if r := bob.do("GET", o.org(path), nil); r.status != 404 {
			t.Fatalf("bob, outside the group, GET %s: %d", path, r.status)
		}
	}
	if ids := itemIDs(bob.must(200, "GET", o.org("/shared-with-me"), nil)); len(ids) != 0 {
		t.Fatalf("bob's shared with me: %v", ids)
	}

	// A viewer cannot upload, rename, move or delete.
	wantCode(t, "a viewer uploads", upload(ann, o.orgID, personal, plans, "mine.txt", []byte("x")), 403, "forbidden")
	wantCode(t, "a viewer renames", ann.do("PATCH", o.org("/files/"+a), map[string]any{"name": "renamed.txt"}), 403, "forbidden")
	wantCode(t, "a viewer renames a folder", ann.do("PATCH", o.org("/folders/"+sub), map[string]any{"name": "Renamed"}), 403, "forbidden")
	wantCode(t, "a viewer deletes", ann.do("DELETE", o.org("/files/"+a), nil), 403, "forbidden")
	// Nor share as editor; as viewer they may.
	wantCode(t, "a viewer shares as editor", ann.do("POST", o.org("/shares"), map[string]any{"target_type": "file", "target_id": a,
		"principal_type": "user", "principal_id": bobID, "role": "editor"}), 403, "cannot_grant")
	annShare := o.mustShare(ann, "file", a, "user", bobID, "viewer")["id"].(string)
	bob.must(200, "GET", o.org("/files/"+a), nil)
	if r := bob.do("GET", o.org("/files/"+b), nil); r.status != 404 {
		t.Fatalf("a share of one file opened another: %d", r.status)
	}
	shares := o.c.must(200, "GET", o.org("/shares?target_type=file&target_id="+a), nil)["items"].([]any)
	if len(shares) != 1 || shares[0].(map[string]any)["principal_name"] != "Person bob@share.example" || shares[0].(map[string]any)["created_by"] != annID {
		t.Fatalf("the file's shares: %v", shares)
	}
	wantCode(t, "a viewer removes the owner's share", ann.do("DELETE", o.org("/shares/"+share["id"].(string)), nil), 403, "forbidden")
	ann.must(204, "DELETE", o.org("/shares/"+annShare), nil)
	if r := bob.do("GET", o.org("/files/"+a), nil); r.status != 404 {
		t.Fatalf("after the share was removed: %d", r.status)
	}

	// A department's share reaches its sub-departments; an editor share lets them write.
	eng := o.mustDept("", "Engineering")
	backend := o.mustDept(eng, "Backend")
	o.c.must(204, "PUT", o.admin("/departments/"+backend+"/members/"+carolID), map[string]any{})
	o.mustShare(o.c, "file", secret, "department", eng, "editor")
	carol.must(200, "PATCH", o.org("/files/"+secret), map[string]any{"name": "not-so-secret.txt"})
	if ids := itemIDs(carol.must(200, "GET", o.org("/shared-with-me"), nil)); len(ids) != 1 || ids[0] != secret {
		t.Fatalf("carol's shared with me: %v", ids)
	}
	// Sharing again with the same principal changes the role.
	again := o.mustShare(o.c, "file", secret, "department", eng, "viewer")
	if again["role"] != "viewer" {
		t.Fatalf("shared again: %v", again)
	}
	wantCode(t, "an editor turned viewer renames", carol.do("PATCH", o.org("/files/"+secret), map[string]any{"name": "x.txt"}), 403, "forbidden")

	// Revoking the group's share ends ann's access at once.
	o.c.must(204, "DELETE", o.org("/shares/"+share["id"].(string)), nil)
	if r := ann.do("GET", o.org("/files/"+a), nil); r.status != 404 {
		t.Fatalf("after the group's share was revoked: %d", r.status)
	}

	audit := o.c.must(200, "GET", o.admin("/audit?action=files."), nil)["items"].([]any)
	seen := map[string]int{}
	for _, it := range audit {
		seen[it.(map[string]any)["action"].(string)]++
	}
	if seen["files.share"] != 4 || seen["files.unshare"] != 2 {
		t.Fatalf("audited: %v", seen)
	}
}

// TestSharingAcrossOrganisations: a member of another organisation gets 404 for every sharing
// route, with every id of the first (its files, folders, shares and links), and cannot share
// with someone of the first; the first cannot share with a person, group or department of
// theirs.
func TestSharingAcrossOrganisations(t *testing.T) {
	e := newTestEnv(t)
	a := e.mustFilesOrg("Alpha", "o@alpha-share.example")
	b := e.mustFilesOrg("Beta", "o@beta-share.example")
	personal := spaceOf(t, a.c, a.orgID, "personal")
	folder := a.mustFolder(personal, "", "Docs")
	file := mustUpload(t, a.c, a.orgID, personal, folder, "a.txt", []byte("alpha"))["id"].(string)
	share := a.mustShare(a.c, "file", file, "user", a.ownerID(t), "viewer")["id"].(string)
	_, link := a.mustLink(map[string]any{"target_type": "folder", "target_id": folder})
	bGroup := b.c.must(201, "POST", b.admin("/groups"), map[string]any{"name": "Beta team"})["id"].(string)
	bDept := b.mustDept("", "Beta dept")

	target := func(typ, id string) string { return "?target_type=" + typ + "&target_id=" + id }
	for _, orgID := range []string{b.orgID, a.orgID} {
		base := "/api/v1/orgs/" + orgID
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"POST", "/shares", map[string]any{"target_type": "file", "target_id": file, "principal_type": "user", "principal_id": b.ownerID(t), "role": "viewer"}},
			{"POST", "/shares", map[string]any{"target_type": "folder", "target_id": folder, "principal_type": "group", "principal_id": bGroup, "role": "viewer"}},
			{"GET", "/shares" + target("file", file), nil},
			{"GET", "/shares" + target("folder", folder), nil},
			{"DELETE", "/shares/" + share, nil},
			{"POST", "/links", map[string]any{"target_type": "file", "target_id": file}},
			{"POST", "/links", map[string]any{"target_type": "folder", "target_id": folder}},
			{"GET", "/links" + target("file", file), nil},
			{"GET", "/links" + target("folder", folder), nil},
			{"DELETE", "/links/" + link, nil},
		} {
			r := b.c.do(c.method, base+c.path, c.body)
			if r.status != 404 {
				t.Errorf("B: %s %s: %d %s", c.method, base+c.path, r.status, r.body)
			}
		}
	}
	if r := b.c.do("GET", "/api/v1/orgs/"+a.orgID+"/shared-with-me", nil); r.status != 404 {
		t.Errorf("B: A's shared-with-me: %d", r.status)
	}
	// A cannot share with B's people, groups or departments.
	for typ, id := range map[string]string{"user": b.ownerID(t), "group": bGroup, "department": bDept} {
		r := a.c.do("POST", a.org("/shares"), map[string]any{"target_type": "file", "target_id": file, "principal_type": typ, "principal_id": id, "role": "viewer"})
		if r.status != 404 {
			t.Errorf("A shares with B's %s: %d %s", typ, r.status, r.body)
		}
	}
	// Nothing changed on A's side.
	if n := len(a.c.must(200, "GET", a.org("/shares"+target("file", file)), nil)["items"].([]any)); n != 1 {
		t.Fatalf("A's shares: %d", n)
	}
	if l := a.c.must(200, "GET", a.org("/links"+target("folder", folder)), nil)["items"].([]any); len(l) != 1 || l[0].(map[string]any)["state"] != "active" {
		t.Fatalf("A's links: %v", l)
	}
}

// linkPath is the path of a link's public route.
func linkPath(token, rest string) string { return "/api/v1/links/" + token + rest }

// TestShareLinks: a link opens its own file and nothing else (another file of the same
// organisation is 404), a folder link the files under its folder only; the token is shown once
// (the listing has none) and its URL is the app's /s/<token>; a download limit is enforced
// (a GET from the first byte counts, a later range does not); an expired or revoked link
// answers 404 link_unavailable like an unknown token.
func TestShareLinks(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Links Co", "o@links.example")
	personal := spaceOf(t, o.c, o.orgID, "personal")
	f1 := mustUpload(t, o.c, o.orgID, personal, "", "报告.txt", []byte("the first file"))["id"].(string)
	f2 := mustUpload(t, o.c, o.orgID, personal, "", "other.txt", []byte("the other file"))["id"].(string)
	folder := o.mustFolder(personal, "", "Shared")
	sub := o.mustFolder(personal, folder, "Deeper")
	g1 := mustUpload(t, o.c, o.orgID, personal, folder, "g1.txt", []byte("in the folder"))["id"].(string)
	g2 := mustUpload(t, o.c, o.orgID, personal, sub, "g2.txt", []byte("deeper in it"))["id"].(string)
	beside := mustUpload(t, o.c, o.orgID, personal, o.mustFolder(personal, "", "Beside"), "b.txt", []byte("beside it"))["id"].(string)

	m := o.c.must(201, "POST", o.org("/links"), map[string]any{"target_type": "file", "target_id": f1})
	token := m["token"].(string)
	if len(token) < 22 || m["url"] != e.stack.cfg.Server.PublicURL+"/s/"+token || m["password_required"] != false || m["downloads"].(float64) != 0 {
		t.Fatalf("link: %v", m)
	}
	pub := e.client()
	info := pub.must(200, "GET", linkPath(token, ""), nil)
	if info["name"] != "报告.txt" || info["type"] != "file" || info["unlocked"] != true || info["size"].(float64) != 14 {
		t.Fatalf("public info: %v", info)
	}
	if r := pub.raw("GET", linkPath(token, "/content"), "", nil); r.status != 200 || string(r.body) != "the first file" || r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("public download: %d %s", r.status, r.body)
	}
	for _, other := range []string{f2, g1} {
		if r := pub.do("GET", linkPath(token, "/content?file_id="+other), nil); r.status != 404 {
			t.Fatalf("a file link opened another file: %d %s", r.status, r.body)
		}
	}
	pub.must(200, "GET", linkPath(token, "/content?file_id="+f1), nil)
	listed := o.c.must(200, "GET", o.org("/links?target_type=file&target_id="+f1), nil)["items"].([]any)
	if len(listed) != 1 || listed[0].(map[string]any)["token"] != nil || listed[0].(map[string]any)["downloads"].(float64) != 2 {
		t.Fatalf("the listing shows a token or the wrong count: %v", listed)
	}

	// A folder link: the files under the folder, and no other.
	ftoken, _ := o.mustLink(map[string]any{"target_type": "folder", "target_id": folder})
	finfo := pub.must(200, "GET", linkPath(ftoken, ""), nil)
	entries := finfo["entries"].([]any)
	if finfo["name"] != "Shared" || len(entries) != 2 || entries[0].(map[string]any)["id"] != g2 ||
		strings.Join(toStrings(entries[0].(map[string]any)["path"]), "/") != "Deeper" || entries[1].(map[string]any)["id"] != g1 {
		t.Fatalf("folder link: %v", finfo)
	}
	for id, want := range map[string]string{g1: "in the folder", g2: "deeper in it"} {
		if r := pub.raw("GET", linkPath(ftoken, "/content?file_id="+id), "", nil); r.status != 200 || string(r.body) != want {
			t.Fatalf("a file under the folder: %d %s", r.status, r.body)
		}
	}
	for _, other := range []string{f1, f2, beside, "", "not-an-id"} {
		if r := pub.do("GET", linkPath(ftoken, "/content?file_id="+other), nil); r.status != 404 {
			t.Fatalf("a folder link opened %q: %d", other, r.status)
		}
	}

	// The download limit: on a limited link every request for the content counts, ranges too
	// (a range from byte 1 would otherwise fetch the whole file uncounted).
	ltoken, lid := o.mustLink(map[string]any{"target_type": "file", "target_id": f2, "max_downloads": 2})
	rng := func(r string) map[string]string { return map[string]string{"Range": r} }
	if r := pub.rawWith("GET", linkPath(ltoken, "/content"), "", nil, rng("bytes=4-8")); r.status != 206 || string(r.body) != "other" {
		t.Fatalf("a range: %d %s", r.status, r.body)
	}
	pub.must(200, "GET", linkPath(ltoken, "/content"), nil)
	for _, h := range []map[string]string{nil, rng("bytes=4-8")} {
		r := pub.rawWith("GET", linkPath(ltoken, "/content"), "", nil, h)
		wantCode(t, "a download past the limit", r, 404, "link_unavailable")
	}
	wantCode(t, "a used-up link's page", pub.do("GET", linkPath(ltoken, ""), nil), 404, "link_unavailable")
	if l := o.c.must(200, "GET", o.org("/links?target_type=file&target_id="+f2), nil)["items"].([]any)[0].(map[string]any); l["id"] != lid || l["state"] != "used_up" || l["downloads"].(float64) != 2 {
		t.Fatalf("a used-up link: %v", l)
	}

	// Expired: the link's expiry is moved into the past in the database (no sleeping).
	etoken, eid := o.mustLink(map[string]any{"target_type": "file", "target_id": f2, "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	pub.must(200, "GET", linkPath(etoken, ""), nil)
	if err := e.stack.db.Exec(`UPDATE share_links SET expires_at = now() - interval '1 second' WHERE id = ?`, eid).Error; err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"", "/content"} {
		wantCode(t, "an expired link"+p, pub.do("GET", linkPath(etoken, p), nil), 404, "link_unavailable")
	}
	// Revoked: at once.
	rtoken, rid := o.mustLink(map[string]any{"target_type": "folder", "target_id": folder})
	pub.must(200, "GET", linkPath(rtoken, ""), nil)
	o.c.must(204, "DELETE", o.org("/links/"+rid), nil)
	for _, p := range []string{"", "/content?file_id=" + g1} {
		wantCode(t, "a revoked link"+p, pub.do("GET", linkPath(rtoken, p), nil), 404, "link_unavailable")
	}
	wantCode(t, "an unknown token", pub.do("GET", linkPath("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ""), nil), 404, "link_unavailable")

	// A file in the trash is not served by its link. (It is put there in the database: its
	// retention window forbids deleting it yet.)
	if err := e.stack.db.Exec(`UPDATE files SET deleted_at = now() WHERE id = ?`, f1).Error; err != nil {
		t.Fatal(err)
	}
	wantCode(t, "a trashed file's link", pub.do("GET", linkPath(token, "/content"), nil), 404, "link_unavailable")
}

// TestLinkPasswords: a password link shows nothing but that it needs one until unlocked; a wrong
// password is 403 wrong_password until the address's allowance is used up, then 429 with
// Retry-After, even for the right one; the right one sets an HttpOnly, SameSite=Strict cookie
// scoped to the link's own path, which opens that link and no other.
func TestLinkPasswords(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Locked Co", "o@locked.example")
	personal := spaceOf(t, o.c, o.orgID, "personal")
	f := mustUpload(t, o.c, o.orgID, personal, "", "plans.txt", []byte("locked plans"))["id"].(string)
	token, _ := o.mustLink(map[string]any{"target_type": "file", "target_id": f, "password": "open sesame"})
	other, _ := o.mustLink(map[string]any{"target_type": "file", "target_id": f, "password": "open sesame"})

	var stored int64
	e.stack.db.Raw(`SELECT count(*) FROM share_links WHERE password_hash LIKE '$argon2id$%' AND password_hash NOT LIKE '%open sesame%'`).Scan(&stored)
	if stored != 2 {
		t.Fatalf("%d of 2 passwords stored as argon2id hashes", stored)
	}

	pub := e.client()
	info := pub.must(200, "GET", linkPath(token, ""), nil)
	if info["password_required"] != true || info["unlocked"] != false || info["name"] != nil || info["size"] != nil || info["entries"] != nil {
		t.Fatalf("a locked link shows: %v", info)
	}
	wantCode(t, "content before unlocking", pub.do("GET", linkPath(token, "/content"), nil), 403, "link_locked")
	wantCode(t, "a wrong password", pub.do("POST", linkPath(token, "/unlock"), map[string]string{"password": "open sesame!"}), 403, "wrong_password")

	r := pub.do("POST", linkPath(token, "/unlock"), map[string]string{"password": "open sesame"})
	if r.status != 204 {
		t.Fatalf("unlock: %d %s", r.status, r.body)
	}
	ck := r.header.Get("Set-Cookie")
	for _, want := range []string{"canopy_link=", "Path=/api/v1/links/" + token, "HttpOnly", "SameSite=Strict", "Max-Age="} {
		if !strings.Contains(ck, want) {
			t.Fatalf("the unlock cookie %q lacks %q", ck, want)
		}
	}
	if info := pub.must(200, "GET", linkPath(token, ""), nil); info["unlocked"] != true || info["name"] != "plans.txt" {
		t.Fatalf("unlocked: %v", info)
	}
	if r := pub.raw("GET", linkPath(token, "/content"), "", nil); r.status != 200 || string(r.body) != "locked plans" {
		t.Fatalf("content once unlocked: %d %s", r.status, r.body)
	}
	// The cookie opens its own link only, even when sent to another on purpose.
	grant := strings.TrimPrefix(strings.Split(ck, ";")[0], "canopy_link=")
	wantCode(t, "another link with this link's grant", e.client().rawWith("GET", linkPath(other, "/content"), "", nil,
		map[string]string{"Cookie": "canopy_link=" + grant}), 403, "link_locked")
	wantCode(t, "a forged grant", e.client().rawWith("GET", linkPath(token, "/content"), "", nil,
		map[string]string{"Cookie": "canopy_link=" + strings.Repeat("A", 43)}), 403, "link_locked")

	// Wrong passwords from one address: 403 until the allowance is used up (the one above
	// counted), then 429 with the time to wait, even for the right password.
	limit := appfiles.DefaultSharingConfig.UnlockAddressLimit
	stranger := e.client()
	for i := 1; i < limit; i++ {
		wantCode(t, "wrong password "+strconv.Itoa(i+1), stranger.do("POST", linkPath(other, "/unlock"), map[string]string{"password": "guess " + strconv.Itoa(i)}), 403, "wrong_password")
	}
	for _, pw := range []string{"one more guess", "open sesame"} {
		r := stranger.do("POST", linkPath(other, "/unlock"), map[string]string{"password": pw})
		wantCode(t, "past the limit: "+pw, r, 429, "too_many_attempts")
		if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 1 {
			t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
		}
	}
	// The grant already given still works.
	pub.must(200, "GET", linkPath(token, "/content"), nil)
}

// TestSharingPolicy: links are refused where the organisation forbids them, and where a
// space's policy is stricter than the organisation's (a password, the longest expiry) its
// rules apply. The policies are set in the database here; their routes are tested with them.
func TestSharingPolicy(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Policy Co", "o@policy.example")
	personal := spaceOf(t, o.c, o.orgID, "personal")
	f := mustUpload(t, o.c, o.orgID, personal, "", "p.txt", []byte("policy"))["id"].(string)
	db := e.stack.db

	if err := db.Exec(`INSERT INTO file_settings (org_id, links_allowed) VALUES (?, false)
		ON CONFLICT (org_id) DO UPDATE SET links_allowed = false`, o.orgID).Error; err != nil {
		t.Fatal(err)
	}
	wantCode(t, "links forbidden", o.c.do("POST", o.org("/links"), map[string]any{"target_type": "file", "target_id": f}), 403, "links_not_allowed")

	if err := db.Exec(`UPDATE file_settings SET links_allowed = true, max_link_expiry_days = 30 WHERE org_id = ?`, o.orgID).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`UPDATE spaces SET link_password_required = true, max_link_expiry_days = 7 WHERE id = ?`, personal).Error; err != nil {
		t.Fatal(err)
	}
	in := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339) }
	for _, c := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no password", map[string]any{"expires_at": in(24 * time.Hour)}, "password"},
		{"no expiry", map[string]any{"password": "secret-1"}, "expires_at"},
		{"past the space's 7 days", map[string]any{"password": "secret-1", "expires_at": in(8 * 24 * time.Hour)}, "expires_at"},
		{"in the past", map[string]any{"password": "secret-1", "expires_at": in(-time.Hour)}, "expires_at"},
		{"a negative limit", map[string]any{"password": "secret-1", "expires_at": in(time.Hour), "max_downloads": -1}, "max_downloads"},
	} {
		c.body["target_type"], c.body["target_id"] = "file", f
		r := o.c.do("POST", o.org("/links"), c.body)
		wantCode(t, c.name, r, 400, "invalid_link")
		if !strings.Contains(string(r.body), c.field) {
			t.Fatalf("%s: the error does not name %s: %s", c.name, c.field, r.body)
		}
	}
	o.c.must(201, "POST", o.org("/links"), map[string]any{"target_type": "file", "target_id": f, "password": "secret-1", "expires_at": in(6 * 24 * time.Hour)})

	// A space that forbids links forbids them even where the organisation allows them.
	if err := db.Exec(`UPDATE spaces SET links_allowed = false WHERE id = ?`, personal).Error; err != nil {
		t.Fatal(err)
	}
	wantCode(t, "a space forbids links", o.c.do("POST", o.org("/links"), map[string]any{"target_type": "file", "target_id": f,
		"password": "secret-1", "expires_at": in(time.Hour)}), 403, "links_not_allowed")
}

// TestSharingWithTokens: an API token narrowed to permissions without files.share can neither
// share nor make links; with files.share it can.
func TestSharingWithTokens(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Token Co", "o@tokshare.example")
	personal := spaceOf(t, o.c, o.orgID, "personal")
	f := mustUpload(t, o.c, o.orgID, personal, "", "t.txt", []byte("token"))["id"].(string)
	_, bobID := e.member(o, "bob@tokshare.example")
	share := map[string]any{"target_type": "file", "target_id": f, "principal_type": "user", "principal_id": bobID, "role": "viewer"}
	link := map[string]any{"target_type": "file", "target_id": f}

	reader := e.tokenClient(o.c.must(201, "POST", o.org("/tokens"), map[string]any{"name": "reader", "scopes": []string{"files.read", "files.write"}})["secret"].(string))
	reader.must(200, "GET", o.org("/files/"+f), nil)
	wantCode(t, "a token without files.share shares", reader.do("POST", o.org("/shares"), share), 403, "forbidden")
	wantCode(t, "a token without files.share makes a link", reader.do("POST", o.org("/links"), link), 403, "forbidden")

	sharer := e.tokenClient(o.c.must(201, "POST", o.org("/tokens"), map[string]any{"name": "sharer", "scopes": []string{"files.read", "files.share"}})["secret"].(string))
	sharer.must(201, "POST", o.org("/shares"), share)
	sharer.must(201, "POST", o.org("/links"), link)
	// files.share without files.write shares as viewer only.
	share["role"] = "editor"
	wantCode(t, "a token without files.write shares as editor", sharer.do("POST", o.org("/shares"), share), 403, "cannot_grant")
}

// TestLinkTokensStayOutOfLogs: a link's token, in the API's paths and the app's /s/ page, never
// reaches the log.
func TestLinkTokensStayOutOfLogs(t *testing.T) {
	var logs syncBuffer
	e := newTestEnvLog(t, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	o := e.mustFilesOrg("Quiet Links", "o@quiet-links.example")
	personal := spaceOf(t, o.c, o.orgID, "personal")
	f := mustUpload(t, o.c, o.orgID, personal, "", "q.txt", []byte("quiet"))["id"].(string)
	token, _ := o.mustLink(map[string]any{"target_type": "file", "target_id": f, "password": "quiet-pass"})
	pub := e.client()
	pub.do("GET", linkPath(token, ""), nil)
	pub.do("POST", linkPath(token, "/unlock"), map[string]string{"password": "wrong-pass"})
	pub.do("POST", linkPath(token, "/unlock"), map[string]string{"password": "quiet-pass"})
	pub.do("GET", linkPath(token, "/content"), nil)
	pub.do("GET", "/s/"+token, nil)
	pub.do("GET", "/api/v1/links/"+url.PathEscape(token)+"/nothing-here", nil)
	if strings.Contains(logs.String(), token) {
		t.Fatalf("a link token reached the log:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `"path":"/api/v1/links/[redacted]/content"`) {
		t.Fatalf("the link routes were not logged as expected:\n%s", logs.String())
	}
	_, metrics := e.metrics()
	if strings.Contains(metrics, token) {
		t.Fatalf("a link token reached the metrics:\n%s", metrics)
	}
}
