-- +goose Up
-- Branches, members, invites, join requests: the schema of assocbot's first
-- releases, as they wrote it.
CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL, name text, applied_at timestamp with time zone, CONSTRAINT schema_migrations_pkey PRIMARY KEY (version));
CREATE TABLE branches (
    id bigserial NOT NULL,
    parent_id bigint,
    name character varying(100) NOT NULL,
    path character varying(500) NOT NULL,
    created_at timestamp with time zone,
    CONSTRAINT branches_pkey PRIMARY KEY (id),
    CONSTRAINT fk_branches_parent FOREIGN KEY (parent_id) REFERENCES branches(id) ON DELETE RESTRICT
);
CREATE UNIQUE INDEX idx_branches_path ON branches USING btree (path);
CREATE INDEX idx_branches_parent_id ON branches USING btree (parent_id);
CREATE TABLE members (
    id bigserial NOT NULL,
    name character varying(100) NOT NULL,
    phone character varying(20),
    branch_id bigint,
    role character varying(16) DEFAULT 'member'::character varying NOT NULL,
    lang character varying(16),
    telegram_lang character varying(35),
    tz character varying(64),
    telegram_id bigint,
    chat_id bigint,
    status character varying(16) DEFAULT 'active'::character varying NOT NULL,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    CONSTRAINT members_pkey PRIMARY KEY (id),
    CONSTRAINT fk_members_branch FOREIGN KEY (branch_id) REFERENCES branches(id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX idx_members_telegram_id ON members USING btree (telegram_id);
CREATE INDEX idx_members_branch_id ON members USING btree (branch_id);
CREATE UNIQUE INDEX idx_members_phone ON members USING btree (phone);
CREATE TABLE member_tags (
    member_id bigint NOT NULL,
    tag character varying(50) NOT NULL,
    CONSTRAINT member_tags_pkey PRIMARY KEY (member_id, tag),
    CONSTRAINT fk_members_tags FOREIGN KEY (member_id) REFERENCES members(id) ON DELETE CASCADE
);
CREATE INDEX idx_member_tags_tag ON member_tags USING btree (tag);
CREATE TABLE organizer_scopes (
    member_id bigint NOT NULL,
    branch_id bigint NOT NULL,
    CONSTRAINT organizer_scopes_pkey PRIMARY KEY (member_id, branch_id),
    CONSTRAINT fk_organizer_scopes_member FOREIGN KEY (member_id) REFERENCES members(id) ON DELETE CASCADE,
    CONSTRAINT fk_organizer_scopes_branch FOREIGN KEY (branch_id) REFERENCES branches(id) ON DELETE CASCADE
);
CREATE INDEX idx_organizer_scopes_branch_id ON organizer_scopes USING btree (branch_id);
CREATE TABLE invites (
    id bigserial NOT NULL,
    code_hash character varying(64) NOT NULL,
    member_id bigint NOT NULL,
    expires_at timestamp with time zone,
    used_at timestamp with time zone,
    created_at timestamp with time zone,
    CONSTRAINT invites_pkey PRIMARY KEY (id),
    CONSTRAINT fk_invites_member FOREIGN KEY (member_id) REFERENCES members(id) ON DELETE CASCADE
);
CREATE INDEX idx_invites_member_id ON invites USING btree (member_id);
CREATE UNIQUE INDEX idx_invites_code_hash ON invites USING btree (code_hash);
CREATE TABLE visitors (
    telegram_id bigint NOT NULL,
    lang character varying(16),
    phone character varying(20),
    updated_at timestamp with time zone,
    CONSTRAINT visitors_pkey PRIMARY KEY (telegram_id)
);
CREATE TABLE join_requests (
    id bigserial NOT NULL,
    telegram_id bigint NOT NULL,
    chat_id bigint NOT NULL,
    name character varying(200) NOT NULL,
    phone character varying(20),
    lang character varying(16) NOT NULL,
    branch_id bigint NOT NULL,
    status character varying(16) DEFAULT 'pending'::character varying NOT NULL,
    decided_by bigint,
    member_id bigint,
    created_at timestamp with time zone,
    decided_at timestamp with time zone,
    CONSTRAINT join_requests_pkey PRIMARY KEY (id),
    CONSTRAINT fk_join_requests_branch FOREIGN KEY (branch_id) REFERENCES branches(id) ON DELETE CASCADE
);
CREATE INDEX idx_join_requests_status ON join_requests USING btree (status);
CREATE INDEX idx_join_requests_branch_id ON join_requests USING btree (branch_id);
CREATE INDEX idx_join_requests_telegram_id ON join_requests USING btree (telegram_id);
