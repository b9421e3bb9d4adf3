CREATE TABLE regions (code text, name text NOT NULL, CONSTRAINT regions_pk PRIMARY KEY (code));
