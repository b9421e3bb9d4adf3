CREATE TABLE users (
    id bigint PRIMARY KEY,
    -- bfm:renamed_from mail
    email text NOT NULL
);
