package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"canopy/domain/errs"
	"canopy/infra/postgres"
)

// TestTranslate pins the mapping every module package relies on: driver errors become the kinds
// of domain/errs, wrapped or not, and errors already classified pass through unchanged.
func TestTranslate(t *testing.T) {
	classified := errs.E(errs.Conflict, "role_exists", "a role with this name exists")
	cases := []struct {
		err  error
		kind errs.Kind
		code string
	}{
		{gorm.ErrRecordNotFound, errs.NotFound, "not_found"},
		{fmt.Errorf("get: %w", gorm.ErrRecordNotFound), errs.NotFound, "not_found"},
		{context.Canceled, errs.Unavailable, "unavailable"},
		{&pgconn.PgError{Code: "23505"}, errs.Conflict, "conflict"},
		{&pgconn.PgError{Code: "23P01"}, errs.Conflict, "conflict"},
		{&pgconn.PgError{Code: "23503"}, errs.NotFound, "not_found"},
		{&pgconn.PgError{Code: "22P02"}, errs.Invalid, "invalid_request"},
		{&pgconn.PgError{Code: "22021"}, errs.Invalid, "invalid_text"},
		{&pgconn.PgError{Code: "57P01"}, errs.Unavailable, "database_unavailable"},
		{&pgconn.PgError{Code: "42601"}, errs.Internal, "internal"},
		{classified, errs.Conflict, "role_exists"},
	}
	for _, c := range cases {
		got := postgres.Translate(c.err)
		if !errs.Is(got, c.kind) || errs.CodeOf(got) != c.code {
			t.Errorf("%v: got %v (%s)", c.err, got, errs.CodeOf(got))
		}
	}
	if postgres.Translate(nil) != nil {
		t.Error("nil became an error")
	}
	if postgres.Translate(classified) != classified {
		t.Error("a classified error was wrapped again")
	}
}
