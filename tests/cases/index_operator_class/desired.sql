CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text, org_id bigint, deleted_at timestamptz);
CREATE INDEX users_email_pattern_idx ON users (email text_pattern_ops);
