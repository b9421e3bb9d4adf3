CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, plan text NOT NULL, balance integer NOT NULL DEFAULT 0, closed_at timestamptz);
COMMENT ON TABLE accounts IS 'Customer accounts';
