-- +goose Up
-- The association's year and members' questions (SPEC C15). Recurring
-- notices, each occurrence a broadcast of its own (one a date, by the
-- unique index); members' questions to their organizers; the frequent
-- questions offered before one is sent.
CREATE TABLE notices (
  id bigserial PRIMARY KEY,
  audience varchar(500) NOT NULL,
  texts text NOT NULL,
  r_rule varchar(200) DEFAULT '' NOT NULL,
  lunar varchar(5) DEFAULT '' NOT NULL,
  start timestamptz,
  at_minute bigint DEFAULT 540 NOT NULL,
  before_days bigint DEFAULT 0 NOT NULL,
  photo_file_id varchar(200) DEFAULT '' NOT NULL,
  calendar_key varchar(40),
  enabled boolean DEFAULT true NOT NULL,
  created_by bigint,
  created_at timestamptz,
  updated_at timestamptz
);
CREATE UNIQUE INDEX idx_notices_calendar_key ON notices(calendar_key);
ALTER TABLE broadcasts ADD COLUMN notice_id bigint;
ALTER TABLE broadcasts ADD COLUMN occurrence timestamptz;
CREATE UNIQUE INDEX idx_broadcasts_occurrence ON broadcasts(notice_id, occurrence);
CREATE TABLE inquiries (
  id bigserial PRIMARY KEY,
  member_id bigint NOT NULL,
  branch_id bigint,
  text text NOT NULL,
  status varchar(10) NOT NULL,
  by_sms boolean DEFAULT false NOT NULL,
  asked_at timestamptz,
  answered_at timestamptz,
  answered_by bigint,
  answer text DEFAULT '' NOT NULL,
  escalated boolean DEFAULT false NOT NULL,
  created_at timestamptz
);
CREATE INDEX idx_inquiries_member_id ON inquiries(member_id);
CREATE INDEX idx_inquiries_status ON inquiries(status);
CREATE TABLE faqs (
  id bigserial PRIMARY KEY,
  lang varchar(8) NOT NULL,
  question varchar(300) NOT NULL,
  answer text NOT NULL,
  keywords varchar(300) DEFAULT '' NOT NULL,
  created_at timestamptz
);
CREATE INDEX idx_faqs_lang ON faqs(lang);
-- A duty kind may fall on working days only: a due date on a day off
-- moves to the next working day (a make-up Sunday is one).
ALTER TABLE plan_kinds ADD COLUMN workdays boolean DEFAULT false NOT NULL;
