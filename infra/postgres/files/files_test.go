package files_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"canopy/domain/errs"
	"canopy/domain/files"
	"canopy/infra/postgres"
	pgfiles "canopy/infra/postgres/files"
	"canopy/infra/postgres/pgtest"
)

type fixture struct {
	db      *gorm.DB
	ctx     context.Context
	orgID   uuid.UUID
	userID  uuid.UUID
	space   *files.Space
	spaces  *pgfiles.Spaces
	folders *pgfiles.Folders
	files   *pgfiles.Files
}

func newFixture(t *testing.T, db *gorm.DB, email string) *fixture {
	t.Helper()
	u := pgtest.MustUser(t, db, email)
	o := pgtest.MustOrg(t, db, u)
	fx := &fixture{db: db, ctx: context.Background(), orgID: o.ID(), userID: u.ID(),
		spaces: pgfiles.NewSpaces(db), folders: pgfiles.NewFolders(db, nil), files: pgfiles.NewFiles(db, nil)}
	s, err := files.NewSpace(o.ID(), files.KindOrganisation, o.ID(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.spaces.Create(fx.ctx, s); err != nil {
		t.Fatal(err)
	}
	fx.space = s
	return fx
}

func (fx *fixture) folder(t *testing.T, parent *files.Folder, name string) *files.Folder {
	t.Helper()
	f, err := files.NewFolder(fx.space, parent, name, fx.userID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.folders.Create(fx.ctx, f); err != nil {
		t.Fatalf("folder %q: %v", name, err)
	}
	return f
}

func (fx *fixture) newFile(t *testing.T, folder *files.Folder, name string) (*files.File, *files.Version) {
	t.Helper()
	f, err := files.NewFile(fx.space, folder, name, fx.userID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return f, fx.version(t, f, name)
}

func (fx *fixture) version(t *testing.T, f *files.File, content string) *files.Version {
	t.Helper()
	sum := sha256.Sum256([]byte(content))
	v, err := f.AddVersion(files.Upload{ObjectKey: files.NewObjectKey(fx.orgID), Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]),
		ContentType: "text/plain", UploadedBy: fx.userID, UploadedAt: time.Now()}, files.DefaultMinimumRetentionDays, nil)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (fx *fixture) file(t *testing.T, folder *files.Folder, name string) *files.File {
	t.Helper()
	f, v := fx.newFile(t, folder, name)
	if err := fx.files.Create(fx.ctx, f, v); err != nil {
		t.Fatalf("file %q: %v", name, err)
	}
	return f
}

func wantNameTaken(t *testing.T, what string, err error) {
	t.Helper()
	if !errs.Is(err, errs.Conflict) || errs.CodeOf(err) != pgfiles.CodeNameTaken {
		t.Fatalf("%s: got %v (code %q), want Conflict name_taken", what, err, errs.CodeOf(err))
	}
}

// TestSpaces: a space round-trips, its owner has only one, and another organisation's id is
// NotFound like a missing one.
func TestSpaces(t *testing.T) {
	db := pgtest.MustDB(t)
	a, b := newFixture(t, db, "a@f.example"), newFixture(t, db, "b@f.example")
	got, err := a.spaces.ByOwner(a.ctx, a.orgID, files.KindOrganisation, a.orgID)
	if err != nil || got.ID() != a.space.ID() || got.Kind() != files.KindOrganisation {
		t.Fatalf("by owner: %v %v", got, err)
	}
	if err := got.SetRetention(30, 0, files.DefaultMinimumRetentionDays, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := got.SetQuota(1<<20, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := a.spaces.Update(a.ctx, got); err != nil {
		t.Fatal(err)
	}
	if got, err = a.spaces.Get(a.ctx, a.orgID, a.space.ID()); err != nil || got.MinRetentionDays() != 30 || got.QuotaBytes() != 1<<20 {
		t.Fatalf("after update: %v %v", got, err)
	}
	again, _ := files.NewSpace(a.orgID, files.KindOrganisation, a.orgID, time.Now())
	if err := a.spaces.Create(a.ctx, again); !errs.Is(err, errs.Conflict) || errs.CodeOf(err) != "space_exists" {
		t.Fatalf("a second space for one owner: %v", err)
	}
	if _, err := b.spaces.Get(b.ctx, b.orgID, a.space.ID()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another organisation's space: %v", err)
	}
	if _, err := a.spaces.ByOwner(a.ctx, a.orgID, files.KindPersonal, a.userID); !errs.Is(err, errs.NotFound) {
		t.Fatalf("no personal space yet: %v", err)
	}
}

// TestFoldersAndFiles: create, get, list and versions round-trip, and reads of another
// organisation's ids are NotFound.
func TestFoldersAndFiles(t *testing.T) {
	db := pgtest.MustDB(t)
	fx, other := newFixture(t, db, "a@f.example"), newFixture(t, db, "b@f.example")
	docs := fx.folder(t, nil, "Docs")
	fx.folder(t, nil, "Archive")
	sub := fx.folder(t, docs, "Sub")
	f := fx.file(t, docs, "Report.pdf")
	fx.file(t, nil, "root.txt")

	got, err := fx.folders.Get(fx.ctx, fx.orgID, sub.ID())
	if err != nil || got.ParentID() != docs.ID() || got.Path() != sub.Path() || got.Depth() != 2 || got.Name() != "Sub" {
		t.Fatalf("get folder: %+v %v", got, err)
	}
	roots, err := fx.folders.Children(fx.ctx, fx.orgID, fx.space.ID(), uuid.Nil)
	if err != nil || len(roots) != 2 || roots[0].Name() != "Archive" || roots[1].Name() != "Docs" {
		t.Fatalf("root folders: %v %v", roots, err)
	}
	gf, err := fx.files.Get(fx.ctx, fx.orgID, f.ID())
	if err != nil || gf.FolderID() != docs.ID() || gf.VersionCount() != 1 || gf.CurrentVersionID() != f.CurrentVersionID() {
		t.Fatalf("get file: %+v %v", gf, err)
	}
	if byName, err := fx.files.ByName(fx.ctx, fx.orgID, fx.space.ID(), docs.ID(), "REPORT.PDF"); err != nil || byName.ID() != f.ID() {
		t.Fatalf("by name in any case: %v %v", byName, err)
	}
	if _, err := fx.files.ByName(fx.ctx, fx.orgID, fx.space.ID(), uuid.Nil, "Report.pdf"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("by name at the root: %v", err)
	}
	if list, err := fx.files.List(fx.ctx, fx.orgID, fx.space.ID(), uuid.Nil); err != nil || len(list) != 1 || list[0].Name() != "root.txt" {
		t.Fatalf("root files: %v %v", list, err)
	}

	v2 := fx.version(t, gf, "second")
	if err := fx.files.AddVersion(fx.ctx, gf, v2); err != nil {
		t.Fatal(err)
	}
	vs, err := fx.files.Versions(fx.ctx, fx.orgID, f.ID())
	if err != nil || len(vs) != 2 || vs[0].ID() != v2.ID() || vs[0].Number() != 2 || vs[1].Number() != 1 {
		t.Fatalf("versions: %v %v", vs, err)
	}
	if !vs[0].AvailableUntil().Equal(v2.AvailableUntil().Truncate(time.Microsecond)) || vs[0].SHA256() != v2.SHA256() {
		t.Fatalf("version fields: %+v", vs[0])
	}
	vs[0].SetLegalHold(true)
	if err := fx.files.UpdateVersion(fx.ctx, vs[0]); err != nil {
		t.Fatal(err)
	}
	if vs, _ = fx.files.Versions(fx.ctx, fx.orgID, f.ID()); !vs[0].LegalHold() {
		t.Fatal("the legal hold was not stored")
	}

	if _, err := other.folders.Get(other.ctx, other.orgID, docs.ID()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another organisation's folder: %v", err)
	}
	if _, err := other.files.Get(other.ctx, other.orgID, f.ID()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another organisation's file: %v", err)
	}
	if vs, err := other.files.Versions(other.ctx, other.orgID, f.ID()); err != nil || len(vs) != 0 {
		t.Fatalf("another organisation's versions: %v %v", vs, err)
	}
}

// TestNamesAreUniqueWithoutRegardToCase: files and folders share one namespace per parent, so a
// name taken in any case, by a file or a folder, refuses the next one, on create, rename and
// move alike; the same name in another folder or at the root is fine.
func TestNamesAreUniqueWithoutRegardToCase(t *testing.T) {
	db := pgtest.MustDB(t)
	fx := newFixture(t, db, "a@f.example")
	docs := fx.folder(t, nil, "Docs")
	fx.file(t, docs, "Report.PDF")

	f, v := fx.newFile(t, docs, "report.pdf")
	wantNameTaken(t, "a file in another case", fx.files.Create(fx.ctx, f, v))
	folder, _ := files.NewFolder(fx.space, docs, "REPORT.pdf", fx.userID, time.Now())
	wantNameTaken(t, "a folder named as a file", fx.folders.Create(fx.ctx, folder))
	f, v = fx.newFile(t, nil, "docs")
	wantNameTaken(t, "a file named as a folder", fx.files.Create(fx.ctx, f, v))
	straße := fx.folder(t, nil, "Straße")
	f, v = fx.newFile(t, nil, "STRASSE")
	wantNameTaken(t, "a file named as a folder under full case folding", fx.files.Create(fx.ctx, f, v))
	// A refused file leaves nothing behind: not its row, nor its version.
	if _, err := fx.files.Get(fx.ctx, fx.orgID, f.ID()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("the refused file was stored: %v", err)
	}
	var versions int64
	if err := db.Table("file_versions").Where("file_id = ?", f.ID()).Count(&versions).Error; err != nil || versions != 0 {
		t.Fatalf("the refused file's version was stored: %d %v", versions, err)
	}

	fx.file(t, nil, "Report.pdf") // the same name at the root
	other := fx.file(t, docs, "Other.txt")
	if err := other.Rename("REPORT.pdf", time.Now()); err != nil {
		t.Fatal(err)
	}
	wantNameTaken(t, "renaming a file to a taken name", fx.files.Update(fx.ctx, other))
	if err := straße.Rename("DOCS", time.Now()); err != nil {
		t.Fatal(err)
	}
	wantNameTaken(t, "renaming a folder to a taken name", fx.folders.Update(fx.ctx, straße))

	// Moving a file to the root, where its name is taken, is refused; to a free place it works,
	// and frees its old name.
	moved := fx.file(t, docs, "root-clash")
	fx.folder(t, nil, "ROOT-CLASH")
	if err := moved.Move(nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	wantNameTaken(t, "moving a file onto a taken name", fx.files.Update(fx.ctx, moved))
	moved, _ = fx.files.Get(fx.ctx, fx.orgID, moved.ID())
	sub := fx.folder(t, docs, "Sub")
	if err := moved.Move(sub, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := fx.files.Update(fx.ctx, moved); err != nil {
		t.Fatal(err)
	}
	fx.folder(t, docs, "Root-Clash") // its old name is free again

	// Moving a folder next to one of the same name is refused.
	inner := fx.folder(t, sub, "docs")
	oldPath := inner.Path()
	if err := inner.Move(nil, 1, time.Now()); err != nil {
		t.Fatal(err)
	}
	wantNameTaken(t, "moving a folder onto a taken name", fx.folders.Move(fx.ctx, inner, oldPath))
}

// TestSubtree: a folder's subtree is one prefix query on its path; a move re-roots the whole
// subtree, with paths and depths, and Height follows.
func TestSubtree(t *testing.T) {
	db := pgtest.MustDB(t)
	fx := newFixture(t, db, "a@f.example")
	a := fx.folder(t, nil, "A")
	b := fx.folder(t, a, "B")
	c := fx.folder(t, b, "C")
	d := fx.folder(t, nil, "D")
	fx.folder(t, d, "E")

	sub, err := fx.folders.Subtree(fx.ctx, a)
	if err != nil || len(sub) != 3 || sub[0].ID() != a.ID() || sub[1].ID() != b.ID() || sub[2].ID() != c.ID() {
		t.Fatalf("subtree of A: %v %v", sub, err)
	}
	if h, err := fx.folders.Height(fx.ctx, a); err != nil || h != 3 {
		t.Fatalf("height of A: %d %v", h, err)
	}

	oldPath := b.Path()
	if err := b.Move(d, 2, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := fx.folders.Move(fx.ctx, b, oldPath); err != nil {
		t.Fatal(err)
	}
	got, err := fx.folders.Get(fx.ctx, fx.orgID, c.ID())
	if err != nil || got.Path() != d.Path()+b.ID().String()+"/"+c.ID().String()+"/" || got.Depth() != 3 {
		t.Fatalf("C after moving B under D: %+v %v", got, err)
	}
	if sub, err = fx.folders.Subtree(fx.ctx, a); err != nil || len(sub) != 1 {
		t.Fatalf("subtree of A after the move: %v %v", sub, err)
	}
	if sub, err = fx.folders.Subtree(fx.ctx, d); err != nil || len(sub) != 4 {
		t.Fatalf("subtree of D after the move: %v %v", sub, err)
	}
	if h, err := fx.folders.Height(fx.ctx, d); err != nil || h != 3 {
		t.Fatalf("height of D: %d %v", h, err)
	}
	if got, err := fx.folders.Get(fx.ctx, fx.orgID, b.ID()); err != nil || got.ParentID() != d.ID() {
		t.Fatalf("B's parent: %+v %v", got, err)
	}
}

// TestSchemaRefusesCrossTenantReferences: every reference in the files tables carries the
// organisation, so PostgreSQL refuses a row of organisation B that points at A's space, folder,
// file or version, whatever the code above it does; the refusal reaches callers as NotFound.
// An object key in another organisation's prefix is refused too.
func TestSchemaRefusesCrossTenantReferences(t *testing.T) {
	db := pgtest.MustDB(t)
	a, b := newFixture(t, db, "a@f.example"), newFixture(t, db, "b@f.example")
	folderA := a.folder(t, nil, "Docs")
	fileA := a.file(t, folderA, "a.txt")
	now := time.Now().UTC()
	sum := hex.EncodeToString(make([]byte, 32))

	for _, c := range []struct {
		name string
		sql  string
		args []any
		code string
	}{
		{"B's folder in A's space", `INSERT INTO folders (id, org_id, space_id, path, depth, name, name_key, created_by, created_at, updated_at) VALUES (?, ?, ?, '/x/', 1, 'x', 'x', ?, ?, ?)`,
			[]any{uuid.New(), b.orgID, a.space.ID(), b.userID, now, now}, "23503"},
		{"B's folder under A's folder", `INSERT INTO folders (id, org_id, space_id, parent_id, path, depth, name, name_key, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, '/x/', 2, 'x', 'x', ?, ?, ?)`,
			[]any{uuid.New(), b.orgID, b.space.ID(), folderA.ID(), b.userID, now, now}, "23503"},
		{"B's file in A's folder", `INSERT INTO files (id, org_id, space_id, folder_id, name, name_key, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, 'x', 'x', ?, ?, ?)`,
			[]any{uuid.New(), b.orgID, b.space.ID(), folderA.ID(), b.userID, now, now}, "23503"},
		{"B's version of A's file", `INSERT INTO file_versions (id, org_id, file_id, number, object_key, size, sha256, content_type, uploaded_by, uploaded_at, available_until) VALUES (?, ?, ?, 9, ?, 0, ?, 'text/plain', ?, ?, ?)`,
			[]any{uuid.New(), b.orgID, fileA.ID(), b.orgID.String() + "/" + uuid.NewString(), sum, b.userID, now, now}, "23503"},
		{"B's name in A's folder", `INSERT INTO file_names (org_id, space_id, parent_id, name_key, folder_id) VALUES (?, ?, ?, 'x', ?)`,
			[]any{b.orgID, b.space.ID(), folderA.ID(), uuid.New()}, "23503"},
		{"a version whose object is in another organisation's prefix", `INSERT INTO file_versions (id, org_id, file_id, number, object_key, size, sha256, content_type, uploaded_by, uploaded_at, available_until) VALUES (?, ?, ?, 9, ?, 0, ?, 'text/plain', ?, ?, ?)`,
			[]any{uuid.New(), a.orgID, fileA.ID(), b.orgID.String() + "/" + uuid.NewString(), sum, a.userID, now, now}, "23514"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := postgres.NewTxManager(db).Within(a.ctx, func(ctx context.Context) error {
				return postgres.Translate(postgres.Conn(ctx, db).Exec(c.sql, c.args...).Error)
			})
			var pg *pgconn.PgError
			if !errors.As(err, &pg) || pg.Code != c.code {
				t.Fatalf("the insert was not refused with %s: %v", c.code, err)
			}
			if c.code == "23503" && !errs.Is(err, errs.NotFound) {
				t.Fatalf("a refused reference is %v, want NotFound", err)
			}
		})
	}

	// Through the repository, a folder of B placed under A's folder (ids a caller could send)
	// is refused as well.
	rogue := files.RehydrateFolder(uuid.New(), b.orgID, b.space.ID(), folderA.ID(), folderA.Path()+uuid.NewString()+"/", 2, "rogue", b.userID, now, now)
	if err := b.folders.Create(b.ctx, rogue); !errs.Is(err, errs.NotFound) {
		t.Fatalf("a folder under another organisation's folder: %v", err)
	}
	// A file of B whose current version is A's version is refused by the deferred key on commit.
	if err := postgres.NewTxManager(db).Within(b.ctx, func(ctx context.Context) error {
		return postgres.Conn(ctx, db).Exec(`INSERT INTO files (id, org_id, space_id, name, name_key, current_version_id, version_count, created_by, created_at, updated_at) VALUES (?, ?, ?, 'y', 'y', ?, 1, ?, ?, ?)`,
			uuid.New(), b.orgID, b.space.ID(), fileA.CurrentVersionID(), b.userID, now, now).Error
	}); !errs.Is(err, errs.NotFound) {
		t.Fatalf("a file pointing at another organisation's version: %v", err)
	}
}
