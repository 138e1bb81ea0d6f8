-- +goose Up
-- Activity records (SPEC C8): one per branch activity's occurrence.
CREATE TABLE `activity_records` (`id` integer PRIMARY KEY AUTOINCREMENT,`event_id` integer NOT NULL,`occurrence` datetime NOT NULL,`branch_id` integer,`topic` text NOT NULL,`summary` text,`photos` text,`recorded_by` integer,`created_at` datetime,`updated_at` datetime,CONSTRAINT `fk_activity_records_event` FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON DELETE CASCADE);
CREATE UNIQUE INDEX `idx_records_occurrence` ON `activity_records`(`event_id`,`occurrence`);
CREATE INDEX `idx_activity_records_branch_id` ON `activity_records`(`branch_id`);
