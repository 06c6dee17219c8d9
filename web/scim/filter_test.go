package scim

import (
	"fmt"
	"strings"
	"testing"
)

// show writes a tree back in a fully parenthesised form, to compare with what a test expects.
func show(n Node) string {
	switch x := n.(type) {
	case Logical:
		return "(" + show(x.Left) + " " + x.Op + " " + show(x.Right) + ")"
	case Not:
		return "not " + show(x.X)
	case AttrExpr:
		if x.Op == "pr" {
			return x.Path.String() + " pr"
		}
		return fmt.Sprintf("%s %s %#v", x.Path.String(), x.Op, x.Value)
	}
	return "?"
}

func TestParseFilter(t *testing.T) {
	cases := map[string]string{
		`userName eq "bjensen@example.com"`:                  `userName eq "bjensen@example.com"`,
		`userName Eq "a" AND externalId EQ "b"`:              `(userName eq "a" and externalId eq "b")`,
		`title pr`:                                           `title pr`,
		`a eq "1" or b eq "2" and c eq "3"`:                  `(a eq "1" or (b eq "2" and c eq "3"))`,
		`(a eq "1" or b eq "2") and c eq "3"`:                `((a eq "1" or b eq "2") and c eq "3")`,
		`not (active eq false) and meta.lastModified gt 5`:   `(not active eq false and meta.lastModified gt 5)`,
		`emails[type eq "work" and value co "@example.com"]`: `(emails.type eq "work" and emails.value co "@example.com")`,
		`name.familyName co "O'Malley"`:                      `name.familyName co "O'Malley"`,
		`displayName sw "J\"q\u00e9"`:                        `displayName sw "J\"qé"`,
		`externalId eq null`:                                 `externalId eq <nil>`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Sales"`: `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Sales"`,
		`urn:ietf:params:scim:schemas:core:2.0:User:name.givenName sw "A"`:                 `urn:ietf:params:scim:schemas:core:2.0:User:name.givenName sw "A"`,
		`members[value eq "2819c223"] and displayName eq "Admins"`:                         `(members.value eq "2819c223" and displayName eq "Admins")`,
		`a eq "x" or b eq "y" or c pr`:                                                     `((a eq "x" or b eq "y") or c pr)`,
	}
	for in, want := range cases {
		n, err := ParseFilter(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := show(n); got != want {
			t.Errorf("%s:\n got %s\nwant %s", in, got, want)
		}
	}
}

func TestParseFilterRefusesBadSyntax(t *testing.T) {
	for _, in := range []string{
		``, `   `, `userName`, `userName eq`, `userName equals "x"`, `userName eq "x`, `userName eq bjensen`,
		`(userName eq "x"`, `userName eq "x")`, `userName eq "x" and`, `not userName eq "x"`, `and eq "x" eq`,
		`1abc eq "x"`, `emails[type eq "work"`, `emails[value[type eq "x"]]`, `userName eq "x" "y"`,
		`name.given.name eq "x"`, `emails.value[type eq "w"]`, `userName eq "a" andx b eq "c"`,
		strings.Repeat("(", 40) + `a pr` + strings.Repeat(")", 40),
		strings.Repeat(`a eq "x" or `, 400) + `a pr`,
	} {
		if n, err := ParseFilter(in); err == nil {
			t.Errorf("%q parsed as %s", in, show(n))
		}
	}
}

func TestParsePath(t *testing.T) {
	cases := map[string]string{
		`active`:                                `active||`,
		`name.givenName`:                        `name.givenName||`,
		`members[value eq "2819c223-7f76"]`:     `members|value eq "2819c223-7f76"|`,
		`emails[type eq "work"].value`:          `emails|type eq "work"|value`,
		`members[value eq "a" or value eq "b"]`: `members|(value eq "a" or value eq "b")|`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`: `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department||`,
	}
	for in, want := range cases {
		p, err := ParsePath(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		f := ""
		if p.Filter != nil {
			f = show(p.Filter)
		}
		if got := p.Attr.String() + "|" + f + "|" + p.Sub; got != want {
			t.Errorf("%s:\n got %s\nwant %s", in, got, want)
		}
	}
	for _, in := range []string{``, `members[`, `members[value eq "x"`, `members[value eq]`, `members[value eq "x"]value`, `name.x[value eq "a"]`, `9lives`} {
		if p, err := ParsePath(in); err == nil {
			t.Errorf("%q parsed as %+v", in, p)
		}
	}
}
