package main

import (
	"log/slog"

	appmail "canopy/app/mail"
	"canopy/infra/clock"
	"canopy/infra/config"
	"canopy/infra/localenv"
	inframail "canopy/infra/mail"
	pgmail "canopy/infra/postgres/mail"

	"gorm.io/gorm"
)

// resolveLocalSMTP points email at the project-local mailpit when no SMTP host is set and the
// project-local services are in use (database.url empty); it reports whether mail can be sent.
func resolveLocalSMTP(cfg *config.Config, localServices bool) bool {
	if cfg.SMTP.Host != "" {
		return true
	}
	if !localServices {
		return false
	}
	cfg.SMTP.Host, cfg.SMTP.Port, cfg.SMTP.TLS = "127.0.0.1", cfg.Local.MailpitSMTPPort, "none"
	cfg.SMTP.Username, cfg.SMTP.Password = "", ""
	_ = localenv.MailpitVersion // the server that answers there (canopy local up)
	return true
}

// mailParts builds the email outbox: the service other modules queue mail with, and the worker
// that sends it (nil when no SMTP server is configured: mail then waits in the outbox).
func mailParts(db *gorm.DB, cfg config.Config, canSend bool, log *slog.Logger) (*appmail.Service, *appmail.Worker, error) {
	tmpl, err := inframail.NewTemplates()
	if err != nil {
		return nil, nil, err
	}
	outbox := pgmail.NewOutbox(db)
	svc := appmail.NewService(outbox, tmpl, clock.System{})
	if !canSend {
		log.Warn("no smtp.host is set: email waits in the outbox and is not sent")
		return svc, nil, nil
	}
	sender, err := inframail.NewSender(smtpConfig(cfg.SMTP))
	if err != nil {
		return nil, nil, err
	}
	return svc, newMailWorker(cfg, outbox, sender, clock.System{}, log), nil
}

func smtpConfig(c config.SMTP) inframail.SMTPConfig {
	return inframail.SMTPConfig{Host: c.Host, Port: c.Port, Username: c.Username, Password: c.Password, From: c.From, TLS: c.TLS}
}

// newMailWorker is a worker on the outbox; tests make their own with another sender or clock.
func newMailWorker(cfg config.Config, outbox *pgmail.Outbox, sender appmail.Sender, clk appmail.Clock, log *slog.Logger) *appmail.Worker {
	return appmail.NewWorker(appmail.WorkerConfig{MaxAttempts: cfg.SMTP.MaxAttempts, PollInterval: cfg.SMTP.PollInterval}, outbox, sender, clk, log)
}
