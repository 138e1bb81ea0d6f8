-- +goose Up
-- One planner for every message: what an outbox row is about (its subject)
-- as columns, the reader's language for chats without a member, and why a
-- message was not delivered; events bounded in time and revised.
ALTER TABLE outboxes ADD COLUMN lang character varying(16);
ALTER TABLE outboxes ADD COLUMN event_id bigint;
ALTER TABLE outboxes ADD COLUMN occurrence timestamp with time zone;
ALTER TABLE outboxes ADD COLUMN join_request_id bigint;
ALTER TABLE outboxes ADD COLUMN reason character varying(32);
CREATE INDEX idx_outboxes_event_id ON outboxes USING btree (event_id);
ALTER TABLE events ADD COLUMN last_start_at timestamp with time zone;
ALTER TABLE events ADD COLUMN revision bigint DEFAULT 0 NOT NULL;
-- Events are read by a window on their occurrences (store.EventsBetween).
DROP INDEX idx_events_status;
CREATE INDEX idx_events_window ON events USING btree (status, last_start_at);
CREATE INDEX idx_events_rsvp_deadline ON events USING btree (rsvp_deadline);
-- assocbot before goose read its version here: version 4 makes such a
-- binary refuse this database instead of using it unawares.
INSERT INTO schema_migrations (version, name, applied_at) VALUES (4, 'versions moved to goose_db_version', CURRENT_TIMESTAMP);
