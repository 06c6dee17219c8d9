// Package setup reads the console's setup guide from what an organisation holds, in one query
// over the modules' tables, and keeps whether it was dismissed.
package setup

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	appsetup "canopy/app/setup"
	"canopy/domain/setup"
	"canopy/infra/postgres"
)

// Store implements appsetup.Store.
type Store struct{ db *gorm.DB }

// NewStore returns it.
func NewStore(db *gorm.DB) *Store { return &Store{db} }

var _ appsetup.Store = (*Store)(nil)

// Guide implements appsetup.Store. A step is done when the organisation holds its result:
//   - profile: its settings were saved (the audit log's org.settings.update);
//   - departments: a department below the root;
//   - people: a second member, an invitation, an import or a SCIM token;
//   - admins: an admin besides the owner, or a role assignment;
//   - policy: its files policy was saved (files.policy in the audit log);
//   - group_chat: a chat of a group or a department.
func (s *Store) Guide(ctx context.Context, orgID uuid.UUID) (setup.Guide, error) {
	var row struct {
		Profile, Departments, People, Admins, Policy, GroupChat, Dismissed bool
	}
	err := postgres.Conn(ctx, s.db).Raw(`SELECT
		EXISTS (SELECT 1 FROM audit_log WHERE org_id = @org AND action = 'org.settings.update') AS profile,
		EXISTS (SELECT 1 FROM departments WHERE org_id = @org AND parent_id IS NOT NULL) AS departments,
		(SELECT count(*) FROM (SELECT 1 FROM memberships WHERE org_id = @org LIMIT 2) m) > 1
			OR EXISTS (SELECT 1 FROM invitations WHERE org_id = @org)
			OR EXISTS (SELECT 1 FROM import_jobs WHERE org_id = @org)
			OR EXISTS (SELECT 1 FROM api_tokens WHERE org_id = @org AND 'scim' = ANY (scopes)) AS people,
		EXISTS (SELECT 1 FROM memberships WHERE org_id = @org AND role = 'admin')
			OR EXISTS (SELECT 1 FROM role_assignments WHERE org_id = @org) AS admins,
		EXISTS (SELECT 1 FROM audit_log WHERE org_id = @org AND action = 'files.policy') AS policy,
		EXISTS (SELECT 1 FROM chats WHERE org_id = @org AND kind IN ('group', 'department')) AS group_chat,
		EXISTS (SELECT 1 FROM setup_guides WHERE org_id = @org AND dismissed_at IS NOT NULL) AS dismissed`,
		map[string]any{"org": orgID}).Scan(&row).Error
	if err != nil {
		return setup.Guide{}, postgres.Translate(err)
	}
	return setup.Guide{Dismissed: row.Dismissed, Done: map[setup.Step]bool{
		setup.Profile: row.Profile, setup.Departments: row.Departments, setup.People: row.People,
		setup.Admins: row.Admins, setup.Policy: row.Policy, setup.GroupChat: row.GroupChat,
	}}, nil
}

// SetDismissed implements appsetup.Store.
func (s *Store) SetDismissed(ctx context.Context, orgID, by uuid.UUID, dismissed bool) error {
	var err error
	if dismissed {
		err = postgres.Conn(ctx, s.db).Exec(`INSERT INTO setup_guides (org_id, dismissed_at, dismissed_by) VALUES (?, now(), ?)
			ON CONFLICT (org_id) DO UPDATE SET dismissed_at = EXCLUDED.dismissed_at, dismissed_by = EXCLUDED.dismissed_by`, orgID, by).Error
	} else {
		err = postgres.Conn(ctx, s.db).Exec(`UPDATE setup_guides SET dismissed_at = NULL, dismissed_by = NULL WHERE org_id = ?`, orgID).Error
	}
	return postgres.Translate(err)
}
