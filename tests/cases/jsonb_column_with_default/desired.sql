CREATE TABLE settings (id bigint PRIMARY KEY, data jsonb NOT NULL DEFAULT '{}'::jsonb);
