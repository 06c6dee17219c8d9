-- +goose Up
-- Every claim of an import job sets a new token; a worker whose claim was taken over, or handed
-- back, can no longer write to the job.
ALTER TABLE import_jobs ADD COLUMN claim_token uuid;
-- Made by 00004 since; databases that applied 00004 before it was added get it here.
CREATE INDEX IF NOT EXISTS users_sort_key ON users (lower(display_name), id);

-- +goose Down
ALTER TABLE import_jobs DROP COLUMN claim_token;
