CREATE TABLE readings (id bigint PRIMARY KEY, value integer NOT NULL);
