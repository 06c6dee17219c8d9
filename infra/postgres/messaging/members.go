package messaging

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	appmessaging "canopy/app/messaging"
	"canopy/domain/errs"
	"canopy/domain/messaging"
	"canopy/infra/postgres"
)

// Members is the repository of who is in a chat.
type Members struct{ db *gorm.DB }

// NewMembers returns it.
func NewMembers(db *gorm.DB) *Members { return &Members{db} }

var _ appmessaging.MemberRepository = (*Members)(nil)

// Role implements appmessaging.MemberRepository.
func (r *Members) Role(ctx context.Context, c *messaging.Chat, userID uuid.UUID) (messaging.Role, bool, error) {
	var rows []struct {
		Member bool
		Role   *string
	}
	err := postgres.Conn(ctx, r.db).Raw(`SELECT EXISTS (SELECT 1 FROM chat_member_ids(@org, @chat) u WHERE u = @user) AS member,
		(SELECT cm.role FROM chat_members cm WHERE cm.chat_id = @chat AND cm.user_id = @user) AS role`,
		map[string]any{"org": c.OrgID(), "chat": c.ID(), "user": userID}).Scan(&rows).Error
	if err != nil {
		return "", false, postgres.Translate(err)
	}
	if len(rows) == 0 || !rows[0].Member {
		return "", false, nil
	}
	return memberRole(rows[0].Role), true, nil
}

// memberRole is a member's role: the one stored for them, else a plain member's.
func memberRole(stored *string) messaging.Role {
	if stored == nil {
		return messaging.RoleMember
	}
	return messaging.Role(*stored)
}

// Count implements appmessaging.MemberRepository.
func (r *Members) Count(ctx context.Context, c *messaging.Chat) (int, error) {
	var n int
	err := postgres.Conn(ctx, r.db).Raw(`SELECT count(*) FROM chat_member_ids(?, ?)`, c.OrgID(), c.ID()).Scan(&n).Error
	return n, postgres.Translate(err)
}

// Among implements appmessaging.MemberRepository.
func (r *Members) Among(ctx context.Context, orgID, chatID uuid.UUID, users []uuid.UUID) ([]uuid.UUID, error) {
	if len(users) == 0 {
		return nil, nil
	}
	var out []uuid.UUID
	err := postgres.Conn(ctx, r.db).Raw(`SELECT DISTINCT u FROM chat_member_ids(?, ?) u WHERE u = ANY(CAST(? AS uuid[]))`,
		orgID, chatID, postgres.UUIDArray(users)).Scan(&out).Error
	return out, postgres.Translate(err)
}

// All implements appmessaging.MemberRepository.
func (r *Members) All(ctx context.Context, c *messaging.Chat) ([]uuid.UUID, error) {
	var out []uuid.UUID
	err := postgres.Conn(ctx, r.db).Raw(`SELECT DISTINCT u FROM chat_member_ids(?, ?) u`, c.OrgID(), c.ID()).Scan(&out).Error
	return out, postgres.Translate(err)
}

// Current implements appmessaging.MemberRepository.
func (r *Members) Current(ctx context.Context, orgID, chatID uuid.UUID) ([]uuid.UUID, error) {
	var out []uuid.UUID
	err := postgres.Conn(ctx, r.db).Raw(`SELECT u FROM chat_member_ids(?, ?) u`, orgID, chatID).Scan(&out).Error
	return out, postgres.Translate(err)
}

// DepartmentGuests implements appmessaging.MemberRepository.
func (r *Members) DepartmentGuests(ctx context.Context, orgID uuid.UUID, departments []uuid.UUID) ([]uuid.UUID, error) {
	var out []uuid.UUID
	err := postgres.Conn(ctx, r.db).Raw(`SELECT DISTINCT dm.user_id FROM departments r
		JOIN departments x ON x.org_id = r.org_id AND starts_with(x.path, r.path)
		JOIN department_members dm ON dm.org_id = x.org_id AND dm.department_id = x.id
		JOIN memberships m ON m.org_id = dm.org_id AND m.user_id = dm.user_id AND m.status = 'active' AND m.role = 'guest'
		WHERE r.org_id = ? AND r.id = ANY(CAST(? AS uuid[]))`, orgID, postgres.UUIDArray(departments)).Scan(&out).Error
	return out, postgres.Translate(err)
}

// List implements appmessaging.MemberRepository.
func (r *Members) List(ctx context.Context, c *messaging.Chat, query string, limit, offset int) ([]appmessaging.Person, int, error) {
	args := map[string]any{"org": c.OrgID(), "chat": c.ID(), "limit": limit, "offset": offset}
	filter := ""
	if q := strings.ToLower(strings.TrimSpace(query)); q != "" {
		args["q"] = "%" + postgres.EscapeLike(q) + "%"
		args["p"] = postgres.EscapeLike(strings.ReplaceAll(q, " ", "")) + "%"
		// The name, its pinyin or initials: what the list shows. Not the email or employee
		// number, which a guest in the chat may not read; matching them would let one guess them.
		filter = ` AND (lower(u.display_name) LIKE @q ESCAPE '\' OR u.name_pinyin LIKE @p ESCAPE '\' OR u.name_initials LIKE @p ESCAPE '\')`
	}
	var rows []struct {
		ID         uuid.UUID
		Name       string
		Role       string
		Department *string
		Total      int
	}
	err := postgres.Conn(ctx, r.db).Raw(`SELECT u.id, u.display_name AS name, coalesce(cm.role, 'member') AS role,
			(SELECT d.name FROM department_members dm JOIN departments d ON d.id = dm.department_id
				WHERE dm.org_id = @org AND dm.user_id = u.id ORDER BY dm.is_primary DESC, d.depth DESC LIMIT 1) AS department,
			count(*) OVER () AS total
		FROM (SELECT DISTINCT m FROM chat_member_ids(@org, @chat) m) mem
		JOIN users u ON u.id = mem.m
		LEFT JOIN chat_members cm ON cm.chat_id = @chat AND cm.user_id = u.id
		WHERE true`+filter+`
		ORDER BY CASE coalesce(cm.role, 'member') WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, u.name_pinyin, lower(u.display_name), u.id
		LIMIT @limit OFFSET @offset`, args).Scan(&rows).Error
	if err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]appmessaging.Person, len(rows))
	total := 0
	for i, x := range rows {
		out[i] = appmessaging.Person{ID: x.ID, Name: strings.TrimSpace(x.Name), Role: x.Role}
		if x.Department != nil {
			out[i].Department = *x.Department
		}
		total = x.Total
	}
	return out, total, nil
}

// Add implements appmessaging.MemberRepository.
func (r *Members) Add(ctx context.Context, c *messaging.Chat, users []uuid.UUID, role messaging.Role, at time.Time) (int, error) {
	if len(users) == 0 {
		return 0, nil
	}
	res := postgres.Conn(ctx, r.db).Exec(`INSERT INTO chat_members (org_id, chat_id, user_id, role, added_at)
		SELECT ?, ?, u, ?, ? FROM unnest(CAST(? AS uuid[])) u ON CONFLICT (chat_id, user_id) DO NOTHING`,
		c.OrgID(), c.ID(), string(role), at, postgres.UUIDArray(users))
	return int(res.RowsAffected), postgres.Translate(res.Error)
}

// StoredCount implements appmessaging.MemberRepository.
func (r *Members) StoredCount(ctx context.Context, c *messaging.Chat) (int, error) {
	var n int
	err := postgres.Conn(ctx, r.db).Raw(`SELECT count(*) FROM chat_members WHERE chat_id = ?`, c.ID()).Scan(&n).Error
	return n, postgres.Translate(err)
}

// Remove implements appmessaging.MemberRepository.
func (r *Members) Remove(ctx context.Context, c *messaging.Chat, userID uuid.UUID) error {
	res := postgres.Conn(ctx, r.db).Exec(`DELETE FROM chat_members WHERE org_id = ? AND chat_id = ? AND user_id = ?`, c.OrgID(), c.ID(), userID)
	return postgres.NotFoundIfNone(res, "member")
}

// SetRole implements appmessaging.MemberRepository. A plain member of a group's or
// department's chat needs no row.
func (r *Members) SetRole(ctx context.Context, c *messaging.Chat, userID uuid.UUID, role messaging.Role, at time.Time) error {
	db := postgres.Conn(ctx, r.db)
	if role == messaging.RoleMember && !c.Kind().Explicit() {
		return postgres.Translate(db.Exec(`DELETE FROM chat_members WHERE chat_id = ? AND user_id = ?`, c.ID(), userID).Error)
	}
	return postgres.Translate(db.Exec(`INSERT INTO chat_members (org_id, chat_id, user_id, role, added_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (chat_id, user_id) DO UPDATE SET role = EXCLUDED.role`, c.OrgID(), c.ID(), userID, string(role), at).Error)
}

// Heir implements appmessaging.MemberRepository.
func (r *Members) Heir(ctx context.Context, c *messaging.Chat, leaving uuid.UUID) (uuid.UUID, error) {
	var ids []uuid.UUID
	err := postgres.Conn(ctx, r.db).Raw(`SELECT cm.user_id FROM chat_members cm
		JOIN memberships m ON m.org_id = cm.org_id AND m.user_id = cm.user_id AND m.status = 'active' AND m.role <> 'guest'
		WHERE cm.org_id = ? AND cm.chat_id = ? AND cm.user_id <> ?
		ORDER BY cm.role = 'admin' DESC, cm.added_at, cm.user_id LIMIT 1`, c.OrgID(), c.ID(), leaving).Scan(&ids).Error
	if err != nil || len(ids) == 0 {
		return uuid.Nil, postgres.Translate(err)
	}
	return ids[0], nil
}

// Reads is the repository of each member's read state: one row per member per chat.
type Reads struct{ db *gorm.DB }

// NewReads returns it.
func NewReads(db *gorm.DB) *Reads { return &Reads{db} }

var _ appmessaging.ReadRepository = (*Reads)(nil)

// MarkRead implements appmessaging.ReadRepository: one upsert that never moves back.
func (r *Reads) MarkRead(ctx context.Context, orgID, chatID, userID uuid.UUID, seq int64) (int64, int64, error) {
	var rows []struct{ Prev, Now int64 }
	err := postgres.Conn(ctx, r.db).Raw(`WITH old AS (SELECT last_read_seq FROM chat_reads WHERE chat_id = @chat AND user_id = @user)
		INSERT INTO chat_reads (org_id, chat_id, user_id, last_read_seq) VALUES (@org, @chat, @user, @seq)
		ON CONFLICT (chat_id, user_id) DO UPDATE SET last_read_seq = GREATEST(chat_reads.last_read_seq, EXCLUDED.last_read_seq)
		RETURNING coalesce((SELECT last_read_seq FROM old), 0) AS prev, last_read_seq AS now`,
		map[string]any{"org": orgID, "chat": chatID, "user": userID, "seq": seq}).Scan(&rows).Error
	if err != nil {
		return 0, 0, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return 0, 0, errs.Internalf("messaging: marking read returned nothing")
	}
	return rows[0].Prev, rows[0].Now, nil
}

// Settings implements appmessaging.ReadRepository.
func (r *Reads) Settings(ctx context.Context, orgID, chatID, userID uuid.UUID, muted *bool, pinnedAt *time.Time) error {
	setMuted, setPinned := muted != nil, pinnedAt != nil
	m := false
	if muted != nil {
		m = *muted
	}
	var p *time.Time
	if pinnedAt != nil && !pinnedAt.IsZero() {
		p = pinnedAt
	}
	return postgres.Translate(postgres.Conn(ctx, r.db).Exec(`INSERT INTO chat_reads (org_id, chat_id, user_id, muted, pinned_at)
		VALUES (@org, @chat, @user, @muted, @pinned)
		ON CONFLICT (chat_id, user_id) DO UPDATE SET
			muted = CASE WHEN @setMuted THEN EXCLUDED.muted ELSE chat_reads.muted END,
			pinned_at = CASE WHEN @setPinned THEN EXCLUDED.pinned_at ELSE chat_reads.pinned_at END`,
		map[string]any{"org": orgID, "chat": chatID, "user": userID, "muted": m, "pinned": p, "setMuted": setMuted, "setPinned": setPinned}).Error)
}

// State implements appmessaging.ReadRepository.
func (r *Reads) State(ctx context.Context, orgID, chatID, userID uuid.UUID) (appmessaging.ReadState, error) {
	var rows []struct {
		LastReadSeq int64
		Muted       bool
		PinnedAt    *time.Time
	}
	err := postgres.Conn(ctx, r.db).Raw(`SELECT last_read_seq, muted, pinned_at FROM chat_reads WHERE org_id = ? AND chat_id = ? AND user_id = ?`,
		orgID, chatID, userID).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return appmessaging.ReadState{}, postgres.Translate(err)
	}
	return appmessaging.ReadState{LastReadSeq: rows[0].LastReadSeq, Muted: rows[0].Muted, PinnedAt: postgres.TimeOrZero(rows[0].PinnedAt)}, nil
}

// Readers implements appmessaging.ReadRepository: one statement over the chat's members and
// their one read row each.
func (r *Reads) Readers(ctx context.Context, c *messaging.Chat, seq int64, except uuid.UUID, honour bool) ([]appmessaging.Person, []appmessaging.Person, int, error) {
	var rows []struct {
		ID     uuid.UUID
		Name   string
		Read   bool
		Hidden bool
	}
	err := postgres.Conn(ctx, r.db).Raw(`SELECT u.id, u.display_name AS name, coalesce(rd.last_read_seq, 0) >= @seq AS read,
			(@honour AND NOT u.send_read_receipts) AS hidden
		FROM (SELECT DISTINCT m FROM chat_member_ids(@org, @chat) m) mem
		JOIN users u ON u.id = mem.m
		LEFT JOIN chat_reads rd ON rd.chat_id = @chat AND rd.user_id = u.id
		WHERE u.id <> @except
		ORDER BY lower(u.display_name), u.id`,
		map[string]any{"org": c.OrgID(), "chat": c.ID(), "seq": seq, "except": except, "honour": honour}).Scan(&rows).Error
	if err != nil {
		return nil, nil, 0, postgres.Translate(err)
	}
	var read, unread []appmessaging.Person
	hidden := 0
	for _, x := range rows {
		p := appmessaging.Person{ID: x.ID, Name: strings.TrimSpace(x.Name)}
		switch {
		case x.Hidden:
			hidden++
		case x.Read:
			read = append(read, p)
		default:
			unread = append(unread, p)
		}
	}
	return read, unread, hidden, nil
}
