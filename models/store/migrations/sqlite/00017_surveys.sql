-- +goose Up
-- Surveys (SPEC C13). Who was asked and how far they answered
-- (survey_takers, for the reminder) is kept apart from what was answered
-- (survey_answers): in an anonymous survey an answer has no member, only
-- a ballot, a random token that only the member's own message carries.
CREATE TABLE `surveys` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `title` text NOT NULL,
  `audience` text NOT NULL,
  `anonymous` numeric NOT NULL DEFAULT false,
  `opens_at` datetime,
  `closes_at` datetime,
  `remind_hours` integer NOT NULL DEFAULT 24,
  `created_by` integer,
  `closed_at` datetime,
  `created_at` datetime
);
CREATE TABLE `survey_questions` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `survey_id` integer NOT NULL,
  `position` integer NOT NULL,
  `kind` text NOT NULL,
  `text` text NOT NULL,
  `options` text NOT NULL DEFAULT '',
  CONSTRAINT `fk_surveys_questions` FOREIGN KEY (`survey_id`) REFERENCES `surveys`(`id`) ON DELETE CASCADE
);
CREATE INDEX `idx_survey_questions_survey_id` ON `survey_questions`(`survey_id`);
CREATE TABLE `survey_takers` (
  `survey_id` integer NOT NULL,
  `member_id` integer NOT NULL,
  `branch_id` integer,
  `answered` integer NOT NULL DEFAULT 0,
  `finished_at` datetime,
  `reminded_at` datetime,
  PRIMARY KEY (`survey_id`,`member_id`)
);
CREATE INDEX `idx_survey_takers_member_id` ON `survey_takers`(`member_id`);
CREATE TABLE `survey_answers` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `survey_id` integer NOT NULL,
  `question_id` integer NOT NULL,
  `branch_id` integer,
  `member_id` integer,
  `ballot` text NOT NULL DEFAULT '',
  `choice` integer NOT NULL,
  `updated_at` datetime
);
CREATE INDEX `idx_survey_answers_survey_id` ON `survey_answers`(`survey_id`);
CREATE UNIQUE INDEX `idx_survey_answers_ballot` ON `survey_answers`(`survey_id`,`question_id`,`ballot`);
-- A survey's messages name it, to be withdrawn when it closes.
ALTER TABLE `outboxes` ADD COLUMN `survey_id` integer;
CREATE INDEX `idx_outboxes_survey_id` ON `outboxes`(`survey_id`);
