CREATE TABLE products (id bigint PRIMARY KEY, stock integer NOT NULL);
ALTER TABLE products ADD CONSTRAINT products_stock_check CHECK (stock >= 0);
