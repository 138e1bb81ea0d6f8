-- +goose Up
-- When a member became unreachable, for the weekly digest (SPEC C8).
ALTER TABLE `members` ADD `unreachable_since` datetime;
