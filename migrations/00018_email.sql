-- +goose Up
-- The email outbox: a use case that sends mail writes the rendered message here in the
-- transaction of its change (a rolled-back change sends nothing); a worker on any replica claims
-- due rows with SKIP LOCKED, sends them, and retries a failure with a growing pause until
-- max attempts, after which the row stays as failed (the dead letter).
CREATE TABLE email_outbox (
    id              uuid PRIMARY KEY,
    "to"            text NOT NULL CHECK (length("to") BETWEEN 3 AND 320),
    locale          text NOT NULL,
    kind            text NOT NULL CHECK (kind ~ '^[a-z_]+$'),
    subject         text NOT NULL,
    text            text NOT NULL,
    html            text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz
);
CREATE INDEX email_outbox_due_idx ON email_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX email_outbox_created_idx ON email_outbox (created_at);

-- Self-service password reset links: only the SHA-256 of the 256-bit secret is kept; a link
-- works once, for 30 minutes, and only while the account's credentials are those it was
-- issued under (a password change or a credential reset in the meantime ends it).
CREATE TABLE password_reset_tokens (
    id                 uuid PRIMARY KEY,
    user_id            uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash         bytea NOT NULL UNIQUE,
    credential_version bigint NOT NULL,
    expires_at         timestamptz NOT NULL,
    used_at            timestamptz,
    created_at         timestamptz NOT NULL
);
CREATE INDEX password_reset_tokens_user_idx ON password_reset_tokens (user_id) WHERE used_at IS NULL;

-- +goose Down
DROP TABLE password_reset_tokens;
DROP TABLE email_outbox;
