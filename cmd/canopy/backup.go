package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"canopy/infra/config"
	"canopy/infra/localenv"
	"canopy/infra/objectstore"
	pgfiles "canopy/infra/postgres/files"
)

// `canopy admin backup` and `canopy admin restore`: the database and the file bucket together,
// in that order (docs/operations.md, "Backup and restore").
//
// A backup folder holds database.dump (pg_dump's custom format), objects/<object key> (one file
// per file version) and manifest.json, written last, which names them with their sizes and
// SHA-256 sums: a folder without a manifest is an unfinished backup.

const (
	manifestName = "manifest.json"
	dumpName     = "database.dump"
	// manifestFormat changes when a backup folder's layout does.
	manifestFormat = 1
)

// backupManifest describes one backup folder.
type backupManifest struct {
	Format    int            `json:"format"`
	CreatedAt time.Time      `json:"created_at"`
	Version   string         `json:"canopy_version"`
	Bucket    string         `json:"bucket"`
	Database  backupFile     `json:"database"`
	Objects   []backupObject `json:"objects"`
}

type backupFile struct {
	File   string `json:"file"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// backupObject is one file version's object. Its key is unique to the version (file_versions
// has a unique index on it, and the server never writes a key twice), so it names the version
// in any bucket; version_id is the S3 version id the row held, which a new bucket replaces.
type backupObject struct {
	Key         string    `json:"key"`
	VersionID   string    `json:"version_id"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	ContentType string    `json:"content_type"`
	RetainUntil time.Time `json:"retain_until"`
	LegalHold   bool      `json:"legal_hold"`
	File        string    `json:"file"`
}

func adminBackup(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	var out, pgBin string
	if err := flags("backup", args, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "the folder to write the backup into (new or empty)")
		fs.StringVar(&pgBin, "pg-bin", "", "the folder of pg_dump (default: PATH, or the project-local PostgreSQL's)")
	}); err != nil {
		return err
	}
	if out == "" {
		return errors.New("backup needs --out DIR")
	}
	conn, err := openBackupTarget(ctx, &cfg, &pgBin)
	if err != nil {
		return err
	}
	red := newRedactor(cfg)
	err = runBackup(ctx, cfg, conn, pgBin, out, stdout)
	return red.err(errors.Join(err, conn.Close(context.Background())))
}

func adminRestore(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	var from, pgBin string
	if err := flags("restore", args, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "the backup folder (made by canopy admin backup)")
		fs.StringVar(&pgBin, "pg-bin", "", "the folder of pg_restore (default: PATH, or the project-local PostgreSQL's)")
	}); err != nil {
		return err
	}
	if from == "" {
		return errors.New("restore needs --from DIR")
	}
	conn, err := openBackupTarget(ctx, &cfg, &pgBin)
	if err != nil {
		return err
	}
	red := newRedactor(cfg)
	err = runRestore(ctx, cfg, conn, pgBin, from, stdout)
	return red.err(errors.Join(err, conn.Close(context.Background())))
}

// openBackupTarget resolves the project-local services (and their PostgreSQL programs) as the
// server does, and connects to the database without migrating it: a restore needs it empty.
func openBackupTarget(ctx context.Context, cfg *config.Config, pgBin *string) (*pgx.Conn, error) {
	local := cfg.Database.URL == ""
	if err := resolveLocal(cfg); err != nil {
		return nil, err
	}
	red := newRedactor(*cfg)
	if *pgBin == "" && local {
		dir, err := localenv.PostgresBinDir(ctx, localenv.Options{DataDir: cfg.Local.DataDir})
		if err != nil {
			return nil, err
		}
		*pgBin = dir
	}
	if _, _, err := splitPassword(cfg.Database.URL); err != nil {
		return nil, err
	}
	conn, err := pgx.Connect(ctx, cfg.Database.URL)
	if err != nil {
		return nil, red.err(fmt.Errorf("connect to the database: %w", err))
	}
	return conn, nil
}

func runBackup(ctx context.Context, cfg config.Config, conn *pgx.Conn, pgBin, out string, stdout io.Writer) error {
	if err := os.MkdirAll(out, 0o700); err != nil {
		return err
	}
	if entries, err := os.ReadDir(out); err != nil {
		return err
	} else if len(entries) > 0 {
		return fmt.Errorf("%s is not empty: a backup goes into a new or empty folder", out)
	}
	// The dump holds password hashes, webhook secrets and token hashes: only the owner may read
	// the folder, also one that existed (empty) with wider permissions.
	if err := os.Chmod(out, 0o700); err != nil {
		return fmt.Errorf("make %s private: %w", out, err)
	}
	var schema bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('file_versions') IS NOT NULL`).Scan(&schema); err != nil {
		return fmt.Errorf("inspect the database: %w", err)
	}
	if !schema {
		return errors.New("the database has no Canopy schema (nothing to back up; canopy migrate creates it)")
	}
	store, err := newBackupStore(cfg)
	if err != nil {
		return err
	}
	// The sweeper's lock, held until every object is copied: no pass can purge an object whose
	// row is in the dump. Waits for a pass under way to finish.
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, pgfiles.SweepLockKey); err != nil {
		return fmt.Errorf("take the sweeper's lock: %w", err)
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, pgfiles.SweepLockKey) //nolint:errcheck

	// One snapshot for the dump and the list of objects, so the list is exactly the rows dumped.
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck
	var snapshot string
	if err := tx.QueryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
		return fmt.Errorf("export a snapshot: %w", err)
	}
	objects, err := referencedObjects(ctx, tx)
	if err != nil {
		return err
	}
	// pg_dump writes into a file created here for the owner alone, whatever the umask, and the
	// mode is set again afterwards in case it replaced the file.
	dump := filepath.Join(out, dumpName)
	f, err := os.OpenFile(dump, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := pgTool(ctx, cfg, pgBin, "pg_dump", "--format=custom", "--no-password", "--snapshot="+snapshot, "--file="+dump); err != nil {
		return err
	}
	if err := os.Chmod(dump, 0o600); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	dbFile, err := describeFile(dump)
	if err != nil {
		return err
	}
	dbFile.File = dumpName
	fmt.Fprintf(stdout, "database: %s (%d bytes)\n", dump, dbFile.Size)

	var total int64
	for i := range objects {
		o := &objects[i]
		o.File = filepath.ToSlash(filepath.Join("objects", o.Key))
		saved, err := store.BackupVersion(ctx, o.Key, o.VersionID, filepath.Join(out, filepath.FromSlash(o.File)))
		if err != nil {
			return fmt.Errorf("object %s: %w", o.Key, err)
		}
		if saved.SHA256 != o.SHA256 || saved.Size != o.Size {
			return fmt.Errorf("object %s: the store holds %d bytes with SHA-256 %s, its row says %d bytes with %s", o.Key, saved.Size, saved.SHA256, o.Size, o.SHA256)
		}
		if saved.RetainUntil.After(o.RetainUntil) {
			o.RetainUntil = saved.RetainUntil
		}
		total += o.Size
	}
	m := backupManifest{Format: manifestFormat, CreatedAt: time.Now().UTC(), Version: version, Bucket: cfg.ObjectStore.FileBucket,
		Database: dbFile, Objects: objects}
	if err := writeManifest(out, m); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "objects: %d (%d bytes)\nbackup complete: %s\n", len(objects), total, filepath.Join(out, manifestName))
	return nil
}

// referencedObjects lists the object of every file version, trash included: what the dump's
// rows point at. Keys must be unique, or two rows would share one object.
func referencedObjects(ctx context.Context, tx pgx.Tx) ([]backupObject, error) {
	rows, err := tx.Query(ctx, `SELECT object_key, object_version, size, sha256, content_type, available_until, legal_hold
		FROM file_versions ORDER BY object_key`)
	if err != nil {
		return nil, fmt.Errorf("list file versions: %w", err)
	}
	defer rows.Close()
	var out []backupObject
	seen := map[string]bool{}
	for rows.Next() {
		var o backupObject
		if err := rows.Scan(&o.Key, &o.VersionID, &o.Size, &o.SHA256, &o.ContentType, &o.RetainUntil, &o.LegalHold); err != nil {
			return nil, err
		}
		if !filepath.IsLocal(o.Key) || strings.Contains(o.Key, `\`) {
			return nil, fmt.Errorf("object key %q cannot name a file", o.Key)
		}
		if seen[o.Key] {
			return nil, fmt.Errorf("object key %q belongs to two file versions", o.Key)
		}
		seen[o.Key] = true
		o.RetainUntil = o.RetainUntil.UTC()
		out = append(out, o)
	}
	return out, rows.Err()
}

func runRestore(ctx context.Context, cfg config.Config, conn *pgx.Conn, pgBin, from string, stdout io.Writer) error {
	m, err := readManifest(from)
	if err != nil {
		return err
	}
	var relations int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
		  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'`).Scan(&relations); err != nil {
		return fmt.Errorf("inspect the database: %w", err)
	}
	if relations > 0 {
		return fmt.Errorf("the database is not empty (%d tables, views or sequences): restore only into a new, empty database (createdb), which database.url names", relations)
	}
	// Every file is checked before anything is written, so a damaged backup is refused with the
	// database and the bucket untouched.
	if err := verifyBackup(from, m); err != nil {
		return err
	}
	dump := filepath.Join(from, dumpName)
	store, err := newBackupStore(cfg)
	if err != nil {
		return err
	}
	if err := store.EnsureBuckets(ctx); err != nil {
		return err
	}

	// First the objects, without locks or holds, then the database: should either fail, the
	// versions stored here are removed again and the database is still empty (pg_restore runs in
	// one transaction), so the same command can simply be run again.
	placed := make([]placedObject, len(m.Objects))
	var copied, kept int
	undo := func(cause error) error {
		for _, p := range placed {
			if p.copied {
				_ = store.Remove(context.Background(), p.Key, p.newVersion)
			}
		}
		return cause
	}
	for i, o := range m.Objects {
		p := placedObject{backupObject: o, newVersion: o.VersionID}
		have, err := store.HasVersion(ctx, o.Key, o.VersionID, o.Size)
		if err != nil {
			return undo(fmt.Errorf("object %s: %w", o.Key, err))
		}
		if have {
			if p.storeHeld, err = store.LegalHold(ctx, o.Key, o.VersionID); err != nil {
				return undo(fmt.Errorf("object %s: %w", o.Key, err))
			}
			kept++
		} else {
			p.newVersion, err = store.RestoreVersion(ctx, o.Key, filepath.Join(from, filepath.FromSlash(o.File)), o.Size, o.SHA256, o.ContentType)
			if err != nil {
				return undo(fmt.Errorf("object %s: %w", o.Key, err))
			}
			p.copied = true
			copied++
		}
		placed[i] = p
	}
	if err := pgTool(ctx, cfg, pgBin, "pg_restore", "--no-password", "--no-owner", "--no-privileges", "--exit-on-error",
		"--single-transaction", dump); err != nil {
		return undo(err)
	}
	fmt.Fprintf(stdout, "database: restored from %s\n", dump)

	// Then retention, holds and the rows. From here on a failure needs a new empty database.
	now := time.Now()
	var keptHolds []placedObject
	for _, p := range placed {
		// The retention the object had, or at least the version's floor, while it lies ahead;
		// a date that has passed has nothing left to enforce (the sweeper only marks it too).
		if p.RetainUntil.After(now) {
			if err := store.Lock(ctx, p.Key, p.newVersion, p.RetainUntil); err != nil {
				return fmt.Errorf("object %s: %w (the database is restored: start again with a new empty database)", p.Key, err)
			}
		}
		// A restore never releases a hold: one the store has and the backup has not was placed
		// after the backup, and is kept (and recorded below).
		if p.LegalHold && !p.storeHeld {
			if err := store.SetLegalHold(ctx, p.Key, p.newVersion, true); err != nil {
				return fmt.Errorf("object %s: %w (the database is restored: start again with a new empty database)", p.Key, err)
			}
		}
		var orgID, fileID string
		err := conn.QueryRow(ctx, `UPDATE file_versions SET object_version = $3, locked_until = $4, hold_applied = $5
			WHERE object_key = $1 AND object_version = $2 RETURNING org_id::text, file_id::text`,
			p.Key, p.VersionID, p.newVersion, p.RetainUntil, p.LegalHold || p.storeHeld).Scan(&orgID, &fileID)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("object %s: no file version in the dump names it", p.Key)
		}
		if err != nil {
			return fmt.Errorf("object %s: record its version: %w", p.Key, err)
		}
		if p.storeHeld && !p.LegalHold {
			p.orgID, p.fileID = orgID, fileID
			keptHolds = append(keptHolds, p)
		}
	}
	// A kept hold becomes a hold on its file (set by nobody: the nil user id), so Canopy's own
	// checks and the sweeper honour it, it lists among the organisation's legal holds for review,
	// and only someone who may place holds can release it, through the audited API.
	for _, p := range keptHolds {
		if _, err := conn.Exec(ctx, `INSERT INTO legal_holds (org_id, target_type, target_id, set_by, set_at)
			VALUES ($1, 'file', $2, '00000000-0000-0000-0000-000000000000', $3) ON CONFLICT DO NOTHING`, p.orgID, p.fileID, now); err != nil {
			return fmt.Errorf("object %s: record its legal hold: %w", p.Key, err)
		}
		if _, err := conn.Exec(ctx, `UPDATE file_versions SET legal_hold = true WHERE org_id = $1 AND file_id = $2`, p.orgID, p.fileID); err != nil {
			return fmt.Errorf("object %s: record its legal hold: %w", p.Key, err)
		}
		fmt.Fprintf(stdout, "legal hold kept: object %s (organisation %s, file %s) is held in the store but not in the backup; it is now a hold on the file, review it under the organisation's legal holds\n",
			p.Key, p.orgID, p.fileID)
	}
	// Thumbnails are made again from the restored versions; uploads that were under way had
	// their parts in the old bucket only, so they end (their clients start again) and free their
	// reservations. Sessions end, so everyone signs in again: a session signed out (or a password
	// changed, or an account disabled) after the backup would otherwise be valid again; unused
	// password reset links go for the same reason.
	if _, err := conn.Exec(ctx, `UPDATE file_versions SET thumbnail_state = 'pending', thumbnail_key = NULL WHERE thumbnail_state = 'done'`); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `DELETE FROM uploads`); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `DELETE FROM sessions`); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `DELETE FROM password_reset_tokens`); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "objects: %d copied into bucket %s, %d already there\n", copied, cfg.ObjectStore.FileBucket, kept)
	fmt.Fprintf(stdout, "sessions: all ended, everyone signs in again\n")
	fmt.Fprintf(stdout, "review: API tokens revoked after the backup are valid again (revoke them again), and changes made since the backup are lost\n")
	fmt.Fprintf(stdout, "restore complete\n")
	return nil
}

// placedObject is a backed-up object once the restore has put it in the bucket: its version
// there, whether it was copied (or already there), and whether the store holds it.
type placedObject struct {
	backupObject
	newVersion    string
	copied        bool
	storeHeld     bool
	orgID, fileID string
}

// verifyBackup checks the dump and every object file against the manifest: present, regular,
// inside the backup folder, of the size and SHA-256 it records.
func verifyBackup(from string, m backupManifest) error {
	dump := filepath.Join(from, dumpName)
	got, err := describeFile(dump)
	if err != nil {
		return fmt.Errorf("the backup is damaged: %w", err)
	}
	if got.Size != m.Database.Size || got.SHA256 != m.Database.SHA256 {
		return fmt.Errorf("the backup is damaged: %s differs from the one the manifest describes (damaged or replaced)", dump)
	}
	var bad []string
	for _, o := range m.Objects {
		if !filepath.IsLocal(filepath.FromSlash(o.File)) {
			return fmt.Errorf("the manifest names a file outside the backup: %q", o.File)
		}
		path := filepath.Join(from, filepath.FromSlash(o.File))
		if fi, err := os.Lstat(path); err != nil {
			bad = append(bad, o.File+" (missing)")
			continue
		} else if !fi.Mode().IsRegular() {
			bad = append(bad, o.File+" (not a regular file)")
			continue
		}
		got, err := describeFile(path)
		switch {
		case err != nil:
			bad = append(bad, o.File+" (unreadable)")
		case got.Size != o.Size:
			bad = append(bad, fmt.Sprintf("%s (%d bytes, the manifest says %d)", o.File, got.Size, o.Size))
		case got.SHA256 != o.SHA256:
			bad = append(bad, o.File+" (SHA-256 differs)")
		}
	}
	if len(bad) > 0 {
		shown := bad
		if len(shown) > 10 {
			shown = shown[:10]
		}
		return fmt.Errorf("the backup is damaged: %d of %d object files differ from the manifest, nothing was restored: %s",
			len(bad), len(m.Objects), strings.Join(shown, "; "))
	}
	return nil
}

func newBackupStore(cfg config.Config) (*objectstore.Store, error) {
	return objectstore.New(objectstore.Config{
		Endpoint: cfg.ObjectStore.Endpoint, AccessKey: cfg.ObjectStore.AccessKey, SecretKey: cfg.ObjectStore.SecretKey,
		UseTLS: cfg.ObjectStore.UseTLS, Region: cfg.ObjectStore.Region, FileBucket: cfg.ObjectStore.FileBucket,
	})
}

// pgTool runs pg_dump or pg_restore on the configured database. The password goes in
// PGPASSWORD, never on the command line, where other users of the machine would see it.
func pgTool(ctx context.Context, cfg config.Config, pgBin, name string, args ...string) error {
	bin := name
	if pgBin != "" {
		bin = filepath.Join(pgBin, name)
	}
	if _, err := exec.LookPath(bin); err != nil {
		return fmt.Errorf("%s not found (install PostgreSQL's client programs, or give --pg-bin DIR): %w", name, err)
	}
	dsn, pw, err := splitPassword(cfg.Database.URL)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, append(args, "--dbname="+dsn)...)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+pw)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// splitPassword returns the database URL without its password, and the password.
func splitPassword(raw string) (string, string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", "", errors.New("database.url must be a postgres:// URL for backup and restore")
	}
	pw := ""
	if u.User != nil {
		pw, _ = u.User.Password()
		u.User = url.User(u.User.Username())
	}
	if q := u.Query(); q.Has("password") {
		pw = q.Get("password")
		q.Del("password")
		u.RawQuery = q.Encode()
	}
	return u.String(), pw, nil
}

// redactor removes the database password and the store's secret key from any text shown.
type redactor struct{ secrets []string }

func newRedactor(cfg config.Config) redactor {
	var r redactor
	if _, pw, err := splitPassword(cfg.Database.URL); err == nil && pw != "" {
		r.secrets = append(r.secrets, pw, url.QueryEscape(pw), url.PathEscape(pw))
	}
	if cfg.ObjectStore.SecretKey != "" {
		r.secrets = append(r.secrets, cfg.ObjectStore.SecretKey)
	}
	return r
}

func (r redactor) err(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range r.secrets {
		if len(s) >= 4 {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

func describeFile(path string) (backupFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return backupFile{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return backupFile{}, err
	}
	return backupFile{File: filepath.Base(path), Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func writeManifest(dir string, m backupManifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, manifestName+".partial")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, manifestName))
}

func readManifest(dir string) (backupManifest, error) {
	var m backupManifest
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if errors.Is(err, os.ErrNotExist) {
		return m, fmt.Errorf("%s has no %s: not a backup, or an unfinished one", dir, manifestName)
	}
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%s: %w", manifestName, err)
	}
	if m.Format != manifestFormat {
		return m, fmt.Errorf("%s: format %d, this canopy reads format %d", manifestName, m.Format, manifestFormat)
	}
	return m, nil
}
