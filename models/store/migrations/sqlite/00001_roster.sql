-- +goose Up
-- Branches, members, invites, join requests: the schema of assocbot's first
-- releases, as they wrote it.
CREATE TABLE IF NOT EXISTS `schema_migrations` (`version` integer,`name` text,`applied_at` datetime,PRIMARY KEY (`version`));
CREATE TABLE `branches` (`id` integer PRIMARY KEY AUTOINCREMENT,`parent_id` integer,`name` text NOT NULL,`path` text NOT NULL,`created_at` datetime,CONSTRAINT `fk_branches_parent` FOREIGN KEY (`parent_id`) REFERENCES `branches`(`id`) ON DELETE RESTRICT);
CREATE UNIQUE INDEX `idx_branches_path` ON `branches`(`path`);
CREATE INDEX `idx_branches_parent_id` ON `branches`(`parent_id`);
CREATE TABLE `members` (`id` integer PRIMARY KEY AUTOINCREMENT,`name` text NOT NULL,`phone` text,`branch_id` integer,`role` text NOT NULL DEFAULT "member",`lang` text,`telegram_lang` text,`tz` text,`telegram_id` integer,`chat_id` integer,`status` text NOT NULL DEFAULT "active",`created_at` datetime,`updated_at` datetime,CONSTRAINT `fk_members_branch` FOREIGN KEY (`branch_id`) REFERENCES `branches`(`id`) ON DELETE SET NULL);
CREATE UNIQUE INDEX `idx_members_telegram_id` ON `members`(`telegram_id`);
CREATE INDEX `idx_members_branch_id` ON `members`(`branch_id`);
CREATE UNIQUE INDEX `idx_members_phone` ON `members`(`phone`);
CREATE TABLE `member_tags` (`member_id` integer,`tag` text,PRIMARY KEY (`member_id`,`tag`),CONSTRAINT `fk_members_tags` FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON DELETE CASCADE);
CREATE INDEX `idx_member_tags_tag` ON `member_tags`(`tag`);
CREATE TABLE `organizer_scopes` (`member_id` integer,`branch_id` integer,PRIMARY KEY (`member_id`,`branch_id`),CONSTRAINT `fk_organizer_scopes_member` FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON DELETE CASCADE,CONSTRAINT `fk_organizer_scopes_branch` FOREIGN KEY (`branch_id`) REFERENCES `branches`(`id`) ON DELETE CASCADE);
CREATE INDEX `idx_organizer_scopes_branch_id` ON `organizer_scopes`(`branch_id`);
CREATE TABLE `invites` (`id` integer PRIMARY KEY AUTOINCREMENT,`code_hash` text NOT NULL,`member_id` integer NOT NULL,`expires_at` datetime,`used_at` datetime,`created_at` datetime,CONSTRAINT `fk_invites_member` FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON DELETE CASCADE);
CREATE INDEX `idx_invites_member_id` ON `invites`(`member_id`);
CREATE UNIQUE INDEX `idx_invites_code_hash` ON `invites`(`code_hash`);
CREATE TABLE `visitors` (`telegram_id` integer,`lang` text,`phone` text,`updated_at` datetime,PRIMARY KEY (`telegram_id`));
CREATE TABLE `join_requests` (`id` integer PRIMARY KEY AUTOINCREMENT,`telegram_id` integer NOT NULL,`chat_id` integer NOT NULL,`name` text NOT NULL,`phone` text,`lang` text NOT NULL,`branch_id` integer NOT NULL,`status` text NOT NULL DEFAULT "pending",`decided_by` integer,`member_id` integer,`created_at` datetime,`decided_at` datetime,CONSTRAINT `fk_join_requests_branch` FOREIGN KEY (`branch_id`) REFERENCES `branches`(`id`) ON DELETE CASCADE);
CREATE INDEX `idx_join_requests_status` ON `join_requests`(`status`);
CREATE INDEX `idx_join_requests_branch_id` ON `join_requests`(`branch_id`);
CREATE INDEX `idx_join_requests_telegram_id` ON `join_requests`(`telegram_id`);
