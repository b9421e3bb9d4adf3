CREATE TYPE mood AS ENUM ('ok', 'happy');
CREATE TABLE people (id bigint PRIMARY KEY, current_mood mood NOT NULL DEFAULT 'ok');
