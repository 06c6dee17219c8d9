package files_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/uuid"

	appfiles "canopy/app/files"
	"canopy/domain/errs"
	"canopy/domain/files"
	pgfiles "canopy/infra/postgres/files"
	"canopy/infra/postgres/pgtest"
)

// mustReserve records an upload in progress of kind ("tus" or "stream") of length bytes by user,
// as the service's Reserve does, expiring at expires.
func (fx *fixture) mustReserve(t *testing.T, kind string, user uuid.UUID, length int64, expires time.Time) appfiles.Reservation {
	t.Helper()
	r := appfiles.Reservation{ID: uuid.New(), OrgID: fx.orgID, UserID: user, Kind: kind, SpaceID: fx.space.ID(), Filename: "clip.mp4",
		Length: length, ObjectKey: files.NewObjectKey(fx.orgID), ExpiresAt: expires, CreatedAt: time.Now()}
	if err := pgfiles.NewStore(fx.db).Reserve(fx.ctx, r); err != nil {
		t.Fatalf("Reserve: %v", err)
	}
	return r
}

func claim(fx *fixture, user, id uuid.UUID, offset int64, now time.Time) (appfiles.TusUpload, uuid.UUID, bool, error) {
	lease := uuid.New()
	u, ok, err := pgfiles.NewTusUploads(fx.db).Claim(fx.ctx, appfiles.TusClaim{OrgID: fx.orgID, UserID: user, ID: id, Offset: offset,
		Lease: lease, Now: now, Until: now.Add(time.Minute)})
	return u, lease, ok, err
}

// A tus upload's row reads back only for its own user in its own organisation, and only if it is
// a tus upload; its metadata and progress round-trip.
func TestTusUploadsGetAndSave(t *testing.T) {
	db := pgtest.MustDB(t)
	fx, other := newFixture(t, db, "a@u.example"), newFixture(t, db, "b@u.example")
	repo := pgfiles.NewTusUploads(db)
	now := time.Now().UTC()
	r := fx.mustReserve(t, "tus", fx.userID, 40<<20, now.Add(time.Hour))
	stream := fx.mustReserve(t, "stream", fx.userID, 10, now.Add(time.Hour))

	if err := repo.SetMetadata(fx.ctx, fx.orgID, r.ID, "filename Y2xpcC5tcDQ="); err != nil {
		t.Fatal(err)
	}
	u, err := repo.Get(fx.ctx, fx.orgID, fx.userID, r.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if u.ID != r.ID || u.SpaceID != fx.space.ID() || u.FolderID != uuid.Nil || u.Length != 40<<20 || u.Offset != 0 || u.ObjectKey != r.ObjectKey ||
		u.Filename != "clip.mp4" || u.Metadata != "filename Y2xpcC5tcDQ=" || u.MultipartID != "" || len(u.Parts) != 0 || len(u.Tail) != 0 {
		t.Fatalf("Get: %+v", u)
	}
	for name, get := range map[string]func() error{
		"another user":         func() error { _, err := repo.Get(fx.ctx, fx.orgID, other.userID, r.ID); return err },
		"another organisation": func() error { _, err := repo.Get(fx.ctx, other.orgID, fx.userID, r.ID); return err },
		"a streamed upload":    func() error { _, err := repo.Get(fx.ctx, fx.orgID, fx.userID, stream.ID); return err },
		"a missing id":         func() error { _, err := repo.Get(fx.ctx, fx.orgID, fx.userID, uuid.New()); return err },
	} {
		if err := get(); !errs.Is(err, errs.NotFound) {
			t.Errorf("%s: got %v, want NotFound", name, err)
		}
	}
	if err := repo.SetMetadata(fx.ctx, other.orgID, r.ID, "x"); !errs.Is(err, errs.NotFound) {
		t.Errorf("metadata of another organisation's upload: got %v, want NotFound", err)
	}

	u, lease, ok, err := claim(fx, fx.userID, r.ID, 0, now)
	if err != nil || !ok {
		t.Fatalf("Claim: %v %v", ok, err)
	}
	u.MultipartID = "mp-1"
	u.Parts = []appfiles.TusPart{{Number: 1, ETag: "e1", Size: 16 << 20}, {Number: 2, ETag: "e2", Size: 16 << 20}}
	u.Tail = []appfiles.TusTail{{VersionID: "v1", Size: 100}, {VersionID: "v2", Size: 28}}
	u.Offset = 32<<20 + 128
	u.HashState, u.Head = []byte{1, 2, 3}, []byte("ftypisom")
	u.ExpiresAt = now.Add(24 * time.Hour).Truncate(time.Microsecond)
	if err := repo.Save(fx.ctx, u, lease, now.Add(time.Minute)); err != nil {
		t.Fatalf("Save: %v", err)
	}
	got, err := repo.Get(fx.ctx, fx.orgID, fx.userID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.MultipartID != "mp-1" || got.Offset != u.Offset || len(got.Parts) != 2 || got.Parts[1] != u.Parts[1] || len(got.Tail) != 2 ||
		got.Tail[0] != u.Tail[0] || !bytes.Equal(got.HashState, u.HashState) || !bytes.Equal(got.Head, u.Head) || !got.ExpiresAt.Equal(u.ExpiresAt) {
		t.Fatalf("after Save: %+v", got)
	}

	if err := repo.Save(fx.ctx, u, uuid.New(), now.Add(time.Minute)); !errs.Is(err, errs.Conflict) || errs.CodeOf(err) != appfiles.CodeUploadBusy {
		t.Fatalf("Save without the lease: got %v, want Conflict upload_busy", err)
	}
	if err := repo.Extend(fx.ctx, fx.orgID, r.ID, uuid.New(), now.Add(time.Hour)); !errs.Is(err, errs.Conflict) {
		t.Fatalf("Extend without the lease: got %v, want Conflict", err)
	}
	// An offset that the parts and tail do not add up to is refused by the schema's checks or
	// when read back, never resumed from.
	u.Offset = 40<<20 + 1
	if err := repo.Save(fx.ctx, u, lease, now.Add(time.Minute)); !errs.Is(err, errs.Invalid) {
		t.Fatalf("an offset past the length: got %v, want Invalid", err)
	}
	u.Offset = 5
	if err := repo.Save(fx.ctx, u, lease, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Get(fx.ctx, fx.orgID, fx.userID, r.ID); !errs.Is(err, errs.Internal) {
		t.Fatalf("a row whose offset disagrees with its parts: got %v, want Internal", err)
	}
}

// One lease at a time: a second claim fails until the first is given up or runs out; a claim at
// the wrong offset, of an expired upload or by another user fails.
func TestTusUploadsClaim(t *testing.T) {
	db := pgtest.MustDB(t)
	fx, other := newFixture(t, db, "a@c.example"), newFixture(t, db, "b@c.example")
	repo := pgfiles.NewTusUploads(db)
	now := time.Now().UTC()
	r := fx.mustReserve(t, "tus", fx.userID, 1000, now.Add(time.Hour))

	_, lease, ok, err := claim(fx, fx.userID, r.ID, 0, now)
	if err != nil || !ok {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	if _, _, ok, err := claim(fx, fx.userID, r.ID, 0, now); err != nil || ok {
		t.Fatalf("a second claim while the lease is held: %v %v", ok, err)
	}
	if err := repo.Extend(fx.ctx, fx.orgID, r.ID, lease, now.Add(2*time.Minute)); err != nil {
		t.Fatalf("Extend: %v", err)
	}
	if _, _, ok, _ := claim(fx, fx.userID, r.ID, -1, now.Add(90*time.Second)); ok {
		t.Fatal("a claim succeeded before the extended lease ran out")
	}
	if _, _, ok, err := claim(fx, fx.userID, r.ID, -1, now.Add(3*time.Minute)); err != nil || !ok {
		t.Fatalf("a claim after the lease ran out: %v %v", ok, err)
	}
	if err := repo.Unlock(fx.ctx, fx.orgID, r.ID, lease); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := claim(fx, fx.userID, r.ID, 0, now); ok {
		t.Fatal("Unlock with a lease that was taken over gave up the new holder's lease")
	}

	r2 := fx.mustReserve(t, "tus", fx.userID, 1000, now.Add(time.Hour))
	for name, c := range map[string]func() (bool, error){
		"the wrong offset":     func() (bool, error) { _, _, ok, err := claim(fx, fx.userID, r2.ID, 10, now); return ok, err },
		"another user":         func() (bool, error) { _, _, ok, err := claim(fx, other.userID, r2.ID, 0, now); return ok, err },
		"another organisation": func() (bool, error) { _, _, ok, err := claim(other, fx.userID, r2.ID, 0, now); return ok, err },
		"once it has expired": func() (bool, error) {
			_, _, ok, err := claim(fx, fx.userID, r2.ID, 0, now.Add(2*time.Hour))
			return ok, err
		},
		"at its expiry to the µs": func() (bool, error) { _, _, ok, err := claim(fx, fx.userID, r2.ID, 0, r2.ExpiresAt); return ok, err },
	} {
		if ok, err := c(); err != nil || ok {
			t.Errorf("claim by %s: ok %v, err %v", name, ok, err)
		}
	}
	u, lease2, ok, err := claim(fx, fx.userID, r2.ID, 0, now)
	if err != nil || !ok || u.ID != r2.ID {
		t.Fatalf("claim at the right offset: %v %v", ok, err)
	}
	if err := repo.Unlock(fx.ctx, fx.orgID, r2.ID, lease2); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, err := claim(fx, fx.userID, r2.ID, 0, now); err != nil || !ok {
		t.Fatalf("claim after Unlock: %v %v", ok, err)
	}
}

// The sweeper claims expired tus uploads of every organisation, not live ones, streamed ones or
// one a request holds, and not twice; Owned tells which keys uploads in progress still have.
func TestTusUploadsClaimExpiredAndOwned(t *testing.T) {
	db := pgtest.MustDB(t)
	fx, other := newFixture(t, db, "a@e.example"), newFixture(t, db, "b@e.example")
	repo := pgfiles.NewTusUploads(db)
	now := time.Now().UTC()
	expired := fx.mustReserve(t, "tus", fx.userID, 10, now.Add(-time.Minute))
	expiredOther := other.mustReserve(t, "tus", other.userID, 10, now.Add(-time.Hour))
	live := fx.mustReserve(t, "tus", fx.userID, 10, now.Add(time.Hour))
	stream := fx.mustReserve(t, "stream", fx.userID, 10, now.Add(-time.Minute))
	held := fx.mustReserve(t, "tus", fx.userID, 10, now.Add(time.Hour))
	if _, _, ok, err := claim(fx, fx.userID, held.ID, -1, now); err != nil || !ok {
		t.Fatal("claim", err)
	}
	// It expires while a request holds its lease (until now+1m).
	later := now.Add(30 * time.Minute)
	if err := db.Exec(`UPDATE uploads SET expires_at = ?, lease_until = ? WHERE id = ?`, now, later.Add(time.Minute), held.ID).Error; err != nil {
		t.Fatal(err)
	}

	sweeper := uuid.New()
	got, err := repo.ClaimExpired(fx.ctx, later, sweeper, later.Add(time.Minute), 10)
	if err != nil {
		t.Fatalf("ClaimExpired: %v", err)
	}
	ids := map[uuid.UUID]bool{}
	for _, u := range got {
		ids[u.ID] = true
	}
	if len(got) != 2 || !ids[expired.ID] || !ids[expiredOther.ID] {
		t.Fatalf("ClaimExpired took %v, want the two expired tus uploads (not %s live, %s streamed, %s held)", ids, live.ID, stream.ID, held.ID)
	}
	if again, err := repo.ClaimExpired(fx.ctx, later, uuid.New(), later.Add(time.Minute), 10); err != nil || len(again) != 0 {
		t.Fatalf("a second sweep while the first holds them: %d %v", len(again), err)
	}
	if one, err := repo.ClaimExpired(fx.ctx, later.Add(5*time.Minute), uuid.New(), later.Add(10*time.Minute), 1); err != nil || len(one) != 1 {
		t.Fatalf("limit 1 after the leases ran out: %d %v", len(one), err)
	}

	owned, err := repo.Owned(fx.ctx, []string{live.ObjectKey.String(), stream.ObjectKey.String(), files.NewObjectKey(fx.orgID).String()})
	if err != nil {
		t.Fatal(err)
	}
	if len(owned) != 2 || !owned[live.ObjectKey.String()] || !owned[stream.ObjectKey.String()] {
		t.Fatalf("Owned: %v", owned)
	}
	if owned, err := repo.Owned(fx.ctx, nil); err != nil || len(owned) != 0 {
		t.Fatalf("Owned of nothing: %v %v", owned, err)
	}
}
