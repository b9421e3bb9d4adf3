CREATE TABLE devices (id bigint PRIMARY KEY, serial text);
