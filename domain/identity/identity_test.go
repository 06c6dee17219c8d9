package identity_test

import (
	"strings"
	"testing"
	"time"

	"canopy/domain/errs"
	"canopy/domain/identity"
)

func TestNormalizeEmail(t *testing.T) {
	good := map[string]string{" Ada@Example.COM ": "ada@example.com", "a.b+c@sub.example.cn": "a.b+c@sub.example.cn"}
	for in, want := range good {
		got, err := identity.NormalizeEmail(in)
		if err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "plain", "a@b", "Ada <ada@example.com>", "a@@b.com", "a@b.com.", strings.Repeat("a", 250) + "@b.com"} {
		if _, err := identity.NormalizeEmail(bad); errs.CodeOf(err) != "invalid_email" {
			t.Errorf("NormalizeEmail(%q) = %v, want invalid_email", bad, err)
		}
	}
}

type list map[string]bool

func (l list) Contains(p string) bool { return l[p] }

func TestPasswordPolicy(t *testing.T) {
	common := list{"football": true}
	cases := map[string]string{
		"short":                      "password_too_short",
		"seven77":                    "password_too_short",
		"Football":                   "password_too_common",
		strings.Repeat("x", 129):     "password_too_long",
		"eight888":                   "",
		"no rules at all, just long": "",
		"长城长城长城长城":                   "", // eight characters, not eight bytes
		strings.Repeat("y", 64):      "", // ASVS: at least 64 allowed
	}
	for pw, want := range cases {
		err := identity.CheckPassword(pw, common)
		if got := codeOrEmpty(err); got != want {
			t.Errorf("CheckPassword(%q) = %q, want %q", pw, got, want)
		}
	}
}

func codeOrEmpty(err error) string {
	if err == nil {
		return ""
	}
	return errs.CodeOf(err)
}

func TestNewUserValidates(t *testing.T) {
	now := time.Now()
	if _, err := identity.NewUser(identity.NewUserInput{Email: "a@b.co", DisplayName: "A", Locale: "fr", PasswordHash: "h"}, now); errs.CodeOf(err) != "invalid_locale" {
		t.Fatalf("locale: %v", err)
	}
	if _, err := identity.NewUser(identity.NewUserInput{Email: "a@b.co", DisplayName: " ", PasswordHash: "h"}, now); errs.CodeOf(err) != "invalid_display_name" {
		t.Fatalf("name: %v", err)
	}
	u, err := identity.NewUser(identity.NewUserInput{Email: "A@B.co", DisplayName: " 张伟 ", TimeZone: "Asia/Shanghai", PasswordHash: "h"}, now)
	if err != nil || u.Email() != "a@b.co" || u.DisplayName() != "张伟" || u.Locale() != identity.LocaleEN || !u.Active() {
		t.Fatalf("user: %+v %v", u, err)
	}
	bad := "Nowhere/Land"
	if err := u.ChangeProfile(identity.ProfileChange{DisplayName: ptr("New"), TimeZone: &bad}, now); err == nil || u.DisplayName() != "张伟" {
		t.Fatalf("a failed change must change nothing: %v %q", err, u.DisplayName())
	}
}

func ptr[T any](v T) *T { return &v }

func TestAPITokenUsable(t *testing.T) {
	now := time.Now()
	tok, secret, err := identity.NewAPIToken([16]byte{1}, [16]byte{2}, 0, "ci", nil, time.Hour, now)
	if err != nil || !strings.HasPrefix(secret, "cnp_") || len(secret) < 40 {
		t.Fatalf("token: %v %q", err, secret)
	}
	if !tok.Usable(now) || tok.Usable(now.Add(2*time.Hour)) {
		t.Fatal("expiry not honoured")
	}
	if _, _, err := identity.NewAPIToken([16]byte{1}, [16]byte{2}, 0, "ci", []string{"root"}, 0, now); errs.CodeOf(err) != "invalid_scope" {
		t.Fatalf("scope: %v", err)
	}
}

func TestSessionValid(t *testing.T) {
	now := time.Now()
	s := identity.Session{CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(24 * time.Hour)}
	if !s.Valid(now.Add(time.Hour), 2*time.Hour) {
		t.Fatal("fresh session invalid")
	}
	if s.Valid(now.Add(3*time.Hour), 2*time.Hour) {
		t.Fatal("idle session valid")
	}
	if s.Valid(now.Add(25*time.Hour), 48*time.Hour) {
		t.Fatal("expired session valid")
	}
}
