package directory

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	appdir "canopy/app/directory"
	"canopy/domain/directory"
	"canopy/domain/errs"
	"canopy/infra/postgres"
)

// Reader answers the directory's read-only questions, each in one query.
type Reader struct {
	db   *gorm.DB
	keys postgres.SearchKeys
}

// NewReader returns the reader.
func NewReader(db *gorm.DB, keys postgres.SearchKeys) *Reader {
	return &Reader{db, keys}
}

// gorm does not fill embedded structs from a raw query, so the rows scanned here spell out
// their columns.
type nodeRow struct {
	ID          uuid.UUID
	OrgID       uuid.UUID
	ParentID    *uuid.UUID
	Path        string
	Depth       int
	Name        string
	SortOrder   int
	ExternalID  *string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	MemberCount int
	ChildCount  int
	IsPrimary   bool
	IsLeader    bool
	Names       string
}

func (r nodeRow) department() *directory.Department {
	return departmentRow{ID: r.ID, OrgID: r.OrgID, ParentID: r.ParentID, Path: r.Path, Depth: r.Depth, Name: r.Name,
		SortOrder: r.SortOrder, ExternalID: r.ExternalID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}.domain()
}

// Nodes implements appdir.Reader.
func (r *Reader) Nodes(ctx context.Context, orgID, parentID uuid.UUID) ([]appdir.Node, error) {
	var rows []nodeRow
	err := postgres.Conn(ctx, r.db).Raw(`SELECT d.*,
			(SELECT count(*) FROM department_members m WHERE m.department_id = d.id) AS member_count,
			(SELECT count(*) FROM departments c WHERE c.parent_id = d.id) AS child_count
		FROM departments d WHERE d.org_id = ? AND d.parent_id = ?
		ORDER BY d.sort_order, lower(d.name), d.id`, orgID, parentID).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]appdir.Node, len(rows))
	for i, row := range rows {
		out[i] = appdir.Node{Department: row.department(), MemberCount: row.MemberCount, ChildCount: row.ChildCount}
	}
	return out, nil
}

type personRow struct {
	UserID      uuid.UUID
	DisplayName string
	Email       string
	Status      string
	ExternalID  *string
	Total       int
	Role        string
	AddedAt     time.Time
}

func (p personRow) person() appdir.Person {
	var ext string
	if p.ExternalID != nil {
		ext = *p.ExternalID
	}
	return appdir.Person{UserID: p.UserID, DisplayName: p.DisplayName, Email: p.Email, Status: p.Status, ExternalID: ext}
}

func persons(rows []personRow) []appdir.Person {
	out := make([]appdir.Person, len(rows))
	for i, r := range rows {
		out[i] = r.person()
	}
	return out
}

const personCols = `u.id AS user_id, u.display_name, u.email, ms.status, ms.external_id`

// Members implements appdir.Reader. A subtree is a range of the path index, compared with the
// pattern operators so that a prepared (generic) plan still uses the index. The total is counted
// first; then a page of a large subtree is read by walking users in name order, the pinyin key
// first (users_pinyin_sort_key), until enough of them are in the subtree, and a page of a small
// one by collecting its members and sorting them: each costs about as much as the smaller of
// the two.
// A member in several departments of the subtree is listed once.
func (r *Reader) Members(ctx context.Context, d *directory.Department, subtree bool, query string, limit, offset int) ([]appdir.Person, int, error) {
	root := subtree && d.IsRoot()
	lo := d.Path()
	_, hi := subtreeRange(lo)
	args := map[string]any{"org": d.OrgID(), "dept": d.ID(), "lo": lo, "hi": hi, "limit": limit, "offset": offset}
	scope := `dm.department_id = @dept`
	switch {
	case root:
		scope = `true`
	case subtree:
		scope = `dm.department_id = ANY (ARRAY(SELECT id FROM departments WHERE org_id = @org AND path ~>=~ @lo AND path ~<~ @hi))`
	}
	c := postgres.Conn(ctx, r.db)
	if query != "" {
		return r.filteredMembers(ctx, scope, query, args)
	}
	// No member is twice in one department, and every member with departments has exactly one
	// primary department (directory.NormalizeAssignments, department_members_primary_key): a
	// department's members and the root's need no de-duplication.
	count := `SELECT count(DISTINCT dm.user_id) FROM department_members dm WHERE dm.org_id = @org AND ` + scope
	switch {
	case root:
		count = `SELECT count(*) FROM department_members dm WHERE dm.org_id = @org AND dm.is_primary`
	case !subtree:
		count = `SELECT count(*) FROM department_members dm WHERE dm.org_id = @org AND ` + scope
	}
	var n []struct {
		Total int
		Users float64
	}
	if err := c.Raw(`SELECT (`+count+`) AS total, (SELECT reltuples FROM pg_class WHERE oid = 'users'::regclass) AS users`, args).Scan(&n).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	total := n[0].Total
	if total == 0 || offset >= total {
		return []appdir.Person{}, total, nil
	}
	var rows []personRow
	var err error
	if walk := subtree && n[0].Users > 0 && float64(offset+limit)*n[0].Users/float64(total) < float64(total); walk {
		in := `EXISTS (SELECT 1 FROM department_members dm JOIN departments sd ON sd.id = dm.department_id
			WHERE dm.org_id = @org AND dm.user_id = u.id AND sd.path ~>=~ @lo AND sd.path ~<~ @hi)`
		if root {
			in = `EXISTS (SELECT 1 FROM department_members dm WHERE dm.org_id = @org AND dm.user_id = u.id)`
		}
		err = postgres.NewTxManager(r.db).Within(ctx, func(ctx context.Context) error {
			tx := postgres.Conn(ctx, r.db)
			// The walk pays only if the index gives the order. A prepared statement's generic
			// plan takes the subtree for a small one and would sort all of it instead.
			if err := tx.Exec(`SET LOCAL enable_sort = off`).Error; err != nil {
				return err
			}
			err := tx.Raw(`SELECT `+personCols+` FROM users u JOIN memberships ms ON ms.org_id = @org AND ms.user_id = u.id
				WHERE `+in+` ORDER BY u.name_pinyin, lower(u.display_name), u.id LIMIT @limit OFFSET @offset`, args).Scan(&rows).Error
			if err != nil {
				return err
			}
			return tx.Exec(`SET LOCAL enable_sort = on`).Error
		})
	} else {
		// A small set: each member is looked up by key (OFFSET 0 keeps the planner from
		// turning the lookups into scans of the whole users table).
		err = c.Raw(`WITH ids AS (SELECT DISTINCT dm.user_id FROM department_members dm WHERE dm.org_id = @org AND `+scope+`)
			SELECT p.user_id, p.display_name, p.email, p.status, p.external_id FROM ids CROSS JOIN LATERAL (
				SELECT `+personCols+`, u.name_pinyin AS pinyin_key, lower(u.display_name) AS sort_key FROM users u
				JOIN memberships ms ON ms.org_id = @org AND ms.user_id = u.id WHERE u.id = ids.user_id OFFSET 0) p
			ORDER BY p.pinyin_key, p.sort_key, p.user_id LIMIT @limit OFFSET @offset`, args).Scan(&rows).Error
	}
	if err != nil {
		return nil, 0, postgres.Translate(err)
	}
	return persons(rows), total, nil
}

// filteredMembers pages through the members of a scope whose name, email or pinyin matches.
func (r *Reader) filteredMembers(ctx context.Context, scope, query string, args map[string]any) ([]appdir.Person, int, error) {
	compact := strings.ToLower(strings.ReplaceAll(query, " ", ""))
	args["q"] = "%" + postgres.EscapeLike(strings.ToLower(query)) + "%"
	args["qp"] = postgres.EscapeLike(compact) + "%"
	args["keyed"] = compact != ""
	var rows []personRow
	err := postgres.Conn(ctx, r.db).Raw(`
		WITH ids AS (SELECT DISTINCT dm.user_id FROM department_members dm WHERE dm.org_id = @org AND `+scope+`)
		SELECT `+personCols+`, count(*) OVER () AS total
		FROM ids JOIN users u ON u.id = ids.user_id
		JOIN memberships ms ON ms.org_id = @org AND ms.user_id = ids.user_id
		WHERE (lower(u.display_name) LIKE @q ESCAPE '\' OR lower(u.email) LIKE @q ESCAPE '\'
		       OR (@keyed AND (u.name_pinyin LIKE @qp ESCAPE '\' OR u.name_initials LIKE @qp ESCAPE '\')))
		ORDER BY u.name_pinyin, lower(u.display_name), u.id LIMIT @limit OFFSET @offset`, args).Scan(&rows).Error
	if err != nil {
		return nil, 0, postgres.Translate(err)
	}
	total := 0
	out := make([]appdir.Person, len(rows))
	for i, row := range rows {
		out[i], total = row.person(), row.Total
	}
	if len(rows) == 0 && args["offset"].(int) > 0 {
		// Past the last page the window function has no row to report the total on.
		var n int64
		err := postgres.Conn(ctx, r.db).Raw(`SELECT count(*) FROM (SELECT DISTINCT dm.user_id FROM department_members dm
			JOIN users u ON u.id = dm.user_id WHERE dm.org_id = @org AND `+scope+`
			AND (lower(u.display_name) LIKE @q ESCAPE '\' OR lower(u.email) LIKE @q ESCAPE '\'
		       OR (@keyed AND (u.name_pinyin LIKE @qp ESCAPE '\' OR u.name_initials LIKE @qp ESCAPE '\')))) x`, args).Scan(&n).Error
		return out, int(n), postgres.Translate(err)
	}
	return out, total, nil
}

// Leaders implements appdir.Reader.
func (r *Reader) Leaders(ctx context.Context, orgID, departmentID uuid.UUID) ([]appdir.Person, error) {
	var rows []personRow
	err := postgres.Conn(ctx, r.db).Raw(`SELECT `+personCols+` FROM department_members dm
		JOIN users u ON u.id = dm.user_id JOIN memberships ms ON ms.org_id = dm.org_id AND ms.user_id = dm.user_id
		WHERE dm.org_id = ? AND dm.department_id = ? AND dm.is_leader ORDER BY u.name_pinyin, lower(u.display_name), u.id`, orgID, departmentID).Scan(&rows).Error
	return persons(rows), postgres.Translate(err)
}

// GroupMembers implements appdir.Reader.
func (r *Reader) GroupMembers(ctx context.Context, orgID, groupID uuid.UUID, limit, offset int) ([]appdir.GroupMember, int, error) {
	var rows []personRow
	err := postgres.Conn(ctx, r.db).Raw(`SELECT `+personCols+`, gm.role, gm.added_at FROM group_members gm
		JOIN users u ON u.id = gm.user_id JOIN memberships ms ON ms.org_id = gm.org_id AND ms.user_id = gm.user_id
		WHERE gm.org_id = ? AND gm.group_id = ? ORDER BY gm.role = 'owner' DESC, u.name_pinyin, lower(u.display_name), u.id LIMIT ? OFFSET ?`,
		orgID, groupID, limit, offset).Scan(&rows).Error
	if err != nil {
		return nil, 0, postgres.Translate(err)
	}
	var total int64
	if err := postgres.Conn(ctx, r.db).Table("group_members").Where("org_id = ? AND group_id = ?", orgID, groupID).Count(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]appdir.GroupMember, len(rows))
	for i, row := range rows {
		out[i] = appdir.GroupMember{Person: row.person(), Role: directory.GroupRole(row.Role), AddedAt: row.AddedAt}
	}
	return out, int(total), nil
}

// GroupRole implements appdir.Reader.
func (r *Reader) GroupRole(ctx context.Context, orgID, groupID, userID uuid.UUID) (directory.GroupRole, error) {
	var roles []string
	err := postgres.Conn(ctx, r.db).Raw(`SELECT role FROM group_members WHERE org_id = ? AND group_id = ? AND user_id = ?`, orgID, groupID, userID).Scan(&roles).Error
	if err != nil {
		return "", postgres.Translate(err)
	}
	if len(roles) == 0 {
		return "", errs.NotFoundf("group member")
	}
	return directory.GroupRole(roles[0]), nil
}

// Search implements appdir.Reader.
func (r *Reader) Search(ctx context.Context, orgID uuid.UUID, query string, scope appdir.SearchScope, limit int) (appdir.SearchResult, error) {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return appdir.SearchResult{}, nil
	}
	// Typing pinyin with spaces ("zhang wei") finds the same as without. The keys hold only
	// letters and digits: a query without any ("%", "😀", "--") has no key, and is matched
	// against the names as it is written, never as a pattern that matches every key.
	compact, _ := r.keys(q)
	subtrees := make(pq.StringArray, len(scope.Subtrees))
	for i, id := range scope.Subtrees {
		subtrees[i] = id.String()
	}
	args := map[string]any{"org": orgID, "q": "%" + postgres.EscapeLike(q) + "%", "qp": postgres.EscapeLike(compact) + "%",
		"keyed": compact != "", "limit": limit, "scoped": scope.Subtrees != nil, "subtrees": subtrees,
		"mine": scope.MemberID != uuid.Nil, "member": scope.MemberID}
	c := postgres.Conn(ctx, r.db)
	var res appdir.SearchResult
	var people []personRow
	err := c.Raw(`SELECT `+personCols+` FROM memberships ms JOIN users u ON u.id = ms.user_id
		WHERE ms.org_id = @org AND ms.status = 'active'
		  AND (lower(u.display_name) LIKE @q ESCAPE '\' OR lower(u.email) LIKE @q ESCAPE '\'
		       OR (@keyed AND (u.name_pinyin LIKE @qp ESCAPE '\' OR u.name_initials LIKE @qp ESCAPE '\')))
		  AND (NOT @scoped OR EXISTS (SELECT 1 FROM department_members dm
		       JOIN departments sd ON sd.org_id = dm.org_id AND sd.id = dm.department_id
		       JOIN departments top ON top.org_id = dm.org_id AND top.id = ANY (CAST(@subtrees AS uuid[]))
		       WHERE dm.org_id = ms.org_id AND dm.user_id = ms.user_id AND starts_with(sd.path, top.path)))
		ORDER BY (lower(u.display_name) = @exact) DESC, length(u.display_name), lower(u.display_name) LIMIT @limit`, withExact(args, q)).Scan(&people).Error
	if err != nil {
		return res, postgres.Translate(err)
	}
	res.People = persons(people)
	var depts []departmentRow
	err = c.Raw(`SELECT * FROM departments d WHERE org_id = @org
		  AND (lower(name) LIKE @q ESCAPE '\' OR (@keyed AND (name_pinyin LIKE @qp ESCAPE '\' OR name_initials LIKE @qp ESCAPE '\')))
		  AND (NOT @scoped OR EXISTS (SELECT 1 FROM departments top
		       WHERE top.org_id = d.org_id AND top.id = ANY (CAST(@subtrees AS uuid[])) AND starts_with(d.path, top.path)))
		ORDER BY depth, lower(name) LIMIT @limit`, args).Scan(&depts).Error
	if err != nil {
		return res, postgres.Translate(err)
	}
	for _, d := range depts {
		res.Departments = append(res.Departments, d.domain())
	}
	var groups []GroupRow
	err = c.Raw(`SELECT * FROM groups g WHERE org_id = @org
		  AND (lower(name) LIKE @q ESCAPE '\' OR (@keyed AND (name_pinyin LIKE @qp ESCAPE '\' OR name_initials LIKE @qp ESCAPE '\')))
		  AND (NOT @mine OR EXISTS (SELECT 1 FROM group_members gm WHERE gm.org_id = g.org_id AND gm.group_id = g.id AND gm.user_id = @member))
		ORDER BY lower(name) LIMIT @limit`, args).Scan(&groups).Error
	for _, g := range groups {
		res.Groups = append(res.Groups, g.Domain())
	}
	return res, postgres.Translate(err)
}

// withExact adds the query as it is, which ranks a name equal to it first.
func withExact(args map[string]any, q string) map[string]any {
	out := make(map[string]any, len(args)+1)
	for k, v := range args {
		out[k] = v
	}
	out["exact"] = q
	return out
}

// Person implements appdir.Reader.
func (r *Reader) Person(ctx context.Context, orgID, userID uuid.UUID) (appdir.PersonCard, error) {
	c := postgres.Conn(ctx, r.db)
	var ps []personRow
	if err := c.Raw(`SELECT `+personCols+`, ms.role FROM memberships ms JOIN users u ON u.id = ms.user_id
		WHERE ms.org_id = ? AND ms.user_id = ?`, orgID, userID).Scan(&ps).Error; err != nil {
		return appdir.PersonCard{}, postgres.Translate(err)
	}
	if len(ps) == 0 {
		return appdir.PersonCard{}, errs.NotFoundf("person")
	}
	card := appdir.PersonCard{Person: ps[0].person(), Role: ps[0].Role}
	var depts []nodeRow
	// The names along each department's path, root first, in the same query.
	err := c.Raw(`SELECT d.*, dm.is_primary, dm.is_leader,
			(SELECT string_agg(a.name, '/' ORDER BY a.depth) FROM departments a
			 WHERE a.id = ANY (string_to_array(trim(both '/' from d.path), '/')::uuid[])) AS names
		FROM department_members dm JOIN departments d ON d.id = dm.department_id
		WHERE dm.org_id = ? AND dm.user_id = ? ORDER BY dm.is_primary DESC, d.depth, lower(d.name)`, orgID, userID).Scan(&depts).Error
	if err != nil {
		return appdir.PersonCard{}, postgres.Translate(err)
	}
	var primary uuid.UUID
	for _, d := range depts {
		card.Departments = append(card.Departments, appdir.PersonDepartment{
			Department: d.department(), PathNames: strings.Split(d.Names, "/"), Primary: d.IsPrimary, Leader: d.IsLeader})
		if d.IsPrimary {
			primary = d.ID
		}
	}
	var groups []struct {
		GroupID uuid.UUID
		Name    string
		Role    string
	}
	if err := c.Raw(`SELECT g.id AS group_id, g.name, gm.role FROM group_members gm JOIN groups g ON g.id = gm.group_id
		WHERE gm.org_id = ? AND gm.user_id = ? ORDER BY lower(g.name)`, orgID, userID).Scan(&groups).Error; err != nil {
		return appdir.PersonCard{}, postgres.Translate(err)
	}
	for _, g := range groups {
		card.Groups = append(card.Groups, appdir.PersonGroup{GroupID: g.GroupID, Name: g.Name, Role: directory.GroupRole(g.Role)})
	}
	if primary != uuid.Nil {
		leaders, err := r.Leaders(ctx, orgID, primary)
		if err != nil {
			return appdir.PersonCard{}, err
		}
		// A leader of their own primary department is not their own leader.
		for _, l := range leaders {
			if l.UserID != userID {
				card.Leaders = append(card.Leaders, l)
			}
		}
	}
	return card, nil
}

// DepartmentMemberIDs implements appdir.Reader.
func (r *Reader) DepartmentMemberIDs(ctx context.Context, orgID, departmentID uuid.UUID) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := postgres.Conn(ctx, r.db).Raw(`SELECT user_id FROM department_members WHERE org_id = ? AND department_id = ?`, orgID, departmentID).Scan(&ids).Error
	return ids, postgres.Translate(err)
}

type candidateRow struct {
	UserID uuid.UUID
	Email  string
	Status string
	Role   string
}

const candidateCols = `u.id AS user_id, u.email, ms.status, ms.role`

func (r *Reader) candidates(ctx context.Context, sql string, args ...any) ([]appdir.Candidate, error) {
	var rows []candidateRow
	if err := postgres.Conn(ctx, r.db).Raw(sql, args...).Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]appdir.Candidate, len(rows))
	for i, row := range rows {
		out[i] = appdir.Candidate{UserID: row.UserID, Email: row.Email, Active: row.Status == "active", Guest: row.Role == "guest"}
	}
	return out, nil
}

// DepartmentCandidates implements appdir.Reader; a subtree is a range of the path index, as in
// Members.
func (r *Reader) DepartmentCandidates(ctx context.Context, d *directory.Department, subtree bool) ([]appdir.Candidate, error) {
	lo, hi := subtreeRange(d.Path())
	scope := `dm.department_id = @dept`
	if subtree {
		scope = `dm.department_id = ANY (ARRAY(SELECT id FROM departments WHERE org_id = @org AND path ~>=~ @lo AND path ~<~ @hi))`
	}
	return r.candidates(ctx, `WITH ids AS (SELECT DISTINCT dm.user_id FROM department_members dm WHERE dm.org_id = @org AND `+scope+`)
		SELECT `+candidateCols+` FROM ids JOIN users u ON u.id = ids.user_id
		JOIN memberships ms ON ms.org_id = @org AND ms.user_id = ids.user_id`,
		map[string]any{"org": d.OrgID(), "dept": d.ID(), "lo": lo, "hi": hi})
}

// CandidatesByEmail implements appdir.Reader through the users_email_key index on lower(email).
func (r *Reader) CandidatesByEmail(ctx context.Context, orgID uuid.UUID, emails []string) ([]appdir.Candidate, error) {
	lower := make([]string, len(emails))
	for i, e := range emails {
		lower[i] = strings.ToLower(e)
	}
	return r.candidates(ctx, `SELECT `+candidateCols+` FROM users u JOIN memberships ms ON ms.org_id = ? AND ms.user_id = u.id
		WHERE lower(u.email) = ANY (?)`, orgID, pq.Array(lower))
}

// CandidatesByID implements appdir.Reader.
func (r *Reader) CandidatesByID(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]appdir.Candidate, error) {
	return r.candidates(ctx, `SELECT `+candidateCols+` FROM users u JOIN memberships ms ON ms.org_id = ? AND ms.user_id = u.id
		WHERE u.id = ANY (CAST(? AS uuid[]))`, orgID, pq.Array(uuidStrings(ids)))
}
