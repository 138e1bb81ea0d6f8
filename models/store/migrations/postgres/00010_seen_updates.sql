-- +goose Up
-- Webhook update ids already handled: Telegram re-sends an update it got
-- no 2xx for, and a re-sent one must not be handled twice (SPEC C11).
CREATE TABLE seen_updates (
    update_id bigint NOT NULL,
    seen_at timestamp with time zone NOT NULL,
    CONSTRAINT seen_updates_pkey PRIMARY KEY (update_id)
);
CREATE INDEX idx_seen_updates_seen_at ON seen_updates USING btree (seen_at);
