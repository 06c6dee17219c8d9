-- +goose Up
-- The tasks module: task lists of a person, a group, a department or the organisation, shared
-- with more people, groups or departments; their sections (kanban columns) and labels; tasks with
-- subtasks, assignees, followers, labels, dependencies and shares of a single task; each task's
-- history; and the idempotency keys of the admin API's creations.
--
-- As in the files module (00011), every table carries org_id and every reference is
-- (org_id, ...) -> (org_id, ...), so PostgreSQL itself refuses a row of one organisation pointing
-- at another's. A task also carries its list into the references to its section and parent
-- (and a label link into its label), so a task cannot sit in another list's section, under
-- another list's task, or carry another list's label.
--
-- owner_id and created_by have no foreign key: a list's owner is a person, group, department or
-- the organisation by kind, and who made something stays named after they leave.
--
-- Ranks order sections and tasks as base-62 fractional keys compared byte by byte, hence
-- COLLATE "C" (the application's order is Go's string order).
CREATE TABLE task_lists (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    owner_kind  text NOT NULL CHECK (owner_kind IN ('person', 'group', 'department', 'organisation')),
    owner_id    uuid NOT NULL,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    created_by  uuid NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    archived_at timestamptz,
    deleted_at  timestamptz,
    deleted_by  uuid,
    CONSTRAINT task_lists_org_id_id_key UNIQUE (org_id, id),
    CHECK (owner_kind <> 'organisation' OR owner_id = org_id)
);
CREATE INDEX task_lists_owner_idx ON task_lists (org_id, owner_kind, owner_id);
CREATE INDEX task_lists_creator_idx ON task_lists (org_id, created_by);
CREATE INDEX task_lists_deleted_idx ON task_lists (deleted_at) WHERE deleted_at IS NOT NULL;

-- A share of a list with a member, a group or a department (and so its subtree): one nullable
-- column per kind, exactly one set, each a tenant key; principal_id repeats it for lookups.
CREATE TABLE task_list_shares (
    org_id         uuid NOT NULL,
    list_id        uuid NOT NULL,
    principal_type text NOT NULL CHECK (principal_type IN ('user', 'group', 'department')),
    user_id        uuid,
    group_id       uuid,
    department_id  uuid,
    principal_id   uuid NOT NULL GENERATED ALWAYS AS (coalesce(user_id, group_id, department_id)) STORED,
    role           text NOT NULL CHECK (role IN ('viewer', 'editor', 'manager')),
    created_by     uuid NOT NULL,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (list_id, principal_type, principal_id),
    CHECK (num_nonnulls(user_id, group_id, department_id) = 1
        AND (principal_type = 'user') = (user_id IS NOT NULL)
        AND (principal_type = 'group') = (group_id IS NOT NULL)),
    FOREIGN KEY (org_id, list_id) REFERENCES task_lists (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, group_id) REFERENCES groups (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, department_id) REFERENCES departments (org_id, id) ON DELETE CASCADE
);
CREATE INDEX task_list_shares_principal_idx ON task_list_shares (org_id, principal_id);

CREATE TABLE task_sections (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL,
    list_id    uuid NOT NULL,
    name       text NOT NULL,
    rank       text COLLATE "C" NOT NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT task_sections_org_id_id_key UNIQUE (org_id, id),
    CONSTRAINT task_sections_list_id_key UNIQUE (org_id, list_id, id),
    CONSTRAINT task_sections_rank_key UNIQUE (list_id, rank),
    FOREIGN KEY (org_id, list_id) REFERENCES task_lists (org_id, id) ON DELETE CASCADE
);

CREATE TABLE task_labels (
    id      uuid PRIMARY KEY,
    org_id  uuid NOT NULL,
    list_id uuid NOT NULL,
    name    text NOT NULL,
    color   text NOT NULL,
    CONSTRAINT task_labels_org_id_id_key UNIQUE (org_id, id),
    CONSTRAINT task_labels_list_id_key UNIQUE (org_id, list_id, id),
    FOREIGN KEY (org_id, list_id) REFERENCES task_lists (org_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX task_labels_name_key ON task_labels (list_id, lower(name));

-- search is the title and its pinyin keys (full and initials), lower-case, for the trigram
-- index. A deleted task's subtasks are deleted with it (the same deleted_at), so that every
-- listing needs only its own row's deleted_at. overdue_notified_for is the due_at an overdue
-- notice was sent for, so that it goes once per due date.
CREATE TABLE tasks (
    id                   uuid PRIMARY KEY,
    org_id               uuid NOT NULL,
    list_id              uuid NOT NULL,
    section_id           uuid NOT NULL,
    parent_id            uuid,
    depth                smallint NOT NULL CHECK (depth BETWEEN 0 AND 8),
    title                text NOT NULL,
    description          text NOT NULL DEFAULT '',
    priority             smallint NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 3),
    status               text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    completed_by         uuid,
    completed_at         timestamptz,
    start_at             timestamptz,
    due_at               timestamptz,
    all_day              boolean NOT NULL DEFAULT false,
    due_tz               text NOT NULL DEFAULT '',
    rrule                text NOT NULL DEFAULT '',
    series_id            uuid,
    recur_start          timestamptz,
    rank                 text COLLATE "C" NOT NULL,
    search               text NOT NULL DEFAULT '',
    overdue_notified_for timestamptz,
    created_by           uuid NOT NULL,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    deleted_at           timestamptz,
    deleted_by           uuid,
    CONSTRAINT tasks_org_id_id_key UNIQUE (org_id, id),
    CONSTRAINT tasks_list_id_key UNIQUE (org_id, list_id, id),
    FOREIGN KEY (org_id, list_id) REFERENCES task_lists (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, list_id, section_id) REFERENCES task_sections (org_id, list_id, id),
    FOREIGN KEY (org_id, list_id, parent_id) REFERENCES tasks (org_id, list_id, id) ON DELETE CASCADE,
    CHECK ((parent_id IS NULL) = (depth = 0)),
    CHECK (parent_id IS NULL OR parent_id <> id),
    CHECK (start_at IS NULL OR due_at IS NULL OR due_at >= start_at),
    CHECK ((status = 'done') = (completed_at IS NOT NULL)),
    CHECK ((start_at IS NULL AND due_at IS NULL) = (due_tz = '')),
    CHECK (rrule = '' OR (due_at IS NOT NULL AND recur_start IS NOT NULL))
);
-- The order of a section's top-level tasks, and of a task's subtasks: unique among live rows,
-- so two concurrent moves can never leave two cards at one place; the first also serves a
-- list's tasks in order (sections by rank, tasks by rank within each).
CREATE UNIQUE INDEX tasks_section_rank_key ON tasks (list_id, section_id, rank) WHERE parent_id IS NULL AND deleted_at IS NULL;
CREATE UNIQUE INDEX tasks_subtask_rank_key ON tasks (parent_id, rank) WHERE parent_id IS NOT NULL AND deleted_at IS NULL;
-- The overdue and due-soon scans.
CREATE INDEX tasks_overdue_idx ON tasks (due_at) WHERE status = 'open' AND deleted_at IS NULL;
-- "Created by me", in due order.
CREATE INDEX tasks_creator_idx ON tasks (org_id, created_by, due_at) WHERE deleted_at IS NULL;
-- Text search, by title or its pinyin.
CREATE INDEX tasks_search_trgm ON tasks USING gin (search gin_trgm_ops) WHERE deleted_at IS NULL;
-- The sweeper's purge.
CREATE INDEX tasks_deleted_idx ON tasks (deleted_at) WHERE deleted_at IS NOT NULL;

-- "My tasks" and "Following" read a person's rows here, in due order, without touching the
-- tasks until the page is chosen: each row repeats its task's list, status, due date, creation
-- and whether it is live, kept by the triggers below (filled on insert, updated when the task's
-- status, due date or deletion changes), so one index range gives the page and the total.
CREATE TABLE task_assignees (
    org_id          uuid NOT NULL,
    task_id         uuid NOT NULL,
    user_id         uuid NOT NULL,
    list_id         uuid NOT NULL,
    status          text NOT NULL,
    due_at          timestamptz,
    task_created_at timestamptz NOT NULL,
    live            boolean NOT NULL,
    PRIMARY KEY (task_id, user_id),
    FOREIGN KEY (org_id, task_id) REFERENCES tasks (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX task_assignees_user_idx ON task_assignees (org_id, user_id, task_id);
CREATE INDEX task_assignees_mine_idx ON task_assignees (org_id, user_id, status, due_at, task_created_at, task_id) WHERE live;

CREATE TABLE task_followers (
    org_id          uuid NOT NULL,
    task_id         uuid NOT NULL,
    user_id         uuid NOT NULL,
    list_id         uuid NOT NULL,
    status          text NOT NULL,
    due_at          timestamptz,
    task_created_at timestamptz NOT NULL,
    live            boolean NOT NULL,
    PRIMARY KEY (task_id, user_id),
    FOREIGN KEY (org_id, task_id) REFERENCES tasks (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX task_followers_user_idx ON task_followers (org_id, user_id, task_id);
CREATE INDEX task_followers_mine_idx ON task_followers (org_id, user_id, status, due_at, task_created_at, task_id) WHERE live;

-- +goose StatementBegin
CREATE FUNCTION task_people_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT t.list_id, t.status, t.due_at, t.created_at, t.deleted_at IS NULL
        INTO NEW.list_id, NEW.status, NEW.due_at, NEW.task_created_at, NEW.live
        FROM tasks t WHERE t.org_id = NEW.org_id AND t.id = NEW.task_id;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER task_assignees_fill BEFORE INSERT ON task_assignees FOR EACH ROW EXECUTE FUNCTION task_people_fill();
CREATE TRIGGER task_followers_fill BEFORE INSERT ON task_followers FOR EACH ROW EXECUTE FUNCTION task_people_fill();

-- +goose StatementBegin
CREATE FUNCTION task_people_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE task_assignees SET status = NEW.status, due_at = NEW.due_at, live = NEW.deleted_at IS NULL WHERE task_id = NEW.id;
    UPDATE task_followers SET status = NEW.status, due_at = NEW.due_at, live = NEW.deleted_at IS NULL WHERE task_id = NEW.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER tasks_people_sync AFTER UPDATE OF status, due_at, deleted_at ON tasks FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.due_at IS DISTINCT FROM NEW.due_at OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION task_people_sync();

CREATE TABLE task_label_links (
    org_id   uuid NOT NULL,
    list_id  uuid NOT NULL,
    task_id  uuid NOT NULL,
    label_id uuid NOT NULL,
    PRIMARY KEY (task_id, label_id),
    FOREIGN KEY (org_id, list_id, task_id) REFERENCES tasks (org_id, list_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, list_id, label_id) REFERENCES task_labels (org_id, list_id, id) ON DELETE CASCADE
);
CREATE INDEX task_label_links_label_idx ON task_label_links (label_id);

-- task_id is blocked by blocked_by_id; across lists of one organisation.
CREATE TABLE task_dependencies (
    org_id        uuid NOT NULL,
    task_id       uuid NOT NULL,
    blocked_by_id uuid NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (task_id, blocked_by_id),
    CHECK (task_id <> blocked_by_id),
    FOREIGN KEY (org_id, task_id) REFERENCES tasks (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, blocked_by_id) REFERENCES tasks (org_id, id) ON DELETE CASCADE
);
CREATE INDEX task_dependencies_blocker_idx ON task_dependencies (blocked_by_id);

-- A share of a single task (and its subtasks) with a member or a group, who then sees that
-- task only.
CREATE TABLE task_shares (
    org_id         uuid NOT NULL,
    task_id        uuid NOT NULL,
    principal_type text NOT NULL CHECK (principal_type IN ('user', 'group')),
    user_id        uuid,
    group_id       uuid,
    principal_id   uuid NOT NULL GENERATED ALWAYS AS (coalesce(user_id, group_id)) STORED,
    role           text NOT NULL CHECK (role IN ('viewer', 'editor')),
    created_by     uuid NOT NULL,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (task_id, principal_type, principal_id),
    CHECK (num_nonnulls(user_id, group_id) = 1 AND (principal_type = 'user') = (user_id IS NOT NULL)),
    FOREIGN KEY (org_id, task_id) REFERENCES tasks (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, group_id) REFERENCES groups (org_id, id) ON DELETE CASCADE
);
CREATE INDEX task_shares_principal_idx ON task_shares (org_id, principal_id);

-- Every change of a task: who, what, and the fields it changed before and after.
CREATE TABLE task_activity (
    id         bigserial PRIMARY KEY,
    org_id     uuid NOT NULL,
    task_id    uuid NOT NULL,
    list_id    uuid NOT NULL,
    actor_id   uuid NOT NULL,
    action     text NOT NULL,
    before     jsonb,
    after      jsonb,
    created_at timestamptz NOT NULL,
    FOREIGN KEY (org_id, task_id) REFERENCES tasks (org_id, id) ON DELETE CASCADE
);
CREATE INDEX task_activity_task_idx ON task_activity (task_id, id DESC);

-- Requests made with an Idempotency-Key: the SHA-256 of the body sent and the id of what it
-- created, kept for 24 hours (the sweeper prunes them).
CREATE TABLE idempotency_keys (
    org_id       uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    principal_id uuid NOT NULL,
    scope        text NOT NULL,
    key          text NOT NULL,
    request_hash bytea NOT NULL CHECK (octet_length(request_hash) = 32),
    result_id    uuid NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (org_id, principal_id, scope, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE task_activity;
DROP TABLE task_shares;
DROP TABLE task_dependencies;
DROP TABLE task_label_links;
DROP TABLE task_followers;
DROP TABLE task_assignees;
DROP FUNCTION task_people_fill();
DROP TABLE tasks;
DROP FUNCTION task_people_sync();
DROP TABLE task_labels;
DROP TABLE task_sections;
DROP TABLE task_list_shares;
DROP TABLE task_lists;
