CREATE TABLE settings (id bigint PRIMARY KEY, label text DEFAULT 'x'::text, retries integer DEFAULT 0::integer, data jsonb DEFAULT '{}'::jsonb);
