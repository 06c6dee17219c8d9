package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	appaccess "canopy/app/access"
	appannouncements "canopy/app/announcements"
	appdir "canopy/app/directory"
	appfiles "canopy/app/files"
	appidentity "canopy/app/identity"
	appimport "canopy/app/importer"
	appmail "canopy/app/mail"
	appmessaging "canopy/app/messaging"
	appmoderation "canopy/app/moderation"
	appnotifications "canopy/app/notifications"
	apporg "canopy/app/org"
	apptasks "canopy/app/tasks"
	appwebhooks "canopy/app/webhooks"
	"canopy/infra/authz"
	"canopy/infra/clock"
	"canopy/infra/config"
	"canopy/infra/localenv"
	"canopy/infra/objectstore"
	"canopy/infra/password"
	"canopy/infra/pinyin"
	"canopy/infra/postgres"
	pgaccess "canopy/infra/postgres/access"
	pgdirectory "canopy/infra/postgres/directory"
	pgidentity "canopy/infra/postgres/identity"
	pgimport "canopy/infra/postgres/importer"
	pgorg "canopy/infra/postgres/org"
	"canopy/infra/xlsx"
)

// stack is everything `serve` and `admin` run on.
type stack struct {
	cfg       config.Config
	log       *slog.Logger
	db        *gorm.DB
	store     *objectstore.Store
	identity  *appidentity.Service
	orgs      *apporg.Service
	directory *appdir.Service
	access    *appaccess.Service
	authz     *authz.Authorizer
	sessions  *pgidentity.Sessions
	imports   *appimport.Service
	files     *appfiles.Service
	tasks     *apptasks.Service
	events    *eventsStack
	// notifications is in-app notifications; its consumer is one of the dispatcher's.
	notifications *appnotifications.Service
	// announcements is what admins publish and members acknowledge.
	announcements *appannouncements.Service
	// moderation is the content rules: their admin and the checker messaging asks of each message.
	moderation *appmoderation.Service
	// messaging is chats and messages; its Visibility checks the recipients of messages.* events.
	messaging *appmessaging.Service
	// webhooks records deliveries (a consumer of the dispatcher's) and posts them (serve's worker).
	webhooks *appwebhooks.Service
	// importer runs bulk imports in the background (serve starts it).
	importer *appimport.Runner
	// mail queues email; mailWorker sends it (serve starts it; nil when no SMTP server is set).
	mail       *appmail.Service
	mailWorker *appmail.Worker
	// dbBusy counts the waits for a database connection that ended in database_busy.
	dbBusy prometheus.Counter
	// limitsNow is the clock of the API rate limits' windows: nil is the system's (tests set it).
	limitsNow func() time.Time
}

// resolveLocal fills in the project-local services when the config names no database or store.
func resolveLocal(cfg *config.Config) error {
	if cfg.Database.URL != "" && cfg.ObjectStore.Endpoint != "" {
		return nil
	}
	local, err := localenv.Read(localenv.Options{DataDir: cfg.Local.DataDir, PostgresPort: cfg.Local.PostgresPort, MinIOPort: cfg.Local.MinIOPort})
	if err != nil {
		return err
	}
	if cfg.Database.URL == "" {
		cfg.Database.URL = local.DatabaseURL
	}
	if cfg.ObjectStore.Endpoint == "" {
		cfg.ObjectStore.Endpoint, cfg.ObjectStore.AccessKey, cfg.ObjectStore.SecretKey = local.MinIOEndpoint, local.MinIOAccessKey, local.MinIOSecretKey
		cfg.ObjectStore.UseTLS = false
	}
	return nil
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// build opens the database and object store and builds the services. It applies pending
// migrations first, so every command sees the current schema.
func build(ctx context.Context, cfg config.Config, log *slog.Logger) (*stack, error) {
	canSend := resolveLocalSMTP(&cfg, cfg.Database.URL == "")
	if err := resolveLocal(&cfg); err != nil {
		return nil, err
	}
	dbBusy := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "canopy_db_pool_busy_total", Help: "Requests that waited database.pool_wait_timeout for a database connection in vain (answered 503 database_busy).",
	})
	db, err := postgres.Open(cfg.Database.URL, postgres.Options{MaxOpenConns: cfg.Database.MaxOpenConns, MaxIdleConns: cfg.Database.MaxIdleConns,
		PoolWaitTimeout: cfg.Database.PoolWaitTimeout, OnBusy: dbBusy.Inc})
	if err != nil {
		return nil, err
	}
	mctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	applied, err := postgres.Migrate(mctx, db)
	if err != nil {
		return nil, err
	}
	for _, m := range applied {
		log.Info("migration applied", "file", m)
	}
	store, err := objectstore.New(objectstore.Config{
		Endpoint: cfg.ObjectStore.Endpoint, AccessKey: cfg.ObjectStore.AccessKey, SecretKey: cfg.ObjectStore.SecretKey,
		UseTLS: cfg.ObjectStore.UseTLS, Region: cfg.ObjectStore.Region, FileBucket: cfg.ObjectStore.FileBucket,
	})
	if err != nil {
		return nil, err
	}
	clk := clock.System{}
	tx := postgres.NewTxManager(db)
	sessions := pgidentity.NewSessions(db)
	mailer, mailWorker, err := mailParts(db, cfg, canSend, log)
	if err != nil {
		return nil, err
	}
	ident, err := appidentity.NewService(appidentity.Config{
		SessionTTL: cfg.Auth.SessionTTL, SessionIdleTimeout: cfg.Auth.SessionIdleTimeout,
		LoginAddressLimit: cfg.Auth.LoginAddressLimit, LoginAccountAddressLimit: cfg.Auth.LoginAccountAddressLimit, LoginWindow: cfg.Auth.LoginWindow,
		ActivationTTL: cfg.Auth.ActivationTTL, PublicURL: cfg.Server.PublicURL,
		PasswordResetAddressLimit: cfg.Auth.PasswordResetAddressLimit, PasswordResetEmailLimit: cfg.Auth.PasswordResetEmailLimit,
	}, appidentity.Deps{
		Tx: tx, Clock: clk, Hasher: password.NewHasher(password.OWASP), Common: password.NewCommonList(),
		Limiter: pgidentity.NewAttemptLimiter(db, clk.Now), Users: pgidentity.NewUsers(db, pinyin.Keys), Sessions: sessions, Tokens: pgidentity.NewTokens(db),
		Activations: pgidentity.NewActivations(db), PasswordResets: pgidentity.NewPasswordResets(db), Mailer: mailer,
	})
	if err != nil {
		return nil, err
	}
	lookups := pgaccess.NewLookups(db)
	authorizer, err := authz.New(lookups, log)
	if err != nil {
		return nil, err
	}
	audit := pgaccess.NewAuditLog(db)
	notifier := pgaccess.NewPolicyNotifier(db)
	orgRepo := pgorg.NewOrgs(db)
	departments := pgdirectory.NewDepartments(db, pinyin.Keys)
	dir := appdir.NewService(appdir.Deps{
		Tx: tx, Clock: clk, Limits: orgRepo, Departments: departments, Paths: departments,
		Assignments: pgdirectory.NewAssignments(db), Groups: pgdirectory.NewGroups(db, pinyin.Keys), Reader: pgdirectory.NewReader(db, pinyin.Keys),
		Authorizer: authorizer, Audit: audit,
	})
	importJobs := pgimport.NewJobs(db)
	orgs := apporg.NewService(apporg.Deps{
		Tx: tx, Clock: clk, Identity: ident, Orgs: orgRepo, Memberships: pgorg.NewMemberships(db),
		Invitations: pgorg.NewInvitations(db), Directory: pgorg.NewDirectory(db), Roots: dir,
		Authorizer: authorizer, Notifier: notifier, Audit: audit,
		Config:  apporg.Config{AllowOrgCreation: cfg.Installation.AllowOrgCreation},
		Domains: pgorg.NewDomains(db), Accounts: pgorg.NewAccounts(db), Imports: importJobs,
		Profiles: pgorg.NewMemberships(db), People: pgorg.NewPeople(db),
		Selection: pgorg.NewSelection(db), Placements: dir,
	})
	acc := appaccess.NewService(appaccess.Deps{
		Tx: tx, Clock: clk, Authorizer: authorizer, Notifier: notifier, Roles: pgaccess.NewRoles(db),
		Assignments: pgaccess.NewRoleAssignments(db), Audit: audit, Departments: lookups, Members: lookups, Reloader: authorizer,
	})
	runner := appimport.NewRunner(appimport.DefaultRunnerConfig, appimport.RunnerDeps{
		Tx: tx, Clock: clk, Queue: importJobs, Store: pgimport.NewStore(db, pinyin.Keys), Limits: orgRepo,
		Credentials: ident, Invitations: orgs, Authorizer: authorizer, Audit: audit, Log: log,
	})
	imports := appimport.NewService(appimport.Deps{Tx: tx, Jobs: importJobs, Clock: clk, Authorizer: authorizer, Audit: audit, Wake: runner.Wake,
		Sheets: xlsx.Workbooks{}, Export: pgimport.NewExports(db)})
	files := filesService(db, tx, clk, store, authorizer, audit, cfg.Files)
	st := &stack{cfg: cfg, log: log, db: db, store: store, identity: ident, orgs: orgs, directory: dir, access: acc,
		authz: authorizer, sessions: sessions, imports: imports, importer: runner, files: files}
	st.mail, st.mailWorker = mailer, mailWorker
	st.dbBusy = dbBusy
	st.tasks = tasksService(db, tx, clk, authorizer, audit, files)
	st.moderation = moderationService(db, tx, clk, authorizer, audit)
	st.messaging = messagingService(db, tx, clk, authorizer, audit, files, st.moderation, cfg.Messaging)
	st.announcements = announcementsService(db, tx, clk, authorizer, audit)
	st.notifications = notificationsService(db, tx, clk)
	st.webhooks = webhooksService(db, clk, authorizer, audit, cfg.Webhooks, log)
	st.buildEvents()
	return st, nil
}

func (s *stack) close() { _ = postgres.SQL(s.db).Close() }

// ensureBuckets creates the buckets, retrying in the background while the store is down so that
// Canopy starts (and /readyz says why it is not ready) rather than crash-looping.
func (s *stack) ensureBuckets(ctx context.Context) {
	for {
		err := s.store.EnsureBuckets(ctx)
		if err == nil {
			s.log.Info("object store ready", "bucket", s.cfg.ObjectStore.FileBucket)
			return
		}
		s.log.Warn("object store not ready; retrying", "error", err.Error())
		select {
		case <-ctx.Done():
			return
		case <-time.After(3 * time.Second):
		}
	}
}

// sweepSessions removes expired sessions hourly; running it on every replica is harmless.
func (s *stack) sweepSessions(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := s.sessions.DeleteExpired(ctx, time.Now()); err != nil {
			s.log.Warn("session sweep failed", "error", err.Error())
		} else if n > 0 {
			s.log.Info("expired sessions removed", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
