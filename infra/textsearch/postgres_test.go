package textsearch_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"canopy/infra/localenv/localtest"
	"canopy/infra/textsearch"
)

// TestPostgreSQLAcceptsAndMatches stores vectors in a table with a GIN index, as the messages
// table does, and searches them through PostgreSQL itself: the literals must be accepted
// whatever the text or query holds, and match what the unit tests promise.
func TestPostgreSQLAcceptsAndMatches(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, localtest.MustEmptyDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE docs (id int PRIMARY KEY, body text NOT NULL, search tsvector NOT NULL);
		CREATE INDEX docs_search ON docs USING gin (search)`); err != nil {
		t.Fatal(err)
	}
	docs := []string{
		1: "我们下周一提交第三季度报告给财务部",
		2: "Quarterly REPORTS",
		3: "quarterly report",
		4: `It's a "quoted" back\slash 'test' & | ! <-> :*`,
		5: "季度的报告",
		6: strings.Repeat("词", 20000),
		7: "",
		8: "ＳＥＣＲＥＴ plan",
		9: strings.Repeat("word ", 20000) + strings.Repeat("x", 5000),
	}
	for id, body := range docs {
		if id == 0 {
			continue
		}
		if _, err := conn.Exec(ctx, `INSERT INTO docs VALUES ($1, $2, CAST($3 AS tsvector))`, id, body, textsearch.Vector(body)); err != nil {
			t.Fatalf("doc %d: %v", id, err)
		}
	}
	search := func(q string) []int {
		t.Helper()
		lit, ok := textsearch.Query(q)
		if !ok {
			t.Fatalf("Query(%q): nothing to search", q)
		}
		rows, err := conn.Query(ctx, `SELECT id FROM docs WHERE search @@ CAST($1 AS tsquery) ORDER BY id`, lit)
		if err != nil {
			t.Fatalf("search %q (%s): %v", q, lit, err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			t.Fatalf("search %q (%s): %v", q, lit, err)
		}
		return ids
	}
	cases := []struct {
		q    string
		want []int
	}{
		{"季度报告", []int{1}},
		{"报告", []int{1, 5}},
		{"季", []int{1, 5}},
		{"词词词", []int{6}},
		{"report", []int{2, 3}},
		{"ＲＥＰＯＲＴ", []int{2, 3}},
		{"secret", []int{8}},
		{"Quarterly reports", []int{2}},
		{`'quoted'`, []int{4}},
		{`back\slash`, []int{4}},
		{`it's`, []int{4}},
		{`'); DROP TABLE docs; --`, nil},
		{`\'\\'' test`, []int{4}},
		{"word", []int{9}},
	}
	for _, c := range cases {
		if got := search(c.q); !equal(got, c.want) {
			t.Errorf("search %q = %v, want %v", c.q, got, c.want)
		}
	}
	// Queries made only of operators and punctuation are refused before PostgreSQL sees them.
	for _, q := range []string{`'`, `\`, `&|!`, `<->`, `''\\`, "。"} {
		if lit, ok := textsearch.Query(q); ok {
			t.Errorf("Query(%q) = %q; want nothing to search", q, lit)
		}
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
