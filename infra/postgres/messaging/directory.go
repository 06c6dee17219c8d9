package messaging

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	appmessaging "canopy/app/messaging"
	"canopy/domain/errs"
	"canopy/infra/postgres"
	pgorg "canopy/infra/postgres/org"
)

// Directory answers messaging's questions about the organisation's structure.
type Directory struct{ db *gorm.DB }

// NewDirectory returns it.
func NewDirectory(db *gorm.DB) *Directory { return &Directory{db} }

var _ appmessaging.Directory = (*Directory)(nil)

// Names implements appmessaging.Directory.
func (d *Directory) Names(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	return pgorg.MemberNames(ctx, d.db, orgID, ids)
}

// ActiveMembers implements appmessaging.Directory.
func (d *Directory) ActiveMembers(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]uuid.UUID, error) {
	var out []uuid.UUID
	err := postgres.Conn(ctx, d.db).Raw(`SELECT user_id FROM memberships WHERE org_id = ? AND user_id = ANY(CAST(? AS uuid[])) AND status = 'active'`,
		orgID, postgres.UUIDArray(ids)).Scan(&out).Error
	return out, postgres.Translate(err)
}

// Group implements appmessaging.Directory.
func (d *Directory) Group(ctx context.Context, orgID, id uuid.UUID) (string, string, error) {
	var rows []struct {
		Name string
		Path *string
	}
	if err := postgres.Conn(ctx, d.db).Raw(`SELECT g.name, d.path FROM groups g LEFT JOIN departments d ON d.id = g.department_id
		WHERE g.org_id = ? AND g.id = ?`, orgID, id).Scan(&rows).Error; err != nil {
		return "", "", postgres.Translate(err)
	}
	if len(rows) == 0 {
		return "", "", errs.NotFoundf("group")
	}
	p := ""
	if rows[0].Path != nil {
		p = *rows[0].Path
	}
	return rows[0].Name, p, nil
}

// Department implements appmessaging.Directory.
func (d *Directory) Department(ctx context.Context, orgID, id uuid.UUID) (string, string, error) {
	var rows []struct{ Name, Path string }
	if err := postgres.Conn(ctx, d.db).Raw(`SELECT name, path FROM departments WHERE org_id = ? AND id = ?`, orgID, id).Scan(&rows).Error; err != nil {
		return "", "", postgres.Translate(err)
	}
	if len(rows) == 0 {
		return "", "", errs.NotFoundf("department")
	}
	return rows[0].Name, rows[0].Path, nil
}

// GroupOwner implements appmessaging.Directory.
func (d *Directory) GroupOwner(ctx context.Context, orgID, groupID, userID uuid.UUID) (bool, error) {
	var n int
	err := postgres.Conn(ctx, d.db).Raw(`SELECT count(*) FROM group_members WHERE org_id = ? AND group_id = ? AND user_id = ? AND role = 'owner'`,
		orgID, groupID, userID).Scan(&n).Error
	return n > 0, postgres.Translate(err)
}

// MaxGroupMembers implements appmessaging.Directory.
func (d *Directory) MaxGroupMembers(ctx context.Context, orgID uuid.UUID) (int, error) {
	var n []int
	if err := postgres.Conn(ctx, d.db).Raw(`SELECT max_group_members FROM organisations WHERE id = ?`, orgID).Scan(&n).Error; err != nil {
		return 0, postgres.Translate(err)
	}
	if len(n) == 0 {
		return 0, errs.NotFoundf("organisation")
	}
	return n[0], nil
}

// PresenceWatchers implements appmessaging.Directory: the user's direct chats, through
// chat_members' (org_id, user_id) index in each organisation they are active in.
func (d *Directory) PresenceWatchers(ctx context.Context, userID, orgID uuid.UUID) (map[uuid.UUID][]uuid.UUID, error) {
	var rows []struct {
		OrgID  uuid.UUID
		UserID uuid.UUID
	}
	err := postgres.Conn(ctx, d.db).Raw(`SELECT me.org_id, other.user_id FROM memberships me
		JOIN chat_members cm ON cm.org_id = me.org_id AND cm.user_id = me.user_id
		JOIN chats c ON c.id = cm.chat_id AND c.kind = 'direct'
		JOIN chat_members other ON other.chat_id = c.id AND other.user_id <> cm.user_id
		JOIN memberships om ON om.org_id = other.org_id AND om.user_id = other.user_id AND om.status = 'active'
		WHERE me.user_id = @user AND me.status = 'active' AND (CAST(@org AS uuid) IS NULL OR me.org_id = CAST(@org AS uuid))`,
		map[string]any{"user": userID, "org": postgres.NullableID(orgID)}).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := map[uuid.UUID][]uuid.UUID{}
	for _, r := range rows {
		out[r.OrgID] = append(out[r.OrgID], r.UserID)
	}
	return out, nil
}
