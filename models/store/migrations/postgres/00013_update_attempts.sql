-- +goose Up
-- How many times an update was taken for handling: one whose handling
-- stopped the process (out of memory, a crash) again and again is given up
-- after a few tries instead of stopping every restart.
ALTER TABLE seen_updates ADD COLUMN attempts integer NOT NULL DEFAULT 1;
