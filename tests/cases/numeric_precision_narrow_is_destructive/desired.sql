CREATE TABLE prices (id bigint PRIMARY KEY, amount numeric(8,2) NOT NULL);
