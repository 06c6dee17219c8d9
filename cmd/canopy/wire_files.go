package main

import (
	"context"
	"time"

	"gorm.io/gorm"

	"canopy/app/authz"
	appfiles "canopy/app/files"
	"canopy/infra/clock"
	"canopy/infra/config"
	"canopy/infra/media"
	"canopy/infra/objectstore"
	"canopy/infra/password"
	"canopy/infra/pinyin"
	"canopy/infra/postgres"
	pgevents "canopy/infra/postgres/events"
	pgfiles "canopy/infra/postgres/files"
	pgidentity "canopy/infra/postgres/identity"
)

// fileObjects adapts the object store to the files service's port: its opened objects are the
// service's Object.
type fileObjects struct{ *objectstore.Store }

func (o fileObjects) OpenSeeker(ctx context.Context, key, versionID string) (appfiles.Object, error) {
	return o.Store.OpenSeeker(ctx, key, versionID)
}

// filesService builds the files module's service on the stack's database and store.
func filesService(db *gorm.DB, tx *postgres.TxManager, clk clock.System, store *objectstore.Store, z authz.Authorizer, audit authz.Auditor, fc config.Files) *appfiles.Service {
	return appfiles.NewService(appfiles.Deps{
		Tx: tx, Clock: clk, Spaces: pgfiles.NewSpaces(db), Folders: pgfiles.NewFolders(db, pinyin.Keys), Files: pgfiles.NewFiles(db, pinyin.Keys),
		Store: pgfiles.NewStore(db), Objects: fileObjects{store}, Directory: pgfiles.NewDirectory(db), Media: media.Media{}, Events: pgevents.NewStore(db),
		Authorizer: z, Audit: audit, MaxUploadBytes: fc.MaxUploadBytes,
		Sweep: appfiles.SweepConfig{Interval: fc.SweepInterval, OrphanGrace: fc.OrphanGrace},
		Sharing: appfiles.SharingDeps{Shares: pgfiles.NewShares(db), Links: pgfiles.NewLinks(db),
			Hasher: password.NewHasher(password.OWASP), Limiter: pgidentity.NewAttemptLimiter(db, clk.Now)},
		Tus: appfiles.TusDeps{Uploads: pgfiles.NewTusUploads(db), Multipart: store},
	})
}

// makeThumbnails runs the thumbnail job: it drains the pending versions in batches, then waits
// a few seconds before looking again. Replicas share the work (rows are claimed with SKIP
// LOCKED).
func (s *stack) makeThumbnails(ctx context.Context) {
	const batch = 20
	for {
		n, err := s.files.MakeThumbnails(ctx, batch)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("thumbnails failed", "error", err.Error())
		}
		if n == batch && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(3 * time.Second):
		}
	}
}
