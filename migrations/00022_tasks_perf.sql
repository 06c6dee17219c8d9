-- +goose Up
-- "My tasks" and "Following" read a person's rows of task_assignees (task_followers) in due
-- order, and need each row's list to leave out those of deleted lists. With list_id carried in
-- the index, the page and the total come from an index-only scan: for a member with 2,000
-- assigned tasks the scan reads about 25 index pages instead of one table page per task
-- (docs/performance.md, "Tasks: My tasks and card moves").
CREATE INDEX task_assignees_mine_cover_idx ON task_assignees (org_id, user_id, status, due_at, task_created_at, task_id)
    INCLUDE (list_id) WHERE live;
DROP INDEX task_assignees_mine_idx;
CREATE INDEX task_followers_mine_cover_idx ON task_followers (org_id, user_id, status, due_at, task_created_at, task_id)
    INCLUDE (list_id) WHERE live;
DROP INDEX task_followers_mine_idx;

-- +goose Down
CREATE INDEX task_followers_mine_idx ON task_followers (org_id, user_id, status, due_at, task_created_at, task_id) WHERE live;
DROP INDEX task_followers_mine_cover_idx;
CREATE INDEX task_assignees_mine_idx ON task_assignees (org_id, user_id, status, due_at, task_created_at, task_id) WHERE live;
DROP INDEX task_assignees_mine_cover_idx;
