package main

import (
	"gorm.io/gorm"

	appnotifications "canopy/app/notifications"
	"canopy/infra/clock"
	"canopy/infra/postgres"
	pgevents "canopy/infra/postgres/events"
	pgnotifications "canopy/infra/postgres/notifications"
)

// notificationsService builds the in-app notifications service; its Consumer goes to the
// dispatcher (eventConsumers).
func notificationsService(db *gorm.DB, tx *postgres.TxManager, clk clock.System) *appnotifications.Service {
	return appnotifications.NewService(appnotifications.Deps{
		Tx: tx, Clock: clk, Notifications: pgnotifications.NewNotifications(db), Preferences: pgnotifications.NewPreferences(db),
	})
}

// enableDigests lets the notifications service mail digests of what people were not online to
// see (runEvents runs it every minute).
func (s *stack) enableDigests() {
	s.notifications.EnableDigests(appnotifications.DigestConfig{
		Delay: s.cfg.Notifications.DigestDelay, OnlineWindow: pgevents.OnlineWindow, AppURL: s.cfg.Server.PublicURL,
	}, pgnotifications.NewDigests(s.db), s.mail)
}
