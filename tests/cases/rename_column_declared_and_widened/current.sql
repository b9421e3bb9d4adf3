CREATE TABLE users (id bigint PRIMARY KEY, mail varchar(100) NOT NULL);
