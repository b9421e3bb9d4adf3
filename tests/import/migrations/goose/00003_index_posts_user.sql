-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY posts_user_id_idx ON posts (user_id);

-- +goose Down
DROP INDEX CONCURRENTLY posts_user_id_idx;
