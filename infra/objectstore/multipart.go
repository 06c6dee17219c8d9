package objectstore

import (
	"context"
	"io"
	"time"

	"github.com/minio/minio-go/v7"

	"canopy/domain/errs"
)

// This file holds the S3 multipart calls that resumable (tus) uploads are written with: each
// PATCH streams straight into parts of PartSize, and the bytes a PATCH ends with that do not
// fill a part wait in temporary objects until the next one. All of it is the plain S3 API,
// through minio-go's Core, so any S3 store with Object Lock will do.

func (s *Store) core() minio.Core { return minio.Core{Client: s.client} }

// PartSize returns the size of every part of a multipart upload but the last, PartSize.
func (s *Store) PartSize() int64 { return PartSize }

// NewMultipartUpload starts a multipart upload of the object key and returns its id. The
// object comes into being only when CompleteMultipartUpload is called.
// It returns errs.Unavailable when the store cannot be reached, errs.Internal otherwise.
func (s *Store) NewMultipartUpload(ctx context.Context, key, contentType string) (string, error) {
	id, err := s.core().NewMultipartUpload(ctx, s.cfg.FileBucket, key, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return "", translate(err, "start multipart upload")
	}
	return id, nil
}

// PutObjectPart streams exactly size bytes of r as part number of the multipart upload and
// returns the part's ETag. Nothing is buffered beyond minio-go's own streaming: the body goes to
// the store as it is read, so a reader that fails half-way fails the part, which the store then
// does not keep. Storing a part number again replaces it.
// It returns errs.NotFound (code upload_gone) when the multipart upload no longer exists (it was
// completed or aborted), errs.Unavailable when the store cannot be reached, errs.Internal
// otherwise.
func (s *Store) PutObjectPart(ctx context.Context, key, uploadID string, number int, r io.Reader, size int64) (string, error) {
	part, err := s.core().PutObjectPart(ctx, s.cfg.FileBucket, key, uploadID, number, r, size, minio.PutObjectPartOptions{})
	if err != nil {
		return "", translateMultipart(err, "store part")
	}
	return part.ETag, nil
}

// CompleteMultipartUpload joins the parts (etags[i] is the ETag of part i+1) into the object
// and returns the id and the size of the version it made. The bucket is versioned (Object
// Lock needs it), so the store names the version; a store that leaves the id out of its answer
// is asked for it. Like Put, the version gets no retention here.
// It returns errs.NotFound (code upload_gone) when the multipart upload no longer exists,
// errs.Unavailable when the store cannot be reached, errs.Internal otherwise (also when the store
// keeps no versions, for then Object Lock is not in force).
func (s *Store) CompleteMultipartUpload(ctx context.Context, key, uploadID string, etags []string) (string, int64, error) {
	parts := make([]minio.CompletePart, len(etags))
	for i, etag := range etags {
		parts[i] = minio.CompletePart{PartNumber: i + 1, ETag: etag}
	}
	info, err := s.core().CompleteMultipartUpload(ctx, s.cfg.FileBucket, key, uploadID, parts, minio.PutObjectOptions{})
	if err != nil {
		return "", 0, translateMultipart(err, "complete multipart upload")
	}
	// The answer to a completion carries no size, and the version is read back anyway so that
	// the caller checks what the store holds rather than what it meant to send.
	stat, err := s.Stat(ctx, key, info.VersionID)
	if err != nil {
		return "", 0, err
	}
	if stat.VersionID == "" {
		return "", 0, errs.Internalf("objectstore: bucket %q returned no version id for %q: object lock is not in force", s.cfg.FileBucket, key)
	}
	return stat.VersionID, stat.Size, nil
}

// AbortMultipartUpload drops a multipart upload and every part stored for it. Aborting one that
// is already gone succeeds, so a retried abort is harmless.
// It returns errs.Unavailable when the store cannot be reached, errs.Internal otherwise.
func (s *Store) AbortMultipartUpload(ctx context.Context, key, uploadID string) error {
	err := s.core().AbortMultipartUpload(ctx, s.cfg.FileBucket, key, uploadID)
	if err == nil || minio.ToErrorResponse(err).Code == "NoSuchUpload" {
		return nil
	}
	return translate(err, "abort multipart upload")
}

// StaleMultipartUploads returns up to limit unfinished multipart uploads started before before,
// as their ids by object key, for the sweeper to abort those no upload in progress owns: a
// process that died between starting one and recording it, or a streamed upload cut off for
// good, leaves parts that the store would otherwise keep (and bill) forever.
// It returns errs.Unavailable when the store cannot be reached, errs.Internal otherwise.
func (s *Store) StaleMultipartUploads(ctx context.Context, before time.Time, limit int) (map[string][]string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing when the limit is reached
	out, n := map[string][]string{}, 0
	for u := range s.client.ListIncompleteUploads(ctx, s.cfg.FileBucket, "", true) {
		if u.Err != nil {
			return nil, translate(u.Err, "list multipart uploads")
		}
		if u.Initiated.IsZero() || !u.Initiated.Before(before) {
			continue
		}
		out[u.Key] = append(out[u.Key], u.UploadID)
		if n++; n >= limit {
			break
		}
	}
	return out, nil
}

// PutTemporary streams exactly size bytes of r into a new version of the object key in one
// request and returns the version's id. It is for the bytes an upload holds between requests
// (a tus PATCH that ends short of a part): such a version is never locked, and RemoveTemporary
// removes every version of the key.
// It returns errs.Unavailable when the store cannot be reached, errs.Internal otherwise.
func (s *Store) PutTemporary(ctx context.Context, key string, r io.Reader, size int64) (string, error) {
	if size < 0 {
		return "", errs.Invalidf("size must not be negative")
	}
	info, err := s.core().PutObject(ctx, s.cfg.FileBucket, key, r, size, "", "", minio.PutObjectOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return "", translate(err, "store temporary object")
	}
	if info.VersionID == "" {
		return "", errs.Internalf("objectstore: bucket %q returned no version id for %q: object lock is not in force", s.cfg.FileBucket, key)
	}
	return info.VersionID, nil
}

// OpenTemporary streams one version of a temporary object; the caller closes it.
// It returns errs.NotFound when the version is missing, errs.Unavailable when the store cannot
// be reached, errs.Internal otherwise.
func (s *Store) OpenTemporary(ctx context.Context, key, versionID string) (io.ReadCloser, error) {
	if versionID == "" {
		return nil, errs.Invalidf("a version id is required to read a temporary object")
	}
	c, err := s.Open(ctx, key, versionID, 0, -1)
	if err != nil {
		return nil, err
	}
	return c.Body, nil
}

// RemoveTemporary permanently removes every version of a temporary object; removing one that
// is not there succeeds.
// It returns errs.Unavailable when the store cannot be reached, errs.Internal otherwise.
func (s *Store) RemoveTemporary(ctx context.Context, key string) error {
	return s.RemoveOrphan(ctx, key)
}

// translateMultipart is translate, with a multipart upload that is gone as NotFound. A part
// that is not the one recorded (InvalidPart: a request that lost its lease stored the part again
// with other bytes) leaves nothing to complete either.
func translateMultipart(err error, op string) error {
	if code := minio.ToErrorResponse(err).Code; code == "NoSuchUpload" || code == "InvalidPart" {
		return errs.Wrap(errs.NotFound, "upload_gone", "the upload's stored parts are gone; start the upload again", err)
	}
	return translate(err, op)
}
