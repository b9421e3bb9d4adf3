CREATE INDEX CONCURRENTLY posts_user_id_idx ON posts (user_id);
