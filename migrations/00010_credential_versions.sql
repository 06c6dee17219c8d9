-- +goose Up
-- Credential versions: ending an account's credentials (resetting them, disabling the account,
-- its person changing their password) counts users.credential_version up in the transaction
-- that deletes its sessions and revokes its tokens. Every session and API token records the
-- version of the account it was made under, and authentication refuses one whose version is no
-- longer the account's. So a session or token made from a read of the account just before the
-- change (a sign-in whose password check was still running) does not survive it.
-- Existing rows are all at version 0, which is where every account starts.
ALTER TABLE users ADD COLUMN credential_version bigint NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN credential_version bigint NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN credential_version bigint NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN credential_version;
ALTER TABLE sessions DROP COLUMN credential_version;
ALTER TABLE users DROP COLUMN credential_version;
