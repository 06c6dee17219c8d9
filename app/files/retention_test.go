package files

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/files"
)

// sweepStore fakes the sweeper's part of the Store; anything else panics (the nil Store).
type sweepStore struct {
	Store
	locked    bool
	batches   []PurgeBatch
	forgotten []string
}

func (f *sweepStore) TrySweepLock(context.Context) (func(), bool, error) {
	return func() {}, !f.locked, nil
}
func (f *sweepStore) ReleaseExpiredReservations(context.Context, time.Time) (int64, error) {
	return 0, nil
}
func (f *sweepStore) PurgeFiles(context.Context, time.Time, int, int) (PurgeBatch, error) {
	if len(f.batches) == 0 {
		return PurgeBatch{}, nil
	}
	b := f.batches[0]
	f.batches = f.batches[1:]
	return b, nil
}
func (f *sweepStore) PurgeVersions(context.Context, time.Time, int) (PurgeBatch, error) {
	return PurgeBatch{}, nil
}
func (f *sweepStore) Orphans(context.Context, time.Time, string, int) ([]string, error) {
	return nil, nil
}
func (f *sweepStore) Forget(_ context.Context, keys []string) error {
	f.forgotten = append(f.forgotten, keys...)
	return nil
}
func (f *sweepStore) MarkExpiredLocked(context.Context, time.Time) (int64, error) { return 0, nil }
func (f *sweepStore) Unlocked(context.Context, time.Time, uuid.UUID, uuid.UUID, int) ([]VersionRef, error) {
	return nil, nil
}
func (f *sweepStore) MarkLockedAll(context.Context, []VersionRef) error { return nil }
func (f *sweepStore) HoldsBehind(context.Context, uuid.UUID, uuid.UUID, int) ([]VersionRef, error) {
	return nil, nil
}
func (f *sweepStore) MarkHoldsApplied(context.Context, []VersionRef) error { return nil }

// objects fakes the object store's removals; a key in refuse is refused as the store refuses a
// locked version.
type objects struct {
	ObjectStore
	mu      sync.Mutex
	removed []string
	refuse  map[string]bool
}

func (o *objects) Remove(_ context.Context, key, versionID string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.refuse[key] {
		return errs.E(errs.Conflict, "retention_active", "the file is retained")
	}
	o.removed = append(o.removed, key+"@"+versionID)
	return nil
}

func (o *objects) RemoveOrphan(_ context.Context, key string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.removed = append(o.removed, key)
	return nil
}

// batchObjects is objects with the multi-object delete.
type batchObjects struct {
	*objects
	batches int
}

func (o *batchObjects) RemoveVersions(ctx context.Context, keys, versionIDs []string) []error {
	o.mu.Lock()
	o.batches++
	o.mu.Unlock()
	out := make([]error, len(keys))
	for i := range keys {
		out[i] = o.Remove(ctx, keys[i], versionIDs[i])
	}
	return out
}

type inline struct{}

func (inline) Within(ctx context.Context, fn func(context.Context) error) error { return fn(ctx) }

func sweeper(st *sweepStore, obj ObjectStore) *Service {
	return NewService(Deps{Tx: inline{}, Store: st, Objects: obj})
}

func key(org uuid.UUID) files.ObjectKey { return files.NewObjectKey(org) }

// TestSweepRefusesABatchWithAVersionStillInItsWindow: should the store ever choose a version
// whose retention has not ended (or one that is held), the sweeper removes no object at all
// and reports the error; its transaction is rolled back.
func TestSweepRefusesABatchWithAVersionStillInItsWindow(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	org := uuid.New()
	for name, bad := range map[string]PurgedVersion{
		"in its window": {ID: uuid.New(), OrgID: org, Key: key(org), ObjectVersion: "v", AvailableUntil: now.Add(time.Second)},
		"held":          {ID: uuid.New(), OrgID: org, Key: key(org), ObjectVersion: "v", AvailableUntil: now.Add(-time.Hour), LegalHold: true},
	} {
		ok := PurgedVersion{ID: uuid.New(), OrgID: org, Key: key(org), ObjectVersion: "v", AvailableUntil: now.Add(-time.Hour)}
		st := &sweepStore{batches: []PurgeBatch{{Files: 2, Versions: []PurgedVersion{ok, bad}}}}
		obj := &objects{}
		_, err := sweeper(st, obj).Sweep(context.Background(), now)
		if err == nil || !strings.Contains(err.Error(), "held or within its retention") {
			t.Errorf("%s: sweep error %v, want the batch refused", name, err)
		}
		if len(obj.removed) != 0 || len(st.forgotten) != 0 {
			t.Errorf("%s: removed %v and forgot %v, want nothing", name, obj.removed, st.forgotten)
		}
	}
}

// TestSweepRemovesPurgedObjectsAndKeepsWhatTheStoreRefuses: each purged version's object is
// removed by its version id (no bypass), its thumbnail with it, and forgotten; one the store
// refuses stays pending, for a later pass, and counts as a failure.
func TestSweepRemovesPurgedObjectsAndKeepsWhatTheStoreRefuses(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	org := uuid.New()
	a := PurgedVersion{ID: uuid.New(), OrgID: org, Key: key(org), ObjectVersion: "va", ThumbnailKey: org.String() + "/thumbnails/x", Size: 10, AvailableUntil: now}
	b := PurgedVersion{ID: uuid.New(), OrgID: org, Key: key(org), ObjectVersion: "vb", Size: 5, AvailableUntil: now.Add(-time.Hour)}
	st := &sweepStore{batches: []PurgeBatch{{Files: 2, Versions: []PurgedVersion{a, b}}}}
	obj := &objects{refuse: map[string]bool{b.Key.String(): true}}
	r, err := sweeper(st, obj).Sweep(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	if r.FilesPurged != 2 || r.VersionsPurged != 2 || r.BytesFreed != 15 || r.ObjectsRemoved != 2 || r.Failures != 1 {
		t.Fatalf("report %+v", r)
	}
	want := map[string]bool{a.Key.String() + "@va": true, a.ThumbnailKey: true}
	if len(obj.removed) != 2 || !want[obj.removed[0]] || !want[obj.removed[1]] {
		t.Fatalf("removed %v, want %v", obj.removed, want)
	}
	for _, k := range st.forgotten {
		if k == b.Key.String() {
			t.Fatalf("the refused object was forgotten: %v", st.forgotten)
		}
	}
	if len(st.forgotten) != 2 {
		t.Fatalf("forgot %v", st.forgotten)
	}
}

// TestSweepRemovesInBatchesWhenTheStoreCan: with a store that has the multi-object delete,
// versions go in requests of removeChunk; what the store keeps stays pending as before.
func TestSweepRemovesInBatchesWhenTheStoreCan(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	org := uuid.New()
	var vs []PurgedVersion
	for range 250 {
		vs = append(vs, PurgedVersion{ID: uuid.New(), OrgID: org, Key: key(org), ObjectVersion: "v", Size: 1, AvailableUntil: now})
	}
	st := &sweepStore{batches: []PurgeBatch{{Files: 250, Versions: vs}}}
	obj := &batchObjects{objects: &objects{refuse: map[string]bool{vs[7].Key.String(): true}}}
	r, err := sweeper(st, obj).Sweep(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	if obj.batches != 3 || r.ObjectsRemoved != 249 || r.Failures != 1 || len(st.forgotten) != 249 {
		t.Fatalf("%d requests, report %+v, forgot %d", obj.batches, r, len(st.forgotten))
	}
	for _, k := range st.forgotten {
		if k == vs[7].Key.String() {
			t.Fatal("the kept object was forgotten")
		}
	}
}

// TestSweepSkipsWhileAnotherReplicaSweeps: without the sweeper's lock a pass does nothing.
func TestSweepSkipsWhileAnotherReplicaSweeps(t *testing.T) {
	org := uuid.New()
	st := &sweepStore{locked: true, batches: []PurgeBatch{{Files: 1, Versions: []PurgedVersion{{ID: uuid.New(), OrgID: org, Key: key(org), ObjectVersion: "v"}}}}}
	obj := &objects{}
	r, err := sweeper(st, obj).Sweep(context.Background(), time.Now())
	if err != nil || !r.Skipped || len(obj.removed) != 0 || len(st.batches) != 1 {
		t.Fatalf("report %+v, err %v, removed %v", r, err, obj.removed)
	}
}

func TestNumberedName(t *testing.T) {
	long := strings.Repeat("长", 85) // 255 bytes
	for _, tc := range []struct {
		name string
		n    int
		want string
	}{
		{"report.pdf", 0, "report.pdf"},
		{"report.pdf", 1, "report (1).pdf"},
		{"archive.tar.gz", 2, "archive.tar (2).gz"},
		{".profile", 1, ".profile (1)"},
		{"README", 3, "README (3)"},
		{"报告.docx", 1, "报告 (1).docx"},
		{long, 1, strings.Repeat("长", 83) + " (1)"},
	} {
		got := numberedName(tc.name, tc.n)
		if got != tc.want {
			t.Errorf("numberedName(%q, %d) = %q, want %q", tc.name, tc.n, got, tc.want)
		}
		if _, err := files.ParseName(got); err != nil {
			t.Errorf("numberedName(%q, %d) = %q is not a valid name: %v", tc.name, tc.n, got, err)
		}
	}
}

func TestOrgPolicyCheck(t *testing.T) {
	ok := DefaultSettings()
	if err := ok.check(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for name, mod := range map[string]func(*Settings){
		"max below min":      func(p *Settings) { p.MinRetentionDays, p.MaxRetentionDays = 10, 5 },
		"negative min":       func(p *Settings) { p.MinRetentionDays = -1 },
		"min past the cap":   func(p *Settings) { p.MinRetentionDays = files.MaxRetentionDays + 1 },
		"trash past the cap": func(p *Settings) { p.TrashDays = MaxTrashDays + 1 },
		"negative quota":     func(p *Settings) { p.QuotaBytes = -1 },
		"negative link days": func(p *Settings) { p.MaxLinkExpiryDays = -1 },
	} {
		p := DefaultSettings()
		mod(&p)
		if err := p.check(); !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: %v, want Invalid", name, err)
		}
	}
	zero := DefaultSettings()
	zero.MinRetentionDays = 0
	if err := zero.check(); err != nil {
		t.Errorf("a 0-day minimum (for tests and trials): %v", err)
	}
}
