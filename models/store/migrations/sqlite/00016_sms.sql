-- +goose Up
-- SMS, the second channel (SPEC C12). A member's channel is auto (Telegram
-- when linked and reachable, else SMS), telegram or sms; SMS to a member
-- stops for good when they reply TD or the provider says the number is
-- invalid or opted out (sms_stopped_at), until an organizer re-enables it;
-- health reminders go by SMS only with the member's consent (sms_health).
ALTER TABLE `members` ADD COLUMN `channel` text NOT NULL DEFAULT 'auto';
ALTER TABLE `members` ADD COLUMN `sms_stopped_at` datetime;
ALTER TABLE `members` ADD COLUMN `sms_stop_reason` text NOT NULL DEFAULT '';
ALTER TABLE `members` ADD COLUMN `sms_health` numeric NOT NULL DEFAULT false;
-- Each row goes by one channel; an SMS row keeps the provider's id and its
-- delivery report (sent → delivered / failed).
ALTER TABLE `outboxes` ADD COLUMN `channel` text NOT NULL DEFAULT 'telegram';
ALTER TABLE `outboxes` ADD COLUMN `provider_message_id` text NOT NULL DEFAULT '';
ALTER TABLE `outboxes` ADD COLUMN `delivery` text NOT NULL DEFAULT '';
ALTER TABLE `outboxes` ADD COLUMN `delivered_at` datetime;
CREATE INDEX `idx_outboxes_provider_message_id` ON `outboxes`(`provider_message_id`);
CREATE INDEX `idx_outboxes_sms_member` ON `outboxes`(`member_id`,`channel`,`sent_at`);
-- The approved template for a kind of message in a language ('' = any).
CREATE TABLE `sms_templates` (
  `kind` text NOT NULL,
  `lang` text NOT NULL DEFAULT '',
  `template_id` text NOT NULL,
  `params` text NOT NULL DEFAULT '',
  `updated_at` datetime,
  PRIMARY KEY (`kind`,`lang`)
);
-- SMS taken from the month's cap, per calendar month (YYYY-MM).
CREATE TABLE `sms_months` (
  `month` text NOT NULL,
  `used` integer NOT NULL DEFAULT 0,
  PRIMARY KEY (`month`)
);
-- Callbacks already handled (a provider repeats them): the second changes
-- nothing.
CREATE TABLE `sms_callbacks` (
  `key` text NOT NULL,
  `received_at` datetime NOT NULL,
  PRIMARY KEY (`key`)
);
-- A delivery report that came before the send was recorded (the provider
-- is quicker than our commit), applied when it is.
CREATE TABLE `sms_reports` (
  `provider_message_id` text NOT NULL,
  `delivered` numeric NOT NULL,
  `reported_at` datetime NOT NULL,
  PRIMARY KEY (`provider_message_id`)
);
