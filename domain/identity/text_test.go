package identity_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"canopy/domain/errs"
	"canopy/domain/identity"
)

// hostileNames are names the text rule refuses, with the code each is refused with.
var hostileNames = map[string]string{
	"Ada\x00":            "control_character",
	"Ada\u0085Lovelace":  "control_character",
	"Ada\nLovelace":      "control_character",
	"admin\u202egpj.exe": "bidi_control",
	"\u2067Ada\u2069":    "bidi_control",
	"\u200b\u200d\ufeff": "no_visible_character",
	"\u3164":             "no_visible_character",
	"Ad\xff":             "invalid_utf8",
}

// refused checks that err is the Invalid error code, with a message naming field.
func refused(t *testing.T, what string, err error, code, field string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Code != code || !strings.HasPrefix(e.Message, field+": ") {
		t.Errorf("%s: got %v, want Invalid %s naming %q", what, err, code, field)
	}
}

func TestUsersRefuseBadText(t *testing.T) {
	now := time.Now()
	for name, code := range hostileNames {
		_, err := identity.NewUser(identity.NewUserInput{Email: "ada@example.com", DisplayName: name}, now)
		refused(t, "NewUser display name "+name, err, code, "display_name")
	}
	for email, code := range map[string]string{"ada\x00@example.com": "control_character", "ada@exa\xffmple.com": "invalid_utf8", "ada@example.com\n": "control_character"} {
		_, err := identity.NewUser(identity.NewUserInput{Email: email, DisplayName: "Ada"}, now)
		refused(t, "NewUser email "+email, err, code, "email")
	}
	_, err := identity.NewUser(identity.NewUserInput{Email: "ada@example.com", DisplayName: "Ada", TimeZone: "Asia/Shanghai\x00"}, now)
	refused(t, "NewUser time zone", err, "control_character", "time_zone")

	u, err := identity.NewUser(identity.NewUserInput{Email: "ada@example.com", DisplayName: "\u200b Zoe\u0308 "}, now)
	if err != nil || u.DisplayName() != "Zoë" {
		t.Fatalf("a name is trimmed of invisible characters and NFC-normalised: %q %v", u.DisplayName(), err)
	}
	for name, code := range hostileNames {
		err := u.ChangeProfile(identity.ProfileChange{DisplayName: &name}, now)
		refused(t, "ChangeProfile "+name, err, code, "display_name")
	}
	err = u.ChangeEmail("new\x00@example.com", now)
	refused(t, "ChangeEmail", err, "control_character", "email")
	if u.DisplayName() != "Zoë" || u.Email() != "ada@example.com" {
		t.Fatalf("a refused change changed the user: %q %q", u.DisplayName(), u.Email())
	}
}

func TestAPITokenNamesFollowTheRule(t *testing.T) {
	for name, code := range hostileNames {
		_, _, err := identity.NewAPIToken([16]byte{1}, [16]byte{2}, 0, name, nil, 0, time.Now())
		refused(t, "NewAPIToken "+name, err, code, "name")
	}
	if _, _, err := identity.NewAPIToken([16]byte{1}, [16]byte{2}, 0, "  ", nil, 0, time.Now()); errs.CodeOf(err) != "invalid_token_name" {
		t.Fatalf("blank token name: %v", err)
	}
}
