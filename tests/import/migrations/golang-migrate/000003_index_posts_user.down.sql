DROP INDEX IF EXISTS posts_user_id_idx;
