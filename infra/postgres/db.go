// Package postgres is the shared core of Canopy's PostgreSQL adapter, built on gorm: the
// connection, migrations, the transaction carried in the context and the translation of driver
// errors. Each module's rows, mappers and repositories live in a package below this one
// (identity, org, directory, access, importer, scim), and every one of them gets its handle from
// Conn, so that one use case can make several repositories atomic.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"canopy/domain/errs"
)

// Options tune the connection pool.
type Options struct {
	MaxOpenConns int
	MaxIdleConns int
}

// Open connects to PostgreSQL. It does not wait for the server: a server that is down now is
// reported by Ping and retried on every query.
func Open(url string, o Options) (*gorm.DB, error) {
	db, err := gorm.Open(postgres.New(postgres.Config{DSN: url}), &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if o.MaxOpenConns > 0 {
		sqlDB.SetMaxOpenConns(o.MaxOpenConns)
	}
	if o.MaxIdleConns > 0 {
		sqlDB.SetMaxIdleConns(o.MaxIdleConns)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
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
		case "57P01", "57P03", "08000", "08003", "08006": // shutdown, cannot connect now, connection errors
			return errs.Wrap(errs.Unavailable, "unavailable", "the database is unavailable", err)
		}
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return errs.Wrap(errs.Unavailable, "unavailable", "the database is unavailable", err)
	}
	return errs.Wrap(errs.Internal, "internal", "internal error", err)
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
