-- +goose Up
-- The send budget spreads its slots evenly across the second (one every
-- 1/rate s, on every replica): next_at is when the next may be taken. A bot
-- on SQLite keeps its budget in memory; the column stays unused.
ALTER TABLE `send_pause` ADD COLUMN `next_at` datetime NOT NULL DEFAULT '1970-01-01 00:00:00';
