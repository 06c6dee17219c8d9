package main

import (
	"gorm.io/gorm"

	appannouncements "canopy/app/announcements"
	"canopy/app/authz"
	"canopy/infra/clock"
	"canopy/infra/markdown"
	"canopy/infra/postgres"
	pgannouncements "canopy/infra/postgres/announcements"
	pgevents "canopy/infra/postgres/events"
)

// announcementsService builds the announcements module's service on the stack's database; its
// events go through the outbox, and its read check (Visibility) to the dispatcher.
func announcementsService(db *gorm.DB, tx *postgres.TxManager, clk clock.System, z authz.Authorizer, audit authz.Auditor) *appannouncements.Service {
	return appannouncements.NewService(appannouncements.Deps{
		Tx: tx, Clock: clk, Announcements: pgannouncements.NewAnnouncements(db), Directory: pgannouncements.NewDirectory(db),
		Markdown: markdown.New(), Events: pgevents.NewStore(db), Authorizer: z, Audit: audit,
	})
}
