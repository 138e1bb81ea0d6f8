-- +goose Up
-- Activity records (SPEC C8): one per branch activity's occurrence.
CREATE TABLE activity_records (
    id bigserial NOT NULL,
    event_id bigint NOT NULL,
    occurrence timestamp with time zone NOT NULL,
    branch_id bigint,
    topic character varying(200) NOT NULL,
    summary text,
    photos text,
    recorded_by bigint,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    CONSTRAINT activity_records_pkey PRIMARY KEY (id),
    CONSTRAINT fk_activity_records_event FOREIGN KEY (event_id) REFERENCES events(id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX idx_records_occurrence ON activity_records USING btree (event_id, occurrence);
CREATE INDEX idx_activity_records_branch_id ON activity_records USING btree (branch_id);
