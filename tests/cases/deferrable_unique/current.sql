CREATE TABLE slots (id bigint PRIMARY KEY, position integer NOT NULL);
