CREATE TABLE posts (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    title text NOT NULL,
    body text NOT NULL DEFAULT ''
);
