// Package events holds the PostgreSQL side of the events backbone: the outbox, the users'
// streams, and LISTEN/NOTIFY as the fan-out between replicas.
package events

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/lib/pq"
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
type Store struct {
	db        *gorm.DB
	audiences audienceCache // the gateway's: lists by id
	lists     listIDs       // the dispatcher's: ids by list
	active    activeCache   // the gateway's: who is an active member
	resolved  resolvedCache // the dispatcher's: whom an audience reaches
}

// NewStore returns it.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

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

// Lock implements appevents.Store: a transaction-level advisory lock, so that positions are
// taken and committed by one dispatcher at a time, in order.
func (s *Store) Lock(ctx context.Context) error {
	return postgres.Translate(postgres.Conn(ctx, s.db).Exec(`SELECT pg_advisory_xact_lock(?)`, positionLock).Error)
}

// positionLock is the advisory lock key of the streams' positions.
const positionLock = 7_400_031

// MarkDispatched implements appevents.Store: each event, in the order given, takes the next
// position and names its recipients' list, all in one statement. The events of one audience
// share their list (event_audiences): each distinct list of the batch is sent once, stored once
// (found by its digest when an earlier batch stored it), and the events name it by id. A list
// this process found stored (by a committed transaction) in the last listTTL is named by its id
// alone, without sending it again (the 1,000 members of a busy chat's list, with every batch of
// its messages).
func (s *Store) MarkDispatched(ctx context.Context, ds []appevents.Dispatched, at time.Time) ([]int64, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	ids := make([]string, len(ds))
	which := make([]string, len(ds))
	known := make([]string, len(ds))
	broadcast := make([]string, len(ds))
	keys := make([]listKey, len(ds))
	lists := []string{}
	index := map[listKey]int{}
	for i, d := range ds {
		ids[i] = fmt.Sprint(d.ID)
		broadcast[i] = fmt.Sprint(d.Broadcast)
		which[i], known[i] = "0", "0" // no list: a broadcast, or an event that reached no one
		if len(d.Recipients) == 0 {
			continue
		}
		// Sorted, so that one set of users is one list whatever order it came in.
		sorted := slices.Clone(d.Recipients)
		slices.SortFunc(sorted, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
		k := keyOf(sorted)
		keys[i] = k
		if id, ok := s.lists.get(k, at); ok {
			known[i] = fmt.Sprint(id)
			continue
		}
		n, ok := index[k]
		if !ok {
			n = len(lists) + 1
			index[k] = n
			lists = append(lists, postgres.UUIDArray(sorted))
		}
		which[i] = fmt.Sprint(n)
	}
	// lists is a text[] of uuid[] literals: "{\"{a,b}\",\"{c}\"}" (uuids need no escaping).
	var rows []struct {
		ID, Position int64
		AudienceID   *int64
		Existed      bool // the list was stored by a committed transaction before this one
	}
	err := postgres.Conn(ctx, s.db).Raw(`
		WITH l AS (SELECT list, n, sha256(convert_to(list, 'UTF8')) AS digest
		             FROM unnest(CAST(@lists AS text[])) WITH ORDINALITY AS l(list, n)),
		     a AS (INSERT INTO event_audiences (digest, recipients, used_at)
		           SELECT digest, CAST(list AS uuid[]), @at FROM l
		           ON CONFLICT (digest) DO UPDATE SET used_at = EXCLUDED.used_at
		           RETURNING id, digest, xmax <> 0 AS existed),
		     la AS (SELECT l.n, a.id, a.existed FROM l JOIN a ON a.digest = l.digest),
		     d AS (SELECT id, list, known, broadcast, ord
		             FROM unnest(CAST(@ids AS bigint[]), CAST(@which AS int[]), CAST(@known AS bigint[]), CAST(@broadcast AS boolean[]))
		                  WITH ORDINALITY AS d(id, list, known, broadcast, ord)),
		     p AS (SELECT id, list, known, broadcast, nextval('event_positions') AS position FROM (SELECT * FROM d ORDER BY ord) o)
		UPDATE events e SET dispatched_at = @at, audience_id = COALESCE(la.id, NULLIF(p.known, 0)), broadcast = p.broadcast, position = p.position
		FROM p LEFT JOIN la ON la.n = p.list
		WHERE e.id = p.id
		RETURNING e.id, e.position, e.audience_id, COALESCE(la.existed, false) AS existed`,
		map[string]any{"ids": "{" + strings.Join(ids, ",") + "}", "which": "{" + strings.Join(which, ",") + "}",
			"known": "{" + strings.Join(known, ",") + "}", "broadcast": "{" + strings.Join(broadcast, ",") + "}",
			"lists": textArray(lists), "at": at}).Scan(&rows).Error
	if err != nil {
		// A list named by its id may have been pruned meanwhile: the next try sends them all.
		s.lists.reset()
		return nil, postgres.Translate(err)
	}
	type marked struct {
		position int64
		audience *int64
		existed  bool
	}
	byID := make(map[int64]marked, len(rows))
	for _, r := range rows {
		byID[r.ID] = marked{r.Position, r.AudienceID, r.Existed}
	}
	positions := make([]int64, len(ds))
	for i, d := range ds {
		m, ok := byID[d.ID]
		if !ok {
			s.lists.reset()
			return nil, fmt.Errorf("event %d was not marked dispatched", d.ID)
		}
		positions[i] = m.position
		// Only a list an earlier, committed transaction stored is remembered: this one may
		// still roll back, and its new list with it.
		if which[i] != "0" && m.audience != nil && m.existed {
			s.lists.put(keys[i], *m.audience, at)
		}
	}
	return positions, nil
}

// listKey identifies a sorted recipient list in this process: the SHA-256 of its ids' bytes.
type listKey [sha256.Size]byte

func keyOf(sorted []uuid.UUID) listKey {
	h := sha256.New()
	for _, id := range sorted {
		h.Write(id[:])
	}
	var k listKey
	h.Sum(k[:0])
	return k
}

// listTTL is how long a stored list is named by its id alone. A list sent again after it has
// its used_at renewed, so the pruning, which removes lists unused for the events' retention
// (hours at least) and named by no event, never removes one this cache still names.
const listTTL = time.Minute

// listIDs are the ids of the recipient lists this process found stored lately.
type listIDs struct {
	mu  sync.Mutex
	ids map[listKey]listID
}

type listID struct {
	id   int64
	seen time.Time
}

// listIDsSize bounds the cache; past it, it starts afresh.
const listIDsSize = 1024

func (c *listIDs) get(k listKey, now time.Time) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.ids[k]
	if !ok || now.Sub(l.seen) > listTTL {
		return 0, false
	}
	return l.id, true
}

func (c *listIDs) put(k listKey, id int64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil || len(c.ids) >= listIDsSize {
		c.ids = map[listKey]listID{}
	}
	c.ids[k] = listID{id, now}
}

func (c *listIDs) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ids = nil
}

// textArray renders uuid[] literals as a text[] literal.
func textArray(lists []string) string {
	if len(lists) == 0 {
		return "{}"
	}
	return `{"` + strings.Join(lists, `","`) + `"}`
}

// Recipients implements appevents.Store: the active members among the named users, in the
// groups, in the departments' subtrees, or all of them. What an audience resolved to is kept
// with the organisation's membership epoch (see Active), which every change of its members,
// groups and departments moves on: while the epoch has not moved, the dispatch of a busy chat's
// next messages costs one small read instead of resolving its 1,000 members again.
func (s *Store) Recipients(ctx context.Context, orgID uuid.UUID, a appevents.Audience) ([]uuid.UUID, error) {
	db := postgres.Conn(ctx, s.db)
	epochs, err := s.epochs(ctx, []uuid.UUID{orgID})
	if err != nil {
		return nil, err
	}
	key := appevents.AudienceKey(orgID, a)
	if users, ok := s.resolved.get(key, epochs[orgID]); ok {
		return users, nil
	}
	var ids []string
	if a.Org {
		err = db.Raw(`SELECT user_id::text FROM memberships WHERE org_id = ? AND status = 'active' ORDER BY user_id`, orgID).Scan(&ids).Error
	} else {
		err = db.Raw(`
		SELECT m.user_id::text FROM memberships m
		WHERE m.org_id = @org AND m.status = 'active' AND (
			m.user_id = ANY (CAST(@users AS uuid[]))
			OR EXISTS (SELECT 1 FROM group_members g WHERE g.org_id = m.org_id AND g.user_id = m.user_id AND g.group_id = ANY (CAST(@groups AS uuid[])))
			OR EXISTS (SELECT 1 FROM department_members dm
				JOIN departments d ON d.org_id = dm.org_id AND d.id = dm.department_id
				JOIN departments r ON r.org_id = d.org_id AND r.id = ANY (CAST(@departments AS uuid[])) AND starts_with(d.path, r.path)
				WHERE dm.org_id = m.org_id AND dm.user_id = m.user_id))
		ORDER BY m.user_id`, map[string]any{"org": orgID, "users": postgres.UUIDArray(a.Users), "groups": postgres.UUIDArray(a.Groups),
			"departments": postgres.UUIDArray(a.Departments)}).Scan(&ids).Error
	}
	if err != nil {
		return nil, postgres.Translate(err)
	}
	users := parseIDs(ids)
	s.resolved.put(key, epochs[orgID], users)
	return slices.Clone(users), nil
}

func parseIDs(ids []string) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		if u, err := uuid.Parse(id); err == nil {
			out = append(out, u)
		}
	}
	return out
}

type entryRow struct {
	Position    int64
	ID          int64
	OrgID       uuid.UUID
	Type        string
	ActorID     *uuid.UUID
	SubjectType string
	SubjectID   uuid.UUID
	Payload     string
	CreatedAt   time.Time
	AudienceID  *int64
	Broadcast   bool
}

func (r entryRow) entry() appevents.Entry {
	e := appevents.Event{ID: r.ID, OrgID: r.OrgID, Type: r.Type, SubjectType: r.SubjectType, SubjectID: r.SubjectID,
		Payload: json.RawMessage(r.Payload), CreatedAt: r.CreatedAt.UTC()}
	if r.ActorID != nil {
		e.ActorID = *r.ActorID
	}
	return appevents.Entry{Position: r.Position, Event: e, Broadcast: r.Broadcast}
}

// parseArray reads a uuid[] rendered as text ("{a,b}").
func parseArray(s string) []uuid.UUID {
	s = strings.Trim(s, "{}")
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := make([]uuid.UUID, 0, len(parts))
	for _, p := range parts {
		if id, err := uuid.Parse(strings.Trim(p, `"`)); err == nil {
			out = append(out, id)
		}
	}
	return out
}

const entryCols = `e.position, e.id, e.org_id, e.type, e.actor_id, e.subject_type, e.subject_id, e.payload::text AS payload, e.created_at`

// Since implements appevents.Streams: the dispatched events naming the user after position
// seq and up to upTo, in organisations where they are still an active member; an event to the
// whole organisation only if it came after they joined.
func (s *Store) Since(ctx context.Context, userID uuid.UUID, seq, upTo int64, limit int) ([]appevents.Entry, bool, error) {
	db := postgres.Conn(ctx, s.db)
	var first *int64
	if err := db.Raw(`SELECT min(position) FROM events`).Scan(&first).Error; err != nil {
		return nil, false, postgres.Translate(err)
	}
	// Events after seq may have been pruned when the oldest one kept is later than seq+1.
	complete := first == nil || *first <= seq+1
	var rows []entryRow
	err := db.Raw(`SELECT `+entryCols+` FROM events e
		WHERE e.position > @seq AND e.position <= @upTo
		  AND (e.broadcast OR e.audience_id IN (
		       SELECT a.id FROM event_audiences a
		       WHERE a.recipients @> ARRAY[CAST(@user AS uuid)]
		         AND a.id IN (SELECT audience_id FROM events WHERE position > @seq AND position <= @upTo)))
		  AND EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = e.org_id AND m.user_id = @user AND m.status = 'active'
		              AND (NOT e.broadcast OR m.joined_at <= e.dispatched_at))
		ORDER BY e.position LIMIT @limit`, map[string]any{"seq": seq, "upTo": upTo, "user": userID, "limit": limit}).Scan(&rows).Error
	if err != nil {
		return nil, false, postgres.Translate(err)
	}
	out := make([]appevents.Entry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
		out[i].Recipients = []uuid.UUID{userID}
	}
	return out, complete, nil
}

// After implements appevents.Streams: the dispatched events after position, with their
// recipients, in order.
func (s *Store) After(ctx context.Context, position int64, limit int) ([]appevents.Entry, error) {
	var rows []entryRow
	err := postgres.Conn(ctx, s.db).Raw(`SELECT `+entryCols+`, e.audience_id, e.broadcast FROM events e
		WHERE e.position > ? ORDER BY e.position LIMIT ?`, position, limit).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	var want []int64
	for _, r := range rows {
		if r.AudienceID != nil {
			want = append(want, *r.AudienceID)
		}
	}
	lists, err := s.audiences.get(ctx, postgres.Conn(ctx, s.db), want)
	if err != nil {
		return nil, err
	}
	out := make([]appevents.Entry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
		if r.AudienceID != nil {
			out[i].Recipients = lists[*r.AudienceID]
		}
	}
	return out, nil
}

// audienceCache keeps recipient lists by id: a list never changes once stored, and the events
// the gateways read one after another mostly share a few.
type audienceCache struct {
	mu    sync.Mutex
	lists map[int64][]uuid.UUID
}

// audienceCacheSize bounds the cache; past it, the cache starts afresh.
const audienceCacheSize = 1024

// get returns the lists with the given ids, reading those it does not hold in one query. The
// slices are shared: callers must not change them.
func (c *audienceCache) get(ctx context.Context, db *gorm.DB, ids []int64) (map[int64][]uuid.UUID, error) {
	out := make(map[int64][]uuid.UUID, len(ids))
	var missing []int64
	c.mu.Lock()
	for _, id := range ids {
		if l, ok := c.lists[id]; ok {
			out[id] = l
		} else if _, seen := out[id]; !seen && !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	var rows []struct {
		ID         int64
		Recipients string
	}
	if err := db.Raw(`SELECT id, recipients::text AS recipients FROM event_audiences WHERE id = ANY (?)`, pq.Array(missing)).Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lists == nil || len(c.lists)+len(rows) > audienceCacheSize {
		c.lists = map[int64][]uuid.UUID{}
	}
	for _, r := range rows {
		l := parseArray(r.Recipients)
		c.lists[r.ID], out[r.ID] = l, l
	}
	return out, nil
}

// Last implements appevents.Streams.
func (s *Store) Last(ctx context.Context) (int64, error) {
	var last int64
	err := postgres.Conn(ctx, s.db).Raw(`SELECT COALESCE(max(position), 0) FROM events`).Scan(&last).Error
	return last, postgres.Translate(err)
}

// Prune removes the events dispatched before before: the streams then begin after them.
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	db := postgres.Conn(ctx, s.db)
	res := db.Exec(`DELETE FROM events WHERE dispatched_at < ?`, before)
	if res.Error != nil {
		return 0, postgres.Translate(res.Error)
	}
	// The lists no event names any more, unless a dispatch named one since before (it may not
	// have committed yet).
	if err := db.Exec(`DELETE FROM event_audiences a WHERE a.used_at < ?
		AND NOT EXISTS (SELECT 1 FROM events e WHERE e.audience_id = a.id)`, before).Error; err != nil {
		return 0, postgres.Translate(err)
	}
	return res.RowsAffected, nil
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
