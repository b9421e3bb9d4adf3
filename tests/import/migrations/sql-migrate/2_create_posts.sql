-- +migrate Up
CREATE TABLE posts (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    title text NOT NULL,
    body text NOT NULL DEFAULT ''
);

-- +migrate StatementBegin
COMMENT ON TABLE posts IS 'One row per post;
the body is plain text;
titles are not unique.';
-- +migrate StatementEnd

-- +migrate Down
DROP TABLE posts;
