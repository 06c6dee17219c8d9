// Package postgres is the shared core of Canopy's PostgreSQL adapter, built on gorm: the
// connection, migrations, the transaction carried in the context and the translation of driver
// errors. Each module's rows, mappers and repositories live in a package below this one
// (identity, org, directory, access, importer, scim), and every one of them gets its handle from
// Conn, so that one use case can make several repositories atomic.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"canopy/domain/errs"
)

// Options tune the connection pool.
type Options struct {
	// MaxOpenConns bounds the connections (default 30).
	MaxOpenConns int
	// MaxIdleConns is kept for the configuration's sake: idle connections close after
	// five minutes whatever their number.
	MaxIdleConns int
	// PoolWaitTimeout bounds the wait for a connection when all are in use (default 5s); past
	// it the query fails with ErrBusy.
	PoolWaitTimeout time.Duration
	// OnBusy, when set, is called each time a wait for a connection ends in ErrBusy.
	OnBusy func()
}

// ErrBusy is the error of a query that waited PoolWaitTimeout for a connection in vain.
var ErrBusy = &errs.Error{Kind: errs.Unavailable, Code: "database_busy", Message: "the database is busy; retry", RetryAfter: time.Second}

// Open connects to PostgreSQL. It does not wait for the server: a server that is down now is
// reported by Ping and retried on every query.
//
// The connections are pooled by pgxpool, under database/sql (which gorm needs) keeping none of
// its own: database/sql can wait for a connection only as long as the query's context lasts,
// while a wait for pgxpool goes through waitConnector, which bounds it with PoolWaitTimeout.
func Open(url string, o Options) (*gorm.DB, error) {
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The URL may hold a password: the parse error, which may quote it, is not shown.
		return nil, errors.New("postgres: open: the database URL is not valid")
	}
	if o.MaxOpenConns <= 0 {
		o.MaxOpenConns = 30
	}
	if o.PoolWaitTimeout <= 0 {
		o.PoolWaitTimeout = 5 * time.Second
	}
	pcfg.MaxConns = int32(o.MaxOpenConns)
	// A connection attempt that is never answered (a partition, a frozen host) would hold its
	// slot in the pool for ever, and the replica would stay "busy" after the database is back.
	if pcfg.ConnConfig.ConnectTimeout <= 0 {
		pcfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	pcfg.MinConns = 0
	pcfg.MaxConnIdleTime = 5 * time.Minute
	pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	sqlDB := sql.OpenDB(waitConnector{Connector: stdlib.GetPoolConnector(pool), pool: pool, wait: o.PoolWaitTimeout, onBusy: o.OnBusy})
	// Each database/sql connection is a pgxpool connection acquired for one query or
	// transaction; closing it hands it back to pgxpool.
	sqlDB.SetMaxIdleConns(0)
	db, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	return db, nil
}

// waitConnector acquires database/sql's connections from pgxpool, waiting at most wait for
// one. database/sql closes it, and with it the pool, when the *sql.DB is closed.
type waitConnector struct {
	driver.Connector
	pool   *pgxpool.Pool
	wait   time.Duration
	onBusy func()
}

// Connect acquires a connection; a wait past c.wait, while the caller's own context still
// runs, is ErrBusy.
func (c waitConnector) Connect(ctx context.Context) (driver.Conn, error) {
	actx, cancel := context.WithTimeout(ctx, c.wait)
	defer cancel()
	conn, err := c.Connector.Connect(actx)
	if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		if c.onBusy != nil {
			c.onBusy()
		}
		return nil, ErrBusy
	}
	// A connection comes out of the pool with no deadline on its socket: a deadline left by
	// the cancellation of an earlier user's query would fail this user's first read with an
	// i/o timeout (seen under load as 503 database_unavailable with the database up).
	if sc, ok := conn.(*stdlib.Conn); ok {
		_ = sc.Conn().PgConn().Conn().SetDeadline(time.Time{})
	}
	return conn, err
}

// Close closes the pool.
func (c waitConnector) Close() error {
	c.pool.Close()
	return nil
}

// SQL returns the database/sql handle under a gorm handle.
func SQL(db *gorm.DB) *sql.DB {
	sqlDB, _ := db.DB() // cannot fail for a handle made by Open
	return sqlDB
}

type txKey struct{}

// TxManager runs use cases in transactions carried by the context, so that one use case can make
// several repositories atomic without knowing gorm.
type TxManager struct{ db *gorm.DB }

// NewTxManager returns a transaction manager on db.
func NewTxManager(db *gorm.DB) *TxManager { return &TxManager{db: db} }

// Within runs fn in a transaction, or in the caller's if ctx already carries one. It commits when
// fn returns nil and rolls back otherwise.
func (m *TxManager) Within(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	err := m.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
	return Translate(err)
}

// Savepoint runs fn in a savepoint of the transaction in ctx (in a transaction of its own when
// ctx carries none). When fn fails, what it did is rolled back and the transaction goes on.
func (m *TxManager) Savepoint(ctx context.Context, fn func(ctx context.Context) error) error {
	tx, ok := ctx.Value(txKey{}).(*gorm.DB)
	if !ok {
		return m.Within(ctx, fn)
	}
	const name = "canopy_savepoint"
	if err := tx.SavePoint(name).Error; err != nil {
		return Translate(err)
	}
	if err := fn(ctx); err != nil {
		if rerr := tx.RollbackTo(name).Error; rerr != nil {
			return Translate(rerr)
		}
		return err
	}
	return Translate(tx.Exec("RELEASE SAVEPOINT " + name).Error)
}

// Conn returns the transaction in ctx, or the pool. Every repository takes its handle from it, so
// it joins the use case's transaction without knowing there is one.
func Conn(ctx context.Context, db *gorm.DB) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return db.WithContext(ctx)
}

// InTx reports whether ctx carries a transaction (TxManager.Within): a repository method
// whose row lock must last until the end of the use case refuses to run without one.
func InTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*gorm.DB)
	return ok
}

// Translate turns driver errors into Canopy's error model: a missing row is NotFound, a unique or
// exclusion violation Conflict, and so on. Errors that are already classified pass through.
func Translate(err error) error {
	if err == nil {
		return nil
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return errs.Wrap(errs.NotFound, "not_found", "not found", err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return errs.Wrap(errs.Unavailable, "unavailable", "the request was cancelled or timed out", err)
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505", "23P01": // unique_violation, exclusion_violation
			return errs.Wrap(errs.Conflict, "conflict", "it already exists", err)
		case "23503": // foreign_key_violation
			return errs.Wrap(errs.NotFound, "not_found", "a referenced resource was not found", err)
		case "23514", "22001", "22P02": // check_violation, string_data_right_truncation, invalid_text_representation
			return errs.Wrap(errs.Invalid, "invalid_request", "a value is out of range", err)
		case "22021", "22P05": // character_not_in_repertoire (a NUL, invalid UTF-8), untranslatable_character
			// The web layer refuses such text where requests are decoded; this is the net
			// under it, so that text that slips through is a 400, never a 500.
			return errs.Wrap(errs.Invalid, "invalid_text", "a value is not valid text", err)
		case "57P01", "57P02", "57P03", "08000", "08003", "08006": // shutdown, cannot connect now, connection errors
			return errs.Wrap(errs.Unavailable, "database_unavailable", "the database is unavailable", err)
		case "57014": // query_canceled: the request's deadline passed
			return errs.Wrap(errs.Unavailable, "unavailable", "the request was cancelled or timed out", err)
		}
	}
	if unreachable(err) {
		return errs.Wrap(errs.Unavailable, "database_unavailable", "the database is unavailable", err)
	}
	return errs.Wrap(errs.Internal, "internal", "internal error", err)
}

// unreachable reports whether err says the database cannot be reached: it refused the
// connection, or a connection broke under a query (the server stopped or restarted).
func unreachable(err error) bool {
	var connErr *pgconn.ConnectError
	var netErr net.Error
	var opErr *net.OpError
	return errors.As(err, &connErr) || errors.As(err, &opErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, driver.ErrBadConn) ||
		pgconn.SafeToRetry(err)
}

// NotFoundIfNone turns "no row changed" into NotFound naming what, and translates a failed
// statement.
func NotFoundIfNone(res *gorm.DB, what string) error {
	if res.Error != nil {
		return Translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.NotFoundf(what)
	}
	return nil
}

// Ping checks that the database answers, for readiness.
func Ping(ctx context.Context, db *gorm.DB) error {
	return SQL(db).PingContext(ctx)
}
