CREATE TYPE mood AS ENUM ('happy', 'ok', 'sad');
CREATE TABLE people (id bigint PRIMARY KEY, current_mood mood NOT NULL DEFAULT 'ok');
