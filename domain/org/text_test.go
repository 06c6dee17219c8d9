package org_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/errs"
	"canopy/domain/org"
)

var hostileNames = map[string]string{
	"Acme\x00":           "control_character",
	"Acme\u009b":         "control_character",
	"Acme\u202eCorp":     "bidi_control",
	"\u200b\u2060\ufeff": "no_visible_character",
	"Ac\xc3me":           "invalid_utf8",
}

func refused(t *testing.T, what string, err error, code, field string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Code != code || !strings.HasPrefix(e.Message, field+": ") {
		t.Errorf("%s: got %v, want Invalid %s naming %q", what, err, code, field)
	}
}

func TestOrganisationNamesFollowTheRule(t *testing.T) {
	now := time.Now()
	for name, code := range hostileNames {
		_, err := org.New(name, "", now)
		refused(t, "New "+name, err, code, "name")
	}
	if _, err := org.New("   ", "", now); errs.CodeOf(err) != "invalid_org_name" {
		t.Fatalf("blank name: %v", err)
	}
	o, err := org.New("Cafe\u0301 Acme", "", now)
	if err != nil || o.Name() != "Café Acme" {
		t.Fatalf("NFC: %q %v", o.Name(), err)
	}
	for name, code := range hostileNames {
		err := o.ChangeSettings(org.SettingsChange{Name: &name}, now)
		refused(t, "ChangeSettings "+name, err, code, "name")
	}
	if o.Name() != "Café Acme" {
		t.Fatalf("a refused change changed the name: %q", o.Name())
	}
}

func TestMembershipExternalIDFollowsTheRule(t *testing.T) {
	m := org.NewMembership(uuid.New(), uuid.New(), org.RoleMember, time.Now())
	refused(t, "NUL", m.SetExternalID("E1\x00"), "control_character", "external_id")
	refused(t, "invalid UTF-8", m.SetExternalID("E\xff"), "invalid_utf8", "external_id")
	if err := m.SetExternalID(" E-1 "); err != nil || m.ExternalID() != "E-1" {
		t.Fatalf("external id: %q %v", m.ExternalID(), err)
	}
}

func TestEmailInvitationsFollowTheRule(t *testing.T) {
	now := time.Now()
	_, err := org.NewEmailInvitation(uuid.New(), uuid.New(), org.RoleMember, "ada\x00@example.com", nil, now)
	refused(t, "NUL in the email", err, "control_character", "email")
	inv, err := org.NewEmailInvitation(uuid.New(), uuid.New(), org.RoleMember, " Ada@Example.com ", nil, now)
	if err != nil || inv.Email() != "ada@example.com" {
		t.Fatalf("the email is normalised: %v %v", inv, err)
	}
}
