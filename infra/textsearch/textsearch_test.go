package textsearch_test

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"canopy/infra/textsearch"
)

// parsedVector is a tsvector literal read back: lexeme → positions.
type parsedVector map[string][]int

// parseVector reads a literal as Vector writes it and fails the test if it is not well formed:
// quoted lexemes (with ” and \\ escapes), each followed by :positions.
func parseVector(t *testing.T, lit string) parsedVector {
	t.Helper()
	v := parsedVector{}
	rest := lit
	for rest != "" {
		lex, after, ok := readQuoted(rest)
		if !ok {
			t.Fatalf("vector %q: bad lexeme at %q", lit, rest)
		}
		if !strings.HasPrefix(after, ":") {
			t.Fatalf("vector %q: lexeme %q without positions", lit, lex)
		}
		after = after[1:]
		end := strings.IndexByte(after, ' ')
		if end < 0 {
			end = len(after)
		}
		for _, p := range strings.Split(after[:end], ",") {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > textsearch.MaxPosition {
				t.Fatalf("vector %q: position %q", lit, p)
			}
			v[lex] = append(v[lex], n)
		}
		if _, dup := v[lex]; dup && len(v[lex]) > 256 {
			t.Fatalf("vector %q: %d positions for %q", lit, len(v[lex]), lex)
		}
		rest = strings.TrimPrefix(after[end:], " ")
	}
	return v
}

// readQuoted reads one quoted lexeme at the start of s.
func readQuoted(s string) (string, string, bool) {
	if !strings.HasPrefix(s, "'") {
		return "", s, false
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			if i+1 >= len(s) {
				return "", s, false
			}
			i++
			b.WriteByte(s[i])
		case c == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == '\'':
			return b.String(), s[i+1:], b.Len() > 0
		default:
			b.WriteByte(c)
		}
	}
	return "", s, false
}

// queryTerm is one ANDed term of a tsquery literal as Query writes it.
type queryTerm struct {
	prefix bool
	chain  []string // one lexeme, or bigrams joined by <->
}

func parseQuery(t *testing.T, lit string) []queryTerm {
	t.Helper()
	var out []queryTerm
	rest := lit
	for {
		var qt queryTerm
		paren := strings.HasPrefix(rest, "(")
		if paren {
			rest = rest[1:]
		}
		for {
			lex, after, ok := readQuoted(rest)
			if !ok {
				t.Fatalf("query %q: bad lexeme at %q", lit, rest)
			}
			qt.chain = append(qt.chain, lex)
			rest = after
			if strings.HasPrefix(rest, ":*") {
				qt.prefix = true
				rest = rest[2:]
			}
			if !paren || !strings.HasPrefix(rest, " <-> ") {
				break
			}
			rest = rest[len(" <-> "):]
		}
		if paren {
			if !strings.HasPrefix(rest, ")") {
				t.Fatalf("query %q: unclosed chain", lit)
			}
			rest = rest[1:]
		}
		out = append(out, qt)
		if rest == "" {
			return out
		}
		if !strings.HasPrefix(rest, " & ") {
			t.Fatalf("query %q: expected & at %q", lit, rest)
		}
		rest = rest[3:]
	}
}

// matches evaluates a parsed query against a parsed vector as PostgreSQL does: every term must
// match; a prefix term any lexeme starting with it; a chain its lexemes at consecutive positions.
func matches(v parsedVector, q []queryTerm) bool {
	for _, qt := range q {
		if !termMatches(v, qt) {
			return false
		}
	}
	return true
}

func termMatches(v parsedVector, qt queryTerm) bool {
	if qt.prefix {
		for lex := range v {
			if strings.HasPrefix(lex, qt.chain[0]) {
				return true
			}
		}
		return false
	}
	for _, p := range v[qt.chain[0]] {
		ok := true
		for i, lex := range qt.chain[1:] {
			if !contains(v[lex], p+i+1) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func contains(ps []int, p int) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

func find(t *testing.T, text, q string) bool {
	t.Helper()
	lit, ok := textsearch.Query(q)
	if !ok {
		t.Fatalf("Query(%q) has nothing to search", q)
	}
	return matches(parseVector(t, textsearch.Vector(text)), parseQuery(t, lit))
}

func TestVectorIndexesCJKAsUnigramsAndBigramsSharingPositions(t *testing.T) {
	got := parseVector(t, textsearch.Vector("第三季度报告 ok"))
	want := parsedVector{
		"第": {1}, "三": {2}, "季": {3}, "度": {4}, "报": {5}, "告": {6},
		"第三": {1}, "三季": {2}, "季度": {3}, "度报": {4}, "报告": {5},
		"ok": {7},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Vector = %v, want %v", got, want)
	}
}

func TestVectorNormalisesWords(t *testing.T) {
	got := parseVector(t, textsearch.Vector("Quarterly REPORTS, ＡＢＣ-abc Straße"))
	want := parsedVector{"quarterly": {1}, "reports": {2}, "abc": {3, 4}, "strasse": {5}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Vector = %v, want %v", got, want)
	}
}

func TestVectorEmpty(t *testing.T) {
	for _, s := range []string{"", "   ", "!?。，…", "'\\'"} {
		if got := textsearch.Vector(s); got != "" {
			t.Errorf("Vector(%q) = %q, want empty", s, got)
		}
	}
}

func TestQueryLiterals(t *testing.T) {
	cases := map[string]string{
		"季度报告":                  `('季度' <-> '度报' <-> '报告')`,
		"季":                     `'季'`,
		"Quarterly REPORT":      `'quarterly':* & 'report':*`,
		"ＲＥＰＯＲＴ":                `'report':*`,
		"report 季度 report":      `'report':* & '季度'`,
		`it's a "test" \ & | !`: `'it':* & 's':* & 'a':* & 'test':*`,
		"季度，报告":                 `'季度' & '报告'`,
	}
	for q, want := range cases {
		got, ok := textsearch.Query(q)
		if !ok || got != want {
			t.Errorf("Query(%q) = %q, %v; want %q", q, got, ok, want)
		}
	}
	for _, q := range []string{"", "  ", `'"\`, "&|!<->():*", "。！"} {
		if got, ok := textsearch.Query(q); ok {
			t.Errorf("Query(%q) = %q, true; want nothing to search", q, got)
		}
	}
}

func TestFinds(t *testing.T) {
	cases := []struct {
		text, q string
		want    bool
	}{
		{"我们下周一提交第三季度报告给财务部", "季度报告", true},
		{"我们下周一提交第三季度报告给财务部", "季度 报告", true},
		{"我们下周一提交第三季度报告给财务部", "财务部", true},
		{"我们下周一提交第三季度报告给财务部", "季", true},
		{"我们下周一提交第三季度报告给财务部", "报告季度", false},
		{"季度的报告", "季度报告", false},
		{"Quarterly REPORTS", "report", true},
		{"Quarterly REPORTS", "quarterly reports", true},
		{"Quarterly REPORTS", "reported", false},
		{"quarterly report", "ＲＥＰＯＲＴ", true},
		{"ＱＵＡＲＴＥＲＬＹ ＲＥＰＯＲＴ", "quarterly", true},
		{"Excel表格", "excel 表格", true},
		{"カタカナのテスト", "テスト", true},
		{"회의 자료", "회의", true},
	}
	for _, c := range cases {
		if got := find(t, c.text, c.q); got != c.want {
			t.Errorf("%q finds %q: %v, want %v", c.q, c.text, got, c.want)
		}
	}
}

func TestLimits(t *testing.T) {
	long := strings.Repeat("x", 500)
	v := parseVector(t, textsearch.Vector(long+" "+strings.Repeat("词", 20000)))
	for lex, ps := range v {
		if utf8.RuneCountInString(lex) > textsearch.MaxLexemeRunes {
			t.Errorf("lexeme of %d runes", utf8.RuneCountInString(lex))
		}
		if len(ps) > 256 {
			t.Errorf("%q has %d positions", lex, len(ps))
		}
	}
	if !find(t, long, long) {
		t.Error("a word longer than the lexeme limit does not find itself")
	}
	words := strings.Repeat("w ", 20000) + "last"
	if find(t, words, "last") {
		t.Error("a word past position 16383 was indexed")
	}
}

func TestHighlight(t *testing.T) {
	cases := []struct {
		text, q string
		want    [][2]int
	}{
		{"我们下周一提交第三季度报告给财务部", "季度报告", [][2]int{{9, 13}}},
		{"季度报告，季度", "季度", [][2]int{{0, 2}, {5, 7}}},
		{"Quarterly REPORTS and reporting", "report", [][2]int{{10, 17}, {22, 31}}},
		{"ＲＥＰＯＲＴ done", "report", [][2]int{{0, 6}}},
		{"abc", "", nil},
		{"abc", "zzz", nil},
		{"报告季度", "季度报告", nil},
	}
	for _, c := range cases {
		if got := textsearch.Highlight(c.text, c.q); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Highlight(%q, %q) = %v, want %v", c.text, c.q, got, c.want)
		}
	}
}

// FuzzTextSearch checks, for any text, that Vector and Query write literals of the expected
// shape (quoted lexemes, positions within range), that a text's own query finds it, and that
// highlights are ordered, disjoint ranges inside the text that exist whenever the query finds
// the text. The integration test feeds the same kind of literals to PostgreSQL.
func FuzzTextSearch(f *testing.F) {
	for _, s := range []string{
		"我们下周一提交第三季度报告给财务部", "Quarterly REPORTS", "ＡＢＣ abc", "it's a \\ test '' \"x\"",
		"季", "e\u0301\u0301", "ﬁnance ①②", "カタカナー々", "\xff\xfe", "a\x00b", "<-> & | ! ( ) :*",
		"한국어 텍스트", "Straße ß", "½ ㈱ ㍿", strings.Repeat("长", 300), "İstanbul ǰ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := parseVector(t, textsearch.Vector(s))
		for lex := range v {
			if !utf8.ValidString(lex) || utf8.RuneCountInString(lex) > 2*textsearch.MaxLexemeRunes {
				t.Fatalf("Vector(%q): lexeme %q", s, lex)
			}
		}
		lit, ok := textsearch.Query(s)
		if !ok {
			if len(v) > 0 && utf8.RuneCountInString(s) <= textsearch.MaxQueryRunes {
				t.Fatalf("Query(%q) has nothing, but Vector has %v", s, v)
			}
			return
		}
		if !matches(v, parseQuery(t, lit)) {
			t.Fatalf("Query(%q) = %q does not find its own text, vector %q", s, lit, textsearch.Vector(s))
		}
		n := utf8.RuneCountInString(s)
		hs := textsearch.Highlight(s, s)
		if len(hs) == 0 {
			t.Fatalf("Highlight(%q, itself) is empty", s)
		}
		for i, h := range hs {
			if h[0] < 0 || h[0] >= h[1] || h[1] > n || (i > 0 && h[0] <= hs[i-1][1]) {
				t.Fatalf("Highlight(%q, itself) = %v", s, hs)
			}
		}
	})
}

func BenchmarkVector(b *testing.B) {
	text := strings.Repeat("我们下周一提交第三季度报告给财务部，Quarterly REPORTS are due. ", 10)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		textsearch.Vector(text)
	}
}
