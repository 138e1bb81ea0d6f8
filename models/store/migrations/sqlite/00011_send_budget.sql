-- +goose Up
-- The send budget shared by replicas on one database (models/budget); a bot
-- on SQLite runs as one process and keeps it in memory, so these stay empty.
CREATE TABLE `send_slots` (`slot` integer PRIMARY KEY,`gen` integer NOT NULL,`taken_at` datetime NOT NULL,`answered_at` datetime);
CREATE TABLE `send_chats` (`chat_id` integer PRIMARY KEY,`holder` integer,`busy_until` datetime,`last_at` datetime);
CREATE TABLE `send_pause` (`id` integer PRIMARY KEY,`until` datetime NOT NULL);
