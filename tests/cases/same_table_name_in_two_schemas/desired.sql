CREATE SCHEMA archive;
CREATE TABLE events (id bigint PRIMARY KEY);
CREATE TABLE archive.events (id bigint PRIMARY KEY, archived_at timestamptz NOT NULL);
