CREATE TABLE products (id bigint PRIMARY KEY, sku text COLLATE "C" NOT NULL);
