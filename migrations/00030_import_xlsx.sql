-- +goose Up
-- Imports may be Excel workbooks.
ALTER TABLE import_jobs DROP CONSTRAINT import_jobs_format_check,
    ADD CONSTRAINT import_jobs_format_check CHECK (format IN ('json', 'csv', 'xlsx'));

-- +goose Down
DELETE FROM import_jobs WHERE format = 'xlsx';
ALTER TABLE import_jobs DROP CONSTRAINT import_jobs_format_check,
    ADD CONSTRAINT import_jobs_format_check CHECK (format IN ('json', 'csv'));
