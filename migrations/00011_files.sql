-- +goose Up
-- The files module: spaces, folders nested in them, files and their immutable versions. Every
-- table carries org_id, and every reference between them is (org_id, ...) -> (org_id, ...), so
-- PostgreSQL itself refuses a row of one organisation pointing at another's (as 00009 does for
-- the directory). Folders and files also carry their space in the reference to their parent
-- folder, so a folder or file cannot sit under a folder of another space either.
--
-- owner_id, created_by and uploaded_by have no foreign key: a space's owner is an organisation,
-- a department, a group or a user by kind, and the people who made something stay named after
-- they leave (a key to memberships would cascade their files away or block their removal).
CREATE TABLE spaces (
    id                 uuid PRIMARY KEY,
    org_id             uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    kind               text NOT NULL CHECK (kind IN ('organisation', 'department', 'group', 'personal')),
    owner_id           uuid NOT NULL,
    min_retention_days integer NOT NULL DEFAULT 0 CHECK (min_retention_days BETWEEN 0 AND 36500),
    max_retention_days integer NOT NULL DEFAULT 0 CHECK (max_retention_days BETWEEN 0 AND 36500),
    quota_bytes        bigint NOT NULL DEFAULT 0 CHECK (quota_bytes >= 0),
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    CONSTRAINT spaces_org_id_id_key UNIQUE (org_id, id),
    CONSTRAINT spaces_owner_key UNIQUE (org_id, kind, owner_id),
    CHECK (kind <> 'organisation' OR owner_id = org_id)
);

-- path lists the folder ids from the top of the space down to the folder itself
-- ('/top/.../self/'), so a subtree is one prefix range scan on (org_id, path), as for departments.
CREATE TABLE folders (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    space_id   uuid NOT NULL,
    parent_id  uuid,
    path       text NOT NULL,
    depth      integer NOT NULL CHECK (depth BETWEEN 1 AND 32),
    name       text NOT NULL,
    name_key   text NOT NULL,
    created_by uuid NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CONSTRAINT folders_org_id_id_key UNIQUE (org_id, id),
    CONSTRAINT folders_org_space_id_key UNIQUE (org_id, space_id, id),
    CONSTRAINT folders_space_fkey FOREIGN KEY (org_id, space_id) REFERENCES spaces (org_id, id) ON DELETE CASCADE,
    CONSTRAINT folders_parent_fkey FOREIGN KEY (org_id, space_id, parent_id) REFERENCES folders (org_id, space_id, id),
    CHECK ((parent_id IS NULL) = (depth = 1))
);
CREATE INDEX folders_path_idx ON folders (org_id, path text_pattern_ops);
CREATE INDEX folders_children_idx ON folders (space_id, parent_id, name_key);

CREATE TABLE files (
    id                 uuid PRIMARY KEY,
    org_id             uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    space_id           uuid NOT NULL,
    folder_id          uuid, -- NULL at the root of the space
    name               text NOT NULL,
    name_key           text NOT NULL,
    current_version_id uuid,
    version_count      integer NOT NULL DEFAULT 0 CHECK (version_count >= 0),
    created_by         uuid NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    CONSTRAINT files_org_id_id_key UNIQUE (org_id, id),
    CONSTRAINT files_space_fkey FOREIGN KEY (org_id, space_id) REFERENCES spaces (org_id, id) ON DELETE CASCADE,
    CONSTRAINT files_folder_fkey FOREIGN KEY (org_id, space_id, folder_id) REFERENCES folders (org_id, space_id, id)
);
CREATE INDEX files_folder_idx ON files (space_id, folder_id, name_key);

CREATE TABLE file_versions (
    id              uuid PRIMARY KEY,
    org_id          uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    file_id         uuid NOT NULL,
    number          integer NOT NULL CHECK (number >= 1),
    object_key      text NOT NULL,
    size            bigint NOT NULL CHECK (size >= 0),
    sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content_type    text NOT NULL,
    uploaded_by     uuid NOT NULL,
    uploaded_at     timestamptz NOT NULL,
    available_until timestamptz NOT NULL CHECK (available_until >= uploaded_at),
    legal_hold      boolean NOT NULL DEFAULT false,
    -- The retention date last applied to the object in the store (S3 Object Lock); NULL until
    -- then. available_until is what the rules require, locked_until what the store enforces.
    locked_until    timestamptz,
    CONSTRAINT file_versions_object_key_key UNIQUE (object_key),
    CONSTRAINT file_versions_number_key UNIQUE (file_id, number),
    CONSTRAINT file_versions_org_file_id_key UNIQUE (org_id, file_id, id),
    CONSTRAINT file_versions_file_fkey FOREIGN KEY (org_id, file_id) REFERENCES files (org_id, id),
    -- An object key is "<org id>/<uuid>": no version can name another organisation's object.
    CHECK (starts_with(object_key, org_id::text || '/'))
);

-- The current version is one of the file's own. Deferred, since a file and its first version
-- are written in one transaction and each names the other.
ALTER TABLE files ADD CONSTRAINT files_current_version_fkey FOREIGN KEY (org_id, id, current_version_id)
    REFERENCES file_versions (org_id, file_id, id) DEFERRABLE INITIALLY DEFERRED;

-- Files and folders share one namespace per parent: a folder and a file cannot have the same
-- name (without regard to case) side by side, as in every file system and archive. One row per
-- file or folder here, written by the repositories in the same transaction as the entry, makes
-- that a single unique index that holds under concurrent writers; a NULL parent (the root of
-- the space) counts as one parent. Deleting the entry deletes its name.
CREATE TABLE file_names (
    org_id    uuid NOT NULL,
    space_id  uuid NOT NULL,
    parent_id uuid, -- NULL at the root of the space
    name_key  text NOT NULL,
    folder_id uuid UNIQUE,
    file_id   uuid UNIQUE,
    CHECK (num_nonnulls(folder_id, file_id) = 1),
    CONSTRAINT file_names_key UNIQUE NULLS NOT DISTINCT (org_id, space_id, parent_id, name_key),
    FOREIGN KEY (org_id, space_id) REFERENCES spaces (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, space_id, parent_id) REFERENCES folders (org_id, space_id, id),
    FOREIGN KEY (org_id, folder_id) REFERENCES folders (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, file_id) REFERENCES files (org_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE file_names;
ALTER TABLE files DROP CONSTRAINT files_current_version_fkey;
DROP TABLE file_versions;
DROP TABLE files;
DROP TABLE folders;
DROP TABLE spaces;
