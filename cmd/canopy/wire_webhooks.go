package main

import (
	"log/slog"

	"gorm.io/gorm"

	"canopy/app/authz"
	appwebhooks "canopy/app/webhooks"
	"canopy/infra/config"
	"canopy/infra/outbound"
	"canopy/infra/postgres"
	pgevents "canopy/infra/postgres/events"
	pgwebhooks "canopy/infra/postgres/webhooks"
)

// webhooksService builds webhooks on the stack's database: the use cases, the consumer that
// records deliveries and the worker that posts them through the SSRF-guarded client.
func webhooksService(db *gorm.DB, clk appwebhooks.Clock, z authz.Authorizer, audit authz.Auditor, wc config.Webhooks, log *slog.Logger) *appwebhooks.Service {
	cfg := appwebhooks.DefaultConfig
	cfg.AllowPrivateAddresses, cfg.Timeout, cfg.RetryFor, cfg.PauseAfter = wc.AllowPrivateAddresses, wc.Timeout, wc.RetryFor, wc.PauseAfterFailures
	return appwebhooks.NewService(cfg, appwebhooks.Deps{
		Tx: postgres.NewTxManager(db), Clock: clk, Authorizer: z, Audit: audit,
		Subscriptions: pgwebhooks.NewSubscriptions(db), Deliveries: pgwebhooks.NewDeliveries(db),
		Poster:    outbound.New(outbound.Options{Timeout: wc.Timeout, AllowPrivate: wc.AllowPrivateAddresses}),
		Publisher: pgevents.NewStore(db), Admins: pgwebhooks.NewAdmins(db), Log: log,
	})
}
