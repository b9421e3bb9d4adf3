CREATE TABLE audit (id bigint PRIMARY KEY, happened_at timestamptz NOT NULL);
