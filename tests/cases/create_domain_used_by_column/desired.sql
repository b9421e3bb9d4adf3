CREATE DOMAIN email AS text CHECK (VALUE ~ '@');
CREATE DOMAIN quantity AS integer DEFAULT 0 NOT NULL CONSTRAINT quantity_non_negative CHECK (VALUE >= 0);
COMMENT ON DOMAIN quantity IS 'How many items';
CREATE TABLE orders (
  id integer PRIMARY KEY,
  contact email,
  items quantity
);
