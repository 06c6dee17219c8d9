-- +goose Up
-- In-app notifications: one row per person told of an event, made by the notifications consumer
-- in the dispatcher's transaction. A person's list is read newest first and their unread count
-- on every page, so both have an index; event_id keeps a redispatch from telling anyone twice.
CREATE TABLE notifications (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL,
    user_id      uuid NOT NULL,
    event_id     bigint NOT NULL,
    type         text NOT NULL,
    subject_type text NOT NULL,
    subject_id   uuid NOT NULL,
    actor_id     uuid,
    payload      jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL,
    read_at      timestamptz,
    -- A person no longer a member keeps no notifications of the organisation.
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE,
    UNIQUE (user_id, event_id)
);
CREATE INDEX notifications_list_idx ON notifications (org_id, user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (org_id, user_id) WHERE read_at IS NULL;
-- Retention prunes old notifications by age.
CREATE INDEX notifications_created_idx ON notifications (created_at);

-- A person's channel for each kind (the event type) in an organisation; a kind with no row is
-- in_app.
CREATE TABLE notification_preferences (
    user_id uuid NOT NULL,
    org_id  uuid NOT NULL,
    kind    text NOT NULL,
    channel text NOT NULL CHECK (channel IN ('in_app', 'email', 'off')),
    PRIMARY KEY (user_id, org_id, kind),
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);

-- A person's quiet hours, in minutes after midnight in their own time zone (users.time_zone):
-- no email is sent within them. The window may wrap past midnight.
CREATE TABLE notification_quiet_hours (
    user_id      uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    start_minute int NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   int NOT NULL CHECK (end_minute BETWEEN 0 AND 1439),
    CHECK (start_minute <> end_minute)
);

-- +goose Down
DROP TABLE notification_quiet_hours;
DROP TABLE notification_preferences;
DROP TABLE notifications;
