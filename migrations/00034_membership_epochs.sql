-- +goose Up
-- A counter per organisation that every change of who is in it, or in one of its groups or
-- departments, moves on, in the changing transaction: a membership added, removed or its
-- status changed; a group's or department's member added, removed or moved; a department
-- moved in the tree. What a replica keeps of whom an audience reaches (infra/postgres/events:
-- the dispatcher's resolved audiences, the gateway's active members) is kept with the counter
-- it read, and read again once the counter has moved. Role changes move nothing.
-- No foreign key: deleting an organisation deletes its memberships, whose trigger writes here.
CREATE TABLE membership_epochs (
    org_id uuid PRIMARY KEY,
    n      bigint NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION membership_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO membership_epochs AS m (org_id, n)
    VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.org_id ELSE NEW.org_id END, 1)
    ON CONFLICT (org_id) DO UPDATE SET n = m.n + 1;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER memberships_epoch_insert_delete AFTER INSERT OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION membership_epoch_bump();
CREATE TRIGGER memberships_epoch_status AFTER UPDATE OF status ON memberships
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION membership_epoch_bump();
CREATE TRIGGER group_members_epoch AFTER INSERT OR DELETE OR UPDATE OF group_id, user_id ON group_members
    FOR EACH ROW EXECUTE FUNCTION membership_epoch_bump();
CREATE TRIGGER department_members_epoch AFTER INSERT OR DELETE OR UPDATE OF department_id, user_id ON department_members
    FOR EACH ROW EXECUTE FUNCTION membership_epoch_bump();
CREATE TRIGGER departments_epoch_path AFTER UPDATE OF path ON departments
    FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path)
    EXECUTE FUNCTION membership_epoch_bump();

-- +goose Down
DROP TRIGGER departments_epoch_path ON departments;
DROP TRIGGER department_members_epoch ON department_members;
DROP TRIGGER group_members_epoch ON group_members;
DROP TRIGGER memberships_epoch_status ON memberships;
DROP TRIGGER memberships_epoch_insert_delete ON memberships;
DROP FUNCTION membership_epoch_bump();
DROP TABLE membership_epochs;
