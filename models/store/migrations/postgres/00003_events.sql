-- +goose Up
-- Events and answers.
CREATE TABLE events (
    id bigserial NOT NULL,
    kind character varying(32) NOT NULL,
    title character varying(200) NOT NULL,
    description text,
    location character varying(200),
    start_at timestamp with time zone NOT NULL,
    duration_min bigint,
    audience character varying(200) NOT NULL,
    rsvp boolean DEFAULT true NOT NULL,
    capacity bigint,
    allow_guests boolean,
    rsvp_deadline timestamp with time zone,
    r_rule character varying(500),
    status character varying(16) DEFAULT 'scheduled'::character varying NOT NULL,
    created_by bigint,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    CONSTRAINT events_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_events_status ON events USING btree (status);
CREATE TABLE rsvps (
    event_id bigint NOT NULL,
    occurrence timestamp with time zone NOT NULL,
    member_id bigint NOT NULL,
    answer character varying(8) NOT NULL,
    guests bigint DEFAULT 0 NOT NULL,
    waitlisted boolean DEFAULT false NOT NULL,
    checked_in boolean DEFAULT false NOT NULL,
    rating bigint,
    updated_at timestamp with time zone,
    CONSTRAINT rsvps_pkey PRIMARY KEY (event_id, occurrence, member_id)
);
CREATE INDEX idx_rsvps_member_id ON rsvps USING btree (member_id);
