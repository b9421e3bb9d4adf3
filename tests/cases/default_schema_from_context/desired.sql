CREATE TABLE items (id bigint PRIMARY KEY, name text);
CREATE INDEX items_name_idx ON items (name);
