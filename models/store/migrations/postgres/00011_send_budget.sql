-- +goose Up
-- The send budget shared by replicas on one database (models/budget): n
-- slots, each free a second after its last message was answered; one row
-- per chat for its one-message-a-second gap; a pause after a 429.
CREATE TABLE send_slots (
    slot integer NOT NULL,
    gen bigint NOT NULL,
    taken_at timestamp with time zone NOT NULL,
    answered_at timestamp with time zone,
    CONSTRAINT send_slots_pkey PRIMARY KEY (slot)
);
CREATE TABLE send_chats (
    chat_id bigint NOT NULL,
    holder bigint,
    busy_until timestamp with time zone,
    last_at timestamp with time zone,
    CONSTRAINT send_chats_pkey PRIMARY KEY (chat_id)
);
CREATE TABLE send_pause (
    id integer NOT NULL,
    until timestamp with time zone NOT NULL,
    CONSTRAINT send_pause_pkey PRIMARY KEY (id)
);
