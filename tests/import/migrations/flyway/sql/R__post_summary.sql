CREATE OR REPLACE VIEW post_summary AS
SELECT user_id, count(*) AS posts FROM posts GROUP BY user_id;
