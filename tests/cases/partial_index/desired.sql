CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text, org_id bigint, deleted_at timestamptz);
CREATE INDEX users_active_email_idx ON users (email) WHERE deleted_at IS NULL;
