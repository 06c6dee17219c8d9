package localenv

import (
	"context"
	"path/filepath"
)

// PostgresBinDir returns the folder of the PostgreSQL programs the project-local cluster runs
// (initdb, pg_ctl, and beside them pg_dump and pg_restore of the same version), installing
// Debian's PostgreSQL when missing and root, as `canopy local up` does. A pg_ctl found on PATH
// as a link is followed to the folder that holds the rest.
func PostgresBinDir(ctx context.Context, o Options) (string, error) {
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
	dir, err := postgresBin(ctx, o)
	if err != nil {
		return "", err
	}
	if p, err := filepath.EvalSymlinks(filepath.Join(dir, "pg_ctl")); err == nil {
		return filepath.Dir(p), nil
	}
	return dir, nil
}
