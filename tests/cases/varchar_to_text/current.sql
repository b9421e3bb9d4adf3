CREATE TABLE notes (id bigint PRIMARY KEY, body varchar(255));
