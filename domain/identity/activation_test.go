package identity_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/identity"
)

func TestActivationToken(t *testing.T) {
	now := time.Now()
	tok, secret, err := identity.NewActivationToken(uuid.New(), uuid.New(), uuid.Nil, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	// 256 random bits, base64url: at least the 128 bits ASVS asks for.
	if len(secret) < 43 || !bytes.Equal(identity.HashSecret(secret), tok.Hash()) {
		t.Fatalf("secret %q", secret)
	}
	if !tok.ExpiresAt().Equal(now.UTC().Add(identity.DefaultActivationTTL)) {
		t.Fatalf("expires %v", tok.ExpiresAt())
	}
	if !tok.Usable(now) || tok.Usable(tok.ExpiresAt()) {
		t.Fatal("usable until, not at, its expiry")
	}
	_, other, _ := identity.NewActivationToken(uuid.New(), uuid.New(), uuid.Nil, 0, now)
	if other == secret {
		t.Fatal("two links share a secret")
	}
	if _, _, err := identity.NewActivationToken(uuid.New(), uuid.New(), uuid.Nil, 31*24*time.Hour, now); errs.CodeOf(err) != "invalid_expiry" {
		t.Fatalf("ttl past the cap: %v", err)
	}
	used := now
	if identity.RehydrateActivationToken(tok.ID(), tok.UserID(), tok.OrgID(), uuid.Nil, tok.Hash(), tok.ExpiresAt(), &used, now).Usable(now) {
		t.Fatal("a used link is usable")
	}
}

func TestInitialPassword(t *testing.T) {
	now := time.Now()
	u, err := identity.NewUser(identity.NewUserInput{Email: "a@b.co", DisplayName: "A", CreatedByOrgID: uuid.New()}, now)
	if err != nil || !u.NeedsActivation() || u.MustChangePassword() {
		t.Fatalf("%v %+v", err, u)
	}
	if err := u.SetInitialPasswordHash("h1", now); err != nil || !u.MustChangePassword() || u.NeedsActivation() {
		t.Fatalf("initial: %v", err)
	}
	if err := u.SetInitialPasswordHash("h2", now); errs.CodeOf(err) != "already_activated" || u.PasswordHash() != "h1" {
		t.Fatalf("an initial password replaced a password: %v", err)
	}
	u.SetPasswordHash("h3", now)
	if u.MustChangePassword() {
		t.Fatal("the person's own password still must change")
	}
	v, _ := identity.NewUser(identity.NewUserInput{Email: "a@b.co", DisplayName: "A", PasswordHash: "h", MustChangePassword: true}, now)
	if !v.MustChangePassword() {
		t.Fatal("provisioned with an initial password, not asked to change it")
	}
	if err := v.Disable(now); err != nil || v.Active() || v.Disable(now) == nil {
		t.Fatalf("disable: %v", err)
	}
	if err := v.Enable(now); err != nil || !v.Active() {
		t.Fatalf("enable: %v", err)
	}
	if identity.EmailDomain("ada@Acme.com") != "acme.com" {
		t.Fatal("EmailDomain")
	}
}
