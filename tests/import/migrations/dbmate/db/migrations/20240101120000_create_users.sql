-- migrate:up
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE
);

-- migrate:down
DROP TABLE users;
