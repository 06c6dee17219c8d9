-- +goose Up
-- Content rules: an organisation's phrases that block or flag messages and file names, and the
-- flags raised for admins to review. normalized is the phrase as it is matched (NFKC, case
-- folded, white space collapsed: domain/moderation.Normalize), unique per organisation.
CREATE TABLE content_rules (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    phrase     text NOT NULL CHECK (char_length(phrase) BETWEEN 1 AND 200),
    normalized text NOT NULL CHECK (normalized <> ''),
    action     text NOT NULL CHECK (action IN ('block', 'flag')),
    created_by uuid,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CONSTRAINT content_rules_org_id_id_key UNIQUE (org_id, id),
    CONSTRAINT content_rules_normalized_key UNIQUE (org_id, normalized)
);

-- One row per organisation whose rules ever changed: every change of its rules increments
-- version in the same transaction. Each replica caches an organisation's compiled rules with the
-- version they were read at and compares it with this row (a primary-key read) at most every
-- few seconds, so checking a message costs no query in the common case.
CREATE TABLE content_rule_versions (
    org_id  uuid PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    version bigint NOT NULL
);

-- A flag keeps the phrase it matched after its rule is deleted. It is written in the
-- transaction that stores the message, possibly before the message row, so the references
-- to the chat and the message are checked at commit (DEFERRABLE INITIALLY DEFERRED). A
-- message purged by retention takes its flags with it.
CREATE TABLE content_flags (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    rule_id     uuid,
    phrase      text NOT NULL,
    chat_id     uuid,
    message_id  uuid,
    sender_id   uuid NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('message', 'file_name')),
    excerpt     text NOT NULL DEFAULT '' CHECK (char_length(excerpt) <= 280),
    created_at  timestamptz NOT NULL,
    reviewed_at timestamptz,
    reviewed_by uuid,
    decision    text CHECK (decision IN ('dismissed', 'upheld')),
    CHECK ((reviewed_at IS NULL) = (decision IS NULL)),
    FOREIGN KEY (org_id, rule_id) REFERENCES content_rules (org_id, id) ON DELETE SET NULL (rule_id),
    FOREIGN KEY (org_id, chat_id) REFERENCES chats (org_id, id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, message_id) REFERENCES messages (org_id, id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX content_flags_org_idx ON content_flags (org_id, created_at DESC, id);
CREATE INDEX content_flags_unreviewed_idx ON content_flags (org_id, created_at DESC, id) WHERE reviewed_at IS NULL;
CREATE INDEX content_flags_message_idx ON content_flags (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX content_flags_chat_idx ON content_flags (chat_id) WHERE chat_id IS NOT NULL;

-- +goose Down
DROP TABLE content_flags;
DROP TABLE content_rule_versions;
DROP TABLE content_rules;
