package main

import (
	"gorm.io/gorm"

	appnotifications "canopy/app/notifications"
	"canopy/infra/clock"
	"canopy/infra/postgres"
	pgnotifications "canopy/infra/postgres/notifications"
)

// notificationsService builds the in-app notifications service; its Consumer goes to the
// dispatcher (eventConsumers).
func notificationsService(db *gorm.DB, tx *postgres.TxManager, clk clock.System) *appnotifications.Service {
	return appnotifications.NewService(appnotifications.Deps{
		Tx: tx, Clock: clk, Notifications: pgnotifications.NewNotifications(db), Preferences: pgnotifications.NewPreferences(db),
	})
}
