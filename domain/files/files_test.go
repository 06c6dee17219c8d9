package files_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/files"
)

var now = time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)

// wantErr fails unless err is an *errs.Error of kind and code whose message contains field.
func wantErr(t *testing.T, what string, err error, kind errs.Kind, code, field string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != kind || e.Code != code || !strings.Contains(e.Message, field) {
		t.Errorf("%s: got %v, want %s %s naming %q", what, err, kind, code, field)
	}
}

func mustSpace(t *testing.T) *files.Space {
	t.Helper()
	org := uuid.New()
	s, err := files.NewSpace(org, files.KindOrganisation, org, now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseName(t *testing.T) {
	for _, c := range []struct {
		in, want, code string
	}{
		{"  Report.pdf ", "Report.pdf", ""},
		{"Cafe\u0301.txt", "Café.txt", ""},     // NFC
		{"季度报告（终稿）.docx", "季度报告（终稿）.docx", ""}, // Chinese
		{"a;b.txt", "a;b.txt", ""},             // ";" is fine in a file name
		{"notes\\old", "notes\\old", ""},
		{strings.Repeat("文", 85), strings.Repeat("文", 85), ""}, // 255 bytes
		{strings.Repeat("文", 86), "", files.CodeInvalidName},   // 258 bytes
		{strings.Repeat("a", 256), "", files.CodeInvalidName},
		{"", "", files.CodeInvalidName},
		{"   ", "", files.CodeInvalidName},
		{".", "", "reserved_name"},
		{" .. ", "", "reserved_name"},
		{"a/b", "", "path_separator"},
		{"/", "", "path_separator"},
		{"tab\there", "", "control_character"},
		{"nul\x00", "", "control_character"},
		{"line\nbreak", "", "control_character"},
		{"evil\u202etxt.exe", "", "bidi_control"},
		{"\u200b", "", "no_visible_character"},
		{"\xff.txt", "", "invalid_utf8"},
	} {
		got, err := files.ParseName(c.in)
		if c.code == "" {
			if err != nil || got != c.want {
				t.Errorf("ParseName(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
			continue
		}
		wantErr(t, "ParseName "+c.in, err, errs.Invalid, c.code, "name")
	}
}

// TestNameKey: names collide without regard to case by Unicode full case folding
// (golang.org/x/text/cases Fold). Full folding maps "ß" and "ẞ" to "ss", so "Straße" and
// "STRASSE" are the same name in one folder, as they would be to a person searching for it;
// Chinese has no case, so only identical Chinese names collide.
func TestNameKey(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"Report.PDF", "report.pdf", true},
		{"Straße.txt", "STRASSE.TXT", true},
		{"Straße", "STRAẞE", true},
		{"ΣΊΣΥΦΟΣ", "σίσυφος", true}, // final sigma folds like sigma
		{"报告.PDF", "报告.pdf", true},
		{"报告", "報告", false},
		{"报告", "报告 (1)", false},
		{"İstanbul", "istanbul", false}, // U+0130 folds to i + U+0307, language-neutrally
	} {
		ka, kb := files.NameKey(c.a), files.NameKey(c.b)
		if (ka == kb) != c.same {
			t.Errorf("NameKey(%q)=%q, NameKey(%q)=%q: want same=%v", c.a, ka, c.b, kb, c.same)
		}
	}
	s := mustSpace(t)
	f, err := files.NewFile(s, nil, "Straße.txt", uuid.New(), now)
	if err != nil || f.NameKey() != files.NameKey("STRASSE.TXT") || f.Name() != "Straße.txt" {
		t.Fatalf("a file keeps its name as written and indexes its key: %q %q %v", f.Name(), f.NameKey(), err)
	}
}

func TestNewSpace(t *testing.T) {
	org, dept := uuid.New(), uuid.New()
	for _, c := range []struct {
		name        string
		org, owner  uuid.UUID
		kind        files.SpaceKind
		code, field string
	}{
		{"organisation", org, org, files.KindOrganisation, "", ""},
		{"department", org, dept, files.KindDepartment, "", ""},
		{"group", org, dept, files.KindGroup, "", ""},
		{"personal", org, dept, files.KindPersonal, "", ""},
		{"organisation owned by another", org, dept, files.KindOrganisation, "invalid_space", "owner_id"},
		{"no owner", org, uuid.Nil, files.KindPersonal, "invalid_space", "owner_id"},
		{"no org", uuid.Nil, dept, files.KindGroup, "invalid_space", "org_id"},
		{"unknown kind", org, dept, "team", "invalid_space_kind", "kind"},
	} {
		s, err := files.NewSpace(c.org, c.kind, c.owner, now)
		if c.code == "" {
			if err != nil || s.Kind() != c.kind || s.OwnerID() != c.owner || s.OrgID() != c.org {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		wantErr(t, c.name, err, errs.Invalid, c.code, c.field)
	}
}

func TestSpaceRetentionMayOnlyLengthen(t *testing.T) {
	for _, c := range []struct {
		name        string
		min, max    int
		code, field string
	}{
		{"none of its own", 0, 0, "", ""},
		{"lengthens", 30, 0, "", ""},
		{"equal to the org's", 3, 0, "", ""},
		{"with a maximum", 30, 365, "", ""},
		{"shortens", 2, 0, "retention_below_floor", "min_retention_days"},
		{"negative", -1, 0, "invalid_retention", "min_retention_days"},
		{"too long", files.MaxRetentionDays + 1, 0, "invalid_retention", "min_retention_days"},
		{"maximum below own minimum", 30, 10, "invalid_retention", "max_retention_days"},
		{"maximum below org minimum", 0, 2, "invalid_retention", "max_retention_days"},
	} {
		s := mustSpace(t)
		err := s.SetRetention(c.min, c.max, 3, now)
		if c.code == "" {
			if err != nil || s.MinRetentionDays() != c.min || s.MaxRetentionDays() != c.max {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		wantErr(t, c.name, err, errs.Invalid, c.code, c.field)
		if s.MinRetentionDays() != 0 || s.MaxRetentionDays() != 0 {
			t.Errorf("%s: a refused setting must not stick", c.name)
		}
	}
}

func TestQuota(t *testing.T) {
	s := mustSpace(t)
	wantErr(t, "negative quota", s.SetQuota(-1, now), errs.Invalid, "invalid_quota", "quota_bytes")
	if err := s.CheckQuota(1<<62, 1<<62); err != nil {
		t.Errorf("no quota of its own: %v", err)
	}
	if err := s.SetQuota(100, now); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		used, adding int64
		ok           bool
	}{
		{0, 100, true}, {60, 40, true}, {60, 41, false}, {0, 101, false},
		{50, 1 << 62, false}, // no overflow lets a huge declared size through
	} {
		err := s.CheckQuota(c.used, c.adding)
		if c.ok && err != nil {
			t.Errorf("used %d + %d: %v", c.used, c.adding, err)
		}
		if !c.ok {
			wantErr(t, "over quota", err, errs.Conflict, "quota_exceeded", "quota")
		}
	}
}

// chain builds n nested folders from the root of s.
func chain(t *testing.T, s *files.Space, n int) []*files.Folder {
	t.Helper()
	var out []*files.Folder
	var parent *files.Folder
	for i := range n {
		f, err := files.NewFolder(s, parent, "层"+string(rune('A'+i%26)), uuid.New(), now)
		if err != nil {
			t.Fatalf("depth %d: %v", i+1, err)
		}
		out, parent = append(out, f), f
	}
	return out
}

func TestFolderDepth(t *testing.T) {
	s := mustSpace(t)
	fs := chain(t, s, files.MaxFolderDepth)
	last := fs[len(fs)-1]
	if last.Depth() != 32 || len(last.AncestorIDs()) != 31 || last.AncestorIDs()[0] != fs[0].ID() || fs[0].ParentID() != uuid.Nil {
		t.Fatalf("depth %d, %d ancestors", last.Depth(), len(last.AncestorIDs()))
	}
	_, err := files.NewFolder(s, last, "too deep", uuid.New(), now)
	wantErr(t, "33rd level", err, errs.Conflict, "too_deep", "32")
}

func TestFolderMove(t *testing.T) {
	s := mustSpace(t)
	a := chain(t, s, 3) // a0/a1/a2
	b, _ := files.NewFolder(s, nil, "b", uuid.New(), now)

	wantErr(t, "into itself", a[0].Move(a[0], 3, now), errs.Conflict, "cycle", "itself")
	wantErr(t, "into its child", a[0].Move(a[1], 3, now), errs.Conflict, "cycle", "itself")
	wantErr(t, "into its grandchild", a[0].Move(a[2], 3, now), errs.Conflict, "cycle", "itself")
	if a[0].Path() != "/"+a[0].ID().String()+"/" {
		t.Fatal("a refused move must change nothing")
	}

	// b at depth 1 with a subtree of height 31 reaches 32: allowed; height 32 reaches 33: refused.
	deep := chain(t, s, 1)[0]
	wantErr(t, "past the depth", deep.Move(b, 32, now), errs.Conflict, "too_deep", "32")
	if err := deep.Move(b, 31, now); err != nil || deep.Depth() != 2 || deep.ParentID() != b.ID() || !b.Contains(deep) {
		t.Fatalf("move under b: %v", err)
	}
	if err := a[1].Move(b, 2, now); err != nil || a[1].Path() != b.Path()+a[1].ID().String()+"/" {
		t.Fatalf("move a1 under b: %v %s", err, a[1].Path())
	}
	if err := a[1].Move(nil, 2, now); err != nil || a[1].Depth() != 1 || a[1].ParentID() != uuid.Nil {
		t.Fatalf("move to the space root: %v", err)
	}

	other, _ := files.NewSpace(s.OrgID(), files.KindPersonal, uuid.New(), now)
	o, _ := files.NewFolder(other, nil, "o", uuid.New(), now)
	wantErr(t, "other space", a[2].Move(o, 1, now), errs.Conflict, "other_space", "another space")
	foreign := mustSpace(t)
	f, _ := files.NewFolder(foreign, nil, "f", uuid.New(), now)
	wantErr(t, "other org", a[2].Move(f, 1, now), errs.NotFound, "not_found", "folder")
	_, err := files.NewFolder(s, f, "x", uuid.New(), now)
	wantErr(t, "new folder under another org's", err, errs.NotFound, "not_found", "folder")
}

func TestObjectKey(t *testing.T) {
	org := uuid.New()
	k := files.NewObjectKey(org)
	if got, err := files.ParseObjectKey(org, k.String()); err != nil || got != k {
		t.Fatalf("%s: %v", k, err)
	}
	for _, bad := range []string{
		"", uuid.NewString() + "/" + uuid.NewString(), org.String() + "/report.pdf",
		org.String() + "/../" + uuid.NewString(), org.String() + "/" + strings.ToUpper(uuid.NewString()),
		org.String() + "/" + uuid.NewString() + "/x", org.String(),
	} {
		_, err := files.ParseObjectKey(org, bad)
		wantErr(t, "key "+bad, err, errs.Invalid, "invalid_object_key", "object_key")
	}
}

func upload(org uuid.UUID, at time.Time) files.Upload {
	return files.Upload{
		ObjectKey: files.NewObjectKey(org), Size: 3, ContentType: "text/plain; charset=utf-8",
		SHA256:     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		UploadedBy: uuid.New(), UploadedAt: at,
	}
}

func TestAddVersion(t *testing.T) {
	s := mustSpace(t)
	f, err := files.NewFile(s, nil, "会议录音.m4a", uuid.New(), now)
	if err != nil {
		t.Fatal(err)
	}
	shanghai := time.FixedZone("CST", 8*3600)
	v1, err := f.AddVersion(upload(s.OrgID(), now.In(shanghai)), 3, nil)
	if err != nil || v1.Number() != 1 || f.CurrentVersionID() != v1.ID() || v1.UploadedAt().Location() != time.UTC {
		t.Fatalf("v1: %v", err)
	}
	v2, err := f.AddVersion(upload(s.OrgID(), now.Add(time.Hour)), 3, []int{7})
	if err != nil || v2.Number() != 2 || f.VersionCount() != 2 || f.CurrentVersionID() != v2.ID() {
		t.Fatalf("v2: %v", err)
	}
	if !v2.AvailableUntil().Equal(now.Add(time.Hour + 7*24*time.Hour)) {
		t.Errorf("available until %s", v2.AvailableUntil())
	}

	for _, c := range []struct {
		name, field, code string
		edit              func(*files.Upload)
	}{
		{"key of another org", "object_key", "invalid_object_key", func(u *files.Upload) { u.ObjectKey = files.NewObjectKey(uuid.New()) }},
		{"key from a name", "object_key", "invalid_object_key", func(u *files.Upload) { u.ObjectKey = files.ObjectKey(s.OrgID().String() + "/会议录音.m4a") }},
		{"negative size", "size", "invalid_version", func(u *files.Upload) { u.Size = -1 }},
		{"short hash", "sha256", "invalid_version", func(u *files.Upload) { u.SHA256 = "ba78" }},
		{"upper-case hash", "sha256", "invalid_version", func(u *files.Upload) { u.SHA256 = strings.ToUpper(u.SHA256) }},
		{"no uploader", "uploaded_by", "invalid_version", func(u *files.Upload) { u.UploadedBy = uuid.Nil }},
		{"no time", "uploaded_at", "invalid_version", func(u *files.Upload) { u.UploadedAt = time.Time{} }},
		{"no content type", "content_type", "invalid_version", func(u *files.Upload) { u.ContentType = "" }},
		{"control in content type", "content_type", "control_character", func(u *files.Upload) { u.ContentType = "text/html\r\nX: y" }},
	} {
		u := upload(s.OrgID(), now)
		c.edit(&u)
		_, err := f.AddVersion(u, 3, nil)
		wantErr(t, c.name, err, errs.Invalid, c.code, c.field)
	}
	if f.VersionCount() != 2 {
		t.Error("a refused version must not count")
	}
}

func TestAvailableUntilFloor(t *testing.T) {
	day := 24 * time.Hour
	for _, c := range []struct {
		name string
		org  int
		path []int
		want time.Duration
	}{
		{"org minimum", 3, nil, 3 * day},
		{"lengthened by a department", 3, []int{10}, 10 * day},
		{"longest on the path", 3, []int{10, 30, 7}, 30 * day},
		{"shorter path values ignored", 3, []int{1, 0, 2}, 3 * day},
		{"negative path value ignored", 3, []int{-5}, 3 * day},
		{"zero-day test organisation", 0, nil, 0},
		{"negative org minimum is no minimum, never earlier", -2, nil, 0},
		{"capped", 3, []int{files.MaxRetentionDays + 10}, files.MaxRetentionDays * day},
	} {
		got := files.AvailableUntil(now, c.org, c.path)
		if !got.Equal(now.Add(c.want)) || got.Location() != time.UTC {
			t.Errorf("%s: %s, want %s", c.name, got, now.Add(c.want))
		}
	}
}

func mustVersion(t *testing.T, days int) (*files.File, *files.Version) {
	t.Helper()
	s := mustSpace(t)
	f, _ := files.NewFile(s, nil, "a.txt", uuid.New(), now)
	v, err := f.AddVersion(upload(s.OrgID(), now), days, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f, v
}

func TestExtendAvailabilityOnlyLater(t *testing.T) {
	_, v := mustVersion(t, 3)
	base := v.AvailableUntil()
	for _, c := range []struct {
		name  string
		to    time.Time
		moved bool
		want  time.Time
	}{
		{"earlier", base.Add(-time.Hour), false, base},
		{"same", base, false, base},
		{"later", base.Add(48 * time.Hour), true, base.Add(48 * time.Hour)},
		{"back to the original", base, false, base.Add(48 * time.Hour)},
		{"to the upload time", now, false, base.Add(48 * time.Hour)},
	} {
		if moved := v.ExtendAvailability(c.to); moved != c.moved || !v.AvailableUntil().Equal(c.want) {
			t.Errorf("%s: moved=%v, until %s; want %v, %s", c.name, moved, v.AvailableUntil(), c.moved, c.want)
		}
	}
}

func TestCheckDeletable(t *testing.T) {
	f, v := mustVersion(t, 3)
	until := v.AvailableUntil() // 2026-12-04T15:00:00Z
	for _, c := range []struct {
		name string
		at   time.Time
		held bool
		code string
	}{
		{"just uploaded", now, false, "retention_active"},
		{"a nanosecond before", until.Add(-1), false, "retention_active"},
		{"exactly at the boundary", until, false, ""},
		{"after", until.Add(time.Hour), false, ""},
		{"held after the window", until.Add(time.Hour), true, "legal_hold"},
		{"held inside the window", now, true, "legal_hold"},
	} {
		v.SetLegalHold(c.held)
		for what, err := range map[string]error{"version": v.CheckDeletable(c.at), "file": f.CheckDeletable(c.at, []*files.Version{v})} {
			if c.code == "" {
				if err != nil {
					t.Errorf("%s %s: %v", what, c.name, err)
				}
				continue
			}
			wantErr(t, what+" "+c.name, err, errs.Conflict, c.code, "")
		}
	}
	v.SetLegalHold(false)
	err := v.CheckDeletable(now)
	var e *errs.Error
	if !errors.As(err, &e) || e.Message != "available until 2026-12-04T15:00:00Z; it cannot be deleted before" {
		t.Errorf("the message names the date: %v", err)
	}
}

func TestFileDeletableNeedsEveryVersion(t *testing.T) {
	s := mustSpace(t)
	f, _ := files.NewFile(s, nil, "a.txt", uuid.New(), now)
	old, _ := f.AddVersion(upload(s.OrgID(), now), 3, nil)
	newer, _ := f.AddVersion(upload(s.OrgID(), now.Add(24*time.Hour)), 3, nil)
	at := old.AvailableUntil()
	if err := old.CheckDeletable(at); err != nil {
		t.Fatal(err)
	}
	err := f.CheckDeletable(at, []*files.Version{old, newer})
	wantErr(t, "newer version still kept", err, errs.Conflict, "retention_active", "2026-12-05T15:00:00Z")
	if err := f.CheckDeletable(newer.AvailableUntil(), []*files.Version{newer, old}); err != nil {
		t.Error(err)
	}
	_, stranger := mustVersion(t, 0)
	if err := f.CheckDeletable(newer.AvailableUntil(), []*files.Version{stranger}); errs.KindOf(err) != errs.Internal || err == nil {
		t.Errorf("another file's version: %v", err)
	}
}

func TestFileMoveAndRename(t *testing.T) {
	s := mustSpace(t)
	dir, _ := files.NewFolder(s, nil, "文档", uuid.New(), now)
	f, err := files.NewFile(s, dir, "计划.xlsx", uuid.New(), now)
	if err != nil || f.FolderID() != dir.ID() {
		t.Fatal(err)
	}
	if err := f.Move(nil, now); err != nil || f.FolderID() != uuid.Nil {
		t.Fatal(err)
	}
	wantErr(t, "rename to a path", f.Rename("../x", now), errs.Invalid, "path_separator", "name")
	if err := f.Rename(" 计划 v2.xlsx ", now); err != nil || f.Name() != "计划 v2.xlsx" {
		t.Fatal(err)
	}
	other, _ := files.NewSpace(s.OrgID(), files.KindGroup, uuid.New(), now)
	od, _ := files.NewFolder(other, nil, "x", uuid.New(), now)
	wantErr(t, "other space", f.Move(od, now), errs.Conflict, "other_space", "another space")
	fd, _ := files.NewFolder(mustSpace(t), nil, "x", uuid.New(), now)
	wantErr(t, "other org", f.Move(fd, now), errs.NotFound, "not_found", "folder")
	if f.FolderID() != uuid.Nil {
		t.Error("a refused move must change nothing")
	}
}

func TestStrictest(t *testing.T) {
	week, day := 7*24*time.Hour, 24*time.Hour
	for _, c := range []struct {
		name string
		in   []files.Policy
		want files.Policy
	}{
		{"none", nil, files.DefaultPolicy()},
		{"one", []files.Policy{{LinksAllowed: true, MaxLinkExpiry: week}}, files.Policy{LinksAllowed: true, MaxLinkExpiry: week}},
		{"links off anywhere", []files.Policy{files.DefaultPolicy(), {LinksAllowed: false}}, files.Policy{}},
		{"shortest expiry, unlimited ignored", []files.Policy{{LinksAllowed: true}, {LinksAllowed: true, MaxLinkExpiry: week}, {LinksAllowed: true, MaxLinkExpiry: day}},
			files.Policy{LinksAllowed: true, MaxLinkExpiry: day}},
		{"password anywhere", []files.Policy{{LinksAllowed: true, MaxLinkExpiry: day}, {LinksAllowed: true, PasswordRequired: true}},
			files.Policy{LinksAllowed: true, MaxLinkExpiry: day, PasswordRequired: true}},
	} {
		if got := files.Strictest(c.in...); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
	wantErr(t, "negative expiry", files.Policy{MaxLinkExpiry: -1}.Validate(), errs.Invalid, "invalid_sharing_policy", "max_link_expiry")
}

func TestNewLinkTerms(t *testing.T) {
	week := 7 * 24 * time.Hour
	strict := files.Policy{LinksAllowed: true, MaxLinkExpiry: week, PasswordRequired: true}
	for _, c := range []struct {
		name        string
		expires     time.Time
		max         int
		password    bool
		policy      files.Policy
		kind        errs.Kind
		code, field string
	}{
		{"open link", time.Time{}, 0, false, files.DefaultPolicy(), 0, "", ""},
		{"within the policy", now.Add(week), 5, true, strict, 0, "", ""},
		{"links off", now.Add(time.Hour), 0, true, files.Policy{}, errs.Forbidden, "links_not_allowed", "policy"},
		{"past", now.Add(-time.Second), 0, false, files.DefaultPolicy(), errs.Invalid, "invalid_link", "expires_at"},
		{"now", now, 0, false, files.DefaultPolicy(), errs.Invalid, "invalid_link", "expires_at"},
		{"no expiry under a limit", time.Time{}, 0, true, strict, errs.Invalid, "invalid_link", "expires_at"},
		{"beyond the limit", now.Add(week + time.Second), 0, true, strict, errs.Invalid, "invalid_link", "expires_at"},
		{"no password", now.Add(time.Hour), 0, false, strict, errs.Invalid, "invalid_link", "password"},
		{"negative downloads", time.Time{}, -1, false, files.DefaultPolicy(), errs.Invalid, "invalid_link", "max_downloads"},
	} {
		terms, err := files.NewLinkTerms(c.expires, c.max, c.password, c.policy, now)
		if c.code == "" {
			if err != nil || !terms.ExpiresAt().Equal(c.expires) || terms.MaxDownloads() != c.max || terms.PasswordRequired() != c.password {
				t.Errorf("%s: %+v %v", c.name, terms, err)
			}
			continue
		}
		wantErr(t, c.name, err, c.kind, c.code, c.field)
	}
}
