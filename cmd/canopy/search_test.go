package main

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestSearchWildcardsAreLiteral: "%", "_" and "*" are characters like any other in every search
// (the directory search, the member lists, the groups, the admin API, SCIM filters, the audit
// filter), and a query with nothing searchable in it (punctuation, an emoji) finds nobody, never
// everybody. Before, the directory search matched every person, department and group for "%",
// "_", "*" and "😀": they have no pinyin key, and an empty key matched every key.
func TestSearchWildcardsAreLiteral(t *testing.T) {
	e := newTestEnv(t)
	d := e.mustDir("Wildcards", "it@wild.example")
	d.mustUser("ada@wild.example", "Ada Lovelace")
	d.mustUser("wei@wild.example", "张伟")
	eng := d.mustDept("", "研发部")
	d.c.must(201, "POST", d.admin("/groups"), map[string]any{"name": "Platform"})
	o := d.owner
	p := e.idp(o.mustSCIMToken("Okta"))
	root := d.c.must(200, "GET", d.org("/departments"), nil)["parent"].(map[string]any)["id"].(string)

	// found returns what each search finds for q, by where it searched.
	found := func(q string) map[string]int {
		esc := url.QueryEscape(q)
		out := map[string]int{}
		s := d.c.must(200, "GET", d.org("/search?q="+esc), nil)
		out["search people"] = len(s["people"].([]any))
		out["search departments"] = len(s["departments"].([]any))
		out["search groups"] = len(s["groups"].([]any))
		for name, path := range map[string]string{
			"members":         d.org("/members?q=" + esc),
			"department tree": d.org("/departments/" + root + "/members?subtree=true&q=" + esc),
			"department":      d.org("/departments/" + eng + "/members?q=" + esc),
			"groups":          d.org("/groups?q=" + esc),
			"admin users":     d.admin("/users?q=" + esc),
		} {
			out[name] = len(d.c.must(200, "GET", path, nil)["items"].([]any))
		}
		for _, f := range []string{`displayName co %q`, `userName sw %q`, `name.formatted ew %q`} {
			out["SCIM "+strings.Fields(f)[0]+" "+strings.Fields(f)[1]] = int(p.must(200, "GET", "/Users?filter="+url.QueryEscape(fmt.Sprintf(f, q)), "")["totalResults"].(float64))
		}
		out["SCIM groups"] = int(p.must(200, "GET", "/Groups?filter="+url.QueryEscape(fmt.Sprintf(`displayName co %q`, q)), "")["totalResults"].(float64))
		out["audit"] = len(d.c.must(200, "GET", d.admin("/audit?action="+esc), nil)["items"].([]any))
		return out
	}
	nothing := func(q string) {
		t.Helper()
		for where, n := range found(q) {
			if n != 0 {
				t.Errorf("%q found %d in %s", q, n, where)
			}
		}
	}
	for _, q := range []string{"%", "_", "*", "%%", "_%", "😀", "--", "\\", "%_*"} {
		nothing(q)
	}

	// A name holding the character is found by it, and only that name.
	sure := d.mustUser("sure@wild.example", "100% Sure")
	d.c.must(204, "PUT", d.admin("/departments/"+eng+"/members/"+sure), map[string]any{})
	d.mustDept(eng, "R_and_D")
	got := found("%")
	for _, where := range []string{"search people", "members", "department tree", "department", "admin users", "SCIM displayName co", "SCIM name.formatted ew"} {
		want := 1
		if where == "SCIM name.formatted ew" {
			want = 0 // "100% Sure" does not end with "%"
		}
		if got[where] != want {
			t.Errorf(`"%%" found %d in %s, want %d`, got[where], where, want)
		}
	}
	if got["search departments"] != 0 || got["search groups"] != 0 || got["groups"] != 0 {
		t.Errorf(`"%%" found departments or groups: %v`, got)
	}
	if s := d.c.must(200, "GET", d.org("/search?q=_"), nil); len(s["departments"].([]any)) != 1 || len(s["people"].([]any)) != 0 {
		t.Errorf(`"_" in the directory search: %v`, s)
	}
	// Pinyin and plain search still work.
	if s := d.c.must(200, "GET", d.org("/search?q=zhang"), nil); len(s["people"].([]any)) != 1 {
		t.Errorf("pinyin: %v", s)
	}
	if s := d.c.must(200, "GET", d.org("/search?q=yfb"), nil); len(s["departments"].([]any)) != 1 {
		t.Errorf("initials: %v", s)
	}
	if n := len(d.c.must(200, "GET", d.admin("/audit?action=member."), nil)["items"].([]any)); n == 0 {
		t.Error("the audit filter by prefix found nothing")
	}
}
