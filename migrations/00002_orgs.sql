-- +goose Up
CREATE TABLE organisations (
    id             uuid PRIMARY KEY,
    name           text NOT NULL,
    default_locale text NOT NULL CHECK (default_locale IN ('en', 'zh-CN')),
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);

CREATE TABLE memberships (
    org_id         uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role           text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    status         text NOT NULL CHECK (status IN ('active', 'deactivated')),
    joined_at      timestamptz NOT NULL,
    deactivated_at timestamptz,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id);

CREATE TABLE invitations (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    role       text NOT NULL CHECK (role IN ('admin', 'member')),
    max_uses   integer NOT NULL CHECK (max_uses BETWEEN 1 AND 10000),
    uses       integer NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    created_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL
);
CREATE INDEX invitations_org_id_idx ON invitations (org_id, created_at DESC);

CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL,
    user_id      uuid NOT NULL,
    name         text NOT NULL,
    scopes       text[] NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL,
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX api_tokens_member_idx ON api_tokens (org_id, user_id);

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE invitations;
DROP TABLE memberships;
DROP TABLE organisations;
