// Package events holds the PostgreSQL side of the events backbone: the outbox, the users'
// streams, and LISTEN/NOTIFY as the fan-out between replicas.
package events

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	appevents "canopy/app/events"
	"canopy/domain/errs"
	"canopy/infra/postgres"
)

// The channels: one wakes the dispatchers when events commit, the other the gateways when
// streams grow. Their payloads are empty: each side reads what is new itself.
const (
	OutboxChannel  = "canopy_outbox"
	StreamsChannel = "canopy_streams"
)

// Store is the outbox and the streams.
type Store struct{ db *gorm.DB }

// NewStore returns it.
func NewStore(db *gorm.DB) *Store { return &Store{db} }

var (
	_ appevents.Publisher = (*Store)(nil)
	_ appevents.Store     = (*Store)(nil)
	_ appevents.Streams   = (*Store)(nil)
)

// Publish implements appevents.Publisher: the events and a pg_notify, in the caller's
// transaction, so both happen at its commit or not at all.
func (s *Store) Publish(ctx context.Context, es ...appevents.Event) error {
	if !postgres.InTx(ctx) {
		return errs.Internalf("events: Publish outside a transaction would outlive a rolled-back change")
	}
	db := postgres.Conn(ctx, s.db)
	for _, e := range es {
		audience, err := json.Marshal(e.Audience)
		if err != nil {
			return errs.Internalf("events: audience: %w", err)
		}
		payload := e.Payload
		if len(payload) == 0 {
			payload = json.RawMessage("{}")
		}
		at := e.CreatedAt
		if at.IsZero() {
			at = time.Now().UTC()
		}
		err = db.Exec(`INSERT INTO events (org_id, type, actor_id, subject_type, subject_id, audience, payload, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.OrgID, e.Type, postgres.NullableID(e.ActorID), e.SubjectType, e.SubjectID,
			string(audience), string(payload), at).Error
		if err != nil {
			return postgres.Translate(err)
		}
	}
	return postgres.Translate(db.Exec(`SELECT pg_notify(?, '')`, OutboxChannel).Error)
}

type eventRow struct {
	ID          int64
	OrgID       uuid.UUID
	Type        string
	ActorID     *uuid.UUID
	SubjectType string
	SubjectID   uuid.UUID
	Audience    string
	Payload     string
	CreatedAt   time.Time
}

func (r eventRow) event() appevents.Event {
	e := appevents.Event{ID: r.ID, OrgID: r.OrgID, Type: r.Type, SubjectType: r.SubjectType, SubjectID: r.SubjectID,
		Payload: json.RawMessage(r.Payload), CreatedAt: r.CreatedAt.UTC()}
	if r.ActorID != nil {
		e.ActorID = *r.ActorID
	}
	_ = json.Unmarshal([]byte(r.Audience), &e.Audience)
	return e
}

// Claim implements appevents.Store.
func (s *Store) Claim(ctx context.Context, limit int) ([]appevents.Event, error) {
	var rows []eventRow
	err := postgres.Conn(ctx, s.db).Raw(`SELECT id, org_id, type, actor_id, subject_type, subject_id, audience::text AS audience,
		payload::text AS payload, created_at FROM events WHERE dispatched_at IS NULL ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`, limit).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]appevents.Event, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out, nil
}

// MarkDispatched implements appevents.Store.
func (s *Store) MarkDispatched(ctx context.Context, ids []int64, at time.Time) error {
	return postgres.Translate(postgres.Conn(ctx, s.db).Exec(`UPDATE events SET dispatched_at = ? WHERE id IN ?`, at, ids).Error)
}

func strs(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

// Recipients implements appevents.Store: the active members among the named users, in the
// groups, in the departments' subtrees, or all of them.
func (s *Store) Recipients(ctx context.Context, orgID uuid.UUID, a appevents.Audience) ([]uuid.UUID, error) {
	var ids []string
	err := postgres.Conn(ctx, s.db).Raw(`
		SELECT m.user_id::text FROM memberships m
		WHERE m.org_id = @org AND m.status = 'active' AND (
			@all
			OR m.user_id = ANY (CAST(@users AS uuid[]))
			OR EXISTS (SELECT 1 FROM group_members g WHERE g.org_id = m.org_id AND g.user_id = m.user_id AND g.group_id = ANY (CAST(@groups AS uuid[])))
			OR EXISTS (SELECT 1 FROM department_members dm
				JOIN departments d ON d.org_id = dm.org_id AND d.id = dm.department_id
				JOIN departments r ON r.org_id = d.org_id AND r.id = ANY (CAST(@departments AS uuid[])) AND starts_with(d.path, r.path)
				WHERE dm.org_id = m.org_id AND dm.user_id = m.user_id))
		ORDER BY m.user_id`, map[string]any{"org": orgID, "all": a.Org, "users": pgArray(a.Users), "groups": pgArray(a.Groups),
		"departments": pgArray(a.Departments)}).Scan(&ids).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		if u, err := uuid.Parse(id); err == nil {
			out = append(out, u)
		}
	}
	return out, nil
}

// pgArray renders ids as a PostgreSQL array literal.
func pgArray(ids []uuid.UUID) string {
	out := "{"
	for i, id := range ids {
		if i > 0 {
			out += ","
		}
		out += id.String()
	}
	return out + "}"
}

// Append implements appevents.Store: each user's next number, taken under the row lock of
// their stream (users in the order given, which the dispatcher sorts), and the entries.
func (s *Store) Append(ctx context.Context, e appevents.Event, users []uuid.UUID) error {
	payload := e.Payload
	if len(payload) == 0 {
		payload = json.RawMessage("{}")
	}
	return postgres.Translate(postgres.Conn(ctx, s.db).Exec(`
		WITH s AS (
			INSERT INTO user_streams AS us (user_id, last_seq)
			SELECT u, 1 FROM unnest(?::uuid[]) WITH ORDINALITY AS t(u, n) ORDER BY n
			ON CONFLICT (user_id) DO UPDATE SET last_seq = us.last_seq + 1
			RETURNING user_id, last_seq)
		INSERT INTO user_events (user_id, seq, org_id, event_id, type, actor_id, subject_type, subject_id, payload, created_at)
		SELECT s.user_id, s.last_seq, ?, ?, ?, ?, ?, ?, ?, ? FROM s`,
		pgArray(users), e.OrgID, e.ID, e.Type, postgres.NullableID(e.ActorID), e.SubjectType, e.SubjectID, string(payload), e.CreatedAt).Error)
}

type entryRow struct {
	UserID      uuid.UUID
	Seq         int64
	OrgID       uuid.UUID
	EventID     int64
	Type        string
	ActorID     *uuid.UUID
	SubjectType string
	SubjectID   uuid.UUID
	Payload     string
	CreatedAt   time.Time
}

func entries(rows []entryRow) []appevents.Entry {
	out := make([]appevents.Entry, len(rows))
	for i, r := range rows {
		e := appevents.Event{ID: r.EventID, OrgID: r.OrgID, Type: r.Type, SubjectType: r.SubjectType, SubjectID: r.SubjectID,
			Payload: json.RawMessage(r.Payload), CreatedAt: r.CreatedAt.UTC()}
		if r.ActorID != nil {
			e.ActorID = *r.ActorID
		}
		out[i] = appevents.Entry{UserID: r.UserID, Seq: r.Seq, Event: e}
	}
	return out
}

const entryCols = `ue.user_id, ue.seq, ue.org_id, ue.event_id, ue.type, ue.actor_id, ue.subject_type, ue.subject_id, ue.payload::text AS payload, ue.created_at`

// activeMember keeps the entries of organisations where the user is still an active member.
const activeMember = `EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = ue.org_id AND m.user_id = ue.user_id AND m.status = 'active')`

// Since implements appevents.Streams.
func (s *Store) Since(ctx context.Context, userID uuid.UUID, seq int64, limit int) ([]appevents.Entry, bool, error) {
	db := postgres.Conn(ctx, s.db)
	var first *int64
	if err := db.Raw(`SELECT min(seq) FROM user_events WHERE user_id = ?`, userID).Scan(&first).Error; err != nil {
		return nil, false, postgres.Translate(err)
	}
	// The entry after seq was pruned when the oldest one kept is later than it.
	complete := first == nil || *first <= seq+1
	var rows []entryRow
	err := db.Raw(`SELECT `+entryCols+` FROM user_events ue WHERE ue.user_id = ? AND ue.seq > ? AND `+activeMember+`
		ORDER BY ue.seq LIMIT ?`, userID, seq, limit).Scan(&rows).Error
	if err != nil {
		return nil, false, postgres.Translate(err)
	}
	return entries(rows), complete, nil
}

// After implements appevents.Streams, in one query for every connected user.
func (s *Store) After(ctx context.Context, cursors map[uuid.UUID]int64) ([]appevents.Entry, error) {
	users := make([]uuid.UUID, 0, len(cursors))
	seqs := "{"
	for u, c := range cursors {
		if len(users) > 0 {
			seqs += ","
		}
		users = append(users, u)
		seqs += fmt.Sprint(c)
	}
	seqs += "}"
	// Each user's entries are read by a range scan of their stream from their cursor (the
	// LATERAL, fenced by OFFSET 0 so the planner cannot flatten it), never by a join over the
	// whole table: a plain join lets the planner hash or filter every stored entry of every
	// connected user, so each wake-up cost grew with the streams' length (make bench: 0.3 to 0.8
	// s for 1,000 users holding 1,000 entries each). The planner's guess of a third of each
	// stream past the cursor prices the query high enough for JIT compilation, which costs more
	// than the query itself on every wake-up, hence jit off for it.
	var rows []entryRow
	err := postgres.Conn(ctx, s.db).Transaction(func(db *gorm.DB) error {
		if err := db.Exec(`SET LOCAL jit = off`).Error; err != nil {
			return err
		}
		return db.Raw(`SELECT `+entryCols+` FROM unnest(?::uuid[], ?::bigint[]) AS c(user_id, seq)
			CROSS JOIN LATERAL (SELECT * FROM user_events ue WHERE ue.user_id = c.user_id AND ue.seq > c.seq AND `+activeMember+`
				OFFSET 0) ue
			ORDER BY ue.user_id, ue.seq`, pgArray(users), seqs).Scan(&rows).Error
	})
	if err != nil {
		return nil, postgres.Translate(err)
	}
	return entries(rows), nil
}

// Last implements appevents.Streams.
func (s *Store) Last(ctx context.Context, userID uuid.UUID) (int64, error) {
	var last int64
	err := postgres.Conn(ctx, s.db).Raw(`SELECT COALESCE((SELECT last_seq FROM user_streams WHERE user_id = ?), 0)`, userID).Scan(&last).Error
	return last, postgres.Translate(err)
}

// Prune removes dispatched events and stream entries older than before.
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	db := postgres.Conn(ctx, s.db)
	res := db.Exec(`DELETE FROM events WHERE dispatched_at < ?`, before)
	if res.Error != nil {
		return 0, postgres.Translate(res.Error)
	}
	n := res.RowsAffected
	res = db.Exec(`DELETE FROM user_events WHERE created_at < ?`, before)
	return n + res.RowsAffected, postgres.Translate(res.Error)
}

// Fanout is LISTEN/NOTIFY on StreamsChannel.
type Fanout struct {
	db  *gorm.DB
	url string
	log *slog.Logger
}

// NewFanout returns the PostgreSQL fan-out; url is the database's, for its listening connection.
func NewFanout(db *gorm.DB, url string, log *slog.Logger) *Fanout { return &Fanout{db, url, log} }

// Announce implements appevents.Fanout.
func (f *Fanout) Announce(ctx context.Context) error {
	return postgres.Translate(f.db.WithContext(ctx).Exec(`SELECT pg_notify(?, '')`, StreamsChannel).Error)
}

// Listen implements appevents.Fanout.
func (f *Fanout) Listen(ctx context.Context, wake func()) {
	Listen(ctx, f.url, StreamsChannel, wake, f.log)
}

// Listen keeps a connection LISTENing on channel and calls wake for every notification, and
// once after each (re)connection, until ctx ends.
func Listen(ctx context.Context, url, channel string, wake func(), log *slog.Logger) {
	for ctx.Err() == nil {
		err := listenOnce(ctx, url, channel, wake)
		if ctx.Err() != nil {
			return
		}
		log.Warn("event listener lost its connection; reconnecting", "channel", channel, "error", fmt.Sprint(err))
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func listenOnce(ctx context.Context, url, channel string, wake func()) error {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(ctx, "LISTEN "+channel); err != nil {
		return err
	}
	wake()
	for {
		if _, err := c.WaitForNotification(ctx); err != nil {
			return err
		}
		wake()
	}
}
