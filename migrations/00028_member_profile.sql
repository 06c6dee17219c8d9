-- +goose Up
-- A member's employee details in the organisation (domain/org.Profile). The manager is another
-- member of the same organisation; the repository keeps the chain of managers free of cycles.
ALTER TABLE memberships
    ADD COLUMN employee_number text CHECK (char_length(employee_number) BETWEEN 1 AND 64),
    ADD COLUMN job_title       text NOT NULL DEFAULT '' CHECK (char_length(job_title) <= 128),
    ADD COLUMN mobile          text CHECK (mobile ~ '^\+[1-9][0-9]{7,14}$'),
    ADD COLUMN work_location   text NOT NULL DEFAULT '' CHECK (char_length(work_location) <= 128),
    ADD COLUMN manager_id      uuid CHECK (manager_id <> user_id),
    ADD COLUMN hire_date       date,
    ADD CONSTRAINT memberships_manager_fkey FOREIGN KEY (org_id, manager_id)
        REFERENCES memberships (org_id, user_id) ON DELETE SET NULL (manager_id);
CREATE UNIQUE INDEX memberships_employee_number_key ON memberships (org_id, employee_number) WHERE employee_number IS NOT NULL;
CREATE INDEX memberships_employee_number_prefix_idx ON memberships (org_id, lower(employee_number) text_pattern_ops) WHERE employee_number IS NOT NULL;
CREATE INDEX memberships_manager_idx ON memberships (org_id, manager_id) WHERE manager_id IS NOT NULL;
-- The people table's sorts other than by name (which is the account's pinyin key).
CREATE INDEX memberships_hire_date_idx ON memberships (org_id, hire_date, user_id);
CREATE INDEX memberships_joined_at_idx ON memberships (org_id, joined_at, user_id);
-- A text shorter than three characters (which a trigram index cannot find inside a string)
-- matches names and emails from the start.
CREATE INDEX users_name_prefix_idx ON users (lower(display_name) text_pattern_ops);
CREATE INDEX users_email_prefix_idx ON users (lower(email) text_pattern_ops);

-- +goose Down
DROP INDEX users_email_prefix_idx;
DROP INDEX users_name_prefix_idx;
DROP INDEX memberships_joined_at_idx;
DROP INDEX memberships_hire_date_idx;
DROP INDEX memberships_manager_idx;
DROP INDEX memberships_employee_number_prefix_idx;
DROP INDEX memberships_employee_number_key;
ALTER TABLE memberships
    DROP CONSTRAINT memberships_manager_fkey,
    DROP COLUMN hire_date,
    DROP COLUMN manager_id,
    DROP COLUMN work_location,
    DROP COLUMN mobile,
    DROP COLUMN job_title,
    DROP COLUMN employee_number;
