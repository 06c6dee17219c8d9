package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	appfiles "canopy/app/files"
	"canopy/domain/files"
	"canopy/infra/localenv/localtest"
)

// The retention floor, the trash, legal holds, the files policies and the sweeper (issue 9,
// "The retention floor" and "The sweeper").

// s3 is a plain minio-go client on the test's MinIO with the store's own credentials: what a
// bug or an operator with the keys could do, short of the governance bypass.
func (e *testEnv) s3(t testing.TB) *minio.Client {
	t.Helper()
	svc := localtest.MustServices(t)
	c, err := minio.New(svc.MinIOEndpoint, &minio.Options{Creds: credentials.NewStaticV4(svc.MinIOAccessKey, svc.MinIOSecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *testEnv) bucket() string { return e.stack.cfg.ObjectStore.FileBucket }

// objectOf returns the key and version id of a file's current version.
func (e *testEnv) objectOf(t testing.TB, fileID string) (key, version string) {
	t.Helper()
	var row struct{ ObjectKey, ObjectVersion string }
	err := e.stack.db.Raw(`SELECT v.object_key, v.object_version FROM file_versions v JOIN files f ON f.current_version_id = v.id WHERE f.id = ?`, fileID).Scan(&row).Error
	if err != nil || row.ObjectKey == "" {
		t.Fatalf("object of file %s: %v", fileID, err)
	}
	return row.ObjectKey, row.ObjectVersion
}

// exists reports whether the object version is still in the bucket.
func (e *testEnv) exists(t testing.TB, key, version string) bool {
	t.Helper()
	_, err := e.s3(t).StatObject(context.Background(), e.bucket(), key, minio.StatObjectOptions{VersionID: version})
	if err == nil {
		return true
	}
	if code := minio.ToErrorResponse(err).Code; code != "NoSuchKey" && code != "NoSuchVersion" {
		t.Fatalf("stat %s: %v", key, err)
	}
	return false
}

// retainedUntil returns the object version's governance retain-until date, or the zero time.
func (e *testEnv) retainedUntil(t testing.TB, key, version string) time.Time {
	t.Helper()
	mode, until, err := e.s3(t).GetObjectRetention(context.Background(), e.bucket(), key, version)
	if err != nil || until == nil {
		return time.Time{}
	}
	if mode == nil || *mode != minio.Governance {
		t.Fatalf("retention mode of %s: %v, want GOVERNANCE", key, mode)
	}
	return until.UTC()
}

func (e *testEnv) legalHold(t testing.TB, key, version string) bool {
	t.Helper()
	st, err := e.s3(t).GetObjectLegalHold(context.Background(), e.bucket(), key, minio.GetObjectLegalHoldOptions{VersionID: version})
	if err != nil {
		return false
	}
	return st != nil && *st == minio.LegalHoldEnabled
}

// sweep runs one sweeper pass now.
func (e *testEnv) sweep(t testing.TB) appfiles.SweepReport {
	t.Helper()
	r, err := e.stack.files.Sweep(context.Background(), time.Now())
	if err != nil || r.Skipped {
		t.Fatalf("sweep: %+v %v", r, err)
	}
	return r
}

func (e *testEnv) count(t testing.TB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := e.stack.db.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// sameSecond compares a date in JSON with one the store reports (to the second).
func sameSecond(t testing.TB, a string, b time.Time) bool {
	t.Helper()
	ta, err := time.Parse(time.RFC3339Nano, a)
	if err != nil {
		t.Fatal(err)
	}
	d := ta.Sub(b)
	return d > -time.Second && d < time.Second
}

// zeroDayOrg is an organisation whose minimum retention is 0 days (a test organisation), so a
// file may be deleted at once: the window passes without a sleep or a fake clock.
func (e *testEnv) zeroDayOrg(name, email string, more map[string]any) filesOrg {
	o := e.mustFilesOrg(name, email)
	body := map[string]any{"min_retention_days": 0}
	for k, v := range more {
		body[k] = v
	}
	o.c.must(200, "PUT", o.admin("/files/policy"), body)
	return o
}

// TestFilesDeleteInsideTheWindowIsRefusedForEveryone: within the organisation's 3 days nobody
// deletes a file: not its uploader, an admin, the owner or an API token (409 retention_active
// naming the date), nor its folder; and MinIO itself refuses a direct RemoveObject of the
// version, which carries governance retention until available_until.
func TestFilesDeleteInsideTheWindowIsRefusedForEveryone(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Keep Co", "o@keep.example")
	uploader, _ := e.mustJoin(o.mustInvite(nil), "uploader@keep.example")
	admin, adminID := e.mustJoin(o.mustInvite(nil), "admin@keep.example")
	o.c.must(200, "PUT", o.admin("/users/"+adminID+"/role"), map[string]any{"role": "admin"})
	token := e.tokenClient(o.c.must(201, "POST", o.org("/tokens"), map[string]any{"name": "ci"})["secret"].(string))

	space := spaceOf(t, uploader, o.orgID, "organisation")
	folder := uploader.must(201, "POST", o.org("/spaces/"+space+"/folders"), map[string]any{"name": "Reports"})["id"].(string)
	f := mustUpload(t, uploader, o.orgID, space, folder, "q3.pdf", []byte("%PDF-1.4 quarterly figures"))
	id, until := f["id"].(string), f["available_until"].(string)
	untilT, _ := time.Parse(time.RFC3339Nano, until)
	if d := untilT.Sub(time.Now()); d < 71*time.Hour || d > 73*time.Hour {
		t.Fatalf("available_until %s is not 3 days ahead", until)
	}

	for name, c := range map[string]*client{"uploader": uploader, "admin": admin, "owner": o.c, "API token": token} {
		r := c.do("DELETE", o.org("/files/"+id), nil)
		wantCode(t, name+" deletes the file", r, 409, "retention_active")
		if msg := r.json(t)["error"].(map[string]any)["message"].(string); !strings.Contains(msg, untilT.UTC().Format(time.RFC3339)) {
			t.Errorf("%s: message %q does not name the date %s", name, msg, untilT.UTC().Format(time.RFC3339))
		}
		r = c.do("DELETE", o.org("/folders/"+folder), nil)
		wantCode(t, name+" deletes the folder", r, 409, "retention_active")
		if msg := r.json(t)["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "q3.pdf") {
			t.Errorf("%s: folder refusal %q does not name the file", name, msg)
		}
	}
	o.c.must(200, "GET", o.org("/files/"+id), nil)
	o.c.must(200, "GET", o.org("/folders/"+folder), nil)

	key, version := e.objectOf(t, id)
	if got := e.retainedUntil(t, key, version); !sameSecond(t, until, got) {
		t.Fatalf("object retained until %v, want %s", got, until)
	}
	err := e.s3(t).RemoveObject(context.Background(), e.bucket(), key, minio.RemoveObjectOptions{VersionID: version})
	if err == nil {
		t.Fatal("MinIO removed a version within its retention")
	}
	if !e.exists(t, key, version) {
		t.Fatal("the version's object is gone")
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE org_id = ? AND action = 'files.delete'`, o.orgID); n != 0 {
		t.Fatalf("%d deletions audited", n)
	}
}

// TestFilesDeleteAfterTheWindowAndRestore: with a 0-day minimum the delete goes through, to the
// trash; the name is free again; a restore into a taken name gets " (1)"; deleting a folder
// trashes its subtree's files and a restore brings one back to the root; a member sees and
// restores their own personal space's trash but not the organisation's.
func TestFilesDeleteAfterTheWindowAndRestore(t *testing.T) {
	e := newTestEnv(t)
	o := e.zeroDayOrg("Tidy Co", "o@tidy.example", nil)
	space := spaceOf(t, o.c, o.orgID, "organisation")
	first := mustUpload(t, o.c, o.orgID, space, "", "notes.txt", []byte("first notes"))["id"].(string)
	o.c.must(204, "DELETE", o.org("/files/"+first), nil)
	if r := o.c.do("GET", o.org("/files/"+first), nil); r.status != 404 {
		t.Fatalf("a trashed file: %d", r.status)
	}
	if r := o.c.do("DELETE", o.org("/files/"+first), nil); r.status != 404 {
		t.Fatalf("deleting it again: %d", r.status)
	}
	trash := o.c.must(200, "GET", o.org("/trash"), nil)
	if items := trash["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != first || items[0].(map[string]any)["deleted_at"] == nil {
		t.Fatalf("trash: %v", trash)
	}
	second := mustUpload(t, o.c, o.orgID, space, "", "notes.txt", []byte("second notes"))["id"].(string)
	if second == first {
		t.Fatal("the new upload became a version of the trashed file")
	}
	back := o.c.must(200, "POST", o.org("/trash/"+first+"/restore"), nil)
	if back["name"] != "notes (1).txt" || back["deleted_at"] != nil || back["folder_id"] != nil {
		t.Fatalf("restored: %v", back)
	}
	o.c.must(200, "GET", o.org("/files/"+first), nil)
	if r := o.c.do("POST", o.org("/trash/"+first+"/restore"), nil); r.status != 404 {
		t.Fatalf("restoring a live file: %d", r.status)
	}

	folder := o.c.must(201, "POST", o.org("/spaces/"+space+"/folders"), map[string]any{"name": "Old"})["id"].(string)
	sub := o.c.must(201, "POST", o.org("/spaces/"+space+"/folders"), map[string]any{"name": "Older", "parent_id": folder})["id"].(string)
	a := mustUpload(t, o.c, o.orgID, space, folder, "a.txt", []byte("a"))["id"].(string)
	b := mustUpload(t, o.c, o.orgID, space, sub, "b.txt", []byte("b"))["id"].(string)
	o.c.must(204, "DELETE", o.org("/folders/"+folder), nil)
	for _, id := range []string{folder, sub} {
		if r := o.c.do("GET", o.org("/folders/"+id), nil); r.status != 404 {
			t.Fatalf("deleted folder %s: %d", id, r.status)
		}
	}
	ids := map[string]bool{}
	for _, it := range o.c.must(200, "GET", o.org("/trash"), nil)["items"].([]any) {
		ids[it.(map[string]any)["id"].(string)] = true
	}
	if !ids[a] || !ids[b] || len(ids) != 2 {
		t.Fatalf("trash after the folder's deletion: %v", ids)
	}
	if got := o.c.must(200, "POST", o.org("/trash/"+b+"/restore"), nil); got["folder_id"] != nil || got["name"] != "b.txt" {
		t.Fatalf("restored from a deleted folder: %v", got)
	}

	member, _ := e.mustJoin(o.mustInvite(nil), "member@tidy.example")
	mine := spaceOf(t, member, o.orgID, "personal")
	own := mustUpload(t, member, o.orgID, mine, "", "diary.txt", []byte("dear diary"))["id"].(string)
	member.must(204, "DELETE", o.org("/files/"+own), nil)
	items := member.must(200, "GET", o.org("/trash"), nil)["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["id"] != own {
		t.Fatalf("a member's trash: %v", items)
	}
	if r := member.do("POST", o.org("/trash/"+a+"/restore"), nil); r.status != 403 {
		t.Fatalf("a member restores from the organisation's space: %d %s", r.status, r.body)
	}
	member.must(200, "POST", o.org("/trash/"+own+"/restore"), nil)

	for action, want := range map[string]int64{"files.delete": 2, "files.folder_delete": 1, "files.restore": 3} {
		if n := e.count(t, `SELECT count(*) FROM audit_log WHERE org_id = ? AND action = ?`, o.orgID, action); n != want {
			t.Errorf("%s audited %d times, want %d", action, n, want)
		}
	}
}

// TestFilesLegalHold: a hold on a file, a folder or a space blocks deletion even after the
// window and puts an S3 legal hold on every version; releasing one recomputes (a version
// another hold covers stays held); each release is audited; only files.legal_hold may do it.
func TestFilesLegalHold(t *testing.T) {
	e := newTestEnv(t)
	o := e.zeroDayOrg("Counsel Co", "o@counsel.example", nil)
	member, _ := e.mustJoin(o.mustInvite(nil), "member@counsel.example")
	space := spaceOf(t, o.c, o.orgID, "organisation")
	folder := o.c.must(201, "POST", o.org("/spaces/"+space+"/folders"), map[string]any{"name": "Case 42"})["id"].(string)
	f := mustUpload(t, o.c, o.orgID, space, folder, "evidence.txt", []byte("exhibit A"))["id"].(string)
	g := mustUpload(t, o.c, o.orgID, space, "", "other.txt", []byte("unrelated"))["id"].(string)
	key, version := e.objectOf(t, f)

	wantCode(t, "a member sets a hold", member.do("PUT", o.org("/holds/file/"+f), nil), 403, "forbidden")
	o.c.must(204, "PUT", o.org("/holds/file/"+f), nil)
	o.c.must(204, "PUT", o.org("/holds/file/"+f), nil) // already in place: nothing changes
	wantCode(t, "delete a held file", o.c.do("DELETE", o.org("/files/"+f), nil), 409, "legal_hold")
	wantCode(t, "delete a held file's folder", o.c.do("DELETE", o.org("/folders/"+folder), nil), 409, "legal_hold")
	e.sweep(t)
	if !e.legalHold(t, key, version) {
		t.Fatal("no S3 legal hold on the held file's version")
	}
	if err := e.s3(t).RemoveObject(context.Background(), e.bucket(), key, minio.RemoveObjectOptions{VersionID: version}); err == nil || !e.exists(t, key, version) {
		t.Fatalf("MinIO removed a held version: %v", err)
	}

	// A version added to a held file is held too.
	mustUpload(t, o.c, o.orgID, space, folder, "evidence.txt", []byte("exhibit A, amended"))
	for _, v := range o.c.must(200, "GET", o.org("/files/"+f), nil)["versions"].([]any) {
		if !v.(map[string]any)["legal_hold"].(bool) {
			t.Fatalf("version %v of a held file is not held", v.(map[string]any)["number"])
		}
	}

	o.c.must(204, "PUT", o.org("/holds/folder/"+folder), nil)
	o.c.must(204, "PUT", o.org("/holds/space/"+space), nil)
	holds := o.c.must(200, "GET", o.org("/holds"), nil)["items"].([]any)
	names := map[string]string{}
	for _, h := range holds {
		names[h.(map[string]any)["target_type"].(string)] = h.(map[string]any)["name"].(string)
	}
	if len(holds) != 3 || names["file"] != "evidence.txt" || names["folder"] != "Case 42" || names["space"] != "Counsel Co" {
		t.Fatalf("holds: %v", holds)
	}
	held := func(id string) bool { return o.c.must(200, "GET", o.org("/files/"+id), nil)["legal_hold"].(bool) }
	if !held(g) {
		t.Fatal("the space's hold does not cover a file at its root")
	}
	o.c.must(204, "DELETE", o.org("/holds/file/"+f), nil)
	if !held(f) {
		t.Fatal("releasing the file's hold released it though its folder is held")
	}
	o.c.must(204, "DELETE", o.org("/holds/folder/"+folder), nil)
	if !held(f) {
		t.Fatal("releasing the folder's hold released it though its space is held")
	}
	wantCode(t, "delete under a space hold", o.c.do("DELETE", o.org("/files/"+g), nil), 409, "legal_hold")
	o.c.must(204, "DELETE", o.org("/holds/space/"+space), nil)
	if held(f) || held(g) {
		t.Fatal("still held after every hold was released")
	}
	e.sweep(t)
	if e.legalHold(t, key, version) {
		t.Fatal("the S3 legal hold outlived the release")
	}
	o.c.must(204, "DELETE", o.org("/files/"+f), nil)
	if r := o.c.do("DELETE", o.org("/holds/file/"+f), nil); r.status != 404 {
		t.Fatalf("releasing a hold that is not there: %d", r.status)
	}
	if r := o.c.do("PUT", o.org("/holds/drive/"+f), nil); r.status != 404 {
		t.Fatalf("a hold on an unknown kind of target: %d", r.status)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE org_id = ? AND action = 'files.hold_release'`, o.orgID); n != 3 {
		t.Fatalf("%d releases audited, want 3", n)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE org_id = ? AND action = 'files.hold'`, o.orgID); n != 3 {
		t.Fatalf("%d holds audited, want 3", n)
	}
}

// TestFilesRetentionRoutesAnswer404ForAnotherOrganisation: every route of the trash, holds and
// policies answers another organisation's owner 404 for this one's ids, through either
// organisation's path, and changes nothing.
func TestFilesRetentionRoutesAnswer404ForAnotherOrganisation(t *testing.T) {
	e := newTestEnv(t)
	a := e.zeroDayOrg("Alpha Keep", "o@alpha-keep.example", nil)
	b := e.mustFilesOrg("Beta Keep", "o@beta-keep.example")
	space := spaceOf(t, a.c, a.orgID, "organisation")
	folder := a.c.must(201, "POST", a.org("/spaces/"+space+"/folders"), map[string]any{"name": "Ledger"})["id"].(string)
	file := mustUpload(t, a.c, a.orgID, space, folder, "ledger.csv", []byte("a,b"))["id"].(string)
	trashed := mustUpload(t, a.c, a.orgID, space, "", "old.csv", []byte("c,d"))["id"].(string)
	a.c.must(204, "DELETE", a.org("/files/"+trashed), nil)

	for _, org := range []string{b.orgID, a.orgID} {
		p, adm := "/api/v1/orgs/"+org, "/api/v1/admin/orgs/"+org
		for _, rq := range []struct{ method, path string }{
			{"DELETE", p + "/files/" + file}, {"DELETE", p + "/folders/" + folder}, {"POST", p + "/trash/" + trashed + "/restore"},
			{"PUT", p + "/holds/file/" + file}, {"PUT", p + "/holds/folder/" + folder}, {"PUT", p + "/holds/space/" + space},
			{"DELETE", p + "/holds/file/" + file}, {"DELETE", p + "/holds/space/" + space},
			{"GET", adm + "/spaces/" + space + "/policy"}, {"PUT", adm + "/spaces/" + space + "/policy"},
		} {
			if r := b.c.do(rq.method, rq.path, map[string]any{"min_retention_days": 99}); r.status != 404 {
				t.Errorf("%s %s as another organisation's owner: %d %s", rq.method, rq.path, r.status, r.body)
			}
		}
	}
	for _, path := range []string{"/trash", "/holds"} {
		if r := b.c.do("GET", a.org(path), nil); r.status != 404 {
			t.Errorf("GET %s of another organisation: %d", path, r.status)
		}
	}
	for _, path := range []string{"/files/policy", "/spaces"} {
		if r := b.c.do("GET", a.admin(path), nil); r.status != 404 {
			t.Errorf("GET admin %s of another organisation: %d", path, r.status)
		}
	}
	if r := b.c.do("PUT", a.admin("/files/policy"), map[string]any{"min_retention_days": 0}); r.status != 404 {
		t.Errorf("PUT another organisation's policy: %d", r.status)
	}
	if items := b.c.must(200, "GET", b.org("/trash"), nil)["items"].([]any); len(items) != 0 {
		t.Errorf("another organisation's trash shows %v", items)
	}
	if items := b.c.must(200, "GET", b.admin("/spaces"), nil)["items"].([]any); len(items) != 0 {
		for _, it := range items {
			if it.(map[string]any)["id"] == space {
				t.Errorf("another organisation's spaces list this one's")
			}
		}
	}
	a.c.must(200, "GET", a.org("/files/"+file), nil)
	a.c.must(200, "GET", a.org("/folders/"+folder), nil)
	if n := e.count(t, `SELECT count(*) FROM legal_holds`); n != 0 {
		t.Errorf("%d holds were placed", n)
	}
	if got := a.c.must(200, "GET", a.admin("/spaces/"+space+"/policy"), nil); got["min_retention_days"].(float64) != 0 {
		t.Errorf("the space's policy changed: %v", got)
	}
}

// spaceNamed returns the id of the caller's space with that name.
func spaceNamed(t testing.TB, c *client, orgID, name string) string {
	t.Helper()
	for _, it := range c.must(200, "GET", "/api/v1/orgs/"+orgID+"/spaces", nil)["items"].([]any) {
		if sp := it.(map[string]any); sp["name"] == name {
			return sp["id"].(string)
		}
	}
	t.Fatalf("no space named %s", name)
	return ""
}

// TestFilesDepartmentAdminManagesTheirSubtreesSpaces: a department admin of Engineering lists
// and sets the policy of Engineering's and Backend's spaces only, never the organisation's
// policy; lengthening Engineering's minimum extends a file already in Backend's space (and,
// after the sweep, its object lock); a minimum below the organisation's is refused; Sales'
// trash is not theirs.
func TestFilesDepartmentAdminManagesTheirSubtreesSpaces(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustFilesOrg("Tree Files", "o@tree-files.example")
	eng := d.mustDept("", "Engineering")
	backend := d.mustDept(eng, "Backend")
	sales := d.mustDept("", "Sales")
	admin, adminID := e.mustJoin(d.mustInvite(nil), "deptadmin@tree-files.example")
	d.c.must(201, "POST", d.admin("/assignments"), map[string]any{"user_id": adminID, "role_id": d.builtinRole("department_admin"), "department_id": eng})
	dev, devID := e.mustJoin(d.mustInvite(nil), "dev@tree-files.example")
	seller, sellerID := e.mustJoin(d.mustInvite(nil), "seller@tree-files.example")
	d.c.must(204, "PUT", d.admin("/departments/"+backend+"/members/"+devID), map[string]any{})
	d.c.must(204, "PUT", d.admin("/departments/"+sales+"/members/"+sellerID), map[string]any{})
	engSpace, backendSpace := spaceNamed(t, dev, d.orgID, "Engineering"), spaceNamed(t, dev, d.orgID, "Backend")
	salesSpace := spaceNamed(t, seller, d.orgID, "Sales")
	orgSpace := spaceOf(t, dev, d.orgID, "organisation")

	listed := map[string]bool{}
	for _, it := range admin.must(200, "GET", d.admin("/spaces"), nil)["items"].([]any) {
		listed[it.(map[string]any)["id"].(string)] = true
	}
	if len(listed) != 2 || !listed[engSpace] || !listed[backendSpace] {
		t.Fatalf("a department admin's spaces: %v (engineering %s, backend %s)", listed, engSpace, backendSpace)
	}
	wantCode(t, "below the organisation's minimum", admin.do("PUT", d.admin("/spaces/"+engSpace+"/policy"), map[string]any{"min_retention_days": 1}), 400, "retention_below_floor")
	if r := admin.do("PUT", d.admin("/spaces/"+salesSpace+"/policy"), map[string]any{"min_retention_days": 30}); r.status != 404 {
		t.Fatalf("a department admin sets Sales' policy: %d %s", r.status, r.body)
	}
	wantCode(t, "the organisation space's policy", admin.do("PUT", d.admin("/spaces/"+orgSpace+"/policy"), map[string]any{"quota_bytes": 1}), 403, "forbidden")
	wantCode(t, "the organisation's policy", admin.do("GET", d.admin("/files/policy"), nil), 403, "forbidden")
	wantCode(t, "the organisation's policy", admin.do("PUT", d.admin("/files/policy"), map[string]any{"min_retention_days": 0}), 403, "forbidden")

	d.c.must(200, "PUT", d.admin("/files/policy"), map[string]any{"min_retention_days": 0})
	sold := mustUpload(t, seller, d.orgID, salesSpace, "", "deal.txt", []byte("signed"))["id"].(string)
	seller.must(204, "DELETE", d.org("/files/"+sold), nil)
	for _, it := range admin.must(200, "GET", d.org("/trash"), nil)["items"].([]any) {
		if it.(map[string]any)["id"] == sold {
			t.Fatal("Sales' trash is listed to Engineering's admin")
		}
	}
	if r := admin.do("POST", d.org("/trash/"+sold+"/restore"), nil); r.status != 404 {
		t.Fatalf("Engineering's admin restores Sales' file: %d %s", r.status, r.body)
	}

	spec := mustUpload(t, dev, d.orgID, backendSpace, "", "spec.txt", []byte("the spec"))
	uploaded, _ := time.Parse(time.RFC3339Nano, spec["current_version"].(map[string]any)["uploaded_at"].(string))
	got := admin.must(200, "PUT", d.admin("/spaces/"+engSpace+"/policy"), map[string]any{"min_retention_days": 20, "quota_bytes": 1 << 30})
	if got["min_retention_days"].(float64) != 20 || got["quota_bytes"].(float64) != 1<<30 || got["links_allowed"] != true {
		t.Fatalf("policy: %v", got)
	}
	until := dev.must(200, "GET", d.org("/files/"+spec["id"].(string)), nil)["available_until"].(string)
	if !sameSecond(t, until, uploaded.Add(20*24*time.Hour)) {
		t.Fatalf("available_until %s after Engineering's minimum went to 20 days (uploaded %s)", until, uploaded)
	}
	key, version := e.objectOf(t, spec["id"].(string))
	e.sweep(t)
	if got := e.retainedUntil(t, key, version); !sameSecond(t, until, got) {
		t.Fatalf("object retained until %v, want %s", got, until)
	}
	wantCode(t, "delete inside the lengthened window", dev.do("DELETE", d.org("/files/"+spec["id"].(string)), nil), 409, "retention_active")
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE org_id = ? AND action = 'files.space_policy'`, d.orgID); n != 1 {
		t.Fatalf("%d space policy changes audited", n)
	}
}

// TestFilesSweeperPurgesOnlyWhatHasExpired: the sweeper purges trash past its days (rows,
// object, usage) and versions past a maximum retention, and leaves alone a held file, a file
// still within its window (even one trashed by going around the service), a version that is
// current while an older one goes.
func TestFilesSweeperPurgesOnlyWhatHasExpired(t *testing.T) {
	e := newTestEnv(t)
	o := e.zeroDayOrg("Sweep Co", "o@sweep.example", map[string]any{"trash_days": 0})
	space := spaceOf(t, o.c, o.orgID, "organisation")
	gone := mustUpload(t, o.c, o.orgID, space, "", "gone.txt", []byte("0123456789"))["id"].(string)
	held := mustUpload(t, o.c, o.orgID, space, "", "held.txt", []byte("keep me"))["id"].(string)
	o.c.must(204, "DELETE", o.org("/files/"+gone), nil)
	o.c.must(204, "DELETE", o.org("/files/"+held), nil)
	o.c.must(204, "PUT", o.org("/holds/file/"+held), nil)
	goneKey, goneVersion := e.objectOf(t, gone)
	heldKey, heldVersion := e.objectOf(t, held)

	k := e.mustFilesOrg("Window Co", "o@window.example")
	kSpace := spaceOf(t, k.c, k.orgID, "organisation")
	kept := mustUpload(t, k.c, k.orgID, kSpace, "", "kept.txt", []byte("within its window"))["id"].(string)
	keptKey, keptVersion := e.objectOf(t, kept)
	if err := e.stack.db.Exec(`UPDATE files SET deleted_at = now() - interval '400 days' WHERE id = ?`, kept).Error; err != nil {
		t.Fatal(err)
	}

	m := e.zeroDayOrg("Max Co", "o@max.example", map[string]any{"max_retention_days": 1})
	mSpace := spaceOf(t, m.c, m.orgID, "organisation")
	old := mustUpload(t, m.c, m.orgID, mSpace, "", "old.txt", []byte("v1"))["id"].(string)
	mustUpload(t, m.c, m.orgID, mSpace, "", "old.txt", []byte("v2"))
	mixed := mustUpload(t, m.c, m.orgID, mSpace, "", "mixed.txt", []byte("v1"))["id"].(string)
	mixedV1Key, mixedV1 := e.objectOf(t, mixed)
	mustUpload(t, m.c, m.orgID, mSpace, "", "mixed.txt", []byte("v2"))
	mixedV2Key, mixedV2 := e.objectOf(t, mixed)
	oldHeld := mustUpload(t, m.c, m.orgID, mSpace, "", "old-held.txt", []byte("v1"))["id"].(string)
	m.c.must(204, "PUT", m.org("/holds/file/"+oldHeld), nil)
	age := `UPDATE file_versions SET uploaded_at = uploaded_at - interval '2 days', available_until = available_until - interval '2 days'
		WHERE file_id = ? AND (? = 0 OR number = ?)`
	for _, a := range []struct {
		id     string
		number int
	}{{old, 0}, {mixed, 1}, {oldHeld, 0}} {
		if err := e.stack.db.Exec(age, a.id, a.number, a.number).Error; err != nil {
			t.Fatal(err)
		}
	}

	r := e.sweep(t)
	if r.FilesPurged != 2 || r.VersionsPurged != 4 || r.Failures != 0 {
		t.Fatalf("sweep: %+v, want gone.txt and old.txt (two versions each, with mixed.txt's first)", r)
	}
	if n := e.count(t, `SELECT count(*) FROM files WHERE id IN (?, ?)`, gone, old); n != 0 {
		t.Fatalf("%d purged files remain", n)
	}
	if e.exists(t, goneKey, goneVersion) || e.exists(t, mixedV1Key, mixedV1) {
		t.Fatal("a purged version's object remains")
	}
	for name, obj := range map[string][2]string{"held": {heldKey, heldVersion}, "in its window": {keptKey, keptVersion}, "current": {mixedV2Key, mixedV2}} {
		if !e.exists(t, obj[0], obj[1]) {
			t.Fatalf("the %s version's object was removed", name)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM files WHERE id IN (?, ?, ?, ?)`, held, kept, mixed, oldHeld); n != 4 {
		t.Fatalf("%d of the four files that must stay remain", n)
	}
	if n := e.count(t, `SELECT version_count FROM files WHERE id = ?`, mixed); n != 2 {
		t.Fatalf("mixed.txt's version count changed to %d", n)
	}
	if n := e.count(t, `SELECT count(*) FROM file_versions WHERE file_id = ?`, mixed); n != 1 {
		t.Fatalf("mixed.txt keeps %d versions, want its current one", n)
	}
	if n := e.count(t, `SELECT used_bytes FROM spaces WHERE id = ?`, space); n != int64(len("keep me")) {
		t.Fatalf("the space uses %d bytes after the purge", n)
	}
	if n := e.count(t, `SELECT used_bytes FROM file_settings WHERE org_id = ?`, o.orgID); n != int64(len("keep me")) {
		t.Fatalf("the organisation uses %d bytes after the purge", n)
	}
	if n := e.count(t, `SELECT count(*) FROM pending_objects`); n != 0 {
		t.Fatalf("%d pending objects after the purge", n)
	}
	if again := e.sweep(t); again.FilesPurged+again.VersionsPurged != 0 {
		t.Fatalf("a second pass purged more: %+v", again)
	}
}

// TestFilesSweeperRemovesOrphansAfterTheGrace: an object written without its row (the process
// died before the commit) is removed once its pending record is older than the grace period,
// with its unfinished multipart upload; a younger one, and one an upload in progress names,
// stay.
func TestFilesSweeperRemovesOrphansAfterTheGrace(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Orphan Co", "o@orphan.example")
	orgID := uuid.MustParse(o.orgID)
	ctx := context.Background()
	put := func(key files.ObjectKey, age time.Duration) string {
		v, err := e.stack.store.Put(ctx, key.String(), bytes.NewReader([]byte("orphan")), 6, "text/plain")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.stack.db.Exec(`INSERT INTO pending_objects (object_key, org_id, created_at) VALUES (?, ?, ?)`, key.String(), orgID, time.Now().Add(-age)).Error; err != nil {
			t.Fatal(err)
		}
		return v
	}
	oldKey, youngKey := files.NewObjectKey(orgID), files.NewObjectKey(orgID)
	oldVersion, youngVersion := put(oldKey, 2*time.Hour), put(youngKey, time.Minute)
	partKey := files.NewObjectKey(orgID)
	core := minio.Core{Client: e.s3(t)}
	uploadID, err := core.NewMultipartUpload(ctx, e.bucket(), partKey.String(), minio.PutObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := core.PutObjectPart(ctx, e.bucket(), partKey.String(), uploadID, 1, bytes.NewReader([]byte("part")), 4, minio.PutObjectPartOptions{}); err != nil {
		t.Fatal(err)
	}
	e.stack.db.Exec(`INSERT INTO pending_objects (object_key, org_id, created_at) VALUES (?, ?, ?)`, partKey.String(), orgID, time.Now().Add(-3*time.Hour))

	r := e.sweep(t)
	if r.OrphansRemoved != 2 {
		t.Fatalf("sweep: %+v, want 2 orphans removed", r)
	}
	if e.exists(t, oldKey.String(), oldVersion) {
		t.Fatal("the orphan past its grace remains")
	}
	if !e.exists(t, youngKey.String(), youngVersion) {
		t.Fatal("an object within its grace was removed")
	}
	for u := range e.s3(t).ListIncompleteUploads(ctx, e.bucket(), partKey.String(), true) {
		if u.Err == nil && u.Key == partKey.String() {
			t.Fatalf("the orphan's multipart upload %s was not aborted", u.UploadID)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM pending_objects WHERE object_key IN (?, ?)`, oldKey.String(), partKey.String()); n != 0 {
		t.Fatalf("%d removed orphans are still pending", n)
	}
	if n := e.count(t, `SELECT count(*) FROM pending_objects WHERE object_key = ?`, youngKey.String()); n != 1 {
		t.Fatal("the young object's record went")
	}
}

// TestFilesSweeperReappliesMissingLocks: a version whose object has no lock (the store failed
// after the commit) gets governance retention until its available_until from the sweeper, and
// then MinIO refuses its removal; a lock left behind by a lengthened minimum is extended.
func TestFilesSweeperReappliesMissingLocks(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Lock Co", "o@lock.example")
	space := spaceOf(t, o.c, o.orgID, "organisation")
	f := mustUpload(t, o.c, o.orgID, space, "", "contract.txt", []byte("terms"))
	id, until := f["id"].(string), f["available_until"].(string)

	// The version now names an object that was never locked, as if the store had failed when
	// the upload committed.
	key := files.NewObjectKey(uuid.MustParse(o.orgID))
	version, err := e.stack.store.Put(context.Background(), key.String(), bytes.NewReader([]byte("terms")), 5, "text/plain")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.stack.db.Exec(`UPDATE file_versions SET object_key = ?, object_version = ?, locked_until = NULL WHERE file_id = ?`, key.String(), version, id).Error; err != nil {
		t.Fatal(err)
	}
	if got := e.retainedUntil(t, key.String(), version); !got.IsZero() {
		t.Fatalf("the new object is already retained until %v", got)
	}
	r := e.sweep(t)
	if r.Relocked != 1 {
		t.Fatalf("sweep: %+v, want one lock re-applied", r)
	}
	if got := e.retainedUntil(t, key.String(), version); !sameSecond(t, until, got) {
		t.Fatalf("re-applied retention until %v, want %s", got, until)
	}
	if err := e.s3(t).RemoveObject(context.Background(), e.bucket(), key.String(), minio.RemoveObjectOptions{VersionID: version}); err == nil {
		t.Fatal("MinIO removed the version after its lock was re-applied")
	}
	if again := e.sweep(t); again.Relocked != 0 {
		t.Fatalf("a second pass locked again: %+v", again)
	}

	o.c.must(200, "PUT", o.admin("/files/policy"), map[string]any{"min_retention_days": 5})
	later := o.c.must(200, "GET", o.org("/files/"+id), nil)["available_until"].(string)
	if sameSecond(t, later, mustTime(t, until)) {
		t.Fatal("lengthening the organisation's minimum did not extend the version")
	}
	e.sweep(t)
	if got := e.retainedUntil(t, key.String(), version); !sameSecond(t, later, got) {
		t.Fatalf("retention until %v after the minimum was lengthened, want %s", got, later)
	}
	o.c.must(200, "PUT", o.admin("/files/policy"), map[string]any{"min_retention_days": 1})
	if again := o.c.must(200, "GET", o.org("/files/"+id), nil)["available_until"].(string); again != later {
		t.Fatalf("shortening the organisation's minimum moved available_until from %s to %s", later, again)
	}
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
