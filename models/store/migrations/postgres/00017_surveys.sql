-- +goose Up
-- Surveys (SPEC C13). Who was asked and how far they answered
-- (survey_takers, for the reminder) is kept apart from what was answered
-- (survey_answers): in an anonymous survey an answer has no member, only
-- a ballot, a random token that only the member's own message carries.
CREATE TABLE surveys (
  id bigserial PRIMARY KEY,
  title varchar(100) NOT NULL,
  audience varchar(500) NOT NULL,
  anonymous boolean DEFAULT false NOT NULL,
  opens_at timestamptz,
  closes_at timestamptz,
  remind_hours bigint DEFAULT 24 NOT NULL,
  created_by bigint,
  closed_at timestamptz,
  created_at timestamptz
);
CREATE TABLE survey_questions (
  id bigserial PRIMARY KEY,
  survey_id bigint NOT NULL,
  position bigint NOT NULL,
  kind varchar(16) NOT NULL,
  text varchar(300) NOT NULL,
  options varchar(400) DEFAULT '' NOT NULL,
  CONSTRAINT fk_surveys_questions FOREIGN KEY (survey_id) REFERENCES surveys(id) ON DELETE CASCADE
);
CREATE INDEX idx_survey_questions_survey_id ON survey_questions(survey_id);
CREATE TABLE survey_takers (
  survey_id bigint NOT NULL,
  member_id bigint NOT NULL,
  branch_id bigint,
  answered bigint DEFAULT 0 NOT NULL,
  finished_at timestamptz,
  reminded_at timestamptz,
  PRIMARY KEY (survey_id, member_id)
);
CREATE INDEX idx_survey_takers_member_id ON survey_takers(member_id);
CREATE TABLE survey_answers (
  id bigserial PRIMARY KEY,
  survey_id bigint NOT NULL,
  question_id bigint NOT NULL,
  branch_id bigint,
  member_id bigint,
  ballot varchar(32) DEFAULT '' NOT NULL,
  choice bigint NOT NULL,
  updated_at timestamptz
);
CREATE INDEX idx_survey_answers_survey_id ON survey_answers(survey_id);
CREATE UNIQUE INDEX idx_survey_answers_ballot ON survey_answers(survey_id, question_id, ballot);
-- A survey's messages name it, to be withdrawn when it closes.
ALTER TABLE outboxes ADD COLUMN survey_id bigint;
CREATE INDEX idx_outboxes_survey_id ON outboxes(survey_id);
