-- +goose Up
-- The association's year and members' questions (SPEC C15). Recurring
-- notices, each occurrence a broadcast of its own (one a date, by the
-- unique index); members' questions to their organizers; the frequent
-- questions offered before one is sent.
CREATE TABLE `notices` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `audience` text NOT NULL,
  `texts` text NOT NULL,
  `r_rule` text NOT NULL DEFAULT '',
  `lunar` text NOT NULL DEFAULT '',
  `start` datetime,
  `at_minute` integer NOT NULL DEFAULT 540,
  `before_days` integer NOT NULL DEFAULT 0,
  `photo_file_id` text NOT NULL DEFAULT '',
  `calendar_key` text,
  `enabled` numeric NOT NULL DEFAULT true,
  `created_by` integer,
  `created_at` datetime,
  `updated_at` datetime
);
CREATE UNIQUE INDEX `idx_notices_calendar_key` ON `notices`(`calendar_key`);
ALTER TABLE `broadcasts` ADD COLUMN `notice_id` integer;
ALTER TABLE `broadcasts` ADD COLUMN `occurrence` datetime;
CREATE UNIQUE INDEX `idx_broadcasts_occurrence` ON `broadcasts`(`notice_id`,`occurrence`);
CREATE TABLE `inquiries` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `member_id` integer NOT NULL,
  `branch_id` integer,
  `text` text NOT NULL,
  `status` text NOT NULL,
  `by_sms` numeric NOT NULL DEFAULT false,
  `asked_at` datetime,
  `answered_at` datetime,
  `answered_by` integer,
  `answer` text NOT NULL DEFAULT '',
  `escalated` numeric NOT NULL DEFAULT false,
  `created_at` datetime
);
CREATE INDEX `idx_inquiries_member_id` ON `inquiries`(`member_id`);
CREATE INDEX `idx_inquiries_status` ON `inquiries`(`status`);
CREATE TABLE `faqs` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `lang` text NOT NULL,
  `question` text NOT NULL,
  `answer` text NOT NULL,
  `keywords` text NOT NULL DEFAULT '',
  `created_at` datetime
);
CREATE INDEX `idx_faqs_lang` ON `faqs`(`lang`);
-- A duty kind may fall on working days only: a due date on a day off
-- moves to the next working day (a make-up Sunday is one).
ALTER TABLE `plan_kinds` ADD COLUMN `workdays` numeric NOT NULL DEFAULT false;
