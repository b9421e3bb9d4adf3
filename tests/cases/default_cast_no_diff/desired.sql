CREATE TABLE settings (id bigint PRIMARY KEY, label text DEFAULT 'x', retries integer DEFAULT 0, data jsonb DEFAULT '{}');
