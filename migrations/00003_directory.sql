-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE organisations
    ADD COLUMN max_department_depth       integer NOT NULL DEFAULT 25 CHECK (max_department_depth BETWEEN 1 AND 25),
    ADD COLUMN max_group_members          integer NOT NULL DEFAULT 1000 CHECK (max_group_members BETWEEN 1 AND 1000),
    ADD COLUMN max_departments_per_member integer NOT NULL DEFAULT 50 CHECK (max_departments_per_member BETWEEN 1 AND 500);

-- Search keys kept by the repositories: the pinyin of a Chinese name, full ("zhangwei") and
-- initials ("zw"). For other names they hold the lower-cased name without spaces.
ALTER TABLE users
    ADD COLUMN name_pinyin   text NOT NULL DEFAULT '',
    ADD COLUMN name_initials text NOT NULL DEFAULT '';
CREATE INDEX users_name_trgm ON users USING gin (lower(display_name) gin_trgm_ops);
CREATE INDEX users_email_trgm ON users USING gin (lower(email) gin_trgm_ops);
CREATE INDEX users_pinyin_idx ON users (name_pinyin text_pattern_ops);
CREATE INDEX users_initials_idx ON users (name_initials text_pattern_ops);

-- A member's id in the organisation's HR system or identity provider.
ALTER TABLE memberships ADD COLUMN external_id text;
CREATE UNIQUE INDEX memberships_external_id_key ON memberships (org_id, external_id) WHERE external_id IS NOT NULL;

-- The department tree. path lists the ids from the root down to the department itself
-- ('/root/.../self/'), so a subtree is one prefix range scan on (org_id, path).
CREATE TABLE departments (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    parent_id     uuid REFERENCES departments (id),
    path          text NOT NULL,
    depth         integer NOT NULL CHECK (depth BETWEEN 1 AND 25),
    name          text NOT NULL,
    name_pinyin   text NOT NULL DEFAULT '',
    name_initials text NOT NULL DEFAULT '',
    sort_order    integer NOT NULL DEFAULT 0,
    external_id   text,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    CHECK ((parent_id IS NULL) = (depth = 1))
);
CREATE UNIQUE INDEX departments_root_key ON departments (org_id) WHERE parent_id IS NULL;
CREATE UNIQUE INDEX departments_sibling_name_key ON departments (parent_id, lower(name));
CREATE UNIQUE INDEX departments_external_id_key ON departments (org_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX departments_path_idx ON departments (org_id, path text_pattern_ops);
CREATE INDEX departments_children_idx ON departments (parent_id, sort_order);
CREATE INDEX departments_name_trgm ON departments USING gin (lower(name) gin_trgm_ops);
CREATE INDEX departments_pinyin_idx ON departments (org_id, name_pinyin text_pattern_ops);

-- Every existing organisation gets its root department.
INSERT INTO departments (id, org_id, path, depth, name, created_at, updated_at)
SELECT id, id, '/' || id || '/', 1, replace(name, '/', ' '), now(), now() FROM organisations;

CREATE TABLE department_members (
    org_id        uuid NOT NULL,
    department_id uuid NOT NULL REFERENCES departments (id) ON DELETE RESTRICT,
    user_id       uuid NOT NULL,
    is_primary    boolean NOT NULL DEFAULT false,
    is_leader     boolean NOT NULL DEFAULT false,
    added_at      timestamptz NOT NULL,
    PRIMARY KEY (department_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX department_members_primary_key ON department_members (org_id, user_id) WHERE is_primary;
CREATE INDEX department_members_user_idx ON department_members (org_id, user_id);

CREATE TABLE groups (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    department_id uuid REFERENCES departments (id) ON DELETE RESTRICT,
    name          text NOT NULL,
    name_pinyin   text NOT NULL DEFAULT '',
    name_initials text NOT NULL DEFAULT '',
    description   text NOT NULL DEFAULT '',
    external_id   text,
    member_cap    integer NOT NULL DEFAULT 1000 CHECK (member_cap BETWEEN 1 AND 1000),
    member_count  integer NOT NULL DEFAULT 0 CHECK (member_count BETWEEN 0 AND 1000),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX groups_external_id_key ON groups (org_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX groups_org_idx ON groups (org_id, lower(name));
CREATE INDEX groups_department_idx ON groups (department_id);
CREATE INDEX groups_name_trgm ON groups USING gin (lower(name) gin_trgm_ops);

CREATE TABLE group_members (
    org_id   uuid NOT NULL,
    group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id  uuid NOT NULL,
    role     text NOT NULL CHECK (role IN ('owner', 'member')),
    added_at timestamptz NOT NULL,
    PRIMARY KEY (group_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX group_members_user_idx ON group_members (org_id, user_id);

-- +goose Down
DROP TABLE group_members;
DROP TABLE groups;
DROP TABLE department_members;
DROP TABLE departments;
DROP INDEX memberships_external_id_key;
ALTER TABLE memberships DROP COLUMN external_id;
DROP INDEX users_initials_idx;
DROP INDEX users_pinyin_idx;
DROP INDEX users_email_trgm;
DROP INDEX users_name_trgm;
ALTER TABLE users DROP COLUMN name_initials, DROP COLUMN name_pinyin;
ALTER TABLE organisations DROP COLUMN max_departments_per_member, DROP COLUMN max_group_members, DROP COLUMN max_department_depth;
