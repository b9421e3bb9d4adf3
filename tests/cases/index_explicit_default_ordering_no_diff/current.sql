CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text, org_id bigint, deleted_at timestamptz);
CREATE INDEX users_recent_idx ON users (deleted_at DESC NULLS FIRST, name ASC NULLS LAST);
