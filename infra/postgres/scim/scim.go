// Package scim holds the PostgreSQL reader behind SCIM provisioning, which turns an identity
// provider's filters into bound SQL.
package scim

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	apporg "canopy/app/org"
	appscim "canopy/app/scim"
	"canopy/domain/directory"
	"canopy/domain/errs"
	"canopy/domain/org"
	"canopy/infra/postgres"
	pgdirectory "canopy/infra/postgres/directory"
)

// Reader answers an identity provider's queries. A parsed filter becomes one WHERE clause
// whose values are all bound parameters; only column names chosen from the tables below are
// ever written into the SQL.
type Reader struct{ db *gorm.DB }

// NewReader returns the reader.
func NewReader(db *gorm.DB) *Reader { return &Reader{db} }

type valueKind int

const (
	exactText valueKind = iota // compared as it is (caseExact true in RFC 7643)
	foldText                   // compared case-insensitively (caseExact false)
	boolean
)

// column is where a filter field lives. A multi-valued field has an EXISTS subquery with %s
// where the test on one of its values goes.
type column struct {
	sql    string
	kind   valueKind
	exists string
}

// RFC 7643 says which attributes compare case-insensitively: userName, emails.value and the
// display names do; id and externalId do not.
var userColumns = map[appscim.Field]column{
	appscim.UserID:             {sql: "m.user_id::text", kind: exactText},
	appscim.UserEmail:          {sql: "u.email", kind: foldText},
	appscim.UserDisplayName:    {sql: "u.display_name", kind: foldText},
	appscim.UserExternalID:     {sql: "m.external_id", kind: exactText},
	appscim.UserActive:         {sql: "(m.status = 'active')", kind: boolean},
	appscim.UserLocale:         {sql: "u.locale", kind: foldText},
	appscim.UserTimeZone:       {sql: "u.time_zone", kind: foldText},
	appscim.UserGivenName:      {sql: "su.given_name", kind: foldText},
	appscim.UserFamilyName:     {sql: "su.family_name", kind: foldText},
	appscim.UserTitle:          {sql: "NULLIF(m.job_title, '')", kind: foldText},
	appscim.UserMobile:         {sql: "m.mobile", kind: exactText},
	appscim.UserEmployeeNumber: {sql: "m.employee_number", kind: exactText},
	appscim.UserManager:        {sql: "m.manager_id::text", kind: exactText},
}

var groupColumns = map[appscim.Field]column{
	appscim.GroupID:         {sql: "g.id::text", kind: exactText},
	appscim.GroupName:       {sql: "g.name", kind: foldText},
	appscim.GroupExternalID: {sql: "g.external_id", kind: exactText},
	appscim.GroupMemberID: {sql: "gm.user_id::text", kind: exactText,
		exists: "EXISTS (SELECT 1 FROM group_members gm " + visibleMember + " WHERE gm.org_id = g.org_id AND gm.group_id = g.id AND " + notDeleted + " AND %s)"},
	appscim.GroupMemberName: {sql: "mu.display_name", kind: foldText,
		exists: "EXISTS (SELECT 1 FROM group_members gm JOIN users mu ON mu.id = gm.user_id " + visibleMember +
			" WHERE gm.org_id = g.org_id AND gm.group_id = g.id AND " + notDeleted + " AND %s)"},
}

// Members the provider deleted are gone for it: every query joins their SCIM row and leaves
// them out.
const (
	visibleMember = "LEFT JOIN scim_users su ON su.org_id = gm.org_id AND su.user_id = gm.user_id"
	notDeleted    = "su.deleted_at IS NULL"
	scimUserJoin  = "LEFT JOIN scim_users su ON su.org_id = m.org_id AND su.user_id = m.user_id"
)

func badFilter(msg string) error { return errs.E(errs.Invalid, "invalid_filter", msg) }

// maxFilterNodes bounds the SQL one filter can make; web bounds the filter's length as well.
const maxFilterNodes = 200

// where turns a filter into a condition that is never NULL, so NOT is an exact complement.
func where(e appscim.Expr, cols map[appscim.Field]column, args *[]any, nodes *int) (string, error) {
	if *nodes++; *nodes > maxFilterNodes {
		return "", badFilter("the filter is too complex")
	}
	switch x := e.(type) {
	case nil:
		return "true", nil
	case appscim.Const:
		if x {
			return "true", nil
		}
		return "false", nil
	case appscim.And, appscim.Or:
		l, r, op := leftRight(x)
		ls, err := where(l, cols, args, nodes)
		if err != nil {
			return "", err
		}
		rs, err := where(r, cols, args, nodes)
		if err != nil {
			return "", err
		}
		return "(" + ls + " " + op + " " + rs + ")", nil
	case appscim.Not:
		s, err := where(x.X, cols, args, nodes)
		if err != nil {
			return "", err
		}
		return "(NOT " + s + ")", nil
	case appscim.Compare:
		col, ok := cols[x.Field]
		if !ok {
			return "", badFilter("the filter tests an attribute this resource does not have")
		}
		cond, err := compare(col, x, args)
		if err != nil {
			return "", err
		}
		if col.exists != "" {
			return fmt.Sprintf(col.exists, cond), nil
		}
		return cond, nil
	}
	return "", badFilter("the filter has an expression Canopy does not know")
}

func leftRight(e appscim.Expr) (appscim.Expr, appscim.Expr, string) {
	if a, ok := e.(appscim.And); ok {
		return a.Left, a.Right, "AND"
	}
	o := e.(appscim.Or)
	return o.Left, o.Right, "OR"
}

var sqlOps = map[appscim.Op]string{appscim.Eq: "=", appscim.Gt: ">", appscim.Ge: ">=", appscim.Lt: "<", appscim.Le: "<="}

func compare(col column, c appscim.Compare, args *[]any) (string, error) {
	present := "(" + col.sql + " IS NOT NULL AND " + col.sql + " <> '')"
	if col.kind == boolean {
		present = "true"
	}
	if c.Op == appscim.Pr || (c.Value == nil && (c.Op == appscim.Eq || c.Op == appscim.Ne)) {
		switch c.Op {
		case appscim.Pr, appscim.Ne:
			return present, nil
		default:
			return "(NOT " + present + ")", nil
		}
	}
	if col.kind == boolean {
		b, ok := c.Value.(bool)
		if !ok || (c.Op != appscim.Eq && c.Op != appscim.Ne) {
			return "", badFilter("a boolean attribute takes only eq or ne with true or false")
		}
		*args = append(*args, b)
		if c.Op == appscim.Ne {
			return "(" + col.sql + " <> ?)", nil
		}
		return "(" + col.sql + " = ?)", nil
	}
	v, ok := c.Value.(string)
	if !ok {
		return "", badFilter("a text attribute is compared with a string")
	}
	lhs, rhs := col.sql, "?::text"
	if col.kind == foldText {
		lhs, rhs = "lower("+lhs+")", "lower(?::text)"
	}
	switch c.Op {
	case appscim.Ne:
		*args = append(*args, v)
		return "(" + lhs + " IS DISTINCT FROM " + rhs + ")", nil
	case appscim.Co, appscim.Sw, appscim.Ew:
		pattern := postgres.EscapeLike(v)
		switch c.Op {
		case appscim.Co:
			pattern = "%" + pattern + "%"
		case appscim.Sw:
			pattern += "%"
		default:
			pattern = "%" + pattern
		}
		*args = append(*args, pattern)
		return "COALESCE(" + lhs + " LIKE " + rhs + " ESCAPE '\\', false)", nil
	}
	op, ok := sqlOps[c.Op]
	if !ok {
		return "", badFilter("unknown comparison " + string(c.Op))
	}
	*args = append(*args, v)
	return "COALESCE(" + lhs + " " + op + " " + rhs + ", false)", nil
}

type scimUserRow struct {
	UserID         uuid.UUID
	Email          string
	DisplayName    string
	Role           string
	Status         string
	JoinedAt       time.Time
	DeactivatedAt  *time.Time
	ExternalID     *string
	Locale         string
	TimeZone       string
	UpdatedAt      time.Time
	Department     *string
	GivenName      *string
	FamilyName     *string
	EmployeeNumber *string
	JobTitle       string
	Mobile         *string
	ManagerID      *uuid.UUID
}

func (r scimUserRow) user() appscim.User {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	return appscim.User{Member: apporg.Member{UserID: r.UserID, Email: r.Email, DisplayName: r.DisplayName, Role: org.Role(r.Role),
		Status: org.MemberStatus(r.Status), JoinedAt: r.JoinedAt, DeactivatedAt: r.DeactivatedAt, ExternalID: str(r.ExternalID),
		Locale: r.Locale, TimeZone: r.TimeZone, Profile: org.Profile{EmployeeNumber: str(r.EmployeeNumber), JobTitle: r.JobTitle,
			Mobile: str(r.Mobile), ManagerID: r.ManagerID}}, Department: str(r.Department), GivenName: str(r.GivenName), FamilyName: str(r.FamilyName),
		UpdatedAt: r.UpdatedAt}
}

// The names along the primary department's path, below the root.
const scimUserSelect = `SELECT m.user_id, u.email, u.display_name, m.role, m.status, m.joined_at, m.deactivated_at,
		m.external_id, u.locale, u.time_zone, su.given_name, su.family_name, m.employee_number, m.job_title, m.mobile, m.manager_id,
		GREATEST(u.updated_at, m.joined_at, COALESCE(m.deactivated_at, m.joined_at)) AS updated_at,
		(SELECT string_agg(a.name, '/' ORDER BY a.depth)
		   FROM department_members dm JOIN departments d ON d.id = dm.department_id
		   JOIN departments a ON a.id = ANY (string_to_array(trim(both '/' from d.path), '/')::uuid[]) AND a.parent_id IS NOT NULL
		  WHERE dm.org_id = m.org_id AND dm.user_id = m.user_id AND dm.is_primary) AS department
	FROM memberships m JOIN users u ON u.id = m.user_id ` + scimUserJoin

// Users implements appscim.Reader.
func (r *Reader) Users(ctx context.Context, orgID uuid.UUID, f appscim.Expr, limit, offset int) ([]appscim.User, int, error) {
	args := []any{orgID}
	nodes := 0
	cond, err := where(f, userColumns, &args, &nodes)
	if err != nil {
		return nil, 0, err
	}
	c := postgres.Conn(ctx, r.db)
	var total int64
	if err := c.Raw(`SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id `+scimUserJoin+` WHERE m.org_id = ? AND `+notDeleted+` AND `+cond, args...).Scan(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	if limit == 0 || total == 0 {
		return []appscim.User{}, int(total), nil
	}
	var rows []scimUserRow
	err = c.Raw(scimUserSelect+` WHERE m.org_id = ? AND `+notDeleted+` AND `+cond+` ORDER BY m.joined_at, m.user_id LIMIT ? OFFSET ?`,
		append(args, limit, offset)...).Scan(&rows).Error
	if err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]appscim.User, len(rows))
	for i, row := range rows {
		out[i] = row.user()
	}
	return out, int(total), nil
}

// User implements appscim.Reader.
func (r *Reader) User(ctx context.Context, orgID, userID uuid.UUID) (appscim.User, error) {
	var rows []scimUserRow
	if err := postgres.Conn(ctx, r.db).Raw(scimUserSelect+` WHERE m.org_id = ? AND m.user_id = ? AND `+notDeleted, orgID, userID).Scan(&rows).Error; err != nil {
		return appscim.User{}, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return appscim.User{}, errs.NotFoundf("user")
	}
	return rows[0].user(), nil
}

// Groups implements appscim.Reader.
func (r *Reader) Groups(ctx context.Context, orgID uuid.UUID, f appscim.Expr, limit, offset int) ([]*directory.Group, int, error) {
	args := []any{orgID}
	nodes := 0
	cond, err := where(f, groupColumns, &args, &nodes)
	if err != nil {
		return nil, 0, err
	}
	c := postgres.Conn(ctx, r.db)
	var total int64
	if err := c.Raw(`SELECT count(*) FROM groups g WHERE g.org_id = ? AND `+cond, args...).Scan(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	if limit == 0 || total == 0 {
		return []*directory.Group{}, int(total), nil
	}
	var rows []pgdirectory.GroupRow
	err = c.Raw(`SELECT g.* FROM groups g WHERE g.org_id = ? AND `+cond+` ORDER BY g.created_at, g.id LIMIT ? OFFSET ?`,
		append(args, limit, offset)...).Scan(&rows).Error
	if err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]*directory.Group, len(rows))
	for i, row := range rows {
		out[i] = row.Domain()
	}
	return out, int(total), nil
}

// GroupMembers implements appscim.Reader.
func (r *Reader) GroupMembers(ctx context.Context, orgID uuid.UUID, groupIDs []uuid.UUID) (map[uuid.UUID][]appscim.GroupMember, error) {
	out := map[uuid.UUID][]appscim.GroupMember{}
	if len(groupIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		GroupID     uuid.UUID
		UserID      uuid.UUID
		DisplayName string
	}
	err := postgres.Conn(ctx, r.db).Raw(`SELECT gm.group_id, gm.user_id, u.display_name FROM group_members gm JOIN users u ON u.id = gm.user_id
		`+visibleMember+` WHERE gm.org_id = ? AND gm.group_id IN ? AND `+notDeleted+` ORDER BY gm.added_at, gm.user_id`, orgID, groupIDs).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	for _, row := range rows {
		out[row.GroupID] = append(out[row.GroupID], appscim.GroupMember{UserID: row.UserID, DisplayName: row.DisplayName})
	}
	return out, nil
}

// Store keeps SCIM's own attributes of members (the scim_users table).
type Store struct{ db *gorm.DB }

// NewStore returns the store.
func NewStore(db *gorm.DB) *Store { return &Store{db} }

// SetNames implements appscim.Store.
func (s *Store) SetNames(ctx context.Context, orgID, userID uuid.UUID, given, family *string) error {
	return postgres.Translate(postgres.Conn(ctx, s.db).Exec(`INSERT INTO scim_users (org_id, user_id, given_name, family_name)
		VALUES (@org, @user, NULLIF(@given, ''), NULLIF(@family, ''))
		ON CONFLICT (org_id, user_id) DO UPDATE SET
			given_name = CASE WHEN @setGiven THEN NULLIF(@given, '') ELSE scim_users.given_name END,
			family_name = CASE WHEN @setFamily THEN NULLIF(@family, '') ELSE scim_users.family_name END`,
		map[string]any{"org": orgID, "user": userID, "given": deref(given), "family": deref(family),
			"setGiven": given != nil, "setFamily": family != nil}).Error)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Delete implements appscim.Store.
func (s *Store) Delete(ctx context.Context, orgID, userID uuid.UUID) error {
	return postgres.Translate(postgres.Conn(ctx, s.db).Exec(`INSERT INTO scim_users (org_id, user_id, deleted_at) VALUES (?, ?, now())
		ON CONFLICT (org_id, user_id) DO UPDATE SET deleted_at = now()`, orgID, userID).Error)
}

// Restore implements appscim.Store.
func (s *Store) Restore(ctx context.Context, orgID, userID uuid.UUID) error {
	return postgres.NotFoundIfNone(postgres.Conn(ctx, s.db).Exec(`UPDATE scim_users SET deleted_at = NULL
		WHERE org_id = ? AND user_id = ? AND deleted_at IS NOT NULL`, orgID, userID), "deleted user")
}

// Deleted implements appscim.Store.
func (s *Store) Deleted(ctx context.Context, orgID uuid.UUID, email string) (uuid.UUID, error) {
	var ids []uuid.UUID
	err := postgres.Conn(ctx, s.db).Raw(`SELECT su.user_id FROM scim_users su JOIN users u ON u.id = su.user_id
		WHERE su.org_id = ? AND su.deleted_at IS NOT NULL AND lower(u.email) = lower(?)`, orgID, email).Scan(&ids).Error
	if err != nil {
		return uuid.Nil, postgres.Translate(err)
	}
	if len(ids) == 0 {
		return uuid.Nil, errs.NotFoundf("deleted user")
	}
	return ids[0], nil
}
