-- +goose Up
-- Tenant consistency in the schema: a row that points at another tenant-owned row carries the
-- organisation in the reference, so PostgreSQL itself refuses one organisation's row pointing at
-- another's (a group member of A in B's group, a department of A under B's parent). The
-- referenced tables get a key on (org_id, id), and each single-column reference becomes
-- (org_id, x_id) -> (org_id, id). Every referencing table already has its org_id, written by
-- every insert, so nothing needs backfilling. References to memberships were (org_id, user_id)
-- from the start.
--
-- role_assignments.role_id stays without a key: it is a custom role's id or a built-in role's
-- derived id (access.BuiltinRoleID), which has no row; app/access checks it within the
-- organisation.
ALTER TABLE departments ADD CONSTRAINT departments_org_id_id_key UNIQUE (org_id, id);
ALTER TABLE groups ADD CONSTRAINT groups_org_id_id_key UNIQUE (org_id, id);
ALTER TABLE import_jobs ADD CONSTRAINT import_jobs_org_id_id_key UNIQUE (org_id, id);

ALTER TABLE departments DROP CONSTRAINT departments_parent_id_fkey,
    ADD CONSTRAINT departments_parent_fkey FOREIGN KEY (org_id, parent_id) REFERENCES departments (org_id, id);
ALTER TABLE department_members DROP CONSTRAINT department_members_department_id_fkey,
    ADD CONSTRAINT department_members_department_fkey FOREIGN KEY (org_id, department_id)
        REFERENCES departments (org_id, id) ON DELETE RESTRICT;
ALTER TABLE groups DROP CONSTRAINT groups_department_id_fkey,
    ADD CONSTRAINT groups_department_fkey FOREIGN KEY (org_id, department_id)
        REFERENCES departments (org_id, id) ON DELETE RESTRICT;
ALTER TABLE group_members DROP CONSTRAINT group_members_group_id_fkey,
    ADD CONSTRAINT group_members_group_fkey FOREIGN KEY (org_id, group_id)
        REFERENCES groups (org_id, id) ON DELETE CASCADE;
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_department_id_fkey,
    ADD CONSTRAINT role_assignments_department_fkey FOREIGN KEY (org_id, department_id)
        REFERENCES departments (org_id, id) ON DELETE CASCADE;
ALTER TABLE import_issues DROP CONSTRAINT import_issues_job_id_fkey,
    ADD CONSTRAINT import_issues_job_fkey FOREIGN KEY (org_id, job_id)
        REFERENCES import_jobs (org_id, id) ON DELETE CASCADE;
ALTER TABLE import_accounts DROP CONSTRAINT import_accounts_job_id_fkey,
    ADD CONSTRAINT import_accounts_job_fkey FOREIGN KEY (org_id, job_id)
        REFERENCES import_jobs (org_id, id) ON DELETE CASCADE;

-- What an organisation's identity provider keeps about a member through SCIM that Canopy's
-- member does not: the name parts it sent, returned exactly as sent (a provider that never sees
-- its values back rewrites them on every cycle), and whether it deleted the member. A deleted
-- member is gone for SCIM (RFC 7644 section 3.6: every later request for the id answers 404),
-- while Canopy keeps the deactivated membership and what the person made.
CREATE TABLE scim_users (
    org_id      uuid NOT NULL,
    user_id     uuid NOT NULL,
    given_name  text,
    family_name text,
    deleted_at  timestamptz,
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE scim_users;

ALTER TABLE import_accounts DROP CONSTRAINT import_accounts_job_fkey,
    ADD CONSTRAINT import_accounts_job_id_fkey FOREIGN KEY (job_id) REFERENCES import_jobs (id) ON DELETE CASCADE;
ALTER TABLE import_issues DROP CONSTRAINT import_issues_job_fkey,
    ADD CONSTRAINT import_issues_job_id_fkey FOREIGN KEY (job_id) REFERENCES import_jobs (id) ON DELETE CASCADE;
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_department_fkey,
    ADD CONSTRAINT role_assignments_department_id_fkey FOREIGN KEY (department_id) REFERENCES departments (id) ON DELETE CASCADE;
ALTER TABLE group_members DROP CONSTRAINT group_members_group_fkey,
    ADD CONSTRAINT group_members_group_id_fkey FOREIGN KEY (group_id) REFERENCES groups (id) ON DELETE CASCADE;
ALTER TABLE groups DROP CONSTRAINT groups_department_fkey,
    ADD CONSTRAINT groups_department_id_fkey FOREIGN KEY (department_id) REFERENCES departments (id) ON DELETE RESTRICT;
ALTER TABLE department_members DROP CONSTRAINT department_members_department_fkey,
    ADD CONSTRAINT department_members_department_id_fkey FOREIGN KEY (department_id) REFERENCES departments (id) ON DELETE RESTRICT;
ALTER TABLE departments DROP CONSTRAINT departments_parent_fkey,
    ADD CONSTRAINT departments_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES departments (id);

ALTER TABLE import_jobs DROP CONSTRAINT import_jobs_org_id_id_key;
ALTER TABLE groups DROP CONSTRAINT groups_org_id_id_key;
ALTER TABLE departments DROP CONSTRAINT departments_org_id_id_key;
