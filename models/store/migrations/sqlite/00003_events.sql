-- +goose Up
-- Events and answers.
CREATE TABLE `events` (`id` integer PRIMARY KEY AUTOINCREMENT,`kind` text NOT NULL,`title` text NOT NULL,`description` text,`location` text,`start_at` datetime NOT NULL,`duration_min` integer,`audience` text NOT NULL,`rsvp` numeric NOT NULL DEFAULT true,`capacity` integer,`allow_guests` numeric,`rsvp_deadline` datetime,`r_rule` text,`status` text NOT NULL DEFAULT "scheduled",`created_by` integer,`created_at` datetime,`updated_at` datetime);
CREATE INDEX `idx_events_status` ON `events`(`status`);
CREATE TABLE `rsvps` (`event_id` integer,`occurrence` datetime,`member_id` integer,`answer` text NOT NULL,`guests` integer NOT NULL DEFAULT 0,`waitlisted` numeric NOT NULL DEFAULT false,`checked_in` numeric NOT NULL DEFAULT false,`rating` integer,`updated_at` datetime,PRIMARY KEY (`event_id`,`occurrence`,`member_id`));
CREATE INDEX `idx_rsvps_member_id` ON `rsvps`(`member_id`);
