-- +goose Up
-- Search looks for matches only in the chats the member is in now. With the chat id in the GIN
-- index (btree_gin, a trusted contrib extension of PostgreSQL), the index itself narrows the
-- matches to those chats, so only the member's matches are fetched from the table and
-- rechecked (a phrase needs the positions, which GIN does not keep), not every match of the
-- organisation (docs/performance.md, "Messaging").
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX messages_chat_search_idx ON messages USING gin (chat_id, search);
DROP INDEX messages_search_idx;

-- +goose Down
CREATE INDEX messages_search_idx ON messages USING gin (search);
DROP INDEX messages_chat_search_idx;
DROP EXTENSION IF EXISTS btree_gin;
