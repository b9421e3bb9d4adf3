CREATE SCHEMA app;
CREATE TABLE app.items (id bigint PRIMARY KEY, name text);
CREATE TABLE public.notes (id bigint PRIMARY KEY, item_id bigint REFERENCES app.items (id));
CREATE INDEX items_name_idx ON app.items (name);
