package authz

import (
	"github.com/google/uuid"

	"canopy/domain/access"
)

// Installer is an installation admin acting for the installation as a whole (creating
// organisations, assigning email domains, disabling accounts), through the API with a session,
// or the shell. Only the organisation use cases resolve one (app/org.Service.ResolveInstaller).
type Installer struct {
	// UserID is the installation admin; uuid.Nil for the shell.
	UserID uuid.UUID
	IP     string
}

// Shell is the installer of the `canopy admin` commands, which whoever runs them on the server
// may use; its audit entries have no actor.
func Shell() Installer { return Installer{} }

// Entry starts an audit entry for a change the installer makes, kept in the log of orgID; the
// installation's own entries, which belong to no organisation, are kept under uuid.Nil, which no
// organisation's log shows.
func (i Installer) Entry(orgID uuid.UUID, action, targetType, targetID string, before, after any) access.AuditEntry {
	return access.AuditEntry{OrgID: orgID, ActorID: i.UserID, IP: i.IP, Action: action, TargetType: targetType, TargetID: targetID, Before: before, After: after}
}
