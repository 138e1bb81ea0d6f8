-- +goose Up
-- A webhook update is taken when it arrives and marked handled when its
-- handling is done: a replica that dies in between leaves it unhandled, and
-- Telegram's re-delivery is then handled by whoever gets it (SPEC C11).
-- Rows from before were recorded on arrival and are taken as handled.
ALTER TABLE seen_updates ADD COLUMN handled_at timestamp with time zone;
UPDATE seen_updates SET handled_at = seen_at;
