-- +goose Up
-- Families and home visits (SPEC C14). A member's household number, the
-- centre household that looks after it, and the private facts that drive
-- care, apart from the member row; the visits cadres make, each in a
-- window of days, one per family, kind and slot.
CREATE TABLE `families` (
  `member_id` integer PRIMARY KEY,
  `household` text NOT NULL DEFAULT '',
  `centre_id` integer,
  `birth_on` datetime,
  `expected` text NOT NULL DEFAULT '',
  `difficulty` numeric NOT NULL DEFAULT false,
  `updated_at` datetime
);
CREATE INDEX `idx_families_household` ON `families`(`household`);
CREATE INDEX `idx_families_centre_id` ON `families`(`centre_id`);
CREATE TABLE `visits` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `kind` text NOT NULL,
  `family_id` integer NOT NULL,
  `slot` text NOT NULL,
  `branch_id` integer,
  `assignee_id` integer,
  `from_day` datetime NOT NULL,
  `by_day` datetime NOT NULL,
  `every_months` integer NOT NULL DEFAULT 0,
  `state` text NOT NULL,
  `done_on` datetime,
  `done_by` integer,
  `note` text NOT NULL DEFAULT '',
  `gave` text NOT NULL DEFAULT '',
  `photo_file_id` text NOT NULL DEFAULT '',
  `missed_told` numeric NOT NULL DEFAULT false,
  `created_by` integer,
  `created_at` datetime,
  `updated_at` datetime
);
CREATE UNIQUE INDEX `idx_visits_slot` ON `visits`(`family_id`,`kind`,`slot`);
CREATE INDEX `idx_visits_branch_id` ON `visits`(`branch_id`);
CREATE INDEX `idx_visits_assignee_id` ON `visits`(`assignee_id`);
CREATE INDEX `idx_visits_state` ON `visits`(`state`);
-- A one-off duty (a campaign's self-check by a date): closed when done,
-- never renewed.
ALTER TABLE `plans` ADD COLUMN `once` numeric NOT NULL DEFAULT false;
-- A report duty's figures (SPEC C14): named on its kind, given for each
-- cycle by its organizer.
ALTER TABLE `plan_kinds` ADD COLUMN `figures` text NOT NULL DEFAULT '';
CREATE TABLE `figure_values` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `plan_id` integer NOT NULL,
  `cycle` integer NOT NULL,
  `key` text NOT NULL,
  `kind_id` integer NOT NULL,
  `branch_id` integer,
  `member_id` integer NOT NULL,
  `due` datetime NOT NULL,
  `value` integer NOT NULL,
  `created_at` datetime
);
CREATE UNIQUE INDEX `idx_figure_values_cycle` ON `figure_values`(`plan_id`,`cycle`,`key`);
CREATE INDEX `idx_figure_values_kind_id` ON `figure_values`(`kind_id`);
CREATE INDEX `idx_figure_values_branch_id` ON `figure_values`(`branch_id`);
CREATE INDEX `idx_figure_values_due` ON `figure_values`(`due`);
-- A branch that visits its families in difficulty before 六一 too.
ALTER TABLE `branches` ADD COLUMN `care_june` numeric NOT NULL DEFAULT false;
