CREATE TYPE mood AS ENUM ('ok');
CREATE TABLE people (id bigint PRIMARY KEY, current_mood mood NOT NULL DEFAULT 'ok');
