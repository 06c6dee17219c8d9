package access_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/access"
	"canopy/domain/errs"
)

func refused(t *testing.T, what string, err error, code, field string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Code != code || !strings.HasPrefix(e.Message, field+": ") {
		t.Errorf("%s: got %v, want Invalid %s naming %q", what, err, code, field)
	}
}

func TestRolesFollowTheTextRule(t *testing.T) {
	org, now := uuid.New(), time.Now()
	perms := []string{"audit.read"}
	for name, code := range map[string]string{
		"Auditor\x00":        "control_character",
		"Audi\u202etor":      "bidi_control",
		"\u200b\u200d\ufeff": "no_visible_character",
		"Aud\xffitor":        "invalid_utf8",
	} {
		_, err := access.NewRole(org, access.RoleInput{Name: name, Permissions: perms}, now)
		refused(t, "NewRole "+name, err, code, "name")
	}
	r, err := access.NewRole(org, access.RoleInput{Name: "Re\u0301viseur", Description: "Reads the log.\nNothing else.", Permissions: perms}, now)
	if err != nil || r.Name() != "Réviseur" {
		t.Fatalf("NFC: %q %v", r.Name(), err)
	}
	err = r.Update(access.RoleInput{Name: "Auditor", Description: "bad\x00", Permissions: perms}, now)
	refused(t, "Update description", err, "control_character", "description")
	if r.Name() != "Réviseur" {
		t.Fatalf("a refused update changed the role: %q", r.Name())
	}
}
