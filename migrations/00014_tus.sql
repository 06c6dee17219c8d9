-- +goose Up
-- Resumable (tus) uploads, continued from the uploads table of 00012: what the client sent as
-- Upload-Metadata (HEAD gives it back), the bytes after the last part, and the lease that lets
-- one request at a time write to an upload without holding a transaction open while bytes flow.

ALTER TABLE uploads ADD COLUMN metadata text NOT NULL DEFAULT '' CHECK (octet_length(metadata) <= 4096);
-- tail: the versions of the temporary object "<object_key>.tail" that hold the bytes after the
-- last part, in order, as [{"version": ..., "size": ...}]; they go first into the next part.
ALTER TABLE uploads ADD COLUMN tail jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tail) = 'array');
-- lease: the request writing to the upload (a PATCH, a termination, the sweeper), until
-- lease_until; a request that dies lets it run out.
ALTER TABLE uploads ADD COLUMN lease uuid;
ALTER TABLE uploads ADD COLUMN lease_until timestamptz;

-- +goose Down
ALTER TABLE uploads DROP COLUMN lease_until, DROP COLUMN lease, DROP COLUMN tail, DROP COLUMN metadata;
