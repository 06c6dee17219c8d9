-- +goose Up
-- Member lists are ordered by the name's pinyin key first (张伟 sorts as "zhangwei", among the
-- Latin names), then the name and the id. A department subtree's members are read by walking
-- this index in that order (infra/postgres/directory, Members), as users_sort_key was walked
-- when the order was the name alone.
CREATE INDEX users_pinyin_sort_key ON users (name_pinyin, lower(display_name), id);

-- +goose Down
DROP INDEX users_pinyin_sort_key;
