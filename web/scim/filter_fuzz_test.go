package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// filterSeeds are the seed corpus of both fuzz tests: what identity providers send, and what
// broke parsers before (unclosed strings and brackets, deep nesting, stray words, bytes that are
// not UTF-8).
var filterSeeds = []string{
	`userName eq "bjensen@example.com"`,
	`userName Eq "a" AND externalId EQ "b"`,
	`title pr`,
	`a eq "1" or b eq "2" and c eq "3"`,
	`(a eq "1" or b eq "2") and c eq "3"`,
	`not (active eq false) and meta.lastModified gt 5`,
	`emails[type eq "work" and value co "@example.com"]`,
	`emails[type eq "work"].value`,
	`members[value eq "2819c223-7f76"]`,
	`displayName sw "J\"q\u00e9"`,
	`externalId eq null`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Sales"`,
	`urn:ietf:params:scim:schemas:core:2.0:User:name.givenName sw "A"`,
	`and eq "x" or or pr`,
	`x eq -1.5e3`,
	`x eq 1e400`,
	`userName eq "x`,
	`emails[value[type eq "x"]]`,
	`members[`,
	`name.x[value eq "a"]`,
	`a eq "\u0000" or b eq "` + "\xff" + `"`,
	`$ref eq "x"`,
	strings.Repeat("(", 40) + `a pr` + strings.Repeat(")", 40),
	strings.Repeat("not (", 20) + `a pr` + strings.Repeat(")", 20),
	strings.Repeat(`a eq "x" or `, 50) + `a pr`,
	"",
	"\t\n",
}

// checkNode fails unless n is a well-formed tree: only the three node types, logical operators
// "and" and "or" with both sides, attribute names as RFC 7644 spells them, a known comparison
// operator, and a value of one of the four JSON kinds (none for "pr").
func checkNode(t *testing.T, in string, n Node) {
	t.Helper()
	switch x := n.(type) {
	case Logical:
		if x.Op != "and" && x.Op != "or" || x.Left == nil || x.Right == nil {
			t.Fatalf("%q: bad logical node %#v", in, x)
		}
		checkNode(t, in, x.Left)
		checkNode(t, in, x.Right)
	case Not:
		if x.X == nil {
			t.Fatalf("%q: empty not", in)
		}
		checkNode(t, in, x.X)
	case AttrExpr:
		checkPath(t, in, x.Path)
		switch {
		case x.Op == "pr":
			if x.Value != nil {
				t.Fatalf("%q: pr with a value %#v", in, x.Value)
			}
		case !compareOps[x.Op]:
			t.Fatalf("%q: operator %q", in, x.Op)
		}
		switch v := x.Value.(type) {
		case nil, bool, float64:
		case string:
			if !utf8.ValidString(v) {
				t.Fatalf("%q: value %q is not UTF-8", in, v)
			}
		default:
			t.Fatalf("%q: value of type %T", in, v)
		}
	default:
		t.Fatalf("%q: node of type %T", in, n)
	}
}

func checkPath(t *testing.T, in string, p AttrPath) {
	t.Helper()
	if !isAttrName(p.Name) || (p.Sub != "" && !isAttrName(p.Sub)) || (p.URN != "" && !strings.HasPrefix(strings.ToLower(p.URN), "urn")) {
		t.Fatalf("%q: bad attribute path %#v", in, p)
	}
}

// write writes a tree back as a filter, with only the parentheses its shape needs, so that it
// parses no deeper than the filter it came from.
func write(n Node) string {
	switch x := n.(type) {
	case Logical:
		left, right := write(x.Left), write(x.Right)
		if l, ok := x.Left.(Logical); ok && x.Op == "and" && l.Op == "or" {
			left = "(" + left + ")"
		}
		if r, ok := x.Right.(Logical); ok && (x.Op == "and" || r.Op == "or") {
			right = "(" + right + ")"
		}
		return left + " " + x.Op + " " + right
	case Not:
		return "not (" + write(x.X) + ")"
	case AttrExpr:
		s := x.Path.String() + " " + x.Op
		switch v := x.Value.(type) {
		case string:
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(v)
			s += " " + strings.TrimSuffix(b.String(), "\n")
		case float64:
			s += " " + strconv.FormatFloat(v, 'g', -1, 64)
		case bool:
			s += " " + strconv.FormatBool(v)
		case nil:
			if x.Op != "pr" {
				s += " null"
			}
		}
		return s
	}
	return "?"
}

// FuzzParseFilter: whatever the filter, the parser does not panic and either refuses it with its
// own *Error, which the handler answers as 400 invalid_filter, or returns a well-formed tree
// that, written back, parses to the same tree.
func FuzzParseFilter(f *testing.F) {
	for _, s := range filterSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := ParseFilter(in)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Msg == "" || n != nil {
				t.Fatalf("%q: %#v, %v is not a parse error", in, n, err)
			}
			return
		}
		checkNode(t, in, n)
		out := write(n)
		if len(out) > MaxFilterLength {
			return // re-escaped values can be longer than they were written
		}
		again, err := ParseFilter(out)
		if err != nil || !reflect.DeepEqual(again, n) {
			t.Fatalf("%q parsed to %#v;\nwritten back as %q it parses to %#v, %v", in, n, out, again, err)
		}
	})
}

// FuzzParsePath: whatever the PATCH path, the parser does not panic and either refuses it with
// its own *Error or returns an attribute path, an optional well-formed value filter written
// relative to the attribute, and an optional sub-attribute.
func FuzzParsePath(f *testing.F) {
	for _, s := range filterSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ParsePath(in)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Msg == "" {
				t.Fatalf("%q: %v is not a parse error", in, err)
			}
			return
		}
		checkPath(t, in, p.Attr)
		if p.Sub != "" && !isAttrName(p.Sub) {
			t.Fatalf("%q: sub-attribute %q", in, p.Sub)
		}
		if p.Filter != nil {
			checkNode(t, in, p.Filter)
		}
	})
}
