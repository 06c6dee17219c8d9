-- +goose Up
-- The people table's filters on one row per member (docs/performance.md, "Console: the people
-- table"): the search keys (copied from the account and the membership) and the departments the
-- member is in with all their ancestors. One GIN index over the keys' trigrams and the
-- departments lets the planner intersect a text filter with a department subtree inside the
-- index, so only the rows that pass both are read. Triggers keep the rows in step with users,
-- memberships, department_members and department moves, whatever code path writes them (the
-- console, imports, SCIM).

CREATE TABLE member_search (
    org_id          uuid NOT NULL,
    user_id         uuid NOT NULL,
    display_name    text NOT NULL,
    email           text NOT NULL,
    name_pinyin     text NOT NULL,
    name_initials   text NOT NULL,
    employee_number text,
    -- The organisation's id, the member's departments and every ancestor of each: a text
    -- filter without a department is narrowed to the organisation in the same index.
    scope           uuid[] NOT NULL,
    -- Every key starts after a '|', so a key's prefix is the pattern '%|prefix%', which a
    -- trigram index serves even for one or two characters (the '|' ends a word, so the
    -- pattern's trigrams include the word-start ones).
    search          text GENERATED ALWAYS AS (
        '|' || replace(lower(display_name), '|', '') || '|' || replace(lower(email), '|', '') ||
        '|' || replace(name_pinyin, '|', '') || '|' || replace(name_initials, '|', '') ||
        '|' || replace(lower(coalesce(employee_number, '')), '|', '') || '|') STORED,
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX member_search_user_idx ON member_search (user_id);

-- member_search_scope is the organisation's id and the member's departments with their
-- ancestors, from the paths.
-- +goose StatementBegin
CREATE FUNCTION member_search_scope(p_org uuid, p_user uuid) RETURNS uuid[] LANGUAGE sql STABLE AS $$
    SELECT array_agg(DISTINCT a ORDER BY a) FROM (
        SELECT p_org AS a
        UNION ALL
        SELECT unnest(CAST(string_to_array(trim(both '/' from d.path), '/') AS uuid[]))
        FROM department_members dm JOIN departments d ON d.id = dm.department_id
        WHERE dm.org_id = p_org AND dm.user_id = p_user) x
$$;
-- +goose StatementEnd

INSERT INTO member_search (org_id, user_id, display_name, email, name_pinyin, name_initials, employee_number, scope)
SELECT m.org_id, m.user_id, u.display_name, u.email, u.name_pinyin, u.name_initials, m.employee_number,
       member_search_scope(m.org_id, m.user_id)
FROM memberships m JOIN users u ON u.id = m.user_id;

CREATE INDEX member_search_idx ON member_search USING gin (search gin_trgm_ops, scope);

-- Statement triggers with transition tables: an import or bulk move of thousands of people is
-- one set-based update, not one per row.
-- +goose StatementBegin
CREATE FUNCTION member_search_membership_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO member_search (org_id, user_id, display_name, email, name_pinyin, name_initials, employee_number, scope)
    SELECT n.org_id, n.user_id, u.display_name, u.email, u.name_pinyin, u.name_initials, n.employee_number,
           member_search_scope(n.org_id, n.user_id)
    FROM new_rows n JOIN users u ON u.id = n.user_id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER member_search_membership_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION member_search_membership_insert();

-- +goose StatementBegin
CREATE FUNCTION member_search_membership_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE member_search s SET employee_number = n.employee_number
    FROM new_rows n JOIN old_rows o ON o.org_id = n.org_id AND o.user_id = n.user_id
    WHERE s.org_id = n.org_id AND s.user_id = n.user_id AND n.employee_number IS DISTINCT FROM o.employee_number;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER member_search_membership_update AFTER UPDATE ON memberships
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION member_search_membership_update();

-- +goose StatementBegin
CREATE FUNCTION member_search_user_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE member_search s SET display_name = n.display_name, email = n.email,
        name_pinyin = n.name_pinyin, name_initials = n.name_initials
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE s.user_id = n.id
      AND (n.display_name, n.email, n.name_pinyin, n.name_initials) IS DISTINCT FROM
          (o.display_name, o.email, o.name_pinyin, o.name_initials);
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER member_search_user_update AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION member_search_user_update();

-- The department memberships: one function for the three events, each with its own trigger
-- (a trigger with transition tables has one event).
-- +goose StatementBegin
CREATE FUNCTION member_search_department_members() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE member_search s SET scope = member_search_scope(s.org_id, s.user_id)
        FROM (SELECT DISTINCT org_id, user_id FROM new_rows) c WHERE s.org_id = c.org_id AND s.user_id = c.user_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE member_search s SET scope = member_search_scope(s.org_id, s.user_id)
        FROM (SELECT DISTINCT org_id, user_id FROM old_rows) c WHERE s.org_id = c.org_id AND s.user_id = c.user_id;
    ELSE
        UPDATE member_search s SET scope = member_search_scope(s.org_id, s.user_id)
        FROM (SELECT o.org_id, o.user_id FROM old_rows o
              WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.org_id = o.org_id AND n.user_id = o.user_id AND n.department_id = o.department_id)
              UNION
              SELECT n.org_id, n.user_id FROM new_rows n
              WHERE NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.org_id = n.org_id AND o.user_id = n.user_id AND o.department_id = n.department_id)) c
        WHERE s.org_id = c.org_id AND s.user_id = c.user_id;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER member_search_department_members_insert AFTER INSERT ON department_members
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION member_search_department_members();
CREATE TRIGGER member_search_department_members_delete AFTER DELETE ON department_members
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION member_search_department_members();
CREATE TRIGGER member_search_department_members_update AFTER UPDATE ON department_members
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION member_search_department_members();

-- A moved department changes the ancestors of everyone in its subtree: every department of the
-- subtree gets a new path in the same statement (directory.Departments.Move, the importer).
-- +goose StatementBegin
CREATE FUNCTION member_search_department_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE member_search s SET scope = member_search_scope(s.org_id, s.user_id)
    FROM (SELECT DISTINCT dm.org_id, dm.user_id
          FROM new_rows n JOIN old_rows o ON o.id = n.id
          JOIN department_members dm ON dm.department_id = n.id
          WHERE n.path <> o.path) c
    WHERE s.org_id = c.org_id AND s.user_id = c.user_id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER member_search_department_move AFTER UPDATE ON departments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION member_search_department_move();

-- +goose Down
DROP TRIGGER member_search_department_move ON departments;
DROP FUNCTION member_search_department_move();
DROP TRIGGER member_search_department_members_update ON department_members;
DROP TRIGGER member_search_department_members_delete ON department_members;
DROP TRIGGER member_search_department_members_insert ON department_members;
DROP FUNCTION member_search_department_members();
DROP TRIGGER member_search_user_update ON users;
DROP FUNCTION member_search_user_update();
DROP TRIGGER member_search_membership_update ON memberships;
DROP FUNCTION member_search_membership_update();
DROP TRIGGER member_search_membership_insert ON memberships;
DROP FUNCTION member_search_membership_insert();
DROP TABLE member_search;
DROP FUNCTION member_search_scope(uuid, uuid);
