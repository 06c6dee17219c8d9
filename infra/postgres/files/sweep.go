package files

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/lib/pq"

	appfiles "canopy/app/files"
	"canopy/domain/errs"
	"canopy/domain/files"
	"canopy/infra/postgres"
)

// This file holds the Store's sweeper batches (appfiles.SweepStore).

// sweepLock is the advisory lock that lets one replica sweep at a time.
const sweepLock = 0x66696c6573 // "files"

// TrySweepLock implements appfiles.SweepStore with a session advisory lock on a connection
// taken from the pool for the pass: PostgreSQL frees it if the replica dies. Should unlocking
// fail, the connection is discarded rather than returned to the pool still holding the lock.
func (s *Store) TrySweepLock(ctx context.Context) (func(), bool, error) {
	conn, err := postgres.SQL(s.db).Conn(ctx)
	if err != nil {
		return nil, false, postgres.Translate(err)
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, sweepLock).Scan(&ok); err != nil || !ok {
		_ = conn.Close()
		return nil, false, postgres.Translate(err)
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var unlocked bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_advisory_unlock($1)`, sweepLock).Scan(&unlocked); err != nil || !unlocked {
			discard(conn)
		}
		_ = conn.Close()
	}, true, nil
}

// discard closes conn's PostgreSQL session, which frees every session lock it holds. Marking
// the connection bad (driver.ErrBadConn) alone is not enough: database/sql's connections are
// pgxpool's, and closing one only hands it back to the pool, lock and all; a closed pgx
// connection is destroyed by the pool instead.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(dc any) error {
		if c, ok := dc.(*stdlib.Conn); ok {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = c.Conn().Close(ctx)
		}
		return driver.ErrBadConn
	})
}

// ReleaseExpiredReservations implements appfiles.SweepStore.
func (s *Store) ReleaseExpiredReservations(ctx context.Context, now time.Time) (int64, error) {
	res := postgres.Conn(ctx, s.db).Exec(`DELETE FROM uploads WHERE kind = 'stream' AND expires_at < ?`, now)
	return res.RowsAffected, postgres.Translate(res.Error)
}

// maxRetention selects each space with a maximum retention and the days of the shorter of its
// own and its organisation's (0 meaning none), since the strictest rule on the path applies.
const maxRetention = `SELECT s.org_id, s.id AS space_id,
		CASE WHEN s.max_retention_days > 0 AND COALESCE(fs.max_retention_days, 0) > 0 THEN LEAST(s.max_retention_days, fs.max_retention_days)
		     ELSE GREATEST(s.max_retention_days, COALESCE(fs.max_retention_days, 0)) END AS days
	FROM spaces s LEFT JOIN file_settings fs ON fs.org_id = s.org_id
	WHERE s.max_retention_days > 0 OR fs.max_retention_days > 0`

type purgeRow struct {
	ID             uuid.UUID
	OrgID          uuid.UUID
	FileID         uuid.UUID
	SpaceID        uuid.UUID
	ObjectKey      string
	ObjectVersion  string
	ThumbnailKey   string
	Size           int64
	AvailableUntil time.Time
	LegalHold      bool
}

// PurgeFiles implements appfiles.SweepStore. The candidates are chosen and locked with SKIP
// LOCKED (the trash first, then files wholly past their maximum retention); their versions are
// then locked and checked again, so a hold or an extension committed meanwhile is seen.
func (s *Store) PurgeFiles(ctx context.Context, now time.Time, defaultTrashDays, limit int) (appfiles.PurgeBatch, error) {
	if !postgres.InTx(ctx) {
		return appfiles.PurgeBatch{}, errs.Internalf("files: PurgeFiles needs a transaction")
	}
	db := postgres.Conn(ctx, s.db)
	var ids []uuid.UUID
	err := db.Raw(`SELECT f.id FROM files f LEFT JOIN file_settings fs ON fs.org_id = f.org_id
		WHERE f.deleted_at IS NOT NULL
		  AND f.deleted_at <= ?::timestamptz - make_interval(hours => 24 * COALESCE(fs.trash_days, ?))
		  AND NOT EXISTS (SELECT 1 FROM file_versions x WHERE x.org_id = f.org_id AND x.file_id = f.id AND (x.available_until > ? OR x.legal_hold))
		LIMIT ? FOR UPDATE OF f SKIP LOCKED`, now, defaultTrashDays, now, limit).Scan(&ids).Error
	if err != nil {
		return appfiles.PurgeBatch{}, postgres.Translate(err)
	}
	if left := limit - len(ids); left > 0 {
		var more []uuid.UUID
		err := db.Raw(`WITH m AS (`+maxRetention+`)
			SELECT f.id FROM files f JOIN m ON m.org_id = f.org_id AND m.space_id = f.space_id
			WHERE NOT EXISTS (SELECT 1 FROM file_versions x WHERE x.org_id = f.org_id AND x.file_id = f.id
				AND (x.uploaded_at > ?::timestamptz - make_interval(hours => 24 * m.days) OR x.available_until > ? OR x.legal_hold))
			LIMIT ? FOR UPDATE OF f SKIP LOCKED`, now, now, left).Scan(&more).Error
		if err != nil {
			return appfiles.PurgeBatch{}, postgres.Translate(err)
		}
		seen := make(map[uuid.UUID]bool, len(ids))
		for _, id := range ids {
			seen[id] = true
		}
		for _, id := range more {
			if !seen[id] {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return appfiles.PurgeBatch{}, nil
	}
	var rows []purgeRow
	err = db.Raw(`SELECT v.id, v.org_id, v.file_id, f.space_id, v.object_key, v.object_version, COALESCE(v.thumbnail_key, '') AS thumbnail_key,
			v.size, v.available_until, v.legal_hold
		FROM file_versions v JOIN files f ON f.org_id = v.org_id AND f.id = v.file_id
		WHERE v.file_id = ANY (?::uuid[]) ORDER BY v.file_id, v.number FOR UPDATE OF v`, uuids(ids)).Scan(&rows).Error
	if err != nil {
		return appfiles.PurgeBatch{}, postgres.Translate(err)
	}
	keep := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		keep[id] = true
	}
	for _, r := range rows {
		if r.LegalHold || r.AvailableUntil.After(now) {
			keep[r.FileID] = false
		}
	}
	ids = ids[:0]
	for id, ok := range keep {
		if ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return appfiles.PurgeBatch{}, nil
	}
	kept := rows[:0]
	for _, r := range rows {
		if keep[r.FileID] {
			kept = append(kept, r)
		}
	}
	// One statement deletes the versions and then their files (whose current version each is,
	// a reference checked at commit).
	err = db.Exec(`WITH v AS (DELETE FROM file_versions WHERE file_id = ANY (?::uuid[]))
		DELETE FROM files WHERE id = ANY (?::uuid[])`, uuids(ids), uuids(ids)).Error
	if err != nil {
		return appfiles.PurgeBatch{}, postgres.Translate(err)
	}
	vs, err := s.purged(ctx, now, kept)
	return appfiles.PurgeBatch{Files: len(ids), Versions: vs}, err
}

// PurgeVersions implements appfiles.SweepStore. The DELETE checks the rule again on each
// locked row, so a hold or an extension committed meanwhile keeps it.
func (s *Store) PurgeVersions(ctx context.Context, now time.Time, limit int) (appfiles.PurgeBatch, error) {
	if !postgres.InTx(ctx) {
		return appfiles.PurgeBatch{}, errs.Internalf("files: PurgeVersions needs a transaction")
	}
	var rows []purgeRow
	err := postgres.Conn(ctx, s.db).Raw(`WITH m AS (`+maxRetention+`),
		c AS (
			SELECT v.id FROM m
			JOIN files f ON f.org_id = m.org_id AND f.space_id = m.space_id
			JOIN file_versions v ON v.org_id = f.org_id AND v.file_id = f.id
			WHERE v.id <> f.current_version_id AND v.uploaded_at <= ?::timestamptz - make_interval(hours => 24 * m.days)
			  AND v.available_until <= ? AND NOT v.legal_hold
			LIMIT ? FOR UPDATE OF v SKIP LOCKED)
		DELETE FROM file_versions v USING c, files f
		WHERE v.id = c.id AND f.org_id = v.org_id AND f.id = v.file_id AND v.id <> f.current_version_id
		  AND v.available_until <= ? AND NOT v.legal_hold
		RETURNING v.id, v.org_id, v.file_id, f.space_id, v.object_key, v.object_version, COALESCE(v.thumbnail_key, '') AS thumbnail_key,
			v.size, v.available_until, v.legal_hold`, now, now, limit, now).Scan(&rows).Error
	if err != nil {
		return appfiles.PurgeBatch{}, postgres.Translate(err)
	}
	vs, err := s.purged(ctx, now, rows)
	return appfiles.PurgeBatch{Versions: vs}, err
}

// purged frees the bytes of deleted versions in their spaces' and organisations' usage and
// records their objects as pending, in the transaction that deleted them: should their removal
// fail, the orphan pass retries it.
func (s *Store) purged(ctx context.Context, now time.Time, rows []purgeRow) ([]appfiles.PurgedVersion, error) {
	type spaceKey struct{ org, space uuid.UUID }
	freed := map[spaceKey]int64{}
	keys, orgs := pq.StringArray{}, pq.StringArray{}
	out := make([]appfiles.PurgedVersion, len(rows))
	for i, r := range rows {
		freed[spaceKey{r.OrgID, r.SpaceID}] += r.Size
		keys, orgs = append(keys, r.ObjectKey), append(orgs, r.OrgID.String())
		if r.ThumbnailKey != "" {
			keys, orgs = append(keys, r.ThumbnailKey), append(orgs, r.OrgID.String())
		}
		out[i] = appfiles.PurgedVersion{ID: r.ID, OrgID: r.OrgID, Key: files.ObjectKey(r.ObjectKey), ObjectVersion: r.ObjectVersion,
			ThumbnailKey: r.ThumbnailKey, Size: r.Size, AvailableUntil: r.AvailableUntil.UTC(), LegalHold: r.LegalHold}
	}
	for k, n := range freed {
		if err := s.AddUsage(ctx, k.org, k.space, -n); err != nil && !errs.Is(err, errs.NotFound) {
			return nil, err
		}
	}
	if len(keys) > 0 {
		err := postgres.Conn(ctx, s.db).Exec(`INSERT INTO pending_objects (object_key, org_id, created_at)
			SELECT k, o, ? FROM unnest(?::text[], ?::uuid[]) AS v(k, o) ON CONFLICT (object_key) DO NOTHING`, now, keys, orgs).Error
		if err != nil {
			return nil, postgres.Translate(err)
		}
	}
	return out, nil
}

func uuids(ids []uuid.UUID) pq.StringArray {
	out := make(pq.StringArray, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

// Orphans implements appfiles.SweepStore.
func (s *Store) Orphans(ctx context.Context, before time.Time, after string, limit int) ([]string, error) {
	var keys []string
	err := postgres.Conn(ctx, s.db).Raw(`SELECT p.object_key FROM pending_objects p
		WHERE p.created_at < ? AND p.object_key > ?
		  AND NOT EXISTS (SELECT 1 FROM file_versions v WHERE v.object_key = p.object_key)
		  AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.object_key = p.object_key)
		ORDER BY p.object_key LIMIT ?`, before, after, limit).Scan(&keys).Error
	return keys, postgres.Translate(err)
}

// Forget implements appfiles.SweepStore.
func (s *Store) Forget(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	return postgres.Translate(postgres.Conn(ctx, s.db).Exec(`DELETE FROM pending_objects WHERE object_key = ANY (?::text[])`, pq.StringArray(keys)).Error)
}

// MarkExpiredLocked implements appfiles.SweepStore.
func (s *Store) MarkExpiredLocked(ctx context.Context, now time.Time) (int64, error) {
	res := postgres.Conn(ctx, s.db).Exec(`UPDATE file_versions SET locked_until = available_until
		WHERE (locked_until IS NULL OR locked_until < available_until) AND available_until <= ?`, now)
	return res.RowsAffected, postgres.Translate(res.Error)
}

type refRow struct {
	ID             uuid.UUID
	OrgID          uuid.UUID
	ObjectKey      string
	ObjectVersion  string
	AvailableUntil time.Time
	LegalHold      bool
}

func refs(rows []refRow) []appfiles.VersionRef {
	out := make([]appfiles.VersionRef, len(rows))
	for i, r := range rows {
		out[i] = appfiles.VersionRef{ID: r.ID, OrgID: r.OrgID, Key: files.ObjectKey(r.ObjectKey), ObjectVersion: r.ObjectVersion,
			AvailableUntil: r.AvailableUntil.UTC(), LegalHold: r.LegalHold}
	}
	return out
}

// orgFilter narrows a query to one organisation, or none for uuid.Nil.
func orgFilter(orgID uuid.UUID) (string, []any) {
	if orgID == uuid.Nil {
		return "", nil
	}
	return " AND org_id = ?", []any{orgID}
}

// Unlocked implements appfiles.SweepStore; the partial index on versions whose lock is behind
// keeps it from reading the others.
func (s *Store) Unlocked(ctx context.Context, now time.Time, orgID, after uuid.UUID, limit int) ([]appfiles.VersionRef, error) {
	cond, args := orgFilter(orgID)
	var rows []refRow
	err := postgres.Conn(ctx, s.db).Raw(`SELECT id, org_id, object_key, object_version, available_until, legal_hold FROM file_versions
		WHERE (locked_until IS NULL OR locked_until < available_until) AND available_until > ? AND id > ?`+cond+`
		ORDER BY id LIMIT ?`, append(append([]any{now, after}, args...), limit)...).Scan(&rows).Error
	return refs(rows), postgres.Translate(err)
}

// MarkLockedAll implements appfiles.SweepStore; locked_until only ever moves later.
func (s *Store) MarkLockedAll(ctx context.Context, vs []appfiles.VersionRef) error {
	if len(vs) == 0 {
		return nil
	}
	ids, until := make(pq.StringArray, len(vs)), make(pq.StringArray, len(vs))
	for i, v := range vs {
		ids[i], until[i] = v.ID.String(), v.AvailableUntil.UTC().Format(time.RFC3339Nano)
	}
	return postgres.Translate(postgres.Conn(ctx, s.db).Exec(`UPDATE file_versions v SET locked_until = GREATEST(COALESCE(v.locked_until, x.until), x.until)
		FROM unnest(?::uuid[], ?::timestamptz[]) AS x(id, until) WHERE v.id = x.id`, ids, until).Error)
}

// HoldsBehind implements appfiles.SweepStore.
func (s *Store) HoldsBehind(ctx context.Context, orgID, after uuid.UUID, limit int) ([]appfiles.VersionRef, error) {
	cond, args := orgFilter(orgID)
	var rows []refRow
	err := postgres.Conn(ctx, s.db).Raw(`SELECT id, org_id, object_key, object_version, available_until, legal_hold FROM file_versions
		WHERE legal_hold <> hold_applied AND id > ?`+cond+` ORDER BY id LIMIT ?`,
		append(append([]any{after}, args...), limit)...).Scan(&rows).Error
	return refs(rows), postgres.Translate(err)
}

// MarkHoldsApplied implements appfiles.SweepStore. A version whose flag changed since it was
// read keeps its mark, so the next pass applies the new flag.
func (s *Store) MarkHoldsApplied(ctx context.Context, vs []appfiles.VersionRef) error {
	if len(vs) == 0 {
		return nil
	}
	ids, held := make(pq.StringArray, len(vs)), make(pq.BoolArray, len(vs))
	for i, v := range vs {
		ids[i], held[i] = v.ID.String(), v.LegalHold
	}
	return postgres.Translate(postgres.Conn(ctx, s.db).Exec(`UPDATE file_versions v SET hold_applied = x.held
		FROM unnest(?::uuid[], ?::boolean[]) AS x(id, held) WHERE v.id = x.id AND v.legal_hold = x.held`, ids, held).Error)
}
