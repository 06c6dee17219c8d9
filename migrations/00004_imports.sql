-- +goose Up
-- Bulk imports of users, departments and memberships, run in the background by any replica.
-- A worker claims a job with FOR UPDATE SKIP LOCKED and holds it by renewing lease_until; a job
-- whose lease ran out (its replica died) is claimed again and resumes after processed_rows.
CREATE TABLE import_jobs (
    id              uuid PRIMARY KEY,
    org_id          uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    created_by      uuid NOT NULL,
    format          text NOT NULL CHECK (format IN ('json', 'csv')),
    status          text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    total_rows      integer NOT NULL CHECK (total_rows >= 0),
    processed_rows  integer NOT NULL DEFAULT 0,
    applied_rows    integer NOT NULL DEFAULT 0,
    failed_rows     integer NOT NULL DEFAULT 0,
    created_rows    integer NOT NULL DEFAULT 0,
    updated_rows    integer NOT NULL DEFAULT 0,
    unchanged_rows  integer NOT NULL DEFAULT 0,
    error_code      text,
    error_message   text,
    attempts        integer NOT NULL DEFAULT 0,
    lease_until     timestamptz,
    -- The request, as the app encoded it; dropped when the job ends.
    payload         bytea,
    created_at      timestamptz NOT NULL,
    started_at      timestamptz,
    finished_at     timestamptz,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX import_jobs_org_idx ON import_jobs (org_id, created_at DESC);
CREATE INDEX import_jobs_pending_idx ON import_jobs (created_at) WHERE status IN ('queued', 'running');

-- The per-row report: one line per row that was not applied, in processing order (seq).
CREATE TABLE import_issues (
    org_id      uuid NOT NULL,
    job_id      uuid NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    seq         integer NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('department', 'user')),
    row_number  integer NOT NULL,
    external_id text NOT NULL DEFAULT '',
    code        text NOT NULL,
    message     text NOT NULL,
    PRIMARY KEY (job_id, seq)
);

-- A page of a large department subtree walks users in name order until it has enough of them
-- (postgres.DirectoryReader.Members).
CREATE INDEX users_sort_key ON users (lower(display_name), id);

-- +goose Down
DROP INDEX users_sort_key;
DROP TABLE import_issues;
DROP TABLE import_jobs;
