CREATE TABLE orders (id bigint PRIMARY KEY, quantity bigint DEFAULT 1);
