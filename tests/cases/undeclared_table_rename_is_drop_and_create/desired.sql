CREATE TABLE organizations (id bigint PRIMARY KEY, name text NOT NULL);
