package objectstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"time"

	"github.com/minio/minio-go/v7"

	"canopy/domain/errs"
)

// PartSize is the fixed size of each part of a streamed upload. minio-go buffers one part at a
// time, so it bounds the memory an upload costs whatever the size of the file.
const PartSize = 16 << 20

// Error codes this package gives the errors it classifies.
const (
	// CodeRetentionActive marks a removal refused because the version's retention has not ended.
	CodeRetentionActive = "retention_active"
	// CodeLegalHold marks a removal refused because the version is under a legal hold.
	CodeLegalHold = "legal_hold_active"
)

// ObjectInfo describes one stored version of an object.
type ObjectInfo struct {
	Key         string
	VersionID   string
	Size        int64 // of the whole version, also when only a range of it is read
	ETag        string
	ContentType string
	// LastModified is when the version was stored; versions are immutable, so it never changes.
	LastModified time.Time
}

// Content is an opened version: Body yields exactly the bytes Start..End (inclusive) of it.
type Content struct {
	Body  io.ReadCloser
	Info  ObjectInfo
	Start int64
	End   int64 // -1 for an empty object
}

// Put streams r into the file bucket under key in parts of PartSize, never holding the whole
// object in memory, and returns the id of the new version. size is the exact length of r, or -1
// when it is not known. The version is stored without retention: Lock applies it once the
// version's row is committed, so that an upload whose row never lands can be removed as an orphan.
// It returns errs.Unavailable when the store cannot be reached, errs.Internal otherwise.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (string, error) {
	if size < -1 {
		return "", errs.Invalidf("size must not be negative")
	}
	info, err := s.client.PutObject(ctx, s.cfg.FileBucket, key, r, size, minio.PutObjectOptions{
		ContentType: contentType,
		PartSize:    PartSize,
	})
	if err != nil {
		return "", translate(err, "store object")
	}
	if info.VersionID == "" {
		// Without versions, Object Lock is not in force and the retention guarantee would not hold.
		return "", errs.Internalf("objectstore: bucket %q returned no version id for %q: object lock is not in force", s.cfg.FileBucket, key)
	}
	return info.VersionID, nil
}

// Lock gives the version governance-mode retention until until. Retention only ever moves later:
// if the version already has a later retain-until date, it is kept. The store itself refuses to
// shorten governance retention without the bypass, which Canopy never asks for.
// It returns errs.Invalid for an empty versionID, errs.NotFound when the version does not exist,
// errs.Unavailable when the store cannot be reached, errs.Internal otherwise.
func (s *Store) Lock(ctx context.Context, key, versionID string, until time.Time) error {
	if versionID == "" {
		return errs.Invalidf("a version id is required to lock an object")
	}
	current, err := s.retainUntil(ctx, key, versionID)
	if err != nil {
		return err
	}
	if current != nil && !current.Before(until) {
		return nil
	}
	mode := minio.Governance
	until = until.UTC()
	err = s.client.PutObjectRetention(ctx, s.cfg.FileBucket, key, minio.PutObjectRetentionOptions{
		Mode:            &mode,
		RetainUntilDate: &until,
		VersionID:       versionID,
	})
	if err == nil {
		return nil
	}
	// Another caller may have extended it past until in between, and the store then refuses to
	// shorten it; then there is nothing to do.
	if now, rerr := s.retainUntil(ctx, key, versionID); rerr == nil && now != nil && !now.Before(until) {
		return nil
	}
	return translate(err, "lock object")
}

// retainUntil returns the version's retain-until date, or nil when it has no retention.
func (s *Store) retainUntil(ctx context.Context, key, versionID string) (*time.Time, error) {
	_, until, err := s.client.GetObjectRetention(ctx, s.cfg.FileBucket, key, versionID)
	if err != nil {
		if minio.ToErrorResponse(err).Code == "NoSuchObjectLockConfiguration" {
			return nil, nil
		}
		return nil, translate(err, "read object retention")
	}
	return until, nil
}

// SetLegalHold places or releases the legal hold on the version; while it is on, nobody can
// remove the version, whatever its retention.
// It returns errs.Invalid for an empty versionID, errs.NotFound when the version does not exist,
// errs.Unavailable when the store cannot be reached, errs.Internal otherwise.
func (s *Store) SetLegalHold(ctx context.Context, key, versionID string, on bool) error {
	if versionID == "" {
		return errs.Invalidf("a version id is required to hold an object")
	}
	status := minio.LegalHoldDisabled
	if on {
		status = minio.LegalHoldEnabled
	}
	err := s.client.PutObjectLegalHold(ctx, s.cfg.FileBucket, key, minio.PutObjectLegalHoldOptions{VersionID: versionID, Status: &status})
	if err != nil {
		return translate(err, "set legal hold")
	}
	return nil
}

// Remove permanently removes one version, without the governance bypass: a version whose
// retention has not ended or which is under a legal hold stays, and the store's refusal is the
// second line of the retention guarantee.
// It returns errs.Conflict with CodeRetentionActive or CodeLegalHold when the store refuses,
// errs.Invalid for an empty versionID (removing without one would only hide the object behind a
// delete marker), errs.Unavailable when the store cannot be reached, errs.Internal otherwise.
// Removing a version that is already gone succeeds, so a retried removal is harmless.
func (s *Store) Remove(ctx context.Context, key, versionID string) error {
	if versionID == "" {
		return errs.Invalidf("a version id is required to remove an object")
	}
	err := s.client.RemoveObject(ctx, s.cfg.FileBucket, key, minio.RemoveObjectOptions{VersionID: versionID})
	if err == nil {
		return nil
	}
	if code := minio.ToErrorResponse(err).Code; code == "NoSuchKey" || code == "NoSuchVersion" {
		return nil
	}
	// S3 answers AccessDenied and MinIO InvalidRequest for a protected version, so the reason is
	// asked of the store rather than read from the error.
	if t := translate(err, "remove object"); errs.Is(t, errs.Unavailable) {
		return t
	}
	return s.whyRefused(ctx, key, versionID, err)
}

// RemoveOrphan permanently removes every version (and delete marker) stored under key, for the
// sweeper, which finds orphans by key and has no row to take a version id from, and aborts any
// multipart upload left unfinished under it (a streamed upload whose process died mid-way).
// Orphans never got a lock, so the store lets them go; should one be locked after all, the
// removal is refused like Remove's, with the same errors.
func (s *Store) RemoveOrphan(ctx context.Context, key string) error {
	if err := s.client.RemoveIncompleteUpload(ctx, s.cfg.FileBucket, key); err != nil {
		if code := minio.ToErrorResponse(err).Code; code != "NoSuchUpload" && code != "NoSuchKey" {
			return translate(err, "abort unfinished upload")
		}
	}
	for obj := range s.client.ListObjects(ctx, s.cfg.FileBucket, minio.ListObjectsOptions{Prefix: key, WithVersions: true}) {
		if obj.Err != nil {
			return translate(obj.Err, "list object versions")
		}
		if obj.Key != key {
			continue
		}
		if err := s.Remove(ctx, key, obj.VersionID); err != nil {
			return err
		}
	}
	return nil
}

// whyRefused classifies a refused removal by asking the store, through the plain S3 Object Lock
// API, whether the version is held or retained. A refusal for any other reason stays as
// translate classifies it (for instance wrong credentials, which no caller can fix, are Internal).
func (s *Store) whyRefused(ctx context.Context, key, versionID string, cause error) error {
	hold, err := s.client.GetObjectLegalHold(ctx, s.cfg.FileBucket, key, minio.GetObjectLegalHoldOptions{VersionID: versionID})
	if err == nil && hold != nil && *hold == minio.LegalHoldEnabled {
		return errs.Wrap(errs.Conflict, CodeLegalHold, "the file is under a legal hold", cause)
	}
	until, err := s.retainUntil(ctx, key, versionID)
	if err == nil && until != nil {
		if until.After(time.Now()) {
			return errs.Wrap(errs.Conflict, CodeRetentionActive,
				"the file is retained until "+until.UTC().Format(time.RFC3339), cause)
		}
	}
	return translate(cause, "remove object")
}

// Stat returns what is stored for the version; an empty versionID means the latest.
// It returns errs.NotFound when there is no such version, errs.Unavailable when the store cannot
// be reached, errs.Internal otherwise.
func (s *Store) Stat(ctx context.Context, key, versionID string) (ObjectInfo, error) {
	info, err := s.client.StatObject(ctx, s.cfg.FileBucket, key, minio.StatObjectOptions{VersionID: versionID})
	if err != nil {
		return ObjectInfo{}, translate(err, "stat object")
	}
	if info.IsDeleteMarker {
		return ObjectInfo{}, errs.NotFoundf("object")
	}
	return ObjectInfo{
		Key:          info.Key,
		VersionID:    info.VersionID,
		Size:         info.Size,
		ETag:         info.ETag,
		ContentType:  info.ContentType,
		LastModified: info.LastModified,
	}, nil
}

// Open streams bytes rangeStart..rangeEnd (inclusive, as in HTTP) of the version; rangeEnd -1,
// or one past the end, means through the last byte, so (0, -1) reads the whole version. The
// caller closes Body. An empty versionID means the latest version at the time of the call; the
// range is read from that same version even if another is stored meanwhile.
// It returns errs.Invalid with code "invalid_range" for a range outside the version,
// errs.NotFound when there is no such version, errs.Unavailable when the store cannot be reached,
// errs.Internal otherwise.
func (s *Store) Open(ctx context.Context, key, versionID string, rangeStart, rangeEnd int64) (*Content, error) {
	info, err := s.Stat(ctx, key, versionID)
	if err != nil {
		return nil, err
	}
	end := rangeEnd
	if end < 0 || end >= info.Size {
		end = info.Size - 1
	}
	if rangeStart < 0 || rangeEnd < -1 || (info.Size > 0 && rangeStart > end) || (info.Size == 0 && rangeStart > 0) {
		return nil, errs.E(errs.Invalid, "invalid_range", fmt.Sprintf("range %d-%d is outside the file of %d bytes", rangeStart, rangeEnd, info.Size))
	}
	opts := minio.GetObjectOptions{VersionID: info.VersionID}
	if info.Size > 0 && (rangeStart > 0 || end < info.Size-1) {
		if err := opts.SetRange(rangeStart, end); err != nil {
			return nil, errs.Wrap(errs.Invalid, "invalid_range", "invalid range", err)
		}
	}
	obj, err := s.client.GetObject(ctx, s.cfg.FileBucket, key, opts)
	if err != nil {
		return nil, translate(err, "open object")
	}
	// GetObject is lazy; Stat makes the request, so a failure surfaces here and not mid-read.
	if _, err := obj.Stat(); err != nil {
		_ = obj.Close()
		return nil, translate(err, "open object")
	}
	return &Content{Body: obj, Info: info, Start: rangeStart, End: end}, nil
}

// translate classifies a minio-go error. Only S3 error codes are looked at, never MinIO's own.
func translate(err error, op string) error {
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("objectstore: %s: %w", op, err)
	}
	resp := minio.ToErrorResponse(err)
	switch resp.Code {
	case "NoSuchKey", "NoSuchVersion":
		return errs.Wrap(errs.NotFound, "not_found", "object not found", err)
	case "ServiceUnavailable", "SlowDown", "RequestTimeout", "InternalError":
		return errs.Wrap(errs.Unavailable, "storage_unavailable", "the file store is unavailable", err)
	}
	if resp.StatusCode == 503 || isConnectionFailure(err) {
		return errs.Wrap(errs.Unavailable, "storage_unavailable", "the file store is unavailable", err)
	}
	return errs.Internalf("objectstore: %s: %w", op, err)
}

// isConnectionFailure reports whether err means the store could not be reached at all.
func isConnectionFailure(err error) bool {
	var ne net.Error
	var ue *url.Error
	var oe *net.OpError
	return errors.As(err, &oe) || errors.As(err, &ue) || errors.As(err, &ne)
}
