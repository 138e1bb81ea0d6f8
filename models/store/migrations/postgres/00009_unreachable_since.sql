-- +goose Up
-- When a member became unreachable, for the weekly digest (SPEC C8).
ALTER TABLE members ADD COLUMN unreachable_since timestamp with time zone;
