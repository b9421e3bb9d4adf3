-- bfm:renamed_from orgs
CREATE TABLE organizations (id bigint PRIMARY KEY, name text NOT NULL);
