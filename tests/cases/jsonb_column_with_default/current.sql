CREATE TABLE settings (id bigint PRIMARY KEY);
