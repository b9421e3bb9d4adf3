CREATE TABLE line_items (id bigint PRIMARY KEY, price numeric(10,2) NOT NULL, quantity integer NOT NULL);
