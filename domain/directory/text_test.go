package directory_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"canopy/domain/directory"
	"canopy/domain/errs"
)

// hostileNames are department and group names the text rule refuses, with their codes.
var hostileNames = map[string]string{
	".":                  "reserved_name",
	"..":                 "reserved_name",
	" .. ":               "reserved_name",
	"a/b":                "path_separator",
	"Sales;East":         "path_separator",
	"R&D\x00":            "control_character",
	"R&D\u0085":          "control_character",
	"Sales\u202e":        "bidi_control",
	"\u2066Ops\u2069":    "bidi_control",
	"\u200b":             "no_visible_character",
	"\u200c\u200d\u2060": "no_visible_character",
	"\xe7\xa0\x94":       "", // valid UTF-8 (研): accepted
	"\xd1\xd0\xb7\xa2":   "invalid_utf8",
}

func refused(t *testing.T, what string, err error, code, field string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Code != code || !strings.HasPrefix(e.Message, field+": ") {
		t.Errorf("%s: got %v, want Invalid %s naming %q", what, err, code, field)
	}
}

func TestDepartmentsFollowTheTextRule(t *testing.T) {
	now := time.Now()
	root, err := directory.NewRoot(uuid.New(), "Acme; Asia/Pacific", now)
	if err != nil || root.Name() != "Acme  Asia Pacific" {
		t.Fatalf("the root is named after the organisation, separators made spaces: %q %v", root.Name(), err)
	}
	ok, err := directory.NewDepartment(root, "Cafe\u0301", "", 25, now)
	if err != nil || ok.Name() != "Café" {
		t.Fatalf("NFC: %q %v", ok.Name(), err)
	}
	for name, code := range hostileNames {
		_, err := directory.NewDepartment(root, name, "", 25, now)
		if code == "" {
			if err != nil {
				t.Errorf("NewDepartment(%q): %v", name, err)
			}
			continue
		}
		refused(t, "NewDepartment "+name, err, code, "name")
		refused(t, "Rename "+name, ok.Rename(name, now), code, "name")
	}
	if ok.Name() != "Café" {
		t.Fatalf("a refused rename changed the name: %q", ok.Name())
	}
	_, err = directory.NewDepartment(root, "Ops", "E1\x00", 25, now)
	refused(t, "NewDepartment external id", err, "control_character", "external_id")
	refused(t, "SetExternalID", ok.SetExternalID("E\xff", now), "invalid_utf8", "external_id")
}

func TestGroupsFollowTheTextRule(t *testing.T) {
	org, now := uuid.New(), time.Now()
	for name, code := range hostileNames {
		_, err := directory.NewGroup(org, directory.GroupInput{Name: name}, now)
		if code == "" {
			if err != nil {
				t.Errorf("NewGroup(%q): %v", name, err)
			}
			continue
		}
		refused(t, "NewGroup "+name, err, code, "name")
	}
	g, err := directory.NewGroup(org, directory.GroupInput{Name: "Ops", Description: "Line one\r\n\tline two"}, now)
	if err != nil || g.Description() != "Line one\r\n\tline two" {
		t.Fatalf("a description runs over lines: %q %v", g.Description(), err)
	}
	for desc, code := range map[string]string{"a\x00b": "control_character", "a\u001bb": "control_character", "\xff": "invalid_utf8"} {
		err := g.Update(g.Patched(directory.GroupPatch{Description: &desc}), now)
		refused(t, "Update description "+desc, err, code, "description")
	}
	ext := "G\x00"
	refused(t, "Update external id", g.Update(g.Patched(directory.GroupPatch{ExternalID: &ext}), now), "control_character", "external_id")
	dotdot := ".."
	refused(t, "Update name", g.Update(g.Patched(directory.GroupPatch{Name: &dotdot}), now), "reserved_name", "name")
	if g.Name() != "Ops" || g.ExternalID() != "" {
		t.Fatalf("a refused update changed the group: %q %q", g.Name(), g.ExternalID())
	}
}

// TestParsePathRefusesDotSegments: an import path such as "Engineering/../Sales" is refused, with
// a message that quotes it and says what is wrong, rather than resolved or turned into a
// department named "..".
func TestParsePathRefusesDotSegments(t *testing.T) {
	names, err := directory.ParsePath(" /Engineering/ Backend /")
	if err != nil || strings.Join(names, "|") != "Engineering|Backend" {
		t.Fatalf("path: %q %v", names, err)
	}
	for path, want := range map[string]string{
		"Engineering/../Sales": `department path "Engineering/../Sales": "." and ".." cannot be names`,
		"./x":                  `department path "./x": "." and ".." cannot be names`,
		"Engineering//Backend": `department path "Engineering//Backend": each name must be 1 to 100 characters`,
		"Sales;East":           `department path "Sales;East": cannot contain "/" or ";"`,
		"Ops\x00/x":            `department path "Ops\x00/x": contains a control character`,
		"Ops/\u200b":           `department path "Ops/\u200b": must contain at least one visible character`,
	} {
		_, err := directory.ParsePath(path)
		var e *errs.Error
		if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Code != "invalid_department_path" || e.Message != want {
			t.Errorf("ParsePath(%q) = %v\nwant invalid_department_path: %s", path, err, want)
		}
	}
}
