CREATE TABLE orders (id bigint PRIMARY KEY, quantity integer NOT NULL);
