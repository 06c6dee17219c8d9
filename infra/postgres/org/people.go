package org

import (
	"context"
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
// cursor's strings back into the expressions' types.
type peopleSort struct {
	keys  [3]string
	casts [3]string
	check func(k []string) bool
}

func isUUID(s string) bool { _, err := uuid.Parse(s); return err == nil }
func isBool(s string) bool { return s == "true" || s == "false" }

// inPostgresRange reports whether PostgreSQL takes the time as a date or timestamp: Go parses
// year 0000, which PostgreSQL refuses.
func inPostgresRange(t time.Time) bool { return t.Year() >= 1 && t.Year() <= 9999 }

var peopleSorts = map[apporg.PeopleSort]peopleSort{
	// The pinyin key first: 张伟 ("zhangwei") sorts under Z, among the Latin names.
	apporg.SortName: {[3]string{"u.name_pinyin", "u.display_name", "m.user_id"}, [3]string{"text", "text", "uuid"},
		func(k []string) bool { return isUUID(k[2]) }},
	// People without the value come last in ascending order, first in descending.
	apporg.SortEmployeeNumber: {[3]string{"(m.employee_number IS NULL)", "COALESCE(m.employee_number, '')", "m.user_id"}, [3]string{"boolean", "text", "uuid"},
		func(k []string) bool { return isBool(k[0]) && isUUID(k[2]) }},
	apporg.SortHireDate: {[3]string{"(m.hire_date IS NULL)", "COALESCE(m.hire_date, DATE '0001-01-01')", "m.user_id"}, [3]string{"boolean", "date", "uuid"},
		func(k []string) bool {
			d, err := time.Parse(time.DateOnly, k[1])
			return isBool(k[0]) && err == nil && inPostgresRange(d) && isUUID(k[2])
		}},
	// Three keys as every sort has, the id twice.
	apporg.SortJoinedAt: {[3]string{"m.joined_at", "m.user_id", "m.user_id"}, [3]string{"timestamptz", "uuid", "uuid"},
		func(k []string) bool {
			at, err := time.Parse(time.RFC3339Nano, k[0])
			return err == nil && inPostgresRange(at) && isUUID(k[1]) && k[1] == k[2]
		}},
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
}

// People implements apporg.People. Each filter is a semi-join the planner can start from: the
// department subtree is a prefix range of departments.path, the text a union of the users'
// trigram and pinyin indexes and the members' employee-number index; the count and the page
// share them.
func (p *People) People(ctx context.Context, orgID uuid.UUID, q apporg.PeopleQuery) ([]apporg.Person, int, error) {
	srt, ok := peopleSorts[q.Sort]
	if !ok {
		return nil, 0, errs.E(errs.Invalid, "invalid_sort", "unknown sort")
	}
	if q.After != nil && (len(q.After) != 3 || !srt.check(q.After)) {
		return nil, 0, errs.E(errs.Invalid, "invalid_cursor", "cursor does not belong to this listing")
	}
	var out []apporg.Person
	var total int
	// The statements are prepared and cached by the driver, and a cached statement's generic
	// plan cannot use a LIKE pattern's prefix (the pattern is a parameter): the users' table
	// would be read whole. Every plan here is made for its values.
	err := postgres.Conn(ctx, p.db).Transaction(func(db *gorm.DB) error {
		if err := db.Exec("SET LOCAL plan_cache_mode = force_custom_plan").Error; err != nil {
			return postgres.Translate(err)
		}
		var err error
		out, total, err = people(db, orgID, q, srt)
		return err
	})
	return out, total, err
}

func people(db *gorm.DB, orgID uuid.UUID, q apporg.PeopleQuery, srt peopleSort) ([]apporg.Person, int, error) {
	where := []string{"m.org_id = @org"}
	args := map[string]any{"org": orgID}
	if q.Department != uuid.Nil {
		depts := []uuid.UUID{q.Department}
		if q.Subtree {
			// The subtree's departments first (a prefix range of paths): then each candidate
			// is one probe of department_members by member.
			var path string
			if err := db.Raw("SELECT path FROM departments WHERE id = ? AND org_id = ?", q.Department, orgID).Scan(&path).Error; err != nil {
				return nil, 0, postgres.Translate(err)
			}
			if path == "" {
				return nil, 0, errs.NotFoundf("department")
			}
			depts = nil
			if err := db.Raw(`SELECT id FROM departments WHERE org_id = ? AND path LIKE ? ESCAPE '\'`, orgID, postgres.EscapeLike(path)+"%").
				Scan(&depts).Error; err != nil {
				return nil, 0, postgres.Translate(err)
			}
		}
		args["depts"] = postgres.UUIDArray(depts)
		where = append(where, `EXISTS (SELECT 1 FROM department_members dm
			WHERE dm.org_id = m.org_id AND dm.user_id = m.user_id AND dm.department_id = ANY (CAST(@depts AS uuid[])))`)
	}
	if q.Role != "" {
		args["role"] = string(q.Role)
		where = append(where, "m.role = @role")
	}
	if q.Status != "" {
		args["status"] = string(q.Status)
		where = append(where, "m.status = @status")
	}
	if q.Manager != uuid.Nil {
		args["manager"] = q.Manager
		where = append(where, "m.manager_id = @manager")
	}
	// f is the people who match, computed once for the count and the page. A text filter's
	// matches come first (from the users' indexes and the employee numbers'), then the
	// organisation's other filters are probes by member.
	from := "memberships m"
	with := ""
	if t := strings.TrimSpace(q.Text); t != "" {
		args["like"] = "%" + postgres.EscapeLike(strings.ToLower(t)) + "%"
		args["tprefix"] = postgres.EscapeLike(strings.ToLower(strings.ReplaceAll(t, " ", ""))) + "%"
		args["eprefix"] = postgres.EscapeLike(strings.ToLower(t)) + "%"
		// A trigram index finds nothing shorter than three characters inside a string (it would
		// read all of itself), so a shorter text matches the name and email from the start.
		match := `lower(display_name) LIKE @like ESCAPE '\' OR lower(email) LIKE @like ESCAPE '\'`
		if utf8.RuneCountInString(t) < 3 {
			match = `lower(display_name) LIKE @eprefix ESCAPE '\' OR lower(email) LIKE @eprefix ESCAPE '\'`
		}
		with = `t AS MATERIALIZED (
			SELECT id FROM users WHERE ` + match + `
				OR name_pinyin LIKE @tprefix ESCAPE '\' OR name_initials LIKE @tprefix ESCAPE '\'
			UNION
			SELECT user_id FROM memberships WHERE org_id = @org AND employee_number IS NOT NULL AND lower(employee_number) LIKE @eprefix ESCAPE '\'), `
		from = "t JOIN memberships m ON m.org_id = @org AND m.user_id = t.id"
	}
	filter := strings.Join(where, " AND ")
	with = "WITH " + with + "f AS MATERIALIZED (SELECT m.user_id FROM " + from + " WHERE " + filter + ")"
	dir, cmp := "", ">"
	if q.Desc {
		dir, cmp = " DESC", "<"
	}
	keyset := "true"
	if q.After != nil {
		args["a1"], args["a2"], args["a3"] = q.After[0], q.After[1], q.After[2]
		keyset = "(" + strings.Join(srt.keys[:], ", ") + ") " + cmp + " (CAST(@a1 AS " + srt.casts[0] + "), CAST(@a2 AS " + srt.casts[1] + "), CAST(@a3 AS " + srt.casts[2] + "))"
	}
	order := srt.keys[0] + dir + ", " + srt.keys[1] + dir + ", " + srt.keys[2] + dir
	args["limit"] = q.Limit
	// The filters are evaluated once, for the count and the page.
	var rows []personRow
	sql := with + `
		SELECT ` + memberSelect + ", " + keyText(srt) + `, (SELECT count(*) FROM f) AS total
		FROM f JOIN memberships m ON m.org_id = @org AND m.user_id = f.user_id JOIN users u ON u.id = m.user_id ` + managerJoin + `
		WHERE ` + keyset + " ORDER BY " + order + " LIMIT @limit"
	if err := db.Raw(sql, args).Scan(&rows).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	var total int64
	if len(rows) > 0 {
		total = rows[0].Total
	} else if err := db.Raw(with+" SELECT count(*) FROM f", args).Scan(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]apporg.Person, len(rows))
	ids := make([]uuid.UUID, len(rows))
	at := make(map[uuid.UUID]int, len(rows))
	for i, r := range rows {
		out[i] = apporg.Person{Member: r.Member.member(), Departments: []apporg.PersonDepartment{}, Key: []string{r.K1, r.K2, r.K3}}
		ids[i], at[r.Member.UserID] = r.Member.UserID, i
	}
	if len(ids) == 0 {
		return out, int(total), nil
	}
	var depts []struct {
		UserID    uuid.UUID
		ID        uuid.UUID
		Name      string
		IsPrimary bool
		Path      string
	}
	err := db.Raw(`SELECT dm.user_id, d.id, d.name, dm.is_primary,
			(SELECT string_agg(a.name, ' / ' ORDER BY a.depth) FROM departments a
			 WHERE a.id = ANY (CAST(string_to_array(trim(both '/' from d.path), '/') AS uuid[]))) AS path
		FROM department_members dm JOIN departments d ON d.id = dm.department_id
		WHERE dm.org_id = ? AND dm.user_id = ANY (CAST(? AS uuid[]))
		ORDER BY dm.is_primary DESC, d.path`, orgID, postgres.UUIDArray(ids)).Scan(&depts).Error
	if err != nil {
		return nil, 0, postgres.Translate(err)
	}
	for _, d := range depts {
		i := at[d.UserID]
		out[i].Departments = append(out[i].Departments, apporg.PersonDepartment{ID: d.ID, Name: d.Name, Path: d.Path, Primary: d.IsPrimary})
	}
	return out, int(total), nil
}

// keyText selects a sort's keys as text, for the cursor; a time in RFC 3339 so that it parses
// back whatever the session's time zone.
func keyText(s peopleSort) string {
	out := make([]string, 3)
	for i, k := range s.keys {
		switch s.casts[i] {
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
