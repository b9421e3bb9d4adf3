CREATE TABLE tags (id bigint, name text, PRIMARY KEY (id), UNIQUE (name));
