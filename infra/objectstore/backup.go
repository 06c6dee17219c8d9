package objectstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/minio/minio-go/v7"

	"canopy/domain/errs"
)

// This file holds what `canopy admin backup` and `restore` need of the store: one object
// version copied out to a file, and one file copied back in, each checked against the SHA-256
// its row records.

// SavedVersion is what BackupVersion found of a version: its size, its SHA-256 and the retention
// the store enforces on it (the zero time when it has none).
type SavedVersion struct {
	Size        int64
	SHA256      string
	RetainUntil time.Time
}

// BackupVersion copies the version (key, versionID) of the file bucket into the file path, which
// it creates (with its folders) and never overwrites: the bytes go to a temporary file that is
// renamed into place once complete and synced, so a file at path is always a whole version.
// It returns errs.NotFound when the version is not in the store, errs.Unavailable when the store
// cannot be reached, errs.Internal otherwise (a local file that cannot be written among them).
func (s *Store) BackupVersion(ctx context.Context, key, versionID, path string) (SavedVersion, error) {
	if versionID == "" {
		return SavedVersion{}, errs.Invalidf("a version id is required to back up an object")
	}
	if _, err := os.Stat(path); err == nil {
		return SavedVersion{}, errs.Internalf("objectstore: %s already exists; a backup never overwrites a file", path)
	}
	info, err := s.Stat(ctx, key, versionID)
	if err != nil {
		return SavedVersion{}, err
	}
	until, err := s.retainUntil(ctx, key, versionID)
	if err != nil {
		return SavedVersion{}, err
	}
	obj, err := s.client.GetObject(ctx, s.cfg.FileBucket, key, minio.GetObjectOptions{VersionID: versionID})
	if err != nil {
		return SavedVersion{}, translate(err, "read object")
	}
	defer obj.Close()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return SavedVersion{}, errs.Internalf("objectstore: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".partial-*")
	if err != nil {
		return SavedVersion{}, errs.Internalf("objectstore: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), obj)
	if err != nil {
		_ = tmp.Close()
		return SavedVersion{}, translate(err, "read object")
	}
	if n != info.Size {
		_ = tmp.Close()
		return SavedVersion{}, errs.Internalf("objectstore: %s: read %d bytes of %d", key, n, info.Size)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return SavedVersion{}, errs.Internalf("objectstore: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return SavedVersion{}, errs.Internalf("objectstore: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return SavedVersion{}, errs.Internalf("objectstore: %w", err)
	}
	saved := SavedVersion{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	if until != nil {
		saved.RetainUntil = until.UTC()
	}
	return saved, nil
}

// HasVersion reports whether the file bucket holds the version (key, versionID) with the given
// size: a restore into the bucket the backup was taken from keeps what is still there, since
// versions are immutable.
// It returns errs.Unavailable when the store cannot be reached, errs.Internal otherwise.
func (s *Store) HasVersion(ctx context.Context, key, versionID string, size int64) (bool, error) {
	if versionID == "" {
		return false, nil
	}
	info, err := s.client.StatObject(ctx, s.cfg.FileBucket, key, minio.StatObjectOptions{VersionID: versionID})
	if err != nil {
		resp := minio.ToErrorResponse(err)
		// MinIO answers a version id it never issued (one from another store) with a 400.
		if resp.Code == "NoSuchKey" || resp.Code == "NoSuchVersion" || resp.StatusCode == 400 {
			return false, nil
		}
		return false, translate(err, "stat object")
	}
	if info.IsDeleteMarker {
		return false, nil
	}
	return info.Size == size, nil
}

// LegalHold reports whether the version (key, versionID) of the file bucket is under an S3 legal
// hold: a restore into the bucket the backup came from keeps a hold placed after the backup.
// It returns errs.NotFound when the version does not exist, errs.Unavailable when the store
// cannot be reached, errs.Internal otherwise.
func (s *Store) LegalHold(ctx context.Context, key, versionID string) (bool, error) {
	if versionID == "" {
		return false, errs.Invalidf("a version id is required to read a legal hold")
	}
	st, err := s.client.GetObjectLegalHold(ctx, s.cfg.FileBucket, key, minio.GetObjectLegalHoldOptions{VersionID: versionID})
	if err != nil {
		// A version that never had a hold has no legal hold configuration to read.
		if code := minio.ToErrorResponse(err).Code; code == "NoSuchObjectLockConfiguration" {
			return false, nil
		}
		return false, translate(err, "read legal hold")
	}
	return st != nil && *st == minio.LegalHoldEnabled, nil
}

// RestoreVersion stores the file at path under key as a new version of the file bucket and
// returns its version id. The bytes must have the SHA-256 sum256 (hex) and the length size, or
// the new version is removed again (it has no retention yet) and an error returned: a damaged
// backup never becomes a file that reads back differently. Retention is left to the caller (Lock),
// as for uploads.
// It returns errs.Invalid when the bytes differ, errs.Unavailable when the store cannot be
// reached, errs.Internal otherwise.
func (s *Store) RestoreVersion(ctx context.Context, key, path string, size int64, sum256, contentType string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", errs.Internalf("objectstore: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	versionID, err := s.Put(ctx, key, io.TeeReader(f, h), size, contentType)
	if err != nil {
		return "", err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum256 {
		_ = s.Remove(ctx, key, versionID)
		return "", errs.E(errs.Invalid, "checksum_mismatch", fmt.Sprintf("%s: the backup's bytes have SHA-256 %s, the manifest says %s", path, got, sum256))
	}
	return versionID, nil
}
