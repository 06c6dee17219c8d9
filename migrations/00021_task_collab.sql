-- +goose Up
-- Collaboration on tasks: comments with the members they mention, files linked as attachments,
-- and each person's reminders before a task's due time.
--
-- As in 00020, every reference is (org_id, ...) -> (org_id, ...), so a row of one organisation
-- can never point at another's task, file or member.

-- A comment keeps its author named after they leave (no foreign key on author_id, as
-- created_by elsewhere); a deleted comment is kept but no longer listed.
CREATE TABLE task_comments (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL,
    task_id    uuid NOT NULL,
    author_id  uuid NOT NULL,
    body       text NOT NULL CHECK (octet_length(body) BETWEEN 1 AND 16384),
    created_at timestamptz NOT NULL,
    edited_at  timestamptz,
    deleted_at timestamptz,
    CONSTRAINT task_comments_org_id_id_key UNIQUE (org_id, id),
    FOREIGN KEY (org_id, task_id) REFERENCES tasks (org_id, id) ON DELETE CASCADE
);
-- A task's comments, oldest first.
CREATE INDEX task_comments_task_idx ON task_comments (task_id, created_at, id) WHERE deleted_at IS NULL;

-- The members a comment mentions; one who leaves the organisation leaves its mentions.
CREATE TABLE task_comment_mentions (
    org_id     uuid NOT NULL,
    comment_id uuid NOT NULL,
    user_id    uuid NOT NULL,
    position   smallint NOT NULL,
    PRIMARY KEY (comment_id, user_id),
    FOREIGN KEY (org_id, comment_id) REFERENCES task_comments (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);

-- A file linked to a task. The file stays the files module's, with its access and retention:
-- when the files sweeper purges it, the link goes with it (ON DELETE CASCADE).
CREATE TABLE task_attachments (
    org_id   uuid NOT NULL,
    task_id  uuid NOT NULL,
    file_id  uuid NOT NULL,
    added_by uuid NOT NULL,
    added_at timestamptz NOT NULL,
    PRIMARY KEY (task_id, file_id),
    FOREIGN KEY (org_id, task_id) REFERENCES tasks (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, file_id) REFERENCES files (org_id, id) ON DELETE CASCADE
);
CREATE INDEX task_attachments_file_idx ON task_attachments (file_id);

-- A person's reminder on a task, offset_minutes before its due time. sent_for is the due_at it
-- was sent for: a changed due time arms it again, and the worker claims only rows whose
-- sent_for differs from the task's due_at (FOR UPDATE SKIP LOCKED), so it is sent once per due
-- time however many replicas run.
CREATE TABLE task_reminders (
    org_id         uuid NOT NULL,
    task_id        uuid NOT NULL,
    user_id        uuid NOT NULL,
    offset_minutes integer NOT NULL CHECK (offset_minutes BETWEEN 0 AND 43200),
    sent_for       timestamptz,
    PRIMARY KEY (task_id, user_id, offset_minutes),
    FOREIGN KEY (org_id, task_id) REFERENCES tasks (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX task_reminders_user_idx ON task_reminders (org_id, user_id);

-- +goose Down
DROP TABLE task_reminders;
DROP TABLE task_attachments;
DROP TABLE task_comment_mentions;
DROP TABLE task_comments;
