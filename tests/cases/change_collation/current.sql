CREATE TABLE products (id bigint PRIMARY KEY, sku text NOT NULL);
