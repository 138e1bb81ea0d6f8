-- +goose Up
-- Health checks and organizers' duties (SPEC C5): kinds, each member's plan
-- of a kind, the record of each cycle; an outbox row may be about a plan.
CREATE TABLE `plan_kinds` (`id` integer PRIMARY KEY AUTOINCREMENT,`key` text NOT NULL,`for_role` text NOT NULL,`name_zh_hans` text NOT NULL,`name_zh_hant` text NOT NULL,`name_en` text NOT NULL,`every` text,`r_rule` text,`offsets` text NOT NULL,`certificate` numeric NOT NULL DEFAULT false,`auto_close` text,`created_at` datetime);
CREATE UNIQUE INDEX `idx_plan_kinds_key` ON `plan_kinds`(`key`);
CREATE TABLE `plans` (`id` integer PRIMARY KEY AUTOINCREMENT,`kind_id` integer NOT NULL,`member_id` integer NOT NULL,`state` text NOT NULL,`next_due` datetime NOT NULL,`last_done` datetime,`cycle` integer NOT NULL DEFAULT 0,`slot` integer NOT NULL DEFAULT 0,`next_remind_at` datetime,`snooze_at` datetime,`overdue_since` datetime,`overdue_told` numeric NOT NULL DEFAULT false,`assigned_by` integer,`created_at` datetime,`updated_at` datetime,CONSTRAINT `fk_plans_kind` FOREIGN KEY (`kind_id`) REFERENCES `plan_kinds`(`id`) ON DELETE RESTRICT,CONSTRAINT `fk_plans_member` FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON DELETE CASCADE);
CREATE UNIQUE INDEX `idx_plans_member_kind` ON `plans`(`member_id`,`kind_id`);
CREATE INDEX `idx_plans_remind` ON `plans`(`state`,`next_remind_at`);
CREATE INDEX `idx_plans_overdue` ON `plans`(`overdue_told`,`overdue_since`);
CREATE TABLE `check_records` (`id` integer PRIMARY KEY AUTOINCREMENT,`plan_id` integer NOT NULL,`cycle` integer NOT NULL,`done_on` datetime NOT NULL,`status` text NOT NULL,`by_member_id` integer,`photo_file_id` text,`note` text,`created_at` datetime,`decided_at` datetime,CONSTRAINT `fk_check_records_plan` FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON DELETE CASCADE);
CREATE INDEX `idx_check_records_plan_id` ON `check_records`(`plan_id`);
ALTER TABLE `outboxes` ADD COLUMN `plan_id` integer;
CREATE INDEX `idx_outboxes_plan_id` ON `outboxes`(`plan_id`);
