CREATE TABLE readings (id bigint PRIMARY KEY, value integer NOT NULL, CONSTRAINT readings_value_check CHECK (value > 0) NO INHERIT);
