-- +goose Up
-- Families and home visits (SPEC C14). A member's household number, the
-- centre household that looks after it, and the private facts that drive
-- care, apart from the member row; the visits cadres make, each in a
-- window of days, one per family, kind and slot.
CREATE TABLE families (
  member_id bigint PRIMARY KEY,
  household varchar(50) DEFAULT '' NOT NULL,
  centre_id bigint,
  birth_on timestamptz,
  expected varchar(7) DEFAULT '' NOT NULL,
  difficulty boolean DEFAULT false NOT NULL,
  updated_at timestamptz
);
CREATE INDEX idx_families_household ON families(household);
CREATE INDEX idx_families_centre_id ON families(centre_id);
CREATE TABLE visits (
  id bigserial PRIMARY KEY,
  kind varchar(16) NOT NULL,
  family_id bigint NOT NULL,
  slot varchar(32) NOT NULL,
  branch_id bigint,
  assignee_id bigint,
  from_day timestamptz NOT NULL,
  by_day timestamptz NOT NULL,
  every_months bigint DEFAULT 0 NOT NULL,
  state varchar(16) NOT NULL,
  done_on timestamptz,
  done_by bigint,
  note varchar(1200) DEFAULT '' NOT NULL,
  gave varchar(400) DEFAULT '' NOT NULL,
  photo_file_id varchar(200) DEFAULT '' NOT NULL,
  missed_told boolean DEFAULT false NOT NULL,
  created_by bigint,
  created_at timestamptz,
  updated_at timestamptz
);
CREATE UNIQUE INDEX idx_visits_slot ON visits(family_id, kind, slot);
CREATE INDEX idx_visits_branch_id ON visits(branch_id);
CREATE INDEX idx_visits_assignee_id ON visits(assignee_id);
CREATE INDEX idx_visits_state ON visits(state);
-- A one-off duty (a campaign's self-check by a date): closed when done,
-- never renewed.
ALTER TABLE plans ADD COLUMN once boolean DEFAULT false NOT NULL;
-- A report duty's figures (SPEC C14): named on its kind, given for each
-- cycle by its organizer.
ALTER TABLE plan_kinds ADD COLUMN figures varchar(1000) DEFAULT '' NOT NULL;
CREATE TABLE figure_values (
  id bigserial PRIMARY KEY,
  plan_id bigint NOT NULL,
  cycle bigint NOT NULL,
  key varchar(30) NOT NULL,
  kind_id bigint NOT NULL,
  branch_id bigint,
  member_id bigint NOT NULL,
  due timestamptz NOT NULL,
  value bigint NOT NULL,
  created_at timestamptz
);
CREATE UNIQUE INDEX idx_figure_values_cycle ON figure_values(plan_id, cycle, key);
CREATE INDEX idx_figure_values_kind_id ON figure_values(kind_id);
CREATE INDEX idx_figure_values_branch_id ON figure_values(branch_id);
CREATE INDEX idx_figure_values_due ON figure_values(due);
-- A branch that visits its families in difficulty before 六一 too.
ALTER TABLE branches ADD COLUMN care_june boolean DEFAULT false NOT NULL;
