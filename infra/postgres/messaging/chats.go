// Package messaging is the PostgreSQL side of the messaging module: chats, their members and
// read state, messages with their edits, reactions and pins, search, retention, and the
// directory as messaging reads it. Who is in a chat is the function chat_member_ids of
// migration 00023: the stored members of direct and ad-hoc chats, the group's members, the
// department subtree's active members, computed at each query.
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

func idOf(p *uuid.UUID) uuid.UUID {
	if p == nil {
		return uuid.Nil
	}
	return *p
}

// Chats is the repository of chats.
type Chats struct{ db *gorm.DB }

// NewChats returns it.
func NewChats(db *gorm.DB) *Chats { return &Chats{db} }

var _ appmessaging.ChatRepository = (*Chats)(nil)

type chatRow struct {
	ID            uuid.UUID
	OrgID         uuid.UUID
	Kind          string
	GroupID       *uuid.UUID
	DepartmentID  *uuid.UUID
	DirectKey     *string
	Name          string
	Description   string
	AvatarFileID  *uuid.UUID
	CreatedBy     uuid.UUID
	ArchivedAt    *time.Time
	LastSeq       int64
	LastMessageAt *time.Time
	LegalHold     bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (chatRow) TableName() string { return "chats" }

func toChatRow(c *messaging.Chat) chatRow {
	var key *string
	if c.DirectKey() != "" {
		k := c.DirectKey()
		key = &k
	}
	return chatRow{ID: c.ID(), OrgID: c.OrgID(), Kind: string(c.Kind()), GroupID: postgres.NullableID(c.GroupID()),
		DepartmentID: postgres.NullableID(c.DepartmentID()), DirectKey: key, Name: c.Name(), Description: c.Description(),
		AvatarFileID: postgres.NullableID(c.AvatarFileID()), CreatedBy: c.CreatedBy(), ArchivedAt: postgres.NullableTime(c.ArchivedAt()),
		LastSeq: c.LastSeq(), LastMessageAt: postgres.NullableTime(c.LastMessageAt()), LegalHold: c.LegalHold(), CreatedAt: c.CreatedAt(), UpdatedAt: c.UpdatedAt()}
}

func (r chatRow) chat() *messaging.Chat {
	key := ""
	if r.DirectKey != nil {
		key = *r.DirectKey
	}
	return messaging.RehydrateChat(messaging.ChatRecord{ID: r.ID, OrgID: r.OrgID, Kind: messaging.Kind(r.Kind), GroupID: idOf(r.GroupID),
		DepartmentID: idOf(r.DepartmentID), DirectKey: key, Name: r.Name, Description: r.Description, AvatarFileID: idOf(r.AvatarFileID),
		CreatedBy: r.CreatedBy, ArchivedAt: postgres.TimeOrZero(r.ArchivedAt), LastSeq: r.LastSeq, LastMessageAt: postgres.TimeOrZero(r.LastMessageAt),
		LegalHold: r.LegalHold, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()})
}

// Create implements appmessaging.ChatRepository.
func (r *Chats) Create(ctx context.Context, c *messaging.Chat) error {
	row := toChatRow(c)
	return postgres.Translate(postgres.Conn(ctx, r.db).Create(&row).Error)
}

func (r *Chats) get(ctx context.Context, orgID, id uuid.UUID, lock bool) (*messaging.Chat, error) {
	var rows []chatRow
	q := `SELECT * FROM chats WHERE org_id = ? AND id = ?`
	if lock {
		if !postgres.InTx(ctx) {
			return nil, errs.Internalf("messaging: locking a chat needs a transaction")
		}
		q += ` FOR UPDATE`
	}
	if err := postgres.Conn(ctx, r.db).Raw(q, orgID, id).Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return nil, errs.NotFoundf("chat")
	}
	return rows[0].chat(), nil
}

// Get implements appmessaging.ChatRepository.
func (r *Chats) Get(ctx context.Context, orgID, id uuid.UUID) (*messaging.Chat, error) {
	return r.get(ctx, orgID, id, false)
}

// GetAs implements appmessaging.ChatRepository.
func (r *Chats) GetAs(ctx context.Context, orgID, id, userID uuid.UUID) (*messaging.Chat, messaging.Role, bool, error) {
	var rows []struct {
		Chat       chatRow `gorm:"embedded"`
		IsMember   bool
		MemberRole *string
	}
	err := postgres.Conn(ctx, r.db).Raw(`SELECT c.*,
		EXISTS (SELECT 1 FROM chat_member_ids(c.org_id, c.id) u WHERE u = @user) AS is_member,
		(SELECT cm.role FROM chat_members cm WHERE cm.chat_id = c.id AND cm.user_id = @user) AS member_role
		FROM chats c WHERE c.org_id = @org AND c.id = @chat`,
		map[string]any{"org": orgID, "chat": id, "user": userID}).Scan(&rows).Error
	if err != nil {
		return nil, "", false, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return nil, "", false, errs.NotFoundf("chat")
	}
	c := rows[0].Chat.chat()
	if !rows[0].IsMember {
		return c, "", false, nil
	}
	return c, memberRole(rows[0].MemberRole), true, nil
}

// Lock implements appmessaging.ChatRepository.
func (r *Chats) Lock(ctx context.Context, orgID, id uuid.UUID) (*messaging.Chat, error) {
	return r.get(ctx, orgID, id, true)
}

// Direct implements appmessaging.ChatRepository.
func (r *Chats) Direct(ctx context.Context, orgID uuid.UUID, key string) (*messaging.Chat, error) {
	var rows []chatRow
	if err := postgres.Conn(ctx, r.db).Raw(`SELECT * FROM chats WHERE org_id = ? AND kind = 'direct' AND direct_key = ?`, orgID, key).Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return nil, errs.NotFoundf("chat")
	}
	return rows[0].chat(), nil
}

// Update implements appmessaging.ChatRepository. It never writes the sequence or the last
// message's time: only Messages.Append does, under the row's lock, and a chat read before a
// concurrent send would otherwise put its sequence back.
func (r *Chats) Update(ctx context.Context, c *messaging.Chat) error {
	row := toChatRow(c)
	res := postgres.Conn(ctx, r.db).Exec(`UPDATE chats SET name = ?, description = ?, avatar_file_id = ?, archived_at = ?,
		legal_hold = ?, updated_at = ? WHERE org_id = ? AND id = ?`, row.Name, row.Description, row.AvatarFileID,
		row.ArchivedAt, row.LegalHold, row.UpdatedAt, row.OrgID, row.ID)
	return postgres.NotFoundIfNone(res, "chat")
}

// displayNameSQL is the name a viewer (@viewer) sees of chat c.
const displayNameSQL = `CASE c.kind
	WHEN 'direct' THEN coalesce((SELECT u.display_name FROM users u WHERE u.id = CAST(CASE WHEN split_part(c.direct_key, ':', 1) = CAST(@viewer AS text)
		THEN split_part(c.direct_key, ':', 2) ELSE split_part(c.direct_key, ':', 1) END AS uuid)), '')
	WHEN 'group' THEN coalesce(nullif(c.name, ''), (SELECT g.name FROM groups g WHERE g.id = c.group_id), '')
	WHEN 'department' THEN coalesce(nullif(c.name, ''), (SELECT d.name FROM departments d WHERE d.id = c.department_id), '')
	ELSE c.name END`

// myChatsSQL selects the ids of the chats @user (a guest when @guest) is a member of now in
// @org: the same membership as chat_member_ids, from the member's side. A department's chats
// are those of the department and its ancestors, read from its path ('/root/…/self/').
const myChatsSQL = `SELECT cm.chat_id AS id FROM chat_members cm JOIN chats c ON c.id = cm.chat_id
		WHERE cm.org_id = @org AND cm.user_id = @user AND c.kind IN ('direct', 'adhoc')
	UNION
	SELECT c.id FROM group_members gm JOIN chats c ON c.org_id = gm.org_id AND c.group_id = gm.group_id AND c.kind = 'group'
		WHERE gm.org_id = @org AND gm.user_id = @user
	UNION
	SELECT c.id FROM department_members dm
		JOIN departments x ON x.org_id = dm.org_id AND x.id = dm.department_id
		JOIN chats c ON c.org_id = x.org_id AND c.kind = 'department'
			AND c.department_id = ANY (CAST(string_to_array(btrim(x.path, '/'), '/') AS uuid[]))
		WHERE dm.org_id = @org AND dm.user_id = @user AND NOT @guest`

// listedRow is a chat in a listing with the viewer's state.
type listedRow struct {
	Chat        chatRow `gorm:"embedded"` // an exported field: gorm skips an embedded unexported type
	DisplayName string
	LastReadSeq int64
	Muted       bool
	PinnedAt    *time.Time
	MemberCount int
	MyRole      string
	Total       int
}

func (l listedRow) row() appmessaging.ChatRow {
	return appmessaging.ChatRow{Chat: l.Chat.chat(), DisplayName: l.DisplayName, LastReadSeq: l.LastReadSeq, Muted: l.Muted,
		PinnedAt: postgres.TimeOrZero(l.PinnedAt), MemberCount: l.MemberCount, MyRole: messaging.Role(l.MyRole)}
}

// Mine implements appmessaging.ChatRepository.
func (r *Chats) Mine(ctx context.Context, q appmessaging.MineQuery) ([]appmessaging.ChatRow, int, error) {
	args := map[string]any{"org": q.OrgID, "user": q.UserID, "viewer": q.UserID.String(), "guest": q.Guest, "limit": q.Limit, "offset": q.Offset}
	filter := ""
	if q.Query != "" {
		args["q"] = "%" + postgres.EscapeLike(strings.ToLower(q.Query)) + "%"
		filter = `WHERE lower(x.display_name) LIKE @q ESCAPE '\'`
	}
	var rows []listedRow
	err := postgres.Conn(ctx, r.db).Raw(`SELECT x.*, count(*) OVER () AS total FROM (
		SELECT c.*, `+displayNameSQL+` AS display_name, coalesce(rd.last_read_seq, 0) AS last_read_seq, coalesce(rd.muted, false) AS muted,
			rd.pinned_at, (SELECT count(*) FROM chat_member_ids(c.org_id, c.id)) AS member_count,
			coalesce((SELECT cm.role FROM chat_members cm WHERE cm.chat_id = c.id AND cm.user_id = @user), 'member') AS my_role
		FROM (`+myChatsSQL+`) mine JOIN chats c ON c.id = mine.id
		LEFT JOIN chat_reads rd ON rd.chat_id = c.id AND rd.user_id = @user) x `+filter+`
		ORDER BY x.pinned_at DESC NULLS LAST, coalesce(x.last_message_at, x.created_at) DESC, x.id
		LIMIT @limit OFFSET @offset`, args).Scan(&rows).Error
	if err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]appmessaging.ChatRow, len(rows))
	total := 0
	for i, l := range rows {
		out[i], total = l.row(), l.Total
	}
	if len(rows) == 0 && q.Offset > 0 {
		return out, r.countMine(ctx, args, filter), nil
	}
	return out, total, nil
}

func (r *Chats) countMine(ctx context.Context, args map[string]any, filter string) int {
	var n int
	_ = postgres.Conn(ctx, r.db).Raw(`SELECT count(*) FROM (SELECT `+displayNameSQL+` AS display_name FROM (`+myChatsSQL+`) mine
		JOIN chats c ON c.id = mine.id) x `+filter, args).Scan(&n).Error
	return n
}

// Admin implements appmessaging.ChatRepository.
func (r *Chats) Admin(ctx context.Context, q appmessaging.AdminQuery) ([]appmessaging.ChatRow, int, error) {
	args := map[string]any{"org": q.OrgID, "viewer": "", "limit": q.Limit, "offset": q.Offset}
	var where []string
	if !q.Org {
		// A department admin manages the chats of the departments in their subtrees and of the
		// groups in them.
		args["roots"] = postgres.UUIDArray(q.Departments)
		where = append(where, `EXISTS (SELECT 1 FROM departments root JOIN departments d ON d.org_id = root.org_id AND d.path LIKE root.path || '%'
			WHERE root.org_id = @org AND root.id = ANY(CAST(@roots AS uuid[]))
			AND (d.id = c.department_id OR d.id = (SELECT g.department_id FROM groups g WHERE g.id = c.group_id)))`)
	}
	if q.Kind != "" {
		args["kind"] = string(q.Kind)
		where = append(where, `c.kind = @kind`)
	}
	filter := ""
	if q.Query != "" {
		args["q"] = "%" + postgres.EscapeLike(strings.ToLower(q.Query)) + "%"
		filter = `WHERE lower(x.display_name) LIKE @q ESCAPE '\'`
	}
	cond := ""
	if len(where) > 0 {
		cond = " AND " + strings.Join(where, " AND ")
	}
	var rows []listedRow
	err := postgres.Conn(ctx, r.db).Raw(`SELECT x.*, count(*) OVER () AS total FROM (
		SELECT c.*, `+displayNameSQL+` AS display_name, (SELECT count(*) FROM chat_member_ids(c.org_id, c.id)) AS member_count, '' AS my_role
		FROM chats c WHERE c.org_id = @org`+cond+`) x `+filter+`
		ORDER BY x.kind, lower(x.display_name), x.id LIMIT @limit OFFSET @offset`, args).Scan(&rows).Error
	if err != nil {
		return nil, 0, postgres.Translate(err)
	}
	out := make([]appmessaging.ChatRow, len(rows))
	total := 0
	for i, l := range rows {
		out[i], total = l.row(), l.Total
	}
	return out, total, nil
}

// DisplayName implements appmessaging.ChatRepository.
// DisplayNames implements appmessaging.ChatRepository.
func (r *Chats) DisplayNames(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID, viewer uuid.UUID) (map[uuid.UUID]string, error) {
	var rows []struct {
		ID   uuid.UUID
		Name string
	}
	err := postgres.Conn(ctx, r.db).Raw(`SELECT c.id, `+displayNameSQL+` AS name FROM chats c WHERE c.org_id = @org AND c.id = ANY(CAST(@ids AS uuid[]))`,
		map[string]any{"org": orgID, "ids": postgres.UUIDArray(ids), "viewer": viewer.String()}).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make(map[uuid.UUID]string, len(rows))
	for _, x := range rows {
		out[x.ID] = x.Name
	}
	return out, nil
}

// DisplayName implements appmessaging.ChatRepository.
func (r *Chats) DisplayName(ctx context.Context, c *messaging.Chat, viewer uuid.UUID) (string, error) {
	var names []string
	v := ""
	if viewer != uuid.Nil {
		v = viewer.String()
	}
	err := postgres.Conn(ctx, r.db).Raw(`SELECT `+displayNameSQL+` FROM chats c WHERE c.org_id = @org AND c.id = @id`,
		map[string]any{"org": c.OrgID(), "id": c.ID(), "viewer": v}).Scan(&names).Error
	if err != nil {
		return "", postgres.Translate(err)
	}
	if len(names) == 0 {
		return "", nil
	}
	return names[0], nil
}
