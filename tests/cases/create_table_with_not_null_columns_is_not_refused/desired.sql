CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance numeric(12,2) NOT NULL);
