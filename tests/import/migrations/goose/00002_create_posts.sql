-- +goose Up
CREATE TABLE posts (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    title text NOT NULL,
    body text NOT NULL DEFAULT ''
);

-- +goose StatementBegin
COMMENT ON TABLE posts IS 'One row per post;
the body is plain text;
titles are not unique.';
-- +goose StatementEnd

-- +goose Down
DROP TABLE posts;
