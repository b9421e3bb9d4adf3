CREATE TABLE products (id bigint PRIMARY KEY, stock integer NOT NULL);
