CREATE TABLE documents (id bigint PRIMARY KEY, body jsonb NOT NULL, title text NOT NULL, valid_during tstzrange, created_at timestamptz NOT NULL, token text NOT NULL);
