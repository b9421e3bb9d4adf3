-- bfm:allow_destructive
CREATE TABLE users (id bigint PRIMARY KEY);
