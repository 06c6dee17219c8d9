-- +goose Up
-- The files module, continued: what the store calls each version, the trash, legal holds, the
-- organisation's files settings (retention, quota, sharing policy), usage, and uploads in
-- progress (which are also the reservations that keep concurrent uploads within a quota).

-- object_version is the S3 version id of the version's object. Retention and legal hold are set
-- on that exact object version, so a later write to the same key could never escape them.
ALTER TABLE file_versions ADD COLUMN object_version text NOT NULL DEFAULT '';
-- Thumbnails are made by a background job: pending until it has run, then done (thumbnail_key
-- names the image) or none (not an image it can read).
ALTER TABLE file_versions ADD COLUMN thumbnail_state text NOT NULL DEFAULT 'pending'
    CHECK (thumbnail_state IN ('pending', 'done', 'none'));
ALTER TABLE file_versions ADD COLUMN thumbnail_key text;
CREATE INDEX file_versions_thumbnail_pending_idx ON file_versions (uploaded_at) WHERE thumbnail_state = 'pending';
-- The sweeper re-applies a lock where locked_until is behind available_until.
CREATE INDEX file_versions_unlocked_idx ON file_versions (org_id) WHERE locked_until IS NULL OR locked_until < available_until;
CREATE INDEX file_versions_file_idx ON file_versions (org_id, file_id, number);

-- Search by name finds files and folders by their pinyin (full or initials) too, as the
-- directory does; the repositories keep both keys with the name.
ALTER TABLE files ADD COLUMN name_pinyin text NOT NULL DEFAULT '';
ALTER TABLE files ADD COLUMN name_initials text NOT NULL DEFAULT '';
ALTER TABLE folders ADD COLUMN name_pinyin text NOT NULL DEFAULT '';
ALTER TABLE folders ADD COLUMN name_initials text NOT NULL DEFAULT '';

-- A deleted file is in the trash: it has left its folder's namespace (its file_names row is
-- removed), so its name is free again, and it is purged trash_days after deleted_at.
ALTER TABLE files ADD COLUMN deleted_at timestamptz;
ALTER TABLE files ADD COLUMN deleted_by uuid;
CREATE INDEX files_trash_idx ON files (org_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX files_space_live_idx ON files (org_id, space_id) WHERE deleted_at IS NULL;

-- Space-level settings beside retention and quota: bytes used (every stored version, trash
-- included, counted in the transaction that commits or purges it) and the sharing policy.
-- links_allowed NULL means the space adds no rule of its own.
ALTER TABLE spaces ADD COLUMN used_bytes bigint NOT NULL DEFAULT 0 CHECK (used_bytes >= 0);
ALTER TABLE spaces ADD COLUMN links_allowed boolean;
ALTER TABLE spaces ADD COLUMN max_link_expiry_days integer NOT NULL DEFAULT 0 CHECK (max_link_expiry_days BETWEEN 0 AND 36500);
ALTER TABLE spaces ADD COLUMN link_password_required boolean NOT NULL DEFAULT false;
ALTER TABLE spaces ADD COLUMN legal_hold boolean NOT NULL DEFAULT false;

-- An organisation's files settings; a missing row means the defaults.
CREATE TABLE file_settings (
    org_id                 uuid PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    min_retention_days     integer NOT NULL DEFAULT 3 CHECK (min_retention_days BETWEEN 0 AND 36500),
    max_retention_days     integer NOT NULL DEFAULT 0 CHECK (max_retention_days BETWEEN 0 AND 36500),
    quota_bytes            bigint NOT NULL DEFAULT 0 CHECK (quota_bytes >= 0),
    used_bytes             bigint NOT NULL DEFAULT 0 CHECK (used_bytes >= 0),
    trash_days             integer NOT NULL DEFAULT 30 CHECK (trash_days BETWEEN 0 AND 3650),
    links_allowed          boolean NOT NULL DEFAULT true,
    max_link_expiry_days   integer NOT NULL DEFAULT 0 CHECK (max_link_expiry_days BETWEEN 0 AND 36500),
    link_password_required boolean NOT NULL DEFAULT false,
    updated_at             timestamptz NOT NULL DEFAULT now()
);

-- Legal holds on a folder (and so everything under it, now and later). Holds on a file or a
-- space are the legal_hold flags of its versions and of the space; a version is held when it,
-- a folder above it or its space is held.
ALTER TABLE folders ADD COLUMN legal_hold boolean NOT NULL DEFAULT false;

-- Uploads in progress: a tus upload between its creation and its last byte, or a streamed
-- upload while its body is read. Each reserves its declared length in its space's and its
-- organisation's quota until it completes or expires, so concurrent uploads cannot together
-- pass a quota. The object is written under object_key; a tus upload's parts go into the S3
-- multipart upload multipart_id.
CREATE TABLE uploads (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('tus', 'stream')),
    space_id     uuid NOT NULL,
    folder_id    uuid,
    filename     text NOT NULL,
    length       bigint NOT NULL CHECK (length >= 0),
    "offset"     bigint NOT NULL DEFAULT 0 CHECK ("offset" BETWEEN 0 AND length),
    object_key   text NOT NULL UNIQUE CHECK (starts_with(object_key, org_id::text || '/')),
    multipart_id text NOT NULL DEFAULT '',
    parts        jsonb NOT NULL DEFAULT '[]',
    hash_state   bytea,
    head         bytea, -- the first bytes, from which the content type is sniffed
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT uploads_org_id_id_key UNIQUE (org_id, id),
    FOREIGN KEY (org_id, space_id) REFERENCES spaces (org_id, id) ON DELETE CASCADE
);
CREATE INDEX uploads_space_idx ON uploads (org_id, space_id);
CREATE INDEX uploads_expires_idx ON uploads (expires_at);

-- Objects written to the store whose row may never land (the process died between the write and
-- the commit): recorded before the write, deleted in the commit's transaction. The sweeper
-- removes the objects of entries older than the grace period that no version names.
CREATE TABLE pending_objects (
    object_key text PRIMARY KEY,
    org_id     uuid NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX pending_objects_created_idx ON pending_objects (created_at);

-- Legal holds in place, with who set them and when: on a file, a folder (everything under it,
-- now and later) or a space. A version's legal_hold flag is whether any of them covers it
-- (its file's, a folder's above it, its space's), recomputed when one is released, so that a
-- version another hold still covers stays held; folders.legal_hold and spaces.legal_hold repeat
-- the folder and space rows here for the upload path. target_id has no foreign key: it names a
-- row of one of three tables, and a held file or folder cannot be deleted or purged anyway.
CREATE TABLE legal_holds (
    org_id      uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    target_type text NOT NULL CHECK (target_type IN ('file', 'folder', 'space')),
    target_id   uuid NOT NULL,
    set_by      uuid NOT NULL,
    set_at      timestamptz NOT NULL,
    PRIMARY KEY (org_id, target_type, target_id)
);
-- The S3 legal hold last applied to the version's object; the sweeper re-applies it where it
-- differs from legal_hold (a store that failed when the hold was set or released).
ALTER TABLE file_versions ADD COLUMN hold_applied boolean NOT NULL DEFAULT false;
CREATE INDEX file_versions_hold_behind_idx ON file_versions (org_id) WHERE legal_hold <> hold_applied;

-- +goose Down
DROP INDEX file_versions_hold_behind_idx;
ALTER TABLE file_versions DROP COLUMN hold_applied;
DROP TABLE legal_holds;
DROP TABLE pending_objects;
DROP TABLE uploads;
ALTER TABLE folders DROP COLUMN legal_hold;
DROP TABLE file_settings;
ALTER TABLE spaces DROP COLUMN legal_hold, DROP COLUMN link_password_required, DROP COLUMN max_link_expiry_days,
    DROP COLUMN links_allowed, DROP COLUMN used_bytes;
DROP INDEX files_space_live_idx;
DROP INDEX files_trash_idx;
ALTER TABLE files DROP COLUMN deleted_by, DROP COLUMN deleted_at, DROP COLUMN name_pinyin, DROP COLUMN name_initials;
ALTER TABLE folders DROP COLUMN name_pinyin, DROP COLUMN name_initials;
DROP INDEX file_versions_file_idx;
DROP INDEX file_versions_unlocked_idx;
DROP INDEX file_versions_thumbnail_pending_idx;
ALTER TABLE file_versions DROP COLUMN thumbnail_key, DROP COLUMN thumbnail_state, DROP COLUMN object_version;
