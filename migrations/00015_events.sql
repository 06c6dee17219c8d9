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

-- Each user's stream: a gapless sequence per user. The dispatcher takes the next number with a
-- row lock on user_streams, so a user's events commit in the order of their numbers, which is
-- what lets every replica read "what is new for these users" as seq > the last one it sent.
CREATE TABLE user_streams (
    user_id  uuid PRIMARY KEY,
    last_seq bigint NOT NULL DEFAULT 0
);

CREATE TABLE user_events (
    user_id      uuid NOT NULL,
    seq          bigint NOT NULL,
    org_id       uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    event_id     bigint NOT NULL,
    type         text NOT NULL,
    actor_id     uuid,
    subject_type text NOT NULL,
    subject_id   uuid NOT NULL,
    payload      jsonb NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (user_id, seq)
);
CREATE INDEX user_events_created_idx ON user_events (created_at);

-- +goose Down
DROP TABLE user_events;
DROP TABLE user_streams;
DROP TABLE events;
