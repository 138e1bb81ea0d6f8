-- +goose Up
-- A row may edit in place a message the bot sent (an event's announcement
-- after a change or a cancellation) rather than send a new one; when the
-- message can no longer be edited, it is sent anew if send_if_uneditable.
ALTER TABLE `outboxes` ADD COLUMN `edit_message_id` integer NOT NULL DEFAULT 0;
ALTER TABLE `outboxes` ADD COLUMN `send_if_uneditable` numeric NOT NULL DEFAULT false;
