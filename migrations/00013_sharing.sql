-- +goose Up
-- Sharing: shares of a file or folder with a member, a sub-group or a department (and so its
-- subtree), and share links that anyone holding their token may open.
--
-- A share or link points at a file or a folder, and a share at a member, a group or a
-- department: one nullable column per kind, exactly one of them set, so that each is a tenant
-- composite key like every other reference of the module (00011), and PostgreSQL itself refuses
-- a share of organisation A's file with organisation B's group. Removing what a share names
-- (purging the file, deleting the folder, the group or the department, removing the member)
-- removes the share with it. target_id and principal_id repeat the one set column, for lookups.
CREATE TABLE shares (
    id             uuid PRIMARY KEY,
    org_id         uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    target_type    text NOT NULL CHECK (target_type IN ('file', 'folder')),
    file_id        uuid,
    folder_id      uuid,
    target_id      uuid NOT NULL GENERATED ALWAYS AS (coalesce(file_id, folder_id)) STORED,
    principal_type text NOT NULL CHECK (principal_type IN ('user', 'group', 'department')),
    user_id        uuid,
    group_id       uuid,
    department_id  uuid,
    principal_id   uuid NOT NULL GENERATED ALWAYS AS (coalesce(user_id, group_id, department_id)) STORED,
    role           text NOT NULL CHECK (role IN ('viewer', 'editor')),
    created_by     uuid NOT NULL,
    created_at     timestamptz NOT NULL,
    CONSTRAINT shares_org_id_id_key UNIQUE (org_id, id),
    -- One share per target and principal: sharing again is refused, not doubled.
    CONSTRAINT shares_target_principal_key UNIQUE (org_id, target_id, principal_id),
    CHECK (num_nonnulls(file_id, folder_id) = 1 AND (target_type = 'file') = (file_id IS NOT NULL)),
    CHECK (num_nonnulls(user_id, group_id, department_id) = 1
        AND (principal_type = 'user') = (user_id IS NOT NULL)
        AND (principal_type = 'group') = (group_id IS NOT NULL)),
    CONSTRAINT shares_file_fkey FOREIGN KEY (org_id, file_id) REFERENCES files (org_id, id) ON DELETE CASCADE,
    CONSTRAINT shares_folder_fkey FOREIGN KEY (org_id, folder_id) REFERENCES folders (org_id, id) ON DELETE CASCADE,
    CONSTRAINT shares_user_fkey FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE,
    CONSTRAINT shares_group_fkey FOREIGN KEY (org_id, group_id) REFERENCES groups (org_id, id) ON DELETE CASCADE,
    CONSTRAINT shares_department_fkey FOREIGN KEY (org_id, department_id) REFERENCES departments (org_id, id) ON DELETE CASCADE
);
-- What a user may do is asked by principal (their id, groups, departments); what a file or
-- folder is shared with, by target.
CREATE INDEX shares_principal_idx ON shares (org_id, principal_id);

-- A share link. Its token is never stored: only its SHA-256 (the token has 192 random bits, so
-- a fast hash leaves nothing to guess), and the password only as an argon2id hash. downloads
-- counts the downloads so far, raised by one statement that also checks the limit, so
-- concurrent downloads cannot pass it.
CREATE TABLE share_links (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    target_type   text NOT NULL CHECK (target_type IN ('file', 'folder')),
    file_id       uuid,
    folder_id     uuid,
    target_id     uuid NOT NULL GENERATED ALWAYS AS (coalesce(file_id, folder_id)) STORED,
    token_hash    bytea NOT NULL CHECK (octet_length(token_hash) = 32),
    password_hash text, -- NULL: no password
    expires_at    timestamptz, -- NULL: never
    max_downloads integer NOT NULL DEFAULT 0 CHECK (max_downloads >= 0), -- 0: no limit
    downloads     integer NOT NULL DEFAULT 0 CHECK (downloads >= 0 AND (max_downloads = 0 OR downloads <= max_downloads)),
    revoked_at    timestamptz,
    created_by    uuid NOT NULL,
    created_at    timestamptz NOT NULL,
    CONSTRAINT share_links_token_hash_key UNIQUE (token_hash),
    CONSTRAINT share_links_org_id_id_key UNIQUE (org_id, id),
    CHECK (num_nonnulls(file_id, folder_id) = 1 AND (target_type = 'file') = (file_id IS NOT NULL)),
    CHECK (password_hash IS NULL OR password_hash LIKE '$argon2id$%'),
    CONSTRAINT share_links_file_fkey FOREIGN KEY (org_id, file_id) REFERENCES files (org_id, id) ON DELETE CASCADE,
    CONSTRAINT share_links_folder_fkey FOREIGN KEY (org_id, folder_id) REFERENCES folders (org_id, id) ON DELETE CASCADE
);
CREATE INDEX share_links_target_idx ON share_links (org_id, target_id);

-- Unlocked password links: whoever gave a link's password holds, in an HttpOnly cookie scoped
-- to the link, a random secret whose SHA-256 is kept here until it expires. Kept server-side
-- (rather than an HMAC under a key every replica would have to share), revoking the link ends
-- every grant with it.
CREATE TABLE share_link_grants (
    token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    org_id     uuid NOT NULL,
    link_id    uuid NOT NULL,
    expires_at timestamptz NOT NULL,
    CONSTRAINT share_link_grants_link_fkey FOREIGN KEY (org_id, link_id) REFERENCES share_links (org_id, id) ON DELETE CASCADE
);
CREATE INDEX share_link_grants_link_idx ON share_link_grants (link_id, expires_at);

-- +goose Down
DROP TABLE share_link_grants;
DROP TABLE share_links;
DROP TABLE shares;
