CREATE TABLE tags (id bigint NOT NULL PRIMARY KEY, name text);
