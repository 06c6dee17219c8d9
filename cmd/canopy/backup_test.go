package main

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"canopy/infra/config"
	"canopy/infra/localenv"
	"canopy/infra/localenv/localtest"
)

// backedUpFile is one file the backup test expects back: its organisation's owner, and the bytes
// of each version in order.
type backedUpFile struct {
	org      dir
	id       string
	versions [][]byte
	trashed  bool
}

// mustBackupCmd runs `canopy admin ARGS` on cfg, as the shell would, with the project-local
// PostgreSQL's programs, and returns what it printed.
func mustBackupCmd(t *testing.T, cfg config.Config, args ...string) string {
	t.Helper()
	out, err := runBackupCmd(t, cfg, args...)
	if err != nil {
		t.Fatalf("canopy admin %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func runBackupCmd(t *testing.T, cfg config.Config, args ...string) (string, error) {
	t.Helper()
	bin, err := localenv.PostgresBinDir(context.Background(), localenv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = admin(context.Background(), cfg, append(args, "--pg-bin", bin), &out)
	return out.String(), err
}

// dbPassword is the password in a database URL, which no output may show.
func dbPassword(t *testing.T, raw string) string {
	t.Helper()
	_, pw, err := splitPassword(raw)
	if err != nil || len(pw) < 8 {
		t.Fatalf("the test database URL has no password to hide (%v)", err)
	}
	return pw
}

// TestBackupAndRestoreEveryFile backs up an installation with `canopy admin backup`, loses it
// (the database is dropped; the bucket, whose locked objects cannot be deleted, is abandoned for
// a new one), restores it with `canopy admin restore` into an empty database and a new bucket,
// and starts Canopy on them: sign-in and listings work, every version of every file (trash
// included) reads back byte for byte, and the objects carry their Object Lock retention and
// legal holds again.
func TestBackupAndRestoreEveryFile(t *testing.T) {
	e := newTestEnv(t)

	// Keep Co keeps every version 3 days: its objects are locked, one of its files is held.
	keep := e.mustFilesOrg("Keep Co", "o@keep-backup.example")
	keepSpace := spaceOf(t, keep.c, keep.orgID, "organisation")
	folder := keep.c.must(201, "POST", keep.org("/spaces/"+keepSpace+"/folders"), map[string]any{"name": "Reports"})["id"].(string)
	report := backedUpFile{org: keep.dir, versions: [][]byte{[]byte("Q1 draft"), []byte("Q1 final, signed"), pseudo(70_000)}}
	for _, v := range report.versions {
		report.id = mustUpload(t, keep.c, keep.orgID, keepSpace, folder, "q1.bin", v)["id"].(string)
	}
	photo := backedUpFile{org: keep.dir, versions: [][]byte{append(append([]byte{}, pngHeader...), pseudo(5000)...)}}
	photo.id = mustUpload(t, keep.c, keep.orgID, keepSpace, "", "相片.png", photo.versions[0])["id"].(string)
	empty := backedUpFile{org: keep.dir, versions: [][]byte{{}}}
	empty.id = mustUpload(t, keep.c, keep.orgID, keepSpace, folder, "empty.txt", nil)["id"].(string)
	keep.c.must(204, "PUT", keep.org("/holds/file/"+photo.id), nil)

	// Tidy Co keeps nothing: files can go to the trash at once, and a member has a personal file.
	tidy := e.zeroDayOrg("Tidy Co", "o@tidy-backup.example", nil)
	tidySpace := spaceOf(t, tidy.c, tidy.orgID, "organisation")
	notes := backedUpFile{org: tidy.dir, versions: [][]byte{[]byte("notes one"), []byte("notes two")}}
	for _, v := range notes.versions {
		notes.id = mustUpload(t, tidy.c, tidy.orgID, tidySpace, "", "notes.txt", v)["id"].(string)
	}
	binned := backedUpFile{org: tidy.dir, trashed: true, versions: [][]byte{[]byte("old plan"), []byte("older plan, revised")}}
	for _, v := range binned.versions {
		binned.id = mustUpload(t, tidy.c, tidy.orgID, tidySpace, "", "plan.txt", v)["id"].(string)
	}
	tidy.c.must(204, "DELETE", tidy.org("/files/"+binned.id), nil)
	member, _ := e.mustJoin(tidy.mustInvite(nil), "member@tidy-backup.example")
	diary := backedUpFile{org: tidy.dir, versions: [][]byte{[]byte("dear diary")}}
	diary.id = mustUpload(t, member, tidy.orgID, spaceOf(t, member, tidy.orgID, "personal"), "", "diary.txt", diary.versions[0])["id"].(string)
	files := []backedUpFile{report, photo, empty, notes, binned, diary}

	oldKey, oldVersion := e.objectOf(t, report.id)
	availableUntil := map[string]string{} // object key -> the version's available_until
	rows, err := e.stack.db.Raw(`SELECT object_key, to_char(available_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') FROM file_versions`).Rows()
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k, at string
		if err := rows.Scan(&k, &at); err != nil {
			t.Fatal(err)
		}
		availableUntil[k] = at
	}
	rows.Close()
	if len(availableUntil) != 10 {
		t.Fatalf("%d versions stored, want 10", len(availableUntil))
	}

	// Back up, with the real command.
	backup := filepath.Join(t.TempDir(), "backup")
	pw := dbPassword(t, e.stack.cfg.Database.URL)
	out := mustBackupCmd(t, e.stack.cfg, "backup", "--out", backup)
	if strings.Contains(out, pw) || !strings.Contains(out, "backup complete") || !strings.Contains(out, "objects: 10 ") {
		t.Fatalf("backup printed: %s", out)
	}
	m, err := readManifest(backup)
	if err != nil || len(m.Objects) != 10 {
		t.Fatalf("manifest: %v, %d objects", err, len(m.Objects))
	}
	if _, err := runBackupCmd(t, e.stack.cfg, "backup", "--out", backup); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("a backup into a used folder: %v", err)
	}

	// Lose everything: the database goes; the old bucket's objects are locked, so it is left as
	// it is and the restore goes into a new bucket.
	dropTestDatabase(t, e.stack.cfg.Database.URL)
	// Restore into an empty database and a new bucket.
	cfg := e.stack.cfg
	cfg.Database.URL = localtest.MustEmptyDatabase(t)
	cfg.ObjectStore.FileBucket = localtest.MustBucketName(t)
	out = mustBackupCmd(t, cfg, "restore", "--from", backup)
	if strings.Contains(out, pw) || !strings.Contains(out, "objects: 10 copied") {
		t.Fatalf("restore printed: %s", out)
	}

	// Canopy on the restored database and bucket.
	r := newTestEnv(t, func(c *config.Config) {
		c.Database.URL, c.ObjectStore.FileBucket = cfg.Database.URL, cfg.ObjectStore.FileBucket
	})
	owners := map[string]*client{}
	for _, o := range []dir{keep.dir, tidy.dir} {
		c := r.client()
		c.mustLogin(o.email, o.pw)
		owners[o.orgID] = c
	}
	memberAgain := r.client()
	memberAgain.mustLogin("member@tidy-backup.example", "Quiet-Meadow-member@tidy-backup.example")

	// Listings and the trash.
	entries := owners[keep.orgID].must(200, "GET", keep.org("/spaces/"+keepSpace+"/entries"), nil)["items"].([]any)
	var names []string
	for _, it := range entries {
		e := it.(map[string]any)
		names = append(names, e[e["type"].(string)].(map[string]any)["name"].(string))
	}
	if strings.Join(names, ",") != "Reports,相片.png" {
		t.Fatalf("Keep Co's space lists %v", names)
	}
	found := owners[keep.orgID].must(200, "GET", keep.org("/spaces/"+keepSpace+"/entries?q="+url.QueryEscape("q1")), nil)
	if found["total"].(float64) != 1 {
		t.Fatalf("search in the restored space: %v", found)
	}
	trash := owners[tidy.orgID].must(200, "GET", tidy.org("/trash"), nil)["items"].([]any)
	if len(trash) != 1 || trash[0].(map[string]any)["id"] != binned.id {
		t.Fatalf("Tidy Co's trash: %v", trash)
	}
	owners[tidy.orgID].must(200, "POST", tidy.org("/trash/"+binned.id+"/restore"), nil)

	// Every version of every file, byte for byte.
	for _, f := range files {
		c := owners[f.org.orgID]
		if f.id == diary.id {
			c = memberAgain
		}
		detail := c.must(200, "GET", f.org.org("/files/"+f.id), nil)
		if n := len(detail["versions"].([]any)); n != len(f.versions) {
			t.Fatalf("file %s has %d versions, want %d", f.id, n, len(f.versions))
		}
		for i, want := range f.versions {
			got := c.raw("GET", f.org.org(fmt.Sprintf("/files/%s/content?version=%d", f.id, i+1)), "", nil)
			if got.status != 200 || !bytes.Equal(got.body, want) {
				t.Errorf("file %s version %d: %d, %d bytes, want %d bytes", f.id, i+1, got.status, len(got.body), len(want))
			}
		}
	}

	// The objects are new versions in the new bucket, locked again until each version's date.
	newKey, newVersion := r.objectOf(t, report.id)
	if newKey != oldKey || newVersion == oldVersion || newVersion == "" {
		t.Fatalf("restored object %s@%s, was %s@%s", newKey, newVersion, oldKey, oldVersion)
	}
	var locked int
	rows, err = r.stack.db.Raw(`SELECT object_key, object_version, legal_hold, file_id FROM file_versions`).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var key, version, fileID string
		var held bool
		if err := rows.Scan(&key, &version, &held, &fileID); err != nil {
			t.Fatal(err)
		}
		until := r.retainedUntil(t, key, version)
		if strings.HasPrefix(key, keep.orgID) {
			if until.IsZero() || !sameSecond(t, availableUntil[key], until) || !until.After(time.Now()) {
				t.Errorf("object %s: retained until %v, want %s", key, until, availableUntil[key])
			}
			locked++
		} else if !until.IsZero() {
			t.Errorf("object %s of a 0-day organisation retained until %v", key, until)
		}
		if held != (fileID == photo.id) || r.legalHold(t, key, version) != held {
			t.Errorf("object %s: legal hold %v in the row, %v in the store", key, held, r.legalHold(t, key, version))
		}
	}
	if locked != 5 {
		t.Fatalf("%d locked objects, want 5", locked)
	}
	if n := r.count(t, `SELECT count(*) FROM file_versions WHERE locked_until IS NULL OR locked_until < available_until OR legal_hold <> hold_applied`); n != 0 {
		t.Fatalf("%d versions whose locks the sweeper would have to re-apply", n)
	}
	r.sweep(t) // nothing left to tidy up, and the sweeper runs on the restored rows
}

// TestRestoreRefusesANonEmptyDatabase: a restore into a database with tables in it stops before
// it writes anything, with an error that says why and shows no password.
func TestRestoreRefusesANonEmptyDatabase(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Solo Co", "o@solo-backup.example")
	mustUpload(t, o.c, o.orgID, spaceOf(t, o.c, o.orgID, "organisation"), "", "a.txt", []byte("a"))
	backup := filepath.Join(t.TempDir(), "backup")
	mustBackupCmd(t, e.stack.cfg, "backup", "--out", backup)

	target := newTestEnv(t) // a migrated database: tables, but no organisation
	cfg := target.stack.cfg
	_, err := runBackupCmd(t, cfg, "restore", "--from", backup)
	if err == nil || !strings.Contains(err.Error(), "not empty") || strings.Contains(err.Error(), dbPassword(t, cfg.Database.URL)) {
		t.Fatalf("restore into a migrated database: %v", err)
	}
	if n := target.count(t, `SELECT count(*) FROM organisations`); n != 0 {
		t.Fatalf("the refused restore wrote %d organisations", n)
	}
	if ok, err := target.stack.store.HasVersion(context.Background(), "x", "y", 0); err != nil || ok {
		t.Fatalf("store: %v %v", ok, err)
	}

	// Neither is a folder without a manifest a backup.
	if err := os.Remove(filepath.Join(backup, manifestName)); err != nil {
		t.Fatal(err)
	}
	cfg.Database.URL = localtest.MustEmptyDatabase(t)
	if _, err := runBackupCmd(t, cfg, "restore", "--from", backup); err == nil || !strings.Contains(err.Error(), "unfinished") {
		t.Fatalf("restore from a folder without a manifest: %v", err)
	}
}

// dropTestDatabase drops the database a URL names, closing its connections.
func dropTestDatabase(t *testing.T, raw string) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	c, err := pgx.Connect(context.Background(), localtest.MustServices(t).PostgresAdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(context.Background(), `DROP DATABASE `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
		t.Fatal(err)
	}
}

// TestRestoreIntoTheSameBucketKeepsItsObjects: when only the database is lost, a restore into
// the bucket the backup was taken from keeps the object versions still there (versions are
// immutable) rather than storing them again, and every file reads back. A legal hold placed
// after the backup is never lifted by the restore: it stays on the object, becomes a hold on
// the file in the restored database (which the sweeper then honours) and is printed for review.
// The backup is readable by its owner only, and the restore ends every session.
func TestRestoreIntoTheSameBucketKeepsItsObjects(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Same Co", "o@same-backup.example")
	space := spaceOf(t, o.c, o.orgID, "organisation")
	body := pseudo(20_000)
	id := mustUpload(t, o.c, o.orgID, space, "", "data.bin", body)["id"].(string)
	key, version := e.objectOf(t, id)
	plain := mustUpload(t, o.c, o.orgID, space, "", "plain.txt", []byte("never held"))["id"].(string)
	plainKey, plainVersion := e.objectOf(t, plain)
	// An existing, empty folder others may read becomes private.
	backup := filepath.Join(t.TempDir(), "backup")
	if err := os.Mkdir(backup, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(backup, 0o755); err != nil {
		t.Fatal(err)
	}
	mustBackupCmd(t, e.stack.cfg, "backup", "--out", backup)
	if err := filepath.WalkDir(backup, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := os.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	// After the backup, the file is put under a legal hold, which reaches the object.
	o.c.must(204, "PUT", o.org("/holds/file/"+id), nil)
	e.sweep(t)
	if !e.legalHold(t, key, version) {
		t.Fatal("the hold placed after the backup did not reach the object")
	}
	dropTestDatabase(t, e.stack.cfg.Database.URL)

	cfg := e.stack.cfg
	cfg.Database.URL = localtest.MustEmptyDatabase(t)
	out := mustBackupCmd(t, cfg, "restore", "--from", backup)
	if !strings.Contains(out, "objects: 0 copied") || !strings.Contains(out, "2 already there") || !strings.Contains(out, "sessions: all ended") {
		t.Fatalf("restore printed: %s", out)
	}
	r := newTestEnv(t, func(c *config.Config) {
		c.Database.URL, c.ObjectStore.FileBucket = cfg.Database.URL, cfg.ObjectStore.FileBucket
	})
	if n := r.count(t, `SELECT count(*) FROM sessions`); n != 0 {
		t.Fatalf("%d sessions from the backup survived the restore", n)
	}
	if !r.legalHold(t, key, version) {
		t.Fatal("the restore lifted the legal hold placed after the backup")
	}
	if !strings.Contains(out, "legal hold kept: object "+key) {
		t.Fatalf("the restore did not print the kept hold for review: %s", out)
	}
	if strings.Contains(out, plainKey) || r.legalHold(t, plainKey, plainVersion) ||
		r.count(t, `SELECT count(*) FROM file_versions WHERE object_key = ? AND NOT legal_hold AND NOT hold_applied`, plainKey) != 1 {
		t.Fatalf("the file never held: printed %s, held %v", out, r.legalHold(t, plainKey, plainVersion))
	}
	if n := r.count(t, `SELECT count(*) FROM legal_holds WHERE target_type = 'file' AND target_id = ?`, id); n != 1 {
		t.Fatalf("the kept hold is recorded %d times", n)
	}
	if n := r.count(t, `SELECT count(*) FROM file_versions WHERE object_key = ? AND legal_hold AND hold_applied`, key); n != 1 {
		t.Fatal("the kept hold is not in the version's row")
	}
	r.sweep(t)
	if !r.legalHold(t, key, version) {
		t.Fatal("the sweeper lifted the kept legal hold")
	}
	c := r.client()
	c.mustLogin(o.email, o.pw)
	if got := c.raw("GET", o.org("/files/"+id+"/content"), "", nil); got.status != 200 || !bytes.Equal(got.body, body) {
		t.Fatalf("the file after the restore: %d, %d bytes", got.status, len(got.body))
	}
	if k, v := r.objectOf(t, id); k != key || v != version {
		t.Fatalf("restored object %s@%s, was %s@%s", k, v, key, version)
	}
	// Reviewed: someone who may place holds releases it, as any other.
	c.must(204, "DELETE", o.org("/holds/file/"+id), nil)
	r.sweep(t)
	if r.legalHold(t, key, version) {
		t.Fatal("the released hold is still on the object")
	}
}

// TestRestoreRefusesADamagedBackup: a backup with an object file changed or missing is refused
// before anything is written, naming the files; once they are repaired, the same command into
// the same (still empty) database succeeds.
func TestRestoreRefusesADamagedBackup(t *testing.T) {
	e := newTestEnv(t)
	o := e.mustFilesOrg("Damaged Co", "o@damaged-backup.example")
	space := spaceOf(t, o.c, o.orgID, "organisation")
	mustUpload(t, o.c, o.orgID, space, "", "a.bin", pseudo(3000))
	mustUpload(t, o.c, o.orgID, space, "", "b.bin", pseudo(4000))
	backup := filepath.Join(t.TempDir(), "backup")
	mustBackupCmd(t, e.stack.cfg, "backup", "--out", backup)
	m, err := readManifest(backup)
	if err != nil || len(m.Objects) != 2 {
		t.Fatalf("manifest: %v, %d objects", err, len(m.Objects))
	}
	changed, missing := filepath.Join(backup, m.Objects[0].File), filepath.Join(backup, m.Objects[1].File)
	good0, err := os.ReadFile(changed)
	if err != nil {
		t.Fatal(err)
	}
	good1, err := os.ReadFile(missing)
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte{}, good0...)
	bad[100] ^= 0xff
	if err := os.WriteFile(changed, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(missing); err != nil {
		t.Fatal(err)
	}

	cfg := e.stack.cfg
	cfg.Database.URL = localtest.MustEmptyDatabase(t)
	cfg.ObjectStore.FileBucket = localtest.MustBucketName(t)
	_, err = runBackupCmd(t, cfg, "restore", "--from", backup)
	if err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), m.Objects[0].File+" (SHA-256 differs)") ||
		!strings.Contains(err.Error(), m.Objects[1].File+" (missing)") {
		t.Fatalf("restore from a damaged backup: %v", err)
	}
	conn, err := pgx.Connect(context.Background(), cfg.Database.URL)
	if err != nil {
		t.Fatal(err)
	}
	var tables int
	err = conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`).Scan(&tables)
	conn.Close(context.Background())
	if err != nil || tables != 0 {
		t.Fatalf("the refused restore left %d tables (%v)", tables, err)
	}

	if err := os.WriteFile(changed, good0, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(missing, good1, 0o600); err != nil {
		t.Fatal(err)
	}
	if out := mustBackupCmd(t, cfg, "restore", "--from", backup); !strings.Contains(out, "objects: 2 copied") {
		t.Fatalf("restore of the repaired backup printed: %s", out)
	}
}

// TestBackupNeverShowsTheDatabasePassword: the password is kept off pg_dump's command line and
// out of every error, also when the database cannot be reached.
func TestBackupNeverShowsTheDatabasePassword(t *testing.T) {
	const pw = "Sup3r-Secret-Pw%"
	cfg := config.Default()
	cfg.Database.URL = "postgres://canopy:" + url.QueryEscape(pw) + "@127.0.0.1:1/canopy?sslmode=disable&connect_timeout=2"
	cfg.ObjectStore.Endpoint, cfg.ObjectStore.AccessKey, cfg.ObjectStore.SecretKey = "127.0.0.1:1", "key", "the-store-secret"
	dsn, got, err := splitPassword(cfg.Database.URL)
	if err != nil || got != pw || strings.Contains(dsn, "Secret") {
		t.Fatalf("splitPassword: %q %q %v", dsn, got, err)
	}
	for _, args := range [][]string{{"backup", "--out", t.TempDir()}, {"restore", "--from", t.TempDir()}} {
		_, err := runBackupCmd(t, cfg, args...)
		if err == nil || strings.Contains(err.Error(), "Secret") {
			t.Fatalf("%s: %v", args[0], err)
		}
	}
	r := newRedactor(cfg)
	if e := r.err(fmt.Errorf("dial %s with %s", cfg.Database.URL, cfg.ObjectStore.SecretKey)); strings.Contains(e.Error(), "Secret") || strings.Contains(e.Error(), "the-store-secret") {
		t.Fatalf("redacted: %v", e)
	}
}
