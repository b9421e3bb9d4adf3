CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text, org_id bigint, deleted_at timestamptz);
CREATE UNIQUE INDEX users_name_uidx ON users (name) NULLS NOT DISTINCT;
