CREATE TABLE products (id bigint PRIMARY KEY, price numeric(10,2) NOT NULL, CONSTRAINT products_price_check CHECK ( price >= 0 ));
CREATE INDEX products_cheap_idx ON products (id) WHERE (price < 10);
