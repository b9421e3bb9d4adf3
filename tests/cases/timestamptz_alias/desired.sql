CREATE TABLE audit (id bigint PRIMARY KEY, happened_at timestamptz(3) NOT NULL DEFAULT now(), logged_on timestamp);
