// Package announcements stores announcements and their acknowledgements in PostgreSQL, and
// resolves their recipients from the directory at the moment they are asked for.
package announcements

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"canopy/domain/announcements"
	"canopy/infra/postgres"
)

// Announcements is the repository of announcements.
type Announcements struct{ db *gorm.DB }

// NewAnnouncements returns it.
func NewAnnouncements(db *gorm.DB) *Announcements { return &Announcements{db: db} }

var _ announcements.Repository = (*Announcements)(nil)

type row struct {
	ID             uuid.UUID
	OrgID          uuid.UUID
	Scope          string
	DepartmentID   *uuid.UUID
	GroupID        *uuid.UUID
	TargetID       uuid.UUID `gorm:"->"` // generated
	Title          string
	Body           string
	BodyHTML       string `gorm:"column:body_html"`
	RequiresAck    bool
	PublishedBy    uuid.UUID
	PublishedAt    time.Time
	LastRemindedAt *time.Time
	DeletedAt      *time.Time
	DeletedBy      *uuid.UUID
	// AckedAt is a reader's acknowledgement, read by Mine only.
	AckedAt *time.Time `gorm:"->"`
}

func (row) TableName() string { return "announcements" }

func toRow(a *announcements.Announcement) row {
	s := a.Stored()
	r := row{ID: s.ID, OrgID: s.OrgID, Scope: string(s.Scope), Title: s.Title, Body: s.Body, BodyHTML: s.BodyHTML, RequiresAck: s.RequiresAck,
		PublishedBy: s.PublishedBy, PublishedAt: s.PublishedAt, LastRemindedAt: postgres.NullableTime(s.LastRemindedAt),
		DeletedAt: postgres.NullableTime(s.DeletedAt), DeletedBy: postgres.NullableID(s.DeletedBy)}
	switch s.Scope {
	case announcements.ScopeDepartment:
		r.DepartmentID = &s.TargetID
	case announcements.ScopeGroup:
		r.GroupID = &s.TargetID
	}
	return r
}

func (r row) entity() *announcements.Announcement {
	s := announcements.Stored{ID: r.ID, OrgID: r.OrgID, Scope: announcements.Scope(r.Scope), TargetID: r.TargetID, Title: r.Title, Body: r.Body,
		BodyHTML: r.BodyHTML, RequiresAck: r.RequiresAck, PublishedBy: r.PublishedBy, PublishedAt: r.PublishedAt.UTC(),
		LastRemindedAt: postgres.TimeOrZero(r.LastRemindedAt), DeletedAt: postgres.TimeOrZero(r.DeletedAt)}
	if r.DeletedBy != nil {
		s.DeletedBy = *r.DeletedBy
	}
	return announcements.Rehydrate(s)
}

// Create implements announcements.Repository.
func (s *Announcements) Create(ctx context.Context, a *announcements.Announcement) error {
	r := toRow(a)
	return postgres.Translate(postgres.Conn(ctx, s.db).Omit("target_id", "acked_at").Create(&r).Error)
}

func (s *Announcements) get(ctx context.Context, orgID, id uuid.UUID, lock bool) (*announcements.Announcement, error) {
	var rs []row
	q := `SELECT * FROM announcements WHERE org_id = ? AND id = ? AND deleted_at IS NULL`
	if lock {
		q += ` FOR UPDATE`
	}
	if err := postgres.Conn(ctx, s.db).Raw(q, orgID, id).Scan(&rs).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	if len(rs) == 0 {
		return nil, notFound()
	}
	return rs[0].entity(), nil
}

func notFound() error { return errsNotFound("announcement") }

// Get implements announcements.Repository.
func (s *Announcements) Get(ctx context.Context, orgID, id uuid.UUID) (*announcements.Announcement, error) {
	return s.get(ctx, orgID, id, false)
}

// Lock implements announcements.Repository.
func (s *Announcements) Lock(ctx context.Context, orgID, id uuid.UUID) (*announcements.Announcement, error) {
	return s.get(ctx, orgID, id, true)
}

// Update implements announcements.Repository.
func (s *Announcements) Update(ctx context.Context, a *announcements.Announcement) error {
	r := toRow(a)
	res := postgres.Conn(ctx, s.db).Exec(`UPDATE announcements SET last_reminded_at = ?, deleted_at = ?, deleted_by = ? WHERE org_id = ? AND id = ?`,
		r.LastRemindedAt, r.DeletedAt, r.DeletedBy, r.OrgID, r.ID)
	return postgres.NotFoundIfNone(res, "announcement")
}

// recipients is the condition on memberships m that makes m one of an announcement's recipients
// now (the parameters @org, @scope and @target): an active member of the organisation, not a
// guest, for scope org; one (not a guest) in the department or any below it; a member of the
// group, guests included.
const recipients = `m.org_id = @org AND m.status = 'active' AND (
	(@scope = 'org' AND m.role <> 'guest')
	OR (@scope = 'department' AND m.role <> 'guest' AND EXISTS (SELECT 1 FROM department_members dm
		JOIN departments d ON d.org_id = dm.org_id AND d.id = dm.department_id
		WHERE dm.org_id = m.org_id AND dm.user_id = m.user_id
			AND starts_with(d.path, (SELECT t.path FROM departments t WHERE t.org_id = @org AND t.id = @target))))
	OR (@scope = 'group' AND EXISTS (SELECT 1 FROM group_members g WHERE g.org_id = m.org_id AND g.group_id = @target AND g.user_id = m.user_id)))`

func params(a *announcements.Announcement, more map[string]any) map[string]any {
	p := map[string]any{"org": a.OrgID(), "scope": string(a.Scope()), "target": a.TargetID(), "id": a.ID()}
	for k, v := range more {
		p[k] = v
	}
	return p
}

// IsRecipient implements announcements.Repository.
func (s *Announcements) IsRecipient(ctx context.Context, a *announcements.Announcement, userID uuid.UUID) (bool, error) {
	got, err := s.Recipients(ctx, a, []uuid.UUID{userID}, false)
	return len(got) == 1, err
}

// Recipients implements announcements.Repository.
func (s *Announcements) Recipients(ctx context.Context, a *announcements.Announcement, users []uuid.UUID, pendingOnly bool) ([]uuid.UUID, error) {
	var out []uuid.UUID
	err := postgres.Conn(ctx, s.db).Raw(`SELECT m.user_id FROM memberships m
		WHERE m.user_id = ANY (CAST(@users AS uuid[])) AND `+recipients+`
			AND (NOT @pending OR NOT EXISTS (SELECT 1 FROM announcement_acks k WHERE k.announcement_id = @id AND k.user_id = m.user_id))
		ORDER BY m.user_id`, params(a, map[string]any{"users": postgres.UUIDArray(users), "pending": pendingOnly})).Scan(&out).Error
	return out, postgres.Translate(err)
}

// Pending implements announcements.Repository.
func (s *Announcements) Pending(ctx context.Context, a *announcements.Announcement) ([]uuid.UUID, error) {
	var out []uuid.UUID
	err := postgres.Conn(ctx, s.db).Raw(`SELECT m.user_id FROM memberships m WHERE `+recipients+`
			AND NOT EXISTS (SELECT 1 FROM announcement_acks k WHERE k.announcement_id = @id AND k.user_id = m.user_id)
		ORDER BY m.user_id`, params(a, nil)).Scan(&out).Error
	return out, postgres.Translate(err)
}

// counts returns how many recipients an announcement has now and how many of them acknowledged.
func (s *Announcements) counts(ctx context.Context, a *announcements.Announcement) (total, acked int, err error) {
	var c struct{ Total, Acked int }
	err = postgres.Conn(ctx, s.db).Raw(`SELECT count(*) AS total, count(k.user_id) AS acked FROM memberships m
		LEFT JOIN announcement_acks k ON k.announcement_id = @id AND k.user_id = m.user_id
		WHERE `+recipients, params(a, nil)).Scan(&c).Error
	return c.Total, c.Acked, postgres.Translate(err)
}

// Page implements announcements.Repository: the recipients by name, each with their primary
// department (or the first of theirs by name).
func (s *Announcements) Page(ctx context.Context, a *announcements.Announcement, q announcements.RecipientQuery) (announcements.RecipientPage, error) {
	var p announcements.RecipientPage
	total, acked, err := s.counts(ctx, a)
	if err != nil {
		return p, err
	}
	p.AckedCount, p.PendingCount = acked, total-acked
	switch q.State {
	case announcements.AckAcked:
		p.Total = acked
	case announcements.AckPending:
		p.Total = total - acked
	default:
		p.Total = total
	}
	if q.Limit <= 0 {
		return p, nil
	}
	var rows []struct {
		UserID     uuid.UUID
		Name       string
		Department string
		AckedAt    *time.Time
	}
	err = postgres.Conn(ctx, s.db).Raw(`SELECT m.user_id, u.display_name AS name, coalesce(pd.name, '') AS department, k.acked_at
		FROM memberships m
		JOIN users u ON u.id = m.user_id
		LEFT JOIN announcement_acks k ON k.announcement_id = @id AND k.user_id = m.user_id
		LEFT JOIN LATERAL (SELECT d.name FROM department_members dm JOIN departments d ON d.org_id = dm.org_id AND d.id = dm.department_id
			WHERE dm.org_id = m.org_id AND dm.user_id = m.user_id ORDER BY dm.is_primary DESC, d.name LIMIT 1) pd ON true
		WHERE `+recipients+`
			AND (@state = '' OR (@state = 'acked') = (k.user_id IS NOT NULL))
		ORDER BY lower(u.display_name), m.user_id
		LIMIT @limit OFFSET @offset`, params(a, map[string]any{"state": string(q.State), "limit": q.Limit, "offset": q.Offset})).Scan(&rows).Error
	if err != nil {
		return p, postgres.Translate(err)
	}
	p.Items = make([]announcements.Recipient, len(rows))
	for i, r := range rows {
		p.Items[i] = announcements.Recipient{UserID: r.UserID, Name: strings.TrimSpace(r.Name), Department: r.Department, AckedAt: postgres.TimeOrZero(r.AckedAt)}
	}
	return p, nil
}

// Ack implements announcements.Repository.
func (s *Announcements) Ack(ctx context.Context, a *announcements.Announcement, userID uuid.UUID, at time.Time) (time.Time, error) {
	db := postgres.Conn(ctx, s.db)
	if err := db.Exec(`INSERT INTO announcement_acks (org_id, announcement_id, user_id, acked_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (announcement_id, user_id) DO NOTHING`, a.OrgID(), a.ID(), userID, at.UTC()).Error; err != nil {
		return time.Time{}, postgres.Translate(err)
	}
	return s.AckOf(ctx, a, userID)
}

// AckOf implements announcements.Repository.
func (s *Announcements) AckOf(ctx context.Context, a *announcements.Announcement, userID uuid.UUID) (time.Time, error) {
	var ts []time.Time
	err := postgres.Conn(ctx, s.db).Raw(`SELECT acked_at FROM announcement_acks WHERE org_id = ? AND announcement_id = ? AND user_id = ?`,
		a.OrgID(), a.ID(), userID).Scan(&ts).Error
	if err != nil || len(ts) == 0 {
		return time.Time{}, postgres.Translate(err)
	}
	return ts[0].UTC(), nil
}

// mine is the condition that makes announcement a addressed to the member of CTE me now: me
// holds whether they are a guest, depts their departments and every one above them, grps their
// groups.
const mine = `WITH me AS (SELECT m.role = 'guest' AS guest FROM memberships m WHERE m.org_id = @org AND m.user_id = @user AND m.status = 'active'),
	depts AS (SELECT DISTINCT up.id FROM department_members dm
		JOIN departments x ON x.org_id = dm.org_id AND x.id = dm.department_id
		JOIN departments up ON up.org_id = x.org_id AND starts_with(x.path, up.path)
		WHERE dm.org_id = @org AND dm.user_id = @user),
	grps AS (SELECT g.group_id FROM group_members g WHERE g.org_id = @org AND g.user_id = @user)
	SELECT %s FROM announcements a CROSS JOIN me
	LEFT JOIN announcement_acks k ON k.announcement_id = a.id AND k.user_id = @user
	WHERE a.org_id = @org AND a.deleted_at IS NULL AND (
		(a.scope = 'org' AND NOT me.guest)
		OR (a.scope = 'department' AND NOT me.guest AND a.department_id IN (SELECT id FROM depts))
		OR (a.scope = 'group' AND a.group_id IN (SELECT group_id FROM grps)))
	AND (NOT @pending OR (a.requires_ack AND k.acked_at IS NULL))`

// Mine implements announcements.Repository.
func (s *Announcements) Mine(ctx context.Context, q announcements.MineQuery) ([]announcements.Mine, int, error) {
	p := map[string]any{"org": q.OrgID, "user": q.UserID, "pending": q.PendingOnly, "limit": q.Limit, "offset": q.Offset}
	db := postgres.Conn(ctx, s.db)
	var total int
	if err := db.Raw(strings.Replace(mine, "%s", "count(*)", 1), p).Scan(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	var rows []row
	err := db.Raw(strings.Replace(mine, "%s", "a.*, k.acked_at", 1)+`
		ORDER BY (a.requires_ack AND k.acked_at IS NULL) DESC, a.published_at DESC, a.id DESC
		LIMIT @limit OFFSET @offset`, p).Scan(&rows).Error
	if err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]announcements.Mine, len(rows))
	for i, r := range rows {
		out[i] = announcements.Mine{Announcement: r.entity(), AckedAt: postgres.TimeOrZero(r.AckedAt)}
	}
	return out, total, nil
}

// admin is the condition that makes announcement a one an admin oversees: every one (@all),
// those they published, and those whose department (or whose group's department) lies below
// one of @paths.
const admin = `FROM announcements a
	LEFT JOIN groups g ON g.org_id = a.org_id AND g.id = a.group_id
	LEFT JOIN departments d ON d.org_id = a.org_id AND d.id = coalesce(a.department_id, g.department_id)
	WHERE a.org_id = @org AND a.deleted_at IS NULL AND (@all OR a.published_by = @publisher
		OR (d.path IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(CAST(@paths AS text[])) p WHERE starts_with(d.path, p))))`

// Admin implements announcements.Repository. The counts are read per announcement of the page.
func (s *Announcements) Admin(ctx context.Context, q announcements.AdminQuery) ([]announcements.Counted, int, error) {
	p := map[string]any{"org": q.OrgID, "all": q.Org, "publisher": q.Publisher, "paths": postgres.TextArray(q.DepartmentPaths), "limit": q.Limit, "offset": q.Offset}
	db := postgres.Conn(ctx, s.db)
	var total int
	if err := db.Raw(`SELECT count(*) `+admin, p).Scan(&total).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	var rows []row
	if err := db.Raw(`SELECT a.* `+admin+` ORDER BY a.published_at DESC, a.id DESC LIMIT @limit OFFSET @offset`, p).Scan(&rows).Error; err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]announcements.Counted, len(rows))
	for i, r := range rows {
		a := r.entity()
		t, acked, err := s.counts(ctx, a)
		if err != nil {
			return nil, 0, err
		}
		out[i] = announcements.Counted{Announcement: a, Total: t, Acked: acked}
	}
	return out, total, nil
}
