package files_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	appfiles "canopy/app/files"
	"canopy/domain/errs"
	"canopy/domain/files"
	"canopy/infra/postgres"
	pgfiles "canopy/infra/postgres/files"
	"canopy/infra/postgres/pgtest"
)

// age moves a file's versions back by d, both their upload and their available_until, as if
// they had been stored that long ago.
func (fx *fixture) age(t *testing.T, f *files.File, d time.Duration) {
	t.Helper()
	if err := fx.db.Exec(`UPDATE file_versions SET uploaded_at = uploaded_at - make_interval(secs => ?),
		available_until = available_until - make_interval(secs => ?) WHERE file_id = ?`, d.Seconds(), d.Seconds(), f.ID()).Error; err != nil {
		t.Fatal(err)
	}
}

// trash moves a file to the trash through the store, as the service does.
func (fx *fixture) trash(t *testing.T, store *pgfiles.Store, f *files.File) *files.File {
	t.Helper()
	got, err := fx.files.Get(fx.ctx, fx.orgID, f.ID())
	if err != nil {
		t.Fatal(err)
	}
	vs, err := fx.files.Versions(fx.ctx, fx.orgID, f.ID())
	if err != nil {
		t.Fatal(err)
	}
	if err := got.Trash(fx.userID, time.Now(), vs); err != nil {
		t.Fatal(err)
	}
	if err := store.FreeName(fx.ctx, got); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestTrashFreesTheNameAndRestoreTakesItBack: a trashed file leaves its folder's namespace; a
// restore into a taken name is Conflict name_taken without breaking the transaction, which goes
// on to take another name.
func TestTrashFreesTheNameAndRestoreTakesItBack(t *testing.T) {
	db := pgtest.MustDB(t)
	fx := newFixture(t, db, "trash@f.example")
	store, tx := pgfiles.NewStore(db), postgres.NewTxManager(db)
	f := fx.file(t, nil, "Notes.txt")
	fx.age(t, f, 4*24*time.Hour)
	trashed := fx.trash(t, store, f)
	if err := store.FreeName(fx.ctx, trashed); !errs.Is(err, errs.NotFound) {
		t.Fatalf("trashing it again: %v", err)
	}
	fx.file(t, nil, "NOTES.txt") // the name is free
	err := tx.Within(fx.ctx, func(ctx context.Context) error {
		g := *trashed
		if err := g.Restore(nil, "Notes.txt", time.Now()); err != nil {
			return err
		}
		wantNameTaken(t, "restore into a taken name", store.TakeName(ctx, &g))
		h := *trashed
		if err := h.Restore(nil, "Notes (1).txt", time.Now()); err != nil {
			return err
		}
		return store.TakeName(ctx, &h)
	})
	if err != nil {
		t.Fatalf("restore under another name in the same transaction: %v", err)
	}
	got, err := fx.files.Get(fx.ctx, fx.orgID, f.ID())
	if err != nil || got.Trashed() || got.Name() != "Notes (1).txt" {
		t.Fatalf("restored: %v %v", got, err)
	}
	if err := store.TakeName(fx.ctx, got); !errs.Is(err, errs.NotFound) {
		t.Fatalf("restoring a live file: %v", err)
	}
}

// TestPurgeFilesTakesOnlyWhatMayGo: of three files in the trash past its days, only the one
// whose versions are all past their window and unheld is purged, with its objects recorded as
// pending; the others stay, whatever the batch's limit.
func TestPurgeFilesTakesOnlyWhatMayGo(t *testing.T) {
	db := pgtest.MustDB(t)
	fx := newFixture(t, db, "purge@f.example")
	store, tx := pgfiles.NewStore(db), postgres.NewTxManager(db)
	expired, inWindow, held := fx.file(t, nil, "expired.txt"), fx.file(t, nil, "window.txt"), fx.file(t, nil, "held.txt")
	for _, f := range []*files.File{expired, held} {
		fx.age(t, f, 4*24*time.Hour)
		fx.trash(t, store, f)
	}
	// window.txt is trashed around the service: its versions are still within their window.
	// All three have been in the trash for 40 days.
	if err := db.Exec(`UPDATE files SET deleted_at = now() - interval '40 days' WHERE id IN (?, ?, ?)`, expired.ID(), inWindow.ID(), held.ID()).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := store.PutHold(fx.ctx, appfiles.Hold{OrgID: fx.orgID, TargetType: appfiles.HoldFile, TargetID: held.ID(), SetBy: fx.userID, SetAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.RecomputeHolds(fx.ctx, fx.orgID); err != nil {
		t.Fatal(err)
	}
	var b appfiles.PurgeBatch
	later := time.Now()
	err := tx.Within(fx.ctx, func(ctx context.Context) error {
		var err error
		b, err = store.PurgeFiles(ctx, later, 30, 100)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if b.Files != 1 || len(b.Versions) != 1 || b.Versions[0].LegalHold || b.Versions[0].AvailableUntil.After(later) {
		t.Fatalf("purged %+v, want expired.txt alone", b)
	}
	for f, want := range map[uuid.UUID]bool{expired.ID(): false, inWindow.ID(): true, held.ID(): true} {
		if _, err := fx.files.Get(fx.ctx, fx.orgID, f); (err == nil) != want {
			t.Errorf("file %s: %v, want present %v", f, err, want)
		}
	}
	var pending int64
	db.Raw(`SELECT count(*) FROM pending_objects WHERE object_key = ?`, b.Versions[0].Key.String()).Scan(&pending)
	if pending != 1 {
		t.Fatal("the purged version's object is not recorded as pending")
	}
	if _, err := store.PurgeFiles(fx.ctx, later, 30, 100); !errs.Is(err, errs.Internal) {
		t.Fatalf("a purge outside a transaction: %v", err)
	}
}

// TestRecomputeHolds: a version is held while its file, a folder above it or its space is;
// releasing one of them leaves held what another covers.
func TestRecomputeHolds(t *testing.T) {
	db := pgtest.MustDB(t)
	fx := newFixture(t, db, "holds@f.example")
	store := pgfiles.NewStore(db)
	top := fx.folder(t, nil, "Case")
	sub := fx.folder(t, top, "Exhibits")
	inside, outside := fx.file(t, sub, "a.txt"), fx.file(t, nil, "b.txt")
	held := func(f *files.File) bool {
		vs, err := fx.files.Versions(fx.ctx, fx.orgID, f.ID())
		if err != nil {
			t.Fatal(err)
		}
		return vs[0].LegalHold()
	}
	put := func(kind string, id uuid.UUID) {
		if _, err := store.PutHold(fx.ctx, appfiles.Hold{OrgID: fx.orgID, TargetType: kind, TargetID: id, SetBy: fx.userID, SetAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if _, err := store.RecomputeHolds(fx.ctx, fx.orgID); err != nil {
			t.Fatal(err)
		}
	}
	drop := func(kind string, id uuid.UUID) {
		if err := store.DropHold(fx.ctx, fx.orgID, kind, id); err != nil {
			t.Fatal(err)
		}
		if _, err := store.RecomputeHolds(fx.ctx, fx.orgID); err != nil {
			t.Fatal(err)
		}
	}
	put(appfiles.HoldFolder, top.ID())
	put(appfiles.HoldFile, inside.ID())
	if !held(inside) || held(outside) {
		t.Fatal("a folder's hold must cover what is below it, and only that")
	}
	if ok, err := store.FolderHeld(fx.ctx, fx.orgID, sub.Path()); err != nil || !ok {
		t.Fatalf("a folder below a held one: %v %v", ok, err)
	}
	drop(appfiles.HoldFolder, top.ID())
	if !held(inside) {
		t.Fatal("releasing the folder released a version its file's own hold covers")
	}
	put(appfiles.HoldSpace, fx.space.ID())
	drop(appfiles.HoldFile, inside.ID())
	if !held(inside) || !held(outside) {
		t.Fatal("the space's hold must cover every version in it")
	}
	drop(appfiles.HoldSpace, fx.space.ID())
	if held(inside) || held(outside) {
		t.Fatal("held with no hold in place")
	}
	if err := store.DropHold(fx.ctx, fx.orgID, appfiles.HoldSpace, fx.space.ID()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("releasing a hold that is not there: %v", err)
	}
}

// TestSweepLockIsExclusive: one holder at a time, and the lock is free again once released.
func TestSweepLockIsExclusive(t *testing.T) {
	db := pgtest.MustDB(t)
	a, b := pgfiles.NewStore(db), pgfiles.NewStore(db)
	ctx := context.Background()
	release, ok, err := a.TrySweepLock(ctx)
	if err != nil || !ok {
		t.Fatalf("first: %v %v", ok, err)
	}
	if _, ok, err := b.TrySweepLock(ctx); err != nil || ok {
		t.Fatalf("second while the first holds it: %v %v", ok, err)
	}
	release()
	release2, ok, err := b.TrySweepLock(ctx)
	if err != nil || !ok {
		t.Fatalf("after the release: %v %v", ok, err)
	}
	release2()
}
