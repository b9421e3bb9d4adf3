CREATE TABLE orders (id bigint PRIMARY KEY, retries integer NOT NULL DEFAULT 5);
