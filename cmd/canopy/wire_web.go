package main

import (
	"context"
	"fmt"
	"net"

	appimport "canopy/app/importer"
	appsetup "canopy/app/setup"
	"canopy/infra/postgres"
	"canopy/infra/postgres/ratelimit"
	pgsetup "canopy/infra/postgres/setup"
	webaccess "canopy/web/access"
	webannouncements "canopy/web/announcements"
	webdirectory "canopy/web/directory"
	webevents "canopy/web/events"
	webfiles "canopy/web/files"
	webidentity "canopy/web/identity"
	webimporter "canopy/web/importer"
	webmessaging "canopy/web/messaging"
	webmoderation "canopy/web/moderation"
	webnotifications "canopy/web/notifications"
	weborg "canopy/web/org"
	webscim "canopy/web/scim"
	"canopy/web/server"
	websetup "canopy/web/setup"
	webtasks "canopy/web/tasks"
	"canopy/web/ui"
	webwebhooks "canopy/web/webhooks"
)

// server builds the HTTP server on the stack, then each module's handlers, and registers their
// routes on it.
func (s *stack) server() (*server.Server, error) {
	var proxies []*net.IPNet
	for _, cidr := range s.cfg.Server.TrustedProxies {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			return nil, fmt.Errorf("config: server.trusted_proxies: %w", err)
		}
		proxies = append(proxies, n)
	}
	srv := server.New(server.Deps{
		Config: server.Config{BodyLimitBytes: s.cfg.Server.BodyLimitBytes, SecureCookies: s.cfg.Server.HTTPS(), TrustedProxies: proxies, MetricsToken: s.cfg.Metrics.Token,
			Profiling: s.cfg.Metrics.Pprof},
		Log: s.log, Auth: s.identity, Actors: s.orgs, Permissions: s.authz, Installers: s.orgs, UI: ui.Dist(),
		Limits: server.Limits{Counter: ratelimit.New(s.db), PerUser: s.cfg.Limits.APIPerUser, PerToken: s.cfg.Limits.APIPerToken,
			Window: s.cfg.Limits.Window, Now: s.limitsNow, RequestTimeout: s.cfg.Server.RequestTimeout},
		Ready: []server.Checker{
			{Name: "postgres", Check: func(ctx context.Context) error { return postgres.Ping(ctx, s.db) }},
			{Name: "objectstore", Check: s.store.Ping},
		},
	})
	srv.RegisterMetrics(s.dbBusy)
	sessions, publicURL := srv.Sessions(), s.cfg.Server.PublicURL
	for _, m := range []interface{ Register(*server.Router) }{
		webidentity.New(s.identity, s.orgs, sessions),
		weborg.New(s.orgs, sessions, publicURL),
		weborg.NewPeopleExports(appimport.NewPeopleExport(s.imports, s.orgs)),
		webdirectory.New(s.directory),
		webaccess.New(s.access),
		webimporter.New(s.imports, s.cfg.Server.ImportLimitBytes),
		webscim.New(s.scimService(), s.identity, publicURL),
		webfiles.New(s.files, publicURL, s.cfg.Files.TransferTimeout),
		webtasks.New(s.tasks),
		webmessaging.New(s.messaging).WithTransferTimeout(s.cfg.Files.TransferTimeout),
		webannouncements.New(s.announcements),
		webmoderation.New(s.moderation),
		webevents.New(s.events.hub, srv.Reauthenticate, s.wsOrigins()).WithMaxConnections(s.cfg.Events.MaxConnections),
		webnotifications.New(s.notifications),
		webwebhooks.New(s.webhooks),
		websetup.New(appsetup.NewService(pgsetup.NewStore(s.db), s.authz)),
	} {
		m.Register(srv.Router())
	}
	return srv, nil
}
