-- +goose Up
-- SMS, the second channel (SPEC C12). A member's channel is auto (Telegram
-- when linked and reachable, else SMS), telegram or sms; SMS to a member
-- stops for good when they reply TD or the provider says the number is
-- invalid or opted out (sms_stopped_at), until an organizer re-enables it;
-- health reminders go by SMS only with the member's consent (sms_health).
ALTER TABLE members ADD COLUMN channel varchar(16) DEFAULT 'auto' NOT NULL;
ALTER TABLE members ADD COLUMN sms_stopped_at timestamptz;
ALTER TABLE members ADD COLUMN sms_stop_reason varchar(32) DEFAULT '' NOT NULL;
ALTER TABLE members ADD COLUMN sms_health boolean DEFAULT false NOT NULL;
-- Each row goes by one channel; an SMS row keeps the provider's id and its
-- delivery report (sent → delivered / failed).
ALTER TABLE outboxes ADD COLUMN channel varchar(16) DEFAULT 'telegram' NOT NULL;
ALTER TABLE outboxes ADD COLUMN provider_message_id varchar(100) DEFAULT '' NOT NULL;
ALTER TABLE outboxes ADD COLUMN delivery varchar(16) DEFAULT '' NOT NULL;
ALTER TABLE outboxes ADD COLUMN delivered_at timestamptz;
CREATE INDEX idx_outboxes_provider_message_id ON outboxes(provider_message_id);
CREATE INDEX idx_outboxes_sms_member ON outboxes(member_id, channel, sent_at);
-- The approved template for a kind of message in a language ('' = any).
CREATE TABLE sms_templates (
  kind varchar(32) NOT NULL,
  lang varchar(16) DEFAULT '' NOT NULL,
  template_id varchar(64) NOT NULL,
  params varchar(300) DEFAULT '' NOT NULL,
  updated_at timestamptz,
  PRIMARY KEY (kind, lang)
);
-- SMS taken from the month's cap, per calendar month (YYYY-MM).
CREATE TABLE sms_months (
  month varchar(7) NOT NULL,
  used bigint DEFAULT 0 NOT NULL,
  PRIMARY KEY (month)
);
-- Callbacks already handled (a provider repeats them): the second changes
-- nothing.
CREATE TABLE sms_callbacks (
  key varchar(200) NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (key)
);
-- A delivery report that came before the send was recorded (the provider
-- is quicker than our commit), applied when it is.
CREATE TABLE sms_reports (
  provider_message_id varchar(100) NOT NULL,
  delivered boolean NOT NULL,
  reported_at timestamptz NOT NULL,
  PRIMARY KEY (provider_message_id)
);
