CREATE TABLE users (
    id bigint PRIMARY KEY,
    -- bfm:renamed_from mail
    email varchar(255) NOT NULL
);
