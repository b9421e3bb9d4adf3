CREATE TABLE prices (id bigint PRIMARY KEY, amount numeric(14,2) NOT NULL);
