package files_test

import (
	"bytes"
	"encoding/base64"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/files"
)

// TestNewShareChecksItsParts: a share names a file or folder, a user, group or department, and
// viewer or editor; anything else is Invalid naming the field.
func TestNewShareChecksItsParts(t *testing.T) {
	org, by := uuid.New(), uuid.New()
	file := files.Target{Type: files.TargetFile, ID: uuid.New()}
	group := files.Principal{Type: files.PrincipalGroup, ID: uuid.New()}
	s, err := files.NewShare(org, file, group, files.RoleEditor, by, now)
	if err != nil {
		t.Fatal(err)
	}
	if s.ID() == uuid.Nil || s.OrgID() != org || s.Target() != file || s.Principal() != group || s.Role() != files.RoleEditor || s.CreatedBy() != by || !s.CreatedAt().Equal(now) {
		t.Fatalf("share does not hold what it was made of: %+v", s)
	}
	for _, c := range []struct {
		name      string
		target    files.Target
		principal files.Principal
		role      files.Role
		code      string
		field     string
	}{
		{"a space as target", files.Target{Type: "space", ID: uuid.New()}, group, files.RoleViewer, "invalid_target", "target_type"},
		{"no target id", files.Target{Type: files.TargetFolder}, group, files.RoleViewer, "invalid_target", "target_id"},
		{"an organisation as principal", file, files.Principal{Type: "organisation", ID: uuid.New()}, files.RoleViewer, "invalid_principal", "principal_type"},
		{"no principal id", file, files.Principal{Type: files.PrincipalUser}, files.RoleViewer, "invalid_principal", "principal_id"},
		{"owner as role", file, group, "owner", "invalid_role", "role"},
	} {
		_, err := files.NewShare(org, c.target, c.principal, c.role, by, now)
		wantErr(t, c.name, err, errs.Invalid, c.code, c.field)
	}
	for _, s := range []string{"viewer", "editor"} {
		if _, err := files.ParseRole(s); err != nil {
			t.Errorf("role %q: %v", s, err)
		}
	}
}

// TestLinkTokens: a link's token carries at least 128 random bits, is URL-safe, differs from
// every other link's, and only its SHA-256 is kept.
func TestLinkTokens(t *testing.T) {
	terms, err := files.NewLinkTerms(time.Time{}, 0, false, files.DefaultPolicy(), now)
	if err != nil {
		t.Fatal(err)
	}
	target := files.Target{Type: files.TargetFile, ID: uuid.New()}
	seen := map[string]bool{}
	for range 50 {
		l, token, err := files.NewLink(uuid.New(), target, terms, "", uuid.New(), now)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(raw)*8 < 128 {
			t.Fatalf("token %q is not base64url of at least 128 bits (%v)", token, err)
		}
		if seen[token] {
			t.Fatal("two links got the same token")
		}
		seen[token] = true
		if !bytes.Equal(l.TokenHash(), files.HashSecret(token)) || bytes.Contains(l.TokenHash(), []byte(token)) {
			t.Fatal("the link does not keep the token's SHA-256, and only that")
		}
	}
	// A link whose terms say it has a password must come with its hash, and the other way round.
	withPassword, _ := files.NewLinkTerms(time.Time{}, 0, true, files.DefaultPolicy(), now)
	if _, _, err := files.NewLink(uuid.New(), target, withPassword, "", uuid.New(), now); err == nil {
		t.Error("a link said to have a password was made without its hash")
	}
	if _, _, err := files.NewLink(uuid.New(), target, terms, "$argon2id$x", uuid.New(), now); err == nil {
		t.Error("a link said to have no password was made with a hash")
	}
}

// TestLinkCheck: an expired, revoked or used-up link is refused with the one answer that tells
// a stranger nothing (NotFound link_unavailable); downloads count up to the limit and no
// further.
func TestLinkCheck(t *testing.T) {
	target := files.Target{Type: files.TargetFolder, ID: uuid.New()}
	expiry := now.Add(time.Hour)
	terms, err := files.NewLinkTerms(expiry, 2, false, files.DefaultPolicy(), now)
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := files.NewLink(uuid.New(), target, terms, "", uuid.New(), now)
	if err != nil {
		t.Fatal(err)
	}
	unavailable := func(what string, err error) {
		t.Helper()
		if !errs.Is(err, errs.NotFound) || errs.CodeOf(err) != files.CodeLinkUnavailable {
			t.Errorf("%s: got %v, want NotFound %s", what, err, files.CodeLinkUnavailable)
		}
	}
	if err := l.Check(expiry.Add(-time.Nanosecond)); err != nil {
		t.Fatalf("a link just before its expiry: %v", err)
	}
	unavailable("at its expiry", l.Check(expiry))
	if l.State(expiry) != files.LinkExpired || l.State(now) != files.LinkActive {
		t.Errorf("states: %q at its expiry, %q before", l.State(expiry), l.State(now))
	}
	unavailable("after its expiry", l.Check(expiry.Add(time.Second)))

	for i := range 2 {
		if err := l.CountDownload(now); err != nil {
			t.Fatalf("download %d of 2: %v", i+1, err)
		}
	}
	if l.Downloads() != 2 {
		t.Fatalf("downloads = %d, want 2", l.Downloads())
	}
	unavailable("a third download of two", l.CountDownload(now))
	if l.Downloads() != 2 || l.State(now) != files.LinkUsedUp {
		t.Fatalf("a refused download was counted, or the state is wrong: %d, %q", l.Downloads(), l.State(now))
	}

	open, _ := files.NewLinkTerms(time.Time{}, 0, false, files.DefaultPolicy(), now)
	l2, _, _ := files.NewLink(uuid.New(), target, open, "", uuid.New(), now)
	if err := l2.Check(now.AddDate(50, 0, 0)); err != nil {
		t.Fatalf("a link without expiry or limit: %v", err)
	}
	l2.Revoke(now)
	unavailable("revoked", l2.Check(now))
	if l2.State(now) != files.LinkRevoked {
		t.Errorf("a revoked link is %q", l2.State(now))
	}
	l2.Revoke(now.Add(time.Hour))
	if !l2.RevokedAt().Equal(now) {
		t.Error("revoking again moved the date of revocation")
	}
}

// TestLinkTermsFollowThePolicy: the strictest policy on the path decides whether a link may be
// made, how long it may live, and whether it needs a password.
func TestLinkTermsFollowThePolicy(t *testing.T) {
	week := 7 * 24 * time.Hour
	p := files.Strictest(files.Policy{LinksAllowed: true, MaxLinkExpiry: 30 * 24 * time.Hour}, files.Policy{LinksAllowed: true, MaxLinkExpiry: week, PasswordRequired: true})
	_, err := files.NewLinkTerms(now.Add(8*24*time.Hour), 0, true, p, now)
	wantErr(t, "past the shorter expiry", err, errs.Invalid, "invalid_link", "expires_at")
	_, err = files.NewLinkTerms(time.Time{}, 0, true, p, now)
	wantErr(t, "no expiry under a longest one", err, errs.Invalid, "invalid_link", "expires_at")
	_, err = files.NewLinkTerms(now.Add(week), 0, false, p, now)
	wantErr(t, "no password where one is required", err, errs.Invalid, "invalid_link", "password")
	if _, err := files.NewLinkTerms(now.Add(week), 0, true, p, now); err != nil {
		t.Fatalf("terms within the policy: %v", err)
	}
	_, err = files.NewLinkTerms(now.Add(time.Hour), 0, true, files.Strictest(p, files.Policy{}), now)
	wantErr(t, "links not allowed somewhere on the path", err, errs.Forbidden, "links_not_allowed", "links")
}
