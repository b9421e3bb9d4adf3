CREATE TABLE tickets (title text NOT NULL);
