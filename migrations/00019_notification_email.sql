-- +goose Up
-- Notifications by email: the digest worker mails a person's unread notifications that are due
-- (see app/notifications) and stamps emailed_at on them in the same transaction, so each is
-- mailed once. The partial index holds only those still waiting, so the worker's scan stays
-- small however many notifications were read or mailed long ago.
ALTER TABLE notifications ADD COLUMN emailed_at timestamptz;
CREATE INDEX notifications_digest_idx ON notifications (user_id, created_at) WHERE read_at IS NULL AND emailed_at IS NULL;

-- Who has an open WebSocket, per replica: a replica adds its row when a user's first connection
-- opens, refreshes seen_at while it stays open and removes it when the last one closes. A row
-- not refreshed for 90 seconds (a replica that died) no longer counts as online.
CREATE TABLE presence (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    replica_id text NOT NULL CHECK (length(replica_id) BETWEEN 1 AND 200),
    seen_at    timestamptz NOT NULL,
    PRIMARY KEY (user_id, replica_id)
);
CREATE INDEX presence_seen_idx ON presence (seen_at);

-- +goose Down
DROP TABLE presence;
DROP INDEX notifications_digest_idx;
ALTER TABLE notifications DROP COLUMN emailed_at;
