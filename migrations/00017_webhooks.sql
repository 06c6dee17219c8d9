-- +goose Up
-- Webhooks: an organisation's URLs subscribed to event types, and one delivery row per event
-- and subscription. The webhooks consumer writes deliveries in the dispatcher's transaction, so
-- an event that rolled back has none; a worker posts them after commit, claiming due rows with
-- SKIP LOCKED so that any number of replicas share the work.
CREATE TABLE webhook_subscriptions (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    url           text NOT NULL CHECK (octet_length(url) <= 2048),
    event_types   text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 100),
    -- secret is the HMAC key, kept as it was given out: signing needs it whole. It is shown
    -- once, when the subscription is created, and never read back through the API or logged.
    secret        text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    -- paused_at is set when the subscription was paused for failing failure_count times in a row.
    paused_at     timestamptz,
    failure_count integer NOT NULL DEFAULT 0,
    created_by    uuid,
    created_at    timestamptz NOT NULL
);
CREATE INDEX webhook_subscriptions_org_idx ON webhook_subscriptions (org_id) WHERE active;

CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY,
    org_id          uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id        bigint NOT NULL,
    event_type      text NOT NULL,
    -- payload is the body's data member (the event's subject, actor and payload); occurred_at
    -- is when the event happened, created_at when the delivery was made (a redelivery is a new
    -- delivery) and from when its retries run.
    payload         jsonb NOT NULL,
    occurred_at     timestamptz NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    -- last_status is the receiver's HTTP status (0 when no answer came); last_error says why
    -- the last attempt failed, never with a secret in it.
    last_status     integer NOT NULL DEFAULT 0,
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    delivered_at    timestamptz
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_subscription_idx ON webhook_deliveries (subscription_id, created_at DESC);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
