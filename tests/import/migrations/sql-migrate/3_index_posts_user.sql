-- +migrate Up notransaction
CREATE INDEX CONCURRENTLY posts_user_id_idx ON posts (user_id);

-- +migrate Down notransaction
DROP INDEX CONCURRENTLY posts_user_id_idx;
