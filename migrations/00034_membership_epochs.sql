-- +goose Up
-- A token per organisation that every change of who is in it, or in one of its groups or
-- departments, renews when the changing transaction commits: a membership added, removed or
-- its status changed; a group's or department's member added, removed or moved; a department
-- moved in the tree. What a replica keeps of whom an audience reaches (infra/postgres/events:
-- the dispatcher's resolved audiences, the gateway's active members) is kept with the token it
-- read, and read again once the token has changed. Role changes renew nothing.
--
-- The token is random, not a count, so that a value never comes back: after a failover that
-- lost the last commits, or a restore, a count could return to a value a replica keeps with
-- other members. The triggers are deferred to the commit and renew an organisation's token once
-- per transaction: its row is locked only from then to the end of the commit, after every other
-- lock the transaction takes, so that it adds no lock-order cycles between transactions that
-- change members (a group's member added while another is removed, say).
-- No foreign key: deleting an organisation deletes its memberships, whose trigger writes here.
CREATE TABLE membership_epochs (
    org_id uuid PRIMARY KEY,
    token  uuid NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION membership_epoch_renew() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    org uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.org_id ELSE NEW.org_id END;
    done text := 'canopy.epoch_' || replace(org::text, '-', '_');
BEGIN
    IF current_setting(done, true) = 'y' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config(done, 'y', true);
    INSERT INTO membership_epochs AS m (org_id, token) VALUES (org, gen_random_uuid())
    ON CONFLICT (org_id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER memberships_epoch_insert_delete AFTER INSERT OR DELETE ON memberships
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION membership_epoch_renew();
CREATE CONSTRAINT TRIGGER memberships_epoch_status AFTER UPDATE OF status ON memberships
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION membership_epoch_renew();
CREATE CONSTRAINT TRIGGER group_members_epoch AFTER INSERT OR DELETE OR UPDATE OF group_id, user_id ON group_members
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION membership_epoch_renew();
CREATE CONSTRAINT TRIGGER department_members_epoch AFTER INSERT OR DELETE OR UPDATE OF department_id, user_id ON department_members
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION membership_epoch_renew();
CREATE CONSTRAINT TRIGGER departments_epoch_path AFTER UPDATE OF path ON departments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path)
    EXECUTE FUNCTION membership_epoch_renew();

-- +goose Down
DROP TRIGGER departments_epoch_path ON departments;
DROP TRIGGER department_members_epoch ON department_members;
DROP TRIGGER group_members_epoch ON group_members;
DROP TRIGGER memberships_epoch_status ON memberships;
DROP TRIGGER memberships_epoch_insert_delete ON memberships;
DROP FUNCTION membership_epoch_renew();
DROP TABLE membership_epochs;
