-- +goose Up
-- Announcements (issue 12): what admins publish to the organisation, a department subtree or a
-- group, and each recipient's acknowledgement. Recipients are not stored: they are the active
-- members the scope covers when asked (guests only through a group), so a member who joins the
-- department later sees it and one who leaves no longer does.
--
-- As in 00020, every reference is (org_id, ...) -> (org_id, ...), so a row of one organisation
-- can never point at another's department, group, announcement or member. published_by has no
-- foreign key: who published stays named after they leave.

CREATE TABLE announcements (
    id               uuid PRIMARY KEY,
    org_id           uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    scope            text NOT NULL CHECK (scope IN ('org', 'department', 'group')),
    -- One nullable column per kind of target, each a tenant key; target_id repeats it (the
    -- organisation itself for scope org).
    department_id    uuid,
    group_id         uuid,
    target_id        uuid NOT NULL GENERATED ALWAYS AS (coalesce(department_id, group_id, org_id)) STORED,
    title            text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    body             text NOT NULL CHECK (octet_length(body) <= 16384),
    body_html        text NOT NULL,
    requires_ack     boolean NOT NULL,
    published_by     uuid NOT NULL,
    published_at     timestamptz NOT NULL,
    -- When the pending recipients were last reminded: the next reminder waits 10 minutes.
    last_reminded_at timestamptz,
    deleted_at       timestamptz,
    deleted_by       uuid,
    CONSTRAINT announcements_org_id_id_key UNIQUE (org_id, id),
    CHECK ((scope = 'org') = (department_id IS NULL AND group_id IS NULL)
        AND (scope = 'department') = (department_id IS NOT NULL)
        AND (scope = 'group') = (group_id IS NOT NULL)),
    FOREIGN KEY (org_id, department_id) REFERENCES departments (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, group_id) REFERENCES groups (org_id, id) ON DELETE CASCADE
);
-- A member's announcements and the admins' listing, newest first.
CREATE INDEX announcements_org_idx ON announcements (org_id, published_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX announcements_target_idx ON announcements (org_id, target_id) WHERE deleted_at IS NULL;
CREATE INDEX announcements_department_idx ON announcements (department_id) WHERE department_id IS NOT NULL;
CREATE INDEX announcements_group_idx ON announcements (group_id) WHERE group_id IS NOT NULL;

-- One row per recipient who acknowledged, the first time; one who leaves the organisation
-- leaves their acknowledgements.
CREATE TABLE announcement_acks (
    org_id          uuid NOT NULL,
    announcement_id uuid NOT NULL,
    user_id         uuid NOT NULL,
    acked_at        timestamptz NOT NULL,
    PRIMARY KEY (announcement_id, user_id),
    FOREIGN KEY (org_id, announcement_id) REFERENCES announcements (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX announcement_acks_user_idx ON announcement_acks (org_id, user_id);

-- +goose Down
DROP TABLE announcement_acks;
DROP TABLE announcements;
