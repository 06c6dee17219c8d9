-- +goose Up
-- The events backbone. A use case writes its events into `events` in the transaction of its
-- change (a rolled-back change leaves none); a dispatcher claims them in id order with SKIP
-- LOCKED, so any number of replicas handle each once, and sets dispatched_at in the same
-- transaction as everything its consumers write.
CREATE TABLE events (
    id            bigserial PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    type          text NOT NULL CHECK (type ~ '^[a-z]+\.[a-z_]+$'),
    actor_id      uuid,
    subject_type  text NOT NULL,
    subject_id    uuid NOT NULL,
    audience      jsonb NOT NULL DEFAULT '{}',
    payload       jsonb NOT NULL DEFAULT '{}' CHECK (octet_length(payload::text) <= 4096),
    created_at    timestamptz NOT NULL,
    dispatched_at timestamptz
);
CREATE INDEX events_undispatched_idx ON events (id) WHERE dispatched_at IS NULL;
CREATE INDEX events_dispatched_idx ON events (dispatched_at) WHERE dispatched_at IS NOT NULL;

-- The stream. When an event is dispatched it gets a position, from one sequence, under a lock
-- every dispatcher takes for its transaction, so positions commit in order: a reader that has
-- seen position P has seen everything before it. recipients are the users it reached (the
-- audience's active members when it was dispatched). A user's stream is the dispatched events
-- that name them, in the order of position, which is the `seq` clients resume from.
CREATE SEQUENCE event_positions;
ALTER TABLE events ADD COLUMN position bigint UNIQUE;
-- No index on recipients: a client catching up reads a range of positions and keeps its own
-- (bounded by the retention), and an index of every recipient of every event would cost the
-- dispatcher far more than it saves.
ALTER TABLE events ADD COLUMN recipients uuid[] NOT NULL DEFAULT '{}';
-- An event for the whole organisation names no one: it is in the stream of every active member
-- (checked when it is read), so it costs one row however large the organisation.
ALTER TABLE events ADD COLUMN broadcast boolean NOT NULL DEFAULT false;

-- +goose Down
DROP TABLE events;
DROP SEQUENCE event_positions;
