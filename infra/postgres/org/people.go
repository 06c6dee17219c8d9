package org

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	apporg "canopy/app/org"
	"canopy/domain/errs"
	"canopy/infra/postgres"
)

// People reads the console's people table (apporg.People).
type People struct{ db *gorm.DB }

// NewPeople returns the people table's reader.
func NewPeople(db *gorm.DB) *People { return &People{db} }

// peopleSort is how one sort orders the rows: three key expressions, compared as a row for the
// keyset, the last always the user id so that ties between people are stable; the casts turn a
// cursor's strings back into the expressions' types. The keys are read from the member's search
// row (s, member_search) or, when membership says so, the membership (m).
type peopleSort struct {
	keys       [3]string
	casts      [3]string
	check      func(k []string) bool
	membership bool
}

func isUUID(s string) bool { _, err := uuid.Parse(s); return err == nil }
func isBool(s string) bool { return s == "true" || s == "false" }

// inPostgresRange reports whether PostgreSQL takes the time as a date or timestamp: Go parses
// year 0000, which PostgreSQL refuses.
func inPostgresRange(t time.Time) bool { return t.Year() >= 1 && t.Year() <= 9999 }

var peopleSorts = map[apporg.PeopleSort]peopleSort{
	// The pinyin key first: 张伟 ("zhangwei") sorts under Z, among the Latin names.
	apporg.SortName: {keys: [3]string{"s.name_pinyin", "s.display_name", "s.user_id"}, casts: [3]string{"text", "text", "uuid"},
		check: func(k []string) bool { return isUUID(k[2]) }},
	// People without the value come last in ascending order, first in descending.
	apporg.SortEmployeeNumber: {keys: [3]string{"(s.employee_number IS NULL)", "COALESCE(s.employee_number, '')", "s.user_id"}, casts: [3]string{"boolean", "text", "uuid"},
		check: func(k []string) bool { return isBool(k[0]) && isUUID(k[2]) }},
	apporg.SortHireDate: {keys: [3]string{"(m.hire_date IS NULL)", "COALESCE(m.hire_date, DATE '0001-01-01')", "s.user_id"}, casts: [3]string{"boolean", "date", "uuid"},
		check: func(k []string) bool {
			d, err := time.Parse(time.DateOnly, k[1])
			return isBool(k[0]) && err == nil && inPostgresRange(d) && isUUID(k[2])
		}, membership: true},
	// Three keys as every sort has, the id twice.
	apporg.SortJoinedAt: {keys: [3]string{"m.joined_at", "s.user_id", "s.user_id"}, casts: [3]string{"timestamptz", "uuid", "uuid"},
		check: func(k []string) bool {
			at, err := time.Parse(time.RFC3339Nano, k[0])
			return err == nil && inPostgresRange(at) && isUUID(k[1]) && k[1] == k[2]
		}, membership: true},
}

// DepartmentInOrg implements apporg.People.
func (p *People) DepartmentInOrg(ctx context.Context, orgID, departmentID uuid.UUID) (bool, error) {
	var n int64
	err := postgres.Conn(ctx, p.db).Table("departments").Where("id = ? AND org_id = ?", departmentID, orgID).Count(&n).Error
	return n > 0, postgres.Translate(err)
}

type personRow struct {
	Member     memberRow `gorm:"embedded"`
	K1, K2, K3 string
	Total      int64
	// Departments is a JSON array of the person's departments, the primary first.
	Departments string
}

// People implements apporg.People. The filters are read from one row per member
// (member_search, kept by triggers): the text's patterns and the department subtree (or the
// organisation) are both answered by one GIN index over the search keys' trigrams and the
// member's scope (the organisation, the member's departments and their ancestors), so only the
// members who pass both are read; the count and the page share them, and the accounts,
// memberships and departments are read for the page's rows only.
func (p *People) People(ctx context.Context, orgID uuid.UUID, q apporg.PeopleQuery) ([]apporg.Person, int, error) {
	srt, ok := peopleSorts[q.Sort]
	if !ok {
		return nil, 0, errs.E(errs.Invalid, "invalid_sort", "unknown sort")
	}
	if q.After != nil && (len(q.After) != 3 || !srt.check(q.After)) {
		return nil, 0, errs.E(errs.Invalid, "invalid_cursor", "cursor does not belong to this listing")
	}
	// One statement for the count and the page with each person's departments: no transaction
	// is needed for them to agree. The driver caches the statement, and its generic plan is the
	// plan made for the values: the trigram index reads the pattern when the scan starts.
	return people(postgres.Conn(ctx, p.db), orgID, q, srt)
}

func people(db *gorm.DB, orgID uuid.UUID, q apporg.PeopleQuery, srt peopleSort) ([]apporg.Person, int, error) {
	where := []string{"s.org_id = @org"}
	args := map[string]any{"org": orgID}
	membership := srt.membership
	text := strings.TrimSpace(q.Text)
	switch {
	case q.Department != uuid.Nil:
		// The department is in the scope of everyone in its subtree.
		args["dept"] = q.Department
		where = append(where, "s.scope @> ARRAY[CAST(@dept AS uuid)]")
		if !q.Subtree {
			where = append(where, `EXISTS (SELECT 1 FROM department_members dm
				WHERE dm.department_id = @dept AND dm.user_id = s.user_id)`)
		}
	case text != "":
		// The organisation is in the scope of each of its members: the index narrows the
		// text's matches to them.
		where = append(where, "s.scope @> ARRAY[CAST(@org AS uuid)]")
	}
	if q.Role != "" {
		args["role"] = string(q.Role)
		where, membership = append(where, "m.role = @role"), true
	}
	if q.Status != "" {
		args["status"] = string(q.Status)
		where, membership = append(where, "m.status = @status"), true
	}
	if q.Manager != uuid.Nil {
		args["manager"] = q.Manager
		where, membership = append(where, "m.manager_id = @manager"), true
	}
	if text != "" {
		lower := strings.ToLower(text)
		joined := strings.ReplaceAll(lower, " ", "")
		args["like"] = "%" + postgres.EscapeLike(lower) + "%"
		args["tprefix"] = postgres.EscapeLike(joined) + "%"
		args["eprefix"] = postgres.EscapeLike(lower) + "%"
		// The index narrows to the rows whose keys hold the text (or, shorter than three
		// characters, which a trigram cannot find inside a word, start with it); the exact
		// match then says which key may match how.
		match := `lower(s.display_name) LIKE @like ESCAPE '\' OR lower(s.email) LIKE @like ESCAPE '\'`
		if utf8.RuneCountInString(text) < 3 {
			match = `lower(s.display_name) LIKE @eprefix ESCAPE '\' OR lower(s.email) LIKE @eprefix ESCAPE '\'`
		}
		match += ` OR s.name_pinyin LIKE @tprefix ESCAPE '\' OR s.name_initials LIKE @tprefix ESCAPE '\'
			OR lower(s.employee_number) LIKE @eprefix ESCAPE '\'`
		args["k1"] = searchPattern(lower, utf8.RuneCountInString(lower) < 3)
		narrow := `s.search LIKE @k1 ESCAPE '\'`
		// The pinyin keys match the text without its spaces, from their start.
		if k2 := searchPattern(joined, utf8.RuneCountInString(joined) < 3); k2 != args["k1"] {
			args["k2"] = k2
			narrow = `(s.search LIKE @k1 ESCAPE '\' OR s.search LIKE @k2 ESCAPE '\')`
		}
		where = append(where, narrow, "("+match+")")
	}
	from := "member_search s"
	if membership {
		from += " JOIN memberships m ON m.org_id = s.org_id AND m.user_id = s.user_id"
	}
	dir, cmp := "", ">"
	if q.Desc {
		dir, cmp = " DESC", "<"
	}
	// f is the people who match with their sort keys, computed once for the count and the page.
	with := "WITH f AS MATERIALIZED (SELECT s.user_id, " + srt.keys[0] + " AS k1, " + srt.keys[1] + " AS k2, " + srt.keys[2] + " AS k3 FROM " +
		from + " WHERE " + strings.Join(where, " AND ") + ")"
	keyset := "true"
	if q.After != nil {
		args["a1"], args["a2"], args["a3"] = q.After[0], q.After[1], q.After[2]
		keyset = "(f.k1, f.k2, f.k3) " + cmp + " (CAST(@a1 AS " + srt.casts[0] + "), CAST(@a2 AS " + srt.casts[1] + "), CAST(@a3 AS " + srt.casts[2] + "))"
	}
	order := "k1" + dir + ", k2" + dir + ", k3" + dir
	args["limit"] = q.Limit
	var rows []personRow
	sql := with + `, p AS (SELECT * FROM f WHERE ` + keyset + ` ORDER BY ` + order + ` LIMIT @limit)
		SELECT ` + memberSelect + ", " + keyText(srt.casts, [3]string{"p.k1", "p.k2", "p.k3"}) + `, (SELECT count(*) FROM f) AS total,
			(SELECT coalesce(json_agg(json_build_object('id', d.id, 'name', d.name, 'primary', dm.is_primary,
				'path', (SELECT string_agg(a.name, ' / ' ORDER BY a.depth) FROM departments a
				         WHERE a.id = ANY (CAST(string_to_array(trim(both '/' from d.path), '/') AS uuid[]))))
				ORDER BY dm.is_primary DESC, d.path), '[]')
			 FROM department_members dm JOIN departments d ON d.id = dm.department_id
			 WHERE dm.org_id = m.org_id AND dm.user_id = m.user_id) AS departments
		FROM p JOIN memberships m ON m.org_id = @org AND m.user_id = p.user_id JOIN users u ON u.id = m.user_id ` + managerJoin + `
		ORDER BY p.` + strings.ReplaceAll(order, ", k", ", p.k")
	if err := db.Raw(sql, args).Scan(&rows).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	var total int64
	if len(rows) > 0 {
		total = rows[0].Total
	} else {
		if q.Department != uuid.Nil {
			// Nobody is listed: the department may not be the organisation's.
			var found int64
			if err := db.Raw("SELECT count(*) FROM departments WHERE id = ? AND org_id = ?", q.Department, orgID).Scan(&found).Error; err != nil {
				return nil, 0, postgres.Translate(err)
			}
			if found == 0 {
				return nil, 0, errs.NotFoundf("department")
			}
		}
		if err := db.Raw(with+" SELECT count(*) FROM f", args).Scan(&total).Error; err != nil {
			return nil, 0, postgres.Translate(err)
		}
	}
	out := make([]apporg.Person, len(rows))
	for i, r := range rows {
		out[i] = apporg.Person{Member: r.Member.member(), Departments: []apporg.PersonDepartment{}, Key: []string{r.K1, r.K2, r.K3}}
		var depts []struct {
			ID      uuid.UUID `json:"id"`
			Name    string    `json:"name"`
			Primary bool      `json:"primary"`
			Path    string    `json:"path"`
		}
		if err := json.Unmarshal([]byte(r.Departments), &depts); err != nil {
			return nil, 0, fmt.Errorf("people: departments of %s: %w", r.Member.UserID, err)
		}
		for _, d := range depts {
			out[i].Departments = append(out[i].Departments, apporg.PersonDepartment{ID: d.ID, Name: d.Name, Path: d.Path, Primary: d.Primary})
		}
	}
	return out, int(total), nil
}

// keyText selects a sort's keys (of the types casts names) as text, for the cursor; a time in
// RFC 3339 so that it parses back whatever the session's time zone.
func keyText(casts, keys [3]string) string {
	out := make([]string, 3)
	for i, k := range keys {
		switch casts[i] {
		case "timestamptz":
			out[i] = `to_char(` + k + ` AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
		case "date":
			out[i] = `to_char(` + k + `, 'YYYY-MM-DD')`
		default:
			out[i] = "CAST(" + k + " AS text)"
		}
	}
	return out[0] + " AS k1, " + out[1] + " AS k2, " + out[2] + " AS k3"
}

// searchPattern is the LIKE pattern on member_search.search that every member whose keys hold
// the text (lower-cased) passes, or with prefix, every member with a key that starts with it:
// then the pattern starts with the '|' that precedes every key, so that it has trigrams the
// index can look up even for one or two characters. The keys are stored without '|', so the
// text is matched without it too.
func searchPattern(text string, prefix bool) string {
	text = postgres.EscapeLike(strings.ReplaceAll(text, "|", ""))
	if prefix {
		return "%|" + text + "%"
	}
	return "%" + text + "%"
}
