-- +goose Up
-- The send budget spreads its slots evenly across the second (one every
-- 1/rate s, on every replica): next_at is when the next may be taken.
ALTER TABLE send_pause ADD COLUMN next_at timestamp with time zone DEFAULT 'epoch' NOT NULL;
