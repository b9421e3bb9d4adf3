CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE people (id bigint PRIMARY KEY, current_mood mood NOT NULL DEFAULT 'ok');
