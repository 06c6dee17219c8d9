-- +goose Up
-- API requests counted per caller and fixed window, shared by every replica
-- (infra/postgres/ratelimit). A subject is "u:<user id>" or "t:<token id>". The counts are
-- worth nothing after their window, so the table is UNLOGGED: no WAL for a write on every
-- request, and a crash that empties it only forgives the callers' current window.
CREATE UNLOGGED TABLE api_rate_counts (
    subject      text        NOT NULL,
    window_start timestamptz NOT NULL,
    n            integer     NOT NULL,
    PRIMARY KEY (subject, window_start)
);
-- Pruning deletes the windows that have ended, oldest first.
CREATE INDEX api_rate_counts_window ON api_rate_counts (window_start);

-- +goose Down
DROP TABLE api_rate_counts;
