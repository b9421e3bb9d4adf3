CREATE TABLE tickets (id bigint NOT NULL, title text NOT NULL);
