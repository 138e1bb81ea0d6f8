-- +goose Up
-- A survey question may take an optional comment after its answer (SPEC
-- C13). Who commented (a bit a question, on the taker, so that each member
-- comments once) is kept apart from what: in an anonymous survey a comment
-- has no member and keeps its day, not its time.
ALTER TABLE survey_questions ADD COLUMN comment boolean DEFAULT false NOT NULL;
ALTER TABLE survey_takers ADD COLUMN commented bigint DEFAULT 0 NOT NULL;
CREATE TABLE survey_comments (
  id bigserial PRIMARY KEY,
  survey_id bigint NOT NULL,
  question_id bigint NOT NULL,
  branch_id bigint,
  member_id bigint,
  text varchar(1200) NOT NULL,
  created_at timestamptz
);
CREATE INDEX idx_survey_comments_survey_id ON survey_comments(survey_id);
