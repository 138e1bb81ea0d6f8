-- +goose Up
-- A survey question may take an optional comment after its answer (SPEC
-- C13). Who commented (a bit a question, on the taker, so that each member
-- comments once) is kept apart from what: in an anonymous survey a comment
-- has no member and keeps its day, not its time.
ALTER TABLE `survey_questions` ADD COLUMN `comment` numeric NOT NULL DEFAULT false;
ALTER TABLE `survey_takers` ADD COLUMN `commented` integer NOT NULL DEFAULT 0;
CREATE TABLE `survey_comments` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `survey_id` integer NOT NULL,
  `question_id` integer NOT NULL,
  `branch_id` integer,
  `member_id` integer,
  `text` text NOT NULL,
  `created_at` datetime
);
CREATE INDEX `idx_survey_comments_survey_id` ON `survey_comments`(`survey_id`);
