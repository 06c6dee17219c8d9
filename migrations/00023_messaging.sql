-- +goose Up
-- The messaging module: chats (direct, ad-hoc, one per group, one per department), their
-- explicit members and roles, each member's read state, messages with per-chat sequence
-- numbers, threads, quotes, mentions, attachments and a search vector, edit history,
-- reactions, pins, and the organisation's messaging settings.
--
-- As in 00020, every reference is (org_id, ...) -> (org_id, ...), so a row of one organisation
-- can never point at another's chat, message, group, department, file or member.
--
-- The members of a group's or a department's chat are not stored: they are the group's members
-- and the active members of the department's subtree at the time of the query, so joining,
-- leaving or deactivation takes effect at once. chat_members holds every member of direct and
-- ad-hoc chats, and only the explicit roles (owner, admin) of group and department chats.
CREATE TABLE chats (
    id              uuid PRIMARY KEY,
    org_id          uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('direct', 'adhoc', 'group', 'department')),
    group_id        uuid,
    department_id   uuid,
    -- The two members of a direct chat, smaller id first, so a pair has one chat.
    direct_key      text,
    name            text NOT NULL DEFAULT '' CHECK (char_length(name) <= 100),
    description     text NOT NULL DEFAULT '' CHECK (char_length(description) <= 1000),
    avatar_file_id  uuid,
    created_by      uuid NOT NULL,
    archived_at     timestamptz,
    -- The sequence of the chat's last message: sending takes the row's lock and increments it.
    last_seq        bigint NOT NULL DEFAULT 0,
    last_message_at timestamptz,
    legal_hold      boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT chats_org_id_id_key UNIQUE (org_id, id),
    FOREIGN KEY (org_id, group_id) REFERENCES groups (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, department_id) REFERENCES departments (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, avatar_file_id) REFERENCES files (org_id, id) ON DELETE SET NULL (avatar_file_id),
    CHECK ((kind = 'group') = (group_id IS NOT NULL)),
    CHECK ((kind = 'department') = (department_id IS NOT NULL)),
    CHECK ((kind = 'direct') = (direct_key IS NOT NULL))
);
CREATE UNIQUE INDEX chats_group_key ON chats (org_id, group_id) WHERE kind = 'group';
CREATE UNIQUE INDEX chats_department_key ON chats (org_id, department_id) WHERE kind = 'department';
CREATE UNIQUE INDEX chats_direct_key ON chats (org_id, direct_key) WHERE kind = 'direct';
CREATE INDEX chats_org_kind_idx ON chats (org_id, kind);

CREATE TABLE chat_members (
    org_id   uuid NOT NULL,
    chat_id  uuid NOT NULL,
    user_id  uuid NOT NULL,
    role     text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    added_at timestamptz NOT NULL,
    PRIMARY KEY (chat_id, user_id),
    FOREIGN KEY (org_id, chat_id) REFERENCES chats (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX chat_members_user_idx ON chat_members (org_id, user_id);

-- Each member's state in a chat: ONE row per member per chat, never a row per message. A
-- message of sequence s is read by a member when their last_read_seq >= s.
CREATE TABLE chat_reads (
    org_id        uuid NOT NULL,
    chat_id       uuid NOT NULL,
    user_id       uuid NOT NULL,
    last_read_seq bigint NOT NULL DEFAULT 0 CHECK (last_read_seq >= 0),
    muted         boolean NOT NULL DEFAULT false,
    pinned_at     timestamptz,
    hidden        boolean NOT NULL DEFAULT false,
    PRIMARY KEY (chat_id, user_id),
    FOREIGN KEY (org_id, chat_id) REFERENCES chats (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX chat_reads_user_idx ON chat_reads (org_id, user_id);

-- A message keeps its sender named after they leave (no foreign key on sender_id). A recalled
-- or deleted message keeps its row, with the body cleared, as the placeholder.
CREATE TABLE messages (
    id             uuid PRIMARY KEY,
    org_id         uuid NOT NULL,
    chat_id        uuid NOT NULL,
    seq            bigint NOT NULL CHECK (seq > 0),
    sender_id      uuid NOT NULL,
    client_id      text NOT NULL CHECK (char_length(client_id) BETWEEN 1 AND 100),
    body           text NOT NULL CHECK (octet_length(body) <= 16384),
    thread_root_id uuid,
    reply_count    integer NOT NULL DEFAULT 0 CHECK (reply_count >= 0),
    last_reply_at  timestamptz,
    quote_id       uuid,
    mentions       uuid[] NOT NULL DEFAULT '{}',
    mention_all    boolean NOT NULL DEFAULT false,
    attachment_ids uuid[] NOT NULL DEFAULT '{}',
    search         tsvector NOT NULL DEFAULT ''::tsvector,
    created_at     timestamptz NOT NULL,
    edited_at      timestamptz,
    recalled_at    timestamptz,
    deleted_at     timestamptz,
    deleted_by     uuid,
    CONSTRAINT messages_org_id_id_key UNIQUE (org_id, id),
    CONSTRAINT messages_chat_seq_key UNIQUE (chat_id, seq),
    CONSTRAINT messages_client_key UNIQUE (chat_id, sender_id, client_id),
    FOREIGN KEY (org_id, chat_id) REFERENCES chats (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, thread_root_id) REFERENCES messages (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, quote_id) REFERENCES messages (org_id, id) ON DELETE SET NULL (quote_id)
);
CREATE INDEX messages_thread_idx ON messages (thread_root_id, seq) WHERE thread_root_id IS NOT NULL;
CREATE INDEX messages_search_idx ON messages USING gin (search);
CREATE INDEX messages_org_created_idx ON messages (org_id, created_at);
CREATE INDEX messages_sender_idx ON messages (org_id, sender_id, created_at);
CREATE INDEX messages_quote_idx ON messages (quote_id) WHERE quote_id IS NOT NULL;

-- The bodies a message had before each edit.
CREATE TABLE message_edits (
    id         bigserial PRIMARY KEY,
    org_id     uuid NOT NULL,
    message_id uuid NOT NULL,
    body       text NOT NULL CHECK (octet_length(body) <= 16384),
    edited_at  timestamptz NOT NULL,
    FOREIGN KEY (org_id, message_id) REFERENCES messages (org_id, id) ON DELETE CASCADE
);
CREATE INDEX message_edits_message_idx ON message_edits (message_id, id);

CREATE TABLE message_reactions (
    org_id     uuid NOT NULL,
    message_id uuid NOT NULL,
    user_id    uuid NOT NULL,
    emoji      text NOT NULL CHECK (char_length(emoji) BETWEEN 1 AND 32),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji),
    FOREIGN KEY (org_id, message_id) REFERENCES messages (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);

CREATE TABLE message_pins (
    org_id     uuid NOT NULL,
    chat_id    uuid NOT NULL,
    message_id uuid NOT NULL,
    pinned_by  uuid NOT NULL,
    pinned_at  timestamptz NOT NULL,
    PRIMARY KEY (chat_id, message_id),
    FOREIGN KEY (org_id, chat_id) REFERENCES chats (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, message_id) REFERENCES messages (org_id, id) ON DELETE CASCADE
);
CREATE INDEX message_pins_message_idx ON message_pins (message_id);

-- An organisation's messaging settings; a missing row means the defaults: messages kept
-- forever, read receipts always sent, @all under the configured size.
CREATE TABLE messaging_settings (
    org_id                uuid PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    retention_days        integer CHECK (retention_days BETWEEN 1 AND 36500),
    allow_receipt_opt_out boolean NOT NULL DEFAULT false,
    mention_all_max       integer CHECK (mention_all_max BETWEEN 2 AND 1000),
    updated_at            timestamptz NOT NULL
);

-- A person's choice to send read receipts; honoured only where the organisation allows opting
-- out.
ALTER TABLE users ADD COLUMN send_read_receipts boolean NOT NULL DEFAULT true;

-- The members of a chat now: the stored members of a direct or ad-hoc chat, the members of a
-- group's chat's group, and the active members of a department's chat's subtree (guests never),
-- each an active member of the organisation. Every read of "who is in this chat" goes through
-- it, so membership is defined once.
-- +goose StatementBegin
CREATE FUNCTION chat_member_ids(p_org uuid, p_chat uuid) RETURNS SETOF uuid
LANGUAGE sql STABLE AS $$
    SELECT cm.user_id FROM chats c
        JOIN chat_members cm ON cm.chat_id = c.id
        JOIN memberships m ON m.org_id = cm.org_id AND m.user_id = cm.user_id AND m.status = 'active'
        WHERE c.org_id = p_org AND c.id = p_chat AND c.kind IN ('direct', 'adhoc')
    UNION ALL
    SELECT gm.user_id FROM chats c
        JOIN group_members gm ON gm.org_id = c.org_id AND gm.group_id = c.group_id
        JOIN memberships m ON m.org_id = gm.org_id AND m.user_id = gm.user_id AND m.status = 'active'
        WHERE c.org_id = p_org AND c.id = p_chat AND c.kind = 'group'
    UNION ALL
    SELECT DISTINCT dm.user_id FROM chats c
        JOIN departments d ON d.org_id = c.org_id AND d.id = c.department_id
        JOIN departments x ON x.org_id = d.org_id AND x.path LIKE d.path || '%'
        JOIN department_members dm ON dm.department_id = x.id
        JOIN memberships m ON m.org_id = dm.org_id AND m.user_id = dm.user_id AND m.status = 'active' AND m.role <> 'guest'
        WHERE c.org_id = p_org AND c.id = p_chat AND c.kind = 'department'
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION chat_member_ids(uuid, uuid);
ALTER TABLE users DROP COLUMN send_read_receipts;
DROP TABLE messaging_settings;
DROP TABLE message_pins;
DROP TABLE message_reactions;
DROP TABLE message_edits;
DROP TABLE messages;
DROP TABLE chat_reads;
DROP TABLE chat_members;
DROP TABLE chats;
