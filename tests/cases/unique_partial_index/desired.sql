CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text, org_id bigint, deleted_at timestamptz);
CREATE UNIQUE INDEX users_org_email_live_key ON users (org_id, email) WHERE deleted_at IS NULL;
