-- +goose Up
-- Webhook update ids already handled: Telegram re-sends an update it got
-- no 2xx for, and a re-sent one must not be handled twice (SPEC C11).
CREATE TABLE `seen_updates` (`update_id` integer PRIMARY KEY,`seen_at` datetime NOT NULL);
CREATE INDEX `idx_seen_updates_seen_at` ON `seen_updates`(`seen_at`);
