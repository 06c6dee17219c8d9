package main

import (
	"gorm.io/gorm"

	"canopy/app/authz"
	appmoderation "canopy/app/moderation"
	"canopy/infra/postgres"
	pgmoderation "canopy/infra/postgres/moderation"
)

// moderationService builds the content rules module on the stack's database: the admins' use
// cases and the checker the messaging service asks of every message (see contentFilter).
func moderationService(db *gorm.DB, tx *postgres.TxManager, clk appmoderation.Clock, z authz.Authorizer, audit authz.Auditor) *appmoderation.Service {
	return appmoderation.NewService(appmoderation.DefaultConfig, appmoderation.Deps{
		Tx: tx, Clock: clk, Authorizer: z, Audit: audit,
		Rules: pgmoderation.NewRules(db), Flags: pgmoderation.NewFlags(db),
	})
}
