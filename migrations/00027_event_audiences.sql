-- +goose Up
-- An event's recipients are a list that the events of one audience share: each message of a
-- 1,000-member chat reaches the same 1,000 people, so the list is written, stored and read once,
-- not with every event. digest is the SHA-256 of the list as text, sorted; used_at is when a
-- dispatch last named it, so the pruning keeps the lists still in use.
CREATE TABLE event_audiences (
    id         bigserial PRIMARY KEY,
    digest     bytea NOT NULL UNIQUE,
    recipients uuid[] NOT NULL,
    used_at    timestamptz NOT NULL
);
ALTER TABLE events ADD COLUMN audience_id bigint REFERENCES event_audiences (id);
CREATE INDEX events_audience_idx ON events (audience_id);
INSERT INTO event_audiences (digest, recipients, used_at)
SELECT DISTINCT ON (digest) digest, recipients, now()
FROM (SELECT sha256(convert_to(recipients::text, 'UTF8')) AS digest, recipients FROM events WHERE cardinality(recipients) > 0) x;
UPDATE events e SET audience_id = a.id FROM event_audiences a
WHERE cardinality(e.recipients) > 0 AND a.digest = sha256(convert_to(e.recipients::text, 'UTF8'));
ALTER TABLE events DROP COLUMN recipients;

-- +goose Down
ALTER TABLE events ADD COLUMN recipients uuid[] NOT NULL DEFAULT '{}';
UPDATE events e SET recipients = a.recipients FROM event_audiences a WHERE a.id = e.audience_id;
ALTER TABLE events DROP COLUMN audience_id;
DROP TABLE event_audiences;
