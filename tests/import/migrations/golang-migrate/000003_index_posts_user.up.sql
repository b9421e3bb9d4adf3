CREATE INDEX IF NOT EXISTS posts_user_id_idx ON posts (user_id);
