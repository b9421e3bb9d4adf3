CREATE TABLE orgs (id bigint PRIMARY KEY, name text NOT NULL);
