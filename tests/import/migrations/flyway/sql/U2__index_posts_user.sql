DROP INDEX CONCURRENTLY posts_user_id_idx;
