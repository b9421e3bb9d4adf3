CREATE SCHEMA app;
CREATE TABLE app.items (id bigint PRIMARY KEY);
