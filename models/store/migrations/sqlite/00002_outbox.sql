-- +goose Up
-- The outbox, broadcasts and dialogs.
CREATE TABLE `outboxes` (`id` integer PRIMARY KEY AUTOINCREMENT,`dedupe_key` text NOT NULL,`member_id` integer,`chat_id` integer NOT NULL,`kind` text NOT NULL,`template_key` text,`args` text,`text` text,`photo_file_id` text,`document_file_id` text,`markup` text,`not_before` datetime NOT NULL,`expires_at` datetime,`urgent` numeric NOT NULL DEFAULT false,`status` text NOT NULL,`next_attempt_at` datetime NOT NULL,`attempts` integer NOT NULL DEFAULT 0,`lease_owner` text,`last_error` text,`sent_at` datetime,`telegram_message_id` integer,`broadcast_id` integer,`created_at` datetime);
CREATE INDEX `idx_outboxes_broadcast_id` ON `outboxes`(`broadcast_id`);
CREATE INDEX `idx_outbox_due` ON `outboxes`(`status`,`next_attempt_at`);
CREATE INDEX `idx_outboxes_member_id` ON `outboxes`(`member_id`);
CREATE UNIQUE INDEX `idx_outboxes_dedupe_key` ON `outboxes`(`dedupe_key`);
CREATE TABLE `broadcasts` (`id` integer PRIMARY KEY AUTOINCREMENT,`organizer_id` integer,`chat_id` integer,`progress_message_id` integer,`audience` text NOT NULL,`text` text,`photo_file_id` text,`document_file_id` text,`total` integer NOT NULL,`send_at` datetime,`status` text NOT NULL,`last_progress` integer,`created_at` datetime,`finished_at` datetime);
CREATE INDEX `idx_broadcasts_status` ON `broadcasts`(`status`);
CREATE TABLE `dialogs` (`telegram_id` integer,`kind` text NOT NULL,`step` text NOT NULL,`data` text,`updated_at` datetime,PRIMARY KEY (`telegram_id`));
