-- +goose Up
-- The outbox, broadcasts and dialogs.
CREATE TABLE outboxes (
    id bigserial NOT NULL,
    dedupe_key character varying(200) NOT NULL,
    member_id bigint,
    chat_id bigint NOT NULL,
    kind character varying(32) NOT NULL,
    template_key character varying(100),
    args text,
    text text,
    photo_file_id character varying(200),
    document_file_id character varying(200),
    markup text,
    not_before timestamp with time zone NOT NULL,
    expires_at timestamp with time zone,
    urgent boolean DEFAULT false NOT NULL,
    status character varying(16) NOT NULL,
    next_attempt_at timestamp with time zone NOT NULL,
    attempts bigint DEFAULT 0 NOT NULL,
    lease_owner character varying(128),
    last_error character varying(500),
    sent_at timestamp with time zone,
    telegram_message_id bigint,
    broadcast_id bigint,
    created_at timestamp with time zone,
    CONSTRAINT outboxes_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_outboxes_broadcast_id ON outboxes USING btree (broadcast_id);
CREATE INDEX idx_outbox_due ON outboxes USING btree (status, next_attempt_at);
CREATE INDEX idx_outboxes_member_id ON outboxes USING btree (member_id);
CREATE UNIQUE INDEX idx_outboxes_dedupe_key ON outboxes USING btree (dedupe_key);
CREATE TABLE broadcasts (
    id bigserial NOT NULL,
    organizer_id bigint,
    chat_id bigint,
    progress_message_id bigint,
    audience character varying(200) NOT NULL,
    text text,
    photo_file_id character varying(200),
    document_file_id character varying(200),
    total bigint NOT NULL,
    send_at timestamp with time zone,
    status character varying(16) NOT NULL,
    last_progress bigint,
    created_at timestamp with time zone,
    finished_at timestamp with time zone,
    CONSTRAINT broadcasts_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_broadcasts_status ON broadcasts USING btree (status);
CREATE TABLE dialogs (
    telegram_id bigint NOT NULL,
    kind character varying(32) NOT NULL,
    step character varying(32) NOT NULL,
    data text,
    updated_at timestamp with time zone,
    CONSTRAINT dialogs_pkey PRIMARY KEY (telegram_id)
);
