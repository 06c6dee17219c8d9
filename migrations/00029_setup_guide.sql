-- +goose Up
-- The console's setup guide for a new organisation: whether its admins dismissed it. Its steps
-- are not stored; each is read from what the organisation holds (infra/postgres/setup).
CREATE TABLE setup_guides (
    org_id       uuid PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    dismissed_at timestamptz,
    dismissed_by uuid REFERENCES users (id) ON DELETE SET NULL
);
-- Whether an organisation ever took an action: the guide's steps, and the audit log's filter by
-- action.
CREATE INDEX audit_log_action_idx ON audit_log (org_id, action, id DESC);

-- +goose Down
DROP INDEX audit_log_action_idx;
DROP TABLE setup_guides;
