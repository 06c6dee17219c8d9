package scim

import (
	"testing"

	appscim "canopy/app/scim"
)

func TestSCIMLocale(t *testing.T) {
	for in, want := range map[string]string{
		"en": "en", "en-US": "en", "en_GB": "en", "EN-au": "en", "zh-CN": "zh-CN", "zh_CN": "zh-CN", "zh": "zh-CN",
		"zh-Hans-CN": "zh-CN", "zh-TW": "", "zh-Hant": "", "fr-FR": "", "": "", "english": "",
	} {
		got, ok := scimLocale(in)
		if got != want || ok != (want != "") {
			t.Errorf("%q: got %q %v, want %q", in, got, ok, want)
		}
	}
}

func TestSCIMJoinName(t *testing.T) {
	for _, c := range []struct{ given, family, want string }{
		{"Ada", "Lovelace", "Ada Lovelace"}, {"伟", "张", "张伟"}, {"Ada", "", "Ada"}, {"", "Lovelace", "Lovelace"}, {"Wei", "张", "Wei 张"},
	} {
		if got := joinName(c.given, c.family); got != c.want {
			t.Errorf("%q %q: got %q, want %q", c.given, c.family, got, c.want)
		}
	}
}

// TestSCIMFilterMapping checks how filters on attributes Canopy keeps, shares or lacks become
// queries.
func TestSCIMFilterMapping(t *testing.T) {
	cases := map[string]appscim.Expr{
		`userName eq "a@b.example"`: appscim.Compare{Field: appscim.UserEmail, Op: appscim.Eq, Value: "a@b.example"},
		`EMAILS.VALUE co "b"`:       appscim.Compare{Field: appscim.UserEmail, Op: appscim.Co, Value: "b"},
		`emails.type eq "Work"`:     appscim.Const(true),
		`emails.primary eq false`:   appscim.Const(false),
		`title pr`:                  appscim.Compare{Field: appscim.UserTitle, Op: appscim.Pr},
		`nickName ne "x"`:           appscim.Const(true),
		`name.middleName eq null`:   appscim.Const(true),
		`name.familyName eq "King"`: appscim.Compare{Field: appscim.UserFamilyName, Op: appscim.Eq, Value: "King"},
		`active eq "True"`:          appscim.Compare{Field: appscim.UserActive, Op: appscim.Eq, Value: true},
		`externalId eq null`:        appscim.Compare{Field: appscim.UserExternalID, Op: appscim.Eq},
		`not (urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber pr)`: appscim.Not{X: appscim.Compare{Field: appscim.UserEmployeeNumber, Op: appscim.Pr}},
		`not (urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter pr)`:     appscim.Not{X: appscim.Const(false)},
	}
	for in, want := range cases {
		n, err := ParseFilter(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		got, err := toExpr(n, resolveUserAttr)
		if err != nil || got != want {
			t.Errorf("%s: got %#v (%v), want %#v", in, got, err, want)
		}
	}
	for _, in := range []string{`userName gt 3`, `active co "t"`, `shoeSize pr`, `meta.created gt "2020-01-01"`, `urn:x:y:z eq "1"`} {
		n, err := ParseFilter(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got, err := toExpr(n, resolveUserAttr); err == nil {
			t.Errorf("%s mapped to %#v", in, got)
		}
	}
}
