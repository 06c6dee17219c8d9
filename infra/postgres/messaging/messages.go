package messaging

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	appevents "canopy/app/events"
	appmessaging "canopy/app/messaging"
	"canopy/domain/errs"
	"canopy/domain/messaging"
	"canopy/infra/postgres"
	pgevents "canopy/infra/postgres/events"
)

// Messages is the repository of messages, their edits, reactions and pins.
type Messages struct {
	db      *gorm.DB
	appends appendQueues
	// vector makes the tsvector literal of a body (infra/textsearch).
	vector func(string) string
}

// NewMessages returns it; vector makes the search vector of a body.
func NewMessages(db *gorm.DB, vector func(string) string) *Messages {
	return &Messages{db: db, vector: vector}
}

var _ appmessaging.MessageRepository = (*Messages)(nil)

// messageColumns are a message's columns, its arrays as text.
const messageColumns = `m.id, m.org_id, m.chat_id, m.seq, m.sender_id, m.client_id, m.body, m.thread_root_id, m.reply_count, m.last_reply_at,
	m.quote_id, m.mentions::text AS mentions, m.mention_all, m.attachment_ids::text AS attachment_ids, m.created_at, m.edited_at,
	m.recalled_at, m.deleted_at, m.deleted_by`

type messageRow struct {
	ID            uuid.UUID
	OrgID         uuid.UUID
	ChatID        uuid.UUID
	Seq           int64
	SenderID      uuid.UUID
	ClientID      string
	Body          string
	ThreadRootID  *uuid.UUID
	ReplyCount    int
	LastReplyAt   *time.Time
	QuoteID       *uuid.UUID
	Mentions      string
	MentionAll    bool
	AttachmentIDs string
	CreatedAt     time.Time
	EditedAt      *time.Time
	RecalledAt    *time.Time
	DeletedAt     *time.Time
	DeletedBy     *uuid.UUID
	Total         int
}

func (r messageRow) message() *messaging.Message {
	return messaging.RehydrateMessage(messaging.MessageRecord{ID: r.ID, OrgID: r.OrgID, ChatID: r.ChatID, Seq: r.Seq, SenderID: r.SenderID,
		ClientID: r.ClientID, Body: r.Body, ThreadRootID: idOf(r.ThreadRootID), ReplyCount: r.ReplyCount, LastReplyAt: postgres.TimeOrZero(r.LastReplyAt),
		QuoteID: idOf(r.QuoteID), Mentions: postgres.ParseUUIDArray(r.Mentions), MentionAll: r.MentionAll, AttachmentIDs: postgres.ParseUUIDArray(r.AttachmentIDs),
		CreatedAt: r.CreatedAt.UTC(), EditedAt: postgres.TimeOrZero(r.EditedAt), RecalledAt: postgres.TimeOrZero(r.RecalledAt),
		DeletedAt: postgres.TimeOrZero(r.DeletedAt), DeletedBy: idOf(r.DeletedBy)})
}

func messagesOf(rows []messageRow) []*messaging.Message {
	out := make([]*messaging.Message, len(rows))
	for i, r := range rows {
		out[i] = r.message()
	}
	return out
}

func (r *Messages) searchVector(body string) string {
	if r.vector == nil || body == "" {
		return ""
	}
	return r.vector(body)
}

// Append implements appmessaging.MessageRepository. The chat's row is locked from its statement
// to the commit, so every other send to the chat waits that long: the message, the sender's read
// state, the outbox row (as the events store's Publish writes it) and the pg_notify are one
// statement with it. Outside a transaction, the appends to one chat that arrive while one is
// being written wait and are written together, in one statement: under load a chat's sends take
// its row once a batch, not once each, and none holds a connection while queued for the row.
func (r *Messages) Append(ctx context.Context, m *messaging.Message, e *appevents.Event) (int64, error) {
	a := &pendingAppend{m: m, e: e, done: make(chan error, 1)}
	if postgres.InTx(ctx) {
		err := r.write(ctx, []*pendingAppend{a})
		return m.Seq(), err
	}
	r.appends.mu.Lock()
	if r.appends.chats == nil {
		r.appends.chats = map[uuid.UUID]*chatAppends{}
	}
	q, running := r.appends.chats[m.ChatID()]
	if !running {
		q = &chatAppends{}
		r.appends.chats[m.ChatID()] = q
	}
	q.pending = append(q.pending, a)
	r.appends.mu.Unlock()
	if !running {
		go r.drain(context.WithoutCancel(ctx), m.ChatID(), q)
	}
	select {
	case err := <-a.done:
		return m.Seq(), err
	case <-ctx.Done():
		return 0, errs.E(errs.Unavailable, "unavailable", "the request was cancelled or timed out")
	}
}

// pendingAppend is a message waiting for its chat's writer; done receives the outcome.
type pendingAppend struct {
	m    *messaging.Message
	e    *appevents.Event
	done chan error
}

// chatAppends are the appends waiting for a chat's writer, which runs while there are any.
type chatAppends struct{ pending []*pendingAppend }

// appendQueues are the chats with a writer running.
type appendQueues struct {
	mu    sync.Mutex
	chats map[uuid.UUID]*chatAppends
}

// appendBatch bounds the messages one statement writes; appendTimeout, how long it may take.
const (
	appendBatch   = 100
	appendTimeout = 30 * time.Second
)

// drain writes a chat's waiting appends, a batch at a time, until none is left. When a batch
// fails on a conflict, its messages are written one by one, so that only the one at fault (a
// client id sent twice at once) fails; any other failure (the database away, the chat archived)
// is every message's. A panic fails the batch it happened in rather than the process.
func (r *Messages) drain(ctx context.Context, chatID uuid.UUID, q *chatAppends) {
	for {
		r.appends.mu.Lock()
		batch := q.pending[:min(len(q.pending), appendBatch)]
		q.pending = q.pending[len(batch):]
		if len(batch) == 0 {
			delete(r.appends.chats, chatID)
			r.appends.mu.Unlock()
			return
		}
		r.appends.mu.Unlock()
		err := r.writeWithin(ctx, batch)
		if err != nil && len(batch) > 1 && errs.CodeOf(err) == "conflict" {
			for _, a := range batch {
				a.done <- r.writeWithin(ctx, []*pendingAppend{a})
			}
			continue
		}
		for _, a := range batch {
			a.done <- err
		}
	}
}

func (r *Messages) writeWithin(ctx context.Context, batch []*pendingAppend) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errs.Internalf("messaging: appending messages panicked: %v", p)
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, appendTimeout)
	defer cancel()
	return r.write(ctx, batch)
}

// write appends the messages, in order, to their chat in one statement (they share a chat and
// an organisation) and gives each its sequence.
func (r *Messages) write(ctx context.Context, batch []*pendingAppend) error {
	first := batch[0].m
	n := len(batch)
	col := func(f func(m *messaging.Message, e *appevents.Event) string) pq.StringArray {
		out := make(pq.StringArray, n)
		for i, a := range batch {
			e := a.e
			if e == nil {
				e = &appevents.Event{}
			}
			out[i] = f(a.m, e)
		}
		return out
	}
	id := func(u uuid.UUID) string {
		if u == uuid.Nil {
			return ""
		}
		return u.String()
	}
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	last := first.CreatedAt()
	alls, publish := make(pq.BoolArray, n), make(pq.BoolArray, n)
	audiences := make(pq.StringArray, n)
	for i, a := range batch {
		alls[i], publish[i], audiences[i] = a.m.MentionAll(), a.e != nil, "{}"
		if a.e != nil {
			audience, err := json.Marshal(a.e.Audience)
			if err != nil {
				return errs.Internalf("messaging: audience: %w", err)
			}
			audiences[i] = string(audience)
		}
		if a.m.CreatedAt().After(last) {
			last = a.m.CreatedAt()
		}
	}
	args := map[string]any{"org": first.OrgID(), "chat": first.ChatID(), "count": n, "last": last, "channel": pgevents.OutboxChannel,
		"ids":          col(func(m *messaging.Message, _ *appevents.Event) string { return m.ID().String() }),
		"senders":      col(func(m *messaging.Message, _ *appevents.Event) string { return m.SenderID().String() }),
		"clients":      col(func(m *messaging.Message, _ *appevents.Event) string { return m.ClientID() }),
		"bodies":       col(func(m *messaging.Message, _ *appevents.Event) string { return m.Body() }),
		"roots":        col(func(m *messaging.Message, _ *appevents.Event) string { return id(m.ThreadRootID()) }),
		"quotes":       col(func(m *messaging.Message, _ *appevents.Event) string { return id(m.QuoteID()) }),
		"mentions":     col(func(m *messaging.Message, _ *appevents.Event) string { return postgres.UUIDArray(m.Mentions()) }),
		"alls":         alls,
		"attachments":  col(func(m *messaging.Message, _ *appevents.Event) string { return postgres.UUIDArray(m.AttachmentIDs()) }),
		"searches":     col(func(m *messaging.Message, _ *appevents.Event) string { return r.searchVector(m.Body()) }),
		"ats":          col(func(m *messaging.Message, _ *appevents.Event) string { return stamp(m.CreatedAt()) }),
		"publish":      publish,
		"types":        col(func(_ *messaging.Message, e *appevents.Event) string { return e.Type }),
		"actors":       col(func(_ *messaging.Message, e *appevents.Event) string { return id(e.ActorID) }),
		"subjectTypes": col(func(_ *messaging.Message, e *appevents.Event) string { return e.SubjectType }),
		"subjects":     col(func(_ *messaging.Message, e *appevents.Event) string { return e.SubjectID.String() }),
		"audiences":    audiences,
		"payloads": col(func(_ *messaging.Message, e *appevents.Event) string {
			if len(e.Payload) > 0 {
				return string(e.Payload)
			}
			return "{}"
		}),
		"eventAts": col(func(_ *messaging.Message, e *appevents.Event) string { return stamp(e.CreatedAt) }),
	}
	var rows []struct {
		ID  uuid.UUID
		Seq int64
	}
	err := postgres.Conn(ctx, r.db).Raw(`WITH v AS (SELECT * FROM unnest(CAST(@ids AS uuid[]), CAST(@senders AS uuid[]), CAST(@clients AS text[]),
				CAST(@bodies AS text[]), CAST(@roots AS text[]), CAST(@quotes AS text[]), CAST(@mentions AS text[]), CAST(@alls AS boolean[]),
				CAST(@attachments AS text[]), CAST(@searches AS text[]), CAST(@ats AS timestamptz[]), CAST(@publish AS boolean[]),
				CAST(@types AS text[]), CAST(@actors AS text[]), CAST(@subjectTypes AS text[]), CAST(@subjects AS uuid[]),
				CAST(@audiences AS text[]), CAST(@payloads AS text[]), CAST(@eventAts AS timestamptz[]))
			WITH ORDINALITY AS v(id, sender, client, body, root, quote, mentions, mention_all, attachments, search, at, publish,
				type, actor, subject_type, subject, audience, payload, event_at, n)),
		s AS (UPDATE chats SET last_seq = last_seq + @count, last_message_at = @last
			WHERE org_id = @org AND id = @chat AND archived_at IS NULL RETURNING last_seq),
		m AS (INSERT INTO messages (id, org_id, chat_id, seq, sender_id, client_id, body, thread_root_id, quote_id, mentions, mention_all,
				attachment_ids, search, created_at)
			SELECT v.id, @org, @chat, s.last_seq - @count + v.n, v.sender, v.client, v.body, CAST(NULLIF(v.root, '') AS uuid),
				CAST(NULLIF(v.quote, '') AS uuid), CAST(v.mentions AS uuid[]), v.mention_all, CAST(v.attachments AS uuid[]),
				CAST(v.search AS tsvector), v.at FROM s, v RETURNING id, seq, sender_id),
		r AS (INSERT INTO chat_reads (org_id, chat_id, user_id, last_read_seq) SELECT @org, @chat, sender_id, max(seq) FROM m GROUP BY sender_id
			ON CONFLICT (chat_id, user_id) DO UPDATE SET last_read_seq = GREATEST(chat_reads.last_read_seq, EXCLUDED.last_read_seq)),
		e AS (INSERT INTO events (org_id, type, actor_id, subject_type, subject_id, audience, payload, created_at)
			SELECT @org, v.type, CAST(NULLIF(v.actor, '') AS uuid), v.subject_type, v.subject, CAST(v.audience AS jsonb),
				jsonb_set(CAST(v.payload AS jsonb), '{message,seq}', to_jsonb(m.seq)), v.event_at
			FROM m JOIN v ON v.id = m.id WHERE v.publish ORDER BY m.seq)
		SELECT m.id, m.seq FROM m LEFT JOIN LATERAL (SELECT pg_notify(@channel, '') WHERE true = ANY (CAST(@publish AS boolean[]))) n ON true`,
		args).Scan(&rows).Error
	if err != nil {
		return postgres.Translate(err)
	}
	if len(rows) == 0 {
		// Nothing was written: the chat is archived, or gone.
		var archived []bool
		if err := postgres.Conn(ctx, r.db).Raw(`SELECT archived_at IS NOT NULL FROM chats WHERE org_id = ? AND id = ?`, first.OrgID(), first.ChatID()).Scan(&archived).Error; err != nil {
			return postgres.Translate(err)
		}
		if len(archived) == 0 {
			return errs.NotFoundf("chat")
		}
		return errs.E(errs.Conflict, "chat_archived", "the chat is archived")
	}
	seqs := make(map[uuid.UUID]int64, len(rows))
	for _, x := range rows {
		seqs[x.ID] = x.Seq
	}
	for _, a := range batch {
		a.m.Place(seqs[a.m.ID()])
	}
	return nil
}

func (r *Messages) one(ctx context.Context, q string, args ...any) (*messaging.Message, error) {
	var rows []messageRow
	if err := postgres.Conn(ctx, r.db).Raw(`SELECT `+messageColumns+` FROM messages m WHERE `+q, args...).Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return nil, errs.NotFoundf("message")
	}
	return rows[0].message(), nil
}

// Get implements appmessaging.MessageRepository.
func (r *Messages) Get(ctx context.Context, orgID, chatID, id uuid.UUID) (*messaging.Message, error) {
	return r.one(ctx, `m.org_id = ? AND m.chat_id = ? AND m.id = ?`, orgID, chatID, id)
}

// ByClientID implements appmessaging.MessageRepository.
func (r *Messages) ByClientID(ctx context.Context, orgID, chatID, senderID uuid.UUID, clientID string) (*messaging.Message, error) {
	return r.one(ctx, `m.org_id = ? AND m.chat_id = ? AND m.sender_id = ? AND m.client_id = ?`, orgID, chatID, senderID, clientID)
}

// ByIDs implements appmessaging.MessageRepository.
func (r *Messages) ByIDs(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]*messaging.Message, error) {
	var rows []messageRow
	if err := postgres.Conn(ctx, r.db).Raw(`SELECT `+messageColumns+` FROM messages m WHERE m.org_id = ? AND m.id = ANY(CAST(? AS uuid[]))`,
		orgID, postgres.UUIDArray(ids)).Scan(&rows).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make(map[uuid.UUID]*messaging.Message, len(rows))
	for _, x := range rows {
		out[x.ID] = x.message()
	}
	return out, nil
}

// Update implements appmessaging.MessageRepository.
func (r *Messages) Update(ctx context.Context, m *messaging.Message) error {
	res := postgres.Conn(ctx, r.db).Exec(`UPDATE messages SET body = ?, search = CAST(? AS tsvector), edited_at = ?, recalled_at = ?,
		deleted_at = ?, deleted_by = ? WHERE org_id = ? AND id = ?`, m.Body(), r.searchVector(m.Body()), postgres.NullableTime(m.EditedAt()),
		postgres.NullableTime(m.RecalledAt()), postgres.NullableTime(m.DeletedAt()), postgres.NullableID(m.DeletedBy()), m.OrgID(), m.ID())
	return postgres.NotFoundIfNone(res, "message")
}

// AddReply implements appmessaging.MessageRepository.
func (r *Messages) AddReply(ctx context.Context, orgID, rootID uuid.UUID, at time.Time) (*messaging.Message, error) {
	var rows []messageRow
	err := postgres.Conn(ctx, r.db).Raw(`UPDATE messages m SET reply_count = reply_count + 1, last_reply_at = ? WHERE org_id = ? AND id = ?
		RETURNING `+messageColumns, at, orgID, rootID).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	if len(rows) == 0 {
		return nil, errs.NotFoundf("message")
	}
	return rows[0].message(), nil
}

// AddEdit implements appmessaging.MessageRepository.
func (r *Messages) AddEdit(ctx context.Context, orgID, messageID uuid.UUID, body string, at time.Time) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Exec(`INSERT INTO message_edits (org_id, message_id, body, edited_at) VALUES (?, ?, ?, ?)`,
		orgID, messageID, body, at).Error)
}

// Edits implements appmessaging.MessageRepository.
func (r *Messages) Edits(ctx context.Context, orgID, messageID uuid.UUID) ([]appmessaging.Edit, error) {
	out := []appmessaging.Edit{}
	err := postgres.Conn(ctx, r.db).Raw(`SELECT body, edited_at FROM message_edits WHERE org_id = ? AND message_id = ? ORDER BY id`,
		orgID, messageID).Scan(&out).Error
	return out, postgres.Translate(err)
}

// Page implements appmessaging.MessageRepository.
func (r *Messages) Page(ctx context.Context, q appmessaging.PageQuery) ([]*messaging.Message, bool, error) {
	args := map[string]any{"org": q.OrgID, "chat": q.ChatID, "limit": q.Limit + 1}
	cond, order := "", "DESC"
	switch {
	case q.AfterSeq > 0:
		cond, order = " AND m.seq > @after", "ASC"
		args["after"] = q.AfterSeq
	case q.BeforeSeq > 0:
		cond = " AND m.seq < @before"
		args["before"] = q.BeforeSeq
	}
	var rows []messageRow
	err := postgres.Conn(ctx, r.db).Raw(`SELECT `+messageColumns+` FROM messages m
		WHERE m.org_id = @org AND m.chat_id = @chat AND m.thread_root_id IS NULL`+cond+`
		ORDER BY m.seq `+order+` LIMIT @limit`, args).Scan(&rows).Error
	if err != nil {
		return nil, false, postgres.Translate(err)
	}
	more := len(rows) > q.Limit
	if more {
		rows = rows[:q.Limit]
	}
	ms := messagesOf(rows)
	if order == "DESC" {
		for i, j := 0, len(ms)-1; i < j; i, j = i+1, j-1 {
			ms[i], ms[j] = ms[j], ms[i]
		}
	}
	return ms, more, nil
}

// Thread implements appmessaging.MessageRepository.
func (r *Messages) Thread(ctx context.Context, orgID, rootID uuid.UUID, afterSeq int64, limit int) ([]*messaging.Message, bool, error) {
	var rows []messageRow
	err := postgres.Conn(ctx, r.db).Raw(`SELECT `+messageColumns+` FROM messages m WHERE m.org_id = ? AND m.thread_root_id = ? AND m.seq > ?
		ORDER BY m.seq LIMIT ?`, orgID, rootID, afterSeq, limit+1).Scan(&rows).Error
	if err != nil {
		return nil, false, postgres.Translate(err)
	}
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	return messagesOf(rows), more, nil
}

// Reactions implements appmessaging.MessageRepository.
func (r *Messages) Reactions(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID, viewer uuid.UUID) (map[uuid.UUID][]appmessaging.Reaction, error) {
	var rows []struct {
		MessageID uuid.UUID
		Emoji     string
		Count     int
		Mine      bool
	}
	err := postgres.Conn(ctx, r.db).Raw(`SELECT message_id, emoji, count(*) AS count, bool_or(user_id = ?) AS mine FROM message_reactions
		WHERE org_id = ? AND message_id = ANY(CAST(? AS uuid[])) GROUP BY message_id, emoji ORDER BY message_id, min(created_at), emoji`,
		viewer, orgID, postgres.UUIDArray(ids)).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := map[uuid.UUID][]appmessaging.Reaction{}
	for _, x := range rows {
		out[x.MessageID] = append(out[x.MessageID], appmessaging.Reaction{Emoji: x.Emoji, Count: x.Count, Mine: x.Mine})
	}
	return out, nil
}

// React implements appmessaging.MessageRepository.
func (r *Messages) React(ctx context.Context, orgID, messageID, userID uuid.UUID, emoji string, at time.Time) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Exec(`INSERT INTO message_reactions (org_id, message_id, user_id, emoji, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, orgID, messageID, userID, emoji, at).Error)
}

// Unreact implements appmessaging.MessageRepository.
func (r *Messages) Unreact(ctx context.Context, orgID, messageID, userID uuid.UUID, emoji string) error {
	res := postgres.Conn(ctx, r.db).Exec(`DELETE FROM message_reactions WHERE org_id = ? AND message_id = ? AND user_id = ? AND emoji = ?`,
		orgID, messageID, userID, emoji)
	return postgres.NotFoundIfNone(res, "reaction")
}

// Pin implements appmessaging.MessageRepository.
func (r *Messages) Pin(ctx context.Context, m *messaging.Message, by uuid.UUID, at time.Time) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Exec(`INSERT INTO message_pins (org_id, chat_id, message_id, pinned_by, pinned_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, m.OrgID(), m.ChatID(), m.ID(), by, at).Error)
}

// Unpin implements appmessaging.MessageRepository.
func (r *Messages) Unpin(ctx context.Context, m *messaging.Message) error {
	res := postgres.Conn(ctx, r.db).Exec(`DELETE FROM message_pins WHERE org_id = ? AND chat_id = ? AND message_id = ?`, m.OrgID(), m.ChatID(), m.ID())
	return postgres.NotFoundIfNone(res, "pin")
}

// Pinned implements appmessaging.MessageRepository.
func (r *Messages) Pinned(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]bool, error) {
	var got []uuid.UUID
	if err := postgres.Conn(ctx, r.db).Raw(`SELECT message_id FROM message_pins WHERE org_id = ? AND message_id = ANY(CAST(? AS uuid[]))`,
		orgID, postgres.UUIDArray(ids)).Scan(&got).Error; err != nil {
		return nil, postgres.Translate(err)
	}
	out := make(map[uuid.UUID]bool, len(got))
	for _, id := range got {
		out[id] = true
	}
	return out, nil
}

// Pins implements appmessaging.MessageRepository.
func (r *Messages) Pins(ctx context.Context, orgID, chatID uuid.UUID) ([]*messaging.Message, error) {
	var rows []messageRow
	err := postgres.Conn(ctx, r.db).Raw(`SELECT `+messageColumns+` FROM message_pins p JOIN messages m ON m.id = p.message_id
		WHERE p.org_id = ? AND p.chat_id = ? ORDER BY p.pinned_at DESC, m.seq DESC LIMIT 200`, orgID, chatID).Scan(&rows).Error
	return messagesOf(rows), postgres.Translate(err)
}

// Senders implements appmessaging.MessageRepository.
func (r *Messages) Senders(ctx context.Context, orgID, chatID uuid.UUID, from, to int64, limit int) ([]uuid.UUID, error) {
	var out []uuid.UUID
	err := postgres.Conn(ctx, r.db).Raw(`SELECT DISTINCT sender_id FROM (SELECT sender_id FROM messages WHERE org_id = ? AND chat_id = ?
		AND seq > ? AND seq <= ? ORDER BY seq DESC LIMIT 1000) s LIMIT ?`, orgID, chatID, from, to, limit).Scan(&out).Error
	return out, postgres.Translate(err)
}

// Search implements appmessaging.MessageRepository. The matches in the member's chats are
// found first, by the GIN index on (chat_id, search), which narrows to those chats itself, and
// only their ids and times are kept; the page is sorted from them and only its rows are read.
// The total counts at most q.Cap matches (capped reports that there are more). A plan that
// walks the organisation's messages by time is never needed, whatever the words' frequency.
func (r *Messages) Search(ctx context.Context, q appmessaging.SearchQuery) ([]*messaging.Message, int, bool, error) {
	limitCap := q.Cap
	if limitCap <= 0 {
		limitCap = appmessaging.SearchTotalCap
	}
	args := map[string]any{"org": q.OrgID, "user": q.UserID, "guest": q.Guest, "q": q.TSQuery, "limit": q.Limit, "offset": q.Offset,
		"cap": limitCap + 1}
	cond := ""
	chats := `ARRAY(` + myChatsSQL + `)`
	if q.ChatID != uuid.Nil {
		// The caller has checked the member is in it.
		chats = `ARRAY[CAST(@chat AS uuid)]`
		args["chat"] = q.ChatID
	}
	if q.SenderID != uuid.Nil {
		cond += " AND m.sender_id = @sender"
		args["sender"] = q.SenderID
	}
	if !q.From.IsZero() {
		cond += " AND m.created_at >= @from"
		args["from"] = q.From
	}
	if !q.To.IsZero() {
		cond += " AND m.created_at < @to"
		args["to"] = q.To
	}
	var rows []messageRow
	err := postgres.Conn(ctx, r.db).Raw(`WITH hits AS MATERIALIZED (
			SELECT m.id, m.created_at FROM messages m
			WHERE m.chat_id = ANY (`+chats+`) AND m.search @@ CAST(@q AS tsquery)
			AND m.org_id = @org AND m.recalled_at IS NULL AND m.deleted_at IS NULL`+cond+`),
		page AS (SELECT id, created_at FROM hits ORDER BY created_at DESC, id LIMIT @limit OFFSET @offset)
		SELECT `+messageColumns+`, (SELECT count(*) FROM (SELECT 1 FROM hits LIMIT @cap) c) AS total
		FROM page p JOIN messages m ON m.id = p.id ORDER BY p.created_at DESC, p.id`, args).Scan(&rows).Error
	if err != nil {
		return nil, 0, false, postgres.Translate(err)
	}
	total := 0
	if len(rows) > 0 {
		total = rows[0].Total
	} else if q.Offset > 0 {
		// Past the last page: count them anyway.
		if err := postgres.Conn(ctx, r.db).Raw(`WITH hits AS MATERIALIZED (
			SELECT m.id FROM messages m
			WHERE m.chat_id = ANY (`+chats+`) AND m.search @@ CAST(@q AS tsquery)
			AND m.org_id = @org AND m.recalled_at IS NULL AND m.deleted_at IS NULL`+cond+`)
			SELECT count(*) FROM (SELECT 1 FROM hits LIMIT @cap) c`, args).Scan(&total).Error; err != nil {
			return nil, 0, false, postgres.Translate(err)
		}
	}
	capped := total > limitCap
	if capped {
		total = limitCap
	}
	return messagesOf(rows), total, capped, nil
}

// Latest implements appmessaging.MessageRepository.
func (r *Messages) Latest(ctx context.Context, orgID uuid.UUID, chatIDs []uuid.UUID) (map[uuid.UUID]*messaging.Message, error) {
	var rows []messageRow
	err := postgres.Conn(ctx, r.db).Raw(`SELECT `+messageColumns+` FROM unnest(CAST(? AS uuid[])) c(id)
		CROSS JOIN LATERAL (SELECT * FROM messages x WHERE x.org_id = ? AND x.chat_id = c.id AND x.thread_root_id IS NULL
			ORDER BY x.seq DESC LIMIT 1) m`, postgres.UUIDArray(chatIDs), orgID).Scan(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	out := make(map[uuid.UUID]*messaging.Message, len(rows))
	for _, x := range rows {
		out[x.ChatID] = x.message()
	}
	return out, nil
}

// All implements appmessaging.MessageRepository.
func (r *Messages) All(ctx context.Context, orgID, chatID uuid.UUID) ([]*messaging.Message, error) {
	var rows []messageRow
	err := postgres.Conn(ctx, r.db).Raw(`SELECT `+messageColumns+` FROM messages m WHERE m.org_id = ? AND m.chat_id = ? ORDER BY m.seq`,
		orgID, chatID).Scan(&rows).Error
	return messagesOf(rows), postgres.Translate(err)
}

// Purge implements appmessaging.MessageRepository.
func (r *Messages) Purge(ctx context.Context, now time.Time, limit int) (int64, error) {
	res := postgres.Conn(ctx, r.db).Exec(`DELETE FROM messages WHERE id IN (
		SELECT m.id FROM messaging_settings s
		JOIN messages m ON m.org_id = s.org_id AND m.created_at < CAST(@now AS timestamptz) - s.retention_days * interval '1 day'
		JOIN chats c ON c.id = m.chat_id AND NOT c.legal_hold
		WHERE s.retention_days IS NOT NULL
			AND (m.last_reply_at IS NULL OR m.last_reply_at < CAST(@now AS timestamptz) - s.retention_days * interval '1 day')
		LIMIT @limit)`, map[string]any{"now": now, "limit": limit})
	return res.RowsAffected, postgres.Translate(res.Error)
}

// Settings is the repository of the organisations' messaging settings and the members' choice
// of read receipts.
type Settings struct{ db *gorm.DB }

// NewSettings returns it.
func NewSettings(db *gorm.DB) *Settings { return &Settings{db} }

var _ appmessaging.SettingsRepository = (*Settings)(nil)

// Get implements appmessaging.SettingsRepository.
func (r *Settings) Get(ctx context.Context, orgID uuid.UUID) (messaging.Settings, error) {
	var rows []struct {
		RetentionDays      *int
		AllowReceiptOptOut bool
		MentionAllMax      *int
	}
	if err := postgres.Conn(ctx, r.db).Raw(`SELECT retention_days, allow_receipt_opt_out, mention_all_max FROM messaging_settings WHERE org_id = ?`,
		orgID).Scan(&rows).Error; err != nil {
		return messaging.Settings{}, postgres.Translate(err)
	}
	var s messaging.Settings
	if len(rows) == 1 {
		s.AllowReceiptOptOut = rows[0].AllowReceiptOptOut
		if rows[0].RetentionDays != nil {
			s.RetentionDays = *rows[0].RetentionDays
		}
		if rows[0].MentionAllMax != nil {
			s.MentionAllMax = *rows[0].MentionAllMax
		}
	}
	return s, nil
}

func nullInt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// Put implements appmessaging.SettingsRepository.
func (r *Settings) Put(ctx context.Context, orgID uuid.UUID, s messaging.Settings, at time.Time) error {
	return postgres.Translate(postgres.Conn(ctx, r.db).Exec(`INSERT INTO messaging_settings (org_id, retention_days, allow_receipt_opt_out, mention_all_max, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET retention_days = EXCLUDED.retention_days,
		allow_receipt_opt_out = EXCLUDED.allow_receipt_opt_out, mention_all_max = EXCLUDED.mention_all_max, updated_at = EXCLUDED.updated_at`,
		orgID, nullInt(s.RetentionDays), s.AllowReceiptOptOut, nullInt(s.MentionAllMax), at).Error)
}

// Receipts implements appmessaging.SettingsRepository.
func (r *Settings) Receipts(ctx context.Context, userID uuid.UUID) (bool, error) {
	var on []bool
	if err := postgres.Conn(ctx, r.db).Raw(`SELECT send_read_receipts FROM users WHERE id = ?`, userID).Scan(&on).Error; err != nil {
		return false, postgres.Translate(err)
	}
	return len(on) == 0 || on[0], nil
}

// SetReceipts implements appmessaging.SettingsRepository.
func (r *Settings) SetReceipts(ctx context.Context, userID uuid.UUID, on bool) error {
	res := postgres.Conn(ctx, r.db).Exec(`UPDATE users SET send_read_receipts = ? WHERE id = ?`, on, userID)
	return postgres.NotFoundIfNone(res, "user")
}
