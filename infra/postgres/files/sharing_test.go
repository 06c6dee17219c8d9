package files_test

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/files"
	pgfiles "canopy/infra/postgres/files"
	"canopy/infra/postgres/pgtest"
)

// mustGroup stores a group of the fixture's organisation.
func (fx *fixture) mustGroup(t *testing.T, name string) uuid.UUID {
	t.Helper()
	id := uuid.New()
	if err := fx.db.Exec(`INSERT INTO groups (id, org_id, name, created_at, updated_at) VALUES (?, ?, ?, now(), now())`, id, fx.orgID, name).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

// mustDepartment stores a department at the top of the fixture's organisation.
func (fx *fixture) mustDepartment(t *testing.T, name string) uuid.UUID {
	t.Helper()
	id := uuid.New()
	if err := fx.db.Exec(`INSERT INTO departments (id, org_id, path, depth, name, created_at, updated_at) VALUES (?, ?, ?, 1, ?, now(), now())`,
		id, fx.orgID, "/"+id.String()+"/", name).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

func (fx *fixture) share(t *testing.T, target files.Target, p files.Principal, role files.Role) *files.Share {
	t.Helper()
	s, err := files.NewShare(fx.orgID, target, p, role, fx.userID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := pgfiles.NewShares(fx.db).Create(fx.ctx, s); err != nil {
		t.Fatalf("share: %v", err)
	}
	return s
}

func (fx *fixture) link(t *testing.T, target files.Target, expires time.Time, maxDownloads int) (*files.Link, string) {
	t.Helper()
	terms := files.RehydrateLinkTerms(expires, maxDownloads, false)
	l, token, err := files.NewLink(fx.orgID, target, terms, "", fx.userID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := pgfiles.NewLinks(fx.db).Create(fx.ctx, l); err != nil {
		t.Fatalf("link: %v", err)
	}
	return l, token
}

func fileTarget(f *files.File) files.Target { return files.Target{Type: files.TargetFile, ID: f.ID()} }
func folderTarget(f *files.Folder) files.Target {
	return files.Target{Type: files.TargetFolder, ID: f.ID()}
}

// TestShares: shares round-trip, one per target and principal; they are found by target and by
// principal, the strongest role over a path is an editor's wherever one is, and another
// organisation's share id is NotFound like a missing one.
func TestShares(t *testing.T) {
	db := pgtest.MustDB(t)
	fx, other := newFixture(t, db, "a@s.example"), newFixture(t, db, "b@s.example")
	repo := pgfiles.NewShares(db)
	docs := fx.folder(t, nil, "Docs")
	sub := fx.folder(t, docs, "Sub")
	f := fx.file(t, sub, "a.txt")
	group, dept := fx.mustGroup(t, "Team"), fx.mustDepartment(t, "Sales")
	user := files.Principal{Type: files.PrincipalUser, ID: fx.userID}
	groupP := files.Principal{Type: files.PrincipalGroup, ID: group}
	deptP := files.Principal{Type: files.PrincipalDepartment, ID: dept}

	s1 := fx.share(t, folderTarget(docs), groupP, files.RoleViewer)
	s2 := fx.share(t, fileTarget(f), deptP, files.RoleEditor)
	fx.share(t, folderTarget(sub), user, files.RoleViewer)

	got, err := repo.Get(fx.ctx, fx.orgID, s1.ID())
	if err != nil || got.Target() != s1.Target() || got.Principal() != groupP || got.Role() != files.RoleViewer || got.CreatedBy() != fx.userID {
		t.Fatalf("get: %+v %v", got, err)
	}
	again, _ := files.NewShare(fx.orgID, folderTarget(docs), groupP, files.RoleEditor, fx.userID, time.Now())
	if err := repo.Create(fx.ctx, again); !errs.Is(err, errs.Conflict) || errs.CodeOf(err) != "already_shared" {
		t.Fatalf("sharing twice with one group: %v", err)
	}
	if list, err := repo.OfTarget(fx.ctx, fx.orgID, folderTarget(docs)); err != nil || len(list) != 1 || list[0].ID() != s1.ID() {
		t.Fatalf("of target: %v %v", list, err)
	}
	if err := s1.SetRole(files.RoleEditor); err != nil {
		t.Fatal(err)
	}
	if err := repo.UpdateRole(fx.ctx, s1); err != nil {
		t.Fatal(err)
	}
	if got, _ := repo.Get(fx.ctx, fx.orgID, s1.ID()); got.Role() != files.RoleEditor {
		t.Fatalf("the new role was not stored: %q", got.Role())
	}
	_ = s1.SetRole(files.RoleViewer)
	if err := repo.UpdateRole(fx.ctx, s1); err != nil {
		t.Fatal(err)
	}
	if list, err := repo.With(fx.ctx, fx.orgID, []files.Principal{groupP, deptP}); err != nil || len(list) != 2 {
		t.Fatalf("with the group and the department: %v %v", list, err)
	}
	// A principal id is matched with its type only.
	if list, err := repo.With(fx.ctx, fx.orgID, []files.Principal{{Type: files.PrincipalUser, ID: group}}); err != nil || len(list) != 0 {
		t.Fatalf("a group's id as a user's: %v %v", list, err)
	}

	path := []files.Target{fileTarget(f), folderTarget(docs), folderTarget(sub)}
	for _, c := range []struct {
		name  string
		ps    []files.Principal
		ts    []files.Target
		want  files.Role
		found bool
	}{
		{"the group, through the top folder", []files.Principal{groupP}, path, files.RoleViewer, true},
		{"group and department: the editor wins", []files.Principal{groupP, deptP, user}, path, files.RoleEditor, true},
		{"the department, on the folders only", []files.Principal{deptP}, path[1:], "", false},
		{"nobody", nil, path, "", false},
		{"nothing", []files.Principal{groupP}, nil, "", false},
	} {
		role, ok, err := repo.Strongest(fx.ctx, fx.orgID, c.ps, c.ts)
		if err != nil || role != c.want || ok != c.found {
			t.Errorf("%s: %q %v %v; want %q %v", c.name, role, ok, err, c.want, c.found)
		}
	}
	// Another organisation asks in vain, even with the right ids.
	if _, ok, _ := repo.Strongest(other.ctx, other.orgID, []files.Principal{groupP, deptP, user}, path); ok {
		t.Error("another organisation found the shares")
	}
	if _, err := repo.Get(other.ctx, other.orgID, s1.ID()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another organisation's share: %v", err)
	}

	if err := repo.Delete(fx.ctx, s2); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Get(fx.ctx, fx.orgID, s2.ID()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("a removed share: %v", err)
	}
	if err := repo.Delete(fx.ctx, s2); !errs.Is(err, errs.NotFound) {
		t.Fatalf("removing it again: %v", err)
	}
}

// TestSharesStayInTheirOrganisation: the schema refuses a share of one organisation's file with
// another's group, department or member, and a share of another's file, as NotFound.
func TestSharesStayInTheirOrganisation(t *testing.T) {
	db := pgtest.MustDB(t)
	a, b := newFixture(t, db, "a@s.example"), newFixture(t, db, "b@s.example")
	repo := pgfiles.NewShares(db)
	fileA := a.file(t, nil, "a.txt")
	fileB := b.file(t, nil, "b.txt")
	for _, c := range []struct {
		name      string
		target    files.Target
		principal files.Principal
	}{
		{"A's file with B's group", fileTarget(fileA), files.Principal{Type: files.PrincipalGroup, ID: b.mustGroup(t, "B team")}},
		{"A's file with B's department", fileTarget(fileA), files.Principal{Type: files.PrincipalDepartment, ID: b.mustDepartment(t, "B dept")}},
		{"A's file with B's owner", fileTarget(fileA), files.Principal{Type: files.PrincipalUser, ID: b.userID}},
		{"B's file, by A", fileTarget(fileB), files.Principal{Type: files.PrincipalUser, ID: a.userID}},
		{"a folder that does not exist", files.Target{Type: files.TargetFolder, ID: uuid.New()}, files.Principal{Type: files.PrincipalUser, ID: a.userID}},
	} {
		s, err := files.NewShare(a.orgID, c.target, c.principal, files.RoleViewer, a.userID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := repo.Create(a.ctx, s); !errs.Is(err, errs.NotFound) {
			t.Errorf("%s: %v, want NotFound", c.name, err)
		}
	}
	l, _, _ := files.NewLink(a.orgID, fileTarget(fileB), files.RehydrateLinkTerms(time.Time{}, 0, false), "", a.userID, time.Now())
	if err := pgfiles.NewLinks(db).Create(a.ctx, l); !errs.Is(err, errs.NotFound) {
		t.Errorf("a link of A to B's file: %v, want NotFound", err)
	}
}

// TestSharesAndLinksGoWithTheirTarget: deleting a folder removes its shares and links, and the
// links' grants, rather than blocking the delete or leaving them pointing at nothing.
func TestSharesAndLinksGoWithTheirTarget(t *testing.T) {
	db := pgtest.MustDB(t)
	fx := newFixture(t, db, "a@s.example")
	docs := fx.folder(t, nil, "Docs")
	s := fx.share(t, folderTarget(docs), files.Principal{Type: files.PrincipalGroup, ID: fx.mustGroup(t, "T")}, files.RoleViewer)
	l, _ := fx.link(t, folderTarget(docs), time.Time{}, 0)
	links := pgfiles.NewLinks(db)
	if err := links.AddGrant(fx.ctx, l, files.HashSecret("grant"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := fx.folders.Delete(fx.ctx, docs); err != nil {
		t.Fatalf("deleting a shared folder: %v", err)
	}
	if _, err := pgfiles.NewShares(db).Get(fx.ctx, fx.orgID, s.ID()); !errs.Is(err, errs.NotFound) {
		t.Errorf("the folder's share outlived it: %v", err)
	}
	if _, err := links.Get(fx.ctx, fx.orgID, l.ID()); !errs.Is(err, errs.NotFound) {
		t.Errorf("the folder's link outlived it: %v", err)
	}
	var n int64
	db.Table("share_link_grants").Count(&n)
	if n != 0 {
		t.Errorf("%d grants outlived their link", n)
	}
}

// TestLinks: a link is found by its token's hash alone (the token itself is stored nowhere), by
// id only in its own organisation, and by target newest first; an unknown hash is
// link_unavailable.
func TestLinks(t *testing.T) {
	db := pgtest.MustDB(t)
	fx, other := newFixture(t, db, "a@s.example"), newFixture(t, db, "b@s.example")
	repo := pgfiles.NewLinks(db)
	f := fx.file(t, nil, "a.txt")
	expires := time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)
	first, _ := fx.link(t, fileTarget(f), time.Time{}, 0)
	terms := files.RehydrateLinkTerms(expires, 5, true)
	l, token, err := files.NewLink(fx.orgID, fileTarget(f), terms, "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$a2V5", fx.userID, time.Now().Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Create(fx.ctx, l); err != nil {
		t.Fatal(err)
	}
	got, err := repo.ByTokenHash(fx.ctx, files.HashSecret(token))
	if err != nil || got.ID() != l.ID() || got.OrgID() != fx.orgID || got.Target() != fileTarget(f) || !got.Terms().ExpiresAt().Equal(expires) ||
		got.Terms().MaxDownloads() != 5 || !got.Terms().PasswordRequired() || got.PasswordHash() != l.PasswordHash() || !got.RevokedAt().IsZero() {
		t.Fatalf("by token hash: %+v %v", got, err)
	}
	var stored int64
	db.Raw(`SELECT count(*) FROM share_links WHERE position(convert_to(?, 'UTF8') IN token_hash) > 0 OR password_hash LIKE '%' || ? || '%'`, token, token).Scan(&stored)
	if stored != 0 {
		t.Fatal("the token is stored")
	}
	if _, err := repo.ByTokenHash(fx.ctx, files.HashSecret("not-a-token")); !errs.Is(err, errs.NotFound) || errs.CodeOf(err) != files.CodeLinkUnavailable {
		t.Fatalf("an unknown token: %v", err)
	}
	if _, err := repo.Get(other.ctx, other.orgID, l.ID()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another organisation's link: %v", err)
	}
	list, err := repo.OfTarget(fx.ctx, fx.orgID, fileTarget(f))
	if err != nil || len(list) != 2 || list[0].ID() != l.ID() || list[1].ID() != first.ID() {
		t.Fatalf("of target: %v %v", list, err)
	}
}

// TestTakeDownload: of many concurrent downloads of a link allowing 3, exactly 3 are counted;
// an expired or revoked link counts none; revoking ends the link's grants.
func TestTakeDownload(t *testing.T) {
	db := pgtest.MustDB(t)
	fx := newFixture(t, db, "a@s.example")
	repo := pgfiles.NewLinks(db)
	f := fx.file(t, nil, "a.txt")
	l, _ := fx.link(t, fileTarget(f), time.Time{}, 3)

	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		ok     int
		others []error
	)
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := repo.TakeDownload(fx.ctx, l, time.Now())
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				ok++
			} else if errs.CodeOf(err) != files.CodeLinkUnavailable {
				others = append(others, err)
			}
		}()
	}
	wg.Wait()
	if ok != 3 || len(others) != 0 {
		t.Fatalf("%d downloads counted of a limit of 3; other errors: %v", ok, others)
	}
	if got, _ := repo.Get(fx.ctx, fx.orgID, l.ID()); got.Downloads() != 3 || got.Check(time.Now()) == nil {
		t.Fatalf("after the limit: %d downloads, check %v", got.Downloads(), got.Check(time.Now()))
	}

	expiring, _ := fx.link(t, fileTarget(f), time.Now().Add(time.Minute), 0)
	if err := repo.TakeDownload(fx.ctx, expiring, time.Now().Add(time.Minute)); errs.CodeOf(err) != files.CodeLinkUnavailable {
		t.Fatalf("a download at the link's expiry: %v", err)
	}
	if err := repo.TakeDownload(fx.ctx, expiring, time.Now()); err != nil {
		t.Fatalf("a download before it: %v", err)
	}

	open, _ := fx.link(t, fileTarget(f), time.Time{}, 0)
	grant := files.HashSecret("grant")
	if err := repo.AddGrant(fx.ctx, open, grant, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if has, err := repo.HasGrant(fx.ctx, open, grant, time.Now()); err != nil || !has {
		t.Fatalf("a live grant: %v %v", has, err)
	}
	if has, _ := repo.HasGrant(fx.ctx, open, grant, time.Now().Add(2*time.Hour)); has {
		t.Fatal("an expired grant still unlocks")
	}
	if has, _ := repo.HasGrant(fx.ctx, expiring, grant, time.Now()); has {
		t.Fatal("one link's grant unlocks another")
	}
	open.Revoke(time.Now())
	if err := repo.Revoke(fx.ctx, open); err != nil {
		t.Fatal(err)
	}
	if err := repo.TakeDownload(fx.ctx, open, time.Now()); errs.CodeOf(err) != files.CodeLinkUnavailable {
		t.Fatalf("a download of a revoked link: %v", err)
	}
	if has, _ := repo.HasGrant(fx.ctx, open, grant, time.Now()); has {
		t.Fatal("a revoked link's grant still unlocks")
	}
	got, _ := repo.Get(fx.ctx, fx.orgID, open.ID())
	if got.RevokedAt().IsZero() || !bytes.Equal(got.TokenHash(), open.TokenHash()) {
		t.Fatalf("the revocation was not stored: %+v", got)
	}
}
