// Package objectstore is Canopy's adapter to S3-compatible storage, built on minio-go.
package objectstore

import (
	"context"
	"fmt"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Config says where the store is and which buckets Canopy uses.
type Config struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	UseTLS    bool
	Region    string
	// FileBucket holds file versions; it is created with object locking, on which the retention
	// guarantee rests.
	FileBucket string
}

// Store is the object store.
type Store struct {
	client *minio.Client
	cfg    Config
}

// New returns a store client; it does not contact the server.
func New(cfg Config) (*Store, error) {
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseTLS,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("objectstore: %w", err)
	}
	return &Store{client: c, cfg: cfg}, nil
}

// EnsureBuckets creates Canopy's buckets when they are missing. The file bucket gets object
// locking, which S3 can only enable at creation; an existing bucket without it is an error,
// because the retention guarantee would silently not hold.
func (s *Store) EnsureBuckets(ctx context.Context) error {
	exists, err := s.client.BucketExists(ctx, s.cfg.FileBucket)
	if err != nil {
		return fmt.Errorf("objectstore: check bucket %q: %w", s.cfg.FileBucket, err)
	}
	if !exists {
		err := s.client.MakeBucket(ctx, s.cfg.FileBucket, minio.MakeBucketOptions{Region: s.cfg.Region, ObjectLocking: true})
		if err != nil {
			if r := minio.ToErrorResponse(err); r.Code != "BucketAlreadyOwnedByYou" {
				return fmt.Errorf("objectstore: create bucket %q: %w", s.cfg.FileBucket, err)
			}
		}
	}
	enabled, _, _, _, err := s.client.GetObjectLockConfig(ctx, s.cfg.FileBucket)
	if err != nil {
		return fmt.Errorf("objectstore: bucket %q has no object lock configuration (it must be created with object locking): %w", s.cfg.FileBucket, err)
	}
	if enabled != "Enabled" {
		return fmt.Errorf("objectstore: bucket %q does not have object locking enabled", s.cfg.FileBucket)
	}
	return nil
}

// Ping checks that the store answers and the file bucket is there, for readiness.
func (s *Store) Ping(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.cfg.FileBucket)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("objectstore: bucket %q is missing", s.cfg.FileBucket)
	}
	return nil
}

// ObjectLockEnabled reports whether the file bucket has object locking, for tests and checks.
func (s *Store) ObjectLockEnabled(ctx context.Context) (bool, error) {
	enabled, _, _, _, err := s.client.GetObjectLockConfig(ctx, s.cfg.FileBucket)
	if err != nil {
		return false, err
	}
	return enabled == "Enabled", nil
}
