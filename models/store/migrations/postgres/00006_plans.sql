-- +goose Up
-- Health checks and organizers' duties (SPEC C5): kinds, each member's plan
-- of a kind, the record of each cycle; an outbox row may be about a plan.
CREATE TABLE plan_kinds (
    id bigserial NOT NULL,
    key character varying(50) NOT NULL,
    for_role character varying(16) NOT NULL,
    name_zh_hans character varying(100) NOT NULL,
    name_zh_hant character varying(100) NOT NULL,
    name_en character varying(100) NOT NULL,
    every character varying(16),
    r_rule character varying(200),
    offsets character varying(100) NOT NULL,
    certificate boolean DEFAULT false NOT NULL,
    auto_close character varying(32),
    created_at timestamp with time zone,
    CONSTRAINT plan_kinds_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX idx_plan_kinds_key ON plan_kinds USING btree (key);
CREATE TABLE plans (
    id bigserial NOT NULL,
    kind_id bigint NOT NULL,
    member_id bigint NOT NULL,
    state character varying(16) NOT NULL,
    next_due timestamp with time zone NOT NULL,
    last_done timestamp with time zone,
    cycle bigint DEFAULT 0 NOT NULL,
    slot bigint DEFAULT 0 NOT NULL,
    next_remind_at timestamp with time zone,
    snooze_at timestamp with time zone,
    overdue_since timestamp with time zone,
    overdue_told boolean DEFAULT false NOT NULL,
    assigned_by bigint,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    CONSTRAINT plans_pkey PRIMARY KEY (id),
    CONSTRAINT fk_plans_kind FOREIGN KEY (kind_id) REFERENCES plan_kinds(id) ON DELETE RESTRICT,
    CONSTRAINT fk_plans_member FOREIGN KEY (member_id) REFERENCES members(id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX idx_plans_member_kind ON plans USING btree (member_id, kind_id);
CREATE INDEX idx_plans_remind ON plans USING btree (state, next_remind_at);
CREATE INDEX idx_plans_overdue ON plans USING btree (overdue_told, overdue_since);
CREATE TABLE check_records (
    id bigserial NOT NULL,
    plan_id bigint NOT NULL,
    cycle bigint NOT NULL,
    done_on timestamp with time zone NOT NULL,
    status character varying(16) NOT NULL,
    by_member_id bigint,
    photo_file_id character varying(200),
    note character varying(500),
    created_at timestamp with time zone,
    decided_at timestamp with time zone,
    CONSTRAINT check_records_pkey PRIMARY KEY (id),
    CONSTRAINT fk_check_records_plan FOREIGN KEY (plan_id) REFERENCES plans(id) ON DELETE CASCADE
);
CREATE INDEX idx_check_records_plan_id ON check_records USING btree (plan_id);
ALTER TABLE outboxes ADD COLUMN plan_id bigint;
CREATE INDEX idx_outboxes_plan_id ON outboxes USING btree (plan_id);
