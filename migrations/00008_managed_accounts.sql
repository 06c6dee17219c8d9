-- +goose Up
-- Accounts belong to their people; organisations manage only the accounts they created (while
-- nobody else shares them) and those in the email domains assigned to them (org.AccountTies).

-- The people who run the installation: they create organisations and assign email domains.
-- Only the shell grants it (canopy admin grant-installation-admin).
ALTER TABLE users ADD COLUMN installation_admin boolean NOT NULL DEFAULT false;
-- The organisation whose provisioning (admin API, SCIM, bulk import) made the account.
ALTER TABLE users ADD COLUMN created_by_org_id uuid REFERENCES organisations (id) ON DELETE SET NULL;
-- Accounts provisioned before this migration and never activated (no password) belong to the
-- one organisation they are a member of: it made them. Accounts with a password may have been
-- made by their people, so they stay nobody's to manage until a domain is assigned.
UPDATE users u SET created_by_org_id = m.org_id
FROM (SELECT user_id, min(org_id::text)::uuid AS org_id FROM memberships GROUP BY user_id HAVING count(*) = 1) m
WHERE m.user_id = u.id AND u.password_hash = '';
-- Set while the password is an initial one an administrator chose: every API route but a few
-- answers 403 password_change_required until the person replaces it.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- Email domains an installation admin assigned to organisations; a domain to one organisation.
CREATE TABLE org_domains (
    domain     text PRIMARY KEY CHECK (domain = lower(domain) AND domain <> ''),
    org_id     uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL
);
CREATE INDEX org_domains_org_idx ON org_domains (org_id);

-- Activation links: a person whose account was provisioned without a password sets their first
-- one with a link. Only the SHA-256 of the 256-bit secret is kept; a link works once, until
-- expires_at, and a new link for the account ends the older ones.
CREATE TABLE activation_tokens (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id     uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    created_by uuid,
    token_hash bytea NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL
);
CREATE INDEX activation_tokens_user_idx ON activation_tokens (user_id) WHERE used_at IS NULL;

-- An invitation for one person: made when provisioning meets an account the organisation does
-- not manage; only the account with this email may accept it.
ALTER TABLE invitations ADD COLUMN email text CHECK (email = lower(email));
CREATE INDEX invitations_email_idx ON invitations (email) WHERE email IS NOT NULL;

-- Bulk imports: rows that became invitations, and the accounts each import created (for their
-- activation links).
ALTER TABLE import_jobs ADD COLUMN invited_rows integer NOT NULL DEFAULT 0;
CREATE TABLE import_accounts (
    job_id  uuid NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    org_id  uuid NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (job_id, user_id)
);

-- +goose Down
DROP TABLE import_accounts;
ALTER TABLE import_jobs DROP COLUMN invited_rows;
DROP INDEX invitations_email_idx;
ALTER TABLE invitations DROP COLUMN email;
DROP TABLE activation_tokens;
DROP TABLE org_domains;
ALTER TABLE users DROP COLUMN must_change_password;
ALTER TABLE users DROP COLUMN created_by_org_id;
ALTER TABLE users DROP COLUMN installation_admin;
