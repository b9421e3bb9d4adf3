CREATE TABLE tickets (id serial PRIMARY KEY, code bigserial, rank smallserial);
