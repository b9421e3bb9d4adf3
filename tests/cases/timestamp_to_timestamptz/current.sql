CREATE TABLE audit (id bigint PRIMARY KEY, happened_at timestamp NOT NULL);
