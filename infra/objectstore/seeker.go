package objectstore

import (
	"context"
	"io"
	"time"

	"github.com/minio/minio-go/v7"
)

// Seeker is an opened object version that reads and seeks, as net/http's ServeContent needs
// for ranges: each seek followed by a read asks the store for the bytes from there on.
type Seeker struct {
	*minio.Object
	info ObjectInfo
}

// Read reads from the current offset; a failure of the store is errs.Unavailable.
func (s *Seeker) Read(p []byte) (int, error) {
	n, err := s.Object.Read(p)
	if err != nil && err != io.EOF {
		err = translate(err, "read object")
	}
	return n, err
}

// Seek moves the offset (the first seek asks the store for the object); a failure of the
// store is errs.Unavailable.
func (s *Seeker) Seek(offset int64, whence int) (int64, error) {
	n, err := s.Object.Seek(offset, whence)
	if err != nil {
		err = translate(err, "seek object")
	}
	return n, err
}

// Size returns the version's length in bytes.
func (s *Seeker) Size() int64 { return s.info.Size }

// ETag returns the store's entity tag of the version.
func (s *Seeker) ETag() string { return s.info.ETag }

// LastModified returns when the version was stored.
func (s *Seeker) LastModified() time.Time { return s.info.LastModified }

// OpenSeeker opens a version (the latest when versionID is empty) for reading with seeks. The
// version is pinned at open, so every range is read from the same bytes. The caller closes it.
// It returns errs.NotFound when there is no such version, errs.Unavailable when the store
// cannot be reached, errs.Internal otherwise.
func (s *Store) OpenSeeker(ctx context.Context, key, versionID string) (*Seeker, error) {
	info, err := s.Stat(ctx, key, versionID)
	if err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.cfg.FileBucket, key, minio.GetObjectOptions{VersionID: info.VersionID})
	if err != nil {
		return nil, translate(err, "open object")
	}
	return &Seeker{Object: obj, info: info}, nil
}
